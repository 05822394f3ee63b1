"""Health of the parts a mission depends on, as goal_interface observes them (free of ROS).

- Nodes (mapper, buffer, policy, detector) report on `diagnostics` through
  `filmnav_common.reporting.StatusReporter`: on every change and as a heartbeat every
  `HEARTBEAT_PERIOD`, with their process id; a node that cannot start reports its error as its
  last word. A node is OK/WARN/ERROR as it last said, STALE when silent for `heartbeat_timeout`
  but still in the ROS graph (hung, or killed and not yet dropped by discovery), DOWN when it
  exited, left the graph or was never seen. A report from a new process id counts a restart.
- Sensors (colour, depth, odometry) are judged by when their messages arrive: STALE after
  `sensor_timeout` (the robot pauses), "lost" after `sensor_loss_timeout` (the goal fails).
- The navigator by its action server and the outcome of the last goal it was sent.

Every time is a steady-clock reading in seconds, taken when a message arrived here (stamps in
messages are another clock's).
"""

from __future__ import annotations

import enum
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from filmnav_common.text import excerpt
from goal_interface.mission import ExecutorStatus

MESSAGE_LENGTH = 120  # characters of a component's message (bounded, escaped)
MAX_RELAYED = 4  # warnings of other nodes quoted in the status message


class Level(enum.IntEnum):
    """Same values as the filmnav_interfaces/ComponentHealth constants."""

    OK = 0
    WARN = 1
    ERROR = 2
    STALE = 3
    DOWN = 4


@dataclass(frozen=True)
class Health:
    """One part of the stack (fields of filmnav_interfaces/ComponentHealth)."""

    name: str
    level: Level
    message: str
    restarts: int = 0
    age: float = -1.0  # seconds since the last report or message; -1 when never seen


@dataclass(frozen=True)
class HealthConfig:
    heartbeat_timeout: float = 1.5  # seconds without a node's report (heartbeats every 0.5 s)
    sensor_timeout: float = 2.0  # seconds without a sensor message: the robot pauses
    sensor_loss_timeout: float = 30.0  # seconds without it during a goal: the goal fails


class NodeWatch:
    """A node, judged by its diagnostics reports and its presence in the ROS graph."""

    def __init__(self, name: str, node_name: str):
        self.name = name  # component: mapper, buffer, ...
        self.node_name = node_name  # fully qualified ROS name, e.g. /occupancy_mapper
        self._last: float | None = None
        self._level = Level.OK
        self._message = ""
        self._pid = ""
        self._exited = False
        self._present = False
        self.restarts = 0

    def report(self, now: float, level: Level, message: str, pid: str, exited: bool) -> None:
        """A diagnostics report; a new process id (or any report after the node's last word,
        for reporters without one) counts a restart."""
        came_back = (pid and self._pid and pid != self._pid) or (not pid and self._exited)
        self.restarts += bool(came_back)
        self._last, self._level, self._message = now, level, excerpt(message, MESSAGE_LENGTH)
        self._pid = pid or self._pid
        self._exited = exited

    def graph(self, present: bool) -> None:
        """Whether the node is in the ROS graph now."""
        self._present = present

    def silence(self, now: float) -> float | None:
        """Seconds since the last report (None: never reported)."""
        return None if self._last is None else max(now - self._last, 0.0)

    def health(
        self, now: float, timeout: float, service: str = "", offered: bool = True
    ) -> Health:
        """`service`: the service the node serves (policy, buffer), `offered` whether it is up."""
        silence = self.silence(now)
        age = -1.0 if silence is None else silence
        if self._exited:
            return Health(self.name, Level.DOWN, self._message, self.restarts, age)
        if silence is None:
            if not self._present:
                return Health(self.name, Level.DOWN, f"{self.node_name} not running", 0, age)
            level, message = Level.OK, "running (no report yet)"
        elif silence > timeout:
            if self._present:
                return Health(
                    self.name, Level.STALE, f"no report for {silence:.1f} s", self.restarts, age
                )
            return Health(
                self.name, Level.DOWN, f"gone: no report for {silence:.1f} s", self.restarts, age
            )
        else:
            level, message = self._level, self._message
        if service and not offered and level < Level.ERROR:
            level, message = Level.WARN, f"'{service}' not offered ({message})"
        return Health(self.name, level, message, self.restarts, age)


class StreamWatch:
    """A sensor topic, judged by when its messages arrive."""

    def __init__(self, name: str, topic: str, what: str):
        self.name, self.topic, self.what = name, topic, what
        self.last: float | None = None

    def arrived(self, now: float) -> None:
        self.last = now

    def problem(self, now: float, timeout: float) -> str:
        """Why the sensor counts as stale ("" when fresh); the same words while it lasts."""
        if self.last is None:
            return f"no {self.what} received on '{self.topic}'"
        if now - self.last > timeout:
            return f"no {self.what} on '{self.topic}' for over {timeout:g} s"
        return ""

    def health(self, now: float, timeout: float) -> Health:
        if self.last is None:
            return Health(self.name, Level.DOWN, self.problem(now, timeout))
        age = max(now - self.last, 0.0)  # it may arrive, in another thread, after `now` was read
        if age > timeout:
            return Health(self.name, Level.STALE, f"nothing for {age:.1f} s", 0, age)
        return Health(self.name, Level.OK, "receiving", 0, age)


