"""Semantic priors of the procedural houses, the core of the `room_prior` reference policy.

`count_rooms` counts, over a set of houses, the rooms of each kind and how many of them hold at
least one instance of each category; `category_room_frequencies` turns that into
P(category in room | room kind). The counts over the first PRIOR_HOUSES train houses of each size
are stored in `data/room_priors.json` (written by `filmnav sim priors`), so using them needs no
house generation.

`room_prior_scores` scores frontiers by the prior of the room each frontier opens into (the true
room kind, read from the house) and the path distance to it, as in optimal search: with boxes
that hold the target with probability p_i and cost c_i to open, opening them in decreasing order
of p_i / c_i minimises the expected cost of finding it. Here p is the room's prior and the cost is
the path distance plus ROOM_SEARCH_COST, the walk into the room that it takes to see the object.
"""

from __future__ import annotations

import json
import pathlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import cache

import numpy as np

from .furniture import ROOM_KINDS
from .house import CATEGORIES, House, generate_house

PRIORS_FILE = pathlib.Path(__file__).parent / "data" / "room_priors.json"
PRIOR_HOUSES = 300  # train houses (seeds 0..PRIOR_HOUSES-1) per size behind the stored priors
CHECK_HOUSES = 6  # their first houses, stored separately so that a test can recount them exactly
# Metres walked into a room, beyond its frontier, before the goal is seen and reached (about half
# a room). It keeps a frontier next to the agent from winning on distance alone: with c = 2 m, a
# room with twice the prior is worth going 2 m + twice the distance for.
ROOM_SEARCH_COST = 2.0
# The prior of a room kind that never held the goal in the counted houses (and of the outside):
# small and equal for all of them, so that among such frontiers the nearest one wins.
PRIOR_FLOOR = 0.01
LOOKAHEAD = 0.5  # metres from a frontier into the unknown where its room is read


@dataclass(frozen=True)
class RoomCounts:
    """Rooms of each kind, and per category how many rooms of each kind hold it."""

    rooms: dict[str, int]
    holding: dict[str, dict[str, int]]

    def frequencies(self) -> dict[str, dict[str, float]]:
        """P(category in room | room kind) for every category and kind (0 for unseen kinds)."""
        return {
            category: {
                kind: self.holding[category][kind] / self.rooms[kind] if self.rooms[kind] else 0.0
                for kind in ROOM_KINDS
            }
            for category in CATEGORIES
        }

    def base_rate(self, category: str) -> float:
        """P(category in room) for a room of unknown kind: the share of all rooms holding it."""
        total = sum(self.rooms.values())
        return sum(self.holding[category].values()) / total if total else 0.0

    def to_json(self) -> dict:
        return {"rooms": self.rooms, "holding": self.holding}

    @staticmethod
    def of(houses: Iterable[House]) -> RoomCounts:
        """Counts over these houses."""
        rooms = dict.fromkeys(ROOM_KINDS, 0)
        holding = {category: dict.fromkeys(ROOM_KINDS, 0) for category in CATEGORIES}
        for house in houses:
            for room in house.rooms:
                rooms[room.kind] += 1
            for room_id, category in {(o.room_id, o.category) for o in house.objects}:
                holding[category][house.rooms[room_id].kind] += 1
        return RoomCounts(rooms, holding)

    def __add__(self, other: RoomCounts) -> RoomCounts:
        return RoomCounts(
            {kind: self.rooms[kind] + other.rooms[kind] for kind in ROOM_KINDS},
            {
                category: {
                    kind: self.holding[category][kind] + other.holding[category][kind]
                    for kind in ROOM_KINDS
                }
                for category in CATEGORIES
            },
        )

    @staticmethod
    def from_json(data: dict) -> RoomCounts:
        return RoomCounts(
            {kind: int(data["rooms"].get(kind, 0)) for kind in ROOM_KINDS},
            {
                category: {
                    kind: int(data["holding"].get(category, {}).get(kind, 0))
                    for kind in ROOM_KINDS
                }
                for category in CATEGORIES
            },
        )


def count_rooms(houses: str, seeds: Iterable[int]) -> RoomCounts:
    """Counts over the houses of a size built from these seeds."""
    return RoomCounts.of(generate_house(int(seed), houses) for seed in seeds)


def category_room_frequencies(houses: str, seeds: Iterable[int]) -> dict[str, dict[str, float]]:
    """For each category, the share of rooms of each kind that hold it, over these houses:
    P(bed in room | bedroom) = frequencies["bed"]["bedroom"]. For the stored train prior use
    `stored_counts(houses).frequencies()`."""
    return count_rooms(houses, seeds).frequencies()


