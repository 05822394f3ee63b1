"""OccupancyMap on ray-cast scenes with known walls: geometry, field of view, bad input, growth."""

from __future__ import annotations

import math

import numpy as np
import pytest
from mapper_scenes import CAMERA, INTRINSICS, SIZE, depth_at, distance_to_walls, spin_in_place

from filmnav_common.camera import CameraExtrinsics
from filmnav_common.planar import Pose2D
from frontier_mapper.occupancy import MapConfig, OccupancyMap
from frontier_mapper.synthetic import WallScene, box_room_with_doorway

ROOM = box_room_with_doorway()
OPEN_SPACE = WallScene(np.zeros((0, 2, 2)))


def obstacle_points(grid: OccupancyMap) -> np.ndarray:
    rows, cols = np.nonzero(grid.obstacle)
    return grid.cell_to_world(rows, cols)


@pytest.mark.parametrize(
    "camera",
    [CAMERA, CameraExtrinsics(x=0.1, height=1.2, pitch=0.35)],
    ids=["level", "pitched-down"],
)
def test_walls_land_within_one_cell_of_truth(camera):
    grid = OccupancyMap(MapConfig(size=20.0, pixel_stride=1))
    spin_in_place(grid, ROOM, 0.0, 0.0, camera=camera)
    found = obstacle_points(grid)
    assert len(found) > 300
    # every obstacle cell centre is within one cell of a wall
    assert distance_to_walls(found, ROOM).max() <= grid.resolution
    # and the room's walls (all in view from the centre) are covered, one cell tolerance
    samples = np.concatenate([np.linspace(a, b, 60) for a, b in ROOM.segments[:5]])
    nearest = np.linalg.norm(samples[:, None] - found[None], axis=-1).min(axis=1)
    assert np.mean(nearest <= grid.resolution * 1.5) > 0.97


def test_explored_area_matches_the_field_of_view():
    grid = OccupancyMap(MapConfig(size=20.0, max_depth=5.0))
    pose = Pose2D(1.0, -2.0, math.radians(30.0))
    result = grid.integrate(depth_at(OPEN_SPACE, pose), INTRINSICS, pose)
    assert result.valid_fraction == 1.0 and result.obstacle_points == 0
    rows, cols = np.indices(grid.shape)
    xy = grid.cell_to_world(rows, cols) - [pose.x, pose.y]
    forward = xy[..., 0] * math.cos(pose.yaw) + xy[..., 1] * math.sin(pose.yaw)
    lateral = -xy[..., 0] * math.sin(pose.yaw) + xy[..., 1] * math.cos(pose.yaw)
    half_width = forward * (SIZE[0] / 2.0) / INTRINSICS.fx  # the image's side rays
    truth = (forward > 0) & (forward <= 5.0) & (np.abs(lateral) <= half_width)
    explored = grid.explored
    intersection = (truth & explored).sum()
    union = (truth | explored).sum()
    assert intersection / union > 0.95
    assert not grid.obstacle.any()


def test_walls_stop_the_explored_area():
    grid = OccupancyMap(MapConfig(size=20.0))
    spin_in_place(grid, ROOM, 0.0, 0.0)
    behind_side_wall = grid.world_to_cell(np.array([[0.0, 2.3], [-1.0, -2.4], [-3.3, 0.0]]))
    assert not grid.explored[behind_side_wall[:, 0], behind_side_wall[:, 1]].any()
    through_door = grid.world_to_cell(np.array([4.0, 0.0]))
    assert grid.free[tuple(through_door)]


def test_navigable_keeps_the_robot_radius_from_walls():
    grid = OccupancyMap(MapConfig(size=20.0, robot_radius=0.18))
    spin_in_place(grid, ROOM, 0.0, 0.0)
    rows, cols = np.nonzero(grid.navigable())
    navigable = grid.cell_to_world(rows, cols)
    # walls beyond the 5 m range are unseen: free space legitimately reaches up to them
    in_range = np.hypot(*navigable.T) < 4.5
    clearance = distance_to_walls(navigable[in_range], ROOM)
    assert clearance.min() > 0.18 - grid.resolution
    centre = grid.world_to_cell(np.array([0.0, 0.0]))
    assert grid.navigable()[tuple(centre)]


