"""The goal_interface node: goals in, mission status out, frontier decisions and Nav2 handoff.

A thin ROS adapter around `goal_interface.mission.Mission`. Goals arrive on `filmnav/goal`
(filmnav_interfaces/Goal), `filmnav/goal_text` (std_msgs/String, "find a chair") or the
`filmnav/find_object` action (the last two are re-announced on `filmnav/goal` with their goal id,
so that every goal-following node, such as the detector, sees them); `filmnav/cancel` cancels.
Every tick feeds the mission with `odom`, `filmnav/frontiers` and fresh `filmnav/detections`; its
commands become asynchronous calls of `filmnav/get_keyframes` then `filmnav/select_frontier`, and
waypoints for the navigator (Nav2's BasicNavigator or a `navigate_to_pose` client).
`filmnav/status` (transient local) is published on every change; warnings and errors that other
nodes report on `diagnostics` are relayed into its message. Bad goals are rejected with a clear
status message; the node keeps serving.
"""

from __future__ import annotations

import math
import sys
import threading
import time
from collections.abc import Sequence
from typing import Any

import numpy as np
import rclpy
from diagnostic_msgs.msg import DiagnosticArray
from filmnav_common.geometry import planar_pose, pose_to_xy_yaw
from filmnav_common.image_codec import numpy_to_image
from filmnav_common.node_main import run_node
from filmnav_common.parameters import declare_parameters
from filmnav_common.policy_messages import RequestError, candidate_of, rgb_of
from filmnav_common.protocol import FrontierCandidate, GoalSpec
from filmnav_common.qos import LATCHED_QOS, RELIABLE_QOS
from filmnav_common.reporting import WARN, StatusReporter
from geometry_msgs.msg import PoseStamped
from nav_msgs.msg import OccupancyGrid, Odometry
from rclpy.action import ActionServer, CancelResponse, GoalResponse
from rclpy.callback_groups import MutuallyExclusiveCallbackGroup, ReentrantCallbackGroup
from rclpy.clock import Clock, ClockType
from rclpy.node import Node
from sensor_msgs.msg import Image
from std_msgs.msg import Empty, String
from std_srvs.srv import Trigger

