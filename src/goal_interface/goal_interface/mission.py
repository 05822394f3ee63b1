"""Mission core: the object-search state machine, free of ROS.

The same class drives the `goal_interface` ROS node and the headless evaluation loop, so a seed
gives the same decisions both ways. The caller owns time, sensing and actuation; the mission
only turns observations into commands.

API (all poses in the mapping frame: metres, radians, x forward / y left / z up)::

    mission = Mission(MissionConfig(...), is_navigable=None)   # optional (x, y) -> bool
    commands = mission.start(goal, now, goal_id="")   # preempts a running goal
    commands = mission.update(now, robot_pose, frontiers, detection, executor, steps=None,
                              narrow=())          # narrow frontiers: the last resort
    commands = mission.on_decision(request_id, index, policy="", error="")
    commands = mission.cancel(now, reason="canceled")
    commands = mission.fail(now, reason)              # e.g. the navigator is gone
    commands = mission.pause(now, reason)             # stale sensors: stop the robot
    commands = mission.resume(now, robot_pose, message)
    mission.status(now) -> MissionStatusSnapshot      # fields of filmnav_interfaces/MissionStatus

Commands (execute them in order):

- ``RequestDecision(request_id, frontiers, robot_pose)``: ask the policy to pick one of
  ``frontiers``; answer with ``on_decision`` (index into that tuple, or ``error``). A request
  that is not answered within ``decision_timeout`` falls back to the nearest frontier.
- ``NavigateTo(seq, x, y, yaw, frontier_id)``: send a waypoint to the executor (Nav2 or the
  simulator's waypoint follower); ``frontier_id`` is -1 for the approach to a detected object.
- ``Rotate(seq, angle)``: turn in place by ``angle`` radians (counter-clockwise positive).
- ``CancelNavigation()``: stop the executor's current goal.
- ``Finish(goal_id, state, reason)``: the goal ended (SUCCEEDED, FAILED or CANCELED); in
  simulation a SUCCEEDED finish is where the agent calls STOP.

The executor reports on the command it runs with ``ExecutorState(seq, status, message)``; reports
for any other ``seq`` are ignored, so late results of preempted goals cannot confuse the mission.
A REJECTED command (the executor refused it, or has no server) is sent again after
``refusal_retry`` seconds and blames no frontier; ``max_refusals`` refusals in a row end the goal
as FAILED with the executor's message. So do ``max_aborts`` frontier waypoints in a row that the
executor aborts before the robot got closer to them: a navigator that fails everything (its
robot disabled, its goals refused by a budget) ends the goal with its own reason, not after
every frontier has been blacklisted one by one as if each were out of reach. Approach poses
neither count nor start the count over: an object's sides are tried and given up on their own
(counting them failed a search whose first detection had eight unreachable sides).

Behaviour: explore by repeated frontier decisions; an aborted waypoint or one without progress
for ``no_progress_timeout`` seconds blacklists its frontier and triggers a new decision; with no
frontiers left the robot turns a full circle to look around, then goes back to a frontier it
reached that is still open further on (its waypoint moved past ``blacklist_radius`` from every
blacklisted place), else lets the policy choose among the narrow frontiers (shorter than the
mapper's minimum: mostly noise, but one may be the only way on), and fails with a reason when
there is none; policy
errors and timeouts fall back to the nearest frontier (``policy_fallback`` in the status); a goal
detection switches to APPROACHING a navigable pose ``approach_distance`` from the object, facing
it (halfway closer when the executor stops short; other sides when a pose fails); the mission
succeeds when a detection arrives while the robot is within ``success_distance`` of the object
with it inside the camera's field of view (a detection in the same tick is the proof that no
wall is in between: pass only detections of the current frame). At the approach pose it waits
``confirm_ticks`` updates for that detection before trying another side. When no side is left
(the navigator gave them up: furniture the map does not hold, a gap narrower than it looks), it
goes back to the nearest place within ``blocked_reach`` of the object from which it was seen,
faces the object and succeeds on a detection there, saying how far the object is: the other
sides had led the robot out of sight of an object it could not get nearer to, which it then gave
up. Time
(``time_budget``), step (``max_steps``, counted from ``steps`` when the caller passes it) and
decision (``max_decisions``) budgets end the goal as FAILED.

Deadlines count in the caller's ``now``: the ROS node passes a steady clock, so they hold while a
simulator's clock stands still. A decision gets ``decision_timeout``, one waypoint
``navigation_timeout`` (besides the no-progress timeout), an approach to one object
``approach_timeout`` before the object is given up. While paused (``pause``: the caller's sensors
went stale) the executor's goal is cancelled, updates do nothing and motion commands are held;
``resume`` sends the interrupted command again with its timers restarted.
"""

from __future__ import annotations

import dataclasses
import enum
import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from filmnav_common.camera import DEFAULT_HFOV
from filmnav_common.planar import Pose2D, wrap_angle
from filmnav_common.protocol import FrontierCandidate, GoalSpec


