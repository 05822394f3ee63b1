"""Camera extrinsics: the one type every node uses, against TF's optical convention, and the
16UC1 depth encoding RGB-D drivers publish."""

from __future__ import annotations

import math

import numpy as np
import pytest

from filmnav_common.camera import OPTICAL_QUATERNION, CameraExtrinsics
from filmnav_common.frames import compose_planar
from filmnav_common.image_codec import depth_to_metres, metres_to_depth_image
from filmnav_common.transforms import (
    Transform,
    quaternion_from_matrix,
    quaternion_from_yaw,
    rotation_matrix,
)


def test_optical_quaternion_is_the_one_robot_state_publisher_uses():
    np.testing.assert_allclose(OPTICAL_QUATERNION, [-0.5, 0.5, -0.5, 0.5])
    # optical z (forward) is the body's x, optical x (right) its -y, optical y (down) its -z
    np.testing.assert_allclose(rotation_matrix(OPTICAL_QUATERNION) @ [0, 0, 1], [1, 0, 0])
    np.testing.assert_allclose(rotation_matrix(OPTICAL_QUATERNION) @ [1, 0, 0], [0, -1, 0])
    np.testing.assert_allclose(rotation_matrix(OPTICAL_QUATERNION) @ [0, 1, 0], [0, 0, -1])


def test_extrinsics_are_read_from_a_urdf_like_chain():
    """base_link -> camera_link (0.25 m ahead, 0.88 m up, pitched 0.2 rad down) ->
    camera_color_optical_frame (1.5 cm to the left, optical axes), composed as TF does."""
    pitch = Transform((0.25, 0.0, 0.88), (0.0, math.sin(0.1), 0.0, math.cos(0.1)))
    optical = Transform((0.0, 0.015, 0.0), OPTICAL_QUATERNION)
    extrinsics = CameraExtrinsics.from_optical_transform(pitch.compose(optical))
    assert extrinsics.x == pytest.approx(0.25) and extrinsics.y == pytest.approx(0.015)
    assert extrinsics.height == pytest.approx(0.88) and extrinsics.pitch == pytest.approx(0.2)
    assert extrinsics.yaw == pytest.approx(0.0, abs=1e-12)
    assert extrinsics.roll == pytest.approx(0.0, abs=1e-12)


def test_a_pitched_camera_looks_down_at_the_floor():
    camera = CameraExtrinsics(height=1.0, pitch=math.radians(30))
    point = camera.optical_to_base([0.0, 0.0, 2.0])  # 2 m along the optical axis
    np.testing.assert_allclose(point, [2 * math.cos(math.radians(30)), 0.0, 0.0], atol=1e-12)
    right = camera.optical_to_base([1.0, 0.0, 0.0]) - camera.translation  # image x is right
    np.testing.assert_allclose(right, [0.0, -1.0, 0.0], atol=1e-12)


@pytest.mark.parametrize("seed", range(20))
def test_extrinsics_round_trip_through_tf(seed: int):
    rng = np.random.default_rng(seed)
    camera = CameraExtrinsics(
        *rng.uniform(-1, 1, 3), pitch=rng.uniform(-1.4, 1.4), yaw=rng.uniform(-3, 3), roll=0.4
    )
    back = CameraExtrinsics.from_optical_transform(camera.optical_transform())
    np.testing.assert_allclose(
        [back.x, back.y, back.height, back.pitch, back.yaw, back.roll],
        [camera.x, camera.y, camera.height, camera.pitch, camera.yaw, camera.roll],
        atol=1e-9,
    )
    np.testing.assert_allclose(
        rotation_matrix(camera.optical_transform().rotation), camera.optical_rotation(), atol=1e-12
    )


@pytest.mark.parametrize(
    "matrix",
    [
        np.eye(3),
        np.diag([1.0, -1.0, -1.0]),  # half turns: each branch of Shepperd's method
        np.diag([-1.0, 1.0, -1.0]),
        np.diag([-1.0, -1.0, 1.0]),
        CameraExtrinsics(pitch=0.3, yaw=2.9, roll=-1.0).optical_rotation(),
    ],
)
def test_quaternion_from_matrix_inverts_rotation_matrix(matrix: np.ndarray):
    quaternion = quaternion_from_matrix(matrix)
    assert quaternion[3] >= 0.0 and np.linalg.norm(quaternion) == pytest.approx(1.0)
    np.testing.assert_allclose(rotation_matrix(quaternion), matrix, atol=1e-12)


def test_compose_planar_places_an_odometry_pose_in_the_map():
    map_from_odom = Transform((2.0, -1.0, 0.0), quaternion_from_yaw(math.pi / 2))
    x, y, yaw = compose_planar(map_from_odom, (1.0, 0.0, 0.25))
    assert (x, y, yaw) == pytest.approx((2.0, 0.0, math.pi / 2 + 0.25))


def test_16uc1_depth_is_millimetres_with_zero_for_no_reading():
    metres = np.array([[1.2344, np.inf, -np.inf], [np.nan, 0.0004, 70.0]], np.float32)
    image = metres_to_depth_image(metres, "16UC1")
    assert image.encoding == "16UC1"
    back = depth_to_metres(image)
    assert back[0, 0] == pytest.approx(1.234)
    assert np.isnan(back[0, 1:]).all() and np.isnan(back[1]).all()  # 0.4 mm rounds to 0 too
    np.testing.assert_array_equal(depth_to_metres(metres_to_depth_image(metres, "32FC1")), metres)
    with pytest.raises(ValueError, match="16UC1 or 32FC1"):
        metres_to_depth_image(metres, "mono8")