from filmnav_interfaces.action import FindObject
from filmnav_interfaces.msg import (
    DetectionArray,
    Frontier,
    FrontierArray,
    Goal,
    MissionStatus,
)
from filmnav_interfaces.srv import GetKeyframes, SelectFrontier
from goal_interface.clearance import OccupancyView
from goal_interface.goals import GoalError, GoalLimits, goal_from_text, validate_goal
from goal_interface.mission import (
    CancelNavigation,
    Command,
    ExecutorState,
    Finish,
    GoalDetection,
    Mission,
    MissionConfig,
    MissionState,
    MissionStatusSnapshot,
    NavigateTo,
    RequestDecision,
    Rotate,
)
from goal_interface.navigator import NAVIGATOR_KINDS, make_navigator

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
    "decision_timeout": (
        10.0,
        "seconds to wait for keyframes + policy before falling back to the nearest frontier",
    ),
    "no_progress_timeout": (
        20.0,
        "seconds without getting closer to the waypoint before it is blacklisted",
    ),
    "time_budget": (0.0, "seconds per goal before it fails (0: unlimited)"),
    "max_decisions": (0, "frontier decisions per goal before it fails (0: unlimited)"),
    "success_distance": (1.0, "stop within this distance of the detected object, metres"),
    "approach_distance": (0.8, "distance of the approach pose from the detected object, metres"),
    "approach_clearance": (
        0.2,
        "approach poses need this much room from mapped obstacles, metres (0: no check)",
    ),
    "camera_hfov": (
        79.0,
        "horizontal field of view of the camera, degrees (object-in-view check)",
    ),
    "min_detection_score": (0.0, "detections with a lower score are ignored"),
    "detection_timeout": (1.0, "seconds after which a detection is too old to act on"),
    "confirm_time": (
        1.0,
        "seconds to wait at the approach pose for a detection that confirms the object",
    ),
    "look_around_turns": (12, "turns in place when no frontier is left, before failing"),
    "look_around_angle": (30.0, "angle of one look-around turn, degrees"),
    "navigator": (
        "auto",
        f"waypoint executor: {' | '.join(NAVIGATOR_KINDS)} (auto: BasicNavigator where installed)",
    ),
    "navigate_action": (
        "navigate_to_pose",
        "NavigateToPose action name (action_client navigator)",
    ),
    "behavior_tree": ("", "Nav2 behavior tree for waypoint goals (empty: Nav2's default)"),
    "localizer": (
        "",
        "localizer node BasicNavigator waits for, e.g. amcl (empty: none, odometry only)",
    ),
    "goal_frame": ("", "frame of waypoint goals (empty: the odometry frame)"),
    "max_text_length": (200, "longest accepted goal text, characters"),
    "min_image_side": (16, "smallest accepted goal image side, pixels"),
    "max_image_side": (4096, "largest accepted goal image side, pixels"),
    "sim_mode": (
        False,
        "simulation: call the stop service when a goal succeeds or fails, so the episode ends "
        "and is scored",
    ),
    "sim_stop_service": ("sim/stop", "std_srvs/Trigger service that ends the simulated episode"),
    "initial_goal": (
        "",
        "goal text sent on filmnav/goal_text once odometry arrives, e.g. 'find a chair' "
        "(empty: none)",
    ),
    "initial_goal_subscribers": (
        1,
        "send the initial goal once filmnav/goal_text has this many subscribers "
        "(this node counts)",
    ),
    "tick_rate": (10.0, "mission updates per second"),
    "status_period": (1.0, "republish the status this often while a goal runs, seconds"),
}


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

        self._pose: tuple[float, float, float] | None = None
        self._odom_frame = "odom"
        self._frontiers: list[FrontierCandidate] = []
        self._frontier_msgs: dict[int, Frontier] = {}
        self._detection: tuple[float, GoalDetection] | None = None
        self._goal_msg = Goal()
        self._nav_seq = -1
        self._decision_deadline: tuple[int, float] | None = (
            None  # request id, steady-clock deadline
        )
        self._finished: dict[str, Finish] = {}
        self._notice = ""  # the last rejected goal, until the next goal starts
        self._waiting = ""  # what the mission waits for before it can tick
        self._relayed: dict[str, str] = {}
        self._last_status_key: tuple | None = None
        self._last_status_time = 0.0
        self._goal_counter = 0

        io = ReentrantCallbackGroup()
        self._status_pub = self.create_publisher(MissionStatus, "filmnav/status", LATCHED_QOS)
        self.create_subscription(
            Goal, "filmnav/goal", self._on_goal, RELIABLE_QOS, callback_group=io
        )
        self.create_subscription(
            String, "filmnav/goal_text", self._on_goal_text, RELIABLE_QOS, callback_group=io
        )
        self.create_subscription(
            Empty, "filmnav/cancel", self._on_cancel, RELIABLE_QOS, callback_group=io
        )
        self.create_subscription(Odometry, "odom", self._on_odom, RELIABLE_QOS, callback_group=io)
        self.create_subscription(
            FrontierArray, "filmnav/frontiers", self._on_frontiers, RELIABLE_QOS, callback_group=io
        )
        self.create_subscription(
            DetectionArray,
            "filmnav/detections",
            self._on_detections,
            RELIABLE_QOS,
            callback_group=io,
        )
        self.create_subscription(
            DiagnosticArray, "diagnostics", self._on_diagnostics, 10, callback_group=io
        )
        self.create_subscription(
            OccupancyGrid, "filmnav/map", self._on_map, LATCHED_QOS, callback_group=io
        )
        self._keyframes_client = self.create_client(
            GetKeyframes, self._param("keyframes_service"), callback_group=io
        )
        self._policy_client = self.create_client(
            SelectFrontier, self._param("policy_service"), callback_group=io
        )
        self._stop_client = self.create_client(
            Trigger, self._param("sim_stop_service"), callback_group=io
        )
        self._navigator = make_navigator(
            self,
            self._param("navigator"),
            self._param("navigate_action"),
            localizer=self._param("localizer"),
            behavior_tree=self._param("behavior_tree"),
            callback_group=io,
        )
        self._action_server = ActionServer(
            self,
            FindObject,
            "filmnav/find_object",
            execute_callback=self._execute_find_object,
            goal_callback=self._accept_find_object,
            cancel_callback=lambda _handle: CancelResponse.ACCEPT,
            callback_group=io,
        )
        # Timers run on the steady clock: a simulator's clock stands still until the robot moves.
        steady = Clock(clock_type=ClockType.STEADY_TIME)
        self.create_timer(
            1.0 / self._param("tick_rate"),
            self._tick,
            MutuallyExclusiveCallbackGroup(),
            clock=steady,
        )
        self._goal_pub = self.create_publisher(Goal, "filmnav/goal", RELIABLE_QOS)
        self._initial_goal_pub = self.create_publisher(String, "filmnav/goal_text", RELIABLE_QOS)
        self._initial_goal_timer = None
        if self._param("initial_goal"):
            self._initial_goal_timer = self.create_timer(
                0.2, self._send_initial_goal, MutuallyExclusiveCallbackGroup(), clock=steady
            )
        self._publish_status(force=True)
        self._reporter.ok(f"ready (navigator: {self._navigator.name})")

    # ------------------------------------------------------------------------------ set-up
    def _mission_config(self) -> MissionConfig:
        return MissionConfig(
            success_distance=self._param("success_distance"),
            approach_distance=self._param("approach_distance"),
            camera_hfov=math.radians(self._param("camera_hfov")),
            min_detection_score=self._param("min_detection_score"),
            decision_timeout=self._param("decision_timeout"),
            no_progress_timeout=self._param("no_progress_timeout"),
            confirm_ticks=max(1, round(self._param("confirm_time") * self._param("tick_rate"))),
            look_around_turns=self._param("look_around_turns"),
            look_around_angle=math.radians(self._param("look_around_angle")),
            time_budget=self._param("time_budget"),
            max_decisions=self._param("max_decisions"),
        )

    def _now(self) -> float:
        return self.get_clock().now().nanoseconds * 1e-9

    # ------------------------------------------------------------------------------ goals
    def _spec_of(self, msg: Goal) -> GoalSpec:
        """Validate a goal message (raises GoalError)."""
        image = None
        if msg.task == "image" and msg.image.width and msg.image.height:
            try:
                image = rgb_of(msg.image, "goal image")
            except RequestError as error:
                raise GoalError(str(error)) from error
        return validate_goal(msg.task, msg.text, image, self._limits)

    def _reject(self, goal_id: str, reason: str) -> None:
        with self._lock:
            self._notice = f"rejected goal '{goal_id or '<no id>'}': {reason}"
            self._publish_status()
        self.get_logger().warning(self._notice)

    def _start(self, msg: Goal, announce: bool) -> str | None:
        """Start the mission on a goal message; its goal id, or None when rejected.

        `announce` republishes the accepted goal, with its id, on `filmnav/goal`, where every
        goal-following node (the detector) listens: for goals that came from elsewhere."""
        try:
            spec = self._spec_of(msg)
        except GoalError as error:
            self._reject(msg.id, str(error))
            return None
        with self._lock:
            self._goal_counter += 1
            goal_id = msg.id or f"goal_{self._goal_counter}"
            image = numpy_to_image(spec.image, "rgb8") if spec.image is not None else Image()
            self._goal_msg = Goal(id=goal_id, task=spec.task, text=spec.text, image=image)
            self._notice = ""
            self._detection = None
            self._finished.pop(goal_id, None)
            self._execute(self._mission.start(spec, self._now(), goal_id=goal_id))
            self._publish_status()
            if announce:
                self._goal_pub.publish(self._goal_msg)
        self.get_logger().info(f"goal '{goal_id}': {spec.task} '{spec.describe()}'")
        return goal_id

    def _send_initial_goal(self) -> None:
        """Publish the initial goal like an operator would, so every goal-following node sees
        it."""
        if self._pose is None or self._initial_goal_pub.get_subscription_count() < self._param(
            "initial_goal_subscribers"
        ):
            return
        self._initial_goal_timer.cancel()
        self._initial_goal_pub.publish(String(data=self._param("initial_goal")))

    def _on_goal(self, msg: Goal) -> None:
        with self._lock:
            if msg.id and msg.id == self._goal_msg.id and self._mission.active:
                return  # our own announcement, or a repeat of the running goal
        self._start(msg, announce=False)

    def _on_goal_text(self, msg: String) -> None:
        task, text = goal_from_text(msg.data)
        self._start(Goal(task=task, text=text), announce=True)

    def _on_cancel(self, _msg: Empty) -> None:
        with self._lock:
            self._execute(self._mission.cancel(self._now()))
            self._publish_status()

    # ------------------------------------------------------------------------------ action
    def _accept_find_object(self, request: FindObject.Goal) -> GoalResponse:
        try:
            self._spec_of(request.goal)
        except GoalError as error:
            self._reject(request.goal.id, str(error))
            return GoalResponse.REJECT
        return GoalResponse.ACCEPT

    def _execute_find_object(self, goal_handle) -> FindObject.Result:
        goal_id = self._start(goal_handle.request.goal, announce=True)
        result = FindObject.Result()
        if (
            goal_id is None
        ):  # validated on acceptance; a goal can only fail here if parameters changed
            goal_handle.abort()
            result.final_state, result.message = MissionState.FAILED, self._notice
            return result
        while rclpy.ok():
            with self._lock:
                finish = self._finished.get(goal_id)
                if finish is None and goal_handle.is_cancel_requested:
                    self._execute(
                        self._mission.cancel(self._now(), "canceled by the action client")
                    )
                    self._publish_status()
                    finish = self._finished.get(goal_id)
                status = self._mission.status(self._now())
            if finish is not None:
                break
            goal_handle.publish_feedback(
                FindObject.Feedback(
                    state=int(status.state),
                    message=status.message,
                    decisions=status.decisions,
                    distance_travelled=status.distance_travelled,
                    current_frontier=status.current_frontier,
                )
            )
            time.sleep(0.2)
        else:
            goal_handle.abort()
            return result
        result.success = finish.state == MissionState.SUCCEEDED
        result.final_state, result.message = int(finish.state), finish.reason
        result.decisions, result.distance_travelled, result.elapsed = (
            status.decisions,
            status.distance_travelled,
            status.elapsed,
        )
        if result.success:
            goal_handle.succeed()
        elif finish.state == MissionState.CANCELED and goal_handle.is_cancel_requested:
            goal_handle.canceled()
        else:
            goal_handle.abort()
        return result

    # ------------------------------------------------------------------------------ inputs
    def _on_odom(self, msg: Odometry) -> None:
        pose = msg.pose.pose
        with self._lock:
            self._pose = pose_to_xy_yaw(pose)
            self._odom_frame = msg.header.frame_id or self._odom_frame

    def _on_frontiers(self, msg: FrontierArray) -> None:
        with self._lock:
            self._frontier_msgs = {frontier.id: frontier for frontier in msg.frontiers}
            self._frontiers = [candidate_of(frontier) for frontier in msg.frontiers]

    def _on_map(self, msg: OccupancyGrid) -> None:
        info = msg.info
        if info.width * info.height != len(msg.data) or info.resolution <= 0.0:
            self._reporter.warn(
                f"ignored a malformed map: {info.width}x{info.height} cells, "
                f"{len(msg.data)} values"
            )
            return
        cells = np.frombuffer(msg.data, dtype=np.int8).reshape(
            info.height, info.width
        )  # rclpy: array('b')
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
        if not msg.detections:
            return
        best = max(msg.detections, key=lambda detection: detection.score)
        position = (best.position.x, best.position.y, best.position.z)
        if not all(math.isfinite(value) for value in position):
            self._reporter.warn(f"ignored a detection with a non-finite position {position}")
            return
        with self._lock:
            if msg.goal_id and msg.goal_id != self._goal_msg.id:
                return
            self._detection = (
                self._now(),
                GoalDetection(position=position, score=best.score, label=best.label),
            )

    def _on_diagnostics(self, msg: DiagnosticArray) -> None:
        own_name = self.get_fully_qualified_name()
        with self._lock:
            for status in msg.status:
                if status.name == own_name:
                    continue
                level = status.level[0] if isinstance(status.level, bytes) else int(status.level)
                if level >= WARN:
                    self._relayed[status.name] = status.message
                else:
                    self._relayed.pop(status.name, None)
            self._publish_status()

    # ------------------------------------------------------------------------------ ticking
    def _tick(self) -> None:
        with self._lock:
            if not self._mission.active:
                self._waiting = ""
                return
            if self._pose is None:
                waiting = "waiting for odometry on 'odom'"
            elif not self._navigator.ready():
                waiting = f"waiting for the navigator ({self._navigator.name})"
            else:
                waiting = ""
            if waiting != self._waiting:
                self._waiting = waiting
                if waiting:
                    self.get_logger().warning(waiting)
                self._publish_status()
            if waiting:
                return
            self._expire_decision()
            now = self._now()
            # Each detection is used once: the mission treats it as "seen in the current frame".
            detection = None
            if self._detection is not None and now - self._detection[0] <= self._param(
                "detection_timeout"
            ):
                detection = self._detection[1]
            self._detection = None
            executor = (
                ExecutorState(self._nav_seq, self._navigator.result())
                if self._nav_seq >= 0
                else ExecutorState()
            )
            self._execute(
                self._mission.update(now, self._pose, self._frontiers, detection, executor)
            )
            self._publish_status()

    def _expire_decision(self) -> None:
        """Give up on a policy answer after decision_timeout seconds of wall time.

        The mission's own timeout counts ROS time, which stands still in a paused simulator."""
        if self._decision_deadline is None:
            return
        request_id, deadline = self._decision_deadline
        if time.monotonic() < deadline:
            return
        self._decision_deadline = None
        self._execute(
            self._mission.on_decision(
                request_id, None, error=f"no answer within {self._param('decision_timeout'):.1f} s"
            )
        )

    def _execute(self, commands: Sequence[Command]) -> None:
        """Carry out the mission's commands (the caller holds the lock)."""
        for command in commands:
            if isinstance(command, RequestDecision):
                self._request_decision(command)
            elif isinstance(command, NavigateTo):
                self._send_waypoint(command.seq, command.x, command.y, command.yaw)
            elif isinstance(command, Rotate):
                x, y, yaw = self._pose or (0.0, 0.0, 0.0)
                self._send_waypoint(command.seq, x, y, yaw + command.angle)
            elif isinstance(command, CancelNavigation):
                self._navigator.cancel()
            elif isinstance(command, Finish):
                self._on_finish(command)

    def _send_waypoint(self, seq: int, x: float, y: float, yaw: float) -> None:
        pose = PoseStamped()
        pose.header.frame_id = self._param("goal_frame") or self._odom_frame
        pose.header.stamp = self.get_clock().now().to_msg()
        pose.pose = planar_pose(x, y, yaw)
        self._nav_seq = seq
        if not self._navigator.go_to_pose(pose):
            self._reporter.warn(f"waypoint not sent: {self._navigator.last_error}")

    def _on_finish(self, finish: Finish) -> None:
        self._finished[finish.goal_id] = finish
        self._nav_seq = -1
        line = f"goal '{finish.goal_id}' {finish.state.name}: {finish.reason}"
        if finish.state == MissionState.SUCCEEDED:
            self.get_logger().info(line)
        else:
            self.get_logger().warning(line)
        if finish.state != MissionState.CANCELED and self._param("sim_mode"):
            if self._stop_client.service_is_ready():
                self._stop_client.call_async(Trigger.Request())
            else:
                self._reporter.warn(
                    f"no '{self._param('sim_stop_service')}' service to end the simulated episode"
                )

    # ------------------------------------------------------------------------------ decisions
    def _request_decision(self, command: RequestDecision) -> None:
        self._decision_deadline = (
            command.request_id,
            time.monotonic() + self._param("decision_timeout"),
        )
        frontiers = [
            self._frontier_msgs.get(candidate.id) or _frontier_msg(candidate)
            for candidate in command.frontiers
        ]
        request = SelectFrontier.Request(
            goal=self._goal_msg, frontiers=frontiers, robot_pose=planar_pose(*command.robot_pose)
        )
        if not self._keyframes_client.service_is_ready():
            self._reporter.warn(
                f"no '{self._param('keyframes_service')}' service: deciding without images"
            )
            self._ask_policy(command.request_id, request, None)
            return
        keyframes = GetKeyframes.Request(
            history_count=self._param("history_keyframes"),
            image_size=self._param("keyframe_image_size"),
            frontiers=frontiers,
        )
        future = self._keyframes_client.call_async(keyframes)
        future.add_done_callback(
            lambda done: self._ask_policy(command.request_id, request, done.result())
        )

    def _ask_policy(
        self,
        request_id: int,
        request: SelectFrontier.Request,
        keyframes: GetKeyframes.Response | None,
    ) -> None:
        if keyframes is not None and keyframes.success:
            request.history = [keyframe.image for keyframe in keyframes.history]
            views = [keyframe.image for keyframe in keyframes.frontier_views]
        else:
            if keyframes is not None:
                self._reporter.warn(f"keyframes unavailable: {keyframes.message}")
            views = []
        request.frontier_images = (views + [Image()] * len(request.frontiers))[
            : len(request.frontiers)
        ]
        if not self._policy_client.service_is_ready():
            self._decided(
                request_id,
                None,
                "",
                f"policy service '{self._param('policy_service')}' is not available",
            )
            return
        future = self._policy_client.call_async(request)
        future.add_done_callback(lambda done: self._on_policy_answer(request_id, done.result()))

    def _on_policy_answer(self, request_id: int, response: SelectFrontier.Response) -> None:
        if response.success:
            self._decided(request_id, int(response.index), response.policy, "")
        else:
            self._decided(
                request_id, None, response.policy, response.message or "policy gave no answer"
            )

    def _decided(self, request_id: int, index: int | None, policy: str, error: str) -> None:
        with self._lock:
            self._execute(self._mission.on_decision(request_id, index, policy=policy, error=error))
            self._publish_status()

    # ------------------------------------------------------------------------------ status
    def _publish_status(self, force: bool = False) -> None:
        """Publish on every change, and periodically while a goal runs (distance, elapsed)."""
        now = self._now()
        snapshot = self._mission.status(now)
        message = "; ".join(
            part
            for part in (self._notice, self._waiting, snapshot.message, self._relay_text())
            if part
        )
        key = (
            snapshot.goal_id,
            snapshot.state,
            message,
            snapshot.policy,
            snapshot.policy_fallback,
            snapshot.decisions,
            snapshot.current_frontier,
        )
        periodic = (
            self._mission.active
            and time.monotonic() - self._last_status_time >= self._param("status_period")
        )
        if not force and key == self._last_status_key and not periodic:
            return
        self._last_status_key = key
        self._last_status_time = time.monotonic()
        self._status_pub.publish(self._status_msg(snapshot, message))

    def _relay_text(self) -> str:
        return "; ".join(f"{name}: {text}" for name, text in sorted(self._relayed.items()))

    def _status_msg(self, snapshot: MissionStatusSnapshot, message: str) -> MissionStatus:
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
        )
        msg.header.stamp = self.get_clock().now().to_msg()
        msg.header.frame_id = self._odom_frame
        return msg


def _frontier_msg(candidate: FrontierCandidate) -> Frontier:
    """A Frontier message for a candidate the latest FrontierArray no longer holds."""
    msg = Frontier(id=candidate.id, size=float(candidate.size), keyframe_id=-1)
    msg.path_distance = (
        float(candidate.path_distance) if math.isfinite(candidate.path_distance) else -1.0
    )
    msg.centroid.x, msg.centroid.y = candidate.centroid
    msg.waypoint = planar_pose(*candidate.waypoint)
    return msg


def main(args: Sequence[str] | None = None) -> int:
    return run_node(GoalInterfaceNode, args, threads=8)  # action goals wait in their own threads


if __name__ == "__main__":
    sys.exit(main())
