"""Seeded procedural houses: typed rooms (split from a rectangle with an optional hallway for
`small` houses, laid out along corridors for `large` ones, see `sizes.py`), doors forming a
connected room graph, furniture placed by room semantics, and the navigable grid.

Generation is deterministic per seed and size. Every placement is checked on the grid so that each
room's doors stay connected through the room; the final navigable region is one connected
component.
"""

from __future__ import annotations

import math
from collections.abc import Collection, Sequence
from dataclasses import dataclass, field, replace
from functools import lru_cache

import cv2
import numpy as np
import scipy.ndimage as ndi
from scipy.sparse.csgraph import connected_components, minimum_spanning_tree

from filmnav_common.planar import wrap_angle

from .floorplan import corridor_plan
from .furniture import FURNITURE, REPEATABLE, ROOM_PROGRAMS, Placement
from .navigation import NavGrid, largest_component, navigable_from_free
from .sizes import HOUSE_SIZES, HouseSize, SplitLayout

CATEGORIES: list[str] = list(FURNITURE)
UNSEEN_CATEGORIES: list[str] = [
    "armchair",
    "piano",
    "fireplace",
    "aquarium",
    "stool",
    "washing machine",
    "floor lamp",
    "dresser",
]
SEEN_CATEGORIES: list[str] = [c for c in CATEGORIES if c not in UNSEEN_CATEGORIES]

WALL_HEIGHT = 2.5
DOOR_HEIGHT = 2.1
WALL_THICKNESS = 0.1
MIN_ROOM_SIDE = 2.4
DOOR_WIDTH = (0.9, 1.05)
DOOR_CLEARANCE = 0.75  # furniture keeps this far from a doorway on both sides
PLACEMENT_TRIES = 20
REQUIRED_PLACEMENT_TRIES = 80  # pieces a room kind always has (beds in bedrooms, ...)
AGENT_RADIUS = 0.18
GRID_RESOLUTION = 0.05
GRID_MARGIN = 0.5


@dataclass
class ObjectInstance:
    id: int
    category: str
    room_id: int
    position: np.ndarray  # centre of the bounding box, metres
    size: np.ndarray  # extents along the object's local x (front), y, z
    yaw: float
    color: str

    def footprint(self) -> np.ndarray:
        """Corners [4, 2] of the rotated footprint in the world frame."""
        return _rectangle(self.position[:2], self.size[:2], self.yaw)


@dataclass
class Room:
    id: int
    kind: str
    bounds: tuple[float, float, float, float]  # xmin, ymin, xmax, ymax

    @property
    def center(self) -> np.ndarray:
        xmin, ymin, xmax, ymax = self.bounds
        return np.array([(xmin + xmax) / 2, (ymin + ymax) / 2])

    @property
    def area(self) -> float:
        xmin, ymin, xmax, ymax = self.bounds
        return (xmax - xmin) * (ymax - ymin)


@dataclass
class Door:
    """A gap in the wall on the line x = line (axis "x") or y = line (axis "y")."""

    axis: str
    line: float
    span: tuple[float, float]
    rooms: tuple[int, int]

    @property
    def center(self) -> np.ndarray:
        middle = (self.span[0] + self.span[1]) / 2
        return np.array([self.line, middle]) if self.axis == "x" else np.array([middle, self.line])


@dataclass
class Wall:
    """An axis-aligned wall box; room_id -1 for the outside face of the house."""

    bounds: tuple[float, float, float, float]
    room_id: int


@dataclass
class RoomLook:
    floor_pattern: str  # "tiles", "wood" or "carpet"
    floor_rgb: tuple[float, float, float]
    floor_rgb2: tuple[float, float, float]
    wall_rgb: tuple[float, float, float]


@dataclass
class Lighting:
    """Per-house light: camera headlight brightness, and a tinted directional light from above."""

    ambient: float = 0.45
    sun: float = 0.35
    sun_direction: tuple[float, float, float] = (0.3, 0.2, -1.0)
    tint: tuple[float, float, float] = (1.0, 1.0, 1.0)

    @staticmethod
    def sample(rng: np.random.Generator) -> Lighting:
        """Varied light across houses (warm to cool, dim to bright) for more diverse pictures."""
        warmth = rng.uniform(-1.0, 1.0)
        tint = (1.0 + 0.06 * warmth, 1.0, 1.0 - 0.06 * warmth)
        direction = (rng.uniform(-0.5, 0.5), rng.uniform(-0.5, 0.5), -1.0)
        return Lighting(rng.uniform(0.38, 0.5), rng.uniform(0.25, 0.45), direction, tint)


