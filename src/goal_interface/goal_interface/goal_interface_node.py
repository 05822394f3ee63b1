"""The goal_interface node: goals in, mission status out, frontier decisions and Nav2 handoff.

A thin ROS adapter around `goal_interface.mission.Mission` and its parts:

- The goal door (`goals.py`): goals arrive on `filmnav/goal` (filmnav_interfaces/Goal),
  `filmnav/goal_text` (std_msgs/String, "find a chair") or the `filmnav/find_object` action
  (`find_object_server.py`). An accepted goal gets its id (assigned when the sender gave none)
  and is announced on the latched `filmnav/active_goal`, the one goal the other nodes follow (an
  empty Goal when idle); a rejected goal only says why in the status. A new goal preempts the
  running one, whose CANCELED status is published first.
- Decisions (`decisions.py`): `filmnav/get_keyframes` then `filmnav/select_frontier`.
- Health (`health.py`): the nodes' `diagnostics` reports and heartbeats, their presence in the
  graph, the arrival of colour, depth and odometry, the navigator's action server.
- The status (`status.py`): `filmnav/status` (transient local) on every change and periodically.

Every tick feeds the mission with the robot pose (`odom`, placed in `map_frame` through TF where
a localizer publishes map -> odom: `filmnav_common.frames`, as the mapper and the detector place
it), `filmnav/frontiers` (and `filmnav/narrow_frontiers`, explored only when no other frontier
is left) and fresh `filmnav/detections` of the active goal; waypoints go to the
navigator in that frame. The mission's commands run through the interpreter shared with the
headless episode loop (`commands.py`). The mission runs on the steady clock, so its deadlines hold
while a simulator's clock stands still. Stale sensors or a missing navigator pause the robot;
sensors lost for `sensor_loss_timeout` or a navigator missing for `navigator_timeout` end the goal
as FAILED, and so does a grounding (`filmnav/goal_grounding`) that finds nothing to search for
(its message is the status's `understood_as`); a running detector's grounding is awaited before
the search starts, so it is never blind. Each goal explores anew from where the robot
stands (`new_map_per_goal`: the map, frontiers and keyframes are reset on `filmnav/reset_map`).
Shutting down (SIGINT, SIGTERM) ends a running goal as CANCELED and publishes that final status.
"""

from __future__ import annotations

import dataclasses
import functools
import math
import sys
import threading
import time
from collections.abc import Sequence
from typing import Any

import numpy as np
from diagnostic_msgs.msg import DiagnosticArray
from filmnav_interfaces.msg import (
    DetectionArray,
    EpisodeResult,
    Frontier,
    FrontierArray,
    Goal,
    GoalGrounding,
)
from filmnav_interfaces.srv import StopGoal
from geometry_msgs.msg import PoseStamped
from nav_msgs.msg import OccupancyGrid, Odometry
from rclpy.callback_groups import MutuallyExclusiveCallbackGroup, ReentrantCallbackGroup
from rclpy.clock import Clock, ClockType
from rclpy.node import Node
from sensor_msgs.msg import Image
from std_msgs.msg import Empty, String

from filmnav_common.frames import PARAMETERS as FRAME_PARAMETERS
from filmnav_common.frames import RobotFrames
from filmnav_common.geometry import planar_pose
from filmnav_common.image_codec import numpy_to_image
from filmnav_common.node_main import run_node
from filmnav_common.parameters import declare_parameters
from filmnav_common.policy_messages import (
    RequestError,
    candidate_of,
    path_distance_field,
    rgb_of,
)
from filmnav_common.protocol import FrontierCandidate, GoalSpec
from filmnav_common.qos import LATCHED_QOS, ODOMETRY_QOS, RELIABLE_QOS, SENSOR_QOS
from filmnav_common.reporting import EXITED_KEY, PID_KEY, StatusReporter
from filmnav_common.text import excerpt
from filmnav_common.tf_listener import stamp_seconds
from filmnav_common.transforms import TransformError
from goal_interface.clearance import OccupancyView
from goal_interface.commands import execute
from goal_interface.decisions import DecisionPipeline
from goal_interface.find_object_server import FindObjectServer
from goal_interface.goals import (
    GoalError,
    GoalLimits,
    check_goal_id,
    goal_from_text,
    normalised_text,
    validate_goal,
)
from goal_interface.health import HealthConfig, HealthMonitor, Level
from goal_interface.mission import (
    Command,
    ExecutorState,
    ExecutorStatus,
    Finish,
    GoalDetection,
    Mission,
    MissionConfig,
    MissionState,
    NavigateTo,
    RequestDecision,
    Rotate,
)
from goal_interface.navigator import NAVIGATOR_KINDS, make_navigator
from goal_interface.status import StatusPublisher, compose_message

