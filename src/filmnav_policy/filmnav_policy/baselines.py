"""Baseline frontier policies: nearest and random (the simulator-only references, oracle and
room_prior, live in filmnav_learning.reference_policies).

They look at the frontiers' geometry only (no images), so they run anywhere the protocol runs:
behind the SelectFrontier service and in the headless evaluation loop.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from filmnav_common.protocol import FrontierCandidate, GoalSpec


def travel_distances(
    frontiers: Sequence[FrontierCandidate], robot_pose: tuple[float, float, float]
) -> np.ndarray:
    """Path distance to each frontier's waypoint; straight-line distance where the path is
    unknown."""
    path = np.array([f.path_distance for f in frontiers], dtype=np.float64)
    waypoints = np.array([f.waypoint[:2] for f in frontiers], dtype=np.float64).reshape(-1, 2)
    straight = np.linalg.norm(waypoints - np.asarray(robot_pose[:2], dtype=np.float64), axis=1)
    return np.where(np.isfinite(path) & (path >= 0.0), path, straight)


class NearestPolicy:
    """Classic frontier exploration: the frontier with the shortest path from the robot."""

    name = "nearest"

    def score(
        self,
        goal: GoalSpec,
        history_images: Sequence[np.ndarray],
        frontier_images: Sequence[np.ndarray],
        frontiers: Sequence[FrontierCandidate],
        robot_pose: tuple[float, float, float],
    ) -> np.ndarray:
        return -travel_distances(frontiers, robot_pose)


class RandomPolicy:
    """Uniformly random scores from a seeded generator: the same seed replays the same choices."""

    name = "random"

    def __init__(self, seed: int = 0):
        self._rng = np.random.default_rng(seed)

    def score(
        self,
        goal: GoalSpec,
        history_images: Sequence[np.ndarray],
        frontier_images: Sequence[np.ndarray],
        frontiers: Sequence[FrontierCandidate],
        robot_pose: tuple[float, float, float],
    ) -> np.ndarray:
        return self._rng.random(len(frontiers))
