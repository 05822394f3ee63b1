"""A robot's TF for node tests, published as robots do: once, latched on /tf_static, base_link ->
camera_link -> camera_color_optical_frame (robot_state_publisher); at 20 Hz on /tf, map -> odom
(a localizer), stamped now. The mounting and the map offset are module constants, so tests know
the expected values; run it as a script (its own process)."""

from __future__ import annotations

from rclpy.node import Node
from tf2_msgs.msg import TFMessage

from filmnav_common.camera import OPTICAL_QUATERNION, CameraExtrinsics
from filmnav_common.node_main import run_node
from filmnav_common.tf_listener import (
    TF_QOS,
    TF_STATIC_BROADCASTER_QOS,
    TF_STATIC_TOPIC,
    TF_TOPIC,
    transform_to_msg,
)
from filmnav_common.transforms import StampedTransform, Transform, quaternion_from_yaw

OPTICAL_FRAME = "camera_color_optical_frame"
CAMERA = CameraExtrinsics(x=0.3, y=-0.05, height=1.2, pitch=0.25, yaw=0.2)
MAP_FROM_ODOM = Transform((2.0, -1.0, 0.0), quaternion_from_yaw(0.5))


class RobotTf(Node):
    def __init__(self) -> None:
        super().__init__("robot_tf")
        stamp = self.get_clock().now().nanoseconds
        links = (
            ("base_link", "camera_link", CAMERA.body_transform()),
            ("camera_link", OPTICAL_FRAME, Transform(rotation=OPTICAL_QUATERNION)),
        )
        self.create_publisher(TFMessage, TF_STATIC_TOPIC, TF_STATIC_BROADCASTER_QOS).publish(
            TFMessage(
                transforms=[
                    transform_to_msg(StampedTransform(parent, child, stamp, transform))
                    for parent, child, transform in links
                ]
            )
        )
        self._tf = self.create_publisher(TFMessage, TF_TOPIC, TF_QOS)
        self.create_timer(0.05, self._localize)

    def _localize(self) -> None:
        stamp = self.get_clock().now().nanoseconds
        link = StampedTransform("map", "odom", stamp, MAP_FROM_ODOM)
        self._tf.publish(TFMessage(transforms=[transform_to_msg(link)]))


if __name__ == "__main__":
    run_node(RobotTf)