@dataclass
class House:
    seed: int
    rooms: list[Room]
    objects: list[ObjectInstance]
    nav: NavGrid
    doors: list[Door] = field(default_factory=list)
    walls: list[Wall] = field(default_factory=list)
    looks: dict[int, RoomLook] = field(default_factory=dict)
    size: tuple[float, float] = (0.0, 0.0)  # the house spans [0, sx] x [0, sy]
    lighting: Lighting = field(default_factory=Lighting)
    houses: str = "small"  # the HOUSE_SIZES entry it was built as

    def object_by_id(self, instance_id: int) -> ObjectInstance:
        """The object of an instance id (1..len(objects)); IndexError for any other id, which
        would otherwise wrap around to another object."""
        if not 1 <= instance_id <= len(self.objects):
            raise IndexError(f"no object {instance_id} in the house (ids 1-{len(self.objects)})")
        return self.objects[instance_id - 1]

    def objects_of(self, category: str) -> list[ObjectInstance]:
        return [obj for obj in self.objects if obj.category == category]

    def categories_present(self) -> list[str]:
        return sorted({obj.category for obj in self.objects})

    def room_at(self, xy) -> Room | None:
        x, y = float(xy[0]), float(xy[1])
        for room in self.rooms:
            xmin, ymin, xmax, ymax = room.bounds
            if xmin <= x <= xmax and ymin <= y <= ymax:
                return room
        return None


LOOKS: dict[str, list[RoomLook]] = {
    "bedroom": [
        RoomLook("carpet", (0.62, 0.52, 0.55), (0.55, 0.45, 0.5), (0.85, 0.8, 0.88)),
        RoomLook("carpet", (0.45, 0.55, 0.65), (0.4, 0.48, 0.6), (0.8, 0.86, 0.92)),
        RoomLook("wood", (0.62, 0.45, 0.3), (0.55, 0.38, 0.24), (0.9, 0.88, 0.8)),
    ],
    "bathroom": [
        RoomLook("tiles", (0.92, 0.93, 0.95), (0.7, 0.8, 0.88), (0.75, 0.88, 0.9)),
        RoomLook("tiles", (0.85, 0.85, 0.85), (0.35, 0.38, 0.42), (0.93, 0.93, 0.93)),
    ],
    "kitchen": [
        RoomLook("tiles", (0.88, 0.88, 0.85), (0.2, 0.2, 0.22), (0.95, 0.92, 0.78)),
        RoomLook("tiles", (0.8, 0.62, 0.45), (0.7, 0.52, 0.38), (0.88, 0.93, 0.85)),
    ],
    "living room": [
        RoomLook("wood", (0.55, 0.36, 0.2), (0.48, 0.3, 0.16), (0.93, 0.9, 0.82)),
        RoomLook("wood", (0.72, 0.6, 0.44), (0.64, 0.52, 0.38), (0.8, 0.85, 0.78)),
    ],
    "dining room": [
        RoomLook("wood", (0.4, 0.26, 0.16), (0.34, 0.21, 0.12), (0.9, 0.82, 0.75)),
        RoomLook("tiles", (0.78, 0.72, 0.62), (0.7, 0.64, 0.55), (0.85, 0.78, 0.9)),
    ],
    "office": [
        RoomLook("carpet", (0.35, 0.38, 0.42), (0.3, 0.33, 0.37), (0.86, 0.86, 0.8)),
        RoomLook("wood", (0.66, 0.5, 0.34), (0.6, 0.44, 0.29), (0.78, 0.84, 0.9)),
    ],
    "hallway": [
        RoomLook("tiles", (0.6, 0.55, 0.5), (0.52, 0.48, 0.44), (0.95, 0.95, 0.92)),
        RoomLook("wood", (0.5, 0.34, 0.22), (0.44, 0.29, 0.18), (0.9, 0.9, 0.9)),
    ],
}
EXTERIOR_RGB = (0.7, 0.7, 0.68)


