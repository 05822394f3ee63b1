"""Episode metrics as defined in Habitat (Anderson et al. 2018; soft-SPL from habitat-lab)."""

from __future__ import annotations


def success(called_stop: bool, at_goal_viewpoint: bool) -> float:
    """1.0 when the agent stopped where a goal instance is within reach and in sight."""
    return 1.0 if called_stop and at_goal_viewpoint else 0.0


def spl(success_value: float, shortest_distance: float, path_length: float) -> float:
    """Success weighted by (normalised inverse) path length: S * l / max(p, l). A goal already
    reached at the start (l = 0, a next goal served where the robot stands) scores S when the
    robot did not move, 0 when it wandered."""
    if success_value <= 0.0:
        return 0.0
    if shortest_distance <= 0.0 and path_length <= 0.0:
        return success_value
    return success_value * shortest_distance / max(path_length, shortest_distance, 1e-9)


def soft_spl(distance_to_goal: float, start_distance: float, path_length: float) -> float:
    """Progress towards the goal weighted by path efficiency:
    max(0, 1 - d_T / d_0) * d_0 / max(p, d_0)."""
    if start_distance <= 0.0:
        return 1.0
    progress = max(0.0, 1.0 - distance_to_goal / start_distance)
    return progress * start_distance / max(path_length, start_distance)
