"""The one interface every frontier-selection policy implements (VLMs, compact, baselines).

A policy scores frontiers; the caller picks the highest score. It sees what the SelectFrontier
service carries: the goal, K history images, one image per frontier, and the frontiers' geometry
(used by the baselines; learned policies look at images only). No ROS types here, so the same
policies run behind the ROS service and in the headless evaluation loop.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Protocol, Sequence

import numpy as np

TASKS = ("object", "text", "image")


@dataclass(frozen=True)
class GoalSpec:
    task: str                          # "object" | "text" | "image"
    text: str = ""                     # category (object) or description (text)
    image: np.ndarray | None = field(default=None, compare=False)  # rgb uint8 (image)

    def __post_init__(self) -> None:
        if self.task not in TASKS:
            raise ValueError(f"unknown task {self.task!r}; expected one of {TASKS}")

    def describe(self) -> str:
        return "<image>" if self.task == "image" else self.text


@dataclass(frozen=True)
class FrontierCandidate:
    id: int
    centroid: tuple[float, float]                   # mapping frame, metres
    waypoint: tuple[float, float, float]            # x, y, yaw (metres, radians)
    size: float                                     # metres
    path_distance: float                            # metres from the robot; inf if unknown


class FrontierPolicy(Protocol):
    name: str

    def score(
        self,
        goal: GoalSpec,
        history_images: Sequence[np.ndarray],
        frontier_images: Sequence[np.ndarray],
        frontiers: Sequence[FrontierCandidate],
        robot_pose: tuple[float, float, float],
    ) -> np.ndarray:
        """One float score per frontier (same order), higher is better."""
        ...
