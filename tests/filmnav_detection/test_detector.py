"""The sim_semantic goal detector core: geometry on synthetic frames and on a rendered sim view."""

from __future__ import annotations

import math

import numpy as np
import pytest

from filmnav_common.camera import CameraExtrinsics
from filmnav_detection.detector import CameraModel, SemanticGoalDetector, locate_box

WIDTH, HEIGHT, HFOV = 640, 480, math.radians(79.0)
FX = (WIDTH / 2) / math.tan(HFOV / 2)
CAMERA = CameraModel(fx=FX, fy=FX, cx=(WIDTH - 1) / 2, cy=(HEIGHT - 1) / 2)


def synthetic_frame(
    pose: tuple[float, float, float],
    target: tuple[float, float, float],
    half_size: float,
    instance_id: int,
) -> tuple[np.ndarray, np.ndarray]:
    """Instance and depth images of a camera-facing square patch centred on `target` (world),
    in front of a wall 6 m away (beyond range, so +inf depth as REP-117 says)."""
    x, y, yaw = pose
    dx, dy = target[0] - x, target[1] - y
    forward = math.cos(yaw) * dx + math.sin(yaw) * dy
    left = -math.sin(yaw) * dx + math.cos(yaw) * dy
    up = target[2] - CAMERA.extrinsics.height
    col = CAMERA.cx - FX * left / forward
    row = CAMERA.cy - FX * up / forward
    radius = FX * half_size / forward
    rows, cols = np.mgrid[0:HEIGHT, 0:WIDTH]
    patch = (np.abs(rows - row) <= radius) & (np.abs(cols - col) <= radius)
    depth = np.full((HEIGHT, WIDTH), np.inf, np.float32)
    depth[patch] = forward
    instance = np.where(patch, instance_id, 0).astype(np.int32)
    return instance, depth


def test_patch_position_is_recovered_in_the_mapping_frame():
    pose = (1.0, 2.0, math.pi / 2)
    target = (0.4, 4.5, 0.6)
    instance, depth = synthetic_frame(pose, target, half_size=0.15, instance_id=7)
    detections = SemanticGoalDetector(CAMERA).detect(instance, depth, pose, {7}, "chair")
    assert len(detections) == 1
    found = detections[0]
    assert found.instance_id == 7 and found.label == "chair"
    np.testing.assert_allclose(found.position, target, atol=0.02)
    assert found.distance == pytest.approx(math.dist(target, (1.0, 2.0, 0.88)), abs=0.02)
    x_min, y_min, x_max, y_max = found.bbox
    assert x_min < x_max and y_min < y_max and found.pixels == np.count_nonzero(instance == 7)


def test_pitched_camera_sees_the_floor_at_zero_height():
    camera = CameraModel(
        fx=FX,
        fy=FX,
        cx=(WIDTH - 1) / 2,
        cy=(HEIGHT - 1) / 2,
        extrinsics=CameraExtrinsics(height=1.0, pitch=math.radians(30)),
    )
    # The optical axis hits the floor 1 / tan(30 deg) ahead at a range of 1 / sin(30 deg).
    row, col = np.array([(HEIGHT - 1) / 2]), np.array([(WIDTH - 1) / 2])
    z_depth = np.array([1.0 / math.sin(math.radians(30))])
    point = camera.world_points(row, col, z_depth, (0.0, 0.0, 0.0))[0]
    np.testing.assert_allclose(point, [1.0 / math.tan(math.radians(30)), 0.0, 0.0], atol=1e-9)


def test_small_far_and_other_instances_are_not_detections():
    pose = (0.0, 0.0, 0.0)
    detector = SemanticGoalDetector(CAMERA, min_area_fraction=0.001, max_distance=5.0)
    tiny_instance, tiny_depth = synthetic_frame(
        pose, (3.0, 0.0, 0.9), half_size=0.03, instance_id=3
    )
    assert np.count_nonzero(tiny_instance) < detector.min_pixels(tiny_instance.shape)
    assert detector.detect(tiny_instance, tiny_depth, pose, {3}, "cup") == []
    far_instance, far_depth = synthetic_frame(pose, (5.5, 0.0, 0.9), half_size=0.5, instance_id=3)
    assert detector.detect(far_instance, far_depth, pose, {3}, "cup") == []
    near_instance, near_depth = synthetic_frame(
        pose, (2.0, 0.0, 0.9), half_size=0.3, instance_id=4
    )
    assert detector.detect(near_instance, near_depth, pose, {3}, "cup") == []
    assert len(detector.detect(near_instance, near_depth, pose, {3, 4}, "cup")) == 1
    with pytest.raises(ValueError, match="differ in size"):
        detector.detect(near_instance[:10], near_depth, pose, {4}, "cup")