def write_priors(path: pathlib.Path = PRIORS_FILE, count: int = PRIOR_HOUSES) -> dict:
    """Count the first `count` train houses of every size and write them (with the counts of the
    first CHECK_HOUSES on their own) as JSON; returns what was written."""
    from .episodes import SPLITS
    from .sizes import HOUSE_SIZES

    seeds = SPLITS["train"][:count]
    result = {}
    for houses in HOUSE_SIZES:
        check = count_rooms(houses, seeds[:CHECK_HOUSES])
        total = check + count_rooms(houses, seeds[CHECK_HOUSES:])
        result[houses] = {
            "seeds": [seeds.start, seeds.stop],
            "counts": total.to_json(),
            "check": {"seeds": [seeds.start, seeds.start + CHECK_HOUSES], **check.to_json()},
        }
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(result, indent=1, sort_keys=True) + "\n")
    stored_counts.cache_clear()
    return result


@cache
def stored_counts(houses: str) -> RoomCounts:
    """The stored counts over the train houses of a size."""
    data = json.loads(PRIORS_FILE.read_text())
    if houses not in data:
        raise KeyError(f"no stored room priors for {houses!r} houses; run `filmnav sim priors`")
    return RoomCounts.from_json(data[houses]["counts"])


def room_indices(house: House, points: np.ndarray) -> np.ndarray:
    """Index [N] of the room holding each point (the first, like House.room_at), -1 outside."""
    points = np.asarray(points, dtype=float).reshape(-1, 2)
    if not house.rooms:
        return np.full(len(points), -1)
    bounds = np.array([room.bounds for room in house.rooms])
    inside = (
        (points[:, None, 0] >= bounds[None, :, 0])
        & (points[:, None, 0] <= bounds[None, :, 2])
        & (points[:, None, 1] >= bounds[None, :, 1])
        & (points[:, None, 1] <= bounds[None, :, 3])
    )
    return np.where(inside.any(axis=1), inside.argmax(axis=1), -1)


def frontier_rooms(
    house: House, points: np.ndarray, unknown_yaw: np.ndarray | None = None
) -> np.ndarray:
    """Index [N] of the room each frontier opens into: the room LOOKAHEAD metres from the frontier
    towards the unknown (or at the frontier itself without a direction, or where that probe
    leaves the house); -1 outside every room."""
    points = np.asarray(points, dtype=float).reshape(-1, 2)
    at_frontier = room_indices(house, points)
    if unknown_yaw is None:
        return at_frontier
    yaw = np.asarray(unknown_yaw, dtype=float).reshape(-1)
    probe = points + LOOKAHEAD * np.stack([np.cos(yaw), np.sin(yaw)], axis=1)
    beyond = room_indices(house, probe)
    return np.where(beyond >= 0, beyond, at_frontier)


def room_prior_scores(
    house: House,
    goal_categories: Sequence[str],
    points: np.ndarray,
    distances: np.ndarray,
    unknown_yaw: np.ndarray | None = None,
    counts: RoomCounts | None = None,
    search_cost: float = ROOM_SEARCH_COST,
) -> np.ndarray:
    """Scores [N] of frontiers (higher is better): prior / (distance + search_cost).

    points [N, 2] world (x, y) of the frontiers, distances [N] path distances in metres (negative
    or non-finite: unreachable, scored -inf), unknown_yaw [N] the direction from each frontier
    into the unknown. The prior of a frontier is the largest P(goal category in room | kind) of
    the room it opens into. A hallway leads on to rooms not yet known, so it is worth at least
    the base rate of the goal (its share of rooms of any kind). Outside every room, or for
    categories without counts, the prior is PRIOR_FLOOR. `counts` defaults to the stored train
    counts of the house's size.
    """
    counts = counts or stored_counts(house.houses)
    frequencies = counts.frequencies()
    goals = [category for category in goal_categories if category in frequencies]
    kinds = [room.kind for room in house.rooms]
    room_prior = np.array(
        [
            max(
                [frequencies[c][kind] for c in goals]
                + ([counts.base_rate(c) for c in goals] if kind == "hallway" else [])
                + [0.0]
            )
            for kind in kinds
        ]
        + [0.0]  # index -1: outside every room
    )
    prior = np.maximum(room_prior[frontier_rooms(house, points, unknown_yaw)], PRIOR_FLOOR)
    distances = np.asarray(distances, dtype=float).reshape(-1)
    reachable = np.isfinite(distances) & (distances >= 0)
    return np.where(
        reachable, prior / (np.where(reachable, distances, 0.0) + search_cost), -np.inf
    )