_MISSION, _HEALTH, _LIMITS = MissionConfig(), HealthConfig(), GoalLimits()
NOTICE_LENGTH = 40  # characters of a rejected goal's id or text quoted in the status
STOP_REASON = "goal_interface stopped"
REGULAR, NARROW = "filmnav/frontiers", "filmnav/narrow_frontiers"  # the frontier topics

# parameter name -> (default, description)
PARAMETERS: dict[str, tuple[Any, str]] = {
    "policy_service": ("filmnav/select_frontier", "SelectFrontier service of the frontier policy"),
    "keyframes_service": (
        "filmnav/get_keyframes",
        "GetKeyframes service of the trajectory buffer",
    ),
    "history_keyframes": (4, "K: recent trajectory keyframes sent to the policy"),
    "keyframe_image_size": (
        224,
        "side of the square keyframe images asked from the buffer, pixels (0: as stored)",
    ),
    "keyframes_timeout": (
        2.0,
        "seconds to wait for keyframes before the policy decides without images",
    ),
    "decision_timeout": (
        _MISSION.decision_timeout,
        "seconds (steady clock) to wait for keyframes + policy before falling back to the "
        "nearest frontier",
    ),
    "no_progress_timeout": (
        _MISSION.no_progress_timeout,
        "seconds without getting closer to the waypoint before it is given up",
    ),
    "navigation_timeout": (
        _MISSION.navigation_timeout,
        "seconds for one waypoint before it is given up (0: no limit)",
    ),
    "approach_timeout": (
        _MISSION.approach_timeout,
        "seconds approaching one detected object before it is given up (0: no limit)",
    ),
    "max_refusals": (
        _MISSION.max_refusals,
        "navigation goals the navigator refuses in a row before the goal fails",
    ),
    "max_aborts": (
        _MISSION.max_aborts,
        "frontier waypoints the navigator aborts in a row, the robot getting closer to none, "
        "before the goal fails",
    ),
    "refusal_retry": (_MISSION.refusal_retry, "seconds before a refused waypoint is sent again"),
    "navigator_timeout": (
        60.0,
        "seconds a goal waits for a missing navigation action server before it fails",
    ),
    "sensor_timeout": (
        _HEALTH.sensor_timeout,
        "seconds without a colour image, depth image or odometry before the robot pauses",
    ),
    "sensor_loss_timeout": (
        _HEALTH.sensor_loss_timeout,
        "seconds without one of them, during a goal, before the goal fails",
    ),
    "heartbeat_timeout": (
        _HEALTH.heartbeat_timeout,
        "seconds without a diagnostics report before a node counts as stale (nodes report "
        "every 0.5 s); a policy node that stale fails its pending decision at once",
    ),
    "mapper_node": ("occupancy_mapper", "mapper node whose health is shown (relative name)"),
    "buffer_node": ("trajectory_buffer", "trajectory buffer node whose health is shown"),
    "policy_node": ("policy_node", "policy node whose health is shown"),
    "detector_node": ("detector_node", "goal detector node whose health is shown"),
    "time_budget": (_MISSION.time_budget, "seconds per goal before it fails (0: unlimited)"),
    "max_decisions": (
        _MISSION.max_decisions,
        "frontier decisions per goal before it fails (0: unlimited)",
    ),
    "success_distance": (
        _MISSION.success_distance,
        "stop within this distance of the detected object, metres",
    ),
    "blocked_reach": (
        _MISSION.blocked_reach,
        "when every approach pose fails, succeed this near the object, back where it was seen, "
        "metres (0: never)",
    ),
    "approach_distance": (
        _MISSION.approach_distance,
        "distance of the approach pose from the detected object, metres",
    ),
    "approach_clearance": (
        0.2,
        "approach poses need this much room from mapped obstacles, metres (0: no check)",
    ),
    "min_detection_score": (
        _MISSION.min_detection_score,
        "detections with a lower score are ignored",
    ),
    "detection_timeout": (1.0, "seconds after which a detection is too old to act on"),
    "confirm_time": (
        1.0,
        "seconds to wait at the approach pose for a detection that confirms the object",
    ),
    "look_around_turns": (
        _MISSION.look_around_turns,
        "turns in place when no frontier is left, before failing",
    ),
    "look_around_angle": (
        _MISSION.look_around_angle,
        "angle of one look-around turn, radians",
    ),
    "map_wait": (
        _MISSION.map_wait,
        "seconds a look-around that found no frontiers waits for the frontiers to take in what "
        "it saw before the search fails (the mapper may lag behind, most at start-up)",
    ),
    "map_lag": (
        0.5,
        "seconds the frontiers' stamp (the newest depth frame in the map) may lag the robot's "
        "odometry and still hold what the robot has seen",
    ),
    "navigator": (
        "auto",
        f"waypoint executor: {' | '.join(NAVIGATOR_KINDS)} (nav2 and auto wait for Nav2's "
        "bt_navigator to be active; action_client: any NavigateToPose server)",
    ),
    "navigate_action": (
        "navigate_to_pose",
        "NavigateToPose action of the navigator (relative: in the node's namespace)",
    ),
    "behavior_tree": ("", "Nav2 behavior tree for waypoint goals (empty: Nav2's default)"),
    "localizer": (
        "",
        "lifecycle localizer that must be active before waypoints are sent (nav2, auto), e.g. "
        "amcl (empty: none)",
    ),
    "max_text_length": (_LIMITS.max_text_length, "longest accepted goal text, characters"),
    "min_image_side": (_LIMITS.min_image_side, "smallest accepted goal image side, pixels"),
    "max_image_side": (_LIMITS.max_image_side, "largest accepted goal image side, pixels"),
    "sim_mode": (
        False,
        "simulation: call the stop service when a goal succeeds or fails, so the simulator "
        "scores that goal (Habitat STOP), and fail a goal the simulator ends first (its step "
        "budget spent) with that reason",
    ),
    "sim_stop_service": (
        "sim/stop",
        "filmnav_interfaces/StopGoal service of the simulator that stops the robot and scores "
        "the goal",
    ),
    "sim_stop_timeout": (
        5.0,
        "simulation: longest wait for the simulator to answer a goal's STOP, seconds; the goal's "
        "final status and the next goal wait for the answer",
    ),
    "new_map_per_goal": (
        True,
        "each goal explores anew from where the robot stands: the mapper's map, frontiers and "
        "keyframes are reset (filmnav/reset_map) when a goal starts; false: a goal after another "
        "in a fully explored map only looks around",
    ),
    "initial_goal": (
        "",
        "goal text started once odometry arrives, as if sent on filmnav/goal_text, e.g. "
        "'find a chair' (empty: none)",
    ),
    "tick_rate": (10.0, "mission updates per second"),
    "status_period": (1.0, "republish the status this often while a goal runs, seconds"),
    # the robot pose in map_frame (or odometry's), camera.hfov for the object-in-view check
    **FRAME_PARAMETERS,
}
SENSORS = (  # component, topic (before remapping), what it carries
    ("camera", "camera/color/image_raw", "colour image"),
    ("depth", "camera/depth/image_raw", "depth image"),
    ("odometry", "odom", "odometry"),
)
GRAPH_CHECK_PERIOD = 1.0  # seconds between looks at which watched nodes are in the graph
GROUNDING_GRACE = 1.0  # seconds a goal waits for its grounding before the status says so


