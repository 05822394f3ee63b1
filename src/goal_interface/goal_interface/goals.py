"""Goal validation and the text shortcut, free of ROS (the node converts messages first).

The door every goal passes: its id and text are checked and normalised here (NFKC, whitespace
collapsed, invisible characters refused: `filmnav_common.text`), so what the stack searches for is
what an operator reading the status sees. Errors quote the offending input only as a bounded,
escaped excerpt.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np

from filmnav_common.protocol import TASKS, GoalSpec
from filmnav_common.text import MAX_GOAL_TEXT_LENGTH, GoalTextError, excerpt, normalise_goal_text

# "find a chair", "go to the bed", "look for my potted plant" -> the object phrase.
_IMPERATIVE = re.compile(
    r"^\s*(?:please\s+)?(?:find|go\s+to|navigate\s+to|look\s+for|search\s+for|locate|search)\s+"
    r"(?:(?:a|an|the|my|some)\s+)?",
    re.IGNORECASE,
)
MAX_CATEGORY_WORDS = 2  # "chair", "potted plant": longer phrases are free-text descriptions
MAX_GOAL_ID_LENGTH = 64


class GoalError(ValueError):
    """A goal that cannot be served; the message says why, for the operator."""


@dataclass(frozen=True)
class GoalLimits:
    max_text_length: int = MAX_GOAL_TEXT_LENGTH
    min_image_side: int = 16
    max_image_side: int = 4096


def check_goal_id(goal_id: str) -> None:
    """Raise GoalError unless the id is empty (one is assigned) or up to MAX_GOAL_ID_LENGTH
    printable characters."""
    if len(goal_id) > MAX_GOAL_ID_LENGTH or not goal_id.isprintable():
        raise GoalError(
            f"goal id '{excerpt(goal_id, 40)}' must be at most {MAX_GOAL_ID_LENGTH} printable "
            "characters"
        )


def normalised_text(text: str, limits: GoalLimits, required: bool = True) -> str:
    """Goal text as the stack uses it (see `normalise_goal_text`); GoalError if it cannot be.
    An empty text is returned as is when not `required`."""
    if not required and not text.strip():
        return ""
    try:
        return normalise_goal_text(text, limits.max_text_length)
    except GoalTextError as error:
        raise GoalError(str(error)) from error


def goal_from_text(sentence: str) -> tuple[str, str]:
    """(task, text) for the `filmnav/goal_text` shortcut.

    A short noun phrase after an optional imperative ("find a chair") is an object category;
    anything longer ("something soft to sit on near the window") is a free-text description.
    Normalise the sentence first (`normalised_text`).
    """
    phrase = _IMPERATIVE.sub("", sentence.strip()).strip().rstrip(".!?").strip()
    if not phrase:
        return "object", ""
    task = "object" if len(phrase.split()) <= MAX_CATEGORY_WORDS else "text"
    return task, phrase


def validate_goal(task: str, text: str, image: np.ndarray | None, limits: GoalLimits) -> GoalSpec:
    """A GoalSpec for a well-formed goal, its text normalised; GoalError with the reason
    otherwise.

    ``image`` is the goal picture already decoded to RGB uint8 (None when the message had none).
    """
    if task not in TASKS:
        raise GoalError(f"unknown task '{excerpt(task, 20)}' (expected one of {', '.join(TASKS)})")
    if task == "image":
        if image is None:
            raise GoalError("task 'image' needs a goal image")
        height, width = image.shape[:2]
        if (
            min(height, width) < limits.min_image_side
            or max(height, width) > limits.max_image_side
        ):
            raise GoalError(
                f"goal image is {width}x{height}; sides must be within "
                f"{limits.min_image_side}..{limits.max_image_side} pixels"
            )
        return GoalSpec(
            task="image", text=normalised_text(text, limits, required=False), image=image
        )
    if not text.strip():
        raise GoalError(f"task '{task}' needs a non-empty text")
    return GoalSpec(task=task, text=normalised_text(text, limits))
