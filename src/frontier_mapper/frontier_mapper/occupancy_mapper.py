"""occupancy_mapper node: depth + camera_info + odom -> filmnav/map, filmnav/frontiers, markers.

Frontiers shorter than `min_frontier_size` but at least `min_narrow_frontier_size` go apart on
`filmnav/narrow_frontiers` (same type): goal_interface explores them only when no other frontier
is left, since most are noise but one may be the only way on.

A thin adapter over OccupancyMap, FrontierTracker and FrameSync. Depth frames are paired with
odometry by stamp; frames without a matching pose are dropped with a reason (never integrated).
The camera's extrinsics come from TF (base_frame -> the depth image's frame), else from the
`camera.*` parameters; the map lives in `map_frame` when a localizer publishes it on TF, else
in the odometry message's frame (`filmnav_common.frames`). It is cleared when odometry restarts
(time jumps back, a new pose for the same stamp, or a jump over `max_odom_jump`: a new simulator
episode, a looping bag). Odometry has its own thread: at 50 Hz it must not queue up behind depth
frames being integrated, or frames would wait for poses that have arrived but not been read.
Extra inputs: `filmnav/frontier_blacklist`
(geometry_msgs/PointStamped, suppress frontiers within `blacklist_radius`),
`filmnav/clear_blacklist` and `filmnav/reset_map` (std_msgs/Empty; the latter starts over).
"""

from __future__ import annotations

import math
import sys
import threading
from collections.abc import Sequence
from typing import Any

from filmnav_interfaces.msg import FrontierArray
from geometry_msgs.msg import PointStamped
from nav_msgs.msg import OccupancyGrid, Odometry
from rclpy.callback_groups import MutuallyExclusiveCallbackGroup
from rclpy.node import Node
from sensor_msgs.msg import CameraInfo, Image
from std_msgs.msg import Empty
from visualization_msgs.msg import MarkerArray

from filmnav_common.camera import CameraExtrinsics
from filmnav_common.frames import PARAMETERS as FRAME_PARAMETERS
from filmnav_common.frames import RobotFrames
from filmnav_common.image_codec import ImageEncodingError, depth_to_metres
from filmnav_common.node_main import run_node
from filmnav_common.parameters import ConfigParameters, declare_parameters
from filmnav_common.planar import Pose2D
from filmnav_common.qos import LATCHED_QOS, ODOMETRY_QOS, RELIABLE_QOS, SENSOR_QOS
from filmnav_common.reporting import StatusReporter
from filmnav_common.tf_listener import stamp_seconds
from filmnav_common.transforms import TransformError
from frontier_mapper.frontiers import FrontierConfig, FrontierTracker
from frontier_mapper.geometry import Intrinsics
from frontier_mapper.messages import (
    frontier_markers,
    frontier_msg,
    occupancy_grid_msg,
    pose2d_of,
    pose_msg,
    stamp_msg,
)
from frontier_mapper.occupancy import MapConfig, OccupancyMap
from frontier_mapper.sync import FrameSync, SyncConfig, SyncResult

MAP_PARAMETERS = ConfigParameters(
    MapConfig,
    {
        "resolution": "map cell size, metres",
        "size": "initial map side, metres, centred on the odometry origin",
        "grow": "grow the map when observations reach its edge (False: bounded)",
        "max_size": "largest map side when growing, metres",
        "min_depth": "ignore depth readings nearer than this, metres",
        "max_depth": "depth sensor range, metres; +inf / farther readings are free up to it",
        "min_obstacle_height": "lowest point height that marks an obstacle, metres above floor",
        "max_obstacle_height": "highest point height that marks an obstacle, metres",
        "robot_radius": "navigable cells are farther than this from obstacles, metres",
        "pixel_stride": (
            "use every n-th depth pixel in rows and columns (0: automatic, walls stay continuous)"
        ),
    },
    names={"size": "map_size", "max_size": "max_map_size"},
)
FRONTIER_PARAMETERS = ConfigParameters(
    FrontierConfig,
    {
        "min_size": "smallest frontier published on filmnav/frontiers, metres",
        "min_narrow_size": (
            "smallest frontier published on filmnav/narrow_frontiers (a last resort), metres; "
            "at least min_frontier_size: none"
        ),
        "id_match_distance": "metres a frontier may move between updates and keep its id",
        "blacklist_radius": "radius suppressed around a blacklisted point, metres",
    },
    names={
        "min_size": "min_frontier_size",
        "min_narrow_size": "min_narrow_frontier_size",
        "id_match_distance": "frontier_match_distance",
    },
)
SYNC_PARAMETERS = ConfigParameters(
    SyncConfig,
    {
        "tolerance": "max seconds between a depth frame and the nearest odometry",
        "max_gap": "max seconds between odometry samples to interpolate a pose across",
        "max_jump": (
            "metres between odometry samples, covered faster than a robot moves, that mean a "
            "restart: the map is cleared (0: off)"
        ),
    },
    names={"tolerance": "sync_tolerance", "max_gap": "max_odom_gap", "max_jump": "max_odom_jump"},
)
# parameter name -> (default, description)
PARAMETERS: dict[str, tuple[Any, str]] = {
    **MAP_PARAMETERS.table(),
    **FRONTIER_PARAMETERS.table(),
    **SYNC_PARAMETERS.table(),
    "max_integration_rate": (10.0, "depth frames integrated per second at most (0: all)"),
    "publish_rate": (2.0, "map and frontier publications per second"),
    **FRAME_PARAMETERS,
}


