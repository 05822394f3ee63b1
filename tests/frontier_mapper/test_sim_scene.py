"""The map and frontiers on MuJoCo-rendered depth of a procedural house, checked against the
house's true walls, furniture and navigable grid."""

from __future__ import annotations

import math

import cv2
import numpy as np
import pytest

from filmnav_common.camera import CameraExtrinsics
from filmnav_common.planar import Pose2D
from frontier_mapper.frontiers import FrontierTracker
from frontier_mapper.geometry import Intrinsics
from frontier_mapper.occupancy import MapConfig, OccupancyMap

sim_house = pytest.importorskip("filmnav_sim.house")
from filmnav_sim.config import SimConfig  # noqa: E402  (after the importorskip)
from filmnav_sim.render import HouseRenderer  # noqa: E402

CONFIG = SimConfig(width=160, height=120)


def rep117(depth: np.ndarray) -> np.ndarray:
    """Raw rendered depth with the bridge's range conventions: +inf beyond, -inf before range."""
    depth = depth.astype(np.float32, copy=True)
    depth[depth > CONFIG.max_depth] = np.inf
    depth[depth < CONFIG.min_depth] = -np.inf
    return depth


@pytest.fixture(scope="module")
def mapped_house():
    house = sim_house.generate_house(3, max_rooms=4)
    room = max(house.rooms, key=lambda r: r.area)
    x, y = house.nav.snap(room.center)
    renderer = HouseRenderer(CONFIG.width, CONFIG.height)
    renderer.load(house)
    grid = OccupancyMap(
        MapConfig(
            size=30.0,
            min_depth=CONFIG.min_depth,
            max_depth=CONFIG.max_depth,
            robot_radius=CONFIG.agent_radius,
            camera=CameraExtrinsics(height=CONFIG.camera_height),
        )
    )
    intrinsics = Intrinsics(*CONFIG.intrinsics())
    try:
        for k in range(12):
            pose = Pose2D(x, y, 2.0 * math.pi * k / 12)
            grid.integrate(
                rep117(renderer.render(pose.x, pose.y, pose.yaw, CONFIG).depth), intrinsics, pose
            )
    finally:
        renderer.close()
    return house, grid, (x, y)


def rasterise(shapes, grid: OccupancyMap) -> np.ndarray:
    """Polygons [N, 2] filled onto the map's cells."""
    mask = np.zeros(grid.shape, dtype=np.uint8)
    for corners in shapes:
        pixels = (corners - grid.origin) / grid.resolution - 0.5
        cv2.fillPoly(mask, [np.round(pixels * 16).astype(np.int32)], 1, cv2.LINE_8, shift=4)
    return mask.astype(bool)


def wall_boxes(house) -> list[np.ndarray]:
    return [
        np.array([[x0, y0], [x1, y0], [x1, y1], [x0, y1]])
        for x0, y0, x1, y1 in (wall.bounds for wall in house.walls)
    ]


def test_rendered_obstacles_match_walls_and_furniture(mapped_house):
    house, grid, _ = mapped_house
    walls = rasterise(wall_boxes(house), grid)
    truth = walls | rasterise([obj.footprint() for obj in house.objects], grid)
    near_truth = cv2.dilate(truth.astype(np.uint8), np.ones((3, 3), np.uint8)).astype(bool)
    found = grid.obstacle
    assert found.sum() > 200
    assert (found & near_truth).sum() / found.sum() > 0.98  # within one cell of a true obstacle
    # walls are never free (furniture may be: the floor under a table, or an object in the blind
    # zone below the camera's view, which the field-of-view fill counts as free)
    inner_walls = cv2.erode(walls.astype(np.uint8), np.ones((3, 3), np.uint8)).astype(bool)
    assert inner_walls.sum() > 100 and (grid.free & inner_walls).sum() == 0


def test_frontier_waypoints_are_truly_navigable_with_plausible_paths(mapped_house):
    house, grid, start = mapped_house
    frontiers = FrontierTracker().update(grid, start)
    assert frontiers, "a house seen from one room has unexplored rooms behind its doors"
    for frontier in frontiers:
        waypoint = np.array(frontier.waypoint[:2])
        assert math.dist(house.nav.snap(waypoint), waypoint) <= 2 * grid.resolution
        # the map's path may cut through furniture it has not seen, so it may beat the geodesic
        assert frontier.path_distance >= math.dist(start, waypoint) - grid.resolution
        assert (
            frontier.path_distance
            <= house.nav.geodesic_distance(start, waypoint[None]) * 1.5 + 0.5
        )
