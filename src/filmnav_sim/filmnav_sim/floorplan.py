"""Corridor floor plans for large houses: a room program laid out along hallways.

The house rectangle is cut into hallways and zones. A zone lies along one side of a hallway and is
filled with slots across it, so that every room opens onto a hallway: "wings" 3-4 m deep hold the
bedrooms, bathrooms and offices, a deeper public block the living room(s), dining room and
kitchen. In a block at least STACK_DEPTH deep the kitchen sits behind the dining room (or living
room) and is entered through it, open plan. Two plans:

- "I": one long corridor, the public block (with some bedrooms or offices) on one side and a wing
  on the other;
- "T": a corridor along the house with a wing on one side, and a branch corridor from it across
  the other side, between the public block and a second wing.

Each plan is mirrored and turned at random. Rooms take their program's target areas, stretched to
fill their zone (by at most MAX_STRETCH), and no narrower than MIN_WIDTH.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from itertools import pairwise

import numpy as np

from .sizes import CorridorLayout, HouseSize

PUBLIC_KINDS = ("living room", "dining room", "kitchen")
MIN_WIDTH = {"bathroom": 1.7}  # narrowest room side per kind ...
DEFAULT_MIN_WIDTH = 2.4  # ... and for the other kinds
MAX_ASPECT = 2.6  # longest over shortest side of a room (hallways excepted)
MAX_STRETCH = 1.3  # a zone scales its rooms' target areas by at most this factor either way
AREA_TOLERANCE = 0.15  # rooms end up within their kind's area range widened by this fraction
STACK_DEPTH = 6.0  # public blocks this deep put the kitchen behind the dining room
MIN_BLOCK_LENGTH = 4.0  # the public block of a T plan runs at least this far along the corridor
I_PLAN_PROBABILITY = 0.4
PLAN_TRIES = 30
SNAP = 0.05  # coordinates are multiples of this (the grid resolution)


@dataclass
class FloorPlan:
    rects: list[tuple[float, float, float, float]]  # xmin, ymin, xmax, ymax per room
    kinds: list[str]  # "hallway" for the corridors
    attached: list[tuple[int, int]]  # (host, room entered through it), e.g. (dining, kitchen)
    size: tuple[float, float]  # the house spans [0, sx] x [0, sy]


@dataclass
class _Zone:
    rect: tuple[float, float, float, float]
    along: str  # "x": slots side by side along x (its hallway runs along x), or "y"
    hallway_low: bool  # the hallway borders the zone's low side (ymin for "x", xmin for "y")


_Room = tuple[str, float]  # kind, target area


def _snap(value: float) -> float:
    return round(round(value / SNAP) * SNAP, 2)


def _area(rooms: list[_Room]) -> float:
    return sum(area for _, area in rooms)


def _min_width(kind: str) -> float:
    return MIN_WIDTH.get(kind, DEFAULT_MIN_WIDTH)


def _slot_widths(
    areas: np.ndarray, minimum: np.ndarray, length: float, depth: float
) -> np.ndarray | None:
    """Widths filling `length`, in proportion to the areas but none below its minimum."""
    fixed = np.zeros(len(areas), dtype=bool)
    while True:
        rest = length - minimum[fixed].sum()
        proportional = areas[~fixed].sum() / depth
        if rest <= 0 or proportional <= 0:
            return None
        widths = np.where(fixed, minimum, areas / depth * rest / proportional)
        too_narrow = ~fixed & (widths < minimum)
        if not too_narrow.any():
            return widths
        fixed |= too_narrow


def _stacked(rooms: list[_Room], depth: float) -> list[list[_Room]]:
    """Slots of one room each, except the kitchen of a deep public block behind its host."""
    groups = [[room] for room in rooms]
    if depth < STACK_DEPTH:
        return groups
    kitchens = [g for g in groups if g[0][0] == "kitchen"]
    hosts = [g for g in groups if g[0][0] == "dining room"] or [
        g for g in groups if g[0][0] == "living room"
    ]
    if kitchens and hosts:
        hosts[0].append(kitchens[0][0])
        groups.remove(kitchens[0])
    return groups


def _fill(rng: np.random.Generator, zone: _Zone, rooms: list[_Room], plan: FloorPlan) -> bool:
    """Slots across the zone in random order, appended to the plan; False if they do not fit."""
    x0, y0, x1, y1 = zone.rect
    lo, hi, d0, d1 = (x0, x1, y0, y1) if zone.along == "x" else (y0, y1, x0, x1)
    depth = d1 - d0
    groups = _stacked(rooms, depth)
    groups = [groups[k] for k in rng.permutation(len(groups))]
    areas = np.array([_area(group) for group in groups])
    minimum = np.array([max(_min_width(kind) for kind, _ in group) for group in groups])
    widths = _slot_widths(areas, minimum, hi - lo, depth)
    if widths is None:
        return False
    cuts = [lo, *(_snap(lo + w) for w in np.cumsum(widths)[:-1]), hi]
    for group, (a, b) in zip(groups, pairwise(cuts), strict=True):
        spans = [(d0, d1)]
        if len(group) == 2:  # the host on the hallway side, the other room behind it
            near = _snap(depth * group[0][1] / _area(group))
            middle = _snap(d0 + near if zone.hallway_low else d1 - near)
            spans = (
                [(d0, middle), (middle, d1)] if zone.hallway_low else [(middle, d1), (d0, middle)]
            )
            plan.attached.append((len(plan.rects), len(plan.rects) + 1))
        for (kind, _), (c, d) in zip(group, spans, strict=True):
            plan.rects.append((a, c, b, d) if zone.along == "x" else (c, a, d, b))
            plan.kinds.append(kind)
    return True


# Zones with their rooms, the hallway rectangles, and the house size.
_Arrangement = tuple[
    list[tuple[_Zone, list[_Room]]], list[tuple[float, float, float, float]], tuple[float, float]
]


def _plan_i(
    rng: np.random.Generator,
    layout: CorridorLayout,
    public: list[_Room],
    private: list[_Room],
    hall: float,
) -> _Arrangement | None:
    """One corridor: the public block and some bedrooms/offices on one side, a wing on the
    other. Returns the zones with their rooms, the hallways and the house size."""
    wing = _snap(rng.uniform(*layout.wing_depth))
    block = _snap(rng.uniform(*layout.public_depth))
    order = [private[k] for k in rng.permutation(len(private))]
    movable = [k for k, room in enumerate(order) if room[0] in ("bedroom", "office")]
    best = None
    for count in range(len(movable) + 1):
        moved = set(movable[:count])
        south = public + [order[k] for k in movable[:count]]
        north = [room for k, room in enumerate(order) if k not in moved]
        if not north:
            break
        south_length, north_length = _area(south) / block, _area(north) / wing
        mismatch = abs(math.log(south_length / north_length)) / 2  # each side stretches half
        if best is None or mismatch < best[0]:
            best = (mismatch, south, north, math.sqrt(south_length * north_length))
    if best is None or best[0] > math.log(MAX_STRETCH):
        return None
    _, south, north, length = best
    width = _snap(length)
    top = _snap(block + hall)
    zones = [
        (_Zone((0.0, 0.0, width, block), "x", hallway_low=False), south),
        (_Zone((0.0, top, width, _snap(top + wing)), "x", hallway_low=True), north),
    ]
    return zones, [(0.0, block, width, top)], (width, _snap(top + wing))


def _plan_t(
    rng: np.random.Generator,
    layout: CorridorLayout,
    public: list[_Room],
    private: list[_Room],
    hall: float,
) -> _Arrangement | None:
    """A corridor along the house with a wing on its south side; north of it, a branch corridor
    between the public block (west) and a second wing (east)."""
    south_depth = _snap(rng.uniform(*layout.wing_depth))
    east_depth = _snap(rng.uniform(*layout.wing_depth))
    order = [private[k] for k in rng.permutation(len(private))]
    public_area = _area(public)
    best = None
    for k in range(1, len(order)):
        south, east = order[:k], order[k:]
        width = _area(south) / south_depth
        block_length = width - hall - east_depth
        if block_length < MIN_BLOCK_LENGTH:
            continue
        block_depth = public_area / block_length
        if not layout.public_depth[0] <= block_depth <= layout.public_depth[1]:
            continue
        mismatch = abs(math.log(block_depth * east_depth / _area(east)))
        if best is None or mismatch < best[0]:
            best = (mismatch, south, east, width, block_depth)
    if best is None or best[0] > math.log(MAX_STRETCH):
        return None
    _, south, east, width, block_depth = best
    width = _snap(width)
    spine_top = _snap(south_depth + hall)
    height = _snap(spine_top + block_depth)
    branch = _snap(width - hall - east_depth)
    branch_end = _snap(branch + hall)
    zones = [
        (_Zone((0.0, 0.0, width, south_depth), "x", hallway_low=False), south),
        (_Zone((0.0, spine_top, branch, height), "x", hallway_low=True), public),
        (_Zone((branch_end, spine_top, width, height), "y", hallway_low=True), east),
    ]
    hallways = [(0.0, south_depth, width, spine_top), (branch, spine_top, branch_end, height)]
    return zones, hallways, (width, height)


def _program(rng: np.random.Generator, layout: CorridorLayout) -> list[_Room]:
    """Rooms of the program with target areas drawn from their kind's range."""
    return [
        (kind, float(rng.uniform(*layout.room_area[kind])))
        for kind, (lo, hi) in layout.program.items()
        for _ in range(int(rng.integers(lo, hi + 1)))
    ]


