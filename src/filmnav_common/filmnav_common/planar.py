"""The planar pose every package shares (ROS-free).

A planar pose is (x, y, yaw) in a floor frame: metres and radians, REP-103 (x forward, y left,
z up, yaw counter-clockwise from +x).
"""

from __future__ import annotations

import math
from typing import NamedTuple


class Pose2D(NamedTuple):
    x: float
    y: float
    yaw: float


def wrap_angle(angle: float) -> float:
    """Angle in (-pi, pi]."""
    return math.atan2(math.sin(angle), math.cos(angle))
