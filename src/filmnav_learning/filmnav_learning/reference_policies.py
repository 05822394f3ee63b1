"""Simulator-only reference policies: they read the simulator's ground truth, so they measure
what the house itself allows rather than what a robot could know.

- `oracle`: the frontier on the shortest geodesic route to the goal (an upper reference).
- `room_prior`: the frontier whose room (its true kind, read from the house) most likely holds
  the goal's category per unit of path, from the category-to-room frequencies of the train
  houses. It is what a perfect reader of the images could do with the house's semantics alone,
  so it measures how much of the nearest-to-oracle gap semantics can explain.

They are offered to the policy node and to `filmnav eval` through the `filmnav.policies` entry
point group (see filmnav_policy.registry), so the deployable policy package never imports the
simulator. A factory marked `requires_episode` is built from the simulator's current episode
(`episode`: the bridge's `sim/instances` table, or an Episode in the headless loop).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

from filmnav_common.protocol import FrontierCandidate, FrontierPolicy, GoalSpec
from filmnav_policy.baselines import travel_distances
from filmnav_sim.config import SimConfig
from filmnav_sim.episodes import Episode, goal_viewpoints, make_episode
from filmnav_sim.house import House, cached_house
from filmnav_sim.navigation import NavGrid
from filmnav_sim.semantics import room_prior_scores

# Cost, in metres, given to a frontier the oracle cannot reach: ranks it below every reachable one.
UNREACHABLE_COST = 1.0e4


def episode_of(episode: Episode | Mapping[str, Any]) -> Episode:
    """The simulator episode behind an Episode or the bridge's `sim/instances` table; from a
    table, with the goal instances the goal that was sent is scored against
    (`searched_instance_ids`: an operator's goal in the ROS graph need not be the episode's)."""
    if isinstance(episode, Episode):
        return episode
    try:
        loaded = make_episode(
            str(episode["split"]),
            int(episode["seed"]),
            int(episode["episode"]),
            str(episode["task"]),
            houses=str(episode.get("houses", "small")),
        )
        searched = [int(i) for i in episode.get("searched_instance_ids") or ()]
    except (KeyError, TypeError, ValueError) as error:
        raise ValueError(f"not a simulator episode: {error}") from error
    if not searched or searched == list(loaded.goal_instance_ids):
        return loaded
    house = cached_house(loaded.seed, loaded.houses)
    try:
        viewpoints = goal_viewpoints(house, searched, SimConfig())
    except IndexError as error:
        raise ValueError(
            f"searched instances {searched} are not all in the house: {error}"
        ) from error
    return dataclasses.replace(
        loaded,
        goal_category=house.object_by_id(searched[0]).category,
        goal_instance_ids=searched,
        viewpoints=viewpoints,
    )


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
            house = cached_house(episode.seed, episode.houses)
        return cls(house.nav, episode.viewpoints)

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


class RoomPriorPolicy:
    """Simulator-only reference: the frontier with the best P(goal in its room) / path cost.

    The room a frontier opens into is read LOOKAHEAD metres beyond it along its waypoint's
    heading (the waypoint faces the unknown side); the goal is the episode's category (for every
    task: it measures the house's semantics, not language or image understanding)."""

    name = "room_prior"

    def __init__(self, house: House, goal_categories: Sequence[str]):
        self._house = house
        self._goals = list(goal_categories)

    @classmethod
    def for_episode(cls, episode: Episode, house: House | None = None) -> RoomPriorPolicy:
        house = house or cached_house(episode.seed, episode.houses)
        return cls(house, [episode.goal_category])

    def score(
        self,
        goal: GoalSpec,
        history_images: Sequence[np.ndarray],
        frontier_images: Sequence[np.ndarray],
        frontiers: Sequence[FrontierCandidate],
        robot_pose: tuple[float, float, float],
    ) -> np.ndarray:
        centroids = np.array([f.centroid for f in frontiers], dtype=np.float64).reshape(-1, 2)
        headings = np.array([f.waypoint[2] for f in frontiers], dtype=np.float64)
        distances = travel_distances(frontiers, robot_pose)
        return room_prior_scores(self._house, self._goals, centroids, distances, headings)


def oracle(episode: Episode | Mapping[str, Any], **_: Any) -> FrontierPolicy:
    """Entry point `oracle`: the geodesic oracle of the simulator's current episode."""
    return OraclePolicy.for_episode(episode_of(episode))


oracle.requires_episode = True  # type: ignore[attr-defined]


def room_prior(episode: Episode | Mapping[str, Any], **_: Any) -> FrontierPolicy:
    """Entry point `room_prior`: the semantic-prior reference of the simulator's episode."""
    return RoomPriorPolicy.for_episode(episode_of(episode))


room_prior.requires_episode = True  # type: ignore[attr-defined]
