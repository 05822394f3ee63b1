"""Input ablations blank exactly one kind of input and pass the rest through unchanged."""

from __future__ import annotations

import numpy as np
import pytest

from filmnav_common.protocol import FrontierCandidate, GoalSpec, frontier_geometry
from filmnav_learning.ablations import BLANK_GOAL_TEXT, GREY, AblatedPolicy


class Recorder:
    """A policy that remembers what it was shown."""

    name = "recorder"

    def score(self, goal, history_images, frontier_images, frontiers, robot_pose):
        self.seen = (goal, list(history_images), list(frontier_images), list(frontiers))
        return np.zeros(len(frontiers))


ROBOT = (1.0, 2.0, 0.5)
FRONTIERS = [
    FrontierCandidate(0, (3.0, 2.0), (2.5, 2.0, 0.0), 1.5, 2.0),
    FrontierCandidate(1, (1.0, -2.0), (1.0, -1.5, -1.5), 0.8, 4.5),
]
TEXT_GOAL = GoalSpec("text", "somewhere to sleep")
IMAGES = [np.random.default_rng(0).integers(0, 255, (8, 8, 3), np.uint8) for _ in range(2)]


def run(ablation: str, goal: GoalSpec = TEXT_GOAL):
    recorder = Recorder()
    policy = AblatedPolicy(recorder, ablation)
    policy.score(goal, IMAGES[:1], IMAGES, FRONTIERS, ROBOT)
    assert policy.name == f"recorder-blank-{ablation}"
    return recorder.seen


def test_goal_ablation_hides_only_the_goal():
    goal, history, views, frontiers = run("goal")
    assert goal == GoalSpec("text", BLANK_GOAL_TEXT)
    assert history[0] is IMAGES[0] and views == IMAGES and frontiers == FRONTIERS
    picture = np.zeros((4, 4, 3), np.uint8)
    goal, *_ = run("goal", GoalSpec("image", "", picture))
    assert goal.text == BLANK_GOAL_TEXT and np.all(goal.image == GREY)


def test_image_ablation_leaves_goal_and_geometry():
    goal, history, views, frontiers = run("images")
    assert goal.text == "somewhere to sleep" and frontiers == FRONTIERS
    assert all(np.all(image == GREY) and image.shape == (8, 8, 3) for image in history + views)


def test_geometry_ablation_makes_every_frontier_look_alike():
    goal, history, views, frontiers = run("geometry")
    geometry = frontier_geometry(frontiers, ROBOT)
    assert np.allclose(geometry, geometry[0]) and views == IMAGES
    assert [f.id for f in frontiers] == [0, 1]


def test_unknown_ablation_is_refused():
    with pytest.raises(ValueError, match="unknown ablation"):
        AblatedPolicy(Recorder(), "sound")
