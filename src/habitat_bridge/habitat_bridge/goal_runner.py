"""Drive the simulated agent to a goal pose with Habitat actions (no ROS).

What the bridge's navigate_to_pose does on each call: validate the goal against the sim's
navigable grid, then one Habitat step at a time along the shortest path (the sim's
PathFollower), finally turn to the goal's yaw. Errors carry Nav2 error codes.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from enum import IntEnum
from typing import Any

import numpy as np

from filmnav_common.planar import wrap_angle
from filmnav_sim.env import PathFollower
from habitat_bridge.backend import navigation_grid


class NavigationErrorCode(IntEnum):
    """Nav2 Jazzy codes: NavigateToPose's own, and the planner's (ComputePathToPose) that Nav2
    passes through in NavigateToPose results."""

    NONE = 0
    GOAL_OUTSIDE_MAP = 204
    GOAL_OCCUPIED = 206
    NO_VALID_PATH = 208
    UNKNOWN = 9000
    TF_ERROR = 9002
    TIMEOUT = 9003


class NavigationError(Exception):
    def __init__(self, code: NavigationErrorCode, message: str):
        super().__init__(message)
        self.code = code


@dataclass
class StepReport:
    observation: Any  # filmnav_sim Observation after the step
    moved: float  # metres travelled by this step
    distance_remaining: float  # geodesic, metres
    episode_over: bool  # the step spent the goal's step budget


class GoalRunner:
    """One navigation goal. Construct on the simulator thread; it raises NavigationError for a
    goal that cannot be reached. Then call step(env) until it returns None (arrived)."""

    def __init__(
        self,
        env: Any,
        goal_xy: tuple[float, float],
        goal_yaw: float | None,
        snap_tolerance: float,
        max_stalled_steps: int,
    ):
        if env.done:
            raise NavigationError(
                NavigationErrorCode.UNKNOWN,
                "the goal is over (stop called or its step budget spent): send the next goal or "
                "reset the episode",
            )
        nav = navigation_grid(env)
        goal = np.asarray(goal_xy, dtype=float)
        row, col = nav.world_to_cell(goal)
        rows, cols = nav.shape
        if not (0 <= row < rows and 0 <= col < cols):
            raise NavigationError(
                NavigationErrorCode.GOAL_OUTSIDE_MAP,
                f"goal ({goal[0]:.2f}, {goal[1]:.2f}) is outside the map",
            )
        if not nav.is_navigable(goal):
            snapped = np.asarray(nav.snap(goal))
            if np.linalg.norm(snapped - goal) > snap_tolerance:
                raise NavigationError(
                    NavigationErrorCode.GOAL_OCCUPIED,
                    f"goal ({goal[0]:.2f}, {goal[1]:.2f}) is "
                    f"{np.linalg.norm(snapped - goal):.2f} m "
                    f"from the navigable area (tolerance {snap_tolerance:.2f} m)",
                )
            goal = snapped
        self.goal = goal
        self.goal_yaw = goal_yaw
        self._follower = PathFollower(nav, env.config, max_snap_distance=snap_tolerance)
        if len(self._follower.path(env.pose, goal)) == 0:
            raise NavigationError(
                NavigationErrorCode.NO_VALID_PATH, f"no path to ({goal[0]:.2f}, {goal[1]:.2f})"
            )
        self._field = nav.distance_field(goal[None, :])
        self._nav = nav
        self._half_turn = math.radians(env.config.turn_deg) / 2.0
        self._max_stalled_steps = max_stalled_steps
        self._best_distance = self.distance_remaining(env.pose)
        self._stalled_steps = 0

    def distance_remaining(self, pose: tuple[float, float, float]) -> float:
        row, col = self._nav.world_to_cell(pose[:2])
        rows, cols = self._field.shape
        if 0 <= row < rows and 0 <= col < cols and np.isfinite(self._field[row, col]):
            return float(self._field[row, col])
        return float(np.linalg.norm(self.goal - np.asarray(pose[:2])))

    def next_action(self, pose: tuple[float, float, float]) -> str | None:
        """The next Habitat action, or None when the goal pose is reached."""
        action = self._follower.next_action(pose, self.goal)
        if action is None:
            raise NavigationError(NavigationErrorCode.NO_VALID_PATH, "lost the path to the goal")
        if action != "stop":
            return action
        if self.goal_yaw is None:
            return None
        error = wrap_angle(self.goal_yaw - pose[2])
        if abs(error) <= self._half_turn:
            return None
        return "turn_left" if error > 0 else "turn_right"

    def step(self, env: Any) -> StepReport | None:
        """Take one step towards the goal; None once there. Raises NavigationError when the
        goal's step budget is spent or the agent stops getting closer."""
        action = self.next_action(env.pose)
        if action is None:
            return None
        if env.done:
            raise NavigationError(
                NavigationErrorCode.TIMEOUT,
                f"the goal's step budget ({env.config.max_steps} steps) is spent",
            )
        if self._stalled_steps >= self._max_stalled_steps:
            raise NavigationError(
                NavigationErrorCode.UNKNOWN,
                f"stuck: no progress in {self._stalled_steps} steps, "
                f"{self._best_distance:.2f} m from the goal",
            )
        before = env.pose
        observation = env.step(action)
        remaining = self.distance_remaining(observation.pose)
        if remaining < self._best_distance - 1e-6:
            self._best_distance, self._stalled_steps = remaining, 0
        elif remaining > self._follower.goal_radius:  # turning in place at the goal is progress
            self._stalled_steps += 1
        moved = math.dist(before[:2], observation.pose[:2])
        return StepReport(observation, moved, remaining, env.done)