def _rectangle(center, extents, yaw: float) -> np.ndarray:
    half = np.asarray(extents, dtype=float)[:2] / 2
    corners = np.array([[1, 1], [-1, 1], [-1, -1], [1, -1]]) * half
    c, s = math.cos(yaw), math.sin(yaw)
    return corners @ np.array([[c, s], [-s, c]]) + np.asarray(center, dtype=float)[:2]


class _Grid:
    """Rasterises world shapes onto the house's grid."""

    def __init__(self, size: tuple[float, float], resolution: float):
        self.resolution = resolution
        self.origin = (-GRID_MARGIN, -GRID_MARGIN)
        self.shape = (
            int(math.ceil((size[1] + 2 * GRID_MARGIN) / resolution)),
            int(math.ceil((size[0] + 2 * GRID_MARGIN) / resolution)),
        )

    def box_slices(self, bounds) -> tuple[slice, slice]:
        """Cells touched by an axis-aligned box."""
        xmin, ymin, xmax, ymax = bounds
        c0 = int(math.floor((xmin - self.origin[0]) / self.resolution + 1e-6))
        c1 = int(math.ceil((xmax - self.origin[0]) / self.resolution - 1e-6))
        r0 = int(math.floor((ymin - self.origin[1]) / self.resolution + 1e-6))
        r1 = int(math.ceil((ymax - self.origin[1]) / self.resolution - 1e-6))
        return slice(max(r0, 0), max(r1, 0)), slice(max(c0, 0), max(c1, 0))

    def polygon_window(self, corners: np.ndarray) -> tuple[slice, slice, np.ndarray]:
        """Cells covered by a polygon, as a mask over its bounding window (one spare cell
        around)."""
        cells = (corners - np.array(self.origin)) / self.resolution - 0.5
        low = np.maximum(np.floor(cells.min(axis=0)).astype(int) - 1, 0)
        high = np.ceil(cells.max(axis=0)).astype(int) + 2
        rows, cols = slice(low[1], high[1]), slice(low[0], high[0])
        mask = np.zeros((high[1] - low[1], high[0] - low[0]), dtype=np.uint8)
        shift = 4
        local = np.round((cells - low) * (1 << shift)).astype(np.int32)
        cv2.fillPoly(mask, [local], 1, cv2.LINE_8, shift)
        return rows, cols, mask.astype(bool)

    def cell(self, xy) -> tuple[int, int]:
        return (
            int(math.floor((xy[1] - self.origin[1]) / self.resolution)),
            int(math.floor((xy[0] - self.origin[0]) / self.resolution)),
        )


# ---- layout -------------------------------------------------------------------------------------
def _split_layout(
    rng: np.random.Generator, n_rooms: int, size: HouseSize
) -> tuple[list[tuple], int | None, tuple]:
    """Room rectangles tiling the house, and the index of the hallway strip (or None)."""
    layout = size.layout
    assert isinstance(layout, SplitLayout)
    narrowest_hall = size.hallway_width[0]
    area = n_rooms * rng.uniform(*layout.room_area)
    aspect = rng.uniform(1.0, 1.5)
    width = round(math.sqrt(area * aspect) / 0.05) * 0.05
    height = round(area / width / 0.05) * 0.05
    height = max(height, 2 * MIN_ROOM_SIDE + narrowest_hall if n_rooms >= 5 else MIN_ROOM_SIDE)
    leaves: list[tuple] = [(0.0, 0.0, width, height)]
    hall: tuple | None = None
    hall_w = 0.0
    if n_rooms >= 5 and rng.random() < layout.hallway_probability:
        # No wider than leaves a room side on each side of it; no hallway where the narrowest
        # does not fit.
        room_for_hall = math.floor((min(width, height) - 2 * MIN_ROOM_SIDE) * 100) / 100
        hall_w = min(round(rng.uniform(*size.hallway_width), 2), room_for_hall)
    if hall_w >= narrowest_hall:
        if width >= height:
            y0 = round(
                rng.uniform(MIN_ROOM_SIDE, max(MIN_ROOM_SIDE, height - MIN_ROOM_SIDE - hall_w)), 2
            )
            hall = (0.0, y0, width, y0 + hall_w)
            leaves = [(0.0, 0.0, width, y0), (0.0, y0 + hall_w, width, height)]
        else:
            x0 = round(
                rng.uniform(MIN_ROOM_SIDE, max(MIN_ROOM_SIDE, width - MIN_ROOM_SIDE - hall_w)), 2
            )
            hall = (x0, 0.0, x0 + hall_w, height)
            leaves = [(0.0, 0.0, x0, height), (x0 + hall_w, 0.0, width, height)]
    target = n_rooms - (1 if hall else 0)
    while len(leaves) < target:
        splittable = [
            k
            for k, (x0, y0, x1, y1) in enumerate(leaves)
            if max(x1 - x0, y1 - y0) >= 2 * MIN_ROOM_SIDE
        ]
        if not splittable:
            break
        k = max(
            splittable, key=lambda i: (leaves[i][2] - leaves[i][0]) * (leaves[i][3] - leaves[i][1])
        )
        x0, y0, x1, y1 = leaves.pop(k)
        along_x = (x1 - x0) >= (y1 - y0)
        lo, hi = (x0, x1) if along_x else (y0, y1)
        cut = round(
            np.clip(
                rng.uniform(lo + 0.35 * (hi - lo), lo + 0.65 * (hi - lo)),
                lo + MIN_ROOM_SIDE,
                hi - MIN_ROOM_SIDE,
            ),
            2,
        )
        if along_x:
            leaves += [(x0, y0, cut, y1), (cut, y0, x1, y1)]
        else:
            leaves += [(x0, y0, x1, cut), (x0, cut, x1, y1)]
    hall_index = None
    if hall:
        leaves.append(hall)
        hall_index = len(leaves) - 1
    return leaves, hall_index, (width, height)


