"""The Nav2 client: never blocks, waits for Nav2's lifecycle where Nav2 has one, and reports
refusals with Nav2's codes. Exercised against the Nav2 stand-in (habitat_bridge's nav2_stand_in,
a lifecycle node `bt_navigator` with Nav2's behaviour) in its own process under a namespace, with
a NavigateToPose server in this process standing for the robot behind it."""

from __future__ import annotations

import threading
import time

import pytest
import rclpy
from geometry_msgs.msg import PoseStamped
from lifecycle_msgs.msg import Transition
from lifecycle_msgs.srv import ChangeState
from nav2_msgs.action import NavigateToPose
from processes import NodeProcess, python_module, wait_until
from rclpy.action import ActionServer, CancelResponse
from rclpy.callback_groups import ReentrantCallbackGroup
from rclpy.executors import MultiThreadedExecutor

from goal_interface.mission import ExecutorStatus
from goal_interface.navigator import (
    ActionClientNavigator,
    make_navigator,
    resolve_in_action_namespace,
)

NAMESPACE = "/nav_test"
ACTION = f"{NAMESPACE}/navigate_to_pose"


class Robot:
    """The robot behind the stand-in: accepts goals, sends feedback, runs until canceled."""

    def __init__(self, node) -> None:
        self.goals: list[PoseStamped] = []
        self.cancels = 0
        ActionServer(
            node,
            NavigateToPose,
            f"{NAMESPACE}/sim/navigate_to_pose",
            execute_callback=self._execute,
            cancel_callback=lambda _handle: CancelResponse.ACCEPT,
            callback_group=ReentrantCallbackGroup(),
        )

    def _execute(self, goal_handle) -> NavigateToPose.Result:
        self.goals.append(goal_handle.request.pose)
        while not goal_handle.is_cancel_requested:
            if not goal_handle.is_active:
                return NavigateToPose.Result()
            goal_handle.publish_feedback(NavigateToPose.Feedback(distance_remaining=2.0))
            time.sleep(0.05)
        self.cancels += 1
        goal_handle.canceled()
        return NavigateToPose.Result()


@pytest.fixture(scope="module")
def node():
    rclpy.init()
    node = rclpy.create_node("navigator_test")
    executor = MultiThreadedExecutor(num_threads=4)
    executor.add_node(node)
    thread = threading.Thread(target=executor.spin, daemon=True)
    thread.start()
    yield node
    executor.shutdown()
    node.destroy_node()
    rclpy.shutdown()


@pytest.fixture(scope="module")
def stand_in(tmp_path_factory, node):
    """Nav2's bt_navigator stand-in under /nav_test, left unconfigured (no autostart)."""
    robot = Robot(node)
    process = NodeProcess(
        python_module(
            "habitat_bridge.nav2_stand_in",
            "--ros-args",
            "-r",
            f"__ns:={NAMESPACE}",
            "-p",
            "autostart:=false",
            "-p",
            "server_timeout:=1.0",
        ),
        tmp_path_factory.mktemp("stand_in") / "stand_in.log",
    )
    yield process, robot
    assert process.stop() == 0, process.output()


def pose(frame: str, x: float = 1.0) -> PoseStamped:
    goal = PoseStamped()
    goal.header.frame_id, goal.pose.position.x, goal.pose.orientation.w = frame, x, 1.0
    return goal


def activate(node) -> None:
    client = node.create_client(ChangeState, f"{NAMESPACE}/bt_navigator/change_state")
    assert client.wait_for_service(timeout_sec=10.0)
    for transition in (Transition.TRANSITION_CONFIGURE, Transition.TRANSITION_ACTIVATE):
        future = client.call_async(ChangeState.Request(transition=Transition(id=transition)))
        assert wait_until(future.done, 10.0) and future.result().success


def finished(navigator) -> bool:
    return navigator.is_complete()


