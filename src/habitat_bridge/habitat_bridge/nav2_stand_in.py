"""A stand-in for Nav2 in front of the simulated robot: NavigateToPose with Nav2's behaviour, so
the stack's Nav2 client is tested against what a robot's Nav2 does rather than the bridge's own
action. Used by the robot-like harness (filmnav_bringup's harness.launch.yaml).

- Lifecycle: a lifecycle node named `bt_navigator`, like Nav2's, with the standard `get_state` and
  `change_state` services. With `autostart` it configures and activates itself `autostart_delay`
  seconds after start, as lifecycle_manager_navigation does; goals are rejected unless it is
  active (Nav2: "Action server is inactive. Rejecting the goal.").
- Goals: a pose in `global_frame` or in any frame TF connects to it (map through a localizer,
  base_link) is accepted; one TF cannot transform is accepted and then aborted with TF_ERROR
  (9002), as bt_navigator does when it cannot bring the goal into its global frame. A newer goal
  preempts the running one, which ends aborted with no error code (Nav2's preemption).
- Execution: the goal, transformed into the robot's odometry frame, goes to the simulated robot's
  own action (`robot_action`); the robot's result passes through with its Nav2 error code, cancel
  is forwarded, and feedback goes out at `feedback_rate` Hz with Jazzy's fields (current_pose in
  `global_frame` from TF, navigation_time, estimated_time_remaining, number_of_recoveries,
  distance_remaining).
"""

from __future__ import annotations

import sys
import threading
import time
from collections.abc import Sequence
from typing import Any

from action_msgs.msg import GoalStatus
from geometry_msgs.msg import PoseStamped
from nav2_msgs.action import NavigateToPose
from rclpy.action import ActionServer, CancelResponse, GoalResponse
from rclpy.callback_groups import ReentrantCallbackGroup
from rclpy.clock import Clock, ClockType
from rclpy.lifecycle import LifecycleNode, LifecycleState, TransitionCallbackReturn

from filmnav_common.action_client import SerialActionClient
from filmnav_common.frames import compose_planar
from filmnav_common.geometry import planar_pose, pose_to_xy_yaw
from filmnav_common.node_main import run_node
from filmnav_common.parameters import declare_parameters
from filmnav_common.tf_listener import TransformListener
from filmnav_common.transforms import NS_PER_S, TransformError
from habitat_bridge import ros_messages

PARAMETERS: dict[str, tuple[Any, str]] = {
    "global_frame": (
        "odom",
        "Nav2's global frame: goals are transformed into it, feedback is in it",
    ),
    "robot_frame": ("base_link", "the robot's base frame (feedback pose)"),
    "odom_frame": ("odom", "the frame of the simulated robot's goals"),
    "robot_action": (
        "sim/navigate_to_pose",
        "the simulated robot's own NavigateToPose action that executes the goals",
    ),
    "autostart": (True, "configure and activate after autostart_delay (lifecycle manager)"),
    "autostart_delay": (1.0, "seconds after start before activating"),
    "feedback_rate": (5.0, "feedback messages per second while a goal runs"),
    "transform_tolerance": (0.5, "seconds TF may lag behind when transforming goals"),
    "server_timeout": (5.0, "seconds to wait for the simulated robot's action server"),
}
Result = NavigateToPose.Result
POLL_S = 0.02


