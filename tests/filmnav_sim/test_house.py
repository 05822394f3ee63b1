import hashlib

import numpy as np
import pytest
import scipy.ndimage as ndi

from filmnav_sim.episodes import make_episode
from filmnav_sim.house import (
    CATEGORIES,
    SEEN_CATEGORIES,
    UNSEEN_CATEGORIES,
    House,
    generate_house,
)
from filmnav_sim.language import DESCRIPTIONS, SYNONYMS

HM3D_SIX = ("chair", "sofa", "potted plant", "bed", "toilet", "tv")


def test_categories_cover_hm3d_and_split_disjointly():
    assert len(CATEGORIES) >= 24
    assert set(HM3D_SIX) <= set(CATEGORIES)
    assert not set(SEEN_CATEGORIES) & set(UNSEEN_CATEGORIES)
    assert set(SEEN_CATEGORIES) | set(UNSEEN_CATEGORIES) == set(CATEGORIES)
    assert set(HM3D_SIX) <= set(SEEN_CATEGORIES)
    assert set(SYNONYMS) == set(CATEGORIES) == set(DESCRIPTIONS)


def test_generation_is_deterministic_per_seed():
    first, again, other = (
        generate_house(11, max_rooms=5),
        generate_house(11, max_rooms=5),
        generate_house(12, max_rooms=5),
    )
    assert [(r.kind, r.bounds) for r in first.rooms] == [(r.kind, r.bounds) for r in again.rooms]
    assert [(o.category, o.color, o.yaw) for o in first.objects] == [
        (o.category, o.color, o.yaw) for o in again.objects
    ]
    assert all(
        np.array_equal(a.position, b.position)
        for a, b in zip(first.objects, again.objects, strict=True)
    )
    assert np.array_equal(first.nav.navigable, again.nav.navigable)
    assert [(r.kind, r.bounds) for r in first.rooms] != [(r.kind, r.bounds) for r in other.rooms]


def test_houses_are_connected_and_furnished_by_room_semantics():
    kinds_seen = set()
    for seed in range(6):
        house = generate_house(seed)
        assert 3 <= len(house.rooms) <= 10
        kinds_seen |= {room.kind for room in house.rooms}
        _, components = ndi.label(house.nav.navigable, structure=np.ones((3, 3), bool))
        assert components == 1
        for door in house.doors:
            assert house.nav.is_navigable(door.center)
        for room in house.rooms:  # every room can be entered
            xmin, ymin, xmax, ymax = room.bounds
            rows, cols = (
                house.nav.world_to_cell((xmin, ymin)),
                house.nav.world_to_cell((xmax, ymax)),
            )
            assert house.nav.navigable[rows[0] : cols[0], rows[1] : cols[1]].sum() * 0.05**2 > 1.0
        for obj in house.objects:
            kind = house.rooms[obj.room_id].kind
            if obj.category == "bed":
                assert kind == "bedroom"
            if obj.category == "toilet":
                assert kind == "bathroom"
            if obj.category == "sofa":
                assert kind == "living room"
            assert house.room_at(obj.position) is house.rooms[obj.room_id]
        for room in house.rooms:
            present = {o.category for o in house.objects if o.room_id == room.id}
            if room.kind == "bedroom":
                assert "bed" in present
            if room.kind == "bathroom":
                assert "toilet" in present
    assert {"bedroom", "bathroom", "kitchen", "living room", "hallway"} <= kinds_seen


def test_objects_do_not_overlap():
    house = generate_house(5)
    for a in house.objects:
        for b in house.objects:
            if a.id < b.id:
                # Separating-axis test on the two rotated rectangles.
                overlap = True
                for rect in (a.footprint(), b.footprint()):
                    for k in range(2):
                        axis = rect[(k + 1) % 4] - rect[k]
                        normal = np.array([-axis[1], axis[0]])
                        pa, pb = a.footprint() @ normal, b.footprint() @ normal
                        if pa.max() <= pb.min() + 1e-6 or pb.max() <= pa.min() + 1e-6:
                            overlap = False
                assert not overlap, (a.category, b.category)


def test_every_room_kind_has_a_look_a_program_and_a_map_colour():
    from filmnav_sim.furniture import ROOM_KINDS, ROOM_PROGRAMS
    from filmnav_sim.house import LOOKS
    from filmnav_sim.topdown import ROOM_COLORS

    assert set(ROOM_KINDS) == set(ROOM_PROGRAMS) == set(LOOKS) == set(ROOM_COLORS)
    placed = {p.category for program in ROOM_PROGRAMS.values() for p in program}
    assert placed == set(CATEGORIES)  # every category can appear in some room


def test_narrow_houses_fit_their_hallway():
    """Seeds whose house is barely two rooms deep once drew a hallway wider than the gap left."""
    for seed in (190, 530, 1030):
        house = generate_house(seed)
        assert house.nav.navigable.any()


def house_digest(house: House) -> str:
    """Hash of a house's rooms, objects, doors and navigable grid."""
    digest = hashlib.sha256()
    for room in house.rooms:
        digest.update(repr((room.id, room.kind, room.bounds)).encode())
    for obj in house.objects:
        digest.update(
            repr((obj.id, obj.category, obj.room_id, obj.color, round(obj.yaw, 9))).encode()
        )
        digest.update(np.round(obj.position, 9).tobytes())
        digest.update(np.round(obj.size, 9).tobytes())
    for door in house.doors:
        digest.update(repr((door.axis, door.line, door.span, door.rooms)).encode())
    digest.update(np.packbits(house.nav.navigable).tobytes())
    digest.update(repr(house.nav.navigable.shape).encode())
    return digest.hexdigest()[:16]


@pytest.mark.parametrize(
    ("seed", "max_rooms", "expected"),
    [(0, None, "342c029257ed8888"), (3, 4, "3e13693213bce885"), (7, None, "b3c17328eca1a62e")],
)
def test_small_houses_are_unchanged(seed, max_rooms, expected):
    """Digests computed before house sizes existed: published small-house numbers rely on them."""
    assert house_digest(generate_house(seed, max_rooms=max_rooms)) == expected
    assert house_digest(generate_house(seed, "small", max_rooms=max_rooms)) == expected


def test_small_episode_is_unchanged():
    episode = make_episode("val", 10003, 0, "object")
    assert episode.houses == "small"
    assert (episode.goal_category, episode.goal_instance_ids) == ("floor lamp", [11, 21])
    assert episode.start_pose == pytest.approx((5.775, 4.525, 2.2306886360739284))
    assert episode.geodesic_distance == pytest.approx(3.163519141760629)
