"""KeyframeBuffer: when keyframes are taken, the memory bound, history, frontier best views."""

from __future__ import annotations

import math
from dataclasses import replace

import numpy as np
import pytest

from filmnav_common.planar import Pose2D
from frontier_mapper.keyframes import KeyframeBuffer, KeyframeConfig, frontier_segment


def image(value: int, width: int = 64, height: int = 48) -> np.ndarray:
    return np.full((height, width, 3), value % 256, dtype=np.uint8)


def test_keyframes_every_n_metres_or_m_radians():
    buffer = KeyframeBuffer(KeyframeConfig(min_distance=0.25, min_rotation=math.radians(30)))
    assert buffer.add(image(0), Pose2D(0, 0, 0), 0.0) is not None  # the first frame
    assert buffer.add(image(1), Pose2D(0.1, 0, 0), 0.1) is None
    assert buffer.add(image(2), Pose2D(0.2, 0.1, math.radians(20)), 0.2) is None
    moved = buffer.add(image(3), Pose2D(0.26, 0, 0), 0.3)
    assert moved is not None and moved.id == 1
    assert buffer.add(image(4), Pose2D(0.26, 0, math.radians(29)), 0.4) is None
    turned = buffer.add(image(5), Pose2D(0.26, 0, math.radians(-31)), 0.5)
    assert turned is not None and turned.id == 2 and turned.stamp == 0.5
    assert [k.id for k in buffer.keyframes] == [0, 1, 2]


def test_buffer_stays_within_its_bound_and_downsamples():
    config = KeyframeConfig(min_distance=0.1, capacity=10, store_width=32)
    buffer = KeyframeBuffer(config)
    for k in range(50):
        buffer.add(image(k, 640, 480), Pose2D(0.2 * k, 0, 0), float(k))
    assert len(buffer) == 10
    assert [k.id for k in buffer.keyframes] == list(range(40, 50))
    assert buffer.keyframes[0].image.shape == (24, 32, 3)
    assert buffer.memory_bytes == 10 * 24 * 32 * 3


def test_history_is_latest_first_and_resized():
    buffer = KeyframeBuffer(KeyframeConfig(min_distance=0.1))
    for k in range(6):
        buffer.add(image(10 * k), Pose2D(0.2 * k, 0, 0), float(k))
    history = buffer.history(4, size=16)
    assert [k.id for k in history] == [2, 3, 4, 5]
    assert all(k.image.shape == (16, 16, 3) for k in history)
    assert history[-1].image[0, 0, 0] == 50
    assert buffer.history(0) == [] and len(buffer.history(100)) == 6
    assert buffer.keyframes[0].image.shape == (48, 64, 3)  # stored frames are untouched


def test_rejects_non_rgb_images():
    buffer = KeyframeBuffer()
    with pytest.raises(ValueError):
        buffer.add(np.zeros((4, 4), np.uint8), Pose2D(0, 0, 0), 0.0)
    with pytest.raises(ValueError):
        buffer.add(np.zeros((4, 4, 3), np.float32), Pose2D(0, 0, 0), 0.0)
    assert len(buffer) == 0


def test_frontier_segment_lies_across_the_facing_direction():
    points = frontier_segment((1.0, 2.0), 2.0, facing_yaw=0.0, spacing=0.5)
    assert np.allclose(points[:, 0], 1.0)
    assert np.allclose(points[[0, -1], 1], [1.0, 3.0]) and len(points) == 5


def test_frontier_link_keeps_first_sighting_until_a_better_view():
    buffer = KeyframeBuffer(
        KeyframeConfig(min_distance=0.1, hfov=math.radians(79), view_range=5.0)
    )
    frontier = frontier_segment((3.0, 0.0), 2.0, facing_yaw=0.0)  # x = 3, y in [-1, 1]
    buffer.add(image(0), Pose2D(0, 0, math.pi), 0.0)  # looks away: sees nothing
    first = buffer.add(image(1), Pose2D(0, 0.0, 0.6), 1.0)  # sees part of it
    assert buffer.link_frontiers({7: frontier}) == {7: first.id}
    buffer.add(image(2), Pose2D(0, 0.2, 0.6), 2.0)  # sees less than the first view
    assert buffer.link_frontiers({7: frontier}) == {7: first.id}
    best = buffer.add(image(3), Pose2D(0.5, 0, 0.0), 3.0)  # sees all of it
    assert buffer.link_frontiers({7: frontier}) == {7: best.id}
    assert buffer.view_for(frontier).id == best.id
    assert buffer.link_frontiers({}) == {}  # vanished frontiers are forgotten
    assert buffer.view_for(frontier_segment((-9.0, 0.0), 1.0, 0.0)) is None


