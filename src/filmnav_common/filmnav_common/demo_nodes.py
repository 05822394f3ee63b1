"""`talker` and `listener`: the smallest ROS 2 graph, for checking a launch set-up end to end.

talker publishes `<message> <n>` on `chatter` at `rate` Hz; listener logs what it hears on
`chatter`. Remap, namespace and parameter handling can be seen in their log lines.
"""

from __future__ import annotations

from collections.abc import Sequence

from rcl_interfaces.msg import ParameterDescriptor
from rclpy.node import Node
from std_msgs.msg import String

from filmnav_common.node_main import run_node


class Talker(Node):
    def __init__(self) -> None:
        super().__init__("talker")
        self.message = self.declare_parameter(
            "message", "hello", ParameterDescriptor(description="text before the counter")
        ).value
        rate = self.declare_parameter(
            "rate", 2.0, ParameterDescriptor(description="messages per second")
        ).value
        self.count = 0
        self.publisher = self.create_publisher(String, "chatter", 10)
        self.timer = self.create_timer(1.0 / max(float(rate), 1e-3), self.publish)
        self.get_logger().info(
            f"publishing '{self.message}' on {self.publisher.topic_name} at {rate:g} Hz"
        )

    def publish(self) -> None:
        self.count += 1
        self.publisher.publish(String(data=f"{self.message} {self.count}"))


class Listener(Node):
    def __init__(self) -> None:
        super().__init__("listener")
        self.subscription = self.create_subscription(String, "chatter", self.heard, 10)
        self.get_logger().info(f"listening on {self.subscription.topic_name}")

    def heard(self, msg: String) -> None:
        self.get_logger().info(f"I heard: [{msg.data}]")


def talker(argv: Sequence[str] | None = None) -> int:
    return run_node(Talker, argv)


def listener(argv: Sequence[str] | None = None) -> int:
    return run_node(Listener, argv)
