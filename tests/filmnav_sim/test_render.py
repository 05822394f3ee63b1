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


def _draw_every_geom(renderer, x: float, y: float, yaw: float, config) -> tuple:
    """RGB, raw depth buffer and segmentation colours of both passes with no geom left out: the
    reference the culled passes must match."""
    import mujoco

    from filmnav_sim.render import camera_matrix

    model, data = renderer.model, renderer.data
    passes = []
    with renderer._lock, renderer._gl.as_current():
        model.geom_group[:] = renderer._geom_group  # every geom in its own group
        model.cam_fovy[0] = config.vfov_deg
        data.cam_xpos[0] = (x, y, config.camera_height)
        data.cam_xmat[0] = camera_matrix(yaw).ravel()
        rect = mujoco.MjrRect(0, 0, config.width, config.height)
        for option, scene in (
            (renderer._option, renderer._scene),
            (renderer._segment_option, renderer._segment_scene),
        ):
            colour = np.empty((config.height, config.width, 3), np.uint8)
            depth = np.empty((config.height, config.width), np.float32)
            mujoco.mjv_updateScene(
                model, data, option, None, renderer._camera, mujoco.mjtCatBit.mjCAT_ALL, scene
            )
            mujoco.mjr_render(rect, scene, renderer._context)
            mujoco.mjr_readPixels(colour, depth, rect, renderer._context)
            segment_of = np.zeros(scene.ngeom + 1, np.int32)
            for index in range(scene.ngeom):
                segment_of[scene.geoms[index].segid + 1] = scene.geoms[index].objid + 1
            passes.append((colour[::-1], depth[::-1], segment_of))
    (rgb, depth, _), (segment, _, geom_of_colour) = passes
    colour_index = segment.astype(np.int64) @ np.array([1, 256, 65536])
    instance_of_geom = np.concatenate([[0], renderer._instance_of_geom])
    return rgb, renderer._linear_depth(depth), instance_of_geom[geom_of_colour[colour_index]]


def test_geoms_left_out_of_view_change_no_pixel(env, small_config):
    """Frustum and room culling only leave out geoms that cover no pixel: frames match drawing
    every geom, at random poses and in and around doorways (where rooms see into each other)."""
    house, renderer = env.house, env._renderer
    rng = np.random.default_rng(0)
    points = house.nav.navigable_points()
    poses = [(*points[i], rng.uniform(-math.pi, math.pi)) for i in rng.choice(len(points), 12)]
    for door in house.doors:
        middle = sum(door.span) / 2
        for across in (-0.5, 0.0, 0.5):
            at = (door.line + across, middle) if door.axis == "x" else (middle, door.line + across)
            poses += [(*at, yaw) for yaw in rng.uniform(-math.pi, math.pi, 4)]
    culled = 0
    for x, y, yaw in poses:
        frame = renderer.render(x, y, yaw, small_config)
        rgb, depth, instance = _draw_every_geom(renderer, x, y, yaw, small_config)
        assert np.array_equal(frame.rgb, rgb) and np.array_equal(frame.instance, instance)
        assert np.array_equal(frame.depth, depth)
        culled += renderer.model.ngeom - int(renderer._in_view(x, y, yaw, small_config).sum())
    assert culled > 10 * len(poses)  # the test exercises culling, not a scene drawn whole


def test_instances_in_view_hold_every_object_the_image_shows(env, small_config):
    points = env.house.nav.navigable_points()
    rng = np.random.default_rng(1)
    left_out = 0
    for i in rng.choice(len(points), 40):
        pose = (*points[i], rng.uniform(-math.pi, math.pi))
        observation = env.set_pose(*pose)
        within = observation.depth <= small_config.max_depth  # finite and in range
        shown = set(np.unique(observation.instance[within])) - {0}
        possible = env.instances_in_view(pose, small_config.max_depth)
        assert shown <= possible
        left_out += len(env.house.objects) - len(possible)
    assert left_out > 0


def test_instance_image_is_rendered_on_first_read_for_its_own_pose(env, small_config, small_house):
    points = env.house.nav.navigable_points()
    first = env.set_pose(*points[5], 0.4)
    env.set_pose(*points[-5], 2.0)  # the camera has moved on before the image is read
    expected = env._renderer.render(*points[5], 0.4, small_config).instance
    assert np.array_equal(first.instance, expected)
    assert first.instance is first.instance  # rendered once, then kept
    unread = env.set_pose(*points[5], 0.4)
    try:
        env.load_house(showroom_house())  # the observation's house is gone
        with pytest.raises(RuntimeError):
            unread.instance  # noqa: B018 -- reading renders
    finally:
        env.load_house(small_house)
