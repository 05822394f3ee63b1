"""Shared helpers: the robot's camera and ray-cast depth of scenes with known walls."""

from __future__ import annotations

import math

import numpy as np

from filmnav_common.camera import CameraExtrinsics
from filmnav_common.planar import Pose2D
from frontier_mapper.geometry import Intrinsics
from frontier_mapper.occupancy import OccupancyMap
from frontier_mapper.synthetic import WallScene, render_depth

SIZE = (160, 120)  # small images keep the tests fast; the benchmark uses 640x480
INTRINSICS = Intrinsics.from_hfov(*SIZE, math.radians(79.0))
CAMERA = CameraExtrinsics()


def depth_at(scene: WallScene, pose: Pose2D, camera: CameraExtrinsics = CAMERA) -> np.ndarray:
    return render_depth(scene, INTRINSICS, SIZE, pose, camera)


def spin_in_place(
    grid: OccupancyMap,
    scene: WallScene,
    x: float,
    y: float,
    steps: int = 12,
    camera: CameraExtrinsics = CAMERA,
) -> None:
    """Integrate a full turn at (x, y) in `steps` equal turns."""
    for k in range(steps):
        pose = Pose2D(x, y, 2.0 * math.pi * k / steps)
        grid.integrate(depth_at(scene, pose, camera), INTRINSICS, pose, camera)


def distance_to_walls(points: np.ndarray, scene: WallScene) -> np.ndarray:
    """Distance of each point [N, 2] to the nearest wall segment."""
    starts, ends = scene.segments[:, 0], scene.segments[:, 1]
    edges = ends - starts
    rel = points[:, None, :] - starts[None]
    t = np.clip((rel * edges).sum(-1) / (edges * edges).sum(-1), 0.0, 1.0)
    closest = starts[None] + t[..., None] * edges[None]
    return np.linalg.norm(points[:, None, :] - closest, axis=-1).min(axis=1)
