"""A robot's TF for the listener test, published the way robots do:

- on start, once, one latched TFMessage on /tf_static (as robot_state_publisher): base_link ->
  camera_link (mounted 0.25 m ahead, 0.88 m up, pitched down) -> camera_color_optical_frame;
- at 50 Hz on /tf: odom -> base_link (odometry), and every fifth tick map -> odom (a localizer).

Both dynamic links are linear in t = (stamp - epoch_ns) seconds, so a lookup at any time
between two samples has an exact expected value. Parameter `epoch_ns` (int).
"""

from __future__ import annotations

import math

from rclpy.node import Node
from tf2_msgs.msg import TFMessage

from filmnav_common.node_main import run_node
from filmnav_common.tf_listener import (
    TF_QOS,
    TF_STATIC_BROADCASTER_QOS,
    TF_STATIC_TOPIC,
    TF_TOPIC,
    transform_to_msg,
)
from filmnav_common.transforms import NS_PER_S, StampedTransform, Transform, quaternion_from_yaw

CAMERA_TRANSLATION = (0.25, 0.0, 0.88)
CAMERA_PITCH = 0.2  # radians about +y: looking down
OPTICAL_TRANSLATION = (0.0, 0.015, 0.0)
OPTICAL_QUATERNION = (-0.5, 0.5, -0.5, 0.5)  # x right, y down, z forward
PERIOD_S = 0.02
MAP_EVERY = 5  # ticks


def odom_to_base(t: float) -> tuple[float, float, float]:
    """(x, y, yaw) of base_link in odom, t seconds after the epoch."""
    return 0.5 + 0.2 * t, -0.1 * t, 0.3 * t


def map_to_odom(t: float) -> tuple[float, float, float]:
    return 1.0, 2.0 + 0.05 * t, 0.5 + 0.01 * t


def planar(parent: str, child: str, stamp_ns: int, pose: tuple[float, float, float]):
    x, y, yaw = pose
    stamped = StampedTransform(
        parent, child, stamp_ns, Transform((x, y, 0.0), quaternion_from_yaw(yaw))
    )
    return transform_to_msg(stamped)


class TfPeer(Node):
    def __init__(self) -> None:
        super().__init__("tf_peer")
        self.epoch_ns = self.declare_parameter("epoch_ns", 0).value
        self.tf = self.create_publisher(TFMessage, TF_TOPIC, TF_QOS)
        self.tf_static = self.create_publisher(
            TFMessage, TF_STATIC_TOPIC, TF_STATIC_BROADCASTER_QOS
        )
        now = self.get_clock().now().nanoseconds
        pitch = (0.0, math.sin(CAMERA_PITCH / 2), 0.0, math.cos(CAMERA_PITCH / 2))
        mount = Transform(CAMERA_TRANSLATION, pitch)
        optical = Transform(OPTICAL_TRANSLATION, OPTICAL_QUATERNION)
        self.tf_static.publish(
            TFMessage(
                transforms=[
                    transform_to_msg(StampedTransform("base_link", "camera_link", now, mount)),
                    transform_to_msg(
                        StampedTransform("camera_link", "camera_color_optical_frame", now, optical)
                    ),
                ]
            )
        )
        self.get_logger().info("static transforms sent")
        self.ticks = 0
        self.create_timer(PERIOD_S, self.tick)

    def tick(self) -> None:
        stamp = self.get_clock().now().nanoseconds
        t = (stamp - self.epoch_ns) / NS_PER_S
        self.tf.publish(
            TFMessage(transforms=[planar("odom", "base_link", stamp, odom_to_base(t))])
        )
        if self.ticks % MAP_EVERY == 0:
            self.tf.publish(TFMessage(transforms=[planar("map", "odom", stamp, map_to_odom(t))]))
        self.ticks += 1


if __name__ == "__main__":
    run_node(TfPeer)
