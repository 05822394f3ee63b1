"""Builders for the bridge's ROS messages from simulator values (poses, intrinsics, metrics)."""

from __future__ import annotations

from builtin_interfaces.msg import Duration, Time
from geometry_msgs.msg import PoseStamped, Quaternion
from nav_msgs.msg import Odometry
from sensor_msgs.msg import CameraInfo
from std_msgs.msg import Header

from filmnav_common.geometry import planar_pose, yaw_from_quaternion


def seconds_to_time(seconds: float) -> Time:
    """A builtin_interfaces/Time from float seconds (nanoseconds rounded, never 1e9)."""
    nanoseconds = int(round(seconds * 1e9))
    return Time(sec=nanoseconds // 1_000_000_000, nanosec=nanoseconds % 1_000_000_000)


def seconds_to_duration(seconds: float) -> Duration:
    nanoseconds = int(round(max(seconds, 0.0) * 1e9))
    return Duration(sec=nanoseconds // 1_000_000_000, nanosec=nanoseconds % 1_000_000_000)


def quaternion_to_yaw(quaternion: Quaternion) -> float | None:
    """Yaw (rad) of a rotation; None for an all-zero quaternion, which sets no orientation."""
    x, y, z, w = quaternion.x, quaternion.y, quaternion.z, quaternion.w
    if x * x + y * y + z * z + w * w < 1e-12:
        return None
    return yaw_from_quaternion(quaternion)


def pose_stamped(pose_xy_yaw: tuple[float, float, float], header: Header) -> PoseStamped:
    return PoseStamped(header=header, pose=planar_pose(*pose_xy_yaw))


def odometry(
    pose_xy_yaw: tuple[float, float, float], header: Header, child_frame: str
) -> Odometry:
    """Ground-truth odometry of the base; the simulator moves in discrete steps, so no twist."""
    message = Odometry(header=header, child_frame_id=child_frame)
    message.pose.pose = planar_pose(*pose_xy_yaw)
    return message


def camera_info(
    intrinsics: tuple[float, float, float, float], width: int, height: int, header: Header
) -> CameraInfo:
    """Pinhole CameraInfo without distortion (the simulator renders an ideal camera)."""
    fx, fy, cx, cy = (float(value) for value in intrinsics)
    return CameraInfo(
        header=header,
        width=int(width),
        height=int(height),
        distortion_model="plumb_bob",
        d=[0.0] * 5,
        k=[fx, 0.0, cx, 0.0, fy, cy, 0.0, 0.0, 1.0],
        r=[1.0, 0.0, 0.0, 0.0, 1.0, 0.0, 0.0, 0.0, 1.0],
        p=[fx, 0.0, cx, 0.0, 0.0, fy, cy, 0.0, 0.0, 0.0, 1.0, 0.0],
    )
