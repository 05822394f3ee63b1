"""The goal_interface node in its own process, with the real policy node (nearest), the real goal
detector (sim_semantic) and a scripted robot (navigate_to_pose, odom, camera images of its objects,
frontiers, keyframes, sim/stop), all over DDS."""

from __future__ import annotations

import math
import pathlib
import sys

import numpy as np
import pytest
import rclpy
from diagnostic_msgs.msg import DiagnosticArray, DiagnosticStatus
from filmnav_interfaces.msg import EpisodeResult, Goal, MissionStatus
from mission_graph import FAKE_ROBOT, TIMEOUT, Operator, parameters
from processes import NodeProcess, python_module, wait_until
from std_msgs.msg import Empty, String

from filmnav_common.image_codec import numpy_to_image
from filmnav_common.qos import LATCHED_QOS

NODE_PARAMETERS = parameters(
    decision_timeout=3.0,
    look_around_turns=4,
    look_around_angle=math.pi / 2,
    tick_rate=20.0,
    sim_mode=True,
    navigator="action_client",
    max_text_length=50,
)
FRONTIER_A, FRONTIER_B, FRONTIER_C = 1, 2, 3  # at (2, 0) (aborts), (0, 4), (-6, 0)


@pytest.fixture(scope="module")
def graph(tmp_path_factory):
    logs = tmp_path_factory.mktemp("goal_interface")
    rclpy.init()
    robot = NodeProcess([sys.executable, str(FAKE_ROBOT)], logs / "fake_robot.log")
    policy = NodeProcess(
        python_module("filmnav_policy.policy_node", "--ros-args", "-p", "policy:=nearest"),
        logs / "policy.log",
    )
    detector = NodeProcess(
        python_module(
            "filmnav_detection.detector_node", "--ros-args", "-p", "camera_tf_wait:=0.0"
        ),
        logs / "detector.log",
    )
    node = NodeProcess(
        python_module("goal_interface.goal_interface_node", "--ros-args", *NODE_PARAMETERS),
        logs / "goal_interface.log",
    )
    operator = Operator()
    processes = {"robot": robot, "policy": policy, "detector": detector, "node": node}
    try:
        operator.wait_for(lambda status: status.state == MissionStatus.IDLE, 0)
        assert wait_until(lambda: operator.goal_pub.get_subscription_count() >= 1, TIMEOUT)
        assert operator.action.wait_for_server(timeout_sec=TIMEOUT)
        # The detector encodes the simulator's vocabulary once, when the robot's table arrives.
        ready = "goal grounding ready"
        assert wait_until(lambda: ready in detector.output(), 90.0), detector.output()
        yield operator, processes
    finally:
        operator.close()
        codes = {name: process.stop() for name, process in processes.items()}
        rclpy.shutdown()
    assert codes["node"] == 0, pathlib.Path(processes["node"].log_path).read_text()


def test_aborted_goal_is_blacklisted_and_exploration_fails_with_reason_when_done(graph):
    operator, processes = graph
    start = operator.send("explore_1")
    operator.wait_for(
        lambda s: s.goal_id == "explore_1" and s.current_frontier == FRONTIER_A, start
    )
    # The status is latched with depth 1: the short-lived "aborted" message may be overtaken, the
    # next decision's message keeps the count of failed frontiers.
    chosen = operator.wait_for(
        lambda s: s.goal_id == "explore_1" and s.current_frontier == FRONTIER_B, start
    )
    assert chosen.policy == "nearest" and not chosen.policy_fallback and chosen.decisions == 2
    assert "1 failed frontier blacklisted" in chosen.message
    assert "ABORTED" in processes["robot"].output()
    operator.wait_for(
        lambda s: s.goal_id == "explore_1" and s.current_frontier == FRONTIER_C, start
    )
    failed = operator.wait_for(
        lambda s: s.goal_id == "explore_1" and s.state == MissionStatus.FAILED, start
    )
    assert "no frontiers left" in failed.message and failed.state_name == "FAILED"
    assert failed.distance_travelled > 10.0 and failed.elapsed > 0.5 and failed.decisions == 3
    assert wait_until(
        lambda: stops(processes) == 1, 5.0
    )  # sim mode: a failed goal ends the episode too
    # The blacklisted frontier was never chosen again.
    chosen_ids = [
        s.current_frontier
        for s in operator.since(start)
        if s.goal_id == "explore_1" and s.current_frontier >= 0
    ]
    assert (
        chosen_ids.index(FRONTIER_A) < chosen_ids.index(FRONTIER_B)
        and FRONTIER_A not in chosen_ids[chosen_ids.index(FRONTIER_B) :]
    )
    assert processes["node"].alive()


