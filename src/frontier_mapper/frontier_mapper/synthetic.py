"""Exact depth images of walls made of vertical segments on a flat floor (no ROS).

Known geometry for tests and benchmarks: every wall is a vertical rectangle over a 2-D segment,
so the true occupancy is known to the millimetre. Depth is z-depth in metres with REP-117
conventions (+inf where nothing lies within `max_depth`).

    scene = box_room_with_doorway()
    depth = render_depth(scene, Intrinsics.from_hfov(640, 480, math.radians(79)), (640, 480),
                         Pose2D(0, 0, 0), CameraExtrinsics())
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from filmnav_common.camera import CameraExtrinsics
from filmnav_common.planar import Pose2D
from frontier_mapper.geometry import Intrinsics
from frontier_mapper.occupancy import ray_directions


@dataclass(frozen=True)
class WallScene:
    segments: np.ndarray  # [S, 2, 2] wall segments (start xy, end xy), metres
    wall_height: float = 2.5


def box_room_with_doorway(
    width: float = 6.0, depth: float = 4.0, door: float = 1.0, corridor: float = 3.0
) -> WallScene:
    """A width x depth room centred on the origin, a doorway of `door` metres in the +x wall,
    and a closed corridor room of length `corridor` behind it."""
    hx, hy, hd = width / 2.0, depth / 2.0, door / 2.0
    far = hx + corridor
    segments = [
        ((-hx, -hy), (hx, -hy)),
        ((-hx, hy), (hx, hy)),
        ((-hx, -hy), (-hx, hy)),
        ((hx, -hy), (hx, -hd)),
        ((hx, hd), (hx, hy)),  # +x wall with the doorway
        ((hx, -hy), (far, -hy)),
        ((hx, hy), (far, hy)),
        ((far, -hy), (far, hy)),
    ]
    return WallScene(np.array(segments, dtype=float))


def render_depth(
    scene: WallScene,
    intrinsics: Intrinsics,
    size: tuple[int, int],
    pose: Pose2D,
    camera: CameraExtrinsics,
    max_depth: float = 5.0,
) -> np.ndarray:
    """float32 [H, W] z-depth of the floor and walls seen from a camera on a base at `pose`."""
    width, height = size
    forward, left, up = ray_directions((height, width), intrinsics, 1, camera).astype(float)
    cb, sb = math.cos(pose.yaw), math.sin(pose.yaw)
    ray_x, ray_y = cb * forward - sb * left, sb * forward + cb * left  # per unit z-depth
    origin = np.array(
        [pose.x + cb * camera.x - sb * camera.y, pose.y + sb * camera.x + cb * camera.y]
    )

    with np.errstate(divide="ignore", invalid="ignore"):
        depth = np.where(up < 0, -camera.height / up, np.inf)  # floor
        for start, end in scene.segments:
            edge = end - start
            to_start = start - origin
            # origin + t * ray = start + s * edge  (2-D cross products)
            denominator = ray_x * edge[1] - ray_y * edge[0]
            t = (to_start[0] * edge[1] - to_start[1] * edge[0]) / denominator
            s = (to_start[0] * ray_y - to_start[1] * ray_x) / denominator
            z = camera.height + t * up
            hit = (t > 0) & (s >= 0) & (s <= 1) & (z >= 0) & (z <= scene.wall_height)
            depth = np.where(hit & (t < depth), t, depth)
    depth[depth > max_depth] = np.inf
    return depth.astype(np.float32)
