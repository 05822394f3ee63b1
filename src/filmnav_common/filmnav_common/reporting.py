"""Node health reports on the standard `diagnostics` topic.

Every FiLM-Nav node reports bad input and failures here (and in its log) and keeps running; the
goal_interface node relays warnings and errors into `filmnav/status`, the one topic operators
watch, and judges from these reports whether each node is alive. Standard ROS tools
(rqt_robot_monitor, diagnostic aggregators) read the same topic.

Each report carries the node's process id (`pid`), so a restarted node is told apart from the old
one. Besides a report on every change, the last report is repeated every `HEARTBEAT_PERIOD` from
a thread of its own, so a node busy in a long callback still shows it is alive. A node that cannot
start says why as its last word (`last_word`: an ERROR report with `exited: true`, delivered
before the process ends).
"""

from __future__ import annotations

import contextlib
import os
import threading
import time
from collections.abc import Iterator

from diagnostic_msgs.msg import DiagnosticArray, DiagnosticStatus, KeyValue
from rclpy.duration import Duration
from rclpy.node import Node

# DiagnosticStatus levels are `byte` fields (bytes in Python); compare them as ints.
OK, WARN, ERROR = (
    ord(DiagnosticStatus.OK),
    ord(DiagnosticStatus.WARN),
    ord(DiagnosticStatus.ERROR),
)
HEARTBEAT_PERIOD = 0.5  # seconds between repeats of a node's last report
PID_KEY, EXITED_KEY = "pid", "exited"
# Seconds a failing node waits for its last report to be received (discovery on a busy machine
# finds readers one by one, over seconds).
LAST_WORD_TIMEOUT = 8.0
LAST_WORD_QUIET = 2.0  # seconds without a newly matched reader before the node may go
DISCOVERY_SETTLE = 6.0  # seconds after other nodes are seen for a diagnostics reader to show up


class StatusReporter:
    """Publishes one DiagnosticStatus for its node whenever the level or message changes, and
    repeats the last one every `heartbeat` seconds (0: never)."""

    def __init__(
        self, node: Node, topic: str = "diagnostics", heartbeat: float = HEARTBEAT_PERIOD
    ):
        self._node = node
        self._publisher = node.create_publisher(DiagnosticArray, topic, 10)
        self._lock = threading.Lock()
        self._last: tuple[int, str] | None = None
        self._status = self._status_msg(OK, "running", {})  # what heartbeats say until a report
        self._stopped = threading.Event()
        if heartbeat > 0:
            threading.Thread(
                target=self._beat, args=(heartbeat,), name="diagnostics-heartbeat", daemon=True
            ).start()

    def _status_msg(self, level: int, message: str, values: dict[str, object]) -> DiagnosticStatus:
        return DiagnosticStatus(
            level=bytes([level]),
            name=self._node.get_fully_qualified_name(),
            message=message,
            hardware_id="filmnav",
            values=[
                KeyValue(key=key, value=str(value))
                for key, value in {**values, PID_KEY: os.getpid()}.items()
            ],
        )

    def _publish(self, status: DiagnosticStatus) -> None:
        array = DiagnosticArray(status=[status])
        array.header.stamp = self._node.get_clock().now().to_msg()
        self._publisher.publish(array)

    def report(self, level: int, message: str, **values: object) -> None:
        """Log and publish a report; repeated identical reports are published once."""
        if level >= ERROR:
            self._node.get_logger().error(message)
        elif level >= WARN:
            self._node.get_logger().warning(message)
        with self._lock:
            if self._last == (level, message):
                return
            self._last = (level, message)
            self._status = self._status_msg(level, message, values)
            self._publish(self._status)

    def ok(self, message: str = "running", **values: object) -> None:
        self.report(OK, message, **values)

    def warn(self, message: str, **values: object) -> None:
        self.report(WARN, message, **values)

    def error(self, message: str, **values: object) -> None:
        self.report(ERROR, message, **values)

    @contextlib.contextmanager
    def last_word(self, what: str, *errors: type[Exception]) -> Iterator[None]:
        """Around start-up work that may fail with `errors`: the failure becomes the node's last
        report, "<what>: <error>", before it propagates (the caller logs it and exits)."""
        try:
            yield
        except errors as error:
            self._say_last(f"{what}: {error}")
            raise

    def _say_last(self, message: str) -> None:
        """Publish an ERROR report marked exited to every diagnostics reader that shows up within
        a bounded wait. A node that fails right at start is still discovering its readers: the
        report goes out again to each newly matched one, until every reader the ROS graph knows
        of has it and none has come for LAST_WORD_QUIET seconds (or, when no reader shows up,
        a while after other nodes are seen)."""
        with self._lock:
            self._stopped.set()
            self._last = (ERROR, message)
            self._status = self._status_msg(ERROR, message, {EXITED_KEY: "true"})
        start = time.monotonic()
        deadline, told, told_at, others_seen = start + LAST_WORD_TIMEOUT, 0, start, None
        while (now := time.monotonic()) < deadline:
            matched = self._publisher.get_subscription_count()
            if matched > told:
                self._publish(self._status)
                told, told_at = matched, now
            readers = self._node.count_subscribers(self._publisher.topic_name)
            if told and told >= readers and now - told_at >= LAST_WORD_QUIET:
                break
            if others_seen is None and len(self._node.get_node_names()) > 1:
                others_seen = now
            if not told and not readers and others_seen and now - others_seen > DISCOVERY_SETTLE:
                break
            time.sleep(0.02)
        self._publisher.wait_for_all_acked(Duration(seconds=max(deadline - time.monotonic(), 0.1)))

    def _beat(self, period: float) -> None:
        while not self._stopped.wait(period):
            try:
                with self._lock:
                    self._publish(self._status)
            except Exception:  # the node or its context is gone: nothing left to report for
                return