class MissionState(enum.IntEnum):
    """Same values as the filmnav_interfaces/MissionStatus constants."""

    IDLE = 0
    EXPLORING = 1
    APPROACHING = 2
    SUCCEEDED = 3
    FAILED = 4
    CANCELED = 5

    @property
    def terminal(self) -> bool:
        return self in (MissionState.SUCCEEDED, MissionState.FAILED, MissionState.CANCELED)


class ExecutorStatus(enum.Enum):
    IDLE = "idle"
    ACTIVE = "active"
    SUCCEEDED = "succeeded"
    ABORTED = "aborted"
    CANCELED = "canceled"
    REJECTED = "rejected"  # refused: not accepted, or no server to send it to


@dataclass(frozen=True)
class ExecutorState:
    """What the waypoint executor is doing with command ``seq`` (-1: no command yet);
    ``message`` says why it aborted or refused."""

    seq: int = -1
    status: ExecutorStatus = ExecutorStatus.IDLE
    message: str = ""


@dataclass(frozen=True)
class GoalDetection:
    """The goal object seen by the detector, position in the mapping frame."""

    position: tuple[float, float, float]
    score: float = 1.0
    label: str = ""


@dataclass(frozen=True)
class MissionConfig:
    success_distance: float = 1.0  # stop within this distance of the object (Habitat: 1.0 m)
    # no approach pose reachable: stop this near the object, in view, instead; 0: never
    blocked_reach: float = 1.5
    approach_distance: float = 0.8  # radius of the approach poses around the object
    camera_hfov: float = DEFAULT_HFOV  # radians
    view_margin: float = 0.8  # object bearing must be within margin * hfov / 2
    min_detection_score: float = 0.0
    decision_timeout: float = 10.0  # seconds to wait for the policy
    no_progress_timeout: float = 20.0  # seconds without getting closer to the waypoint
    progress_distance: float = 0.2  # metres closer that count as progress
    blacklist_radius: float = 0.5  # waypoints this close to a blacklisted one are skipped
    look_around_turns: int = 12
    look_around_angle: float = math.radians(30.0)
    map_wait: float = 3.0  # seconds a finished look-around waits for the map to take it in
    object_rejection_radius: float = 0.5  # detections near an unreachable object are ignored
    replan_distance: float = 0.5  # re-plan the approach when the object moves this much
    confirm_ticks: int = 10  # ticks to wait for a detection at the approach pose
    navigation_timeout: float = 120.0  # seconds for one waypoint; 0 disables
    approach_timeout: float = 90.0  # seconds approaching one object before giving it up; 0: off
    max_refusals: int = 3  # executor refusals in a row before the goal fails
    max_aborts: int = 8  # frontier waypoints aborted in a row, none with progress: goal fails
    refusal_retry: float = 1.0  # seconds before a refused command is sent again
    time_budget: float = 0.0  # seconds; 0 disables
    max_steps: int = 0  # caller-counted steps; 0 disables
    max_decisions: int = 0  # 0 disables


# ----------------------------------------------------------------------------------- commands
@dataclass(frozen=True)
class RequestDecision:
    request_id: int
    frontiers: tuple[FrontierCandidate, ...]
    robot_pose: Pose2D


@dataclass(frozen=True)
class NavigateTo:
    seq: int
    x: float
    y: float
    yaw: float
    frontier_id: int = -1


@dataclass(frozen=True)
class Rotate:
    seq: int
    angle: float


@dataclass(frozen=True)
class CancelNavigation:
    pass


@dataclass(frozen=True)
class Finish:
    goal_id: str
    state: MissionState
    reason: str


Command = RequestDecision | NavigateTo | Rotate | CancelNavigation | Finish


@dataclass(frozen=True)
class MissionStatusSnapshot:
    goal_id: str
    goal_text: str
    state: MissionState
    message: str
    policy: str
    policy_fallback: bool
    decisions: int
    distance_travelled: float
    elapsed: float
    current_frontier: int


# ----------------------------------------------------------------------------------- helpers
def nearest_frontier_index(frontiers: Sequence[FrontierCandidate], robot_pose: Pose2D) -> int:
    """Index of the frontier with the shortest path (straight line when the path is unknown)."""

    def cost(frontier: FrontierCandidate) -> float:
        if math.isfinite(frontier.path_distance):
            return frontier.path_distance
        return math.hypot(
            frontier.waypoint[0] - robot_pose[0], frontier.waypoint[1] - robot_pose[1]
        )

    return min(range(len(frontiers)), key=lambda index: cost(frontiers[index]))


def object_in_view(robot_pose: Pose2D, target: tuple[float, float], half_fov: float) -> bool:
    bearing = math.atan2(target[1] - robot_pose[1], target[0] - robot_pose[0])
    return abs(wrap_angle(bearing - robot_pose[2])) <= half_fov


