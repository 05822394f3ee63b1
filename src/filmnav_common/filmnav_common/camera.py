"""Where the camera sits on the robot: one extrinsics type and one parameter block for every node.

REP-103 throughout: metres and radians. The base frame (`base_frame`: base_link, or
base_footprint where base_link is not on the floor) has x forward, y left, z up and stands on the
floor, so `height` is the optical centre's height above the floor. The camera body (x forward,
y left, z up) is turned from the base by roll about x, pitch about y (positive looks down), then
yaw about z (positive looks left): R = Rz(yaw) Ry(pitch) Rx(roll), URDF's rpy. Images follow the
optical convention (z forward, x right, y down), the frame robot_state_publisher publishes as
`*_optical_frame`; `from_optical_transform` reads TF's base -> optical transform.

The `camera.*` parameters (`CAMERA_PARAMETERS`) are the fallback where TF does not have the
camera (see `filmnav_common.frames`); `camera.hfov` is for nodes without the camera_info.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np

from filmnav_common.transforms import Transform, quaternion_from_matrix, rotation_matrix

# Columns: the optical x (right), y (down) and z (forward) axes in the camera body frame.
BODY_FROM_OPTICAL = np.array([[0.0, 0.0, 1.0], [-1.0, 0.0, 0.0], [0.0, -1.0, 0.0]])
# The same rotation as TF's camera_link -> *_optical_frame quaternion (x, y, z, w).
OPTICAL_QUATERNION = quaternion_from_matrix(BODY_FROM_OPTICAL)


@dataclass(frozen=True)
class CameraExtrinsics:
    """Optical centre and orientation of the camera in the base frame (see the module
    docstring)."""

    x: float = 0.0  # ahead of the base origin, metres
    y: float = 0.0  # left of the base origin, metres
    height: float = 0.88  # above the floor, metres
    pitch: float = 0.0  # radians, positive looks down
    yaw: float = 0.0  # radians, positive looks left
    roll: float = 0.0  # radians about the viewing direction

    @property
    def translation(self) -> np.ndarray:
        return np.array([self.x, self.y, self.height])

    def body_rotation(self) -> np.ndarray:
        """3x3 rotation of the camera body (x forward, y left, z up) into the base frame."""
        cr, sr = math.cos(self.roll), math.sin(self.roll)
        cp, sp = math.cos(self.pitch), math.sin(self.pitch)
        cy, sy = math.cos(self.yaw), math.sin(self.yaw)
        rz = np.array([[cy, -sy, 0.0], [sy, cy, 0.0], [0.0, 0.0, 1.0]])
        ry = np.array([[cp, 0.0, sp], [0.0, 1.0, 0.0], [-sp, 0.0, cp]])
        rx = np.array([[1.0, 0.0, 0.0], [0.0, cr, -sr], [0.0, sr, cr]])
        return rz @ ry @ rx

    def optical_rotation(self) -> np.ndarray:
        """3x3 rotation of optical-frame vectors (x right, y down, z forward) into the base
        frame."""
        return self.body_rotation() @ BODY_FROM_OPTICAL

    def optical_to_base(self, points: np.ndarray) -> np.ndarray:
        """Points (..., 3) of the optical frame in the base frame."""
        return np.asarray(points, dtype=np.float64) @ self.optical_rotation().T + self.translation

    def body_transform(self) -> Transform:
        """base -> camera body (camera_link) as TF carries it."""
        return Transform(self.translation, quaternion_from_matrix(self.body_rotation()))

    def optical_transform(self) -> Transform:
        """base -> optical frame as TF carries it (the inverse of `from_optical_transform`)."""
        return self.body_transform().compose(Transform(rotation=OPTICAL_QUATERNION))

    @classmethod
    def from_optical_transform(cls, base_from_optical: Transform) -> CameraExtrinsics:
        """The extrinsics of TF's transform from the optical frame to the base frame (a lookup
        of (base_frame, optical_frame))."""
        body = rotation_matrix(base_from_optical.rotation) @ BODY_FROM_OPTICAL.T
        x, y, z = (float(value) for value in base_from_optical.translation)
        return cls(
            x=x,
            y=y,
            height=z,
            pitch=math.atan2(-body[2, 0], math.hypot(body[2, 1], body[2, 2])),
            yaw=math.atan2(body[1, 0], body[0, 0]),
            roll=math.atan2(body[2, 1], body[2, 2]),
        )

    def describe(self) -> str:
        x, y, height, roll, pitch, yaw = (
            round(value, 3) + 0.0  # no "-0.000"
            for value in (self.x, self.y, self.height, self.roll, self.pitch, self.yaw)
        )
        return (
            f"x {x:.3f} m, y {y:.3f} m, height {height:.3f} m, roll {roll:.3f}, pitch "
            f"{pitch:.3f}, yaw {yaw:.3f} rad"
        )


DEFAULT_HFOV = math.radians(79.0)

# parameter name -> (default, description); the same block in every node that needs the camera.
CAMERA_PARAMETERS: dict[str, tuple[Any, str]] = {
    "camera.x": (0.0, "camera optical centre ahead of the base frame, metres (TF fallback)"),
    "camera.y": (0.0, "camera optical centre left of the base frame, metres (TF fallback)"),
    "camera.height": (0.88, "camera optical centre above the floor, metres (TF fallback)"),
    "camera.roll": (0.0, "camera roll about its viewing direction, radians (TF fallback)"),
    "camera.pitch": (0.0, "camera pitch, radians, positive looks down (TF fallback)"),
    "camera.yaw": (0.0, "camera yaw on the base, radians, positive looks left (TF fallback)"),
    "camera.hfov": (DEFAULT_HFOV, "camera horizontal field of view, radians"),
}


def extrinsics_from_parameters(param: Callable[[str], Any]) -> CameraExtrinsics:
    """The `camera.*` parameters as extrinsics (`param`: a getter from declare_parameters)."""
    return CameraExtrinsics(
        x=param("camera.x"),
        y=param("camera.y"),
        height=param("camera.height"),
        pitch=param("camera.pitch"),
        yaw=param("camera.yaw"),
        roll=param("camera.roll"),
    )
