"""Room priors: the stored counts match the generator, frequencies are shares, and frontier scores
follow the prior of the room behind each frontier and its distance."""

import json
import math

import numpy as np
import pytest

from filmnav_sim.furniture import ROOM_KINDS
from filmnav_sim.house import CATEGORIES, generate_house
from filmnav_sim.semantics import (
    CHECK_HOUSES,
    PRIOR_FLOOR,
    PRIORS_FILE,
    ROOM_SEARCH_COST,
    RoomCounts,
    category_room_frequencies,
    frontier_rooms,
    room_prior_scores,
    stored_counts,
)
from filmnav_sim.sizes import HOUSE_SIZES


@pytest.fixture(scope="module")
def stored():
    return json.loads(PRIORS_FILE.read_text())


def test_stored_counts_match_a_recount(stored, large_houses):
    """The data file came from the generator as it is now: its first houses recount exactly."""
    assert set(stored) == set(HOUSE_SIZES)
    assert [house.seed for house in large_houses] == list(range(CHECK_HOUSES))
    recounts = {
        "small": RoomCounts.of(generate_house(seed) for seed in range(CHECK_HOUSES)),
        "large": RoomCounts.of(large_houses),
    }
    for houses, recount in recounts.items():
        entry = stored[houses]
        assert entry["check"]["seeds"] == [0, CHECK_HOUSES]
        assert RoomCounts.from_json(entry["check"]) == recount
        total = stored_counts(houses)
        assert entry["seeds"][1] - entry["seeds"][0] >= 200  # a few hundred train houses
        for category in CATEGORIES:
            for kind in ROOM_KINDS:
                assert recount.holding[category][kind] <= total.holding[category][kind]
                assert total.holding[category][kind] <= total.rooms[kind]


def test_frequencies_are_shares_with_the_room_semantics():
    for houses in HOUSE_SIZES:
        frequencies = stored_counts(houses).frequencies()
        assert set(frequencies) == set(CATEGORIES)
        for category, by_kind in frequencies.items():
            assert set(by_kind) == set(ROOM_KINDS)
            assert all(0.0 <= p <= 1.0 for p in by_kind.values())
            assert max(by_kind.values()) > 0, category  # every category stands somewhere
        # A room kind's required pieces (nearly always placed) and pieces it never holds.
        for category, kind in (
            ("bed", "bedroom"),
            ("toilet", "bathroom"),
            ("refrigerator", "kitchen"),
            ("sofa", "living room"),
        ):
            assert frequencies[category][kind] > 0.95
        assert frequencies["bed"]["kitchen"] == frequencies["toilet"]["bedroom"] == 0.0
    computed = category_room_frequencies("small", range(2))
    assert computed == RoomCounts.of(generate_house(seed) for seed in range(2)).frequencies()


def test_base_rate_is_the_share_of_all_rooms():
    counts = stored_counts("large")
    frequencies = counts.frequencies()
    share = sum(frequencies["bed"][k] * counts.rooms[k] for k in ROOM_KINDS) / sum(
        counts.rooms.values()
    )
    assert counts.base_rate("bed") == pytest.approx(share)
    assert 0 < counts.base_rate("bed") < frequencies["bed"]["bedroom"]


def _room(house, kind):
    return next(room for room in house.rooms if room.kind == kind)


def test_scores_prefer_the_room_that_holds_the_goal(large_houses):
    house = large_houses[0]
    bedroom, kitchen, hallway = (_room(house, k) for k in ("bedroom", "kitchen", "hallway"))
    points = np.array([bedroom.center, kitchen.center, hallway.center, (-5.0, -5.0)])
    same = np.full(4, 3.0)
    bed = room_prior_scores(house, ["bed"], points, same)
    assert bed[0] > bed[2] > bed[1] == bed[3]  # bedroom, then a hallway (leads on), then none
    assert bed[1] == pytest.approx(PRIOR_FLOOR / (3.0 + ROOM_SEARCH_COST))
    fridge = room_prior_scores(house, ["refrigerator"], points, same)
    assert int(np.argmax(fridge)) == 1
    # Several goal categories: the best of them; farther is worse; unreachable is -inf.
    either = room_prior_scores(house, ["bed", "refrigerator"], points[:2], [3.0, 3.0])
    assert either.tolist() == pytest.approx([bed[0], fridge[1]])
    far = room_prior_scores(house, ["bed"], points[:1], [10.0])
    assert far[0] < bed[0]
    assert room_prior_scores(house, ["bed"], points[:2], [-1.0, math.inf]).tolist() == [
        -math.inf,
        -math.inf,
    ]
    # A category without counts leaves only the distance.
    unknown = room_prior_scores(house, ["spaceship"], points[:2], [1.0, 2.0])
    assert unknown[0] > unknown[1]


def test_a_frontier_opens_into_the_room_beyond_it(large_houses):
    house = large_houses[0]
    door = next(
        d for d in house.doors if {house.rooms[r].kind for r in d.rooms} & {"bedroom", "bathroom"}
    )
    a, b = door.rooms
    # Across the doorway from room a into room b, and back.
    direction = house.rooms[b].center - house.rooms[a].center
    normal = np.array([1.0, 0.0]) if door.axis == "x" else np.array([0.0, 1.0])
    into_b = normal * np.sign(direction @ normal)
    yaw_b = math.atan2(into_b[1], into_b[0])
    points = np.array([door.center, door.center])
    rooms = frontier_rooms(house, points, np.array([yaw_b, yaw_b + math.pi]))
    assert rooms.tolist() == [b, a]
    # Without a direction: the room at the frontier itself, like House.room_at.
    inside = np.array([house.rooms[a].center, (-3.0, -3.0)])
    assert frontier_rooms(house, inside).tolist() == [a, -1]
    assert house.room_at(inside[0]) is house.rooms[a]