@pytest.mark.parametrize("bad_value", [np.nan, -np.inf, 0.0], ids=["nan", "-inf", "zero"])
def test_frames_without_readings_leave_only_the_footprint(bad_value):
    grid = OccupancyMap(MapConfig(size=10.0))
    depth = np.full((SIZE[1], SIZE[0]), bad_value, dtype=np.float32)
    result = grid.integrate(depth, INTRINSICS, Pose2D(0.0, 0.0, 0.0))
    assert result.valid_fraction == 0.0
    assert not grid.obstacle.any()
    footprint_area = grid.explored.sum() * grid.resolution**2
    assert footprint_area == pytest.approx(math.pi * 0.18**2, rel=0.3)


def test_partly_invalid_depth_still_maps_the_valid_part():
    pose = Pose2D(0.0, 0.0, 0.0)
    depth = depth_at(ROOM, pose)
    depth[:, : SIZE[0] // 2] = np.nan  # left half of the image blind
    grid = OccupancyMap(MapConfig(size=20.0))
    grid.integrate(depth, INTRINSICS, pose)
    found = obstacle_points(grid)
    assert len(found) > 0 and found[:, 1].max() < 0.1  # only the right (y < 0) side is mapped


def test_malformed_input_is_rejected_without_touching_the_map():
    grid = OccupancyMap(MapConfig(size=10.0))
    with pytest.raises(ValueError):
        grid.integrate(np.zeros((4, 4, 3), np.float32), INTRINSICS, Pose2D(0, 0, 0))
    with pytest.raises(ValueError):
        grid.integrate(np.ones((4, 4), np.float32), INTRINSICS._replace(fx=0.0), Pose2D(0, 0, 0))
    assert not grid.explored.any()


def test_map_grows_without_losing_data():
    grid = OccupancyMap(MapConfig(size=6.0, grow_step=2.0))
    spin_in_place(grid, ROOM, 0.0, 0.0, steps=6)
    before = obstacle_points(grid)
    shape_before = grid.shape
    pose = Pose2D(2.5, 0.0, 0.0)  # looking through the door past the map edge
    grid.integrate(depth_at(ROOM, pose), INTRINSICS, pose)
    assert grid.shape[1] > shape_before[1]
    after = obstacle_points(grid)
    kept = np.linalg.norm(before[:, None] - after[None], axis=-1).min(axis=1)
    assert kept.max() < 1e-9  # every earlier obstacle at the same world position
    assert grid.free[tuple(grid.world_to_cell(np.array([4.5, 0.0])))]


def test_bounded_map_drops_points_outside():
    grid = OccupancyMap(MapConfig(size=4.0, grow=False))
    pose = Pose2D(0.0, 0.0, 0.0)
    result = grid.integrate(depth_at(ROOM, pose), INTRINSICS, pose)
    assert grid.shape == (80, 80)
    assert result.dropped_points > 0
    assert grid.explored[:, -1].any()  # explored up to the edge, nothing beyond


def test_occupancy_values_and_reset():
    grid = OccupancyMap(MapConfig(size=20.0))
    spin_in_place(grid, ROOM, 0.0, 0.0, steps=4)
    values = grid.to_occupancy_values()
    assert set(np.unique(values)) == {-1, 0, 100}
    assert np.array_equal(values == 100, grid.obstacle)
    grid.reset()
    assert not grid.explored.any() and grid.explored_window()[0] == slice(0, 0)


def test_a_bounded_map_counts_every_obstacle_pixel_it_drops():
    """Wall pixels of one image column that land on the same map point are placed once, yet
    each still counts: walls all beyond a bounded map drop every obstacle pixel."""
    grid = OccupancyMap(MapConfig(size=2.0, grow=False))
    pose = Pose2D(0.0, 0.0, math.pi)  # facing the -x wall, 3 m away
    result = grid.integrate(depth_at(ROOM, pose), INTRINSICS, pose)
    assert result.obstacle_points > SIZE[0]  # whole columns of wall
    assert result.dropped_points == result.obstacle_points
    assert not grid.obstacle.any()
