"""The robot's frames for the nodes that map, keep keyframes and detect, from TF where the robot
publishes it and from parameters where it does not.

- Camera extrinsics: TF's `base_frame` <- the image's `header.frame_id` (the optical frame that
  robot_state_publisher publishes from the URDF, latched on /tf_static). Where TF has no such
  transform, the `camera.*` parameters (`filmnav_common.camera`), after `camera_tf_wait` seconds
  from start-up, so the first frames of a robot whose TF is still on its way are not mapped with
  the wrong mounting.
- Robot pose: odometry (base in the odometry frame). With `map_frame` set, a localizer publishes
  map_frame -> odometry frame on TF, and the pose is that transform (at the odometry stamp, or
  the newest one if it is at most `transform_tolerance` older) composed with the odometry; with
  `map_frame` empty the odometry frame is the mapping frame.

The mapper, the trajectory buffer and the detector share this class and its parameter block
(`FRAME_PARAMETERS` + `CAMERA_PARAMETERS`), so they agree on the frames.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from nav_msgs.msg import Odometry
from rclpy.node import Node

from filmnav_common.camera import (
    CAMERA_PARAMETERS,
    CameraExtrinsics,
    extrinsics_from_parameters,
)
from filmnav_common.geometry import pose_to_xy_yaw
from filmnav_common.planar import Pose2D
from filmnav_common.tf_listener import TransformListener
from filmnav_common.transforms import (
    NS_PER_S,
    Transform,
    TransformError,
    quaternion_from_yaw,
)

FRAME_PARAMETERS: dict[str, tuple[Any, str]] = {
    "base_frame": (
        "base_link",
        "robot frame on the floor: the odometry's child frame, the camera's TF parent",
    ),
    "map_frame": (
        "",
        "mapping frame: odometry composed with TF map_frame -> odometry frame (published by a "
        "localizer); empty: the odometry frame",
    ),
    "transform_tolerance": (0.5, "seconds TF (map -> odom) may lag behind the odometry stamp"),
    "camera_tf_wait": (
        2.0,
        "seconds after start to wait for the camera in TF before using the camera.* parameters",
    ),
}
PARAMETERS: dict[str, tuple[Any, str]] = {**FRAME_PARAMETERS, **CAMERA_PARAMETERS}


def compose_planar(parent_from_child: Transform, pose: Pose2D) -> Pose2D:
    """A planar pose of the child frame expressed in the parent frame."""
    x, y, yaw = pose
    composed = parent_from_child.compose(Transform((x, y, 0.0), quaternion_from_yaw(yaw)))
    return float(composed.translation[0]), float(composed.translation[1]), composed.yaw


class RobotFrames:
    """Camera extrinsics and robot poses of one node (declare `PARAMETERS` on it first)."""

    def __init__(self, node: Node, param: Callable[[str], Any]):
        self._logger = node.get_logger()
        self._listener = TransformListener(
            node, tolerance_ns=int(param("transform_tolerance") * NS_PER_S)
        )
        self.base_frame: str = param("base_frame")
        self.map_frame: str = param("map_frame")
        self._fallback = extrinsics_from_parameters(param)
        self._tf_wait_until = time.monotonic() + param("camera_tf_wait")
        self._camera_sources: dict[str, str] = {}  # optical frame -> where its extrinsics are from

    def camera(self, optical_frame: str) -> CameraExtrinsics | None:
        """Extrinsics of the camera whose images carry `optical_frame`: from TF, else (after
        `camera_tf_wait`) from the parameters; None while still waiting for TF."""
        try:
            if not optical_frame:
                raise TransformError("the image has no frame_id")
            stamped = self._listener.lookup(self.base_frame, optical_frame)
        except TransformError as error:
            if time.monotonic() < self._tf_wait_until:
                return None
            self._note_source(
                optical_frame,
                f"camera extrinsics from the camera.* parameters ({self._fallback.describe()}): "
                f"TF has no {self.base_frame} -> '{optical_frame}' ({str(error)[:120]})",
            )
            return self._fallback
        extrinsics = CameraExtrinsics.from_optical_transform(stamped.transform)
        self._note_source(
            optical_frame,
            f"camera extrinsics from TF {self.base_frame} -> {optical_frame}: "
            f"{extrinsics.describe()}",
        )
        return extrinsics

    def _note_source(self, optical_frame: str, text: str) -> None:
        source = text.split(":", 1)[0]
        if self._camera_sources.get(optical_frame) != source:
            self._camera_sources[optical_frame] = source
            self._logger.info(text)

    def mapping_frame(self, odometry_frame: str) -> str:
        return self.map_frame or odometry_frame

    def pose(self, odometry: Odometry) -> tuple[str, Pose2D]:
        """(mapping frame, base pose in it) at the odometry's stamp. Raises TransformError when
        TF cannot place the odometry frame in `map_frame`."""
        pose = pose_to_xy_yaw(odometry.pose.pose)
        odometry_frame = odometry.header.frame_id
        if not self.map_frame or self.map_frame == odometry_frame:
            return odometry_frame, pose
        if not odometry_frame:
            raise TransformError(f"odometry without frame_id cannot be placed in {self.map_frame}")
        stamped = self._listener.lookup(self.map_frame, odometry_frame, odometry.header.stamp)
        return self.map_frame, compose_planar(stamped.transform, pose)