def _shared_wall(a: tuple, b: tuple) -> tuple[str, float, float, float] | None:
    """(axis, line, lo, hi) of the wall two rectangles share, if any."""
    eps = 1e-6
    for axis, (a_hi, b_lo, a_lo, b_hi) in (
        ("x", (a[2], b[0], a[0], b[2])),
        ("y", (a[3], b[1], a[1], b[3])),
    ):
        for line in (
            a_hi if abs(a_hi - b_lo) < eps else None,
            a_lo if abs(a_lo - b_hi) < eps else None,
        ):
            if line is None:
                continue
            lo_idx, hi_idx = (1, 3) if axis == "x" else (0, 2)
            lo, hi = max(a[lo_idx], b[lo_idx]), min(a[hi_idx], b[hi_idx])
            if hi - lo > 0:
                return axis, line, lo, hi
    return None


def _place_doors(
    rng: np.random.Generator,
    leaves: list[tuple],
    halls: Collection[int],
    extra_probability: float,
    attached: Collection[tuple[int, int]] = (),
) -> list[Door] | None:
    """Doors along a random spanning tree of the room adjacency graph (edges to hallways and the
    `attached` pairs preferred) plus a few extra doors for loops, and an opening over the whole
    wall where two hallways meet; None when the rooms cannot all be connected."""
    n = len(leaves)
    margin = 0.25
    preferred = {frozenset(pair) for pair in attached}
    walls: dict[tuple[int, int], tuple] = {}
    openings: list[Door] = []
    weights = np.zeros((n, n))
    for i in range(n):
        for j in range(i + 1, n):
            shared = _shared_wall(leaves[i], leaves[j])
            if shared and i in halls and j in halls:
                axis, line, lo, hi = shared
                openings.append(Door(axis, line, (round(lo, 3), round(hi, 3)), (i, j)))
                weights[i, j] = weights[j, i] = 1e-3  # always in the tree
            elif shared and shared[3] - shared[2] >= DOOR_WIDTH[1] + 2 * margin:
                walls[(i, j)] = shared
                favoured = i in halls or j in halls or frozenset((i, j)) in preferred
                weight = rng.uniform(1.0, 2.0) * (0.3 if favoured else 1.0)
                weights[i, j] = weights[j, i] = weight
    if connected_components(weights > 0, directed=False)[0] != 1:
        return None
    tree = minimum_spanning_tree(weights).toarray() > 0
    edges = [
        (i, j) for (i, j) in walls if tree[i, j] or tree[j, i] or rng.random() < extra_probability
    ]
    doors = []
    for i, j in edges:
        axis, line, lo, hi = walls[(i, j)]
        width = rng.uniform(*DOOR_WIDTH)
        start = rng.uniform(lo + margin, hi - margin - width)
        doors.append(Door(axis, line, (round(start, 3), round(start + width, 3)), (i, j)))
    return doors + openings


