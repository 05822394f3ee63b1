"""ROS plumbing shared by the node tests: a client node with every topic, helpers to publish."""

from __future__ import annotations

import time

import rclpy
from diagnostic_msgs.msg import DiagnosticArray
from filmnav_interfaces.msg import FrontierArray
from mapper_scenes import INTRINSICS, SIZE
from nav_msgs.msg import OccupancyGrid, Odometry
from processes import NodeProcess, python_module
from sensor_msgs.msg import CameraInfo, Image
from visualization_msgs.msg import MarkerArray

from filmnav_common.planar import Pose2D
from filmnav_common.qos import LATCHED_QOS, RELIABLE_QOS, SENSOR_QOS
from frontier_mapper.messages import pose_msg, stamp_msg

TIMEOUT = 20.0


def make_client():
    """A client node that records the stack's outputs in node.inbox and can publish its inputs."""
    node = rclpy.create_node("mapper_test_client")
    node.inbox = {"map": [], "frontiers": [], "narrow": [], "markers": [], "diagnostics": []}
    for key, kind, topic, qos in (
        ("map", OccupancyGrid, "filmnav/map", LATCHED_QOS),
        ("frontiers", FrontierArray, "filmnav/frontiers", RELIABLE_QOS),
        ("narrow", FrontierArray, "filmnav/narrow_frontiers", RELIABLE_QOS),
        ("markers", MarkerArray, "filmnav/frontier_markers", RELIABLE_QOS),
        ("diagnostics", DiagnosticArray, "diagnostics", 50),
    ):
        node.create_subscription(kind, topic, node.inbox[key].append, qos)
    node.odom_pub = node.create_publisher(Odometry, "odom", RELIABLE_QOS)
    node.depth_pub = node.create_publisher(Image, "camera/depth/image_raw", SENSOR_QOS)
    node.info_pub = node.create_publisher(CameraInfo, "camera/depth/camera_info", SENSOR_QOS)
    node.rgb_pub = node.create_publisher(Image, "camera/color/image_raw", SENSOR_QOS)
    node.frontier_pub = node.create_publisher(FrontierArray, "filmnav/frontiers", RELIABLE_QOS)
    return node


def start(tmp_path_factory, module: str, *params: str):
    log = tmp_path_factory.mktemp(module.rsplit(".", 1)[-1]) / "node.log"
    args = [arg for param in params for arg in ("-p", param)]
    return NodeProcess(python_module(module, "--ros-args", *args), log)


def spin(node, seconds: float = 0.02) -> None:
    rclpy.spin_once(node, timeout_sec=seconds)


def diagnostics_text(node) -> str:
    return "\n".join(s.message for array in node.inbox["diagnostics"] for s in array.status)


def publish_until(node, publish, condition, timeout: float = TIMEOUT) -> bool:
    """Publish repeatedly (sensor QoS is best effort) until `condition` holds."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        publish()
        for _ in range(5):
            spin(node)
        if condition():
            return True
    return False


def odom(stamp: float, pose: Pose2D) -> Odometry:
    msg = Odometry()
    msg.header.frame_id, msg.header.stamp = "odom", stamp_msg(stamp)
    msg.pose.pose = pose_msg(pose)
    return msg


def stamped(image: Image, stamp: float) -> Image:
    image.header.stamp = stamp_msg(stamp)
    return image


def camera_info() -> CameraInfo:
    info = CameraInfo(width=SIZE[0], height=SIZE[1])
    info.k = [INTRINSICS.fx, 0.0, INTRINSICS.cx, 0.0, INTRINSICS.fy, INTRINSICS.cy, 0.0, 0.0, 1.0]
    return info
