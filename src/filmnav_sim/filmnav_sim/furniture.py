"""Furniture catalogue: categories, their sizes, colours, shapes from primitives, and where they
stand (which rooms, against a wall or free, next to which piece).

Shapes are described in the object's local frame: +x is the front (the side a person uses),
origin at the centre of the footprint on the floor, extents (sx, sy, sz) in metres.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

COLORS: dict[str, tuple[float, float, float]] = {
    "white": (0.92, 0.92, 0.9),
    "black": (0.08, 0.08, 0.09),
    "gray": (0.5, 0.5, 0.52),
    "silver": (0.75, 0.77, 0.8),
    "brown": (0.45, 0.28, 0.15),
    "beige": (0.85, 0.76, 0.6),
    "red": (0.78, 0.15, 0.13),
    "green": (0.2, 0.6, 0.25),
    "blue": (0.18, 0.33, 0.75),
    "yellow": (0.92, 0.78, 0.18),
    "orange": (0.93, 0.5, 0.13),
    "purple": (0.5, 0.25, 0.6),
    "pink": (0.93, 0.55, 0.68),
    "teal": (0.1, 0.55, 0.55),
}


@dataclass(frozen=True)
class Part:
    """One primitive: MuJoCo geom type, local centre, MuJoCo size parameters, colour."""

    kind: str  # "box" (half extents), "cylinder" (radius, half height), "ellipsoid" (radii)
    pos: tuple[float, float, float]
    size: tuple[float, float, float]
    rgba: tuple[float, float, float, float]
    axis: str = "z"  # the local axis a cylinder's height runs along: "z" or "x" (facing front)


def _rgba(rgb, alpha: float = 1.0) -> tuple[float, float, float, float]:
    return (float(rgb[0]), float(rgb[1]), float(rgb[2]), alpha)


def _shade(rgb, factor: float) -> tuple[float, float, float]:
    return tuple(float(np.clip(c * factor, 0.0, 1.0)) for c in rgb)


def _box(x, y, z, hx, hy, hz, rgb, alpha=1.0) -> Part:
    return Part("box", (x, y, z), (hx, hy, hz), _rgba(rgb, alpha))


def _cyl(x, y, z, radius, half_height, rgb) -> Part:
    return Part("cylinder", (x, y, z), (radius, half_height, 0.0), _rgba(rgb))


def _ell(x, y, z, rx, ry, rz, rgb) -> Part:
    return Part("ellipsoid", (x, y, z), (rx, ry, rz), _rgba(rgb))


def _legs(sx, sy, height, inset, radius, rgb) -> list[Part]:
    return [
        _cyl(
            sign_x * (sx / 2 - inset),
            sign_y * (sy / 2 - inset),
            height / 2,
            radius,
            height / 2,
            rgb,
        )
        for sign_x in (-1, 1)
        for sign_y in (-1, 1)
    ]


WOOD = COLORS["brown"]
METAL = COLORS["silver"]
DARK = COLORS["black"]
WHITE = COLORS["white"]


# ---- shape builders: (extents, colour) -> parts ------------------------------------------------
def chair(s, c):
    sx, sy, sz = s
    seat = 0.45
    return _legs(sx, sy, seat - 0.04, 0.05, 0.022, WOOD) + [
        _box(0, 0, seat - 0.02, sx / 2, sy / 2, 0.025, c),
        _box(-sx / 2 + 0.03, 0, (seat + sz) / 2, 0.025, sy / 2, (sz - seat) / 2, c),
    ]


def armchair(s, c):
    sx, sy, sz = s
    arm_w = 0.14
    return [
        _box(0, 0, 0.2, sx / 2, sy / 2, 0.2, _shade(c, 0.8)),
        _box(0.05, 0, 0.45, sx / 2 - 0.05, sy / 2 - arm_w, 0.06, c),
        _box(-sx / 2 + 0.1, 0, (0.4 + sz) / 2, 0.1, sy / 2, (sz - 0.4) / 2, c),
        _box(0, sy / 2 - arm_w / 2, 0.55, sx / 2, arm_w / 2, 0.15, _shade(c, 0.9)),
        _box(0, -sy / 2 + arm_w / 2, 0.55, sx / 2, arm_w / 2, 0.15, _shade(c, 0.9)),
    ]


def sofa(s, c):
    sx, sy, sz = s
    arm_w = 0.18
    cushions = 3 if sy > 2.0 else 2
    width = (sy - 2 * arm_w) / cushions
    parts = [
        _box(0, 0, 0.22, sx / 2, sy / 2, 0.2, _shade(c, 0.75)),
        _box(-sx / 2 + 0.12, 0, (0.42 + sz) / 2, 0.12, sy / 2, (sz - 0.42) / 2, c),
        _box(0, sy / 2 - arm_w / 2, 0.5, sx / 2, arm_w / 2, 0.14, c),
        _box(0, -sy / 2 + arm_w / 2, 0.5, sx / 2, arm_w / 2, 0.14, c),
    ]
    for k in range(cushions):
        y = -sy / 2 + arm_w + width * (k + 0.5)
        parts.append(_box(0.08, y, 0.47, sx / 2 - 0.12, width / 2 - 0.02, 0.06, _shade(c, 1.1)))
    return parts


def bed(s, c):
    sx, sy, sz = s
    return [
        _box(0, 0, 0.17, sx / 2, sy / 2, 0.15, WOOD),
        _box(0.02, 0, 0.42, sx / 2 - 0.04, sy / 2 - 0.03, 0.1, WHITE),
        _box(0.25, 0, 0.53, sx / 2 - 0.27, sy / 2 - 0.02, 0.02, c),
        _box(-sx / 2 + 0.04, 0, sz / 2, 0.04, sy / 2, sz / 2, WOOD),
        _ell(-sx / 2 + 0.28, sy / 4, 0.56, 0.16, sy / 4 - 0.08, 0.07, WHITE),
        _ell(-sx / 2 + 0.28, -sy / 4, 0.56, 0.16, sy / 4 - 0.08, 0.07, WHITE),
    ]


def toilet(s, c):
    sx, sy, sz = s
    return [
        _cyl(0.08, 0, 0.2, 0.13, 0.2, c),
        _ell(0.1, 0, 0.4, sx / 2 - 0.12, sy / 2, 0.06, c),
        _box(-sx / 2 + 0.09, 0, (0.4 + sz) / 2, 0.09, sy / 2 - 0.02, (sz - 0.4) / 2, c),
    ]


def tv(s, c):
    sx, sy, sz = s
    cabinet = 0.45
    return [
        _box(0, 0, cabinet / 2, sx / 2, sy / 2, cabinet / 2, c),
        _box(
            -0.02,
            0,
            (cabinet + sz) / 2 + 0.03,
            0.03,
            sy / 2 - 0.05,
            (sz - cabinet) / 2 - 0.03,
            DARK,
        ),
        _box(
            0.015,
            0,
            (cabinet + sz) / 2 + 0.03,
            0.005,
            sy / 2 - 0.08,
            (sz - cabinet) / 2 - 0.06,
            (0.1, 0.12, 0.25),
        ),
    ]


def potted_plant(s, c):
    sx, sy, sz = s
    pot_h = 0.35
    leaves = COLORS["green"]
    return [
        _cyl(0, 0, pot_h / 2, sx / 3, pot_h / 2, c),
        _ell(0, 0, pot_h + (sz - pot_h) * 0.45, sx / 2, sy / 2, (sz - pot_h) * 0.45, leaves),
        _ell(0.05, -0.04, sz - 0.12, sx / 3, sy / 3, 0.14, _shade(leaves, 1.25)),
    ]


def table(s, c):
    sx, sy, sz = s
    return _legs(sx, sy, sz - 0.04, 0.07, 0.03, _shade(c, 0.7)) + [
        _box(0, 0, sz - 0.02, sx / 2, sy / 2, 0.02, c)
    ]


def desk(s, c):
    sx, sy, sz = s
    return [
        _box(0, 0, sz - 0.02, sx / 2, sy / 2, 0.02, c),
        _box(
            0, sy / 2 - 0.2, (sz - 0.04) / 2, sx / 2 - 0.02, 0.2, (sz - 0.04) / 2, _shade(c, 0.8)
        ),
        _box(
            0,
            -sy / 2 + 0.02,
            (sz - 0.04) / 2,
            sx / 2 - 0.02,
            0.02,
            (sz - 0.04) / 2,
            _shade(c, 0.8),
        ),
        _box(-sx / 2 + 0.12, 0, sz + 0.2, 0.03, 0.25, 0.16, DARK),
    ]


def office_chair(s, c):
    sx, sy, sz = s
    return [
        _cyl(0, 0, 0.03, sx / 2 - 0.03, 0.03, DARK),
        _cyl(0, 0, 0.25, 0.025, 0.2, METAL),
        _cyl(0, 0, 0.48, sx / 2 - 0.04, 0.04, c),
        _box(
            -sx / 2 + 0.06, 0, (0.5 + sz) / 2 + 0.05, 0.04, sy / 2 - 0.06, (sz - 0.5) / 2 - 0.05, c
        ),
    ]


def bookshelf(s, c):
    sx, sy, sz = s
    parts = [
        _box(-sx / 2 + 0.02, 0, sz / 2, 0.02, sy / 2, sz / 2, c),
        _box(0, sy / 2 - 0.02, sz / 2, sx / 2, 0.02, sz / 2, c),
        _box(0, -sy / 2 + 0.02, sz / 2, sx / 2, 0.02, sz / 2, c),
    ]
    shelves = 5
    book_colors = [COLORS["red"], COLORS["blue"], COLORS["yellow"], COLORS["green"]]
    for k in range(shelves):
        z = k * sz / (shelves - 1) if k < shelves - 1 else sz - 0.02
        parts.append(_box(0, 0, max(z, 0.02), sx / 2, sy / 2, 0.02, c))
        if k < shelves - 1:
            book_h = 0.6 * sz / (shelves - 1)
            parts.append(
                _box(
                    -0.03,
                    0,
                    z + 0.02 + book_h / 2,
                    sx / 2 - 0.08,
                    sy / 2 - 0.08,
                    book_h / 2,
                    book_colors[k % len(book_colors)],
                )
            )
    return parts


def wardrobe(s, c):
    sx, sy, sz = s
    return [
        _box(0, 0, sz / 2, sx / 2, sy / 2, sz / 2, c),
        _box(sx / 2 + 0.005, 0, sz / 2, 0.005, 0.01, sz / 2 - 0.05, DARK),
        _cyl(sx / 2 + 0.02, 0.06, sz * 0.55, 0.015, 0.12, METAL),
        _cyl(sx / 2 + 0.02, -0.06, sz * 0.55, 0.015, 0.12, METAL),
    ]


def drawers(s, c, rows: int):
    sx, sy, sz = s
    parts = [_box(0, 0, sz / 2 + 0.03, sx / 2, sy / 2, sz / 2 - 0.03, c)]
    parts += _legs(sx, sy, 0.06, 0.04, 0.02, DARK)
    for k in range(rows):
        z = 0.06 + (k + 0.5) * (sz - 0.06) / rows
        parts.append(_box(sx / 2 + 0.01, 0, z, 0.01, sy * 0.15, 0.015, METAL))
    return parts


def nightstand(s, c):
    return drawers(s, c, 2)


def dresser(s, c):
    return drawers(s, c, 3)


def floor_lamp(s, c):
    sx, sy, sz = s
    return [
        _cyl(0, 0, 0.015, sx / 2 - 0.05, 0.015, DARK),
        _cyl(0, 0, sz / 2, 0.015, sz / 2, METAL),
        _cyl(0, 0, sz - 0.15, sx / 2, 0.15, c),
    ]


def refrigerator(s, c):
    sx, sy, sz = s
    return [
        _box(0, 0, sz / 2, sx / 2, sy / 2, sz / 2, c),
        _box(sx / 2 + 0.004, 0, sz * 0.62, 0.004, sy / 2, 0.008, DARK),
        _box(sx / 2 + 0.03, sy / 2 - 0.08, sz * 0.8, 0.015, 0.015, 0.2, METAL),
        _box(sx / 2 + 0.03, sy / 2 - 0.08, sz * 0.4, 0.015, 0.015, 0.2, METAL),
    ]


def stove(s, c):
    sx, sy, sz = s
    parts = [
        _box(0, 0, sz / 2, sx / 2, sy / 2, sz / 2, c),
        _box(0, 0, sz + 0.005, sx / 2 - 0.02, sy / 2 - 0.02, 0.005, DARK),
        _box(sx / 2 + 0.005, 0, sz * 0.45, 0.005, sy / 2 - 0.06, sz * 0.25, DARK),
    ]
    parts += [
        _cyl(dx * sx / 4, dy * sy / 4, sz + 0.015, 0.08, 0.006, COLORS["gray"])
        for dx in (-1, 1)
        for dy in (-1, 1)
    ]
    return parts


def kitchen_counter(s, c):
    sx, sy, sz = s
    doors = max(1, int(sy / 0.6))
    parts = [
        _box(0, 0, (sz - 0.04) / 2, sx / 2 - 0.03, sy / 2, (sz - 0.04) / 2, c),
        _box(0, 0, sz - 0.02, sx / 2, sy / 2, 0.02, COLORS["gray"]),
    ]
    for k in range(doors):
        y = -sy / 2 + (k + 0.5) * sy / doors
        parts.append(_box(sx / 2 - 0.02, y, sz * 0.75, 0.01, 0.08, 0.012, METAL))
    return parts


def sink(s, c):
    sx, sy, sz = s
    return [
        _cyl(-0.05, 0, (sz - 0.15) / 2, 0.09, (sz - 0.15) / 2, c),
        _box(0, 0, sz - 0.075, sx / 2, sy / 2, 0.075, c),
        _box(0.02, 0, sz - 0.005, sx / 2 - 0.06, sy / 2 - 0.06, 0.005, COLORS["gray"]),
        _cyl(-sx / 2 + 0.06, 0, sz + 0.08, 0.015, 0.08, METAL),
    ]


def bathtub(s, c):
    sx, sy, sz = s
    return [
        _box(0, 0, sz / 2, sx / 2, sy / 2, sz / 2, c),
        _box(0, 0, sz - 0.005, sx / 2 - 0.08, sy / 2 - 0.08, 0.01, (0.55, 0.75, 0.9)),
    ]


def shower(s, c):
    sx, sy, sz = s
    glass = (0.7, 0.85, 0.95)
    return [
        _box(0, 0, 0.05, sx / 2, sy / 2, 0.05, WHITE),
        _box(sx / 2 - 0.02, 0, sz / 2, 0.01, sy / 2, sz / 2, glass, 0.35),
        _box(0, sy / 2 - 0.02, sz / 2, sx / 2, 0.01, sz / 2, glass, 0.35),
        _box(0, -sy / 2 + 0.02, sz / 2, sx / 2, 0.01, sz / 2, glass, 0.35),
        _cyl(sx / 2 - 0.02, sy / 2 - 0.02, sz / 2, 0.02, sz / 2, c),
        _cyl(sx / 2 - 0.02, -sy / 2 + 0.02, sz / 2, 0.02, sz / 2, c),
        _cyl(-sx / 2 + 0.1, 0, sz - 0.2, 0.09, 0.015, METAL),
    ]


def washing_machine(s, c):
    sx, sy, sz = s
    return [
        _box(0, 0, sz / 2, sx / 2, sy / 2, sz / 2, c),
        Part("cylinder", (sx / 2 + 0.01, 0, sz * 0.45), (0.19, 0.01, 0.0), _rgba(DARK), axis="x"),
        _box(sx / 2 + 0.005, 0, sz - 0.08, 0.005, sy / 2 - 0.05, 0.05, COLORS["gray"]),
    ]


def trash_can(s, c):
    sx, sy, sz = s
    return [
        _cyl(0, 0, sz / 2, sx / 2, sz / 2, c),
        _cyl(0, 0, sz + 0.01, sx / 2 + 0.01, 0.01, DARK),
    ]


def piano(s, c):
    sx, sy, sz = s
    return [
        _box(-0.1, 0, sz / 2, sx / 2 - 0.1, sy / 2, sz / 2, c),
        _box(sx / 2 - 0.12, 0, 0.72, 0.12, sy / 2 - 0.05, 0.03, c),
        _box(sx / 2 - 0.12, 0, 0.755, 0.1, sy / 2 - 0.08, 0.005, WHITE),
        _box(sx / 2 - 0.05, sy / 2 - 0.05, 0.36, 0.05, 0.04, 0.36, c),
        _box(sx / 2 - 0.05, -sy / 2 + 0.05, 0.36, 0.05, 0.04, 0.36, c),
    ]


def fireplace(s, c):
    sx, sy, sz = s
    return [
        _box(0, sy / 2 - 0.2, sz / 2, sx / 2, 0.2, sz / 2, c),
        _box(0, -sy / 2 + 0.2, sz / 2, sx / 2, 0.2, sz / 2, c),
        _box(0, 0, sz - 0.15, sx / 2, sy / 2 - 0.2, 0.15, c),
        _box(-sx / 4, 0, (sz - 0.3) / 2, sx / 4, sy / 2 - 0.2, (sz - 0.3) / 2, DARK),
        _box(0.02, 0, sz + 0.03, sx / 2 + 0.04, sy / 2 + 0.05, 0.03, WOOD),
        _ell(-0.05, 0, 0.12, 0.12, sy / 2 - 0.35, 0.1, COLORS["orange"]),
    ]


def stool(s, c):
    sx, sy, sz = s
    return [_cyl(0, 0, sz - 0.03, sx / 2, 0.03, c)] + _legs(
        sx * 0.8, sy * 0.8, sz - 0.06, 0.04, 0.018, METAL
    )


def aquarium(s, c):
    sx, sy, sz = s
    stand = 0.7
    return [
        _box(0, 0, stand / 2, sx / 2, sy / 2, stand / 2, c),
        _box(
            0,
            0,
            stand + (sz - stand) / 2,
            sx / 2 - 0.02,
            sy / 2 - 0.02,
            (sz - stand) / 2,
            (0.2, 0.55, 0.85),
            0.6,
        ),
        _ell(0.0, 0.1, stand + 0.2, 0.04, 0.08, 0.04, COLORS["orange"]),
    ]


@dataclass(frozen=True)
class FurnitureType:
    """A category: extents range (min, max) per axis, allowed colours, shape builder."""

    category: str
    size_min: tuple[float, float, float]
    size_max: tuple[float, float, float]
    colors: tuple[str, ...]
    build: Callable[[np.ndarray, tuple[float, float, float]], list[Part]]


_TYPES = [
    FurnitureType(
        "chair", (0.45, 0.45, 0.85), (0.52, 0.5, 0.95), ("brown", "black", "white", "red"), chair
    ),
    FurnitureType(
        "sofa", (0.85, 1.7, 0.8), (0.95, 2.4, 0.9), ("gray", "blue", "beige", "green", "red"), sofa
    ),
    FurnitureType(
        "potted plant",
        (0.4, 0.4, 0.8),
        (0.6, 0.6, 1.3),
        ("orange", "white", "gray", "teal"),
        potted_plant,
    ),
    FurnitureType(
        "bed", (1.95, 1.2, 0.9), (2.1, 1.8, 1.1), ("blue", "pink", "purple", "gray", "yellow"), bed
    ),
    FurnitureType("toilet", (0.6, 0.38, 0.75), (0.7, 0.42, 0.82), ("white", "beige"), toilet),
    FurnitureType("tv", (0.4, 1.0, 1.1), (0.5, 1.5, 1.3), ("black", "brown", "white"), tv),
    FurnitureType(
        "armchair",
        (0.8, 0.8, 0.85),
        (0.9, 0.9, 0.95),
        ("green", "red", "beige", "blue", "yellow"),
        armchair,
    ),
    FurnitureType(
        "dining table", (0.85, 1.3, 0.74), (1.0, 1.8, 0.78), ("brown", "white", "black"), table
    ),
    FurnitureType(
        "coffee table", (0.5, 0.9, 0.38), (0.65, 1.2, 0.45), ("brown", "black", "white"), table
    ),
    FurnitureType("desk", (0.6, 1.1, 0.74), (0.75, 1.5, 0.78), ("brown", "white", "black"), desk),
    FurnitureType(
        "office chair",
        (0.55, 0.55, 0.95),
        (0.65, 0.65, 1.1),
        ("black", "blue", "red"),
        office_chair,
    ),
    FurnitureType(
        "bookshelf", (0.3, 0.8, 1.6), (0.4, 1.2, 2.0), ("brown", "white", "black"), bookshelf
    ),
    FurnitureType(
        "wardrobe", (0.55, 1.0, 1.9), (0.65, 1.6, 2.1), ("brown", "white", "gray"), wardrobe
    ),
    FurnitureType(
        "nightstand", (0.38, 0.4, 0.5), (0.45, 0.5, 0.6), ("brown", "white"), nightstand
    ),
    FurnitureType(
        "dresser", (0.45, 1.0, 0.8), (0.55, 1.4, 0.95), ("brown", "white", "gray"), dresser
    ),
    FurnitureType(
        "floor lamp",
        (0.35, 0.35, 1.5),
        (0.45, 0.45, 1.8),
        ("white", "yellow", "beige"),
        floor_lamp,
    ),
    FurnitureType(
        "refrigerator",
        (0.65, 0.7, 1.7),
        (0.75, 0.85, 1.9),
        ("white", "silver", "black"),
        refrigerator,
    ),
    FurnitureType(
        "stove", (0.6, 0.6, 0.88), (0.65, 0.75, 0.92), ("white", "silver", "black"), stove
    ),
    FurnitureType(
        "kitchen counter",
        (0.6, 1.2, 0.88),
        (0.65, 2.2, 0.92),
        ("white", "brown", "teal"),
        kitchen_counter,
    ),
    FurnitureType("sink", (0.4, 0.5, 0.85), (0.5, 0.65, 0.9), ("white",), sink),
    FurnitureType("bathtub", (0.7, 1.5, 0.5), (0.8, 1.7, 0.6), ("white", "beige"), bathtub),
    FurnitureType("shower", (0.85, 0.85, 1.95), (1.0, 1.0, 2.05), ("silver", "white"), shower),
    FurnitureType(
        "washing machine",
        (0.58, 0.58, 0.82),
        (0.62, 0.62, 0.88),
        ("white", "silver"),
        washing_machine,
    ),
    FurnitureType(
        "trash can",
        (0.28, 0.28, 0.45),
        (0.35, 0.35, 0.6),
        ("gray", "blue", "green", "black"),
        trash_can,
    ),
    FurnitureType(
        "piano", (0.55, 1.4, 1.15), (0.65, 1.55, 1.3), ("black", "brown", "white"), piano
    ),
    FurnitureType(
        "fireplace", (0.45, 1.3, 1.0), (0.55, 1.6, 1.2), ("red", "gray", "white"), fireplace
    ),
    FurnitureType(
        "stool", (0.35, 0.35, 0.6), (0.42, 0.42, 0.75), ("red", "black", "brown", "yellow"), stool
    ),
    FurnitureType("aquarium", (0.4, 0.9, 1.15), (0.5, 1.3, 1.3), ("black", "brown"), aquarium),
]

FURNITURE: dict[str, FurnitureType] = {t.category: t for t in _TYPES}


@dataclass(frozen=True)
class Placement:
    """How a room program places a category: count range, probability, and where.

    where: "wall" (back against a wall, facing into the room), "corner" (against a wall at its
    end), "free" (inside the room, any of four headings with jitter), or relative to an already
    placed piece A of a category: "front:A" (in front of A, same heading), "facing:A" (in front
    of A, facing it), "around:A" (on any side of A, facing it), "beside:A" (next to A's back end,
    same heading: nightstands by a bed's head).
    """

    category: str
    probability: float
    count: tuple[int, int]
    where: str


# Pieces a larger room holds more of: house sizes with a furniture_area stretch their count ranges
# with room area (a big living room gets more armchairs and plants, not a second television).
REPEATABLE = frozenset(
    {
        "potted plant",
        "armchair",
        "sofa",
        "bookshelf",
        "chair",
        "floor lamp",
        "trash can",
        "stool",
        "kitchen counter",
        "wardrobe",
    }
)

ROOM_KINDS = ("bedroom", "bathroom", "kitchen", "living room", "dining room", "office", "hallway")

ROOM_PROGRAMS: dict[str, list[Placement]] = {
    "bedroom": [
        Placement("bed", 1.0, (1, 1), "wall"),
        Placement("nightstand", 0.8, (1, 2), "beside:bed"),
        Placement("wardrobe", 0.7, (1, 1), "wall"),
        Placement("dresser", 0.4, (1, 1), "wall"),
        Placement("chair", 0.3, (1, 1), "wall"),
        Placement("tv", 0.2, (1, 1), "wall"),
        Placement("potted plant", 0.3, (1, 1), "corner"),
        Placement("floor lamp", 0.3, (1, 1), "corner"),
        Placement("trash can", 0.2, (1, 1), "corner"),
    ],
    "bathroom": [
        Placement("toilet", 1.0, (1, 1), "wall"),
        Placement("sink", 1.0, (1, 1), "wall"),
        Placement("bathtub", 0.5, (1, 1), "wall"),
        Placement("shower", 0.4, (1, 1), "corner"),
        Placement("washing machine", 0.3, (1, 1), "wall"),
        Placement("trash can", 0.5, (1, 1), "corner"),
        Placement("potted plant", 0.1, (1, 1), "corner"),
    ],
    "kitchen": [
        Placement("refrigerator", 1.0, (1, 1), "wall"),
        Placement("stove", 1.0, (1, 1), "wall"),
        Placement("kitchen counter", 1.0, (1, 2), "wall"),
        Placement("sink", 0.4, (1, 1), "wall"),
        Placement("dining table", 0.3, (1, 1), "free"),
        Placement("stool", 0.4, (1, 2), "facing:kitchen counter"),
        Placement("trash can", 0.6, (1, 1), "corner"),
        Placement("washing machine", 0.2, (1, 1), "wall"),
        Placement("potted plant", 0.2, (1, 1), "corner"),
    ],
    "living room": [
        Placement("sofa", 1.0, (1, 1), "wall"),
        Placement("coffee table", 0.8, (1, 1), "front:sofa"),
        Placement("tv", 0.9, (1, 1), "wall"),
        Placement("armchair", 0.7, (1, 2), "free"),
        Placement("potted plant", 0.7, (1, 2), "corner"),
        Placement("bookshelf", 0.5, (1, 1), "wall"),
        Placement("floor lamp", 0.5, (1, 1), "corner"),
        Placement("fireplace", 0.3, (1, 1), "wall"),
        Placement("piano", 0.2, (1, 1), "wall"),
        Placement("aquarium", 0.2, (1, 1), "wall"),
    ],
    "dining room": [
        Placement("dining table", 1.0, (1, 1), "free"),
        Placement("chair", 1.0, (2, 4), "around:dining table"),
        Placement("potted plant", 0.5, (1, 2), "corner"),
        Placement("dresser", 0.3, (1, 1), "wall"),
        Placement("aquarium", 0.15, (1, 1), "wall"),
        Placement("piano", 0.15, (1, 1), "wall"),
    ],
    "office": [
        Placement("desk", 1.0, (1, 1), "wall"),
        Placement("office chair", 1.0, (1, 1), "facing:desk"),
        Placement("bookshelf", 0.8, (1, 2), "wall"),
        Placement("armchair", 0.3, (1, 1), "free"),
        Placement("potted plant", 0.4, (1, 1), "corner"),
        Placement("trash can", 0.5, (1, 1), "corner"),
        Placement("floor lamp", 0.3, (1, 1), "corner"),
    ],
    "hallway": [
        Placement("potted plant", 0.5, (1, 1), "corner"),
        Placement("bookshelf", 0.2, (1, 1), "wall"),
        Placement("stool", 0.2, (1, 1), "wall"),
        Placement("trash can", 0.1, (1, 1), "corner"),
    ],
}


def build_parts(category: str, size: np.ndarray, color: str) -> list[Part]:
    """The primitives of one object in its local frame."""
    furniture = FURNITURE[category]
    return furniture.build(tuple(float(v) for v in size), COLORS[color])