def stops(processes) -> int:
    return processes["robot"].output().count("STOP at")


def test_action_goal_approaches_the_detected_object_and_stops_the_sim(graph):
    operator, processes = graph
    start, stops_before = operator.mark(), stops(processes)
    feedback: list = []
    handle = operator.find_object(Goal(id="chair_1", task="object", text="chair"), feedback)
    assert handle.accepted
    result = operator.result_of(handle)
    assert result.success, result.message
    assert result.final_state == MissionStatus.SUCCEEDED and "in view" in result.message
    # The action goal was announced once on filmnav/active_goal (the detector found the chair by
    # it), and the active goal went back to none when it ended.
    assert [(g.id, g.task, g.text) for g in operator.announced if g.id == "chair_1"] == [
        ("chair_1", "object", "chair")
    ]
    assert wait_until(lambda: operator.announced[-1].id == "", 5.0)
    assert result.final_state == MissionStatus.SUCCEEDED
    assert feedback and feedback[0].feedback.state == MissionStatus.EXPLORING
    assert any(
        s.goal_id == "chair_1" and s.state == MissionStatus.APPROACHING
        for s in operator.since(start)
    )
    assert wait_until(lambda: stops(processes) == stops_before + 1, 5.0), processes[
        "robot"
    ].output()
    stop_line = [
        line for line in processes["robot"].output().splitlines() if line.startswith("STOP at")
    ][-1]
    assert float(stop_line.split("distance")[1].split()[0]) <= 1.0
    assert stop_line.endswith("for 'chair_1'"), stop_line


def test_a_goal_the_simulator_ends_fails_with_that_reason_and_its_stop_names_it(graph):
    """Sim mode: the simulator ending the running goal (its step budget spent) fails the mission
    at once with that reason, instead of driving on to waypoints the robot refuses; a result for
    another goal changes nothing; the STOP the mission sends at its end names its goal."""
    operator, processes = graph
    results = operator.node.create_publisher(EpisodeResult, "sim/episode_result", LATCHED_QOS)
    start = operator.send("budget_1")
    operator.wait_for(lambda s: s.goal_id == "budget_1" and s.decisions >= 1, start)
    results.publish(EpisodeResult(goal_id="an_earlier_goal", steps=500))
    results.publish(EpisodeResult(goal_id="budget_1", steps=500))
    failed = operator.wait_for(
        lambda s: s.goal_id == "budget_1" and s.state == MissionStatus.FAILED, start
    )
    assert "the simulator ended the goal after 500 steps" in failed.message, failed.message
    assert wait_until(lambda: "for 'budget_1'" in processes["robot"].output(), 5.0)
    operator.node.destroy_publisher(results)


def test_a_simulated_goal_ends_only_once_its_stop_is_answered(graph):
    """Sim mode: a finished goal's final status waits for the simulator's answer to its STOP, and
    so does the next goal, which would otherwise be announced before the STOP is scored."""
    operator, processes = graph
    results = operator.node.create_publisher(EpisodeResult, "sim/episode_result", LATCHED_QOS)
    operator.fault("slow_stop")
    try:
        start, stops_before = operator.send("scored_1"), stops(processes)
        operator.wait_for(lambda s: s.goal_id == "scored_1" and s.decisions >= 1, start)
        results.publish(EpisodeResult(goal_id="scored_1", steps=500))  # the mission fails
        assert wait_until(lambda: stops(processes) == stops_before + 1, 5.0)
        operator.send("scored_2")  # while the STOP is under way
        operator.wait_for(
            lambda s: s.goal_id == "scored_1" and s.state == MissionStatus.FAILED, start
        )
        assert "STOP answered for 'scored_1'" in processes["robot"].output()
        operator.wait_for(lambda s: s.goal_id == "scored_2", start)
        order = [(s.goal_id, s.state_name) for s in operator.since(start)]
        assert order.index(("scored_1", "FAILED")) < next(
            i for i, (goal_id, _) in enumerate(order) if goal_id == "scored_2"
        ), order
    finally:
        operator.fault("")
        operator.node.destroy_publisher(results)