def _assign_kinds(
    rng: np.random.Generator, leaves: list[tuple], hall_index: int | None
) -> list[str]:
    areas = [(x1 - x0) * (y1 - y0) for x0, y0, x1, y1 in leaves]
    order = [k for k in np.argsort(areas)[::-1] if k != hall_index]  # largest first
    kinds = [""] * len(leaves)
    if hall_index is not None:
        kinds[hall_index] = "hallway"
    kinds[order[0]] = "living room"
    kinds[order[-1]] = "bathroom"
    middle = order[1:-1]
    essentials = ["bedroom", "kitchen", "bedroom", "dining room", "office"]
    extras = ["bedroom", "bedroom", "office", "bathroom", "dining room"]
    for rank, k in enumerate(rng.permutation(middle)):
        kinds[k] = (
            essentials[rank] if rank < len(essentials) else extras[int(rng.integers(len(extras)))]
        )
    if len(order) == 2:  # a two-room flat still gets somewhere to sleep
        kinds[order[0]] = "bedroom"
    return kinds


def _walls(rooms: list[Room], doors: list[Door], size: tuple[float, float]) -> list[Wall]:
    """Each room's half of every wall, cut at doors; then the outside half of the exterior walls,
    one box per side of the house (exterior walls have no doors)."""
    half = WALL_THICKNESS / 2
    walls: list[Wall] = []
    for room in rooms:
        xmin, ymin, xmax, ymax = room.bounds
        sides = (
            ("x", xmin, ymin, ymax, +1),
            ("x", xmax, ymin, ymax, -1),
            ("y", ymin, xmin, xmax, +1),
            ("y", ymax, xmin, xmax, -1),
        )
        for axis, line, lo, hi, inward in sides:
            gaps = sorted(
                d.span
                for d in doors
                if d.axis == axis
                and abs(d.line - line) < 1e-6
                and d.span[1] > lo
                and d.span[0] < hi
            )
            pieces, cursor = [], lo
            for g0, g1 in gaps:
                pieces.append((cursor, g0))
                cursor = g1
            pieces.append((cursor, hi))
            for p0, p1 in pieces:
                if p1 - p0 < 1e-3:
                    continue
                c0, c1 = sorted((line, line + inward * half))
                walls.append(Wall((c0, p0, c1, p1) if axis == "x" else (p0, c0, p1, c1), room.id))
    width, depth = size
    for bounds in (
        (-half, 0.0, 0.0, depth),
        (width, 0.0, width + half, depth),
        (0.0, -half, width, 0.0),
        (0.0, depth, width, depth + half),
    ):
        walls.append(Wall(bounds, -1))
    return walls


