"""Goal validation and the goal_text shortcut."""

from __future__ import annotations

import numpy as np
import pytest
from goal_interface.goals import GoalError, GoalLimits, goal_from_text, validate_goal

LIMITS = GoalLimits(max_text_length=40, min_image_side=16, max_image_side=512)


@pytest.mark.parametrize(
    "sentence, expected",
    [
        ("find a chair", ("object", "chair")),
        ("Find the potted plant.", ("object", "potted plant")),
        ("go to my bed", ("object", "bed")),
        ("please look for a tv", ("object", "tv")),
        ("toilet", ("object", "toilet")),
        ("find something soft to sit on", ("text", "something soft to sit on")),
        ("the red sofa near the window", ("text", "the red sofa near the window")),
        ("   ", ("object", "")),
    ],
)
def test_goal_from_text(sentence, expected):
    assert goal_from_text(sentence) == expected


def test_valid_goals():
    assert validate_goal("object", "  chair ", None, LIMITS).text == "chair"
    assert (
        validate_goal("text", "something to sleep on", None, LIMITS).describe()
        == "something to sleep on"
    )
    image = np.zeros((32, 48, 3), np.uint8)
    goal = validate_goal("image", "", image, LIMITS)
    assert goal.task == "image" and goal.image is image and goal.describe() == "<image>"


@pytest.mark.parametrize(
    "task, text, image, words",
    [
        ("dance", "chair", None, "unknown task 'dance'"),
        ("object", "", None, "non-empty text"),
        ("text", " \t ", None, "non-empty text"),
        ("text", "x" * 41, None, "41 characters; the limit is 40"),
        ("image", "", None, "needs a goal image"),
        ("image", "", np.zeros((8, 64, 3), np.uint8), "64x8"),
        ("image", "", np.zeros((16, 600, 3), np.uint8), "600x16"),
    ],
)
def test_invalid_goals_say_why(task, text, image, words):
    with pytest.raises(GoalError) as error:
        validate_goal(task, text, image, LIMITS)
    assert words in str(error.value)