@dataclass
class _Activity:
    """The one thing the mission is waiting on while a goal runs."""

    kind: str  # "decision" | "frontier" | "look" | "approach" | "face" | "confirm"
    seq: int = -1  # executor command, or decision request id
    started: float = 0.0
    command: NavigateTo | Rotate | None = None  # the motion command, to send again
    since: float | None = None  # first tick after the motion command (its deadlines count)
    retry_at: float | None = None  # refused: send the command again at this time
    target: tuple[float, float] | None = None
    best_distance: float = math.inf
    last_progress: float = 0.0
    progressed: bool = False  # got closer to the target than at the first tick
    frontier: FrontierCandidate | None = None
    frontiers: tuple[FrontierCandidate, ...] = ()
    narrow: bool = False  # decision, frontier: among the narrow frontiers
    closer: bool = False  # approach: already the closer retry on the same line
    ticks_left: int = 0  # confirm: ticks left to wait for a detection
    looked: float | None = None  # look: when its last turn ended (the map may lag behind it)


@dataclass
class _Progress:
    goal_id: str = ""
    goal_text: str = ""
    state: MissionState = MissionState.IDLE
    message: str = "waiting for a goal"
    policy: str = ""
    policy_fallback: bool = False
    decisions: int = 0
    distance_travelled: float = 0.0
    started: float = 0.0
    ended: float | None = None
    current_frontier: int = -1
    last_pose: Pose2D | None = None
    blacklist_ids: set[int] = field(default_factory=set)  # reached or failed
    failed_ids: set[int] = field(default_factory=set)  # blacklisted once navigation failed
    blacklist_points: list[tuple[float, float]] = field(default_factory=list)
    rejected_objects: list[tuple[float, float]] = field(default_factory=list)
    look_turns_done: int = 0
    failed_frontiers: int = 0
    object_position: tuple[float, float] | None = None
    approach_candidates: list[tuple[float, float, float]] = field(default_factory=list)
    approach_started: float = 0.0
    # where the robot stood when it saw the object within blocked_reach of it
    seen_from: list[tuple[float, float]] = field(default_factory=list)
    blocked: bool = False  # no side left: blocked_reach is the reach
    refusals: int = 0  # executor refusals in a row
    aborts: int = 0  # waypoints aborted in a row without progress towards them
    paused_since: float | None = None