def steady() -> float:
    return time.monotonic()


@dataclasses.dataclass(frozen=True)
class PendingStop:
    """A finished simulated goal whose STOP the simulator has not answered yet. Its final status
    waits for the answer, so the score exists when the operator reads it, and so does the next
    goal's announcement, so the STOP cannot arrive after it and leave the goal unscored."""

    finish: Finish
    answered: threading.Event
    deadline: float  # steady time


class GoalInterfaceNode(Node):
    def __init__(self) -> None:
        super().__init__("goal_interface")
        self._param = declare_parameters(self, PARAMETERS)
        self._lock = threading.RLock()
        self._occupancy: OccupancyView | None = None
        self._mission = Mission(self._mission_config(), is_navigable=self._approach_pose_clear)
        self._limits = GoalLimits(
            self._param("max_text_length"),
            self._param("min_image_side"),
            self._param("max_image_side"),
        )
        self._reporter = StatusReporter(self)

        self._robot_frames = RobotFrames(self, self._param)
        self._pose: tuple[float, float, float] | None = None  # in the mapping frame
        self._pose_time = -math.inf  # steady time it was last placed there
        self._pose_stamp = 0.0  # its odometry stamp, seconds
        self._frontiers_stamp = 0.0  # the newest depth frame in the frontiers, seconds
        self._pose_error = "no odometry yet"  # why the latest odometry could not be placed
        self._frame = self._robot_frames.mapping_frame("odom")  # until odometry names its frame
        # The latest array of each frontier topic, as candidates and as messages by id.
        self._frontiers: dict[str, list[FrontierCandidate]] = {REGULAR: [], NARROW: []}
        self._frontier_msgs: dict[str, dict[int, Frontier]] = {REGULAR: {}, NARROW: {}}
        self._detection: tuple[float, GoalDetection] | None = None
        self._active_goal = Goal()  # the accepted goal; Goal() when none has run yet
        self._goal_started = 0.0
        self._goal_counter = 0
        self._nav_seq = -1
        self._notice = ""  # the last rejected goal, until the next goal starts
        self._understood = ""  # what the detector understood the goal as ("": not yet)
        self._pause_reason = ""
        self._next_graph_check = 0.0
        self._pending_stop: PendingStop | None = None

        io = ReentrantCallbackGroup()
        goals = MutuallyExclusiveCallbackGroup()  # goals and cancels in arrival order
        self._active_goal_pub = self.create_publisher(Goal, "filmnav/active_goal", LATCHED_QOS)
        self._reset_map_pub = self.create_publisher(Empty, "filmnav/reset_map", RELIABLE_QOS)
        self._status = StatusPublisher(self, self._param("status_period"))
        self.create_subscription(
            Goal, "filmnav/goal", self._on_goal, RELIABLE_QOS, callback_group=goals
        )
        self.create_subscription(
            String, "filmnav/goal_text", self._on_goal_text, RELIABLE_QOS, callback_group=goals
        )
        self.create_subscription(
            Empty, "filmnav/cancel", self._on_cancel, RELIABLE_QOS, callback_group=goals
        )
        for topic in (REGULAR, NARROW):
            self.create_subscription(
                FrontierArray,
                topic,
                functools.partial(self._on_frontiers, topic),
                RELIABLE_QOS,
                callback_group=io,
            )
        self.create_subscription(
            DetectionArray,
            "filmnav/detections",
            self._on_detections,
            RELIABLE_QOS,
            callback_group=io,
        )
        self.create_subscription(
            GoalGrounding,
            "filmnav/goal_grounding",
            self._on_grounding,
            LATCHED_QOS,
            callback_group=io,
        )
        self.create_subscription(
            DiagnosticArray, "diagnostics", self._on_diagnostics, 50, callback_group=io
        )
        self.create_subscription(
            OccupancyGrid, "filmnav/map", self._on_map, LATCHED_QOS, callback_group=io
        )
        # Sensors: only their arrival matters here, so the images stay serialised.
        sensor_topics = {}
        for name, topic, _ in SENSORS:
            if name == "odometry":
                subscription = self.create_subscription(
                    Odometry, topic, self._on_odom, ODOMETRY_QOS, callback_group=io
                )
            else:
                subscription = self.create_subscription(
                    Image,
                    topic,
                    lambda _data, name=name: self._health.sensors[name].arrived(steady()),
                    SENSOR_QOS,
                    callback_group=io,
                    raw=True,
                )
            sensor_topics[name] = subscription.topic_name
        self._health = HealthMonitor(
            HealthConfig(
                self._param("heartbeat_timeout"),
                self._param("sensor_timeout"),
                self._param("sensor_loss_timeout"),
            ),
            nodes={
                component: self._qualified(self._param(f"{component}_node"))
                for component in ("mapper", "buffer", "policy", "detector")
            },
            sensors=[(name, sensor_topics[name], what) for name, _, what in SENSORS],
            navigator=self._param("navigate_action"),
        )
        self._stop_client = self.create_client(
            StopGoal, self._param("sim_stop_service"), callback_group=io
        )
        if self._param("sim_mode"):
            self.create_subscription(
                EpisodeResult,
                "sim/episode_result",
                self._on_episode_result,
                LATCHED_QOS,
                callback_group=goals,
            )
        self._navigator = make_navigator(
            self,
            self._param("navigator"),
            self._param("navigate_action"),
            localizer=self._param("localizer"),
            behavior_tree=self._param("behavior_tree"),
            callback_group=io,
        )
        self._decisions = DecisionPipeline(
            self,
            keyframes_service=self._param("keyframes_service"),
            policy_service=self._param("policy_service"),
            history_keyframes=self._param("history_keyframes"),
            image_size=self._param("keyframe_image_size"),
            keyframes_timeout=self._param("keyframes_timeout"),
            answer=self._decided,
            warn=self._reporter.warn,
            callback_group=io,
        )
        self._server = FindObjectServer(
            self,
            check=self._action_goal_problem,
            start=lambda goal: self._start(goal, f"goal '{excerpt(goal.id, NOTICE_LENGTH)}'"),
            cancel=self._cancel_goal,
            callback_group=io,
        )
        # Timers run on the steady clock: a simulator's clock stands still until the robot moves.
        clock = Clock(clock_type=ClockType.STEADY_TIME)
        self.create_timer(
            1.0 / self._param("tick_rate"),
            self._tick,
            MutuallyExclusiveCallbackGroup(),
            clock=clock,
        )
        self._initial_goal_timer = None
        if self._param("initial_goal"):
            self._initial_goal_timer = self.create_timer(
                0.2, self._start_initial_goal, goals, clock
            )
        self._active_goal_pub.publish(Goal())
        self._publish_status(force=True)
        self._reporter.ok(f"ready (navigator: {self._navigator.name})")

    # ------------------------------------------------------------------------------ set-up
    def _mission_config(self) -> MissionConfig:
        p = self._param
        return MissionConfig(
            success_distance=p("success_distance"),
            approach_distance=p("approach_distance"),
            blocked_reach=p("blocked_reach"),
            camera_hfov=p("camera.hfov"),
            min_detection_score=p("min_detection_score"),
            decision_timeout=p("decision_timeout"),
            no_progress_timeout=p("no_progress_timeout"),
            look_around_turns=p("look_around_turns"),
            look_around_angle=p("look_around_angle"),
            map_wait=p("map_wait"),
            confirm_ticks=max(1, round(p("confirm_time") * p("tick_rate"))),
            navigation_timeout=p("navigation_timeout"),
            approach_timeout=p("approach_timeout"),
            max_refusals=p("max_refusals"),
            max_aborts=p("max_aborts"),
            refusal_retry=p("refusal_retry"),
            time_budget=p("time_budget"),
            max_decisions=p("max_decisions"),
        )

    def _qualified(self, name: str) -> str:
        """A node name as diagnostics reports carry it (relative names in this namespace)."""
        if name.startswith("/"):
            return name
        namespace = self.get_namespace().rstrip("/")
        return f"{namespace}/{name}"

    # ------------------------------------------------------------------------------ goals
    def _goal_spec(self, msg: Goal) -> GoalSpec:
        """The goal door for a message (raises GoalError with the reason)."""
        check_goal_id(msg.id)
        image = None
        if msg.task == "image" and msg.image.width and msg.image.height:
            try:
                image = rgb_of(msg.image, "goal image")
            except RequestError as error:
                raise GoalError(excerpt(str(error), 200)) from error
        return validate_goal(msg.task, msg.text, image, self._limits)

    def _action_goal_problem(self, goal: Goal) -> str:
        try:
            self._goal_spec(goal)
        except GoalError as error:
            self._reject(f"goal '{excerpt(goal.id, NOTICE_LENGTH) or '<no id>'}'", str(error))
            return str(error)
        return ""

    def _reject(self, what: str, reason: str) -> None:
        with self._lock:
            self._notice = f"rejected {what}: {reason}"
            self._publish_status(force=True)
        self.get_logger().warning(self._notice)

    def _start(self, msg: Goal, what: str) -> tuple[str, str]:
        """Start the mission on a goal message: (its goal id, "") or ("", why it was rejected).
        `what` names the goal in a rejection ("goal 'id'", "goal text '...'")."""
        try:
            spec = self._goal_spec(msg)
        except GoalError as error:
            self._reject(what, str(error))
            return "", str(error)
        self._await_stop()  # outside the lock: the answer is taken by other callbacks
        with self._lock:
            self._await_stop()  # a goal that finished meanwhile
            self._settle_stop()
            now = steady()
            self._goal_counter += 1
            goal_id = msg.id or f"goal_{self._goal_counter}"
            # The running goal ends first, and says so, before the new one starts.
            execute(self._mission.cancel(now, f"preempted by goal '{goal_id}'"), self)
            image = numpy_to_image(spec.image, "rgb8") if spec.image is not None else Image()
            self._active_goal = Goal(id=goal_id, task=spec.task, text=spec.text, image=image)
            self._notice = self._understood = self._pause_reason = ""
            self._detection = None
            if self._param("new_map_per_goal"):
                self._reset_map_pub.publish(Empty())
                self._frontiers = {topic: [] for topic in self._frontiers}
                self._frontier_msgs = {topic: {} for topic in self._frontier_msgs}
            self._goal_started = now
            execute(self._mission.start(spec, now, goal_id=goal_id), self)
            self._active_goal_pub.publish(self._active_goal)
            self._publish_status(force=True)
        self.get_logger().info(f"goal '{goal_id}': {spec.task} '{excerpt(spec.describe())}'")
        return goal_id, ""

    def _on_goal(self, msg: Goal) -> None:
        with self._lock:
            if msg.id and msg.id == self._active_goal.id and self._mission.active:
                return  # a repeat of the running goal
        self._start(msg, f"goal '{excerpt(msg.id, NOTICE_LENGTH) or '<no id>'}'")

    def _on_goal_text(self, msg: String) -> None:
        what = f"goal text '{excerpt(msg.data, NOTICE_LENGTH)}'"
        try:
            task, text = goal_from_text(normalised_text(msg.data, self._limits))
        except GoalError as error:
            self._reject(what, str(error))
            return
        self._start(Goal(task=task, text=text), what)

    def _start_initial_goal(self) -> None:
        """The `initial_goal` parameter, through the same door as goal_text, once odometry
        arrived."""
        if self._pose is None:
            return
        self._initial_goal_timer.cancel()
        self._on_goal_text(String(data=self._param("initial_goal")))

    def _on_cancel(self, _msg: Empty) -> None:
        with self._lock:
            execute(self._mission.cancel(steady()), self)
            self._publish_status()

    def _cancel_goal(self, goal_id: str, reason: str) -> None:
        with self._lock:
            if self._mission.active and self._active_goal.id == goal_id:
                execute(self._mission.cancel(steady(), reason), self)
                self._publish_status()

    def _on_episode_result(self, msg: EpisodeResult) -> None:
        """The simulator ended the running goal without this node's STOP: its step budget is
        spent (or another node called STOP), and no waypoint will be driven again."""
        with self._lock:
            if self._mission.active and msg.goal_id and msg.goal_id == self._active_goal.id:
                reason = (
                    f"the simulator ended the goal after {msg.steps} steps: its step budget is "
                    "spent (or another node called STOP)"
                )
                execute(self._mission.fail(steady(), reason), self)
                self._publish_status()

    def stop(self) -> None:
        """Shutting down: a running goal ends as CANCELED, its status reaches subscribers, and
        waiting action goals end."""
        with self._lock:
            self._settle_stop(force=True)
            execute(self._mission.cancel(steady(), STOP_REASON), self)
            self._publish_status(force=True)
        self._server.close()
        self._status.flush(1.0)

    # ------------------------------------------------------------------------------ inputs
    def _on_odom(self, msg: Odometry) -> None:
        self._health.sensors["odometry"].arrived(steady())
        try:
            frame, pose = self._robot_frames.pose(msg)
        except TransformError as error:
            self.get_logger().warning(f"odometry ignored: {error}", throttle_duration_sec=5.0)
            with self._lock:
                self._pose_error = f"odometry not placed in '{self._frame}': {error}"
            return
        with self._lock:
            self._pose, self._pose_time = pose, steady()
            self._pose_stamp = stamp_seconds(msg.header.stamp)
            self._frame = frame or self._frame

    def _on_frontiers(self, topic: str, msg: FrontierArray) -> None:
        with self._lock:
            self._frontier_msgs[topic] = {frontier.id: frontier for frontier in msg.frontiers}
            self._frontiers[topic] = [candidate_of(frontier) for frontier in msg.frontiers]
            if topic == REGULAR:
                self._frontiers_stamp = stamp_seconds(msg.header.stamp)

    def _on_map(self, msg: OccupancyGrid) -> None:
        info = msg.info
        if info.width * info.height != len(msg.data) or info.resolution <= 0.0:
            self._reporter.warn(
                f"ignored a malformed map: {info.width}x{info.height} cells, "
                f"{len(msg.data)} values"
            )
            return
        cells = np.frombuffer(msg.data, dtype=np.int8).reshape(info.height, info.width)
        view = OccupancyView(
            cells, (info.origin.position.x, info.origin.position.y), info.resolution
        )
        with self._lock:
            self._occupancy = view

    def _approach_pose_clear(self, x: float, y: float) -> bool:
        """Mission callback (lock held): is an approach pose clear of mapped obstacles?"""
        clearance = self._param("approach_clearance")
        return (
            self._occupancy is None
            or clearance <= 0.0
            or self._occupancy.is_clear(x, y, clearance)
        )

    def _on_detections(self, msg: DetectionArray) -> None:
        """Detections of the active goal only: other goals' (and untagged ones) are ignored."""
        if not msg.detections:
            return
        best = max(msg.detections, key=lambda detection: detection.score)
        position = (best.position.x, best.position.y, best.position.z)
        if not all(math.isfinite(value) for value in position):
            self._reporter.warn(f"ignored a detection with a non-finite position {position}")
            return
        with self._lock:
            if not msg.goal_id or msg.goal_id != self._active_goal.id:
                return
            self._detection = (
                steady(),
                GoalDetection(position=position, score=best.score, label=best.label),
            )

    def _on_grounding(self, msg: GoalGrounding) -> None:
        with self._lock:
            if not self._mission.active or msg.goal_id != self._active_goal.id:
                return
            self._understood = excerpt(msg.message, 120)
            if not msg.findable:
                execute(self._mission.fail(steady(), self._understood), self)
            self._publish_status()

    def _on_diagnostics(self, msg: DiagnosticArray) -> None:
        own_name = self.get_fully_qualified_name()
        now = steady()
        with self._lock:
            for status in msg.status:
                if status.name == own_name:
                    continue
                level = status.level[0] if isinstance(status.level, bytes) else int(status.level)
                values = {pair.key: pair.value for pair in status.values}
                self._health.on_report(
                    now,
                    status.name,
                    Level(min(level, Level.STALE)),
                    status.message,
                    values.get(PID_KEY, ""),
                    values.get(EXITED_KEY) == "true",
                )
            self._publish_status()

    # ------------------------------------------------------------------------------ ticking
    def _tick(self) -> None:
        now = steady()
        with self._lock:
            self._settle_stop()
            self._observe(now)
            if self._mission.active:
                self._supervise(now)
            self._publish_status()

    def _observe(self, now: float) -> None:
        executor = self._navigator.result() if self._nav_seq >= 0 else ExecutorStatus.IDLE
        self._health.navigator.observe(
            now,
            self._navigator.ready(),
            executor,
            self._navigator.last_error,
            self._navigator.state_message(),
        )
        if now >= self._next_graph_check:
            self._next_graph_check = now + GRAPH_CHECK_PERIOD
            present = {
                f"{namespace.rstrip('/')}/{name}"
                for name, namespace in self.get_node_names_and_namespaces()
            }
            self._health.on_graph(present)

    def _supervise(self, now: float) -> None:
        """One mission tick: deadlines outside the mission, pause or resume, then the update."""
        mission = self._mission
        self._decisions.poll(now, self._health.node_silent("policy", now))
        lost = self._health.lost_sensor(now, since=self._goal_started)
        missing = min(self._health.navigator.unavailable_for(now), now - self._goal_started)
        if not lost and missing > self._param("navigator_timeout"):
            lost = f"navigator unavailable for {missing:.0f} s: {self._navigator.state_message()}"
        if lost:
            execute(mission.fail(now, lost), self)
            return
        problem = self._health.sensor_problem(now)
        if not problem and now - self._pose_time > self._param("sensor_timeout"):
            problem = f"no robot pose: {excerpt(self._pose_error, 200)}"  # e.g. no map -> odom
        # A running detector that has not grounded the goal yet could not see it: the search
        # waits for the grounding (it usually comes within milliseconds; with no detector
        # running the robot explores without one).
        ungrounded = not self._understood and not self._health.node_silent("detector", now)
        if not problem and ungrounded and now - self._goal_started > GROUNDING_GRACE:
            problem = "waiting for the detector to ground the goal"
        if not problem and not self._navigator.ready():
            problem = f"waiting for the navigator: {self._navigator.state_message()}"
        if problem:
            if not mission.paused:
                self.get_logger().warning(f"paused: {problem}")
            self._pause_reason = problem
            execute(mission.pause(now, f"paused: {problem}"), self)
            return
        if mission.paused:
            self.get_logger().info(f"resumed after: {self._pause_reason}")
            execute(mission.resume(now, self._pose, f"resumed after: {self._pause_reason}"), self)
            self._pause_reason = ""
        if ungrounded:
            return
        # Each detection is used once: the mission treats it as "seen in the current frame".
        detection = None
        if self._detection is not None and now - self._detection[0] <= self._param(
            "detection_timeout"
        ):
            detection = self._detection[1]
        self._detection = None
        executor = (
            ExecutorState(
                self._nav_seq, self._navigator.result(), excerpt(self._navigator.last_error, 160)
            )
            if self._nav_seq >= 0
            else ExecutorState()
        )
        frontiers, narrow = self._frontiers[REGULAR], self._frontiers[NARROW]
        map_current = self._frontiers_stamp >= self._pose_stamp - self._param("map_lag")
        execute(
            mission.update(
                now,
                self._pose,
                frontiers,
                detection,
                executor,
                narrow=narrow,
                map_current=map_current,
            ),
            self,
        )

    # ------------------------------------------------------------------------------ commands
    # goal_interface.commands.CommandHandler, called with the lock held.
    def request_decision(self, command: RequestDecision) -> Sequence[Command]:
        known = {**self._frontier_msgs[REGULAR], **self._frontier_msgs[NARROW]}  # ids apart
        frontiers = [known.get(c.id) or _frontier_msg(c) for c in command.frontiers]
        self._decisions.request(command, self._active_goal, frontiers, steady())
        return ()  # answered later, through _decided

    def navigate(self, command: NavigateTo) -> None:
        self._send_waypoint(command.seq, command.x, command.y, command.yaw)

    def rotate(self, command: Rotate) -> None:
        x, y, yaw = self._pose or (0.0, 0.0, 0.0)
        self._send_waypoint(command.seq, x, y, yaw + command.angle)

    def cancel_navigation(self) -> None:
        self._navigator.cancel()

    def finished(self, finish: Finish) -> None:
        self._nav_seq = -1
        self._decisions.cancel()
        self._active_goal_pub.publish(Goal())  # idle: the other nodes stop following it
        if finish.state != MissionState.CANCELED and self._param("sim_mode"):
            if self._stop_client.service_is_ready():
                answered = threading.Event()
                # named, so a STOP arriving after the next goal started cannot end that one
                future = self._stop_client.call_async(StopGoal.Request(goal_id=finish.goal_id))
                future.add_done_callback(lambda _: answered.set())
                deadline = steady() + self._param("sim_stop_timeout")
                self._pending_stop = PendingStop(finish, answered, deadline)
                return  # announced once the simulator answered (_settle_stop)
            self._reporter.warn(
                f"no '{self._param('sim_stop_service')}' service to end the simulated episode"
            )
        self._announce_finish(finish)

    def _announce_finish(self, finish: Finish) -> None:
        self._publish_status(force=True)
        self._server.on_finish(finish, self._mission.status(steady()))
        line = f"goal '{finish.goal_id}' {finish.state.name}: {excerpt(finish.reason, 300)}"
        if finish.state == MissionState.SUCCEEDED:
            self.get_logger().info(line)
        else:
            self.get_logger().warning(line)

    def _await_stop(self) -> None:
        """Wait (at most until its deadline) for the simulator to answer the pending STOP."""
        pending = self._pending_stop
        if pending is not None:
            pending.answered.wait(max(0.0, pending.deadline - steady()))

    def _settle_stop(self, force: bool = False) -> None:
        """Announce the finished goal once its STOP is answered, its deadline passed or `force`
        (call with the lock)."""
        pending = self._pending_stop
        if pending is None:
            return
        answered = pending.answered.is_set()
        if not (answered or force or steady() >= pending.deadline):
            return
        self._pending_stop = None
        if not answered and not force:
            goal = excerpt(pending.finish.goal_id)
            self._reporter.warn(
                f"the simulator did not answer the STOP of goal '{goal}' within "
                f"{self._param('sim_stop_timeout'):.1f} s: it may be unscored"
            )
        self._announce_finish(pending.finish)

    def _send_waypoint(self, seq: int, x: float, y: float, yaw: float) -> None:
        pose = PoseStamped()
        pose.header.frame_id = self._frame
        pose.header.stamp = self.get_clock().now().to_msg()
        pose.pose = planar_pose(x, y, yaw)
        self._nav_seq = seq
        if not self._navigator.go_to_pose(pose):
            self._reporter.warn(f"waypoint not sent: {self._navigator.last_error}")

    def _decided(self, request_id: int, index: int | None, policy: str, error: str) -> None:
        with self._lock:
            execute(self._mission.on_decision(request_id, index, policy=policy, error=error), self)
            self._publish_status()

    # ------------------------------------------------------------------------------ status
    def _publish_status(self, force: bool = False) -> None:
        """Publish on every change, and periodically while a goal runs (call with the lock). A
        simulated goal's final status waits for its STOP's answer (_settle_stop)."""
        if self._pending_stop is not None:
            return
        now = steady()
        snapshot = self._mission.status(now)
        message = compose_message(
            self._notice,
            snapshot.message,
            self._understood if self._mission.active else "",
            self._health.relayed(now),
        )
        health = self._health.report(now, self._decisions.services())
        if self._status.publish(snapshot, message, self._understood, health, self._frame, force):
            self._server.on_status(dataclasses.replace(snapshot, message=message))


def _frontier_msg(candidate: FrontierCandidate) -> Frontier:
    """A Frontier message for a candidate the latest FrontierArray no longer holds."""
    msg = Frontier(id=candidate.id, size=float(candidate.size), keyframe_id=-1)
    msg.path_distance = path_distance_field(candidate.path_distance)
    msg.centroid.x, msg.centroid.y = candidate.centroid
    msg.waypoint = planar_pose(*candidate.waypoint)
    return msg


def main(args: Sequence[str] | None = None) -> int:
    return run_node(
        GoalInterfaceNode,
        args,
        threads=8,  # action goals wait in their own threads
        on_stop=lambda node: node.stop(),
    )


if __name__ == "__main__":
    sys.exit(main())
