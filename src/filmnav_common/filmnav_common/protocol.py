"""The one interface every frontier-selection policy implements (VLMs, compact, baselines).

A policy scores frontiers; the caller picks the highest score. It sees what the SelectFrontier
service carries: the goal, K history images, one image per frontier, and the frontiers' geometry
(the baselines use only that; `compact` adds `frontier_geometry` to each frontier's image). No ROS
types here, so the same policies run behind the ROS service and in the headless evaluation loop.
It lives in filmnav_common because goal_interface (the mission) and filmnav_policy both speak it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Protocol

import numpy as np

TASKS = ("object", "text", "image")


@dataclass(frozen=True)
class GoalSpec:
    task: str  # "object" | "text" | "image"
    text: str = ""  # category (object) or description (text)
    image: np.ndarray | None = field(default=None, compare=False)  # rgb uint8 (image)

    def __post_init__(self) -> None:
        if self.task not in TASKS:
            raise ValueError(f"unknown task {self.task!r}; expected one of {TASKS}")

    def describe(self) -> str:
        return "<image>" if self.task == "image" else self.text


@dataclass(frozen=True)
class FrontierCandidate:
    id: int
    centroid: tuple[float, float]  # mapping frame, metres
    waypoint: tuple[float, float, float]  # x, y, yaw (metres, radians)
    size: float  # metres
    path_distance: float  # metres from the robot; inf if unknown


GEOMETRY_FIELDS = ("route", "distance", "bearing", "size")


def frontier_geometry(
    frontiers: Sequence[FrontierCandidate], robot_pose: tuple[float, float, float]
) -> np.ndarray:
    """[F, 4] float32 per frontier: route length from the robot (the straight distance where the
    route is unknown), straight distance to the centroid (metres), the centroid's bearing from the
    robot's heading (radians, left positive) and the frontier's size (metres)."""
    if not frontiers:
        return np.zeros((0, len(GEOMETRY_FIELDS)), np.float32)
    x, y, yaw = robot_pose
    centroids = np.array([f.centroid for f in frontiers], dtype=np.float64).reshape(-1, 2)
    offsets = centroids - np.array([x, y])
    distance = np.hypot(offsets[:, 0], offsets[:, 1])
    bearing = (np.arctan2(offsets[:, 1], offsets[:, 0]) - yaw + np.pi) % (2.0 * np.pi) - np.pi
    route = np.array([f.path_distance for f in frontiers], dtype=np.float64)
    route = np.where(np.isfinite(route), route, distance)
    size = np.array([f.size for f in frontiers], dtype=np.float64)
    return np.column_stack([route, distance, bearing, size]).astype(np.float32)


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
