"""Headless evaluation: the episode runner on real rendered episodes and the `filmnav eval` CLI."""

from __future__ import annotations

import json
import math
import subprocess
import sys

import numpy as np
import pytest

RENDER = ("--width", "160", "--height", "120")
CLI = [sys.executable, "-c", "from filmnav_common.cli import main; raise SystemExit(main())", "eval"]
KEYS = {"policy", "split", "episodes", "success_rate", "spl", "soft_spl", "wall_time_per_episode", "per_task"}


def filmnav_eval(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([*CLI, *args, *RENDER], capture_output=True, text=True, timeout=300)


def test_eval_writes_metrics_pictures_and_resumes(tmp_path):
    out = tmp_path / "nearest"
    first = filmnav_eval("--policy", "nearest", "--split", "val", "--task", "object", "--episodes", "1", "--out", str(out))
    assert first.returncode == 0, first.stderr
    assert "nearest on val (1 episodes)" in first.stdout
    metrics = json.loads((out / "metrics.json").read_text())
    assert KEYS <= set(metrics) and metrics["policy"] == "nearest" and metrics["episodes"] == 1
    assert set(metrics["per_task"]) == {"object"}
    assert KEYS - {"policy", "split", "per_task"} <= set(metrics["per_task"]["object"])
    assert 0.0 <= metrics["spl"] <= metrics["success_rate"] <= 1.0
    assert (out / "metrics.png").stat().st_size > 0
    assert (out / "episodes" / "object_10000_0.png").stat().st_size > 0
    lines = (out / "episodes.jsonl").read_text().splitlines()
    assert len(lines) == 1
    record = json.loads(lines[0])
    assert record["key"] == "val/10000/0/object" and record["steps"] == len(record["trajectory"]) - 1
    assert record["decisions"] and all(d["policy"] == "nearest" for d in record["decisions"])

    resumed = filmnav_eval("--policy", "nearest", "--split", "val", "--task", "object,text", "--episodes", "1",
                           "--out", str(out), "--resume")
    assert resumed.returncode == 0, resumed.stderr
    lines_after = (out / "episodes.jsonl").read_text().splitlines()
    assert len(lines_after) == 2 and lines_after[0] == lines[0]  # the finished episode was not rerun
    metrics = json.loads((out / "metrics.json").read_text())
    assert metrics["episodes"] == 2 and set(metrics["per_task"]) == {"object", "text"}
    assert (out / "episodes" / "text_10000_0.png").exists()


def test_eval_rejects_bad_arguments(tmp_path):
    unknown = filmnav_eval("--policy", "teleport", "--out", str(tmp_path))
    assert unknown.returncode == 2 and "invalid choice: 'teleport'" in unknown.stderr
    bad_task = filmnav_eval("--policy", "nearest", "--task", "dance", "--out", str(tmp_path))
    assert bad_task.returncode == 2 and "unknown task(s) ['dance']" in bad_task.stderr


@pytest.fixture(scope="module")
def runner():
    from filmnav_policy.episode_runner import EpisodeRunner, RunnerConfig

    runner = EpisodeRunner(RunnerConfig(width=160, height=120))
    yield runner
    runner.close()


def test_oracle_episode_reaches_the_goal(runner):
    from filmnav_sim.episodes import make_episode

    from filmnav_policy.baselines import OraclePolicy

    episode = make_episode("val", 10001, 0, "object", config=runner.sim_config)
    result = runner.run(episode, OraclePolicy.for_episode(episode))
    assert result.success and result.mission_state == "SUCCEEDED", result.mission_message
    assert 0.0 < result.spl <= 1.0
    assert result.path_length >= episode.geodesic_distance - 0.3
    np.testing.assert_allclose(result.trajectory[0], episode.start_pose)
    assert len(result.trajectory) == result.steps + 1
    assert result.decisions and result.chosen_waypoints
    json.dumps(result.summary())  # the record is plain JSON


def test_waypoint_executor_turns_and_aborts_on_real_grid():
    from filmnav_sim.config import SimConfig
    from filmnav_sim.env import PathFollower
    from filmnav_sim.navigation import NavGrid
    from goal_interface.mission import ExecutorStatus, NavigateTo, Rotate

    from filmnav_policy.episode_runner import RunnerConfig, WaypointExecutor

    navigable = np.ones((40, 40), bool)
    navigable[:, 20:22] = False  # a wall cutting the room in two
    config = SimConfig()
    executor = WaypointExecutor(PathFollower(NavGrid(navigable, 0.1, (0.0, 0.0)), config), RunnerConfig(),
                                math.radians(config.turn_deg))
    executor.start(Rotate(seq=1, angle=-math.radians(90)))
    actions = [executor.next_action((1.0, 1.0, 0.0)) for _ in range(4)]
    assert actions == ["turn_right"] * 3 + [None]
    assert executor.state.seq == 1 and executor.state.status == ExecutorStatus.SUCCEEDED
    executor.start(NavigateTo(seq=2, x=3.5, y=2.0, yaw=0.0))  # beyond the wall: no path
    assert executor.next_action((1.0, 1.0, 0.0)) is None
    assert executor.state.status == ExecutorStatus.ABORTED
    executor.start(NavigateTo(seq=3, x=1.0, y=3.0, yaw=0.0))
    assert executor.next_action((1.0, 1.0, 0.0)) == "turn_left"  # face +y first
    executor.cancel()
    assert executor.state.seq == 3 and executor.state.status == ExecutorStatus.CANCELED
