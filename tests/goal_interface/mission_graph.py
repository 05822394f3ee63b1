"""The test side of a goal_interface graph: an operator node that sends goals, faults and
detections, and records the mission status, the active goal, detections and diagnostics."""

from __future__ import annotations

import pathlib
import threading
import time

import rclpy
from diagnostic_msgs.msg import DiagnosticArray
from filmnav_interfaces.action import FindObject
from filmnav_interfaces.msg import DetectionArray, Goal, MissionStatus
from processes import wait_until
from rclpy.action import ActionClient
from rclpy.executors import SingleThreadedExecutor
from rclpy.qos import QoSProfile
from rosgraph_msgs.msg import Clock
from sensor_msgs.msg import Image
from std_msgs.msg import Empty, String

from filmnav_common.qos import LATCHED_QOS, RELIABLE_QOS

TIMEOUT = 30.0
FAKE_ROBOT = pathlib.Path(__file__).with_name("fake_robot.py")
DEEP = 10_000  # reader queues deep enough that no message is dropped while a test is busy


def parameters(**values: object) -> list[str]:
    """`--ros-args` parameter arguments: -p name:=value ..."""
    arguments = []
    for name, value in values.items():
        text = str(value).lower() if isinstance(value, bool) else str(value)
        arguments += ["-p", f"{name}:={text}"]
    return arguments


class Operator:
    """Sends goals and cancels, watches the latched status and what the other nodes see."""

    def __init__(self, name: str = "goal_interface_test_operator") -> None:
        self.node = rclpy.create_node(name)
        self._lock = threading.Lock()
        self.statuses: list[MissionStatus] = []
        self.announced: list[Goal] = []  # filmnav/active_goal, as the detector follows it
        self.detections: list[DetectionArray] = []
        self.diagnostics: list[DiagnosticArray] = []
        self.clock: list[tuple[float, float]] = []  # (arrival on the steady clock, sim time)
        self.robot_fault: str | None = None  # the fake robot's fault in force, once heard
        latched = QoSProfile(
            depth=DEEP, reliability=LATCHED_QOS.reliability, durability=LATCHED_QOS.durability
        )
        reliable = QoSProfile(depth=DEEP, reliability=RELIABLE_QOS.reliability)
        self.node.create_subscription(MissionStatus, "filmnav/status", self._on_status, latched)
        self.node.create_subscription(
            Goal, "filmnav/active_goal", self._record(self.announced), latched
        )
        self.node.create_subscription(
            DetectionArray, "filmnav/detections", self._record(self.detections), reliable
        )
        self.node.create_subscription(
            DiagnosticArray, "diagnostics", self._record(self.diagnostics), DEEP
        )
        self.node.create_subscription(
            String, "fake_robot/fault_state", self._on_robot_fault, latched
        )
        self.node.create_subscription(
            Clock,
            "clock",
            lambda msg: self.clock.append(
                (time.monotonic(), msg.clock.sec + msg.clock.nanosec * 1e-9)
            ),
            10,
        )
        self.goal_pub = self.node.create_publisher(Goal, "filmnav/goal", RELIABLE_QOS)
        self.text_pub = self.node.create_publisher(String, "filmnav/goal_text", RELIABLE_QOS)
        self.cancel_pub = self.node.create_publisher(Empty, "filmnav/cancel", RELIABLE_QOS)
        self.fault_pub = self.node.create_publisher(String, "fake_robot/fault", RELIABLE_QOS)
        self.detections_pub = self.node.create_publisher(
            DetectionArray, "filmnav/detections", RELIABLE_QOS
        )
        self.diagnostics_pub = self.node.create_publisher(DiagnosticArray, "diagnostics", 10)
        self.action = ActionClient(self.node, FindObject, "filmnav/find_object")
        self.executor = SingleThreadedExecutor()
        self.executor.add_node(self.node)
        self._thread = threading.Thread(target=self.executor.spin, daemon=True)
        self._thread.start()

    def _record(self, into: list):
        def append(msg) -> None:
            with self._lock:
                into.append(msg)

        return append

    def _on_status(self, msg: MissionStatus) -> None:
        with self._lock:
            self.statuses.append(msg)

    def since(self, start: int) -> list[MissionStatus]:
        with self._lock:
            return list(self.statuses[start:])

    def mark(self) -> int:
        with self._lock:
            return len(self.statuses)

    def latest(self) -> MissionStatus:
        with self._lock:
            return self.statuses[-1]

    def send(
        self, goal_id: str, task: str = "object", text: str = "bed", image: Image | None = None
    ) -> int:
        start = self.mark()
        self.goal_pub.publish(Goal(id=goal_id, task=task, text=text, image=image or Image()))
        return start

    def _on_robot_fault(self, msg: String) -> None:
        self.robot_fault = msg.data

    def fault(self, name: str) -> None:
        """Switch the fake robot's fault, and wait until it is in force."""
        self.fault_pub.publish(String(data=name))
        assert wait_until(lambda: self.robot_fault == name, TIMEOUT), (
            f"the fake robot still has fault {self.robot_fault!r}, not {name!r}"
        )

    def wait_for(self, predicate, start: int, timeout: float = TIMEOUT) -> MissionStatus:
        """The first status since `start` that satisfies `predicate` (fails with the statuses)."""
        found: list[MissionStatus] = []

        def seen() -> bool:
            found[:] = [status for status in self.since(start) if predicate(status)]
            return bool(found)

        assert wait_until(seen, timeout), describe(self.since(start)[-25:])
        return found[0]

    def wait_future(self, future, timeout: float = TIMEOUT):
        assert wait_until(future.done, timeout), "no answer"
        return future.result()

    def in_executor(self, call, timeout: float = TIMEOUT):
        """`call()` run in the operator's executor thread, and its result. rclpy's action client
        files a request only after sending it: sent from another thread, a quick answer can come
        first and be dropped ("Ignoring unexpected goal response")."""
        return self.wait_future(self.executor.create_task(call), timeout)

    def find_object(self, goal: Goal, feedback: list | None = None):
        """Send a FindObject goal (its feedback into `feedback`); its goal handle."""
        sent = self.in_executor(
            lambda: self.action.send_goal_async(
                FindObject.Goal(goal=goal),
                feedback_callback=None if feedback is None else self._record(feedback),
            )
        )
        return self.wait_future(sent)

    def result_of(self, handle, timeout: float = TIMEOUT) -> FindObject.Result:
        return self.wait_future(self.in_executor(handle.get_result_async), timeout).result

    def close(self) -> None:
        self.executor.shutdown()
        self.node.destroy_node()


def describe(statuses: list[MissionStatus]) -> str:
    """The statuses, one a line, with the parts that are not OK."""
    return "\n".join(
        f"{s.goal_id} {s.state_name} (elapsed {s.elapsed:.1f}): {s.message[:300]} "
        f"(frontier {s.current_frontier}) "
        + ", ".join(f"{p.name} {p.level_name}: {p.message}" for p in s.health if p.level)
        for s in statuses
    )


def health_of(status: MissionStatus, name: str):
    return next(part for part in status.health if part.name == name)
