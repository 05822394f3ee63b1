"""Message helpers of the bridge: stamps, planar poses, camera_info."""

from __future__ import annotations

import math

import numpy as np
import pytest
from geometry_msgs.msg import Quaternion
from std_msgs.msg import Header

from filmnav_common.geometry import quaternion_from_yaw
from filmnav_sim.config import SimConfig
from habitat_bridge import ros_messages


@pytest.mark.parametrize(
    ("seconds", "sec", "nanosec"),
    [(0.0, 0, 0), (12.25, 12, 250_000_000), (2.9999999999, 3, 0), (0.6e-9, 0, 1)],
)
def test_seconds_to_time_rounds_into_valid_stamps(seconds: float, sec: int, nanosec: int) -> None:
    stamp = ros_messages.seconds_to_time(seconds)
    assert (stamp.sec, stamp.nanosec) == (sec, nanosec)


@pytest.mark.parametrize("yaw", [0.0, 0.7, -2.5, math.pi - 1e-6])
def test_yaw_round_trips_through_a_quaternion(yaw: float) -> None:
    assert ros_messages.quaternion_to_yaw(quaternion_from_yaw(yaw)) == pytest.approx(yaw)


def test_an_all_zero_quaternion_sets_no_orientation() -> None:
    assert ros_messages.quaternion_to_yaw(Quaternion(x=0.0, y=0.0, z=0.0, w=0.0)) is None


def test_camera_info_is_an_ideal_pinhole() -> None:
    config = SimConfig(width=160, height=120)
    info = ros_messages.camera_info(config.intrinsics(), 160, 120, Header(frame_id="camera"))
    k = np.reshape(info.k, (3, 3))
    p = np.reshape(info.p, (3, 4))
    np.testing.assert_allclose(p[:, :3], k)
    assert 2 * math.degrees(math.atan(80 / k[0, 0])) == pytest.approx(79.0)
    assert (info.width, info.height, info.header.frame_id) == (160, 120, "camera")
    assert not any(info.d)
