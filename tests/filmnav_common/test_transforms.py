"""The ROS-free transform buffer against tf2's semantics: static and dynamic chains, lookups
through a common ancestor, interpolation (lerp + slerp), the latest common time, extrapolation
errors, unconnected frames, cache expiry and the transforms it refuses."""

from __future__ import annotations

import math

import numpy as np
import pytest

from filmnav_common.transforms import (
    NS_PER_S,
    ConnectivityError,
    ExtrapolationError,
    FrameLookupError,
    InvalidFrameError,
    RejectedTransformError,
    StampedTransform,
    Transform,
    TransformBuffer,
    quaternion_from_yaw,
    slerp,
    yaw_from_quaternion,
)

S = NS_PER_S
# camera_link -> camera_color_optical_frame (REP-103 optical: x right, y down, z forward).
OPTICAL_ROTATION = np.array([[0.0, 0.0, 1.0], [-1.0, 0.0, 0.0], [0.0, -1.0, 0.0]])
OPTICAL_QUATERNION = np.array([-0.5, 0.5, -0.5, 0.5])


def axis_angle_matrix(axis, angle: float) -> np.ndarray:
    """Rodrigues' formula, written out independently of the module under test."""
    x, y, z = np.asarray(axis, float) / np.linalg.norm(axis)
    k = np.array([[0.0, -z, y], [z, 0.0, -x], [-y, x, 0.0]])
    return np.eye(3) + math.sin(angle) * k + (1.0 - math.cos(angle)) * k @ k


def axis_angle_quaternion(axis, angle: float) -> np.ndarray:
    axis = np.asarray(axis, float) / np.linalg.norm(axis)
    return np.array([*(math.sin(angle / 2) * axis), math.cos(angle / 2)])


def homogeneous(rotation: np.ndarray, translation) -> np.ndarray:
    matrix = np.eye(4)
    matrix[:3, :3], matrix[:3, 3] = rotation, translation
    return matrix


def planar(x: float, y: float, yaw: float) -> Transform:
    return Transform((x, y, 0.0), quaternion_from_yaw(yaw))


def add(buffer, parent, child, stamp_ns, transform, static=False) -> None:
    buffer.set_transform(StampedTransform(parent, child, stamp_ns, transform), static=static)


