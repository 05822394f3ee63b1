"""FrontierTracker on ray-cast scenes: doorways, thin gaps, noise, map edges, ids, blacklist."""

from __future__ import annotations

import math

import numpy as np
import pytest
from mapper_scenes import INTRINSICS, depth_at, spin_in_place

from filmnav_common.planar import Pose2D
from frontier_mapper.frontiers import NARROW_ID_BASE, FrontierConfig, FrontierTracker
from frontier_mapper.occupancy import MapConfig, OccupancyMap
from frontier_mapper.synthetic import WallScene, box_room_with_doorway

ROOM = box_room_with_doorway(corridor=8.0)


@pytest.fixture(scope="module")
def explored_room():
    """The room fully seen from its centre: what is left unknown lies through the doorway."""
    grid = OccupancyMap(MapConfig(size=30.0))
    spin_in_place(grid, ROOM, 0.0, 0.0)
    return grid


def assert_reachable(grid: OccupancyMap, frontier, robot_xy) -> None:
    cell = tuple(grid.world_to_cell(np.array(frontier.waypoint[:2])))
    assert grid.navigable()[cell], f"waypoint {frontier.waypoint} is not navigable"
    straight = math.dist(robot_xy, frontier.waypoint[:2])
    assert straight - 0.05 <= frontier.path_distance < straight * 1.5 + 0.5


def test_doorway_gives_a_reachable_frontier_and_nothing_inside_the_room(explored_room):
    frontiers = FrontierTracker().update(explored_room, (0.0, 0.0))
    assert frontiers, "no frontier through the doorway"
    for frontier in frontiers:
        assert frontier.centroid[0] > 3.0, f"frontier inside the room at {frontier.centroid}"
        assert frontier.size >= 0.5
        assert_reachable(explored_room, frontier, (0.0, 0.0))
    farthest = max(frontiers, key=lambda f: f.centroid[0])
    assert abs(math.cos(farthest.unknown_yaw) - 1.0) < 0.3  # faces on, into the corridor (+x)
    assert math.cos(farthest.waypoint.yaw) > 0.7


def test_gap_narrower_than_the_robot_still_yields_frontiers():
    scene = box_room_with_doorway(door=0.3, corridor=8.0)  # 0.3 m < robot diameter 0.36 m
    grid = OccupancyMap(MapConfig(size=30.0))
    spin_in_place(grid, scene, 1.5, 0.0)
    frontiers = FrontierTracker().update(grid, (1.5, 0.0))
    beyond = [f for f in frontiers if f.centroid[0] > 3.0]
    assert beyond, "unknown space behind the gap produced no frontier"
    for frontier in beyond:
        assert frontier.waypoint.x < 3.0  # the reachable cell is on the robot's side of the gap
        assert_reachable(grid, frontier, (1.5, 0.0))


def test_sensor_noise_makes_no_tiny_frontiers():
    rng = np.random.default_rng(0)
    grid = OccupancyMap(MapConfig(size=30.0))
    for k in range(12):
        pose = Pose2D(0.0, 0.0, 2.0 * math.pi * k / 12)
        depth = depth_at(ROOM, pose)
        depth[rng.random(depth.shape) < 0.1] = np.nan  # dropouts
        depth *= rng.normal(1.0, 0.01, depth.shape).astype(np.float32)  # 1% range noise
        grid.integrate(depth, INTRINSICS, pose)
    frontiers = FrontierTracker().update(grid, (0.0, 0.0))
    assert frontiers
    assert all(f.size >= 0.5 and f.centroid[0] > 2.8 for f in frontiers)


def test_min_size_filters_frontiers():
    grid = OccupancyMap(MapConfig(size=30.0))
    spin_in_place(grid, ROOM, 0.0, 0.0)
    sizes = [f.size for f in FrontierTracker(FrontierConfig(min_size=0.1)).update(grid, (0, 0))]
    big_only = FrontierTracker(FrontierConfig(min_size=max(sizes))).update(grid, (0, 0))
    assert len(big_only) == sum(size >= max(sizes) for size in sizes) < len(sizes) + 1