# ---- furniture ----------------------------------------------------------------------------------
class _Placer:
    """Places furniture room by room, rejecting poses that overlap or cut a room's doors off."""

    def __init__(
        self,
        rng,
        grid: _Grid,
        rooms: list[Room],
        doors: list[Door],
        walls: list[Wall],
        size: tuple[float, float],
    ):
        self.rng, self.grid, self.rooms, self.doors = rng, grid, rooms, doors
        self.structure = np.ones(grid.shape, dtype=bool)  # walls and the outside
        rs, cs = grid.box_slices((0.0, 0.0, size[0], size[1]))
        self.structure[rs, cs] = False
        for wall in walls:
            rs, cs = grid.box_slices(wall.bounds)
            self.structure[rs, cs] = True
        self.furniture = np.zeros(grid.shape, dtype=bool)
        self.door_zones = np.zeros(grid.shape, dtype=bool)
        for door in doors:
            lo, hi = door.span
            if door.axis == "x":
                box = (door.line - DOOR_CLEARANCE, lo - 0.1, door.line + DOOR_CLEARANCE, hi + 0.1)
            else:
                box = (lo - 0.1, door.line - DOOR_CLEARANCE, hi + 0.1, door.line + DOOR_CLEARANCE)
            rs, cs = grid.box_slices(box)
            self.door_zones[rs, cs] = True
        self.objects: list[ObjectInstance] = []

    def _door_anchors(self, room: Room) -> list[tuple[int, int]]:
        return [self.grid.cell(d.center) for d in self.doors if room.id in d.rooms]

    def _keeps_room_connected(self, room: Room, footprint: np.ndarray) -> bool:
        """Doors of the room stay mutually reachable and the room keeps some floor to stand on."""
        rs, cs = self.grid.box_slices(
            tuple(np.array(room.bounds) + np.array([-0.6, -0.6, 0.6, 0.6]))
        )
        blocked = self.structure[rs, cs] | self.furniture[rs, cs] | footprint[rs, cs]
        navigable = navigable_from_free(~blocked, self.grid.resolution, AGENT_RADIUS)
        labels, _ = ndi.label(navigable, structure=np.ones((3, 3), bool))
        anchors = [(r - rs.start, c - cs.start) for r, c in self._door_anchors(room)]
        anchor_labels = {int(labels[r, c]) for r, c in anchors}
        if 0 in anchor_labels or len(anchor_labels) != 1:
            return False
        inner_rs, inner_cs = self.grid.box_slices(room.bounds)
        inner = labels[
            inner_rs.start - rs.start : inner_rs.stop - rs.start,
            inner_cs.start - cs.start : inner_cs.stop - cs.start,
        ]
        floor_left = np.count_nonzero(inner == anchor_labels.pop()) * self.grid.resolution**2
        return floor_left >= min(2.0, 0.3 * room.area)

    def _candidate_pose(self, room: Room, placement: Placement, size: np.ndarray):
        """(centre xy, yaw) for one try, or None if the placement's anchor piece is missing."""
        rng = self.rng
        xmin, ymin, xmax, ymax = room.bounds
        inset = WALL_THICKNESS / 2 + 0.02
        sx, sy = float(size[0]), float(size[1])
        where = placement.where
        if where in ("wall", "corner"):
            side = int(rng.integers(4))
            yaw = (0.0, math.pi, math.pi / 2, -math.pi / 2)[side]
            lo, hi = (ymin, ymax) if side < 2 else (xmin, xmax)
            lo, hi = lo + inset + sy / 2, hi - inset - sy / 2
            if hi < lo:
                return None
            along = (
                (lo if rng.random() < 0.5 else hi) if where == "corner" else rng.uniform(lo, hi)
            )
            offset = inset + sx / 2
            if side == 0:
                return np.array([xmin + offset, along]), yaw
            if side == 1:
                return np.array([xmax - offset, along]), yaw
            if side == 2:
                return np.array([along, ymin + offset]), yaw
            return np.array([along, ymax - offset]), yaw
        if where == "free":
            reach = max(sx, sy) / 2 + 0.5
            if xmax - xmin < 2 * reach or ymax - ymin < 2 * reach:
                return None
            center = np.array(
                [rng.uniform(xmin + reach, xmax - reach), rng.uniform(ymin + reach, ymax - reach)]
            )
            return center, int(rng.integers(4)) * math.pi / 2 + rng.uniform(-0.25, 0.25)
        relation, anchor_category = where.split(":")
        anchors = [
            o for o in self.objects if o.room_id == room.id and o.category == anchor_category
        ]
        if not anchors:
            return None
        anchor = anchors[int(rng.integers(len(anchors)))]
        ax, ay = float(anchor.size[0]), float(anchor.size[1])
        if relation == "front":
            local, yaw_offset = np.array([ax / 2 + 0.35 + sx / 2, 0.0]), 0.0
        elif relation == "facing":
            local, yaw_offset = (
                np.array([ax / 2 + 0.12 + sx / 2, rng.uniform(-0.2, 0.2) * ay]),
                math.pi,
            )
        elif relation == "beside":
            sign = 1.0 if rng.random() < 0.5 else -1.0
            local, yaw_offset = np.array([-ax / 2 + sx / 2, sign * (ay / 2 + sy / 2 + 0.1)]), 0.0
        else:  # around: on one of the four sides, facing the anchor
            direction = np.array(
                [(1, 0), (-1, 0), (0, 1), (0, -1)][int(rng.integers(4))], dtype=float
            )
            extent = ax / 2 if direction[0] else ay / 2
            side_length = ay if direction[0] else ax
            perpendicular = np.array([-direction[1], direction[0]])
            local = (
                direction * (extent + 0.12 + sx / 2)
                + perpendicular * rng.uniform(-0.25, 0.25) * side_length
            )
            yaw_offset = math.atan2(direction[1], direction[0]) + math.pi
        c, s = math.cos(anchor.yaw), math.sin(anchor.yaw)
        return anchor.position[:2] + np.array([[c, -s], [s, c]]) @ local, anchor.yaw + yaw_offset

    def place(self, room: Room, placement: Placement) -> None:
        rng = self.rng
        furniture = FURNITURE[placement.category]
        tries = REQUIRED_PLACEMENT_TRIES if placement.probability >= 1.0 else PLACEMENT_TRIES
        for _ in range(tries):
            size = rng.uniform(furniture.size_min, furniture.size_max)
            color = furniture.colors[int(rng.integers(len(furniture.colors)))]
            pose = self._candidate_pose(room, placement, size)
            if pose is None:
                return
            center, yaw = pose
            yaw = wrap_angle(yaw)
            corners = _rectangle(center, size[:2], yaw)
            xmin, ymin, xmax, ymax = room.bounds
            if (
                corners[:, 0].min() < xmin
                or corners[:, 0].max() > xmax
                or corners[:, 1].min() < ymin
                or corners[:, 1].max() > ymax
            ):
                continue
            rows, cols, window = self.grid.polygon_window(corners)
            # Keep a one-cell gap to other pieces and out of doorways; walls may be touched.
            if np.any(
                ndi.binary_dilation(window)
                & (self.furniture[rows, cols] | self.door_zones[rows, cols])
            ):
                continue
            footprint = np.zeros(self.grid.shape, dtype=bool)
            footprint[rows, cols] = window
            if not self._keeps_room_connected(room, footprint):
                continue
            self.furniture |= footprint
            self.objects.append(
                ObjectInstance(
                    id=len(self.objects) + 1,
                    category=placement.category,
                    room_id=room.id,
                    position=np.array([center[0], center[1], size[2] / 2]),
                    size=size,
                    yaw=float(yaw),
                    color=color,
                )
            )
            return


