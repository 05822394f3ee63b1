"""The one interpreter of the mission's commands, free of ROS.

The goal_interface node and the headless episode loop both hand `execute` the commands a
`Mission` call returned and a handler that knows how to carry each kind out on their side
(services and Nav2 there, the simulator's waypoint follower here). Commands run in order; a
handler that answers a decision at once returns the commands of `Mission.on_decision`, which run
next, so a synchronous policy and an asynchronous one drive the mission the same way.
"""

from __future__ import annotations

import collections
from collections.abc import Iterable, Sequence
from typing import Protocol

from goal_interface.mission import (
    CancelNavigation,
    Command,
    Finish,
    NavigateTo,
    RequestDecision,
    Rotate,
)


class CommandHandler(Protocol):
    def request_decision(self, command: RequestDecision) -> Sequence[Command]:
        """Ask the policy; the commands of an answer given at once (else none: answer later
        through `Mission.on_decision`)."""
        ...

    def navigate(self, command: NavigateTo) -> None: ...

    def rotate(self, command: Rotate) -> None: ...

    def cancel_navigation(self) -> None: ...

    def finished(self, command: Finish) -> None: ...


def execute(commands: Iterable[Command], handler: CommandHandler) -> None:
    """Carry out `commands` in order, and those that answers given at once add."""
    queue = collections.deque(commands)
    while queue:
        command = queue.popleft()
        if isinstance(command, RequestDecision):
            queue.extend(handler.request_decision(command))
        elif isinstance(command, NavigateTo):
            handler.navigate(command)
        elif isinstance(command, Rotate):
            handler.rotate(command)
        elif isinstance(command, CancelNavigation):
            handler.cancel_navigation()
        elif isinstance(command, Finish):
            handler.finished(command)
        else:
            raise TypeError(f"not a mission command: {command!r}")
