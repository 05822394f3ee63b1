"""Agent actions, collisions, episodes and metrics on hand-made trajectories."""

import math

import numpy as np
import pytest

from filmnav_common.planar import wrap_angle
from filmnav_sim.config import SimConfig
from filmnav_sim.env import PathFollower, SimEnv, move_with_sliding
from filmnav_sim.episodes import SPLITS, instance_viewpoints, make_episode, views_of
from filmnav_sim.house import UNSEEN_CATEGORIES, generate_house
from filmnav_sim.navigation import NavGrid

SEED = 3  # a train seed; the small house fixture uses it too


@pytest.fixture(scope="module")
def episode(small_config, small_house):
    return make_episode("train", SEED, 0, "object", small_config, house=small_house)


@pytest.fixture(scope="module")
def env(small_config, small_house, episode):
    sim = SimEnv(small_config)
    sim.load_episode(episode, house=small_house)
    yield sim
    sim.close()


def _open_pose(house, clearance: float):
    """A navigable pose whose heading is free for `clearance` metres."""
    for x, y in house.nav.navigable_points()[::50]:
        for yaw in np.linspace(-math.pi, math.pi, 8, endpoint=False):
            end = (x + clearance * math.cos(yaw), y + clearance * math.sin(yaw))
            if house.nav.segment_clear((x, y), end):
                return x, y, yaw
    raise AssertionError("no open pose")


def test_forward_and_turns(env, small_config):
    x, y, yaw = _open_pose(env.house, 1.0)
    env.load_episode(env.episode, house=env.house)
    env.set_pose(x, y, yaw)
    obs = env.step("forward")
    assert math.hypot(obs.pose[0] - x, obs.pose[1] - y) == pytest.approx(
        small_config.forward_step, abs=1e-6
    )
    assert env.path_length == pytest.approx(small_config.forward_step)
    obs = env.step("turn_left")
    assert obs.pose[2] == pytest.approx(
        math.atan2(math.sin(yaw + math.radians(30)), math.cos(yaw + math.radians(30)))
    )
    obs = env.step("turn_right")
    assert obs.pose[2] == pytest.approx(yaw)
    assert env.steps_taken == 3 and obs.time == pytest.approx(3 * small_config.action_duration)
    with pytest.raises(ValueError):
        env.step("jump")


def test_walls_stop_the_agent(env):
    env.load_episode(env.episode, house=env.house)
    x, y, _ = env.episode.start_pose
    env.set_pose(x, y, 0.0)
    positions = [env.step("forward").pose[:2] for _ in range(60)]
    assert all(env.house.nav.is_navigable(p) for p in positions)
    assert np.allclose(positions[-1], positions[-2])  # came to rest against something
    with pytest.raises(ValueError):
        env.set_pose(-5.0, -5.0, 0.0)


def test_step_budget_ends_the_episode(small_config, small_house, episode):
    config = type(small_config)(width=64, height=48, max_steps=3)
    sim = SimEnv(config)
    sim.load_episode(episode, house=small_house)
    for _ in range(3):
        sim.step("turn_left")
    assert sim.done
    with pytest.raises(RuntimeError):
        sim.step("turn_left")
    sim.close()


def test_following_the_shortest_path_succeeds_with_high_spl(env, episode):
    env.load_episode(episode, house=env.house)
    nav = env.house.nav
    start = episode.start_pose
    target = episode.viewpoints[
        int(
            np.argmin(
                nav.distance_field(np.array([start[:2]]))[
                    tuple(nav.world_to_cell(episode.viewpoints).T)
                ]
            )
        )
    ]
    follower = PathFollower(nav, env.config)
    while not env.done:  # an oracle agent: follow the path, stop once inside the goal region
        action = (
            "stop" if env.distance_to_goal() <= 0.1 else follower.next_action(env.pose, target)
        )
        assert action is not None
        env.step(action)
    metrics = env.metrics()
    assert metrics["success"] == 1.0
    assert metrics["distance_to_goal"] <= 0.1
    assert 0.7 <= metrics["spl"] <= 1.0
    assert metrics["spl"] == pytest.approx(
        episode.geodesic_distance / max(metrics["path_length"], episode.geodesic_distance)
    )
    progress = 1 - metrics["distance_to_goal"] / episode.geodesic_distance
    assert metrics["soft_spl"] == pytest.approx(progress * metrics["spl"])
    assert metrics["steps"] == env.steps_taken


def test_stopping_at_the_start_fails(env, episode):
    env.load_episode(episode, house=env.house)
    env.step("stop")
    metrics = env.metrics()
    assert env.done
    assert metrics == pytest.approx(
        {
            "success": 0.0,
            "spl": 0.0,
            "soft_spl": 0.0,
            "path_length": 0.0,
            "steps": 1,
            "distance_to_goal": episode.geodesic_distance,
        },
        abs=0.06,
    )


def test_wandering_then_stopping_away_from_the_goal_gets_partial_soft_spl(env, episode):
    env.load_episode(episode, house=env.house)
    nav = env.house.nav
    follower = PathFollower(nav, env.config)
    path = nav.shortest_path(episode.start_pose[:2], episode.viewpoints[0])
    lengths = np.concatenate([[0.0], np.cumsum(np.linalg.norm(np.diff(path, axis=0), axis=1))])
    target = np.array(
        [np.interp(lengths[-1] / 2, lengths, path[:, k]) for k in range(2)]
    )  # halfway
    while (action := follower.next_action(env.pose, target)) != "stop":
        env.step(action)
    env.step("stop")
    metrics = env.metrics()
    assert metrics["distance_to_goal"] > 0.1
    assert metrics["success"] == 0.0 and metrics["spl"] == 0.0
    expected = (
        max(0.0, 1 - metrics["distance_to_goal"] / episode.geodesic_distance)
        * episode.geodesic_distance
        / max(metrics["path_length"], episode.geodesic_distance)
    )
    assert 0.0 < metrics["soft_spl"] == pytest.approx(expected)