def test_linked_keyframes_survive_eviction():
    buffer = KeyframeBuffer(KeyframeConfig(min_distance=0.1, capacity=3))
    view = buffer.add(image(0), Pose2D(0, 0, 0), 0.0)
    buffer.link_frontiers({1: frontier_segment((2.0, 0.0), 1.0, 0.0)})
    for k in range(1, 6):  # later frames look away from the frontier
        buffer.add(image(k), Pose2D(0.2 * k, 0, math.pi), float(k))
    assert len(buffer) == 3
    assert buffer.get(view.id) is not None and buffer.links == {1: view.id}
    assert [k.id for k in buffer.keyframes] == [0, 4, 5]


def test_frontier_views_crop_the_keyframe_towards_each_frontier():
    """Two frontiers seen in one keyframe get different crops: the left one from the left side."""
    config = KeyframeConfig(
        min_distance=0.1, hfov=math.radians(90), store_width=0, crop_fov=math.radians(45)
    )
    buffer = KeyframeBuffer(config)
    columns = np.tile(np.arange(200, dtype=np.uint8), (150, 1))  # pixel value = column
    frame = buffer.add(np.dstack([columns] * 3), Pose2D(0, 0, 0), 0.0)
    left = frontier_segment((2.0, 1.5), 0.5, facing_yaw=0.0)  # bearing +37 deg: left of centre
    right = frontier_segment((2.0, -0.4), 0.5, facing_yaw=0.0)  # bearing -11 deg
    unseen = frontier_segment((-3.0, 0.0), 0.5, facing_yaw=0.0)  # behind the camera
    views = buffer.frontier_views({1: left, 2: right, 3: unseen}, size=64)
    assert views[3] is None
    assert views[1].id == views[2].id == frame.id and views[1].pose == frame.pose
    assert views[1].image.shape == views[2].image.shape == (64, 64, 3)
    # 45 of 90 deg: the crop is a square 83 px wide (focal 100 px), clamped to the image's left
    # edge
    native = buffer.crop_towards(frame, left)
    assert native.shape == (83, 83, 3) and native[0, 0, 0] == 0
    centre = buffer.crop_towards(frame, right)[0, :, 0]
    expected_column = 100 + 100 * math.tan(math.atan2(0.4, 2.0))  # right of the image centre
    assert abs(float(centre.mean()) - expected_column) < 2.0
    assert views[1].image[..., 0].mean() < views[2].image[..., 0].mean()
    whole = KeyframeBuffer(replace(config, crop_fov=0.0))
    assert np.array_equal(whole.crop_towards(frame, left), frame.image)  # crop_fov 0: no crop


def test_links_follow_the_counts_of_every_kept_keyframe():
    """Counts are kept between calls for frontiers that did not change; the links stay those of
    counting every kept keyframe afresh (first sighting kept until a strictly better view)."""
    buffer = KeyframeBuffer(KeyframeConfig(min_distance=0.3, capacity=5, view_range=4.0))
    still = frontier_segment((3.0, 0.0), 1.0, 0.0)  # the same points in every call
    expected: dict[int, int] = {}
    for step in range(14):
        yaw = 0.6 * math.sin(step)
        buffer.add(image(step), Pose2D(0.35 * step, 0.2 * math.cos(step), yaw), float(step))
        moving = frontier_segment((0.35 * step + 2.0, 1.0), 0.6 + 0.1 * (step % 3), -1.0)
        frontiers = {7: still, 8: moving} if step % 4 else {8: moving}
        expected = {fid: kid for fid, kid in expected.items() if fid in frontiers}
        ids = [keyframe.id for keyframe in buffer.keyframes]
        for fid, points in frontiers.items():
            counts = buffer.visible_counts(points)
            if counts.max() > 0:
                best = int(counts.argmax())
                current = expected.get(fid)
                if current is None or counts[best] > counts[ids.index(current)]:
                    expected[fid] = ids[best]
        assert buffer.link_frontiers(frontiers) == expected
    assert expected  # something was linked
