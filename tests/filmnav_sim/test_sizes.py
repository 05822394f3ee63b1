"""House sizes: large houses meet their ranges, connect, keep the room semantics; episodes and the
environment follow the episode's size; `filmnav sim stats`."""

import json

import numpy as np
import pytest
import scipy.ndimage as ndi

from filmnav_sim.cli import main
from filmnav_sim.env import SimEnv
from filmnav_sim.episodes import make_episode, straight_start_filter
from filmnav_sim.floorplan import AREA_TOLERANCE
from filmnav_sim.house import generate_house, house_size
from filmnav_sim.sizes import HOUSE_SIZES

LARGE = HOUSE_SIZES["large"]
# Where each kind may stand: the co-occurrence a learned policy can exploit.
ONLY_IN = {"bed": "bedroom", "toilet": "bathroom", "sofa": "living room", "stove": "kitchen"}


def test_large_houses_meet_their_ranges(large_houses):
    room_area = LARGE.layout.room_area
    for house in large_houses:
        assert house.houses == "large"
        assert LARGE.rooms[0] <= len(house.rooms) <= LARGE.rooms[1]
        assert LARGE.area[0] <= house.size[0] * house.size[1] <= LARGE.area[1]
        assert sum(room.area for room in house.rooms) == pytest.approx(
            house.size[0] * house.size[1]
        )
        kinds = [room.kind for room in house.rooms]
        assert kinds.count("hallway") >= 1
        assert kinds.count("bedroom") >= 3 and kinds.count("bathroom") >= 2
        for room in house.rooms:
            if room.kind != "hallway":
                lo, hi = room_area[room.kind]
                assert lo * (1 - AREA_TOLERANCE) <= room.area <= hi * (1 + AREA_TOLERANCE)
    small = [generate_house(seed) for seed in range(3)]
    assert np.mean([len(h.objects) for h in large_houses]) > 1.5 * np.mean(
        [len(h.objects) for h in small]
    )


def test_large_houses_are_connected_and_furnished_by_room_semantics(large_houses):
    for house in large_houses:
        _, components = ndi.label(house.nav.navigable, structure=np.ones((3, 3), bool))
        assert components == 1
        assert all(house.nav.is_navigable(door.center) for door in house.doors)
        for room in house.rooms:  # every room has floor to stand on
            xmin, ymin, xmax, ymax = room.bounds
            (r0, c0), (r1, c1) = (
                house.nav.world_to_cell((xmin, ymin)),
                house.nav.world_to_cell((xmax, ymax)),
            )
            assert house.nav.navigable[r0:r1, c0:c1].sum() * house.nav.resolution**2 > 1.0
        for obj in house.objects:
            kind = house.rooms[obj.room_id].kind
            assert ONLY_IN.get(obj.category, kind) == kind
            assert house.room_at(obj.position) is house.rooms[obj.room_id]
        for room in house.rooms:
            present = {o.category for o in house.objects if o.room_id == room.id}
            if room.kind == "bedroom":
                assert "bed" in present
            if room.kind == "bathroom":
                assert "toilet" in present


def test_large_generation_is_deterministic(large_houses):
    again = generate_house(0, "large")
    first = large_houses[0]
    assert [(r.kind, r.bounds) for r in again.rooms] == [(r.kind, r.bounds) for r in first.rooms]
    assert [(o.category, o.yaw) for o in again.objects] == [
        (o.category, o.yaw) for o in first.objects
    ]
    assert np.array_equal(again.nav.navigable, first.nav.navigable)


def test_house_size_overrides_and_names():
    assert house_size("small", max_rooms=4).rooms == (3, 4)
    assert house_size("large").rooms == LARGE.rooms
    with pytest.raises(ValueError, match="unknown house size"):
        house_size("huge")
    assert 3 <= len(generate_house(3, max_rooms=4).rooms) <= 4


def test_straight_start_filter_follows_habitat():
    rng = np.random.default_rng(0)
    euclidean = np.full(20000, 5.0)
    assert straight_start_filter(euclidean * 1.2, euclidean, 1.1, rng).all()
    straight = straight_start_filter(euclidean.copy(), euclidean, 1.1, rng).mean()
    assert straight == pytest.approx(20 * 0.02**2, abs=0.004)  # kept with probability 0.008


def test_large_episode_and_environment_follow_the_size(large_houses, small_config):
    house = large_houses[1]
    episode = make_episode("train", 1, 0, "object", small_config, house=house, houses="large")
    assert episode.houses == "large" and episode.geodesic_distance >= 1.0
    with pytest.raises(ValueError, match="'large'"):
        make_episode("train", 1, 0, "object", small_config, house=house)
    env = SimEnv(small_config)
    try:
        env.load_episode(episode)
        assert env.house.houses == "large" and env.house.size == house.size
        assert env.distance_to_goal() == pytest.approx(episode.geodesic_distance, abs=0.3)
        small_episode = make_episode("train", 1, 0, "object", small_config)
        env.load_episode(small_episode)  # same seed, other size: a different house
        assert env.house.houses == "small" and env.house.size != house.size
    finally:
        env.close()


def test_sim_stats_reports_the_size_distribution(tmp_path, capsys):
    out = tmp_path / "stats.json"
    assert main(["stats", "--houses", "large", "--count", "1", "--out", str(out)]) == 0
    result = json.loads(out.read_text())
    assert result["houses"] == "large" and result["seeds"] == [10000, 10001]
    assert result["episodes"] == 1 and result["geodesic_m"]["mean"] >= 1.0
    for key in ("rooms", "area_m2", "objects", "geodesic_m", "generation_s"):
        assert result[key]["p10"] <= result[key]["median"] <= result[key]["p90"]
    assert LARGE.area[0] <= result["area_m2"]["min"] <= result["area_m2"]["max"] <= LARGE.area[1]
    assert "bedroom" in result["room_area_m2"]
    assert "geodesic_m" in capsys.readouterr().out