class OccupancyMapperNode(Node):
    def __init__(self) -> None:
        super().__init__("occupancy_mapper")
        self._param = declare_parameters(self, PARAMETERS)
        p = self._param
        self._grid = OccupancyMap(MAP_PARAMETERS.build(p))
        self._tracker = FrontierTracker(FRONTIER_PARAMETERS.build(p))
        self._sync: FrameSync[tuple[Any, Intrinsics, CameraExtrinsics]] = FrameSync(
            SYNC_PARAMETERS.build(p)
        )
        rate = p("max_integration_rate")
        self._min_frame_interval = 1.0 / rate if rate > 0 else 0.0
        self._reporter = StatusReporter(self)
        self._robot_frames = RobotFrames(self, p)
        self._frame_id = ""
        self._camera_info: CameraInfo | None = None
        self._depth_before_info: Image | None = None  # the latest depth frame, until info arrives
        self._robot = None  # (stamp, Pose2D) of the latest odometry
        self._last_integrated = -math.inf
        self._frames = 0
        self._map_dirty = False
        # The odometry thread feeds the sync; the map's thread handles what it released.
        self._sync_lock = threading.Lock()
        self._released: list[SyncResult] = []
        map_group = MutuallyExclusiveCallbackGroup()  # everything that touches the map

        self._map_pub = self.create_publisher(OccupancyGrid, "filmnav/map", LATCHED_QOS)
        self._frontier_pub = self.create_publisher(
            FrontierArray, "filmnav/frontiers", RELIABLE_QOS
        )
        self._narrow_pub = self.create_publisher(
            FrontierArray, "filmnav/narrow_frontiers", RELIABLE_QOS
        )
        self._marker_pub = self.create_publisher(
            MarkerArray, "filmnav/frontier_markers", RELIABLE_QOS
        )
        for kind, topic, callback, qos in (
            (Image, "camera/depth/image_raw", self._on_depth, SENSOR_QOS),
            (CameraInfo, "camera/depth/camera_info", self._on_camera_info, SENSOR_QOS),
            (PointStamped, "filmnav/frontier_blacklist", self._on_blacklist, RELIABLE_QOS),
            (Empty, "filmnav/clear_blacklist", self._on_clear_blacklist, RELIABLE_QOS),
            (Empty, "filmnav/reset_map", self._on_reset, RELIABLE_QOS),
        ):
            self.create_subscription(kind, topic, callback, qos, callback_group=map_group)
        self.create_subscription(
            Odometry,
            "odom",
            self._on_odom,
            ODOMETRY_QOS,
            callback_group=MutuallyExclusiveCallbackGroup(),
        )
        self.create_timer(
            1.0 / max(p("publish_rate"), 1e-3), self._publish, callback_group=map_group
        )
        self.get_logger().info(
            f"mapping {self._grid.shape[1]}x{self._grid.shape[0]} cells of "
            f"{self._grid.resolution} m; waiting for depth, camera_info and odom"
        )

    # ---- inputs ------------------------------------------------------------------------------
    def _on_camera_info(self, msg: CameraInfo) -> None:
        self._camera_info = msg
        if self._depth_before_info is not None:  # drivers may publish the image before its info
            depth, self._depth_before_info = self._depth_before_info, None
            self._on_depth(depth)

    def _on_odom(self, msg: Odometry) -> None:
        """The odometry thread: feeds the sync; the map's thread handles what it releases."""
        try:
            pose2d_of(msg.pose.pose)  # rejects NaN and zero quaternions
            frame_id, pose = self._robot_frames.pose(msg)
        except (ValueError, TransformError) as error:
            self._reporter.warn(f"odometry ignored: {error}")
            return
        stamp = stamp_seconds(msg.header.stamp)
        with self._sync_lock:
            if self._frame_id and frame_id != self._frame_id:
                changed = self._frame_id
            else:
                changed = ""
                self._frame_id = frame_id or "odom"
                result = self._sync.add_pose(stamp, Pose2D(*pose))
                if result.pose_accepted:
                    self._robot = (stamp, Pose2D(*pose))
                self._released.append(result)
        if changed:
            self._reporter.warn(
                f"odometry frame changed from '{changed}' to '{frame_id}'; ignored "
                "(publish reset_map to switch)"
            )

    def _handle_released(self) -> None:
        """Handle what odometry released, in order (the map's thread)."""
        with self._sync_lock:
            released, self._released = self._released, []
        for result in released:
            if result.restarted:  # a new episode or odometry source: the old map is elsewhere
                self._clear_map()
            self._handle(result)

    def _on_depth(self, msg: Image) -> None:
        self._handle_released()
        stamp = stamp_seconds(msg.header.stamp)
        if (
            stamp - self._last_integrated < self._min_frame_interval
            and stamp >= self._last_integrated
        ):
            return
        info = self._camera_info
        if info is None:
            if self._depth_before_info is not None:
                self._reporter.warn(
                    "depth frame dropped: no camera_info received yet on camera/depth/camera_info"
                )
            self._depth_before_info = msg
            return
        if (info.width, info.height) != (msg.width, msg.height):
            self._reporter.warn(
                f"depth frame dropped: image is {msg.width}x{msg.height} but "
                f"camera_info says {info.width}x{info.height}"
            )
            return
        intrinsics = Intrinsics(info.k[0], info.k[4], info.k[2], info.k[5])
        if not (intrinsics.fx > 0 and intrinsics.fy > 0):
            self._reporter.warn(
                f"depth frame dropped: camera_info has no focal length (K = {list(info.k)})"
            )
            return
        camera = self._robot_frames.camera(msg.header.frame_id)
        if camera is None:
            self._reporter.ok(
                f"waiting for TF {self._robot_frames.base_frame} -> {msg.header.frame_id}"
            )
            return
        try:
            depth = depth_to_metres(msg)
        except ImageEncodingError as error:
            self._reporter.warn(f"depth frame dropped: {error}")
            return
        with self._sync_lock:
            self._released.append(self._sync.add_frame(stamp, (depth, intrinsics, camera)))
        self._handle_released()

    def _handle(self, result: SyncResult) -> None:
        if result.notice:
            self._reporter.warn(result.notice)
        for dropped in result.dropped:
            self._reporter.warn(f"depth frame dropped: {dropped.reason}")
        for match in result.matched:
            depth, intrinsics, camera = match.frame
            outcome = self._grid.integrate(depth, intrinsics, match.pose, camera)
            self._last_integrated = match.stamp
            self._frames += 1
            self._map_dirty = True
            if outcome.valid_fraction == 0.0:
                self._reporter.warn("depth frame has no valid readings (all NaN, -inf or zero)")
            elif outcome.dropped_points:
                self._reporter.warn(
                    f"{outcome.dropped_points} obstacle points fell outside the bounded map"
                )
            else:
                self._reporter.ok("mapping", frames=self._frames)

    def _on_blacklist(self, msg: PointStamped) -> None:
        self._tracker.blacklist((msg.point.x, msg.point.y))
        self.get_logger().info(
            f"frontiers near ({msg.point.x:.2f}, {msg.point.y:.2f}) blacklisted"
        )

    def _on_clear_blacklist(self, _: Empty) -> None:
        self._tracker.clear_blacklist()
        self.get_logger().info("frontier blacklist cleared")

    def _on_reset(self, _: Empty) -> None:
        with self._sync_lock:
            self._sync.reset()
            self._frame_id, self._robot, self._released = "", None, []
        self._clear_map()

    def _clear_map(self) -> None:
        self._grid.reset()
        self._tracker.reset()
        self._last_integrated = -math.inf
        self._map_dirty = True
        self.get_logger().info("map, frontiers and blacklist reset")

    # ---- outputs -----------------------------------------------------------------------------
    def _publish(self) -> None:
        self._handle_released()
        with self._sync_lock:
            latest = self._robot
        if latest is None or self._frames == 0:
            return
        _, robot = latest
        # the time of the newest depth frame the map holds (0 when none yet): a reader can tell
        # whether what the robot saw until some moment is in the frontiers
        stamp = stamp_msg(max(self._last_integrated, 0.0))
        if self._map_dirty:
            self._map_pub.publish(occupancy_grid_msg(self._grid, self._frame_id, stamp))
            self._map_dirty = False
        frontiers = self._tracker.update(self._grid, (robot.x, robot.y))
        for publisher, published in (
            (self._frontier_pub, frontiers),
            (self._narrow_pub, self._tracker.narrow),
        ):
            array = FrontierArray(
                robot_pose=pose_msg(robot), frontiers=[frontier_msg(f) for f in published]
            )
            array.header.frame_id, array.header.stamp = self._frame_id, stamp
            publisher.publish(array)
        self._marker_pub.publish(frontier_markers(frontiers, self._frame_id, stamp))


def main(args: Sequence[str] | None = None) -> int:
    return run_node(OccupancyMapperNode, args, threads=2)


if __name__ == "__main__":
    sys.exit(main())