def house_size(
    houses: str = "small", min_rooms: int | None = None, max_rooms: int | None = None
) -> HouseSize:
    """The HOUSE_SIZES entry, with its room count range narrowed or widened if asked."""
    if houses not in HOUSE_SIZES:
        raise ValueError(f"unknown house size {houses!r}; expected one of {sorted(HOUSE_SIZES)}")
    size = HOUSE_SIZES[houses]
    rooms = (
        size.rooms[0] if min_rooms is None else min_rooms,
        size.rooms[1] if max_rooms is None else max_rooms,
    )
    return replace(size, rooms=rooms)


def _layout(
    rng: np.random.Generator, size: HouseSize
) -> tuple[list[tuple], list[str], tuple[float, float], list[Door]] | None:
    """Room rectangles, their kinds, the house size and the doors; None if they do not connect."""
    if isinstance(size.layout, SplitLayout):
        n_rooms = int(rng.integers(size.rooms[0], size.rooms[1] + 1))
        leaves, hall_index, dims = _split_layout(rng, n_rooms, size)
        halls = [] if hall_index is None else [hall_index]
        doors = _place_doors(rng, leaves, halls, size.extra_door_probability)
        if doors is None:
            return None
        return leaves, _assign_kinds(rng, leaves, hall_index), dims, doors
    plan = corridor_plan(rng, size)
    if plan is None:
        return None
    halls = [k for k, kind in enumerate(plan.kinds) if kind == "hallway"]
    doors = _place_doors(rng, plan.rects, halls, size.extra_door_probability, plan.attached)
    return None if doors is None else (plan.rects, plan.kinds, plan.size, doors)


def _furnish(
    rng: np.random.Generator, placer: _Placer, rooms: list[Room], furniture_area: float | None
) -> None:
    """Each room's program; a room larger than furniture_area stretches the count ranges of the
    repeatable pieces in proportion."""
    for room in rooms:
        stretch = 1.0 if furniture_area is None else max(1.0, room.area / furniture_area)
        for placement in ROOM_PROGRAMS[room.kind]:
            if rng.random() < placement.probability:
                lo, hi = placement.count
                if placement.category in REPEATABLE:
                    hi = lo + round((hi - lo + 1) * stretch) - 1
                for _ in range(int(rng.integers(lo, hi + 1))):
                    placer.place(room, placement)


