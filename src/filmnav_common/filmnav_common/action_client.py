"""An rclpy action client that is safe to use from any thread of a multi-threaded executor.

rclpy's ActionClient registers a request's future only after sending the request, and handles
responses in its callback group without a lock: a response handled by another executor thread
in between is dropped ("Ignoring unexpected goal response"), and the goal, its result or its
cancel is never heard of. Here every request (send goal, get result, cancel) is issued from a
guard-condition callback in the client's own mutually exclusive callback group, where no
response can be handled at the same time; the caller gets a future of its own, completed with
the request's answer.
"""

from __future__ import annotations

import collections
import threading
from collections.abc import Callable
from typing import Any

from rclpy.action import ActionClient
from rclpy.callback_groups import MutuallyExclusiveCallbackGroup
from rclpy.node import Node
from rclpy.task import Future


class SerialActionClient:
    """`ActionClient` whose requests are serialised with its response handling."""

    def __init__(self, node: Node, action_type: Any, action_name: str):
        group = MutuallyExclusiveCallbackGroup()
        self.client = ActionClient(node, action_type, action_name, callback_group=group)
        self._requests: collections.deque[tuple[Callable[[], Future], Future]] = (
            collections.deque()
        )
        self._lock = threading.Lock()
        self._trigger = node.create_guard_condition(self._issue, callback_group=group)

    def server_is_ready(self) -> bool:
        return self.client.server_is_ready()

    def wait_for_server(self, timeout_sec: float | None = None) -> bool:
        return self.client.wait_for_server(timeout_sec=timeout_sec)

    def send_goal_async(self, goal: Any, feedback_callback: Callable | None = None) -> Future:
        """A future of the goal handle (as ActionClient.send_goal_async)."""
        return self._request(
            lambda: self.client.send_goal_async(goal, feedback_callback=feedback_callback)
        )

    def get_result_async(self, handle: Any) -> Future:
        """A future of the goal's result (as ClientGoalHandle.get_result_async)."""
        return self._request(handle.get_result_async)

    def cancel_goal_async(self, handle: Any) -> Future:
        return self._request(handle.cancel_goal_async)

    def _request(self, issue: Callable[[], Future]) -> Future:
        answer = Future()
        with self._lock:
            self._requests.append((issue, answer))
        self._trigger.trigger()
        return answer

    def _issue(self) -> None:
        while True:
            with self._lock:
                if not self._requests:
                    return
                issue, answer = self._requests.popleft()
            issue().add_done_callback(lambda done, answer=answer: _forward(done, answer))


def _forward(done: Future, answer: Future) -> None:
    error = done.exception()
    if error is not None:
        answer.set_exception(error)
    else:
        answer.set_result(done.result())
