"""Camera intrinsics shared by the map, the frontier tracker and the keyframe buffer (planar
poses: `filmnav_common.planar`)."""

from __future__ import annotations

import math
from typing import NamedTuple


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