def test_kinds_and_names(node):
    assert make_navigator(node, "auto", "navigate_to_pose").name == "nav2"
    assert make_navigator(node, "nav2", "navigate_to_pose").name == "nav2"
    assert make_navigator(node, "action_client", "navigate_to_pose").name == "action_client"
    assert resolve_in_action_namespace("navigate_to_pose", "bt_navigator") == "bt_navigator"
    assert resolve_in_action_namespace("/r1/navigate_to_pose", "amcl") == "/r1/amcl"
    assert resolve_in_action_namespace("/navigate_to_pose", "amcl") == "/amcl"
    with pytest.raises(ValueError, match="unknown navigator 'teleport'"):
        make_navigator(node, "teleport", "navigate_to_pose")
    with pytest.raises(ValueError, match="BasicNavigator blocks the node"):
        make_navigator(node, "basic_navigator", "navigate_to_pose")


def test_without_a_server_nothing_blocks_and_the_refusal_says_why(node):
    navigator = make_navigator(node, "nav2", "no_such_navigate_to_pose")
    assert isinstance(navigator, ActionClientNavigator)
    started = time.monotonic()
    assert not navigator.ready() and navigator.result() == ExecutorStatus.IDLE
    assert not navigator.go_to_pose(pose("odom"))
    assert time.monotonic() - started < 0.5
    assert navigator.result() == ExecutorStatus.REJECTED
    assert "no NavigateToPose server on '/no_such_navigate_to_pose'" in navigator.last_error
    assert "is Nav2 running?" in navigator.state_message()


def test_inactive_nav2_is_waited_for_and_its_rejection_reported(node, stand_in):
    nav2 = make_navigator(node, "nav2", ACTION)
    plain = make_navigator(node, "action_client", ACTION)
    assert wait_until(plain.ready, 20.0), stand_in[0].output()
    # The action server is up, but bt_navigator is unconfigured: the Nav2 client waits.
    assert wait_until(lambda: "unconfigured" in nav2.state_message(), 10.0), nav2.state_message()
    assert not nav2.ready()
    assert "/nav_test/bt_navigator is unconfigured" in nav2.state_message()
    # A client that does not look at the lifecycle gets Nav2's rejection.
    assert plain.go_to_pose(pose("odom"))
    assert wait_until(lambda: finished(plain), 10.0)
    assert plain.result() == ExecutorStatus.REJECTED
    assert "'/nav_test/navigate_to_pose' rejected the goal" in plain.last_error


def test_active_nav2_aborts_with_its_error_codes_then_runs_and_cancels(node, stand_in):
    process, robot = stand_in
    activate(node)
    navigator = make_navigator(node, "nav2", ACTION)
    assert wait_until(navigator.ready, 10.0), navigator.state_message()
    assert navigator.state_message() == ""
    # A frame TF does not know: accepted, then aborted with TF_ERROR.
    assert navigator.go_to_pose(pose("nowhere"))
    assert wait_until(lambda: finished(navigator), 10.0), process.output()
    assert navigator.result() == ExecutorStatus.ABORTED
    assert "error 9002 TF_ERROR" in navigator.last_error and "'nowhere'" in navigator.last_error
    # A goal in the global frame goes to the robot; a newer goal preempts it; cancel reaches it.
    assert navigator.go_to_pose(pose("odom", x=1.0))
    assert wait_until(lambda: len(robot.goals) == 1, 10.0), process.output()
    assert navigator.go_to_pose(pose("odom", x=2.0))
    assert wait_until(lambda: len(robot.goals) == 2, 10.0), process.output()
    assert robot.goals[-1].pose.position.x == pytest.approx(2.0)
    assert wait_until(lambda: robot.cancels == 1, 10.0)  # the preempted goal was canceled
    time.sleep(0.5)  # feedback flows; the goal runs
    assert navigator.result() == ExecutorStatus.ACTIVE
    navigator.cancel()
    assert navigator.result() == ExecutorStatus.CANCELED
    assert wait_until(lambda: robot.cancels == 2, 10.0), process.output()
