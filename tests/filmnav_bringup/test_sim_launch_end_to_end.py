"""End to end in simulation: `filmnav launch filmnav_bringup sim.launch.yaml` on a small house with
the nearest policy and the launch's `goal` argument "something to sleep on" (sent once the graph is
up, through the `filmnav/goal_text` shortcut) finds a bed, and the simulator scores that goal
against the beds of the house. A killed node is respawned by the launch and serves again. Goals
one after another, pictures and `filmnav demo`: test_demo.py."""

from __future__ import annotations

import os
import re
import signal
import sys
import threading

import pytest
import rclpy
from filmnav_interfaces.msg import EpisodeResult, Frontier, Goal, MissionStatus
from filmnav_interfaces.srv import SelectFrontier
from processes import NodeProcess, wait_until
from rclpy.executors import SingleThreadedExecutor

from filmnav_common.qos import LATCHED_QOS
from filmnav_sim.house import cached_house

SEED = 10027  # a small val house whose nearest bed is 1.8 m from episode 0's start
SLEEP = "something to sleep on"
GOAL_TIMEOUT = 120.0
LAUNCH = [
    sys.executable,
    "-c",
    "import sys; from filmnav_common.cli import main; sys.exit(main())",
    "launch",
    "filmnav_bringup",
    "sim.launch.yaml",
    f"seed:={SEED}",
    "policy:=nearest",
    f"goal:={SLEEP}",
]
TERMINAL = (MissionStatus.SUCCEEDED, MissionStatus.FAILED, MissionStatus.CANCELED)


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

    def final(self, goal_text: str) -> MissionStatus | None:
        """The status that ended the goal of that text."""
        return next(
            (s for s in list(self.statuses) if s.goal_text == goal_text and s.state in TERMINAL),
            None,
        )

    def result(self, goal_id: str) -> EpisodeResult | None:
        return next((r for r in list(self.results) if r.goal_id == goal_id), None)

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
    return "\n".join(
        f"{s.goal_id} {s.state_name}: {s.message[:160]}" for s in watcher.statuses[-15:]
    )


@pytest.mark.timeout(GOAL_TIMEOUT + 60)
def test_launch_goal_is_grounded_found_and_scored(sim_graph):
    launch, watcher = sim_graph
    assert wait_until(lambda: watcher.final(SLEEP), GOAL_TIMEOUT, interval=0.5), (
        f"{describe(watcher)}\n{launch.output()[-4000:]}"
    )
    final = watcher.final(SLEEP)
    assert final.state == MissionStatus.SUCCEEDED, describe(watcher)
    assert final.understood_as == f"searching for bed (from '{SLEEP}')", final.understood_as
    assert final.decisions >= 1 and not any(s.policy_fallback for s in watcher.statuses)
    assert wait_until(lambda: watcher.result(final.goal_id), 20.0), launch.output()[-3000:]
    scored = watcher.result(final.goal_id)
    beds = sorted(obj.id for obj in cached_house(SEED).objects_of("bed"))
    assert sorted(scored.goal_instance_ids) == beds, scored
    assert scored.success and 0.0 < scored.spl <= 1.0, scored


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
