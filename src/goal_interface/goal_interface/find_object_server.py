"""The `filmnav/find_object` action (FindObject) of the goal_interface node, driven by mission
events.

A goal passes the same door as topic goals (`check` on acceptance, `start` when it executes).
Its thread then sleeps on a condition that the node's events wake: every published status
(`on_status`: feedback), the end of a goal (`on_finish`: the result), a cancel request of the
client, the node stopping (`close`). Nothing polls. A goal that another goal preempts ends
ABORTED with final_state CANCELED; a client's cancel ends it CANCELED.
"""

from __future__ import annotations

import collections
import threading
from collections.abc import Callable
from dataclasses import dataclass

from filmnav_interfaces.action import FindObject
from filmnav_interfaces.msg import Goal
from rclpy.action import ActionServer, CancelResponse, GoalResponse
from rclpy.callback_groups import CallbackGroup
from rclpy.node import Node

from goal_interface.mission import Finish, MissionState, MissionStatusSnapshot

RECENT_FINISHES = 32  # ended goals remembered for threads that have not looked yet
CANCEL_SETTLE, CANCEL_SETTLE_LOOKS = 0.01, 100  # looks while rclpy moves a goal to CANCELING


@dataclass
class _Ending:
    finish: Finish
    snapshot: MissionStatusSnapshot


class FindObjectServer:
    def __init__(
        self,
        node: Node,
        *,
        check: Callable[[Goal], str],
        start: Callable[[Goal], tuple[str, str]],
        cancel: Callable[[str, str], None],
        callback_group: CallbackGroup | None = None,
    ):
        """`check(goal)`: why the goal is refused ("" if acceptable); `start(goal)`: (goal id,
        "") or ("", why not); `cancel(goal_id, reason)`: end that goal if it still runs."""
        self._check, self._start, self._cancel = check, start, cancel
        self._condition = threading.Condition()
        self._version = 0
        self._latest: MissionStatusSnapshot | None = None
        self._endings: collections.OrderedDict[str, _Ending] = collections.OrderedDict()
        self._cancel_requested: set[int] = set()  # id() of goal handles
        self._closed = False
        self._server = ActionServer(
            node,
            FindObject,
            "filmnav/find_object",
            execute_callback=self._execute,
            goal_callback=self._accept,
            cancel_callback=self._on_cancel_request,
            callback_group=callback_group,
        )

    # ------------------------------------------------------------------------------ events
    def on_status(self, snapshot: MissionStatusSnapshot) -> None:
        with self._condition:
            self._latest = snapshot
            self._version += 1
            self._condition.notify_all()

    def on_finish(self, finish: Finish, snapshot: MissionStatusSnapshot) -> None:
        with self._condition:
            self._endings[finish.goal_id] = _Ending(finish, snapshot)
            while len(self._endings) > RECENT_FINISHES:
                self._endings.popitem(last=False)
            self._version += 1
            self._condition.notify_all()

    def close(self) -> None:
        """The node stops: goals still waiting end (ABORTED)."""
        with self._condition:
            self._closed = True
            self._condition.notify_all()

    # ------------------------------------------------------------------------------ action
    def _accept(self, request: FindObject.Goal) -> GoalResponse:
        return GoalResponse.REJECT if self._check(request.goal) else GoalResponse.ACCEPT

    def _on_cancel_request(self, handle) -> CancelResponse:
        with self._condition:
            self._cancel_requested.add(id(handle))
            self._condition.notify_all()
        return CancelResponse.ACCEPT

    def _execute(self, handle) -> FindObject.Result:
        goal_id, refusal = self._start(handle.request.goal)
        if not goal_id:  # checked on acceptance; only changed parameters can refuse it here
            handle.abort()
            return FindObject.Result(final_state=MissionState.FAILED, message=refusal)
        seen = -1
        try:
            while True:
                with self._condition:
                    self._condition.wait_for(
                        lambda seen=seen: (
                            self._version != seen
                            or self._closed
                            or id(handle) in self._cancel_requested
                        )
                    )
                    seen = self._version
                    ending = self._endings.get(goal_id)
                    latest = self._latest
                    closed = self._closed
                    cancel = id(handle) in self._cancel_requested
                if ending is not None:
                    return self._result(handle, ending)
                if closed:
                    handle.abort()
                    return FindObject.Result(
                        final_state=MissionState.CANCELED, message="goal_interface stopped"
                    )
                if cancel:
                    self._settle_cancel(handle)
                    self._cancel(goal_id, "canceled by the action client")
                elif latest is not None and latest.goal_id == goal_id:
                    handle.publish_feedback(
                        FindObject.Feedback(
                            state=int(latest.state),
                            message=latest.message,
                            decisions=latest.decisions,
                            distance_travelled=latest.distance_travelled,
                            current_frontier=latest.current_frontier,
                        )
                    )
        finally:
            with self._condition:
                self._cancel_requested.discard(id(handle))

    def _settle_cancel(self, handle) -> None:
        """rclpy moves the goal to CANCELING just after the cancel callback returns: wait for
        that (microseconds; at most a second), so the goal may end as canceled."""
        with self._condition:
            self._cancel_requested.discard(id(handle))
            for _ in range(CANCEL_SETTLE_LOOKS):
                if handle.is_cancel_requested or self._closed:
                    return
                self._condition.wait(CANCEL_SETTLE)

    @staticmethod
    def _result(handle, ending: _Ending) -> FindObject.Result:
        finish, snapshot = ending.finish, ending.snapshot
        result = FindObject.Result(
            success=finish.state == MissionState.SUCCEEDED,
            final_state=int(finish.state),
            message=snapshot.message,
            decisions=snapshot.decisions,
            distance_travelled=snapshot.distance_travelled,
            elapsed=snapshot.elapsed,
        )
        if result.success:
            handle.succeed()
        elif finish.state == MissionState.CANCELED and handle.is_cancel_requested:
            handle.canceled()
        else:
            handle.abort()
        return result
