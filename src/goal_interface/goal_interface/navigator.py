"""Nav2 handoff behind one small interface: go to a pose, is it complete, its result, cancel.

Two implementations of `WaypointNavigator`:

- `SimpleCommanderNavigator`: `nav2_simple_commander.BasicNavigator` (a robot with Nav2 installed).
  It is ready once Nav2's action server is up; with a localizer named (a parameter: empty for
  odometry-only navigation, "amcl" also waits for an initial pose) the first goal waits for it.
- `ActionClientNavigator`: a thin rclpy client of `navigate_to_pose`
  (nav2_msgs/action/NavigateToPose, Jazzy fields), used where nav2_simple_commander does not import
  (the pip environment, where the simulator bridge serves the action).

`make_navigator(node, kind, ...)` picks one: kind "auto" prefers BasicNavigator.
"""

from __future__ import annotations

import importlib.util
import threading
from typing import Protocol

from action_msgs.msg import GoalStatus
from geometry_msgs.msg import PoseStamped
from nav2_msgs.action import NavigateToPose
from rclpy.action import ActionClient
from rclpy.callback_groups import CallbackGroup
from rclpy.node import Node

from goal_interface.mission import ExecutorStatus

NAVIGATOR_KINDS = ("auto", "basic_navigator", "action_client")


class WaypointNavigator(Protocol):
    name: str

    def ready(self) -> bool:
        """True when goals can be sent (the action server is up)."""
        ...

    def go_to_pose(self, pose: PoseStamped) -> bool:
        """Send a goal (preempting the current one); False when it could not be sent."""
        ...

    def is_complete(self) -> bool: ...

    def result(self) -> ExecutorStatus:
        """ACTIVE while running; SUCCEEDED, ABORTED or CANCELED once complete."""
        ...

    def cancel(self) -> None: ...


class ActionClientNavigator:
    """Asynchronous NavigateToPose client; safe to call from any executor thread."""

    name = "action_client"

    def __init__(
        self,
        node: Node,
        action_name: str,
        behavior_tree: str = "",
        callback_group: CallbackGroup | None = None,
    ):
        self._node = node
        self._action_name = action_name
        self._client = ActionClient(
            node, NavigateToPose, action_name, callback_group=callback_group
        )
        self._behavior_tree = behavior_tree
        self._lock = threading.Lock()
        self._generation = 0
        self._goal_handle = None
        self._status = ExecutorStatus.IDLE
        self.last_error = ""

    def ready(self) -> bool:
        return self._client.server_is_ready()

    def go_to_pose(self, pose: PoseStamped) -> bool:
        if not self._client.server_is_ready():
            self.last_error = f"no '{self._action_name}' action server"
            with self._lock:
                self._generation += 1
                self._status = ExecutorStatus.ABORTED
            return False
        with self._lock:
            self._generation += 1
            generation = self._generation
            previous, self._goal_handle = self._goal_handle, None
            self._status = ExecutorStatus.ACTIVE
        if previous is not None:
            previous.cancel_goal_async()
        future = self._client.send_goal_async(
            NavigateToPose.Goal(pose=pose, behavior_tree=self._behavior_tree)
        )
        future.add_done_callback(lambda done: self._on_goal_response(generation, done))
        return True

    def _on_goal_response(self, generation: int, future) -> None:
        handle = future.result()
        with self._lock:
            if generation != self._generation:
                if handle is not None and handle.accepted:
                    handle.cancel_goal_async()  # superseded while it was being accepted
                return
            if handle is None or not handle.accepted:
                self.last_error = "navigation goal rejected"
                self._status = ExecutorStatus.ABORTED
                return
            self._goal_handle = handle
        handle.get_result_async().add_done_callback(lambda done: self._on_result(generation, done))

    def _on_result(self, generation: int, future) -> None:
        wrapped = future.result()
        with self._lock:
            if generation != self._generation:
                return
            self._goal_handle = None
            if wrapped.status == GoalStatus.STATUS_SUCCEEDED:
                self._status = ExecutorStatus.SUCCEEDED
            elif wrapped.status == GoalStatus.STATUS_CANCELED:
                self._status = ExecutorStatus.CANCELED
            else:
                result = wrapped.result
                self.last_error = (
                    f"navigation aborted (error {result.error_code}: {result.error_msg})"
                )
                self._status = ExecutorStatus.ABORTED

    def is_complete(self) -> bool:
        return self.result() not in (ExecutorStatus.ACTIVE, ExecutorStatus.IDLE)

    def result(self) -> ExecutorStatus:
        with self._lock:
            return self._status

    def cancel(self) -> None:
        with self._lock:
            self._generation += 1
            handle, self._goal_handle = self._goal_handle, None
            if self._status == ExecutorStatus.ACTIVE:
                self._status = ExecutorStatus.CANCELED
        if handle is not None:
            handle.cancel_goal_async()


