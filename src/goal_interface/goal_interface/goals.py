"""Goal validation and the text shortcut, free of ROS (the node converts messages first)."""

from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np
from filmnav_common.protocol import TASKS, GoalSpec

# "find a chair", "go to the bed", "look for my potted plant" -> the object phrase.
_IMPERATIVE = re.compile(
    r"^\s*(?:please\s+)?(?:find|go\s+to|navigate\s+to|look\s+for|search\s+for|locate|search)\s+"
    r"(?:(?:a|an|the|my|some)\s+)?",
    re.IGNORECASE,
)
MAX_CATEGORY_WORDS = 2  # "chair", "potted plant": longer phrases are free-text descriptions


class GoalError(ValueError):
    """A goal that cannot be served; the message says why, for the operator."""


@dataclass(frozen=True)
class GoalLimits:
    max_text_length: int = 200
    min_image_side: int = 16
    max_image_side: int = 4096


def goal_from_text(sentence: str) -> tuple[str, str]:
    """(task, text) for the `filmnav/goal_text` shortcut.

    A short noun phrase after an optional imperative ("find a chair") is an object category;
    anything longer ("something soft to sit on near the window") is a free-text description.
    """
    phrase = _IMPERATIVE.sub("", sentence.strip()).strip().rstrip(".!?").strip()
    if not phrase:
        return "object", ""
    task = "object" if len(phrase.split()) <= MAX_CATEGORY_WORDS else "text"
    return task, phrase


def validate_goal(task: str, text: str, image: np.ndarray | None, limits: GoalLimits) -> GoalSpec:
    """A GoalSpec for a well-formed goal; GoalError with the reason otherwise.

    ``image`` is the goal picture already decoded to RGB uint8 (None when the message had none).
    """
    if task not in TASKS:
        raise GoalError(f"unknown task '{task}' (expected one of {', '.join(TASKS)})")
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
        return GoalSpec(task="image", text=text.strip(), image=image)
    text = text.strip()
    if not text:
        raise GoalError(f"task '{task}' needs a non-empty text")
    if len(text) > limits.max_text_length:
        raise GoalError(
            f"goal text has {len(text)} characters; the limit is {limits.max_text_length}"
        )
    return GoalSpec(task=task, text=text)
