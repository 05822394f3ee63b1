"""GoalRunner (the navigate_to_pose core, no ROS) on the real built-in simulator."""

from __future__ import annotations

import math

import numpy as np
import pytest
import scipy.ndimage as ndi

from filmnav_common.planar import wrap_angle
from filmnav_sim.config import SimConfig
from filmnav_sim.env import SimEnv
from filmnav_sim.episodes import make_episode
from habitat_bridge.goal_runner import GoalRunner, NavigationError, NavigationErrorCode

SPLIT, SEED = "val", 10003
TOLERANCE = 0.5


@pytest.fixture(scope="module")
def env():
    config = SimConfig(width=64, height=48, max_steps=60)
    env = SimEnv(config)
    episode = make_episode(SPLIT, SEED, 0, "object", config=config)
    env.load_episode(episode)
    yield env
    env.close()


@pytest.fixture()
def fresh_env(env):
    env.load_episode(env.episode)
    return env


def navigable_at_distance(env, low: float, high: float) -> np.ndarray:
    nav = env.house.nav
    field = nav.distance_field(np.array([env.pose[:2]]))
    rows, cols = np.nonzero((field >= low) & (field <= high))
    return np.asarray(nav.cell_to_world((rows[len(rows) // 2], cols[len(rows) // 2])))


def run_to_goal(env, runner: GoalRunner) -> list:
    reports = []
    while (report := runner.step(env)) is not None:
        reports.append(report)
    return reports


def test_reaches_the_goal_and_turns_to_its_yaw(fresh_env) -> None:
    env = fresh_env
    goal = navigable_at_distance(env, 2.0, 3.0)
    runner = GoalRunner(env, goal, -math.pi / 2, snap_tolerance=TOLERANCE, max_stalled_steps=20)
    start_distance = runner.distance_remaining(env.pose)
    reports = run_to_goal(env, runner)
    assert math.dist(env.pose[:2], goal) <= env.config.forward_step + 1e-9
    assert (
        abs(wrap_angle(env.pose[2] + math.pi / 2)) <= math.radians(env.config.turn_deg) / 2 + 1e-9
    )
    path_length = sum(report.moved for report in reports)
    assert start_distance - env.config.forward_step <= path_length <= 1.5 * start_distance
    assert env.steps_taken == len(reports) and not env.done  # arriving is no STOP
    assert reports[-1].distance_remaining <= env.config.forward_step
    assert env.time == pytest.approx(len(reports) * env.config.action_duration)


def test_goal_near_an_obstacle_is_snapped_onto_the_navigable_area(fresh_env) -> None:
    env = fresh_env
    nav = env.house.nav
    off_by = ndi.distance_transform_edt(~nav.navigable) * nav.resolution
    rows, cols = np.nonzero((off_by > 0.15) & (off_by < 0.3))
    goal = np.asarray(nav.cell_to_world((rows[0], cols[0])))
    runner = GoalRunner(env, goal, None, snap_tolerance=TOLERANCE, max_stalled_steps=40)
    assert nav.is_navigable(runner.goal) and math.dist(runner.goal, goal) < 0.3
    run_to_goal(env, runner)
    assert math.dist(env.pose[:2], runner.goal) <= env.config.forward_step + 1e-9


def test_unusable_goals_raise_nav2_codes(fresh_env) -> None:
    env = fresh_env
    nav = env.house.nav
    with pytest.raises(NavigationError) as outside:
        GoalRunner(env, (nav.origin[0] - 5.0, nav.origin[1]), None, TOLERANCE, 20)
    assert outside.value.code == NavigationErrorCode.GOAL_OUTSIDE_MAP
    off_by = ndi.distance_transform_edt(~nav.navigable) * nav.resolution
    rows, cols = np.nonzero(off_by > TOLERANCE + 0.1)
    with pytest.raises(NavigationError) as occupied:
        GoalRunner(env, nav.cell_to_world((rows[0], cols[0])), None, TOLERANCE, 20)
    assert occupied.value.code == NavigationErrorCode.GOAL_OCCUPIED
    assert "navigable" in str(occupied.value)


def test_step_budget_ends_navigation_with_timeout(fresh_env) -> None:
    env = fresh_env
    goal = navigable_at_distance(env, 3.0, 4.0)
    for _ in range(env.config.max_steps - 3):
        env.step("turn_left")
    runner = GoalRunner(env, goal, None, TOLERANCE, max_stalled_steps=20)
    reports = []
    with pytest.raises(NavigationError) as budget:
        while (report := runner.step(env)) is not None:
            reports.append(report)
    assert budget.value.code == NavigationErrorCode.TIMEOUT
    assert [report.episode_over for report in reports] == [False, False, True]
    with pytest.raises(NavigationError) as over:
        GoalRunner(env, goal, None, TOLERANCE, 20)
    assert over.value.code == NavigationErrorCode.UNKNOWN and "reset" in str(over.value)


def test_no_progress_aborts(fresh_env) -> None:
    env = fresh_env
    goal = navigable_at_distance(env, 3.0, 4.0)
    runner = GoalRunner(env, goal, None, TOLERANCE, max_stalled_steps=2)
    with pytest.raises(NavigationError) as stuck:
        for _ in range(20):
            env.set_pose(*env.episode.start_pose)  # the robot is held in place
            runner.step(env)
    assert stuck.value.code == NavigationErrorCode.UNKNOWN and "no progress" in str(stuck.value)