@pytest.fixture(scope="module")
def sim_env():
    from filmnav_sim.config import SimConfig
    from filmnav_sim.env import SimEnv

    env = SimEnv(SimConfig(width=320, height=240))
    yield env
    env.close()


def distance_to_box(point: np.ndarray, obj) -> float:
    """Distance from a 3-D point to the object's (yawed) bounding box; 0 inside."""
    offset = point - obj.position
    c, s = math.cos(obj.yaw), math.sin(obj.yaw)
    local = np.array([c * offset[0] + s * offset[1], -s * offset[0] + c * offset[1], offset[2]])
    return float(np.linalg.norm(np.maximum(np.abs(local) - obj.size / 2, 0.0)))


@pytest.mark.parametrize("seed", [10000, 10001])
def test_goal_in_a_rendered_view_is_located_within_30_cm(sim_env, seed):
    from filmnav_sim.episodes import footprint_distance, make_episode
    from filmnav_sim.house import cached_house

    house = cached_house(seed)
    episode = make_episode("val", seed, 0, "object", config=sim_env.config, house=house)
    sim_env.load_episode(episode, house)
    goal = house.object_by_id(episode.goal_instance_ids[0])
    x, y = episode.viewpoints[
        int(np.argmax(footprint_distance(episode.viewpoints, goal)))
    ]  # farthest view
    observation = sim_env.set_pose(x, y, math.atan2(goal.position[1] - y, goal.position[0] - x))
    config = sim_env.config
    detector = SemanticGoalDetector(
        CameraModel(*config.intrinsics(), CameraExtrinsics(height=config.camera_height))
    )
    detections = detector.detect(
        observation.instance,
        observation.depth,
        observation.pose,
        episode.goal_instance_ids,
        episode.goal_category,
    )
    assert detections, f"{goal.category} {goal.id} not detected from ({x:.2f}, {y:.2f})"
    found = next(d for d in detections if d.instance_id == goal.id)
    assert distance_to_box(found.position, goal) <= 0.3, (found.position, goal.position, goal.size)
    assert math.dist(found.position[:2], (x, y)) <= config.success_distance + 0.5
    # The rest of the house's instances are never reported as the goal.
    others = {o.id for o in house.objects} - set(episode.goal_instance_ids)
    assert not detector.detect(
        observation.instance, observation.depth, observation.pose, set(), "x"
    )
    assert all(
        d.instance_id in others
        for d in detector.detect(
            observation.instance, observation.depth, observation.pose, others, "other"
        )
    )


def test_box_is_placed_at_the_median_depth_of_its_centre():
    pose = (1.0, 2.0, math.pi / 2)
    target = (0.4, 4.5, 0.6)
    instance, depth = synthetic_frame(pose, target, half_size=0.15, instance_id=7)
    rows, cols = np.nonzero(instance)
    # A box twice the object's size: its rim is background (6 m wall, beyond range) and a depth
    # hole.
    pad_x, pad_y = (cols.max() - cols.min()) // 2, (rows.max() - rows.min()) // 2
    box = (cols.min() - pad_x, rows.min() - pad_y, cols.max() + pad_x, rows.max() + pad_y)
    depth = depth.copy()
    depth[rows.min(), cols.min()] = np.nan
    found = locate_box(CAMERA, depth, pose, box, "chair", 0.8)
    assert found is not None and found.label == "chair" and found.score == pytest.approx(0.8)
    assert found.instance_id == -1 and found.bbox == tuple(int(v) for v in box)
    np.testing.assert_allclose(found.position, target, atol=0.02)
    assert found.distance == pytest.approx(math.dist(target, (1.0, 2.0, 0.88)), abs=0.02)
    # Behind a near background (1 m) the centre region still finds the object; the whole box
    # would not.
    near = np.where(instance == 7, depth, 1.0).astype(np.float32)
    assert locate_box(CAMERA, near, pose, box, "chair", 0.8).position == pytest.approx(
        found.position, abs=0.02
    )
    assert (
        locate_box(CAMERA, near, pose, box, "chair", 0.8, centre_fraction=1.0).distance
        < found.distance - 0.5
    )


def test_box_without_depth_in_range_is_not_placed():
    pose = (0.0, 0.0, 0.0)
    _, depth = synthetic_frame(pose, (5.5, 0.0, 0.9), half_size=0.5, instance_id=3)
    assert (
        locate_box(CAMERA, depth, pose, (300, 220, 340, 260), "cup", 0.5) is None
    )  # beyond max_distance
    with pytest.raises(ValueError, match="not inside"):
        locate_box(CAMERA, depth, pose, (600, 0, 700, 10), "cup", 0.5)
    with pytest.raises(ValueError, match="centre_fraction"):
        locate_box(CAMERA, depth, pose, (0, 0, 10, 10), "cup", 0.5, centre_fraction=0.0)