def test_frontiers_below_min_size_are_kept_apart_as_narrow_ones():
    """One may be the only way on (a gap seen at a grazing angle): kept as a narrow frontier,
    with ids of its own, while the other frontiers and their ids stay what they were."""
    grid = OccupancyMap(MapConfig(size=30.0))
    spin_in_place(grid, ROOM, 2.0, 1.5)
    every = FrontierTracker(FrontierConfig(min_size=0.1, min_narrow_size=0.1)).update(
        grid, (2, 1.5)
    )
    sizes = sorted({f.size for f in every})
    assert len(sizes) >= 2, sizes
    tracker = FrontierTracker(FrontierConfig(min_size=sizes[-1], min_narrow_size=0.1))
    regular = tracker.update(grid, (2.0, 1.5))
    alone = FrontierTracker(FrontierConfig(min_size=sizes[-1], min_narrow_size=sizes[-1]))

    def described(frontiers) -> list:
        return [(f.id, f.size, *f.centroid, *f.waypoint) for f in frontiers]

    assert described(regular) == described(alone.update(grid, (2.0, 1.5))) != []
    assert alone.narrow == []
    narrow = tracker.narrow
    assert len(regular) + len(narrow) == len(every)
    assert all(0.1 <= f.size < sizes[-1] and f.id >= NARROW_ID_BASE for f in narrow), narrow
    assert described(tracker.update(grid, (2.0, 1.5))) == described(regular)  # ids carried over
    assert [f.id for f in tracker.narrow] == [f.id for f in narrow]
    tracker.blacklist(narrow[0].centroid, radius=0.01)
    tracker.update(grid, (2.0, 1.5))
    assert [f.id for f in tracker.narrow] == [f.id for f in narrow[1:]]


def test_no_frontiers_along_a_bounded_map_edge():
    grid = OccupancyMap(MapConfig(size=8.0, grow=False))
    pose = Pose2D(0.0, 0.0, 0.0)  # the 5 m view is cut by the map edge at x = 4 m
    grid.integrate(depth_at(WallScene(np.zeros((0, 2, 2))), pose), INTRINSICS, pose)
    edge_cells = grid.explored[:, -1].sum()
    assert edge_cells > 100
    frontiers = FrontierTracker().update(grid, (0.0, 0.0))
    assert frontiers  # the sides of the view
    cells = np.concatenate([f.cells for f in frontiers])
    on_edge = cells[:, 0] > 4.0 - grid.resolution
    assert on_edge.sum() <= 2  # at most where a side of the view meets the edge


def shared_fraction(first, second) -> float:
    """Share of the smaller frontier's cells that the other one also has."""
    a = {tuple(c) for c in np.round(first.cells, 3)}
    b = {tuple(c) for c in np.round(second.cells, 3)}
    return len(a & b) / min(len(a), len(b))


def test_ids_stay_stable_as_the_robot_moves():
    grid = OccupancyMap(MapConfig(size=30.0))
    tracker = FrontierTracker()
    spin_in_place(grid, ROOM, -1.0, 0.0)
    previous = tracker.update(grid, (-1.0, 0.0))
    seen_ids = {f.id for f in previous}
    same_frontier_pairs = 0
    for step in range(1, 9):  # drive towards the doorway, 0.25 m per step, weaving a little
        pose = Pose2D(-1.0 + 0.25 * step, 0.05 * step, 0.1 * (-1) ** step)
        grid.integrate(depth_at(ROOM, pose), INTRINSICS, pose)
        current = tracker.update(grid, pose[:2])
        assert len({f.id for f in current}) == len(current)
        for old in previous:
            for new in current:
                if shared_fraction(old, new) > 0.5 and len(new.cells) > 0.5 * len(old.cells):
                    assert new.id == old.id, f"step {step}: the same frontier changed id"
                    same_frontier_pairs += 1
        seen_ids |= {f.id for f in current}
        previous = current
    assert same_frontier_pairs >= 10
    assert len(seen_ids) <= 8  # a few frontiers appear through the door, ids are not churned


