"""End to end in simulation: `filmnav launch filmnav_bringup sim.launch.yaml` on a small house
with the nearest policy finds the episode's goal, and the simulator scores the episode a success;
a killed node is respawned by the launch and serves again."""

from __future__ import annotations

import os
import re
import signal
import sys
import threading

import pytest
import rclpy
from filmnav_common.qos import LATCHED_QOS
from processes import NodeProcess, wait_until
from rclpy.executors import SingleThreadedExecutor

from filmnav_interfaces.msg import EpisodeResult, Frontier, Goal, MissionStatus
from filmnav_interfaces.srv import SelectFrontier

SEED, GOAL = (
    10003,
    "find a floor lamp",
)  # val house whose episode 0 asks for a floor lamp 3.2 m away
EPISODE_TIMEOUT = 240.0
LAUNCH = [
    sys.executable,
    "-c",
    "import sys; from filmnav_common.cli import main; sys.exit(main())",
    "launch",
    "filmnav_bringup",
    "sim.launch.yaml",
    f"seed:={SEED}",
    "policy:=nearest",
    f"goal:={GOAL}",
]


class Watcher:
    def __init__(self) -> None:
        self.node = rclpy.create_node("sim_end_to_end_watcher")
        self.statuses: list[MissionStatus] = []
        self.results: list[EpisodeResult] = []
        self.node.create_subscription(
            MissionStatus, "filmnav/status", self.statuses.append, LATCHED_QOS
        )
        self.node.create_subscription(
            EpisodeResult, "sim/episode_result", self.results.append, LATCHED_QOS
        )
        self.policy = self.node.create_client(SelectFrontier, "filmnav/select_frontier")
        self.executor = SingleThreadedExecutor()
        self.executor.add_node(self.node)
        threading.Thread(target=self.executor.spin, daemon=True).start()

    def close(self) -> None:
        self.executor.shutdown()
        self.node.destroy_node()


@pytest.fixture(scope="module")
def sim_graph(tmp_path_factory):
    rclpy.init()
    launch = NodeProcess(LAUNCH, tmp_path_factory.mktemp("sim_launch") / "launch.log")
    watcher = Watcher()
    try:
        yield launch, watcher
    finally:
        watcher.close()
        code = launch.stop(timeout=20.0)
        rclpy.shutdown()
    assert code == 0, launch.output()[-5000:]


def describe(watcher: Watcher) -> str:
    return "\n".join(f"{s.state_name}: {s.message[:160]}" for s in watcher.statuses[-15:])


@pytest.mark.timeout(EPISODE_TIMEOUT + 60)
def test_sim_launch_finds_the_goal_and_the_episode_succeeds(sim_graph):
    launch, watcher = sim_graph

    def ended() -> bool:
        return any(
            s.state in (MissionStatus.SUCCEEDED, MissionStatus.FAILED) for s in watcher.statuses
        )

    assert wait_until(ended, EPISODE_TIMEOUT, interval=0.5), (
        f"{describe(watcher)}\n{launch.output()[-4000:]}"
    )
    final = watcher.statuses[-1]
    assert final.state == MissionStatus.SUCCEEDED, describe(watcher)
    assert (
        final.goal_text == "floor lamp" and final.decisions >= 1 and final.distance_travelled > 0.5
    )
    assert any(s.state == MissionStatus.APPROACHING for s in watcher.statuses)
    assert not any(s.policy_fallback for s in watcher.statuses), describe(watcher)
    # The simulator scored the STOP: within 1 m of a visible floor lamp.
    assert wait_until(lambda: watcher.results, 20.0), launch.output()[-3000:]
    result = watcher.results[-1]
    assert result.seed == SEED and result.success and 0.0 < result.spl <= 1.0, result


@pytest.mark.timeout(150)
def test_killed_policy_node_is_respawned_and_serves_again(sim_graph):
    launch, watcher = sim_graph
    started = re.findall(r"\[policy_node-1\]: process started with pid \[(\d+)\]", launch.output())
    assert started, launch.output()[-3000:]
    os.kill(int(started[-1]), signal.SIGKILL)

    def respawned() -> bool:
        restarts = re.findall(r"\[policy_node-1\]: process started", launch.output())
        return len(restarts) > len(started)

    assert wait_until(respawned, 30.0), launch.output()[-3000:]
    request = SelectFrontier.Request(goal=Goal(id="probe", task="object", text="floor lamp"))
    frontier = Frontier(id=5, size=1.0, path_distance=2.0, keyframe_id=-1)
    frontier.waypoint.orientation.w = 1.0
    request.frontiers = [frontier]
    request.frontier_images = [request.goal.image]
    request.robot_pose.orientation.w = 1.0
    # The killed server's endpoint lingers in discovery until its lease expires: ask until the
    # respawned one answers.
    answers = []

    def answered() -> bool:
        if watcher.policy.wait_for_service(timeout_sec=1.0):
            future = watcher.policy.call_async(request)
            if wait_until(future.done, 3.0):
                answers.append(future.result())
        return bool(answers)

    assert wait_until(answered, 60.0, interval=0.5), launch.output()[-3000:]
    assert answers[0].success and answers[0].policy == "nearest" and answers[0].index == 0, (
        answers[0].message
    )