def _acceptable(plan: FloorPlan, size: HouseSize, layout: CorridorLayout) -> bool:
    """Room count, total area, and every room's width, aspect ratio and area within range."""
    if not size.rooms[0] <= len(plan.rects) <= size.rooms[1]:
        return False
    if size.area is not None and not size.area[0] <= plan.size[0] * plan.size[1] <= size.area[1]:
        return False
    for (x0, y0, x1, y1), kind in zip(plan.rects, plan.kinds, strict=True):
        if kind == "hallway":
            continue
        short, long = sorted((x1 - x0, y1 - y0))
        lo, hi = layout.room_area[kind]
        if (
            short < _min_width(kind) - 1e-6
            or long > MAX_ASPECT * short
            or not lo * (1 - AREA_TOLERANCE) <= short * long <= hi * (1 + AREA_TOLERANCE)
        ):
            return False
    return True


def _turned(rng: np.random.Generator, plan: FloorPlan) -> FloorPlan:
    """The plan mirrored in x and/or y and possibly turned by swapping the axes."""
    width, height = plan.size
    flip_x, flip_y, swap = rng.random(3) < 0.5
    rects = []
    for x0, y0, x1, y1 in plan.rects:
        if flip_x:
            x0, x1 = round(width - x1, 2), round(width - x0, 2)
        if flip_y:
            y0, y1 = round(height - y1, 2), round(height - y0, 2)
        rects.append((y0, x0, y1, x1) if swap else (x0, y0, x1, y1))
    return FloorPlan(rects, plan.kinds, plan.attached, (height, width) if swap else plan.size)


def corridor_plan(rng: np.random.Generator, size: HouseSize) -> FloorPlan | None:
    """A floor plan of the size's corridor layout, or None when PLAN_TRIES draws did not fit."""
    layout = size.layout
    assert isinstance(layout, CorridorLayout)
    for _ in range(PLAN_TRIES):
        rooms = _program(rng, layout)
        public = [room for room in rooms if room[0] in PUBLIC_KINDS]
        private = [room for room in rooms if room[0] not in PUBLIC_KINDS]
        hall = _snap(rng.uniform(*size.hallway_width))
        make = _plan_i if rng.random() < I_PLAN_PROBABILITY else _plan_t
        arrangement = make(rng, layout, public, private, hall)
        if arrangement is None:
            continue
        zones, hallways, house_size = arrangement
        plan = FloorPlan([], [], [], house_size)
        if not all(_fill(rng, zone, zone_rooms, plan) for zone, zone_rooms in zones):
            continue
        plan.rects += hallways
        plan.kinds += ["hallway"] * len(hallways)
        if _acceptable(plan, size, layout):
            return _turned(rng, plan)
    return None
