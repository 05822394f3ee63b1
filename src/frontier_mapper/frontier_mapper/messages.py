"""Conversions between the core's numpy/dataclass types and ROS messages (used by both nodes)."""

from __future__ import annotations

import array
import math

import numpy as np
from builtin_interfaces.msg import Time
from filmnav_interfaces.msg import Frontier as FrontierMsg
from filmnav_interfaces.msg import Keyframe as KeyframeMsg
from geometry_msgs.msg import Point, Pose
from nav_msgs.msg import OccupancyGrid
from visualization_msgs.msg import Marker, MarkerArray

from filmnav_common.geometry import planar_pose, yaw_from_quaternion
from filmnav_common.image_codec import numpy_to_image
from filmnav_common.planar import Pose2D
from filmnav_common.policy_messages import path_distance_field
from frontier_mapper.frontiers import Frontier
from frontier_mapper.keyframes import Keyframe, frontier_segment
from frontier_mapper.occupancy import OccupancyMap


def stamp_msg(seconds: float) -> Time:
    nanoseconds = int(round(seconds * 1e9))
    return Time(sec=nanoseconds // 1_000_000_000, nanosec=nanoseconds % 1_000_000_000)


def pose2d_of(pose: Pose) -> Pose2D:
    """Planar pose of a geometry_msgs/Pose; ValueError if it holds NaN/inf or a zero quaternion."""
    q = pose.orientation
    values = (pose.position.x, pose.position.y, q.x, q.y, q.z, q.w)
    if not all(math.isfinite(v) for v in values):
        raise ValueError("pose contains NaN or infinite values")
    if q.x * q.x + q.y * q.y + q.z * q.z + q.w * q.w < 1e-12:
        raise ValueError("pose orientation is a zero quaternion")
    return Pose2D(pose.position.x, pose.position.y, yaw_from_quaternion(q))


def pose_msg(pose: Pose2D) -> Pose:
    return planar_pose(pose.x, pose.y, pose.yaw)


def occupancy_grid_msg(grid: OccupancyMap, frame_id: str, stamp: Time) -> OccupancyGrid:
    msg = OccupancyGrid()
    msg.header.frame_id, msg.header.stamp = frame_id, stamp
    msg.info.map_load_time = stamp
    msg.info.resolution = float(grid.resolution)
    msg.info.height, msg.info.width = grid.shape
    msg.info.origin = pose_msg(Pose2D(float(grid.origin[0]), float(grid.origin[1]), 0.0))
    msg.data = array.array("b", grid.to_occupancy_values().tobytes())
    return msg


def frontier_msg(frontier: Frontier) -> FrontierMsg:
    msg = FrontierMsg(
        id=int(frontier.id),
        size=float(frontier.size),
        path_distance=path_distance_field(frontier.path_distance),
        keyframe_id=int(frontier.keyframe_id),
    )
    msg.centroid.x, msg.centroid.y = map(float, frontier.centroid)
    msg.waypoint = pose_msg(frontier.waypoint)
    return msg


def frontier_points(msg: FrontierMsg) -> np.ndarray:
    """World points [N, 2] standing for a frontier message's cells (a segment, see keyframes)."""
    facing = pose2d_of(msg.waypoint).yaw
    return frontier_segment((msg.centroid.x, msg.centroid.y), max(float(msg.size), 0.0), facing)


def keyframe_msg(keyframe: Keyframe) -> KeyframeMsg:
    return KeyframeMsg(
        id=int(keyframe.id),
        stamp=stamp_msg(keyframe.stamp),
        pose=pose_msg(keyframe.pose),
        image=numpy_to_image(keyframe.image, "rgb8"),
    )


def frontier_markers(frontiers: list[Frontier], frame_id: str, stamp: Time) -> MarkerArray:
    """A DELETEALL, then per frontier its cells (points), waypoint (arrow) and id (text)."""
    markers = [Marker(action=Marker.DELETEALL)]
    for frontier in frontiers:
        hue = (frontier.id * 0.618034) % 1.0  # golden-ratio hues: neighbours differ
        colour = (
            0.5 + 0.5 * math.cos(2 * math.pi * hue),
            0.5 + 0.5 * math.cos(2 * math.pi * (hue - 1 / 3)),
            0.5 + 0.5 * math.cos(2 * math.pi * (hue - 2 / 3)),
        )
        for namespace, kind in (
            ("cells", Marker.POINTS),
            ("waypoint", Marker.ARROW),
            ("label", Marker.TEXT_VIEW_FACING),
        ):
            marker = Marker(ns=namespace, id=int(frontier.id), type=kind, action=Marker.ADD)
            marker.header.frame_id, marker.header.stamp = frame_id, stamp
            marker.color.r, marker.color.g, marker.color.b = colour
            marker.color.a = 1.0
            markers.append(marker)
        cells, arrow, label = markers[-3:]
        cells.pose.orientation.w = 1.0
        cells.scale.x = cells.scale.y = 0.05
        cells.points = [Point(x=float(x), y=float(y)) for x, y in frontier.cells]
        arrow.pose = pose_msg(frontier.waypoint)
        arrow.scale.x, arrow.scale.y, arrow.scale.z = 0.4, 0.08, 0.08
        label.pose = pose_msg(
            Pose2D(float(frontier.centroid[0]), float(frontier.centroid[1]), 0.0)
        )
        label.pose.position.z = 0.5
        label.scale.z = 0.3
        label.text = f"{frontier.id}: {frontier.size:.1f} m"
    return MarkerArray(markers=markers)