def test_new_frontiers_get_new_ids():
    tracker = FrontierTracker()
    grid = OccupancyMap(MapConfig(size=30.0))
    pose = Pose2D(0.0, 0.0, 0.0)
    grid.integrate(depth_at(ROOM, pose), INTRINSICS, pose)
    first = {f.id for f in tracker.update(grid, (0.0, 0.0))}
    pose = Pose2D(0.0, 0.0, math.pi)  # look the other way: new frontiers appear
    grid.integrate(depth_at(ROOM, pose), INTRINSICS, pose)
    second = {f.id for f in tracker.update(grid, (0.0, 0.0))}
    assert second - first and max(second) > max(first)


def test_blacklist_suppresses_and_clear_restores(explored_room):
    tracker = FrontierTracker(FrontierConfig(blacklist_radius=0.5))
    frontiers = tracker.update(explored_room, (0.0, 0.0))
    target = frontiers[0]
    tracker.blacklist(target.centroid)
    remaining = tracker.update(explored_room, (0.0, 0.0))
    assert target.id not in {f.id for f in remaining}
    assert len(remaining) == len(frontiers) - 1
    tracker.blacklist((100.0, 100.0), radius=1.0)
    assert len(tracker.blacklisted) == 2
    tracker.clear_blacklist()
    restored = tracker.update(explored_room, (0.0, 0.0))
    assert [f.id for f in restored] == [f.id for f in frontiers]


def test_robot_off_the_navigable_area_still_reaches_frontiers(explored_room):
    near_wall = (-2.9, 0.0)  # within the robot radius of the -x wall
    assert not explored_room.navigable()[tuple(explored_room.world_to_cell(np.array(near_wall)))]
    frontiers = FrontierTracker().update(explored_room, near_wall)
    assert frontiers and all(f.path_distance > 5.0 for f in frontiers)


def test_empty_map_has_no_frontiers():
    assert FrontierTracker().update(OccupancyMap(MapConfig(size=5.0)), (0.0, 0.0)) == []


def test_split_by_normal_ends_when_the_normals_give_no_axis_to_split_along():
    # Frontier cells whose unknown-side normals cancel out (zero gradient under the blur) used to
    # be pushed back unsplit forever, hanging the mapper on a real house map.
    cells = np.array([[5, c] for c in range(3, 9)])
    normals = np.zeros((12, 12, 2), dtype=np.float32)
    pieces = FrontierTracker()._split_by_normal(cells, normals)
    assert len(pieces) == 1 and len(pieces[0]) == len(cells)


def test_path_distances_are_those_of_their_update_when_read_later():
    grid = OccupancyMap(MapConfig(size=30.0))
    spin_in_place(grid, ROOM, -1.0, 0.0)
    expected = [f.path_distance for f in FrontierTracker().update(grid, (-1.0, 0.0))]
    frontiers = FrontierTracker().update(grid, (-1.0, 0.0))  # distances not read yet
    spin_in_place(grid, ROOM, 2.0, 0.0)  # the map changes before they are
    assert [f.path_distance for f in frontiers] == expected
    assert all(d > 0 for d in expected)


def test_frontiers_carried_over_from_the_last_update_equal_fresh_ones():
    """Clusters the new frame did not touch keep their pieces from the last update; everything
    about them equals what a tracker that never saw the earlier maps finds."""
    grid = OccupancyMap(MapConfig(size=30.0))
    tracker = FrontierTracker()
    carried = 0
    previous: list = []
    for step in range(8):
        pose = Pose2D(-1.5 + 0.3 * step, 0.2 * (-1) ** step, 0.8 * step)
        grid.integrate(depth_at(ROOM, pose), INTRINSICS, pose)
        current = tracker.update(grid, pose[:2])
        fresh = FrontierTracker().update(grid, pose[:2])
        assert len(current) == len(fresh)
        for a, b in zip(
            sorted(current, key=lambda f: tuple(f.centroid)),
            sorted(fresh, key=lambda f: tuple(f.centroid)),
            strict=True,
        ):
            assert np.array_equal(a.cells, b.cells) and np.array_equal(a.centroid, b.centroid)
            assert a.waypoint == b.waypoint and a.unknown_yaw == b.unknown_yaw
            assert a.path_distance == b.path_distance
        carried += sum(any(a.cells is b.cells for b in previous) for a in current)
        previous = current
    assert carried > 0
