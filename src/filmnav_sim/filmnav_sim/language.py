"""Open-vocabulary goal text (OVON style): synonyms, functional descriptions, attribute phrases."""

from __future__ import annotations

import numpy as np

from .house import ObjectInstance

SYNONYMS: dict[str, list[str]] = {
    "chair": ["dining chair", "wooden chair", "seat"],
    "sofa": ["couch", "settee", "sectional"],
    "potted plant": ["houseplant", "plant in a pot", "indoor plant"],
    "bed": ["double bed", "mattress", "bunk"],
    "toilet": ["loo", "commode", "water closet"],
    "tv": ["television", "tv screen", "flat screen"],
    "armchair": ["lounge chair", "easy chair", "recliner"],
    "dining table": ["kitchen table", "table for meals", "dinner table"],
    "coffee table": ["low table", "cocktail table", "tea table"],
    "desk": ["writing desk", "work desk", "computer desk"],
    "office chair": ["desk chair", "swivel chair", "computer chair"],
    "bookshelf": ["bookcase", "shelves of books", "book rack"],
    "wardrobe": ["closet", "armoire", "clothes cabinet"],
    "nightstand": ["bedside table", "night table", "bedside cabinet"],
    "dresser": ["chest of drawers", "bureau", "drawer cabinet"],
    "floor lamp": ["standing lamp", "lamp", "reading light"],
    "refrigerator": ["fridge", "freezer", "icebox"],
    "stove": ["oven", "cooker", "range"],
    "kitchen counter": ["countertop", "kitchen cabinet", "worktop"],
    "sink": ["washbasin", "basin", "wash basin"],
    "bathtub": ["bath", "tub", "bath tub"],
    "shower": ["shower stall", "shower cabin", "shower cubicle"],
    "washing machine": ["washer", "laundry machine", "clothes washer"],
    "trash can": ["bin", "garbage can", "wastebasket"],
    "piano": ["upright piano", "keyboard instrument", "pianoforte"],
    "fireplace": ["hearth", "fire place", "chimney place"],
    "stool": ["bar stool", "counter stool", "backless seat"],
    "aquarium": ["fish tank", "fishbowl", "tank with fish"],
}

DESCRIPTIONS: dict[str, list[str]] = {
    "chair": ["something to sit on at a table"],
    "sofa": ["somewhere several people can sit and relax"],
    "potted plant": ["something green growing in a pot"],
    "bed": ["something to sleep on"],
    "toilet": ["the thing you flush"],
    "tv": ["something to watch shows on"],
    "armchair": ["a padded seat with arm rests for one person"],
    "dining table": ["where the family eats dinner"],
    "coffee table": ["a low table in front of the couch"],
    "desk": ["somewhere to work on a computer"],
    "office chair": ["a chair on wheels for working"],
    "bookshelf": ["where the books are kept"],
    "wardrobe": ["a tall cabinet to hang clothes in"],
    "nightstand": ["a small table next to the bed"],
    "dresser": ["a low cabinet with drawers for clothes"],
    "floor lamp": ["a tall light standing on the floor"],
    "refrigerator": ["something that keeps food cold"],
    "stove": ["something to cook food on"],
    "kitchen counter": ["a surface to prepare food on"],
    "sink": ["somewhere to wash your hands"],
    "bathtub": ["somewhere to take a bath"],
    "shower": ["a glass cubicle to wash yourself in"],
    "washing machine": ["the machine that cleans clothes"],
    "trash can": ["where rubbish goes"],
    "piano": ["a musical instrument with black and white keys"],
    "fireplace": ["where a fire warms the room"],
    "stool": ["a seat without a back"],
    "aquarium": ["a glass box where fish swim"],
}


def goal_text(
    category: str, instances: list[ObjectInstance], rng: np.random.Generator
) -> tuple[str, list[int]]:
    """A free-form goal for one of the instances of a category and the instances it denotes.

    Picks a synonym, a description, or a colour phrase ("the green armchair"); a colour phrase
    narrows the goal to the instances of that colour.
    """
    style = int(rng.integers(3))
    ids = [obj.id for obj in instances]
    if style == 0:
        options = SYNONYMS[category]
        return options[int(rng.integers(len(options)))], ids
    if style == 1:
        options = DESCRIPTIONS[category]
        return options[int(rng.integers(len(options)))], ids
    chosen = instances[int(rng.integers(len(instances)))]
    same_color = [obj.id for obj in instances if obj.color == chosen.color]
    return f"the {chosen.color} {category}", same_color