class NavigatorWatch:
    """The waypoint executor: its action server, and how its last goal ended."""

    name = "navigator"

    def __init__(self, action: str):
        self.action = action
        self._ready_at: float | None = None
        self._unready_since: float | None = None
        self._status = ExecutorStatus.IDLE
        self._error = ""
        self._waiting = ""
        self.restarts = 0

    def observe(
        self, now: float, ready: bool, status: ExecutorStatus, error: str, waiting: str = ""
    ) -> None:
        """`waiting`: the navigator's own word on why it is not ready."""
        self._waiting = excerpt(waiting, MESSAGE_LENGTH)
        if ready:
            if self._unready_since is not None and self._ready_at is not None:
                self.restarts += 1  # back after being gone
            self._ready_at, self._unready_since = now, None
        elif self._unready_since is None:
            self._unready_since = now
        self._status, self._error = status, excerpt(error, MESSAGE_LENGTH)

    def unavailable_for(self, now: float) -> float:
        """Seconds the action server has been missing (0 while it is up)."""
        return 0.0 if self._unready_since is None else now - self._unready_since

    def health(self, now: float) -> Health:
        age = -1.0 if self._ready_at is None else now - self._ready_at
        if self._unready_since is not None or self._ready_at is None:
            missing = "never seen" if self._ready_at is None else f"gone for {age:.1f} s"
            message = self._waiting or f"'{self.action}' server {missing}"
            return Health(self.name, Level.DOWN, message, self.restarts, age)
        if self._status == ExecutorStatus.REJECTED:
            level, message = Level.ERROR, f"refused the last goal: {self._error}"
        elif self._status == ExecutorStatus.ABORTED:
            level, message = Level.WARN, f"aborted the last goal: {self._error}"
        else:
            level, message = Level.OK, "ready"
        return Health(self.name, level, message, self.restarts, age)


class HealthMonitor:
    """Every watched part; feed it observations, ask it for health and for problems."""

    def __init__(
        self,
        config: HealthConfig,
        nodes: Mapping[str, str],
        sensors: Iterable[tuple[str, str, str]],
        navigator: str,
    ):
        """`nodes`: component -> fully qualified node name; `sensors`: (component, topic,
        what it carries); `navigator`: the navigator's action name."""
        self.config = config
        self.nodes = {name: NodeWatch(name, node) for name, node in nodes.items()}
        self._by_node = {watch.node_name: watch for watch in self.nodes.values()}
        self.sensors = {name: StreamWatch(name, topic, what) for name, topic, what in sensors}
        self.navigator = NavigatorWatch(navigator)
        self._relayed: dict[str, tuple[float, bool, str]] = {}  # node -> (time, exited, text)

    def on_report(
        self, now: float, node: str, level: Level, message: str, pid: str = "", exited=False
    ) -> None:
        watch = self._by_node.get(node)
        if watch is not None:
            watch.report(now, level, message, pid, exited)
        if level >= Level.WARN:
            self._relayed[node] = (now, exited, excerpt(message, MESSAGE_LENGTH))
        else:
            self._relayed.pop(node, None)

    def on_graph(self, present: set[str]) -> None:
        """The fully qualified names of the nodes in the ROS graph now."""
        for watch in self.nodes.values():
            watch.graph(watch.node_name in present)

    def relayed(self, now: float) -> str:
        """Warnings and errors other nodes report, while fresh (a node's last word when it
        exited stays): "node: text; ..." bounded to MAX_RELAYED entries."""
        fresh = [
            f"{node}: {text}"
            for node, (when, exited, text) in sorted(self._relayed.items())
            if exited or now - when <= self.config.heartbeat_timeout
        ]
        more = len(fresh) - MAX_RELAYED
        return "; ".join(fresh[:MAX_RELAYED]) + (f"; (+{more} more)" if more > 0 else "")

    def node_silent(self, name: str, now: float) -> str:
        """Why a node cannot answer now ("" when it reports in time)."""
        health = self.nodes[name].health(now, self.config.heartbeat_timeout)
        return "" if health.level < Level.STALE else health.message

    def sensor_problem(self, now: float) -> str:
        """What is stale among the sensors ("" when all are fresh)."""
        problems = (s.problem(now, self.config.sensor_timeout) for s in self.sensors.values())
        return "; ".join(problem for problem in problems if problem)

    def lost_sensor(self, now: float, since: float) -> str:
        """A sensor silent for the loss timeout, counted from `since` at the earliest (the
        goal's start), else ""."""
        timeout = self.config.sensor_loss_timeout
        for sensor in self.sensors.values():
            silent = now - max(sensor.last if sensor.last is not None else since, since)
            if silent > timeout:
                return f"{sensor.what} lost: nothing on '{sensor.topic}' for {silent:.0f} s"
        return ""

    def report(self, now: float, services: Mapping[str, tuple[str, bool]]) -> list[Health]:
        """Health of every part: the nodes (with their services: component -> (service name,
        offered)), the navigator, then the sensors."""
        timeout = self.config.heartbeat_timeout
        parts = [
            watch.health(now, timeout, *services.get(name, ("", True)))
            for name, watch in self.nodes.items()
        ]
        parts.append(self.navigator.health(now))
        parts += [
            sensor.health(now, self.config.sensor_timeout) for sensor in self.sensors.values()
        ]
        return parts
