"""Rendering: shapes, ranges, depth against known geometry, instance ids."""

import math
import threading

import numpy as np
import pytest
from filmnav_sim.env import SimEnv
from filmnav_sim.episodes import footprint_distance
from filmnav_sim.house import CATEGORIES, WALL_THICKNESS, showroom_house


@pytest.fixture(scope="module")
def env(small_config, small_house):
    sim = SimEnv(small_config)
    sim.load_house(small_house)
    yield sim
    sim.close()


def _clear_view_of_wall(house):
    """A pose at a room's centre facing a wall whose centre line of sight is free of furniture
    and doors, and the expected depth to that wall."""
    for room in house.rooms:
        cx, cy = room.center
        if not house.nav.is_navigable((cx, cy)):
            continue
        xmin, ymin, xmax, ymax = room.bounds
        for yaw, distance, axis, line in (
            (0.0, xmax - cx, "x", xmax),
            (math.pi, cx - xmin, "x", xmin),
            (math.pi / 2, ymax - cy, "y", ymax),
            (-math.pi / 2, cy - ymin, "y", ymin),
        ):
            along = cy if axis == "x" else cx
            in_door = any(
                d.axis == axis
                and abs(d.line - line) < 1e-6
                and d.span[0] - 0.3 < along < d.span[1] + 0.3
                for d in house.doors
            )
            ray = np.array([cx, cy]) + np.linspace(0, distance, 200)[:, None] * np.array(
                [math.cos(yaw), math.sin(yaw)]
            )
            blocked = any(np.any(footprint_distance(ray, obj) < 0.3) for obj in house.objects)
            expected = distance - WALL_THICKNESS / 2
            if not in_door and not blocked and 0.6 < expected < 4.5:
                return (cx, cy, yaw), expected
    raise AssertionError("no clear wall view in the test house")


def test_observation_shapes_and_types(env, small_config):
    x, y = env.house.nav.navigable_points()[0]
    obs = env.set_pose(x, y, 0.3)
    h, w = small_config.height, small_config.width
    assert obs.rgb.shape == (h, w, 3) and obs.rgb.dtype == np.uint8
    assert obs.depth.shape == (h, w) and obs.depth.dtype == np.float32
    assert obs.instance.shape == (h, w) and obs.instance.dtype == np.int32
    assert obs.pose == pytest.approx((x, y, 0.3))
    assert obs.rgb.std() > 5  # not a blank frame


def test_depth_ranges_follow_rep117(env, small_config):
    found_far = found_near = False
    for x, y in env.house.nav.navigable_points()[::400]:
        for yaw in np.linspace(-math.pi, math.pi, 6, endpoint=False):
            depth = env.set_pose(x, y, yaw).depth
            finite = depth[np.isfinite(depth)]
            assert not np.isnan(depth).any()
            assert finite.size == 0 or (
                finite.min() >= small_config.min_depth and finite.max() <= small_config.max_depth
            )
            found_far |= bool(np.isposinf(depth).any())
            found_near |= bool(np.isneginf(depth).any())
    assert found_far and found_near


def test_depth_matches_a_known_wall_distance(env, small_config):
    (x, y, yaw), expected = _clear_view_of_wall(env.house)
    obs = env.set_pose(x, y, yaw)
    h, w = small_config.height, small_config.width
    centre = obs.depth[h // 2 - 2 : h // 2 + 2, w // 2 - 2 : w // 2 + 2]
    assert np.all(np.abs(centre - expected) < 0.02), (centre.mean(), expected)
    assert np.all(obs.instance[h // 2 - 2 : h // 2 + 2, w // 2 - 2 : w // 2 + 2] == 0)


def test_instance_ids_match_the_objects_in_view(env, small_config):
    house = env.house
    checked = 0
    for obj in house.objects:
        # Look at the object from 1.5 m in front of it.
        front = obj.position[:2] + (obj.size[0] / 2 + 1.5) * np.array(
            [math.cos(obj.yaw), math.sin(obj.yaw)]
        )
        if not house.nav.is_navigable(front):
            continue
        obs = env.set_pose(front[0], front[1], obj.yaw + math.pi)
        ids, counts = np.unique(obs.instance[obs.instance > 0], return_counts=True)
        assert obj.id in ids
        assert env.category_of(obj.id) == obj.category
        # The object's pixels lie about 1.5 m away (its front face), never beyond its far side.
        depth = obs.depth[obs.instance == obj.id]
        depth = depth[np.isfinite(depth)]
        assert depth.size and np.median(depth) < 1.5 + obj.size[0] + 0.3
        checked += 1
    assert checked >= 2
    assert env.category_of(0) == ""


def test_floor_depth_matches_the_pinhole_intrinsics(env, small_config):
    """Floor pixels below the horizon lie at z = camera_height * fy / (v - cy)."""
    fx, fy, cx, cy = small_config.intrinsics()
    assert fx == pytest.approx(
        small_config.width / 2 / math.tan(math.radians(small_config.hfov_deg) / 2)
    )
    house = env.house
    for x, y in house.nav.navigable_points()[::97]:
        for yaw in np.linspace(-math.pi, math.pi, 8, endpoint=False):
            ahead = (x + 3.0 * math.cos(yaw), y + 3.0 * math.sin(yaw))
            if house.nav.segment_clear((x, y), ahead):
                obs = env.set_pose(x, y, yaw)
                rows = np.arange(small_config.height - 20, small_config.height)
                column = int(round(cx))
                expected = small_config.camera_height * fy / (rows - cy)
                measured = obs.depth[rows, column]
                floor = np.isfinite(measured) & (obs.instance[rows, column] == 0)
                assert floor.sum() >= 10
                assert np.all(np.abs(measured[floor] - expected[floor]) < 0.02)
                return
    raise AssertionError("no open view of the floor")


def test_rendering_from_several_threads(env):
    """ROS executors call from worker threads: the GL context must follow the caller."""
    points = env.house.nav.navigable_points()
    errors, frames = [], []

    def work(offset: int) -> None:
        try:
            for i in range(5):
                frames.append(
                    env.set_pose(*points[(offset + 31 * i) % len(points)], 0.5 * i).rgb.std()
                )
        except Exception as error:  # collected and asserted in the main thread
            errors.append(error)

    threads = [threading.Thread(target=work, args=(k * 101,)) for k in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors
    assert len(frames) == 15 and min(frames) > 0


def test_every_category_builds_and_is_seen_from_its_front(small_config):
    house = showroom_house()
    assert sorted(o.category for o in house.objects) == sorted(CATEGORIES)
    sim = SimEnv(small_config)
    sim.load_house(house)
    for obj in house.objects:
        view = sim.set_pose(obj.position[0], obj.position[1] - obj.size[0] / 2 - 1.6, math.pi / 2)
        assert np.count_nonzero(view.instance == obj.id) >= 0.01 * view.instance.size, obj.category
        # Nothing else stands nearer (the row behind is farther away).
        depth = np.where(np.isfinite(view.depth), view.depth, np.inf)
        nearest = depth[view.instance == obj.id].min()
        others = depth[(view.instance > 0) & (view.instance != obj.id)]
        assert others.size == 0 or others.min() > nearest, obj.category
    sim.close()


def test_images_are_contiguous_arrays(env):
    """OpenCV and ROS message packing need C-contiguous images (no negative strides)."""
    x, y = env.house.nav.navigable_points()[10]
    obs = env.set_pose(x, y, 1.0)
    assert (
        obs.rgb.flags.c_contiguous
        and obs.depth.flags.c_contiguous
        and obs.instance.flags.c_contiguous
    )
