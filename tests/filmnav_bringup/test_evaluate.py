"""Headless evaluation: the episode runner on real rendered episodes and the `filmnav eval` CLI."""

from __future__ import annotations

import dataclasses
import json
import math
import subprocess
import sys

import numpy as np
import pytest

RENDER = ("--width", "160", "--height", "120")
CLI = [
    sys.executable,
    "-c",
    "from filmnav_common.cli import main; raise SystemExit(main())",
    "eval",
]
KEYS = {
    "policy",
    "split",
    "episodes",
    "success_rate",
    "spl",
    "soft_spl",
    "wall_time_per_episode",
    "per_task",
}


def filmnav_eval(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([*CLI, *args, *RENDER], capture_output=True, text=True, timeout=300)


def test_eval_writes_metrics_pictures_and_resumes(tmp_path):
    out = tmp_path / "nearest"
    first = filmnav_eval(
        "--policy",
        "nearest",
        "--split",
        "val",
        "--task",
        "object",
        "--episodes",
        "1",
        "--out",
        str(out),
    )
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
    assert (
        record["key"] == "val/small/10000/0/object"
        and record["steps"] == len(record["trajectory"]) - 1
    )
    assert record["decisions"] and all(d["policy"] == "nearest" for d in record["decisions"])

    resumed = filmnav_eval(
        "--policy",
        "nearest",
        "--split",
        "val",
        "--task",
        "object,text",
        "--episodes",
        "1",
        "--out",
        str(out),
        "--resume",
    )
    assert resumed.returncode == 0, resumed.stderr
    lines_after = (out / "episodes.jsonl").read_text().splitlines()
    assert (
        len(lines_after) == 2 and lines_after[0] == lines[0]
    )  # the finished episode was not rerun
    metrics = json.loads((out / "metrics.json").read_text())
    assert metrics["episodes"] == 2 and {"object", "text"} <= set(metrics["per_task"])
    # OVON seen / unseen categories: the text episode counts in one of them (empty groups are
    # left out)
    split = sum(
        metrics["per_task"].get(group, {"episodes": 0})["episodes"]
        for group in ("text_seen", "text_unseen")
    )
    assert split == metrics["per_task"]["text"]["episodes"] == 1
    assert (out / "episodes" / "text_10000_0.png").exists()

    held_out = filmnav_eval(
        "--policy",
        "nearest",
        "--split",
        "val",
        "--task",
        "text",
        "--episodes",
        "1",
        "--categories",
        "unseen",
        "--out",
        str(out),
        "--resume",
        "--no-pictures",
    )
    assert held_out.returncode == 0, held_out.stderr
    from filmnav_sim.house import UNSEEN_CATEGORIES

    unseen = json.loads((out / "episodes.jsonl").read_text().splitlines()[-1])
    assert unseen["key"].endswith("/text/unseen") and unseen["goal_category"] in UNSEEN_CATEGORIES
    held_out_metrics = json.loads((out / "metrics.json").read_text())  # of this run's episodes
    assert (
        held_out_metrics["episodes"]
        == held_out_metrics["per_task"]["text_unseen"]["episodes"]
        == 1
    )
    (out / "episodes.jsonl").write_text(
        "\n".join(lines_after) + "\n"
    )  # compare the first two below

    compared = subprocess.run(
        [*CLI, "--compare", str(out), str(out), "--out", str(tmp_path / "cmp")],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert compared.returncode == 0, compared.stderr
    document = json.loads((tmp_path / "cmp" / "compare.json").read_text())
    overall = document["groups"]["all"]
    assert overall["episodes"] == metrics["episodes"] and len(overall["runs"]) == 2
    same = overall["runs"][out.name]["spl"]
    assert same["value"] == pytest.approx(metrics["spl"]) and same["low"] <= same["high"]
    (pair,) = overall["pairs"]  # a run against itself: no difference, every resample agrees
    assert pair["spl_difference"] == {"value": 0.0, "low": 0.0, "high": 0.0}
    assert f"| {out.name} | {metrics['success_rate']:.3f} [" in compared.stdout
    assert (tmp_path / "cmp" / "comparison.png").stat().st_size > 0


def test_eval_rejects_bad_arguments(tmp_path):
    unknown = filmnav_eval("--policy", "teleport", "--out", str(tmp_path))
    assert unknown.returncode == 2 and "unknown policy 'teleport'" in unknown.stderr
    bad_task = filmnav_eval("--policy", "nearest", "--task", "dance", "--out", str(tmp_path))
    assert bad_task.returncode == 2 and "unknown task(s) ['dance']" in bad_task.stderr
    bad_split = filmnav_eval("--policy", "nearest", "--split", "holdout", "--out", str(tmp_path))
    assert bad_split.returncode == 2 and "split must be one of" in bad_split.stderr
    recipe = tmp_path / "eval.yaml"
    recipe.write_text("policy: nearest\nhouses: large\nepisodse: 3\n")
    typo = filmnav_eval("--config", str(recipe), "--out", str(tmp_path))
    assert typo.returncode == 2 and "unknown keys ['episodse']" in typo.stderr


@pytest.fixture(scope="module")
def runner():
    from filmnav_learning.episode_runner import EpisodeRunner, RunnerConfig

    runner = EpisodeRunner(RunnerConfig(width=160, height=120))
    yield runner
    runner.close()


def test_oracle_episode_reaches_the_goal(runner):
    """A text episode's goal is grounded as an operator's ("something to watch shows on": the
    tvs of the house), then searched for and scored against the episode's goal instances."""
    from filmnav_learning.reference_policies import OraclePolicy
    from filmnav_sim.episodes import make_episode

    episode = make_episode("val", 10001, 0, "text", config=runner.sim_config)
    result = runner.run(episode, OraclePolicy.for_episode(episode))
    assert result.success and result.mission_state == "SUCCEEDED", result.mission_message
    assert result.understood_as == f"searching for tv (from '{episode.goal_text}')"
    assert 0.0 < result.spl <= 1.0
    assert result.path_length >= episode.geodesic_distance - 0.3
    np.testing.assert_allclose(result.trajectory[0], episode.start_pose)
    assert len(result.trajectory) == result.steps + 1
    assert result.decisions and result.chosen_waypoints
    json.dumps(result.summary())  # the record is plain JSON


def test_waiting_for_a_confirming_detection_is_not_taken_for_being_stuck(runner):
    """At the approach pose the mission waits `confirm_ticks` updates without a command; the
    loop used to cancel the episode one tick before the wait ended (val/10080/0, seen text: the
    robot stood at the sink, and the episode was scored a failure)."""
    from filmnav_learning.reference_policies import OraclePolicy
    from filmnav_sim import SEEN_CATEGORIES
    from filmnav_sim.episodes import make_episode

    episode = make_episode(
        "val", 10080, 0, "text", config=runner.sim_config, categories=SEEN_CATEGORIES
    )
    result = runner.run(episode, OraclePolicy.for_episode(episode))
    assert result.mission_state == "SUCCEEDED" and result.success, result.mission_message


def test_a_goal_grounding_refuses_fails_at_once(runner):
    """As goal_interface fails a goal the detector cannot find: no exploring, STOP, scored."""
    from filmnav_policy.baselines import NearestPolicy
    from filmnav_sim.episodes import make_episode

    episode = make_episode("val", 10001, 0, "text", config=runner.sim_config)
    for text, reason in (
        ("a motorbike", "goal 'a motorbike' not understood"),
        ("the piano", "no piano in this house (goal 'the piano')"),
    ):
        result = runner.run(dataclasses.replace(episode, goal_text=text), NearestPolicy())
        assert result.mission_state == "FAILED" and result.understood_as.startswith(reason)
        assert result.mission_message.startswith(reason) and not result.decisions
        assert not result.success and result.steps == 1  # STOP where it started


def test_waypoint_executor_turns_navigates_and_aborts(runner):
    from filmnav_learning.episode_runner import RunnerConfig, WaypointExecutor
    from filmnav_sim.episodes import make_episode
    from goal_interface.mission import ExecutorState, ExecutorStatus, NavigateTo, Rotate

    env = runner.env
    episode = make_episode("val", 10000, 0, "object", config=runner.sim_config)
    env.load_episode(episode)
    executor = WaypointExecutor(env, RunnerConfig())
    x, y, yaw = env.pose
    executor.start(Rotate(seq=1, angle=-math.radians(90)))
    poses = []
    while (observation := executor.step()) is not None:
        poses.append(observation.pose)
    assert len(poses) == 3 and all(p[:2] == (x, y) for p in poses)
    assert math.isclose(math.cos(poses[-1][2] - (yaw - math.pi / 2)), 1.0, abs_tol=1e-9)
    assert executor.state == ExecutorState(1, ExecutorStatus.SUCCEEDED)

    executor.start(NavigateTo(seq=2, x=-50.0, y=-50.0, yaw=0.0))  # far outside the house
    assert executor.state.status == ExecutorStatus.ABORTED and executor.step() is None

    goal = episode.viewpoints[0]
    executor.start(NavigateTo(seq=3, x=float(goal[0]), y=float(goal[1]), yaw=0.0))
    for _ in range(200):
        if executor.step() is None:
            break
    assert executor.state.status == ExecutorStatus.SUCCEEDED
    assert math.dist(env.pose[:2], goal) <= runner.sim_config.forward_step + 0.05
    executor.start(Rotate(seq=4, angle=math.pi))
    executor.cancel()
    assert executor.state == ExecutorState(4, ExecutorStatus.CANCELED) and executor.step() is None


def test_runner_defaults_follow_the_simulated_graphs_parameters():
    import yaml
    from processes import REPO_ROOT

    from filmnav_learning.episode_runner import RunnerConfig

    params = yaml.safe_load((REPO_ROOT / "src/filmnav_bringup/config/sim.yaml").read_text())
    config = RunnerConfig()
    buffer, mission, detector = (
        params[f"/**/{node}"]["ros__parameters"]
        for node in ("trajectory_buffer", "goal_interface", "detector_node")
    )
    assert (
        config.keyframe_min_distance,
        config.keyframe_min_rotation,
        config.keyframe_store_width,
    ) == (buffer["min_distance"], buffer["min_rotation"], buffer["store_width"])
    assert (config.history_keyframes, config.keyframe_image_size) == (
        mission["history_keyframes"],
        mission["keyframe_image_size"],
    )
    assert config.min_area_fraction == detector["min_area_fraction"]
