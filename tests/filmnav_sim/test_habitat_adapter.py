import math
import os

import numpy as np
import pytest

from filmnav_sim import habitat_adapter as ha


def test_frame_conversion_round_trips_and_keeps_z_up():
    points = np.array([[1.0, 2.0, 3.0], [-0.5, 0.88, 4.0]])
    world = ha.habitat_to_world(points)
    assert np.allclose(ha.world_to_habitat(world), points)
    assert np.allclose(world[:, 2], points[:, 1])  # habitat's up (y) is the world's z


@pytest.mark.parametrize("yaw", [0.0, 0.7, math.pi / 2, -2.5])
def test_yaw_matches_habitat_forward_axis(yaw):
    w, x, y, z = ha.yaw_to_habitat_quaternion(yaw)
    assert ha.habitat_quaternion_to_yaw(w, x, y, z) == pytest.approx(yaw)
    # Habitat's agent looks along -z rotated about +y: that direction is the world heading yaw.
    forward_h = np.array([-math.sin(yaw), 0.0, -math.cos(yaw)])
    assert np.allclose(ha.habitat_to_world(forward_h), [math.cos(yaw), math.sin(yaw), 0.0])


def test_habitat_backend_observes_a_scene(small_config):
    if not ha.habitat_available():
        pytest.skip(
            "habitat_sim is not installed here (no wheel for this Python); "
            "the adapter runs where it is"
        )
    scene = os.environ.get("FILMNAV_HABITAT_SCENE")
    if not scene:
        pytest.skip(
            "set FILMNAV_HABITAT_SCENE to an HM3D scene (.glb) to test the habitat-sim backend"
        )
    env = ha.HabitatSimEnv(small_config, [scene])
    env.load_scene(scene)
    x, y = env.house.nav.navigable_points()[0]
    obs = env.set_pose(x, y, 0.5)
    assert obs.rgb.shape == (small_config.height, small_config.width, 3)
    assert obs.pose[:2] == pytest.approx((x, y), abs=0.1) and obs.pose[2] == pytest.approx(
        0.5, abs=1e-3
    )
    assert env.step("turn_left").pose[2] == pytest.approx(
        0.5 + math.radians(small_config.turn_deg), abs=1e-3
    )
    env.close()
