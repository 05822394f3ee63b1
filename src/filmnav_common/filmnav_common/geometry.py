"""Planar pose conversions between ROS messages and (x, y, yaw) tuples (REP-103: metres,
radians, yaw counter-clockwise about +z)."""

from __future__ import annotations

import math

from geometry_msgs.msg import Pose, Quaternion


def yaw_from_quaternion(q: Quaternion) -> float:
    """Rotation about +z of a quaternion (roll and pitch ignored)."""
    return math.atan2(2.0 * (q.w * q.z + q.x * q.y), 1.0 - 2.0 * (q.y * q.y + q.z * q.z))


def quaternion_from_yaw(yaw: float) -> Quaternion:
    return Quaternion(x=0.0, y=0.0, z=math.sin(yaw / 2.0), w=math.cos(yaw / 2.0))


def planar_pose(x: float, y: float, yaw: float) -> Pose:
    pose = Pose(orientation=quaternion_from_yaw(yaw))
    pose.position.x, pose.position.y = float(x), float(y)
    return pose


def pose_to_xy_yaw(pose: Pose) -> tuple[float, float, float]:
    return pose.position.x, pose.position.y, yaw_from_quaternion(pose.orientation)