class Mission:
    """Tick-driven object-search state machine (see the module docstring)."""

    def __init__(
        self,
        config: MissionConfig | None = None,
        is_navigable: Callable[[float, float], bool] | None = None,
    ):
        self.config = config or MissionConfig()
        self._is_navigable = is_navigable
        self._progress = _Progress()
        self._activity: _Activity | None = None
        self._next_seq = 0
        self._goal_counter = 0
        self.goal: GoalSpec | None = None

    # -------------------------------------------------------------------------- public API
    @property
    def state(self) -> MissionState:
        return self._progress.state

    @property
    def active(self) -> bool:
        return self._progress.state in (MissionState.EXPLORING, MissionState.APPROACHING)

    @property
    def paused(self) -> bool:
        return self._progress.paused_since is not None

    def start(self, goal: GoalSpec, now: float, goal_id: str = "") -> list[Command]:
        """Accept a goal; a running goal is preempted (CANCELED) first."""
        commands: list[Command] = []
        if self.active:
            commands += self._finish(now, MissionState.CANCELED, "preempted by a new goal")
        self._goal_counter += 1
        self.goal = goal
        self._progress = _Progress(
            goal_id=goal_id or f"goal_{self._goal_counter}",
            goal_text=goal.describe(),
            state=MissionState.EXPLORING,
            message="exploring",
            started=now,
        )
        self._activity = None
        return commands

    def cancel(self, now: float, reason: str = "canceled by the operator") -> list[Command]:
        if not self.active:
            return []
        return self._finish(now, MissionState.CANCELED, reason)

    def fail(self, now: float, reason: str) -> list[Command]:
        """End the running goal as FAILED for a reason found outside the mission."""
        if not self.active:
            return []
        return self._finish(now, MissionState.FAILED, reason)

    def pause(self, now: float, reason: str) -> list[Command]:
        """Stop the robot until `resume`: the executor's goal is cancelled, motion held."""
        if not self.active:
            return []
        if self.paused:
            self._progress.message = reason  # the reason may change while paused
            return []
        self._progress.paused_since = now
        self._progress.message = reason
        activity = self._activity
        return [CancelNavigation()] if activity is not None and activity.command else []

    def resume(self, now: float, robot_pose: Pose2D, message: str = "resumed") -> list[Command]:
        """Carry on after `pause`: the interrupted motion is sent again, its timers restarted;
        the approach deadline is moved by the time paused."""
        if not self.active or not self.paused:
            return []
        self._progress.approach_started += now - self._progress.paused_since
        self._progress.paused_since = None
        self._progress.message = message
        activity = self._activity
        if activity is None or activity.kind == "decision":
            return []
        if activity.kind == "confirm":
            activity.ticks_left = self.config.confirm_ticks
            return []
        if activity.kind == "face":
            return self._face_object(now, robot_pose)
        return self._send_again(now, activity)

    def status(self, now: float) -> MissionStatusSnapshot:
        progress = self._progress
        end = progress.ended if progress.ended is not None else now
        elapsed = max(0.0, end - progress.started) if progress.state != MissionState.IDLE else 0.0
        return MissionStatusSnapshot(
            goal_id=progress.goal_id,
            goal_text=progress.goal_text,
            state=progress.state,
            message=progress.message,
            policy=progress.policy,
            policy_fallback=progress.policy_fallback,
            decisions=progress.decisions,
            distance_travelled=progress.distance_travelled,
            elapsed=elapsed,
            current_frontier=progress.current_frontier,
        )

    def update(
        self,
        now: float,
        robot_pose: Pose2D,
        frontiers: Sequence[FrontierCandidate],
        detection: GoalDetection | None,
        executor: ExecutorState,
        steps: int | None = None,
        narrow: Sequence[FrontierCandidate] = (),
        map_current: bool = True,
    ) -> list[Command]:
        """One tick: integrate the observations, return the commands to execute now.
        `map_current`: whether the frontiers include what the robot has seen until now (a
        mapper may lag behind the robot, most at start-up)."""
        if not self.active:
            return []
        self._track_distance(robot_pose)
        budget_reason = self._budget_exceeded(now, steps)
        if budget_reason:
            return self._finish(now, MissionState.FAILED, budget_reason)
        if self.paused:
            return []
        refused = self._refusal(now, executor)
        if refused is not None:
            return refused
        if self._aborted_too_often(executor):
            return self._finish(
                now,
                MissionState.FAILED,
                f"the navigator aborted {self._progress.aborts} waypoints in a row, the robot "
                f"getting closer to none: {executor.message or 'no reason given'}",
            )
        if detection is not None:
            commands = self._on_detection(now, robot_pose, detection)
            if commands is not None:
                return commands
        if self._progress.state == MissionState.APPROACHING:
            return self._update_approach(now, robot_pose, executor)
        return self._update_exploration(
            now, robot_pose, list(frontiers), executor, list(narrow), map_current
        )

    def on_decision(
        self, request_id: int, index: int | None, policy: str = "", error: str = ""
    ) -> list[Command]:
        """The policy's answer to RequestDecision ``request_id``; stale answers are ignored."""
        activity = self._activity
        if (
            not self.active
            or activity is None
            or activity.kind != "decision"
            or activity.seq != request_id
        ):
            return []
        frontiers = activity.frontiers
        if error or index is None or not 0 <= index < len(frontiers):
            problem = error or f"invalid frontier index {index} for {len(frontiers)} frontiers"
            return self._held(self._fallback(f"policy {policy or 'service'} failed: {problem}"))
        self._progress.policy = policy
        self._progress.policy_fallback = False
        return self._held(
            self._go_to_frontier(
                frontiers[index], f"exploring frontier {frontiers[index].id} chosen by {policy}"
            )
        )

    def _held(self, commands: list[Command]) -> list[Command]:
        """While paused, motion waits for `resume` (the activity keeps the command)."""
        if not self.paused:
            return commands
        return [command for command in commands if not isinstance(command, NavigateTo | Rotate)]

    # -------------------------------------------------------------------------- exploration
    def _update_exploration(
        self,
        now: float,
        robot_pose: Pose2D,
        frontiers: list[FrontierCandidate],
        executor: ExecutorState,
        narrow: list[FrontierCandidate],
        map_current: bool,
    ) -> list[Command]:
        candidates = self._unblacklisted(frontiers)
        activity = self._activity
        if activity is None:
            return self._decide_or_look(now, robot_pose, candidates)
        if activity.kind == "decision":
            if now - activity.started > self.config.decision_timeout:
                return self._fallback(
                    f"policy timed out after {self.config.decision_timeout:.1f} s"
                )
            return []
        if activity.kind == "look":
            if candidates:
                return [CancelNavigation(), *self._decide(now, robot_pose, candidates)]
            if activity.looked is None:
                if self._outcome(now, activity, executor) is None:
                    return []
                self._progress.look_turns_done += 1
                if self._progress.look_turns_done < self.config.look_around_turns:
                    return self._rotate(now, "no frontiers: looking around")
                activity.looked = now
            # looked all around: no frontiers is an answer only once the map holds what was seen
            if not map_current and now - activity.looked < self.config.map_wait:
                self._progress.message = "looked around: waiting for the map to take it in"
                return []
            if reopened := self._reopened(frontiers):
                self._progress.message = "a reached frontier is still open further on"
                return self._decide(now, robot_pose, reopened)
            if narrow_left := self._unblacklisted(narrow):
                self._progress.message = "only narrow frontiers left"
                return self._decide(now, robot_pose, narrow_left, narrow=True)
            return self._finish(
                now, MissionState.FAILED, "no frontiers left to explore after looking around"
            )
        frontier = activity.frontier
        assert frontier is not None
        outcome = self._outcome(now, activity, executor)
        if outcome == ExecutorStatus.SUCCEEDED:
            self._blacklist(frontier)  # visited: never choose it again
            self._progress.message = f"reached frontier {frontier.id}, choosing again"
            return self._decide_or_look(now, robot_pose, self._unblacklisted(frontiers))
        if outcome is not None:
            self._blacklist(frontier, failed=True)
            why = f" ({executor.message})" if executor.message else ""
            self._progress.message = (
                f"navigation to frontier {frontier.id} {outcome.value}{why}: "
                "blacklisted, choosing again"
            )
            return self._decide_or_look(now, robot_pose, self._unblacklisted(frontiers))
        stuck = self._stuck(now, robot_pose, activity)
        if stuck:
            self._blacklist(frontier, failed=True)
            self._progress.message = (
                f"{stuck} towards frontier {frontier.id}: blacklisted, choosing again"
            )
            return [
                CancelNavigation(),
                *self._decide_or_look(now, robot_pose, self._unblacklisted(frontiers)),
            ]
        if not any(
            self._same_frontier(frontier, other)
            for other in (narrow if activity.narrow else frontiers)
        ):
            self._progress.message = f"frontier {frontier.id} explored, choosing again"
            return self._decide_or_look(now, robot_pose, candidates)
        return []

    def _decide_or_look(
        self, now: float, robot_pose: Pose2D, candidates: list[FrontierCandidate]
    ) -> list[Command]:
        if candidates:
            return self._decide(now, robot_pose, candidates)
        self._progress.look_turns_done = 0
        self._progress.current_frontier = -1
        return self._rotate(now, "no frontiers: looking around")

    def _decide(
        self,
        now: float,
        robot_pose: Pose2D,
        candidates: list[FrontierCandidate],
        narrow: bool = False,
    ) -> list[Command]:
        if self._decision_budget_spent():
            return self._finish(
                now, MissionState.FAILED, f"decision budget of {self.config.max_decisions} spent"
            )
        self._next_seq += 1
        self._activity = _Activity(
            kind="decision",
            seq=self._next_seq,
            started=now,
            frontiers=tuple(candidates),
            narrow=narrow,
        )
        return [RequestDecision(self._next_seq, tuple(candidates), robot_pose)]

    def _fallback(self, problem: str) -> list[Command]:
        assert self._activity is not None
        frontiers = self._activity.frontiers
        robot_pose = self._progress.last_pose or (0.0, 0.0, 0.0)
        self._progress.policy = "nearest"
        self._progress.policy_fallback = True
        frontier = frontiers[nearest_frontier_index(frontiers, robot_pose)]
        return self._go_to_frontier(frontier, f"{problem}; fell back to the nearest frontier")

    def _go_to_frontier(self, frontier: FrontierCandidate, message: str) -> list[Command]:
        self._progress.decisions += 1
        self._progress.current_frontier = frontier.id
        failed = self._progress.failed_frontiers
        self._progress.message = message + (
            f" ({failed} failed frontier{'s' * (failed > 1)} blacklisted)" if failed else ""
        )
        x, y, yaw = frontier.waypoint
        narrow = self._activity is not None and self._activity.narrow
        command = self._navigate("frontier", x, y, yaw, frontier.id)
        assert self._activity is not None
        self._activity.frontier, self._activity.narrow = frontier, narrow
        return [command]

    # -------------------------------------------------------------------------- approach
    def _on_detection(
        self, now: float, robot_pose: Pose2D, detection: GoalDetection
    ) -> list[Command] | None:
        """Start or re-plan the approach; None when the detection changes nothing."""
        if detection.score < self.config.min_detection_score:
            return None
        position = (float(detection.position[0]), float(detection.position[1]))
        if any(
            math.dist(position, rejected) <= self.config.object_rejection_radius
            for rejected in self._progress.rejected_objects
        ):
            return None
        previous = self._progress.object_position
        self._progress.object_position = position
        if self._reached(robot_pose):  # seen right now, within reach and in view
            return self._succeed(now, robot_pose)
        approaching = self._progress.state == MissionState.APPROACHING
        if not approaching:
            self._progress.approach_started = now
            self._progress.blocked, self._progress.seen_from = False, []
        if self._within(robot_pose, self.config.blocked_reach):
            self._progress.seen_from.append((robot_pose[0], robot_pose[1]))
        if approaching and previous is not None:
            if math.dist(previous, position) < self.config.replan_distance:
                return None
        self._progress.state = MissionState.APPROACHING
        self._progress.current_frontier = -1
        self._progress.approach_candidates = self._approach_poses(robot_pose, position)
        cancel: list[Command] = (
            [CancelNavigation()] if self._activity and self._activity.kind != "decision" else []
        )
        return cancel + self._next_approach(
            now, robot_pose, f"goal {detection.label or 'object'} detected: approaching"
        )

    def _update_approach(
        self, now: float, robot_pose: Pose2D, executor: ExecutorState
    ) -> list[Command]:
        """Drive to the approach pose, face the object, then wait for the detector to confirm it.

        Success needs a detection in the same tick (handled by _on_detection): distance and
        bearing alone cannot tell that a wall stands between the robot and the object."""
        activity = self._activity
        assert activity is not None
        timeout = self.config.approach_timeout
        if timeout > 0 and now - self._progress.approach_started > timeout:
            cancel: list[Command] = [CancelNavigation()] if activity.command else []
            return cancel + self._give_up_object(
                f"approach gave up after {timeout:.0f} s: exploring again"
            )
        if activity.kind == "confirm":
            activity.ticks_left -= 1
            if activity.ticks_left > 0:
                return []
            return self._next_approach(
                now, robot_pose, "object not seen from the approach pose: trying another side"
            )
        outcome = self._outcome(now, activity, executor)
        if outcome is None:
            stuck = self._stuck(now, robot_pose, activity) if activity.kind == "approach" else ""
            if stuck:
                return [
                    CancelNavigation(),
                    *self._next_approach(
                        now, robot_pose, f"{stuck} on the approach: trying another side"
                    ),
                ]
            return []
        if activity.kind == "face":
            return self._confirm(now)
        if outcome == ExecutorStatus.SUCCEEDED and self._within_success_distance(robot_pose):
            return self._face_object(now, robot_pose)
        if outcome == ExecutorStatus.SUCCEEDED and not activity.closer:
            return self._approach_closer(robot_pose)
        return self._next_approach(
            now, robot_pose, f"approach {outcome.value}: trying another side"
        )

    def _approach_poses(
        self, robot_pose: Pose2D, target: tuple[float, float]
    ) -> list[tuple[float, float, float]]:
        """Poses on a ring around the object facing it, the side nearest the robot first."""
        radius = self.config.approach_distance
        toward_robot = math.atan2(robot_pose[1] - target[1], robot_pose[0] - target[0])
        offsets = [0.0] + [sign * step * math.pi / 4 for step in range(1, 5) for sign in (1, -1)][
            :7
        ]
        poses = []
        for offset in offsets:
            angle = toward_robot + offset
            x, y = target[0] + radius * math.cos(angle), target[1] + radius * math.sin(angle)
            if self._is_navigable is None or self._is_navigable(x, y):
                poses.append((x, y, wrap_angle(angle + math.pi)))
        return poses

    def _next_approach(self, now: float, robot_pose: Pose2D, message: str) -> list[Command]:
        candidates = self._progress.approach_candidates
        if not candidates:
            if (settled := self._settle(now, robot_pose)) is not None:
                return settled
            return self._give_up_object("detected object unreachable: exploring again")
        x, y, yaw = candidates.pop(0)
        self._progress.message = message
        return [self._navigate("approach", x, y, yaw, -1)]

    def _settle(self, now: float, robot_pose: Pose2D) -> list[Command] | None:
        """No side left: face the object from the place nearest it where it was seen within
        blocked_reach (going back there, once per object), where a detection ends the search;
        None when there is no such place."""
        target = self._progress.object_position
        if self._progress.blocked or target is None or not self._progress.seen_from:
            return None
        self._progress.blocked = True
        x, y = min(self._progress.seen_from, key=lambda xy: math.dist(xy, target))
        if math.dist((x, y), robot_pose[:2]) <= self.config.progress_distance:
            return self._face_object(now, robot_pose)
        self._progress.message = "no side of the object reachable: back to where it was seen"
        yaw = math.atan2(target[1] - y, target[0] - x)
        return [self._navigate("approach", x, y, yaw, -1)]

    def _approach_closer(self, robot_pose: Pose2D) -> list[Command]:
        """The executor stopped short of reach (goal tolerance): go halfway closer on the same
        line."""
        target = self._progress.object_position
        assert target is not None
        radius = self.config.approach_distance / 2
        angle = math.atan2(robot_pose[1] - target[1], robot_pose[0] - target[0])
        x, y = target[0] + radius * math.cos(angle), target[1] + radius * math.sin(angle)
        self._progress.message = "stopped short of the object: moving closer"
        command = self._navigate("approach", x, y, wrap_angle(angle + math.pi), -1)
        assert self._activity is not None
        self._activity.closer = True
        return [command]

    def _confirm(self, now: float) -> list[Command]:
        self._activity = _Activity(
            kind="confirm", started=now, ticks_left=self.config.confirm_ticks
        )
        self._progress.message = "waiting for the detector to confirm the object"
        return []

    def _face_object(self, now: float, robot_pose: Pose2D) -> list[Command]:
        target = self._progress.object_position
        assert target is not None
        if object_in_view(robot_pose, target, self._half_view()):
            return self._confirm(now)
        bearing = math.atan2(target[1] - robot_pose[1], target[0] - robot_pose[0])
        self._next_seq += 1
        command = Rotate(self._next_seq, wrap_angle(bearing - robot_pose[2]))
        self._activity = _Activity(kind="face", seq=command.seq, started=now, command=command)
        self._progress.message = "turning to face the object"
        return [command]

    def _give_up_object(self, message: str) -> list[Command]:
        """The object cannot be reached: ignore it and explore again."""
        position = self._progress.object_position
        if position is not None:
            self._progress.rejected_objects.append(position)
        self._progress.object_position = None
        self._progress.blocked, self._progress.seen_from = False, []
        self._progress.state = MissionState.EXPLORING
        self._progress.message = message
        self._activity = None
        return []

    def _reached(self, robot_pose: Pose2D) -> bool:
        target = self._progress.object_position
        if target is None or not self._within_success_distance(robot_pose):
            return False
        return object_in_view(robot_pose, target, self._half_view())

    def _half_view(self) -> float:
        return self.config.view_margin * self.config.camera_hfov / 2

    def _within_success_distance(self, robot_pose: Pose2D) -> bool:
        reach = self.config.blocked_reach if self._progress.blocked else 0.0
        return self._within(robot_pose, max(self.config.success_distance, reach))

    def _within(self, robot_pose: Pose2D, distance: float) -> bool:
        target = self._progress.object_position
        return target is not None and math.dist(robot_pose[:2], target) <= distance

    def _succeed(self, now: float, robot_pose: Pose2D) -> list[Command]:
        commands: list[Command] = []
        if self._activity is not None and self._activity.kind != "decision":
            commands.append(CancelNavigation())
        self._activity = None
        message = "goal reached: object within reach and in view"
        target = self._progress.object_position
        if target is not None and not self._within(robot_pose, self.config.success_distance):
            message = (
                f"goal reached: object in view {math.dist(robot_pose[:2], target):.1f} m away, "
                "as near as the navigator could get"
            )
        return commands + self._finish(now, MissionState.SUCCEEDED, message)

    # -------------------------------------------------------------------------- plumbing
    def _navigate(self, kind: str, x: float, y: float, yaw: float, frontier_id: int) -> NavigateTo:
        self._next_seq += 1
        command = NavigateTo(self._next_seq, float(x), float(y), float(yaw), int(frontier_id))
        self._activity = _Activity(kind=kind, seq=command.seq, target=(x, y), command=command)
        return command

    def _rotate(self, now: float, message: str) -> list[Command]:
        self._next_seq += 1
        command = Rotate(self._next_seq, self.config.look_around_angle)
        self._activity = _Activity(kind="look", seq=command.seq, started=now, command=command)
        self._progress.message = message
        return [command]

    def _send_again(self, now: float, activity: _Activity) -> list[Command]:
        """The activity's motion command under a new seq, with its timers restarted."""
        assert activity.command is not None
        self._next_seq += 1
        command = dataclasses.replace(activity.command, seq=self._next_seq)
        activity.command, activity.seq, activity.started = command, command.seq, now
        activity.since, activity.retry_at, activity.best_distance = None, None, math.inf
        return [command]

    def _refusal(self, now: float, executor: ExecutorState) -> list[Command] | None:
        """Handle a refused motion command: wait, send it again, or fail after too many refusals
        in a row; None when there is no refusal to handle."""
        activity = self._activity
        if activity is None or activity.command is None:
            return None
        if activity.retry_at is not None:
            return self._send_again(now, activity) if now >= activity.retry_at else []
        if executor.seq != activity.seq or executor.status != ExecutorStatus.REJECTED:
            return None
        self._progress.refusals += 1
        why = executor.message or "goal refused"
        if self._progress.refusals >= self.config.max_refusals:
            return self._finish(
                now,
                MissionState.FAILED,
                f"the navigator refused {self._progress.refusals} goals in a row: {why}",
            )
        activity.retry_at = now + self.config.refusal_retry
        self._progress.message = f"the navigator refused the goal ({why}): sending it again"
        return []

    def _aborted_too_often(self, executor: ExecutorState) -> bool:
        """Count an aborted frontier waypoint the robot got no closer to towards ``max_aborts``
        (one it got closer to starts the count over; the handler of the outcome replaces the
        activity, so each is counted once); True once there are that many in a row."""
        activity = self._activity
        if (
            activity is None
            or activity.kind != "frontier"
            or executor.seq != activity.seq
            or executor.status != ExecutorStatus.ABORTED
        ):
            return False
        self._progress.aborts = 0 if activity.progressed else self._progress.aborts + 1
        return self._progress.aborts >= self.config.max_aborts

    def _outcome(
        self, now: float, activity: _Activity, executor: ExecutorState
    ) -> ExecutorStatus | None:
        """How the executor ended the activity's command; None while it runs.

        A turn in place the executor never reports on counts as aborted after the no-progress
        timeout, so a silent executor cannot stall the mission."""
        if executor.seq == activity.seq and executor.status not in (
            ExecutorStatus.IDLE,
            ExecutorStatus.ACTIVE,
            ExecutorStatus.REJECTED,
        ):
            self._progress.refusals = 0  # it took the command
            if executor.status == ExecutorStatus.SUCCEEDED:
                self._progress.aborts = 0
            return executor.status
        if activity.target is None and now - activity.started > self.config.no_progress_timeout:
            return ExecutorStatus.ABORTED
        return None

    def _stuck(self, now: float, robot_pose: Pose2D, activity: _Activity) -> str:
        """Why the waypoint is given up (no progress for the no-progress timeout, or over the
        navigation timeout), or "" while it goes on.

        The clocks start at the first tick after the command, so a slow policy answer does not
        count against the executor."""
        assert activity.target is not None
        config = self.config
        if activity.since is None:
            activity.since = now
        distance = math.dist(robot_pose[:2], activity.target)
        if distance < activity.best_distance - config.progress_distance:
            activity.progressed = activity.best_distance < math.inf
            activity.best_distance = distance
            activity.last_progress = now
        elif now - activity.last_progress > config.no_progress_timeout:
            return f"no progress for {config.no_progress_timeout:.0f} s"
        if config.navigation_timeout > 0 and now - activity.since > config.navigation_timeout:
            return f"navigation timed out after {config.navigation_timeout:.0f} s"
        return ""

    def _blacklist(self, frontier: FrontierCandidate, failed: bool = False) -> None:
        self._progress.failed_frontiers += failed
        if failed:
            self._progress.failed_ids.add(frontier.id)
        self._progress.blacklist_ids.add(frontier.id)
        self._progress.blacklist_points.append((frontier.waypoint[0], frontier.waypoint[1]))
        self._progress.current_frontier = -1

    def _blacklisted(self, frontier: FrontierCandidate) -> bool:
        return frontier.id in self._progress.blacklist_ids or self._at_blacklisted_place(frontier)

    def _at_blacklisted_place(self, frontier: FrontierCandidate) -> bool:
        return any(
            math.dist(frontier.waypoint[:2], bad) <= self.config.blacklist_radius
            for bad in self._progress.blacklist_points
        )

    def _same_frontier(self, first: FrontierCandidate, second: FrontierCandidate) -> bool:
        """Same id, or waypoints close enough that the mapper has merely renumbered it."""
        if first.id == second.id:
            return True
        return math.dist(first.waypoint[:2], second.waypoint[:2]) <= self.config.blacklist_radius

    def _unblacklisted(self, frontiers: Sequence[FrontierCandidate]) -> list[FrontierCandidate]:
        return [frontier for frontier in frontiers if not self._blacklisted(frontier)]

    def _reopened(self, frontiers: Sequence[FrontierCandidate]) -> list[FrontierCandidate]:
        """Reached frontiers (never failed ones) whose waypoint has moved on from every
        blacklisted place: the last resort before the search gives up (going back to them
        earlier costs more steps than it finds)."""
        reached = self._progress.blacklist_ids - self._progress.failed_ids
        return [
            frontier
            for frontier in frontiers
            if frontier.id in reached and not self._at_blacklisted_place(frontier)
        ]

    def _track_distance(self, robot_pose: Pose2D) -> None:
        last = self._progress.last_pose
        if last is not None:
            self._progress.distance_travelled += math.dist(last[:2], robot_pose[:2])
        self._progress.last_pose = (
            float(robot_pose[0]),
            float(robot_pose[1]),
            float(robot_pose[2]),
        )

    def _budget_exceeded(self, now: float, steps: int | None) -> str:
        config = self.config
        if config.time_budget > 0 and now - self._progress.started > config.time_budget:
            return f"time budget of {config.time_budget:.0f} s spent"
        if config.max_steps > 0 and steps is not None and steps >= config.max_steps:
            return f"step budget of {config.max_steps} steps spent"
        return ""

    def _decision_budget_spent(self) -> bool:
        return (
            self.config.max_decisions > 0 and self._progress.decisions >= self.config.max_decisions
        )

    def _finish(self, now: float, state: MissionState, reason: str) -> list[Command]:
        commands: list[Command] = []
        if (
            state != MissionState.SUCCEEDED
            and self._activity is not None
            and self._activity.kind != "decision"
        ):
            commands.append(CancelNavigation())
        self._activity = None
        self._progress.state = state
        self._progress.message = reason
        self._progress.ended = now
        self._progress.paused_since = None
        self._progress.current_frontier = -1
        return commands + [Finish(self._progress.goal_id, state, reason)]
