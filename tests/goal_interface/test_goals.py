"""Goal validation and the goal_text shortcut."""

from __future__ import annotations

import numpy as np
import pytest

from goal_interface.goals import (
    MAX_GOAL_ID_LENGTH,
    GoalError,
    GoalLimits,
    check_goal_id,
    goal_from_text,
    validate_goal,
)

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
        ("text", "x" * 41, None, "41 characters long, more than the 40 allowed"),
        ("object", "chair\x00", None, "U+0000 (a control character) at position 5"),
        ("text", "\x1b[31mred chair", None, "U+001B (a control character)"),
        ("object", "ch\u200bair", None, "U+200B ZERO WIDTH SPACE (a format character)"),
        ("image", "\u202eriaht", np.zeros((32, 32, 3), np.uint8), "RIGHT-TO-LEFT OVERRIDE"),
        ("image", "", None, "needs a goal image"),
        ("image", "", np.zeros((8, 64, 3), np.uint8), "64x8"),
        ("image", "", np.zeros((16, 600, 3), np.uint8), "600x16"),
    ],
)
def test_invalid_goals_say_why(task, text, image, words):
    with pytest.raises(GoalError) as error:
        validate_goal(task, text, image, LIMITS)
    assert words in str(error.value)


def test_goal_text_is_normalised_at_the_door():
    goal = validate_goal("text", "\uff46\uff49\uff4e\uff44\u00a0a \t\n soft  chair", None, LIMITS)
    assert goal.text == "find a soft chair"  # NFKC (full-width letters, NBSP), spaces collapsed
    image = validate_goal("image", "  the\u2003red one ", np.zeros((32, 32, 3), np.uint8), LIMITS)
    assert image.text == "the red one"


def test_goal_ids_are_bounded_and_printable():
    for good in ("", "val/10003/0", "cli_42", "x" * MAX_GOAL_ID_LENGTH):
        check_goal_id(good)
    for bad in ("x" * (MAX_GOAL_ID_LENGTH + 1), "id\x1b[2J", "two\nlines", "\u200b"):
        with pytest.raises(GoalError, match="printable") as error:
            check_goal_id(bad)
        assert "\x1b" not in str(error.value) and "\n" not in str(error.value)
