"""`talker` and `listener`: the smallest ROS 2 graph, for checking a launch set-up end to end.

talker publishes `<message> <n>` on `chatter` at `rate` Hz; listener logs what it hears on
`chatter`. Remap, namespace and parameter handling can be seen in their log lines.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import rclpy
from rcl_interfaces.msg import ParameterDescriptor
from rclpy.executors import ExternalShutdownException
from rclpy.node import Node
from std_msgs.msg import String


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


def spin_node(node_type: Callable[[], Node], argv: Sequence[str] | None) -> int:
    """Run a node until Ctrl-C or SIGTERM, then shut down cleanly (exit status 0)."""
    rclpy.init(args=argv)
    node = node_type()
    try:
        rclpy.spin(node)
    except (KeyboardInterrupt, ExternalShutdownException):
        pass
    finally:
        node.destroy_node()
        rclpy.try_shutdown()
    return 0


def talker(argv: Sequence[str] | None = None) -> int:
    return spin_node(Talker, argv)


def listener(argv: Sequence[str] | None = None) -> int:
    return spin_node(Listener, argv)
