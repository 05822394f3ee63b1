"""Input ablations of a frontier policy, for measuring what its decisions rest on.

    policy = AblatedPolicy(make_policy("compact"), "goal")  # the same policy, blind to the goal

- `goal`: the goal text becomes "object" (an image goal becomes a grey picture), so the policy
  cannot know what it looks for;
- `images`: every history and frontier image becomes uniform grey, leaving frontier geometry;
- `geometry`: every frontier gets the same geometry (the robot's own pose, zero size and route),
  leaving the images and the goal.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

import numpy as np

from filmnav_common.protocol import FrontierCandidate, FrontierPolicy, GoalSpec

ABLATIONS = ("goal", "images", "geometry")
BLANK_GOAL_TEXT = "object"
GREY = 128


def _grey(image: np.ndarray) -> np.ndarray:
    return np.full_like(image, GREY)


class AblatedPolicy:
    """A policy that sees blanked inputs of one kind (see the module docstring)."""

    def __init__(self, policy: FrontierPolicy, ablation: str):
        if ablation not in ABLATIONS:
            raise ValueError(f"unknown ablation {ablation!r}; choose from {ABLATIONS}")
        self._policy = policy
        self.ablation = ablation
        self.name = f"{policy.name}-blank-{ablation}"

    def score(
        self,
        goal: GoalSpec,
        history_images: Sequence[np.ndarray],
        frontier_images: Sequence[np.ndarray],
        frontiers: Sequence[FrontierCandidate],
        robot_pose: tuple[float, float, float],
    ) -> np.ndarray:
        if self.ablation == "goal":
            image = None if goal.image is None else _grey(goal.image)
            goal = replace(goal, text=BLANK_GOAL_TEXT, image=image)
        elif self.ablation == "images":
            history_images = [_grey(image) for image in history_images]
            frontier_images = [_grey(image) for image in frontier_images]
        else:
            here = (float(robot_pose[0]), float(robot_pose[1]))
            frontiers = [
                replace(
                    f,
                    centroid=here,
                    waypoint=(*here, float(robot_pose[2])),
                    size=0.0,
                    path_distance=0.0,
                )
                for f in frontiers
            ]
        return self._policy.score(goal, history_images, frontier_images, frontiers, robot_pose)
