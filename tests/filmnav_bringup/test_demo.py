"""`make demo` with the README's example goals: `filmnav demo` (the command `make demo` runs, with
its default policy) serves the goals the README's first paragraph gives ("find a chair",
"something to sleep on", a picture) one after another in one simulated house, each from where the
robot stopped after the previous one, as on a robot; the simulator scores each goal that was sent
(what it was grounded to, from where it was given), and the summary and pictures are written."""

from __future__ import annotations

import itertools
import json
import math
import re
import sys

import cv2
import numpy as np
import pytest
from processes import REPO_ROOT, NodeProcess, wait_until

from filmnav_sim.config import SimConfig
from filmnav_sim.episodes import goal_viewpoints, make_episode
from filmnav_sim.house import cached_house

# A small val house: a chair 0.9 m from episode 0's start, a bed beside it, and a floor lamp that
# the picture of its image episode shows.
SPLIT, SEED, EPISODE, TASK = "val", 10029, 0, "image"
DEMO_TIMEOUT = 420.0
CLI = [sys.executable, "-c", "import sys; from filmnav_common.cli import main; sys.exit(main())"]


def readme_goals() -> list[str]:
    """The example goals of the README's first paragraph, which names a picture goal too."""
    readme = (REPO_ROOT / "README.md").read_text()
    examples = re.search(r"free-form language \((.*?)\)", readme, re.DOTALL)
    assert examples and "picture" in examples.group(1), "the README's example goals moved"
    return re.findall(r'"([^"]+)"', examples.group(1))


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    out = tmp_path_factory.mktemp("demo")
    episode = make_episode(SPLIT, SEED, EPISODE, TASK, config=SimConfig())
    picture = out / "picture.png"
    cv2.imwrite(str(picture), episode.goal_image[..., ::-1])
    texts = readme_goals()
    argv = [*CLI, "demo", "--seed", str(SEED), "--task", TASK, "--out", str(out / "run")]
    argv += [arg for text in texts for arg in ("--goal", text)] + ["--image", str(picture)]
    demo = NodeProcess(argv, out / "demo.log")
    wait_until(lambda: not demo.alive(), DEMO_TIMEOUT, interval=1.0)
    code = demo.stop(timeout=30.0)  # SIGINT first: the demo stops its launch
    output, log = demo.output(), out / "run" / "launch.log"
    context = f"{output[-3000:]}\n{log.read_text()[-4000:] if log.exists() else ''}"
    assert code == 0, context
    summary = json.loads((out / "run" / "summary.json").read_text())
    return summary, out / "run", texts, episode, output, context


@pytest.mark.timeout(DEMO_TIMEOUT + 60)
def test_readme_goals_are_served_one_after_another_and_scored(demo):
    summary, out, texts, episode, output, context = demo
    goals = summary["goals"]
    # the expectations below are those examples'; change them with the README
    assert texts == ["find a chair", "something to sleep on"] and len(goals) == 3, context
    house, config = cached_house(SEED), SimConfig()
    understood = [
        "searching for chair",  # the goal_text shortcut: object 'chair'
        "searching for bed (from 'something to sleep on')",
        f"searching for {episode.goal_category}, the episode's goal",  # a simulated picture
    ]
    instances = [
        sorted(obj.id for obj in house.objects_of("chair")),
        sorted(obj.id for obj in house.objects_of("bed")),
        sorted(episode.goal_instance_ids),
    ]
    for goal, expected, ids in zip(goals, understood, instances, strict=True):
        assert goal["state"] == "SUCCEEDED" and goal["policy_fallbacks"] == 0, context
        assert goal["understood_as"].startswith(expected), goal
        # scored by the simulator against what the goal was grounded to
        assert sorted(goal["goal_instance_ids"]) == ids, goal
        assert goal["success"] and 0.0 <= goal["spl"] <= 1.0, goal
        # SPL = l / max(p, l): positive with a way to go; a goal already in reach where the
        # previous one stopped (l = 0, timing decides where that is) scores 1 standing, else 0
        if goal["geodesic_start"] > 0.0:
            assert goal["spl"] > 0.0, goal
        else:
            assert goal["spl"] in (0.0, 1.0), goal
    # Each goal after the first is scored from where the previous one stopped: no reset.
    for before, goal in itertools.pairwise(goals):
        stopped = before["end_pose"][:2]
        expected = house.nav.geodesic_distance(
            stopped, goal_viewpoints(house, goal["goal_instance_ids"], config)
        )
        assert goal["geodesic_start"] == pytest.approx(expected, abs=0.05), (before, goal)
    assert math.dist(goals[0]["end_pose"][:2], episode.start_pose[:2]) > 0.5
    lines = [line for line in output.splitlines() if line.startswith("goal '")]  # one per goal
    assert len(lines) == 3 and all("success=True SPL=" in line for line in lines), context
    for picture in ("topdown.png", "firstperson.gif", "goal_3.png"):
        assert (out / picture).stat().st_size > 0


def test_goals_are_sent_in_the_order_given(tmp_path):
    from filmnav_bringup.demo import operator_goals, parse_args

    picture = tmp_path / "picture.png"
    cv2.imwrite(str(picture), np.zeros((32, 48, 3), np.uint8))
    args = parse_args(
        ["--goal", "find a bed", "--image", str(picture), "--goal", "go to the sofa"]
    )
    goals = operator_goals(args)
    assert [(g.id, g.task, g.text) for g in goals] == [
        ("demo_1", "object", "bed"),
        ("demo_2", "image", ""),
        ("demo_3", "object", "sofa"),  # the goal_text shortcut, as `filmnav goal` makes it
    ]
    assert (goals[1].image.width, goals[1].image.height) == (48, 32)
    assert not operator_goals(parse_args([]))  # the episode's own goal
    with pytest.raises(ValueError, match="cannot read image"):
        operator_goals(parse_args(["--image", str(tmp_path / "missing.png")]))
