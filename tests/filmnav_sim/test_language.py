import numpy as np

from filmnav_sim.house import CATEGORIES, ObjectInstance
from filmnav_sim.language import DESCRIPTIONS, SYNONYMS, goal_text


def _instance(instance_id: int, category: str, color: str) -> ObjectInstance:
    return ObjectInstance(instance_id, category, 0, np.zeros(3), np.ones(3), 0.0, color)


def test_text_goals_use_synonyms_descriptions_and_colours():
    instances = [
        _instance(1, "armchair", "green"),
        _instance(2, "armchair", "red"),
        _instance(3, "armchair", "green"),
    ]
    rng = np.random.default_rng(0)
    seen = {"synonym": 0, "description": 0, "colour": 0}
    for _ in range(60):
        text, ids = goal_text("armchair", instances, rng)
        if text in SYNONYMS["armchair"]:
            seen["synonym"] += 1
            assert ids == [1, 2, 3]
        elif text in DESCRIPTIONS["armchair"]:
            seen["description"] += 1
            assert ids == [1, 2, 3]
        else:
            seen["colour"] += 1
            colour = text.split()[1]
            assert text == f"the {colour} armchair"
            assert ids == [
                o.id for o in instances if o.color == colour
            ]  # the phrase narrows the goal
    assert all(count > 0 for count in seen.values())


def test_synonyms_never_name_another_category():
    for category in CATEGORIES:
        for phrase in SYNONYMS[category]:
            assert phrase not in CATEGORIES or phrase == category, (category, phrase)
