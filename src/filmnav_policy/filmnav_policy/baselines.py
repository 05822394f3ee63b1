"""Baseline frontier policies: nearest, random and the simulator-only geodesic oracle.

They look at the frontiers' geometry only (no images), so they run anywhere the protocol runs:
behind the SelectFrontier service and in the headless evaluation loop.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

import numpy as np
from filmnav_common.protocol import FrontierCandidate, GoalSpec

if TYPE_CHECKING:  # the simulator is only needed by the oracle, which receives its objects
    from filmnav_sim.episodes import Episode
    from filmnav_sim.house import House
    from filmnav_sim.navigation import NavGrid

# Cost, in metres, given to a frontier the oracle cannot reach: ranks it below every reachable one.
UNREACHABLE_COST = 1.0e4


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


class OraclePolicy:
    """Simulator-only upper baseline: the frontier on the shortest geodesic route to the goal.

    A frontier costs geodesic(robot -> waypoint) + geodesic(waypoint -> goal viewpoints), both on
    the simulator's true navigable grid, so it ignores what the robot has not seen yet.
    """

    name = "oracle"

    def __init__(self, nav: NavGrid, goal_points: np.ndarray):
        goal_points = np.asarray(goal_points, dtype=np.float64).reshape(-1, 2)
        if len(goal_points) == 0:
            raise ValueError("the oracle needs at least one goal point")
        self._nav = nav
        self._to_goal = nav.distance_field(goal_points)

    @classmethod
    def for_episode(cls, episode: Episode, house: House | None = None) -> OraclePolicy:
        """Oracle for a simulator episode (in the episode's default house when none is given)."""
        if house is None:
            from filmnav_sim.house import cached_house

            house = cached_house(episode.seed)
        return cls(house.nav, episode.viewpoints)

    @classmethod
    def for_episode_id(cls, split: str, seed: int, index: int, task: str) -> OraclePolicy:
        """Oracle for the episode the simulator bridge loads for the same split/seed/index/task."""
        from filmnav_sim.episodes import make_episode

        return cls.for_episode(make_episode(split, seed, index, task))

    def _costs(self, field: np.ndarray, points: np.ndarray) -> np.ndarray:
        """Distances read from a distance field at points [N, 2] (off-grid points are snapped to
        the nearest navigable cell, plus the snap distance); unreachable ones cost
        UNREACHABLE_COST."""
        snapped = points.copy()
        for i in np.flatnonzero(~self._nav.navigable_mask(points)):
            snapped[i] = self._nav.snap(points[i])
        cells = self._nav.world_to_cell(snapped)
        costs = field[cells[:, 0], cells[:, 1]] + np.linalg.norm(snapped - points, axis=1)
        return np.where(np.isfinite(costs), costs, UNREACHABLE_COST)

    def score(
        self,
        goal: GoalSpec,
        history_images: Sequence[np.ndarray],
        frontier_images: Sequence[np.ndarray],
        frontiers: Sequence[FrontierCandidate],
        robot_pose: tuple[float, float, float],
    ) -> np.ndarray:
        waypoints = np.array([f.waypoint[:2] for f in frontiers], dtype=np.float64).reshape(-1, 2)
        from_robot = self._nav.distance_field(np.asarray([robot_pose[:2]], dtype=np.float64))
        return -(self._costs(from_robot, waypoints) + self._costs(self._to_goal, waypoints))