class SimpleCommanderNavigator:
    """nav2_simple_commander.BasicNavigator (its own node, spun by its blocking calls)."""

    name = "basic_navigator"

    def __init__(self, node: Node, localizer: str = "", behavior_tree: str = ""):
        from nav2_simple_commander.robot_navigator import BasicNavigator, TaskResult

        self._navigator = BasicNavigator(
            node_name=f"{node.get_name()}_navigator", namespace=node.get_namespace()
        )
        self._task_result = TaskResult
        self._localizer = localizer
        self._behavior_tree = behavior_tree
        self._localizer_active = False
        self._lock = threading.Lock()  # BasicNavigator's calls spin its node: one at a time
        self._sent = False
        self.last_error = ""

    def ready(self) -> bool:
        """Nav2's navigate_to_pose server is up (bt_navigator creates it when it activates)."""
        return self._navigator.nav_to_pose_client.server_is_ready()

    def go_to_pose(self, pose: PoseStamped) -> bool:
        with self._lock:
            if self._localizer and not self._localizer_active:
                # Blocks until the localizer is active (and, for amcl, has an initial pose).
                self._navigator.waitUntilNav2Active(localizer=self._localizer)
                self._localizer_active = True
            self._sent = bool(self._navigator.goToPose(pose, behavior_tree=self._behavior_tree))
            if not self._sent:
                self.last_error = "navigation goal rejected"
            return self._sent

    def is_complete(self) -> bool:
        with self._lock:
            return not self._sent or self._navigator.isTaskComplete()

    def result(self) -> ExecutorStatus:
        if not self._sent:
            return ExecutorStatus.ABORTED
        if not self.is_complete():
            return ExecutorStatus.ACTIVE
        with self._lock:
            outcome = self._navigator.getResult()
        if outcome == self._task_result.SUCCEEDED:
            return ExecutorStatus.SUCCEEDED
        if outcome == self._task_result.CANCELED:
            return ExecutorStatus.CANCELED
        self.last_error = "navigation failed"
        return ExecutorStatus.ABORTED

    def cancel(self) -> None:
        with self._lock:
            if self._sent:
                self._navigator.cancelTask()


def basic_navigator_available() -> bool:
    return importlib.util.find_spec("nav2_simple_commander") is not None


def make_navigator(
    node: Node,
    kind: str,
    action_name: str,
    localizer: str = "",
    behavior_tree: str = "",
    callback_group: CallbackGroup | None = None,
) -> WaypointNavigator:
    """The navigator of the given kind ("auto": BasicNavigator where it imports)."""
    if kind not in NAVIGATOR_KINDS:
        raise ValueError(
            f"unknown navigator '{kind}' (expected one of {', '.join(NAVIGATOR_KINDS)})"
        )
    if kind == "basic_navigator" or (kind == "auto" and basic_navigator_available()):
        return SimpleCommanderNavigator(node, localizer, behavior_tree)
    return ActionClientNavigator(node, action_name, behavior_tree, callback_group)