class Nav2StandIn(LifecycleNode):
    def __init__(self) -> None:
        super().__init__("bt_navigator")
        self.param = declare_parameters(self, PARAMETERS)
        self._active = False
        self._lock = threading.Lock()
        self._current = None  # the goal handle that owns the robot; older ones are preempted
        self._tf = TransformListener(
            self, tolerance_ns=int(self.param("transform_tolerance") * NS_PER_S)
        )
        self.robot = SerialActionClient(self, NavigateToPose, self.param("robot_action"))
        self._server = ActionServer(
            self,
            NavigateToPose,
            "navigate_to_pose",
            execute_callback=self._execute,
            goal_callback=self._on_goal,
            handle_accepted_callback=self._on_accepted,
            cancel_callback=lambda _handle: CancelResponse.ACCEPT,
            callback_group=ReentrantCallbackGroup(),
        )
        self._autostart_timer = None
        if self.param("autostart"):
            self._autostart_timer = self.create_timer(
                self.param("autostart_delay"),
                self._autostart,
                clock=Clock(clock_type=ClockType.STEADY_TIME),
            )
        self.get_logger().info("unconfigured: goals are rejected until the node is active")

    # ---------------------------------------------------------------------------- lifecycle
    def _autostart(self) -> None:
        self._autostart_timer.cancel()
        self.trigger_configure()
        self.trigger_activate()

    def on_activate(self, state: LifecycleState) -> TransitionCallbackReturn:
        self._active = True
        self.get_logger().info("active: accepting NavigateToPose goals")
        return super().on_activate(state)

    def on_deactivate(self, state: LifecycleState) -> TransitionCallbackReturn:
        self._active = False
        return super().on_deactivate(state)

    # ---------------------------------------------------------------------------- goals
    def _on_goal(self, _request: NavigateToPose.Goal) -> GoalResponse:
        if not self._active:
            self.get_logger().warning("Action server is inactive. Rejecting the goal.")
            return GoalResponse.REJECT
        return GoalResponse.ACCEPT

    def _on_accepted(self, goal_handle) -> None:
        with self._lock:
            self._current = goal_handle  # preempts the running goal
        goal_handle.execute()

    def preempted(self, goal_handle) -> bool:
        with self._lock:
            return self._current is not goal_handle

    def _in_frame(self, frame: str, pose: PoseStamped) -> tuple[float, float, float]:
        """The goal pose in `frame` (raises TransformError); the newest TF, as the goal's stamp
        comes from another node's clock."""
        source = pose.header.frame_id
        planar = pose_to_xy_yaw(pose.pose)
        if source == frame:
            return planar
        return compose_planar(self._tf.lookup(frame, source).transform, planar)

    def _execute(self, goal_handle) -> NavigateToPose.Result:
        request = goal_handle.request
        global_frame, odom_frame = self.param("global_frame"), self.param("odom_frame")
        try:
            self._in_frame(global_frame, request.pose)
            goal = self._in_frame(odom_frame, request.pose)
        except TransformError as error:
            return self.abort(
                goal_handle,
                Result.TF_ERROR,
                f"Failed to transform a goal pose provided with frame_id "
                f"'{request.pose.header.frame_id}' into the global_frame '{global_frame}': "
                f"{str(error)[:200]}",
            )
        if not self.robot.wait_for_server(timeout_sec=self.param("server_timeout")):
            return self.abort(
                goal_handle,
                Result.UNKNOWN,
                f"the robot's action '{self.param('robot_action')}' is not available",
            )
        return _Relay(self, goal_handle, goal).run()

    def abort(self, goal_handle, code: int, message: str) -> NavigateToPose.Result:
        self.get_logger().warning(f"goal aborted: {message}")
        goal_handle.abort()
        return Result(error_code=int(code), error_msg=message)

    def robot_pose(self) -> PoseStamped | None:
        """The robot in the global frame from TF, or None where TF cannot say."""
        frame = self.param("global_frame")
        try:
            stamped = self._tf.lookup(frame, self.param("robot_frame"))
        except TransformError:
            return None
        x, y, yaw = compose_planar(stamped.transform, (0.0, 0.0, 0.0))
        pose = PoseStamped(pose=planar_pose(x, y, yaw))
        pose.header.frame_id = frame
        pose.header.stamp = self.get_clock().now().to_msg()
        return pose


