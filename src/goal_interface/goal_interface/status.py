"""`filmnav/status`: the MissionStatus the goal_interface node publishes, composed from the
mission's snapshot, what the goal was understood as, the notices of the goal door, the warnings
other nodes relay and the health of every part.

The message is bounded (every part arrives as an escaped excerpt, the whole is cut at
`MAX_MESSAGE_LENGTH`). A status is published when anything an operator reads changes (health by
level, not by the age of the last report), and every `period` seconds while a goal runs.
"""

from __future__ import annotations

import time
from collections.abc import Sequence

from filmnav_interfaces.msg import ComponentHealth, MissionStatus
from rclpy.duration import Duration
from rclpy.node import Node

from filmnav_common.qos import LATCHED_QOS
from goal_interface.health import Health
from goal_interface.mission import MissionState, MissionStatusSnapshot

MAX_MESSAGE_LENGTH = 600


def compose_message(*parts: str) -> str:
    """The non-empty parts joined with "; ", cut to MAX_MESSAGE_LENGTH characters."""
    text = "; ".join(part for part in parts if part)
    if len(text) <= MAX_MESSAGE_LENGTH:
        return text
    return text[: MAX_MESSAGE_LENGTH - 4] + " ..."


def health_msg(health: Health) -> ComponentHealth:
    return ComponentHealth(
        name=health.name,
        level=int(health.level),
        level_name=health.level.name,
        message=health.message,
        restarts=health.restarts,
        age=float(health.age),
    )


class StatusPublisher:
    def __init__(self, node: Node, period: float):
        self._node = node
        self._period = period
        self._publisher = node.create_publisher(MissionStatus, "filmnav/status", LATCHED_QOS)
        self._last_key: tuple | None = None
        self._last_time = -float("inf")

    def publish(
        self,
        snapshot: MissionStatusSnapshot,
        message: str,
        understood_as: str,
        health: Sequence[Health],
        frame_id: str,
        force: bool = False,
    ) -> bool:
        """Publish if something changed, the period is up while a goal runs, or `force`;
        True when published."""
        key = (
            snapshot.goal_id,
            snapshot.state,
            message,
            understood_as,
            snapshot.policy,
            snapshot.policy_fallback,
            snapshot.decisions,
            snapshot.current_frontier,
            tuple((part.name, part.level, part.restarts) for part in health),
        )
        now = time.monotonic()
        running = snapshot.state in (MissionState.EXPLORING, MissionState.APPROACHING)
        periodic = running and now - self._last_time >= self._period
        if not force and key == self._last_key and not periodic:
            return False
        self._last_key, self._last_time = key, now
        msg = MissionStatus(
            goal_id=snapshot.goal_id,
            goal_text=snapshot.goal_text,
            state=int(snapshot.state),
            state_name=snapshot.state.name,
            message=message,
            policy=snapshot.policy,
            policy_fallback=snapshot.policy_fallback,
            decisions=snapshot.decisions,
            distance_travelled=snapshot.distance_travelled,
            elapsed=snapshot.elapsed,
            current_frontier=snapshot.current_frontier,
            understood_as=understood_as,
            health=[health_msg(part) for part in health],
        )
        msg.header.stamp = self._node.get_clock().now().to_msg()
        msg.header.frame_id = frame_id
        self._publisher.publish(msg)
        return True

    def flush(self, timeout: float) -> None:
        """Wait (bounded) until every subscriber has the statuses published so far."""
        self._publisher.wait_for_all_acked(Duration(seconds=timeout))
