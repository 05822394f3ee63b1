"""Nav2 handoff behind one small interface: go to a pose, is it complete, its result, cancel.

`ActionClientNavigator` is an rclpy client of nav2_msgs/action/NavigateToPose on
`navigate_action` (a relative name resolves in the node's namespace, so `namespace:=robot1`
reaches `/robot1/navigate_to_pose`). No call blocks, so the goal_interface node may call it every
tick under its lock:

- `ready()`: the action server is up and, with the Nav2 lifecycle check (kinds "nav2"/"auto"),
  Nav2 is active. Nav2's bt_navigator is a lifecycle node: it answers `get_state` in the
  action's namespace (`bt_navigator/get_state` beside `navigate_to_pose`) and rejects goals while
  not active. The state is asked asynchronously at most every `LIFECYCLE_POLL_S`; where no such
  service exists (a simulated robot serving the action itself) the server alone decides. A named
  localizer (e.g. amcl, also a lifecycle node) must be active too.
- `go_to_pose(pose)`: sends the goal asynchronously, preempting the previous one.
- `result()`: ACTIVE until the goal ends; REJECTED when it was not accepted or could not be sent;
  ABORTED when no answer came within `response_timeout`, or when Nav2 aborted it (`last_error`
  carries Nav2's error code and message); SUCCEEDED, CANCELED.
- `state_message()`: what the navigator waits for (no server for how long, Nav2 inactive), for
  the mission status.

nav2_simple_commander's BasicNavigator is not offered: its calls spin its own node and block
(`isTaskComplete` spins for 0.1 s, `waitUntilNav2Active` without a bound), which a node that ticks
under a lock cannot afford.
"""

from __future__ import annotations

import threading
import time
from typing import Protocol

from action_msgs.msg import GoalStatus
from geometry_msgs.msg import PoseStamped
from lifecycle_msgs.msg import State
from lifecycle_msgs.srv import GetState
from nav2_msgs.action import NavigateToPose
from rclpy.callback_groups import CallbackGroup
from rclpy.node import Node

from filmnav_common.action_client import SerialActionClient
from goal_interface.mission import ExecutorStatus

# "auto" and "nav2": wait for Nav2's lifecycle where it is present; "action_client": only for the
# action server (a server that is not Nav2, such as the simulated robot's own action).
NAVIGATOR_KINDS = ("auto", "nav2", "action_client")
NAV2_LIFECYCLE_NODE = "bt_navigator"  # Nav2's node that serves navigate_to_pose
LIFECYCLE_POLL_S = 1.0  # seconds between lifecycle state requests
LIFECYCLE_ANSWER_S = 3.0  # a state request unanswered this long is asked again
RESULT_CODES = {
    getattr(NavigateToPose.Result, name): name
    for name in dir(NavigateToPose.Result)
    if name.isupper() and isinstance(getattr(NavigateToPose.Result, name), int)
}


class WaypointNavigator(Protocol):
    name: str
    last_error: str

    def ready(self) -> bool:
        """True when goals can be sent (never blocks)."""
        ...

    def go_to_pose(self, pose: PoseStamped) -> bool:
        """Send a goal (preempting the current one); False when it could not be sent."""
        ...

    def is_complete(self) -> bool: ...

    def result(self) -> ExecutorStatus:
        """ACTIVE while running; SUCCEEDED, ABORTED, REJECTED or CANCELED once complete."""
        ...

    def cancel(self) -> None: ...

    def state_message(self) -> str:
        """Why the navigator is not ready (empty when it is), for status reports."""
        ...


def resolve_in_action_namespace(action_name: str, node_name: str) -> str:
    """`node_name` beside the action: 'navigate_to_pose' -> 'bt_navigator', '/r1/navigate_to_pose'
    -> '/r1/bt_navigator'."""
    namespace, _, _ = action_name.rpartition("/")
    return f"{namespace}/{node_name}" if namespace or action_name.startswith("/") else node_name


class _Lifecycle:
    """The lifecycle state of one node, asked asynchronously (see the module docstring)."""

    def __init__(self, node: Node, name: str, callback_group: CallbackGroup | None):
        self.name = name
        self._client = node.create_client(
            GetState, f"{name}/get_state", callback_group=callback_group
        )
        self._lock = threading.Lock()
        self._label = ""  # the last answered state ("active", "inactive", ...)
        self._asked_at = -float("inf")
        self._pending = False

    def present(self) -> bool:
        return self._client.service_is_ready()

    def active(self) -> bool:
        """True when the node answered 'active' last; asks again when due (never blocks)."""
        now = time.monotonic()
        with self._lock:
            due = now - self._asked_at >= (
                LIFECYCLE_ANSWER_S if self._pending else LIFECYCLE_POLL_S
            )
            if due:
                self._asked_at, self._pending = now, True
            active = self._label == "active"
        if due:
            self._client.call_async(GetState.Request()).add_done_callback(self._on_answer)
        return active

    def _on_answer(self, future) -> None:
        response = future.result()
        with self._lock:
            self._pending = False
            if response is not None:
                self._label = response.current_state.label or str(response.current_state.id)
                if response.current_state.id == State.PRIMARY_STATE_ACTIVE:
                    self._label = "active"

    def describe(self) -> str:
        with self._lock:
            return f"{self.name} is {self._label or 'not answering yet'}"


