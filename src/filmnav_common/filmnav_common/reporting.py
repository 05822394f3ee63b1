"""Node health reports on the standard `diagnostics` topic.

Every FiLM-Nav node reports bad input and failures here (and in its log) and keeps running; the
goal_interface node relays warnings and errors into `filmnav/status`, the one topic operators
watch. Standard ROS tools (rqt_robot_monitor, diagnostic aggregators) read the same topic.
"""

from __future__ import annotations

from diagnostic_msgs.msg import DiagnosticArray, DiagnosticStatus, KeyValue
from rclpy.node import Node

# DiagnosticStatus levels are `byte` fields (bytes in Python); compare them as ints.
OK, WARN, ERROR = (
    ord(DiagnosticStatus.OK),
    ord(DiagnosticStatus.WARN),
    ord(DiagnosticStatus.ERROR),
)


class StatusReporter:
    """Publishes one DiagnosticStatus for its node whenever the level or message changes."""

    def __init__(self, node: Node, topic: str = "diagnostics"):
        self._node = node
        self._publisher = node.create_publisher(DiagnosticArray, topic, 10)
        self._last: tuple[int, str] | None = None

    def report(self, level: int, message: str, **values: object) -> None:
        """Log and publish a report; repeated identical reports are published once."""
        if level >= ERROR:
            self._node.get_logger().error(message)
        elif level >= WARN:
            self._node.get_logger().warning(message)
        if self._last == (level, message):
            return
        self._last = (level, message)
        status = DiagnosticStatus(
            level=bytes([level]),
            name=self._node.get_fully_qualified_name(),
            message=message,
            hardware_id="filmnav",
            values=[KeyValue(key=key, value=str(value)) for key, value in values.items()],
        )
        array = DiagnosticArray(status=[status])
        array.header.stamp = self._node.get_clock().now().to_msg()
        self._publisher.publish(array)

    def ok(self, message: str = "running", **values: object) -> None:
        self.report(OK, message, **values)

    def warn(self, message: str, **values: object) -> None:
        self.report(WARN, message, **values)

    def error(self, message: str, **values: object) -> None:
        self.report(ERROR, message, **values)