def test_bad_goals_are_rejected_while_the_next_good_goal_is_served(graph):
    operator, processes = graph
    tiny = numpy_to_image(np.zeros((4, 4, 3), np.uint8), "rgb8")
    depth = numpy_to_image(np.zeros((32, 32), np.float32), "32FC1")
    bad_goals = {
        "bad_task": ("dance", "chair", None, "unknown task"),
        "bad_empty": ("object", "   ", None, "non-empty text"),
        "bad_long": ("text", "x" * 51, None, "more than the 50 allowed"),
        "bad_encoding": ("image", "", depth, "unsupported encoding"),
        "bad_size": ("image", "", tiny, "4x4"),
        "bad_no_image": ("image", "", None, "needs a goal image"),
    }
    for goal_id, (task, text, image, words) in bad_goals.items():
        start = operator.send(goal_id, task, text, image)
        rejected = operator.wait_for(
            lambda s, g=goal_id: f"rejected goal '{g}'" in s.message, start
        )
        assert words in rejected.message and rejected.goal_id != goal_id
    # A bad goal through the action is rejected too.
    handle = operator.find_object(Goal(id="bad_action", task="object", text=""))
    assert not handle.accepted
    # The node still serves: a good goal from the text shortcut, then a cancel.
    start = operator.mark()
    operator.text_pub.publish(String(data="find a potted plant"))
    running = operator.wait_for(
        lambda s: s.goal_text == "potted plant" and s.state == MissionStatus.EXPLORING, start
    )
    assert wait_until(
        lambda: any(
            g.id == running.goal_id and g.text == "potted plant" for g in operator.announced
        ),
        5.0,
    )
    operator.cancel_pub.publish(Empty())
    canceled = operator.wait_for(
        lambda s: s.goal_id == running.goal_id and s.state == MissionStatus.CANCELED, start
    )
    assert "canceled" in canceled.message
    assert processes["node"].alive()


def test_diagnostics_warnings_are_relayed_into_the_status(graph):
    operator, _ = graph
    start = operator.mark()
    warning = DiagnosticStatus(
        level=DiagnosticStatus.WARN,
        name="/occupancy_mapper",
        message="depth image has the wrong size",
    )
    operator.diagnostics_pub.publish(DiagnosticArray(status=[warning]))
    relayed = operator.wait_for(
        lambda s: "/occupancy_mapper: depth image has the wrong size" in s.message, start
    )
    assert relayed is not None
    start = operator.mark()
    ok = DiagnosticStatus(level=DiagnosticStatus.OK, name="/occupancy_mapper", message="running")
    operator.diagnostics_pub.publish(DiagnosticArray(status=[ok]))
    operator.wait_for(lambda s: "occupancy_mapper" not in s.message, start)


def test_policy_node_gone_falls_back_to_nearest_and_says_so(graph):
    operator, processes = graph
    start = operator.send("explore_2")
    operator.wait_for(
        lambda s: s.goal_id == "explore_2" and s.current_frontier == FRONTIER_B, start
    )
    assert processes["policy"].stop() == 0
    fallback = operator.wait_for(lambda s: s.goal_id == "explore_2" and s.policy_fallback, start)
    assert fallback.policy == "nearest" and "nearest" in fallback.message
    assert "not available" in fallback.message or "timed out" in fallback.message
    assert fallback.current_frontier == FRONTIER_C
    operator.wait_for(
        lambda s: s.goal_id == "explore_2" and s.state == MissionStatus.FAILED, start
    )
    assert processes["node"].alive()
