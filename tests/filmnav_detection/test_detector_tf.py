"""The detector on a robot's TF: the camera's mounting from /tf_static and detections in
`map_frame` through a localizer's map -> odom, both published by another process; 50 Hz
odometry around each frame, as robots publish it."""

from __future__ import annotations

import itertools
import math
import sys

import numpy as np
import pytest
import rclpy
from detector_driver import INSTANCE_TOPIC, detector_driver
from filmnav_interfaces.msg import Goal
from nav_msgs.msg import Odometry
from processes import REPO_ROOT, NodeProcess, python_module, wait_until
from robot_tf import CAMERA, MAP_FROM_ODOM, OPTICAL_FRAME
from sensor_msgs.msg import CameraInfo
from std_msgs.msg import Header

from filmnav_common.frames import compose_planar
from filmnav_common.geometry import planar_pose
from filmnav_common.image_codec import numpy_to_image
from filmnav_common.tf_listener import ns_to_stamp

WIDTH, HEIGHT, FX = 320, 240, 200.0
ROBOT = (1.0, 0.5, 0.3)  # base in odom
TARGET_IN_BASE = np.array([3.0, 0.6, 0.7])
TABLE = {  # as the bridge publishes it, with a one-category simulator vocabulary
    "goal_category": "chair",
    "goal_instance_ids": [7],
    "instances": {"7": "chair"},
    "categories": ["chair"],
}


def frame_of_target() -> tuple[np.ndarray, np.ndarray]:
    """Instance and depth images of a small camera-facing patch at TARGET_IN_BASE, seen through
    the TF mounting (beyond it: nothing in range)."""
    optical = CAMERA.optical_rotation().T @ (TARGET_IN_BASE - CAMERA.translation)
    col = FX * optical[0] / optical[2] + (WIDTH - 1) / 2
    row = FX * optical[1] / optical[2] + (HEIGHT - 1) / 2
    rows, cols = np.mgrid[0:HEIGHT, 0:WIDTH]
    patch = (np.abs(rows - row) <= 6) & (np.abs(cols - col) <= 6)
    depth = np.where(patch, optical[2], np.inf).astype(np.float32)
    return np.where(patch, 7, 0).astype(np.uint16), depth


@pytest.fixture(scope="module")
def graph(tmp_path_factory):
    logs = tmp_path_factory.mktemp("detector_tf")
    tf = NodeProcess([sys.executable, str(REPO_ROOT / "tests/robot_tf.py")], logs / "tf.log")
    detector = NodeProcess(
        python_module(
            "filmnav_detection.detector_node",
            "--ros-args",
            "-p",
            "map_frame:=map",
            "-p",
            "camera_tf_wait:=30.0",
        ),
        logs / "detector.log",
    )
    with detector_driver("detector_tf_driver", detector, INSTANCE_TOPIC, TABLE) as driver:
        driver.publishers["goal"].publish(Goal(id="g7", task="object", text="chair"))
        yield driver, detector
    assert tf.stop() == 0, tf.output()


def odometry(stamp_ns: int, yaw: float) -> Odometry:
    msg = Odometry(header=Header(stamp=ns_to_stamp(stamp_ns), frame_id="odom"))
    msg.child_frame_id = "base_link"
    msg.pose.pose = planar_pose(ROBOT[0], ROBOT[1], yaw)
    return msg


def test_detection_is_placed_through_tf_in_the_map_frame(graph):
    driver, detector = graph
    node, publishers, received = driver.node, driver.publishers, driver.received
    instance, depth = frame_of_target()
    ticks = itertools.count()

    def publish() -> None:
        """One frame; odometry every 20 ms around it. The robot had turned 0.2 rad 10 ms
        before the frame, so a detection placed with that sample would be off by ~0.6 m."""
        now = node.get_clock().now().nanoseconds + next(ticks)
        header = Header(stamp=ns_to_stamp(now), frame_id=OPTICAL_FRAME)
        publishers["info"].publish(
            CameraInfo(
                header=header,
                width=WIDTH,
                height=HEIGHT,
                k=[FX, 0.0, (WIDTH - 1) / 2, 0.0, FX, (HEIGHT - 1) / 2, 0.0, 0.0, 1.0],
            )
        )
        publishers["odom"].publish(odometry(now - 10_000_000, ROBOT[2] - 0.2))
        publishers["instance"].publish(numpy_to_image(instance, "16UC1", header))
        publishers["depth"].publish(numpy_to_image(depth, "32FC1", header))
        publishers["odom"].publish(odometry(now, ROBOT[2]))
        publishers["odom"].publish(odometry(now + 10_000_000, ROBOT[2]))

    def detected() -> bool:
        publish()
        rclpy.spin_once(node, timeout_sec=0.1)
        return any(m.detections for m in received)

    # The goal waits for the grounder (the sentence encoder loads when the table arrives): frames
    # go out once the goal is grounded, so the detector's image callbacks do not slow the load.
    def grounded() -> bool:
        rclpy.spin_once(node, timeout_sec=0.1)
        return bool(driver.groundings)

    assert wait_until(grounded, 120.0, interval=0.0), detector.output()
    assert wait_until(detected, 30.0, interval=0.0), detector.output()
    message = next(m for m in received if m.detections)
    assert message.header.frame_id == "map"
    x, y, yaw = compose_planar(MAP_FROM_ODOM, ROBOT)
    expected = (
        x + math.cos(yaw) * TARGET_IN_BASE[0] - math.sin(yaw) * TARGET_IN_BASE[1],
        y + math.sin(yaw) * TARGET_IN_BASE[0] + math.cos(yaw) * TARGET_IN_BASE[1],
        TARGET_IN_BASE[2],
    )
    position = message.detections[0].position
    np.testing.assert_allclose((position.x, position.y, position.z), expected, atol=0.03)