class ActionClientNavigator:
    """Asynchronous NavigateToPose client; safe to call from any executor thread."""

    def __init__(
        self,
        node: Node,
        action_name: str,
        behavior_tree: str = "",
        callback_group: CallbackGroup | None = None,
        lifecycle_nodes: tuple[str, ...] = (),
        response_timeout: float = 5.0,
    ):
        """`lifecycle_nodes`: node names, resolved beside the action, that must be active where
        they answer `get_state`."""
        self.name = "nav2" if lifecycle_nodes else "action_client"
        self._node = node
        self._client = SerialActionClient(node, NavigateToPose, action_name)
        self._action_name = action_name
        self._lifecycles = [
            _Lifecycle(node, resolve_in_action_namespace(action_name, name), callback_group)
            for name in lifecycle_nodes
        ]
        self._behavior_tree = behavior_tree
        self._response_timeout = response_timeout
        self._created = time.monotonic()
        self._lock = threading.Lock()
        self._generation = 0
        self._goal_handle = None
        self._sent_at: float | None = None  # while the goal waits for acceptance
        self._status = ExecutorStatus.IDLE
        self.last_error = ""

    # ---------------------------------------------------------------------------- readiness
    def _server(self) -> str:
        return self._node.resolve_topic_name(self._action_name)

    def _inactive(self) -> list[_Lifecycle]:
        """Lifecycle nodes that are present and not active."""
        return [
            lifecycle
            for lifecycle in self._lifecycles
            if lifecycle.present() and not lifecycle.active()
        ]

    def ready(self) -> bool:
        return self._client.server_is_ready() and not self._inactive()

    def state_message(self) -> str:
        if not self._client.server_is_ready():
            waited = time.monotonic() - self._created
            return (
                f"no NavigateToPose server on '{self._server()}' ({waited:.0f} s since start): "
                "is Nav2 running?"
            )
        inactive = self._inactive()
        if inactive:
            return "Nav2 is not active: " + ", ".join(lc.describe() for lc in inactive)
        return ""

    # ---------------------------------------------------------------------------- goals
    def go_to_pose(self, pose: PoseStamped) -> bool:
        if not self.ready():
            with self._lock:
                self._generation += 1
                self._status = ExecutorStatus.REJECTED
                self.last_error = f"goal not sent: {self.state_message()}"
            return False
        with self._lock:
            self._generation += 1
            generation = self._generation
            previous, self._goal_handle = self._goal_handle, None
            self._status = ExecutorStatus.ACTIVE
            self._sent_at = time.monotonic()
        if previous is not None:
            self._client.cancel_goal_async(previous)
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
                    self._client.cancel_goal_async(handle)  # superseded while being accepted
                return
            self._sent_at = None
            if handle is None or not handle.accepted:
                inactive = self._inactive()
                reason = (
                    f" ({', '.join(lc.describe() for lc in inactive)})"
                    if inactive
                    else " (Nav2 rejects goals while it is not active)"
                )
                self.last_error = f"'{self._server()}' rejected the goal{reason}"
                self._status = ExecutorStatus.REJECTED
                return
            self._goal_handle = handle
        self._client.get_result_async(handle).add_done_callback(
            lambda done: self._on_result(generation, done)
        )

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
                code = RESULT_CODES.get(result.error_code, "")
                self.last_error = (
                    f"Nav2 aborted the goal: error {result.error_code}"
                    f"{f' {code}' if code else ''}: {result.error_msg or 'no message'}"
                )
                self._status = ExecutorStatus.ABORTED

    def is_complete(self) -> bool:
        return self.result() not in (ExecutorStatus.ACTIVE, ExecutorStatus.IDLE)

    def result(self) -> ExecutorStatus:
        with self._lock:
            if (
                self._sent_at is not None
                and time.monotonic() - self._sent_at > self._response_timeout
            ):
                self._generation += 1  # a late answer is ignored (and its goal canceled)
                self._sent_at = None
                self._status = ExecutorStatus.ABORTED
                self.last_error = (
                    f"'{self._server()}' did not answer the goal within "
                    f"{self._response_timeout:.0f} s"
                )
            return self._status

    def cancel(self) -> None:
        with self._lock:
            self._generation += 1
            self._sent_at = None
            handle, self._goal_handle = self._goal_handle, None
            if self._status == ExecutorStatus.ACTIVE:
                self._status = ExecutorStatus.CANCELED
        if handle is not None:
            self._client.cancel_goal_async(handle)


def make_navigator(
    node: Node,
    kind: str,
    action_name: str,
    localizer: str = "",
    behavior_tree: str = "",
    callback_group: CallbackGroup | None = None,
) -> WaypointNavigator:
    """The navigator of the given kind (see NAVIGATOR_KINDS); `localizer`: a lifecycle node
    (e.g. amcl) that must be active too, with the Nav2 check."""
    if kind not in NAVIGATOR_KINDS:
        hint = (
            ": BasicNavigator blocks the node; 'nav2' is the non-blocking Nav2 client"
            if kind == "basic_navigator"
            else ""
        )
        raise ValueError(
            f"unknown navigator '{kind}' (expected one of {', '.join(NAVIGATOR_KINDS)}){hint}"
        )
    lifecycle_nodes = ()
    if kind != "action_client":
        lifecycle_nodes = (NAV2_LIFECYCLE_NODE, *((localizer,) if localizer else ()))
    return ActionClientNavigator(
        node, action_name, behavior_tree, callback_group, lifecycle_nodes=lifecycle_nodes
    )
