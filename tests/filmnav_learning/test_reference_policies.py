"""The simulator's reference policies: the geodesic oracle, and their entry points."""

from __future__ import annotations

import math

import numpy as np
import pytest

from filmnav_common.protocol import FrontierCandidate, GoalSpec
from filmnav_learning.reference_policies import UNREACHABLE_COST, OraclePolicy, episode_of
from filmnav_policy.registry import PolicyLoadError, make_policy, requires_episode
from filmnav_sim.house import cached_house
from filmnav_sim.navigation import NavGrid

GOAL = GoalSpec("object", "chair")


def frontier(fid: int, x: float, y: float, path: float = math.inf) -> FrontierCandidate:
    return FrontierCandidate(
        id=fid, centroid=(x, y), waypoint=(x, y, 0.0), size=1.0, path_distance=path
    )


def test_oracle_follows_the_geodesic_route_around_a_wall():
    # 6 m x 4 m room at 0.1 m cells; a wall at x = 3 m with a door at the top (y > 3 m).
    navigable = np.ones((40, 60), bool)
    navigable[:30, 29:31] = False
    navigable[:, 45:47] = False  # a sealed-off strip beyond x = 4.7 m
    nav = NavGrid(navigable, resolution=0.1, origin=(0.0, 0.0))
    oracle = OraclePolicy(nav, goal_points=np.array([[4.0, 0.5]]))
    robot = (1.0, 0.5, 0.0)
    frontiers = [
        frontier(0, 2.5, 0.5),  # straight towards the goal, but the wall is in the way
        frontier(1, 2.5, 2.6),  # before the door: on the geodesic route
        frontier(2, 0.5, 3.0),  # away from the goal
        frontier(3, 5.5, 1.0),  # in the sealed-off strip: unreachable
    ]
    result = oracle.score(GOAL, [], [], frontiers, robot)
    assert int(np.argmax(result)) == 1
    assert result[3] <= -UNREACHABLE_COST
    # Cost of the door frontier ~ geodesic robot->door + door->goal, well above the straight line.
    assert 5.0 < -result[1] < 8.0


def test_the_registry_builds_the_oracle_from_an_episode_table_through_its_entry_point():
    assert requires_episode("oracle")
    with pytest.raises(PolicyLoadError, match="needs the simulator's episode"):
        make_policy("oracle")
    table = {"split": "val", "seed": 10000, "episode": 0, "task": "object", "houses": "small"}
    policy = make_policy("oracle", episode=table)
    assert policy.name == "oracle"
    with pytest.raises(PolicyLoadError, match="not a simulator episode"):
        make_policy("oracle", episode={"split": "val"})


def test_a_table_with_the_goal_that_was_sent_gives_its_instances():
    """In the ROS graph an operator's goal need not be the episode's: the bridge's table names
    the instances it is scored against, and the references head for those."""
    table = {"split": "val", "seed": 10001, "episode": 0, "task": "object", "houses": "small"}
    own = episode_of(table)
    same = episode_of({**table, "searched_instance_ids": list(own.goal_instance_ids)})
    np.testing.assert_array_equal(same.viewpoints, own.viewpoints)
    house = cached_house(10001, "small")
    sent = next(o for o in house.objects if o.category != own.goal_category)
    searched = episode_of({**table, "searched_instance_ids": [sent.id]})
    assert searched.goal_instance_ids == [sent.id] and searched.goal_category == sent.category
    assert len(searched.viewpoints) and (searched.start_pose == own.start_pose)
    nearest = np.linalg.norm(searched.viewpoints - sent.position[:2], axis=1).min()
    assert nearest < 1.5  # viewpoints of the object sent
    with pytest.raises(ValueError, match="not all in the house"):
        episode_of({**table, "searched_instance_ids": [len(house.objects) + 1]})
