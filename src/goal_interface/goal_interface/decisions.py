"""The decision pipeline of the goal_interface node: keyframes, then the policy.

For each `RequestDecision` of the mission: `filmnav/get_keyframes` (K history images and one view
per frontier) from the trajectory buffer, then `filmnav/select_frontier` from the policy node;
the answer goes back to the mission through `answer(request_id, index, policy, error)`. One
decision is pending at a time; a new request supersedes it and a late answer is dropped.

Deadlines (steady clock, checked by `poll`): keyframes that do not come within
`keyframes_timeout` are done without (the policy decides on blank views); a policy node that
stops reporting (its process died, so its service may linger in discovery) fails the decision at
once, so the mission falls back to the nearest frontier within the heartbeat timeout instead of
its whole `decision_timeout` (which the mission itself enforces).
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass

from filmnav_interfaces.msg import Frontier, Goal
from filmnav_interfaces.srv import GetKeyframes, SelectFrontier
from rclpy.callback_groups import CallbackGroup
from rclpy.node import Node
from rclpy.task import Future
from sensor_msgs.msg import Image

from filmnav_common.geometry import planar_pose
from filmnav_common.text import excerpt
from goal_interface.mission import RequestDecision

Answer = Callable[[int, int | None, str, str], None]  # request id, index, policy, error


@dataclass
class _Pending:
    request_id: int
    request: SelectFrontier.Request
    keyframes_deadline: float
    future: Future | None = None
    asking_policy: bool = False


class DecisionPipeline:
    def __init__(
        self,
        node: Node,
        *,
        keyframes_service: str,
        policy_service: str,
        history_keyframes: int,
        image_size: int,
        keyframes_timeout: float,
        answer: Answer,
        warn: Callable[[str], None],
        callback_group: CallbackGroup | None = None,
    ):
        self._keyframes = node.create_client(
            GetKeyframes, keyframes_service, callback_group=callback_group
        )
        self._policy = node.create_client(
            SelectFrontier, policy_service, callback_group=callback_group
        )
        self._history, self._image_size = history_keyframes, image_size
        self._keyframes_timeout = keyframes_timeout
        self._answer, self._warn = answer, warn
        self._lock = threading.Lock()
        self._pending: _Pending | None = None

    def services(self) -> dict[str, tuple[str, bool]]:
        """component -> (service, offered), for the health report."""
        return {
            "buffer": (self._keyframes.srv_name, self._keyframes.service_is_ready()),
            "policy": (self._policy.srv_name, self._policy.service_is_ready()),
        }

    def request(
        self, command: RequestDecision, goal: Goal, frontiers: list[Frontier], now: float
    ) -> None:
        request = SelectFrontier.Request(
            goal=goal, frontiers=frontiers, robot_pose=planar_pose(*command.robot_pose)
        )
        pending = _Pending(command.request_id, request, now + self._keyframes_timeout)
        with self._lock:
            self._abandon()
            self._pending = pending
            if self._keyframes.service_is_ready():
                pending.future = self._keyframes.call_async(
                    GetKeyframes.Request(
                        history_count=self._history,
                        image_size=self._image_size,
                        frontiers=frontiers,
                    )
                )
                pending.future.add_done_callback(
                    lambda done: self._on_keyframes(pending, done.result())
                )
                return
        self._warn(f"no '{self._keyframes.srv_name}' service: deciding without images")
        self._ask_policy(pending, None)

    def poll(self, now: float, policy_problem: str) -> None:
        """Enforce the deadlines (call every tick); `policy_problem`: why the policy node cannot
        answer now ("" when it reports in time)."""
        with self._lock:
            pending = self._pending
            if pending is None:
                return
            late_keyframes = not pending.asking_policy and now > pending.keyframes_deadline
            lost_policy = pending.asking_policy and bool(policy_problem)
            if lost_policy:
                self._abandon()
        if late_keyframes:
            self._warn(
                f"no keyframes within {self._keyframes_timeout:.1f} s: deciding without images"
            )
            self._ask_policy(pending, None)
        elif lost_policy:
            self._answer(
                pending.request_id,
                None,
                "",
                f"the policy node stopped reporting ({policy_problem})",
            )

    def cancel(self) -> None:
        """Drop the pending decision (its goal ended)."""
        with self._lock:
            self._abandon()

    def _abandon(self) -> None:
        """Forget the pending decision (call with the lock): its late answer is dropped."""
        pending, self._pending = self._pending, None
        if pending is not None and pending.future is not None and not pending.future.done():
            client = self._policy if pending.asking_policy else self._keyframes
            client.remove_pending_request(pending.future)

    def _on_keyframes(self, pending: _Pending, keyframes: GetKeyframes.Response | None) -> None:
        if keyframes is not None and not keyframes.success:
            self._warn(f"keyframes unavailable: {excerpt(keyframes.message, 200)}")
            keyframes = None
        self._ask_policy(pending, keyframes)

    def _ask_policy(self, pending: _Pending, keyframes: GetKeyframes.Response | None) -> None:
        with self._lock:
            if self._pending is not pending or pending.asking_policy:
                return  # superseded, or the keyframes came after their deadline
            pending.asking_policy = True
            request = pending.request
            views = [keyframe.image for keyframe in keyframes.frontier_views] if keyframes else []
            if keyframes is not None:
                request.history = [keyframe.image for keyframe in keyframes.history]
            request.frontier_images = (views + [Image()] * len(request.frontiers))[
                : len(request.frontiers)
            ]
            if self._policy.service_is_ready():
                pending.future = self._policy.call_async(request)
                pending.future.add_done_callback(
                    lambda done: self._on_policy(pending, done.result())
                )
                return
            self._pending = None
        self._answer(
            pending.request_id,
            None,
            "",
            f"policy service '{self._policy.srv_name}' is not available",
        )

    def _on_policy(self, pending: _Pending, response: SelectFrontier.Response | None) -> None:
        with self._lock:
            if self._pending is not pending:
                return
            self._pending = None
        policy = excerpt(response.policy, 40) if response is not None else ""
        if response is not None and response.success:
            self._answer(pending.request_id, int(response.index), policy, "")
        else:
            message = excerpt(response.message, 200) if response is not None else ""
            self._answer(pending.request_id, None, policy, message or "no answer")
