"""trajectory_buffer node: RGB + odom -> keyframes, served on `filmnav/get_keyframes`.

A thin adapter over KeyframeBuffer and FrameSync. Colour frames are paired with odometry by
stamp and kept as keyframes every `min_distance` metres or `min_rotation` radians. Frontiers
from `filmnav/frontiers` are linked to the keyframe that shows them best as they arrive, so a
frontier keeps the view from its first sighting until a frame shows more of it. Poses are in
the mapper's frame (`map_frame`, else the odometry frame; `filmnav_common.frames`). The service
returns the recent history and one view per requested frontier (its link, else the best view
right now, cropped towards the frontier; an empty image if no keyframe sees it).
`filmnav/reset_map` (std_msgs/Empty) and an odometry restart (see FrameSync) forget everything.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence
from typing import Any

import numpy as np
from filmnav_interfaces.msg import FrontierArray
from filmnav_interfaces.msg import Keyframe as KeyframeMsg
from filmnav_interfaces.srv import GetKeyframes
from nav_msgs.msg import Odometry
from rclpy.node import Node
from sensor_msgs.msg import Image
from std_msgs.msg import Empty

from filmnav_common.frames import PARAMETERS as FRAME_PARAMETERS
from filmnav_common.frames import RobotFrames
from filmnav_common.image_codec import ImageEncodingError, image_to_rgb
from filmnav_common.node_main import run_node
from filmnav_common.parameters import ConfigParameters, declare_parameters
from filmnav_common.planar import Pose2D
from filmnav_common.qos import ODOMETRY_QOS, RELIABLE_QOS, SENSOR_QOS
from filmnav_common.reporting import StatusReporter
from filmnav_common.tf_listener import stamp_seconds
from filmnav_common.transforms import TransformError
from frontier_mapper.keyframes import KeyframeBuffer, KeyframeConfig
from frontier_mapper.messages import (
    frontier_points,
    keyframe_msg,
    pose2d_of,
)
from frontier_mapper.sync import FrameSync, SyncConfig, SyncResult

KEYFRAME_PARAMETERS = ConfigParameters(
    KeyframeConfig,
    {
        "min_distance": "metres moved since the last keyframe before taking another",
        "min_rotation": "radians turned since the last keyframe before taking another",
        "capacity": "keyframes kept at most; the oldest unlinked ones are dropped first",
        "store_width": "stored image width in pixels, aspect kept (0: full size)",
        "view_range": "metres a keyframe is taken to see (frontier linking)",
        "crop_fov": (
            "width of a frontier's view, radians, cropped around its bearing (0: whole image)"
        ),
    },
    names={"crop_fov": "frontier_view_fov"},
)
SYNC_PARAMETERS = ConfigParameters(
    SyncConfig,
    {
        "tolerance": "max seconds between an image and the nearest odometry",
        "max_gap": "max seconds between odometry samples to interpolate a pose across",
        "max_jump": (
            "metres between odometry samples, covered faster than a robot moves, that mean a "
            "restart: keyframes are cleared (0: off)"
        ),
    },
    names={"tolerance": "sync_tolerance", "max_gap": "max_odom_gap", "max_jump": "max_odom_jump"},
)
# parameter name -> (default, description)
PARAMETERS: dict[str, tuple[Any, str]] = {
    **KEYFRAME_PARAMETERS.table(),
    **SYNC_PARAMETERS.table(),
    **FRAME_PARAMETERS,  # the frames of filmnav_common.frames and the camera.* block (hfov)
}

KEYFRAME_ENCODINGS = (
    "rgb8",
    "bgr8",
    "rgba8",
    "bgra8",
)  # colour only: keyframes are shown to the policy


class TrajectoryBufferNode(Node):
    def __init__(self) -> None:
        super().__init__("trajectory_buffer")
        self._param = declare_parameters(self, PARAMETERS)
        p = self._param
        self._buffer = KeyframeBuffer(KEYFRAME_PARAMETERS.build(p, hfov=p("camera.hfov")))
        self._sync: FrameSync[np.ndarray] = FrameSync(SYNC_PARAMETERS.build(p))
        self._reporter = StatusReporter(self)
        self._robot_frames = RobotFrames(self, p)
        self.create_subscription(Image, "camera/color/image_raw", self._on_image, SENSOR_QOS)
        self.create_subscription(Odometry, "odom", self._on_odom, ODOMETRY_QOS)
        self.create_subscription(
            FrontierArray, "filmnav/frontiers", self._on_frontiers, RELIABLE_QOS
        )
        self.create_subscription(Empty, "filmnav/reset_map", self._on_reset, RELIABLE_QOS)
        self.create_service(GetKeyframes, "filmnav/get_keyframes", self._on_get_keyframes)
        self.get_logger().info("keeping RGB keyframes; serving filmnav/get_keyframes")

    def _on_odom(self, msg: Odometry) -> None:
        try:
            pose2d_of(msg.pose.pose)  # rejects NaN and zero quaternions
            _, pose = self._robot_frames.pose(msg)
        except (ValueError, TransformError) as error:
            self._reporter.warn(f"odometry ignored: {error}")
            return
        result = self._sync.add_pose(stamp_seconds(msg.header.stamp), Pose2D(*pose))
        if result.restarted:  # a new episode or odometry source: old keyframes are elsewhere
            self._buffer.reset()
            self.get_logger().info("keyframes reset")
        self._handle(result)

    def _on_image(self, msg: Image) -> None:
        try:
            rgb = image_to_rgb(msg, KEYFRAME_ENCODINGS)
        except ImageEncodingError as error:
            self._reporter.warn(f"colour image dropped: {error}")
            return
        self._handle(self._sync.add_frame(stamp_seconds(msg.header.stamp), rgb))

    def _handle(self, result: SyncResult) -> None:
        if result.notice:
            self._reporter.warn(result.notice)
        for dropped in result.dropped:
            self._reporter.warn(f"colour image dropped: {dropped.reason}")
        for match in result.matched:
            if self._buffer.add(match.frame, match.pose, match.stamp) is not None:
                self._reporter.ok("recording", keyframes=len(self._buffer))

    def _on_frontiers(self, msg: FrontierArray) -> None:
        try:
            self._buffer.link_frontiers({f.id: frontier_points(f) for f in msg.frontiers})
        except ValueError as error:
            self._reporter.warn(f"frontiers ignored: {error}")

    def _on_reset(self, _: Empty) -> None:
        self._buffer.reset()
        self._sync.reset()
        self.get_logger().info("keyframes reset")

    def _on_get_keyframes(
        self, request: GetKeyframes.Request, response: GetKeyframes.Response
    ) -> GetKeyframes.Response:
        size = int(request.image_size)
        response.history = [
            keyframe_msg(k) for k in self._buffer.history(int(request.history_count), size)
        ]
        points = {}
        for frontier in request.frontiers:
            try:
                points[frontier.id] = frontier_points(frontier)
            except ValueError:
                pass  # a malformed frontier gets an empty view
        views = self._buffer.frontier_views(points, size)
        missing = 0
        for frontier in request.frontiers:
            view = views.get(frontier.id)
            if view is None:
                missing += 1
                response.frontier_views.append(KeyframeMsg())
            else:
                response.frontier_views.append(keyframe_msg(view))
        response.success = True
        response.message = (
            f"{len(response.history)} history keyframes, "
            f"{len(request.frontiers) - missing}/{len(request.frontiers)} frontier views"
        )
        return response


def main(args: Sequence[str] | None = None) -> int:
    return run_node(TrajectoryBufferNode, args)


if __name__ == "__main__":
    sys.exit(main())