def robot_buffer(**kwargs) -> TransformBuffer:
    """map -> odom -> base_link -> camera_link -> camera_color_optical_frame, the way a robot
    publishes it: the camera links static, odom -> base_link at 10 Hz from 1 s to 2 s (x = t - 1,
    yaw = (t - 1) * pi / 2), map -> odom at 1 s and 1.5 s."""
    buffer = TransformBuffer(**kwargs)
    camera = Transform((0.2, 0.0, 0.9), axis_angle_quaternion((0, 1, 0), 0.3))
    add(buffer, "base_link", "camera_link", 0, camera, static=True)
    add(
        buffer,
        "camera_link",
        "camera_color_optical_frame",
        0,
        Transform((0, 0.015, 0), OPTICAL_QUATERNION),
        static=True,
    )
    for tenth in range(10, 21):
        t = tenth / 10 - 1.0
        add(buffer, "odom", "base_link", tenth * S // 10, planar(t, 0.0, t * math.pi / 2))
    add(buffer, "map", "odom", 1 * S, planar(1.0, 2.0, 0.0))
    add(buffer, "map", "odom", 3 * S // 2, planar(1.0, 2.0, 0.1))
    return buffer


def test_transform_algebra_matches_matrices() -> None:
    rotation = axis_angle_quaternion((1, 2, 3), 0.7)
    a = Transform((1.0, -2.0, 0.5), rotation)
    b = Transform((0.3, 0.1, -0.2), axis_angle_quaternion((0, 0, 1), -1.1))
    expected_a = homogeneous(axis_angle_matrix((1, 2, 3), 0.7), (1.0, -2.0, 0.5))
    np.testing.assert_allclose(a.to_matrix(), expected_a, atol=1e-12)
    np.testing.assert_allclose(a.compose(b).to_matrix(), a.to_matrix() @ b.to_matrix(), atol=1e-12)
    np.testing.assert_allclose(a.inverse().to_matrix(), np.linalg.inv(a.to_matrix()), atol=1e-12)
    points = np.random.default_rng(0).normal(size=(5, 3))
    expected = (a.to_matrix() @ np.c_[points, np.ones(5)].T).T[:, :3]
    np.testing.assert_allclose(a.apply(points), expected, atol=1e-12)
    np.testing.assert_allclose(a.apply(points[0]), expected[0], atol=1e-12)
    assert not a.translation.flags.writeable and not a.rotation.flags.writeable


def test_transform_validates_rotation() -> None:
    nearly_unit = Transform((0, 0, 0), (0.0, 0.0, 0.0, 1.004))
    np.testing.assert_allclose(nearly_unit.rotation, [0, 0, 0, 1])
    with pytest.raises(ValueError, match="not a unit quaternion"):
        Transform((0, 0, 0), (0.0, 0.0, 0.0, 2.0))
    with pytest.raises(ValueError, match="non-finite"):
        Transform((math.nan, 0, 0), (0, 0, 0, 1))


def test_yaw_helpers() -> None:
    for yaw in (-3.0, -0.5, 0.0, 1.2, math.pi):
        assert yaw_from_quaternion(quaternion_from_yaw(yaw)) == pytest.approx(yaw)
    # Heading of a rotation with pitch: the direction the x axis points to in the xy plane.
    tilted = Transform(rotation=axis_angle_quaternion((0, 0, 1), 0.8)).compose(
        Transform(rotation=axis_angle_quaternion((0, 1, 0), 0.4))
    )
    assert tilted.yaw == pytest.approx(0.8)


def test_static_chain_holds_at_every_time() -> None:
    buffer = robot_buffer()
    expected = homogeneous(axis_angle_matrix((0, 1, 0), 0.3), (0.2, 0.0, 0.9)) @ homogeneous(
        OPTICAL_ROTATION, (0, 0.015, 0)
    )
    for time_ns in (None, 0, 1, 123 * S):
        result = buffer.lookup("base_link", "camera_color_optical_frame", time_ns)
        assert (result.frame_id, result.child_frame_id) == (
            "base_link",
            "camera_color_optical_frame",
        )
        np.testing.assert_allclose(result.transform.to_matrix(), expected, atol=1e-12)
    assert buffer.lookup("base_link", "camera_color_optical_frame").stamp_ns == 0  # all static
    inverse = buffer.lookup("camera_color_optical_frame", "base_link", 5 * S)
    np.testing.assert_allclose(inverse.transform.to_matrix(), np.linalg.inv(expected), atol=1e-12)
    # The optical frame's z axis is the camera's forward (pitched down by 0.3 rad about y).
    forward = result.transform.apply([0.0, 0.0, 1.0]) - result.transform.translation
    np.testing.assert_allclose(forward, [math.cos(0.3), 0.0, -math.sin(0.3)], atol=1e-12)


def test_interpolation_midpoint_and_quarter() -> None:
    buffer = TransformBuffer()
    add(buffer, "odom", "base_link", 1 * S, planar(0.0, 0.0, 0.0))
    add(
        buffer,
        "odom",
        "base_link",
        2 * S,
        Transform((2.0, 1.0, -0.4), quaternion_from_yaw(math.pi / 2)),
    )
    middle = buffer.lookup("odom", "base_link", 3 * S // 2)
    np.testing.assert_allclose(middle.transform.translation, [1.0, 0.5, -0.2])
    assert middle.transform.yaw == pytest.approx(math.pi / 4)
    assert middle.stamp_ns == 3 * S // 2
    quarter = buffer.lookup("odom", "base_link", 5 * S // 4)
    np.testing.assert_allclose(quarter.transform.translation, [0.5, 0.25, -0.1])
    np.testing.assert_allclose(
        quarter.transform.to_matrix()[:3, :3],
        axis_angle_matrix((0, 0, 1), math.pi / 8),
        atol=1e-12,
    )
    # Exactly on a sample: that sample.
    assert buffer.lookup("odom", "base_link", 2 * S).transform.yaw == pytest.approx(math.pi / 2)


def test_slerp_matches_rotation_computed_by_hand() -> None:
    """From identity to 120 deg about (1, 1, 0): a quarter of the way is 30 deg about the same
    axis. The second sample given as -q (the same rotation) must not send it the long way."""
    axis = (1.0, 1.0, 0.0)
    end = axis_angle_quaternion(axis, math.radians(120))
    for q1 in (end, -end):
        buffer = TransformBuffer()
        add(buffer, "a", "b", 0, Transform())
        add(buffer, "a", "b", 4 * S, Transform(rotation=q1))
        result = buffer.lookup("a", "b", S).transform.to_matrix()[:3, :3]
        np.testing.assert_allclose(result, axis_angle_matrix(axis, math.radians(30)), atol=1e-12)
    nearly_same = slerp(np.array([0, 0, 0, 1.0]), axis_angle_quaternion(axis, 1e-4), 0.5)
    np.testing.assert_allclose(nearly_same, axis_angle_quaternion(axis, 5e-5), atol=1e-12)


def test_dynamic_chain_composes_through_the_common_ancestor() -> None:
    """camera -> map and map -> camera, and between two branches of one tree (a landmark under
    map and the camera under odom), at an interpolated time."""
    buffer = robot_buffer()
    add(buffer, "map", "landmark", 0, planar(5.0, 1.0, 0.5), static=True)
    time_ns = 1_250_000_000  # x = 0.25, yaw = pi / 8, map -> odom yaw 0.05
    map_base = planar(1.0, 2.0, 0.05).to_matrix() @ planar(0.25, 0.0, math.pi / 8).to_matrix()
    base_camera = buffer.lookup("base_link", "camera_color_optical_frame").transform.to_matrix()
    map_camera = buffer.lookup("map", "camera_color_optical_frame", time_ns)
    np.testing.assert_allclose(
        map_camera.transform.to_matrix(), map_base @ base_camera, atol=1e-12
    )
    camera_landmark = buffer.lookup("camera_color_optical_frame", "landmark", time_ns)
    expected = np.linalg.inv(map_base @ base_camera) @ planar(5.0, 1.0, 0.5).to_matrix()
    np.testing.assert_allclose(camera_landmark.transform.to_matrix(), expected, atol=1e-12)
    identity = buffer.lookup("odom", "odom")
    np.testing.assert_allclose(identity.transform.to_matrix(), np.eye(4))


def test_latest_common_time() -> None:
    """odom -> base_link runs to 2 s, map -> odom only to 1.5 s: the latest lookup of map ->
    base_link is at 1.5 s; static links do not limit it; odom -> base_link alone is at 2 s."""
    buffer = robot_buffer()
    latest = buffer.lookup("map", "base_link")
    assert latest.stamp_ns == 3 * S // 2
    expected = planar(1.0, 2.0, 0.1).to_matrix() @ planar(0.5, 0.0, math.pi / 4).to_matrix()
    np.testing.assert_allclose(latest.transform.to_matrix(), expected, atol=1e-12)
    assert buffer.lookup("map", "camera_color_optical_frame", 0).stamp_ns == 3 * S // 2
    assert buffer.lookup("odom", "camera_link").stamp_ns == 2 * S
    assert buffer.lookup("base_link", "base_link").stamp_ns == 2 * S  # as tf2: the frame's latest


def test_extrapolation_errors_both_sides_and_tolerance() -> None:
    buffer = robot_buffer()
    with pytest.raises(ExtrapolationError, match="into the future.*latest data is at time 2.0"):
        buffer.lookup("odom", "base_link", 2 * S + 1)
    with pytest.raises(ExtrapolationError, match="into the past.*earliest data is at time 1.0"):
        buffer.lookup("odom", "camera_link", S - 1)
    with pytest.raises(ExtrapolationError, match=r"from frame \[base_link\] to frame \[map\]"):
        buffer.lookup("map", "base_link", 1_600_000_000)  # map -> odom ends at 1.5 s
    single = TransformBuffer()
    add(single, "a", "b", 5 * S, Transform())
    single.lookup("a", "b", 5 * S)
    with pytest.raises(ExtrapolationError, match="but only time 5.0+ is in the buffer"):
        single.lookup("a", "b", 5 * S + 1)
    assert not buffer.can_transform("odom", "base_link", 3 * S)

    tolerant = robot_buffer(tolerance_ns=10_000_000)
    newest = tolerant.lookup("odom", "base_link", 2 * S + 10_000_000)
    assert newest.transform.yaw == pytest.approx(math.pi / 2)
    assert newest.stamp_ns == 2 * S + 10_000_000
    with pytest.raises(ExtrapolationError):
        tolerant.lookup("odom", "base_link", 2 * S + 10_000_001)
    assert tolerant.lookup("odom", "base_link", S - 10_000_000).transform.yaw == pytest.approx(0)


def test_unknown_unconnected_and_invalid_frames() -> None:
    buffer = robot_buffer()
    add(buffer, "world", "other_robot", 0, Transform(), static=True)
    with pytest.raises(ConnectivityError, match="not part of the same tree") as error:
        buffer.lookup("map", "other_robot")
    assert isinstance(error.value, LookupError)
    with pytest.raises(FrameLookupError, match='"nowhere" passed to .* does not exist') as error:
        buffer.lookup("map", "nowhere")
    assert "camera_color_optical_frame" in str(error.value)  # names the known frames
    with pytest.raises(InvalidFrameError, match="cannot start with a '/'"):
        buffer.lookup("/map", "base_link")
    with pytest.raises(InvalidFrameError, match="cannot be empty"):
        buffer.lookup("map", "")
    with pytest.raises(TypeError):
        buffer.lookup("map", "base_link", 1.5)  # seconds as a float: a unit error
    assert not buffer.can_transform("map", "other_robot")
    assert buffer.can_transform("map", "base_link")


def test_cache_expiry() -> None:
    buffer = TransformBuffer(cache_time_ns=10 * S)
    for second in range(16):
        add(buffer, "odom", "base_link", second * S, planar(second, 0.0, 0.0))
    with pytest.raises(ExtrapolationError, match="earliest data is at time 5.0"):
        buffer.lookup("odom", "base_link", 4 * S)
    assert buffer.lookup("odom", "base_link", 5 * S).transform.translation[0] == 5.0
    with pytest.raises(RejectedTransformError, match="TF_OLD_DATA"):
        add(buffer, "odom", "base_link", 4 * S, planar(0.0, 0.0, 0.0))
    add(buffer, "odom", "base_link", 11 * S // 2, planar(9.0, 0.0, 0.0))  # late, in the cache
    assert buffer.lookup("odom", "base_link", 11 * S // 2).transform.translation[0] == 9.0
    add(buffer, "odom", "base_link", 11 * S // 2, planar(7.0, 0.0, 0.0))  # same stamp: replaces
    assert buffer.lookup("odom", "base_link", 11 * S // 2).transform.translation[0] == 7.0


def test_refused_transforms_leave_the_buffer_unchanged() -> None:
    buffer = robot_buffer()
    with pytest.raises(RejectedTransformError, match="already has parent"):
        add(buffer, "map", "base_link", 2 * S, Transform())
    with pytest.raises(RejectedTransformError, match="close a loop"):
        add(buffer, "camera_color_optical_frame", "map", 2 * S, Transform())
    with pytest.raises(RejectedTransformError, match="TF_SELF_TRANSFORM"):
        add(buffer, "odom", "odom", 2 * S, Transform())
    with pytest.raises(RejectedTransformError, match="must not be empty"):
        add(buffer, "", "odom", 2 * S, Transform())
    assert buffer.frames() == {
        "camera_link": "base_link",
        "camera_color_optical_frame": "camera_link",
        "base_link": "odom",
        "odom": "map",
    }
    add(buffer, "/map", "/odom", 2 * S, Transform())  # leading slashes dropped, as tf2
    assert buffer.lookup("map", "odom", 2 * S).stamp_ns == 2 * S


def test_static_replaces_and_clear_keeps_static() -> None:
    buffer = robot_buffer()
    add(buffer, "base_link", "camera_link", 0, Transform((0.3, 0, 1.0)), static=True)
    np.testing.assert_allclose(
        buffer.lookup("base_link", "camera_link").transform.translation, [0.3, 0, 1.0]
    )
    buffer.clear()
    assert buffer.frames() == {
        "camera_link": "base_link",
        "camera_color_optical_frame": "camera_link",
    }
    assert buffer.can_transform("base_link", "camera_color_optical_frame")
    add(buffer, "odom", "base_link", 50 * S, Transform())  # time went back: accepted after clear
    assert buffer.lookup("odom", "camera_link").stamp_ns == 50 * S