def generate_house(
    seed: int,
    houses: str = "small",
    min_rooms: int | None = None,
    max_rooms: int | None = None,
    resolution: float = GRID_RESOLUTION,
    agent_radius: float = AGENT_RADIUS,
) -> House:
    """A connected furnished house of the named size (HOUSE_SIZES), the same for the same
    arguments. min_rooms/max_rooms override the size's room count range."""
    size = house_size(houses, min_rooms, max_rooms)
    for attempt in range(50):
        rng = np.random.default_rng([seed, attempt])
        layout = _layout(rng, size)
        if layout is None:
            continue
        leaves, kinds, dims, doors = layout
        rooms = [
            Room(k, kinds[k], tuple(round(v, 3) for v in leaf)) for k, leaf in enumerate(leaves)
        ]
        looks = {
            room.id: LOOKS[room.kind][int(rng.integers(len(LOOKS[room.kind])))] for room in rooms
        }
        walls = _walls(rooms, doors, dims)
        grid = _Grid(dims, resolution)
        placer = _Placer(rng, grid, rooms, doors, walls, dims)
        _furnish(rng, placer, rooms, size.furniture_area)
        navigable = largest_component(
            navigable_from_free(~(placer.structure | placer.furniture), resolution, agent_radius)
        )
        if not all(navigable[grid.cell(d.center)] for d in doors):
            continue
        nav = NavGrid(navigable, resolution, grid.origin)
        return House(
            seed,
            rooms,
            placer.objects,
            nav,
            doors,
            walls,
            looks,
            dims,
            Lighting.sample(rng),
            houses,
        )
    raise RuntimeError(f"could not generate a connected {houses} house for seed {seed}")


def cached_house(
    seed: int,
    houses: str = "small",
    min_rooms: int | None = None,
    max_rooms: int | None = None,
    resolution: float = GRID_RESOLUTION,
    agent_radius: float = AGENT_RADIUS,
) -> House:
    """generate_house with a small per-process cache (houses are immutable once built)."""
    return _cached_house(
        int(seed), houses, min_rooms, max_rooms, float(resolution), float(agent_radius)
    )


@lru_cache(maxsize=8)
def _cached_house(
    seed: int,
    houses: str,
    min_rooms: int | None,
    max_rooms: int | None,
    resolution: float,
    agent_radius: float,
) -> House:
    return generate_house(seed, houses, min_rooms, max_rooms, resolution, agent_radius)


def showroom_house(
    categories: Sequence[str] = tuple(CATEGORIES), per_row: int = 7, spacing: float = 3.2
) -> House:
    """One open room with a mid-sized piece of each category in rows, fronts facing -y (seed -1).

    For catalogue pictures and for checking that every category builds and renders."""
    rows = math.ceil(len(categories) / per_row)
    size = (per_row * spacing, rows * spacing + 2.5)
    room = Room(0, "living room", (0.0, 0.0, size[0], size[1]))
    walls = _walls([room], [], size)
    grid = _Grid(size, GRID_RESOLUTION)
    occupied = np.zeros(grid.shape, dtype=bool)
    for wall in walls:
        occupied[grid.box_slices(wall.bounds)] = True
    objects = []
    for index, category in enumerate(categories):
        furniture = FURNITURE[category]
        extents = (np.array(furniture.size_min) + np.array(furniture.size_max)) / 2
        row, column = divmod(index, per_row)
        centre = np.array([(column + 0.5) * spacing, size[1] - (row + 0.5) * spacing])
        objects.append(
            ObjectInstance(
                index + 1,
                category,
                0,
                np.array([*centre, extents[2] / 2]),
                extents,
                -math.pi / 2,
                furniture.colors[0],
            )
        )
        rs, cs, window = grid.polygon_window(objects[-1].footprint())
        occupied[rs, cs] |= window
    navigable = largest_component(navigable_from_free(~occupied, GRID_RESOLUTION, AGENT_RADIUS))
    return House(
        -1,
        [room],
        objects,
        NavGrid(navigable, GRID_RESOLUTION, grid.origin),
        [],
        walls,
        {0: LOOKS["living room"][0]},
        size,
    )
