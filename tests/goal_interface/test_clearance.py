"""Approach-pose clearance on an occupancy grid."""

from __future__ import annotations

import numpy as np

from goal_interface.clearance import OccupancyView


def view() -> OccupancyView:
    cells = np.zeros((40, 60), np.int8)  # 3 m x 2 m at 5 cm, origin (-1, -1)
    cells[:, 30] = 100  # a wall along x = 0.5 .. 0.55
    cells[0:5, 0:5] = -1  # unknown corner
    return OccupancyView(cells, origin=(-1.0, -1.0), resolution=0.05)


def test_poses_near_obstacles_are_not_clear():
    grid = view()
    assert grid.is_clear(0.0, 0.0, 0.2)
    assert not grid.is_clear(0.4, 0.0, 0.2)  # 0.1 m from the wall
    assert not grid.is_clear(0.52, 0.0, 0.2)  # in the wall
    assert grid.is_clear(0.8, 0.0, 0.2)  # 0.25 m beyond it
    assert not grid.is_clear(0.8, 0.0, 0.35)


def test_unknown_and_outside_count_as_clear():
    grid = view()
    assert grid.is_clear(-0.95, -0.95, 0.05)  # unknown cells
    assert grid.is_clear(10.0, 10.0, 0.2)  # far outside the grid
    assert not grid.is_clear(0.52, 1.05, 0.2)  # just outside, but the wall is within reach