def test_a_new_goal_is_scored_from_where_the_agent_stands(env, episode):
    """start_segment: after STOP the agent is given another goal, as a robot is, without a reset:
    counters and budget start again, the clock runs on, the start geodesic is measured from
    where the agent stands."""
    env.load_episode(episode, house=env.house)
    for _ in range(3):
        env.step("turn_left")
    env.step("stop")
    assert env.done
    pose, clock, house = env.pose, env.time, env.house
    env.start_segment()
    assert not env.done and env.steps_taken == 0 and env.pose == pose and env.time == clock
    nothing = env.metrics()  # no goal instances yet: nothing to reach
    assert (nothing["success"], nothing["spl"], nothing["soft_spl"]) == (0.0, 0.0, 0.0)
    assert nothing["distance_to_goal"] == math.inf
    other = next(
        obj
        for obj in house.objects
        if obj.id not in episode.goal_instance_ids
        and len(instance_viewpoints(house, obj.id, env.config))
    )
    env.set_segment_goal([other.id])
    viewpoints = instance_viewpoints(house, other.id, env.config)
    start = house.nav.geodesic_distance(pose[:2], viewpoints)
    assert env.segment.goal_instance_ids == (other.id,) and env.segment.start_pose == pose
    assert env.segment.geodesic_distance == pytest.approx(start)
    env.set_pose(*viewpoints[0], 0.0)  # teleported: at the goal with no path travelled
    env.step("stop")
    metrics = env.metrics()
    assert (metrics["success"], metrics["spl"], metrics["steps"]) == (1.0, 1.0, 1)
    assert env.time == pytest.approx(clock + env.config.action_duration)


def test_episodes_are_deterministic_and_valid(small_config, small_house):
    for task in ("object", "text", "image"):
        a = make_episode("train", SEED, 4, task, small_config, house=small_house)
        b = make_episode("train", SEED, 4, task, small_config, house=small_house)
        assert (a.goal_category, a.goal_text, a.goal_instance_ids, a.start_pose) == (
            b.goal_category,
            b.goal_text,
            b.goal_instance_ids,
            b.start_pose,
        )
        assert a.geodesic_distance >= 1.0 and np.isfinite(a.geodesic_distance)
        assert small_house.nav.is_navigable(a.start_pose[:2])
        assert len(a.viewpoints) > 0
        assert all(
            small_house.object_by_id(i).category == a.goal_category for i in a.goal_instance_ids
        )
        if task == "image":
            assert a.goal_image.shape == (small_config.height, small_config.width, 3)
            assert a.goal_image.std() > 5
        else:
            assert a.goal_image is None


def test_train_split_never_asks_for_unseen_categories(small_config):
    house = generate_house(21, max_rooms=6)
    goals = {
        make_episode("train", 21, i, "text", small_config, house=house).goal_category
        for i in range(12)
    }
    assert not goals & set(UNSEEN_CATEGORIES)
    assert len(goals) > 2


def test_splits_are_disjoint_and_checked(small_config):
    ranges = [set(r) for r in SPLITS.values()]
    assert all(not a & b for i, a in enumerate(ranges) for b in ranges[i + 1 :])
    with pytest.raises(ValueError):
        make_episode("train", SPLITS["test"][0], 0, "object", small_config)
    with pytest.raises(ValueError):
        make_episode("train", 0, 0, "teleport", small_config)


def test_path_follower_drives_around_a_wall_and_rejects_unreachable_goals():
    navigable = np.ones((80, 120), bool)
    navigable[0:60, 58:62] = False  # a wall from the bottom, open at the top
    navigable[:, 100:104] = False  # a closed-off strip on the right
    nav = NavGrid(navigable, 0.05, (0.0, 0.0))
    config = SimConfig()
    follower = PathFollower(nav, config)
    pose, goal = (1.0, 1.0, 0.0), (4.0, 1.0)
    for _ in range(200):
        action = follower.next_action(pose, goal)
        if action == "stop":
            break
        x, y, yaw = pose
        if action == "forward":
            x, y = move_with_sliding(nav, x, y, 0.25 * math.cos(yaw), 0.25 * math.sin(yaw))
        else:
            yaw = wrap_angle(
                yaw + (1 if action == "turn_left" else -1) * math.radians(config.turn_deg)
            )
        pose = (x, y, yaw)
        assert nav.is_navigable((x, y))
    assert action == "stop"
    assert math.hypot(pose[0] - goal[0], pose[1] - goal[1]) <= config.forward_step
    assert follower.next_action(pose, (5.5, 1.0)) is None  # beyond the closed strip
    assert follower.next_action(pose, (30.0, 30.0)) is None  # far outside the grid
    assert len(follower.path((1.0, 1.0, 0.0), goal)) >= 3  # goes over the wall's end


def test_ray_cast_visibility_agrees_with_the_renderer(env, small_house, small_config):
    """Poses that the ray casts say see an object show it in the instance image (facing it)."""
    checked = 0
    for obj in small_house.objects[:6]:
        views = views_of(small_house, obj, small_config)
        for x, y, yaw in views[:: max(1, len(views) // 3)][:3]:
            assert obj.id in env.set_pose(x, y, yaw).instance, obj.category
            checked += 1
    assert checked >= 6
