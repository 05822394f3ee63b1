"""Small planar-pose helpers shared by the map, the frontier tracker and the keyframe buffer.

A planar pose is (x, y, yaw) in the mapping frame: metres and radians, REP-103 (x forward,
y left, z up, yaw counter-clockwise from +x).
"""

from __future__ import annotations

import math
from typing import NamedTuple


class Pose2D(NamedTuple):
    """Base pose in the mapping frame."""

    x: float
    y: float
    yaw: float


class Intrinsics(NamedTuple):
    """Pinhole intrinsics in pixels (CameraInfo's K: fx, fy on the diagonal, cx, cy)."""

    fx: float
    fy: float
    cx: float
    cy: float

    @classmethod
    def from_hfov(cls, width: int, height: int, hfov_rad: float) -> Intrinsics:
        """Square-pixel intrinsics of a camera with the given horizontal field of view."""
        focal = (width / 2.0) / math.tan(hfov_rad / 2.0)
        return cls(focal, focal, (width - 1) / 2.0, (height - 1) / 2.0)


def wrap_angle(angle: float) -> float:
    """Angle in [-pi, pi)."""
    return (angle + math.pi) % (2.0 * math.pi) - math.pi