class _Relay:
    """One goal forwarded to the simulated robot: its feedback, cancel and result."""

    def __init__(self, node: Nav2StandIn, goal_handle, goal: tuple[float, float, float]):
        self._node = node
        self._handle = goal_handle
        self._goal = goal
        self._done = threading.Event()
        self._lock = threading.Lock()  # the robot's goal handle and whether it is still wanted
        self._robot_handle = None
        self._abandoned = False
        self._robot_result = None
        self._distance_remaining = float("nan")
        self._first_distance = float("nan")

    def run(self) -> NavigateToPose.Result:
        node = self._node
        target = PoseStamped(pose=planar_pose(*self._goal))
        target.header.frame_id = node.param("odom_frame")
        sent = node.robot.send_goal_async(
            NavigateToPose.Goal(pose=target, behavior_tree=self._handle.request.behavior_tree),
            feedback_callback=self._on_feedback,
        )
        sent.add_done_callback(self._on_robot_response)
        started = time.monotonic()
        period = 1.0 / max(node.param("feedback_rate"), 1e-3)
        next_feedback = started
        while not self._done.wait(POLL_S):
            if node.preempted(self._handle):
                self._cancel_robot()
                self._handle.abort()
                return Result(error_code=Result.NONE, error_msg="preempted by a newer goal")
            if self._handle.is_cancel_requested:
                self._cancel_robot()
                self._done.wait(2.0)
                self._handle.canceled()
                return Result(error_code=Result.NONE, error_msg="canceled")
            if time.monotonic() >= next_feedback:
                next_feedback += period
                self._publish_feedback(time.monotonic() - started)
        return self._finish()

    def _on_robot_response(self, future) -> None:
        handle = future.result()
        if handle is None or not handle.accepted:
            self._robot_result = (Result.UNKNOWN, "the simulated robot rejected the goal")
            self._done.set()
            return
        with self._lock:
            self._robot_handle = handle
            abandoned = self._abandoned
        if abandoned:  # canceled or preempted before the robot accepted it
            self._node.robot.cancel_goal_async(handle)
        self._node.robot.get_result_async(handle).add_done_callback(self._on_robot_result)

    def _on_robot_result(self, future) -> None:
        wrapped = future.result()
        self._robot_result = (wrapped.status, wrapped.result)
        self._done.set()

    def _on_feedback(self, message) -> None:
        self._distance_remaining = float(message.feedback.distance_remaining)
        if self._first_distance != self._first_distance:  # NaN: the first feedback
            self._first_distance = self._distance_remaining

    def _cancel_robot(self) -> None:
        with self._lock:
            self._abandoned = True
            handle = self._robot_handle
        if handle is not None:
            self._node.robot.cancel_goal_async(handle)

    def _publish_feedback(self, elapsed: float) -> None:
        pose = self._node.robot_pose()
        remaining, covered = (
            self._distance_remaining,
            self._first_distance - self._distance_remaining,
        )
        if remaining != remaining:  # NaN: no feedback from the robot yet
            remaining, covered = 0.0, 0.0
        feedback = NavigateToPose.Feedback(
            current_pose=pose or PoseStamped(),
            navigation_time=ros_messages.seconds_to_duration(elapsed),
            estimated_time_remaining=ros_messages.seconds_to_duration(
                remaining * elapsed / covered if covered > 0.0 else 0.0
            ),
            number_of_recoveries=0,
            distance_remaining=remaining,
        )
        self._handle.publish_feedback(feedback)

    def _finish(self) -> NavigateToPose.Result:
        status, outcome = self._robot_result
        if isinstance(outcome, str):  # rejected by the robot
            return self._node.abort(self._handle, status, outcome)
        if self._node.preempted(self._handle):
            self._handle.abort()
            return Result(error_code=Result.NONE, error_msg="preempted by a newer goal")
        if status == GoalStatus.STATUS_SUCCEEDED:
            self._handle.succeed()
            return Result(error_code=Result.NONE, error_msg="")
        return self._node.abort(
            self._handle, outcome.error_code or Result.UNKNOWN, outcome.error_msg or "failed"
        )


def main(args: Sequence[str] | None = None) -> int:
    return run_node(Nav2StandIn, args, threads=4)


if __name__ == "__main__":
    sys.exit(main())
