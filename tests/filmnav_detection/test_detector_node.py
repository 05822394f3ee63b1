"""The detector node in its own process: synthetic sensor streams in, detections out over DDS.
It follows the latched filmnav/active_goal (as goal_interface announces accepted goals) and
publishes what it understood each goal as on filmnav/goal_grounding."""

from __future__ import annotations

import itertools
import math

import numpy as np
import pytest
import rclpy
from builtin_interfaces.msg import Time
from detector_driver import INSTANCE_TOPIC, detector_driver
from diagnostic_msgs.msg import DiagnosticArray
from filmnav_interfaces.msg import Goal, GoalGrounding
from nav_msgs.msg import Odometry
from processes import NodeProcess, python_module, wait_until
from sensor_msgs.msg import CameraInfo
from std_msgs.msg import Header
from test_detector import CAMERA, FX, HEIGHT, WIDTH, synthetic_frame

from filmnav_common.image_codec import numpy_to_image
from filmnav_sim.house import CATEGORIES

POSE = (1.0, 2.0, math.pi / 2)
TARGET = (0.4, 4.5, 0.6)
TABLE = {  # as the bridge publishes it (the sim package is only the test's source of names)
    "goal_category": "chair",
    "goal_instance_ids": [7],
    "instances": {"7": "chair", "8": "bed"},
    "colors": {"7": "brown", "8": "white"},
    "categories": CATEGORIES,
}


@pytest.fixture(scope="module")
def graph(tmp_path_factory):
    process = NodeProcess(
        python_module("filmnav_detection.detector_node"),
        tmp_path_factory.mktemp("det") / "detector.log",
    )
    with detector_driver("detector_test_driver", process, INSTANCE_TOPIC, TABLE) as driver:
        yield driver.node, driver.publishers, driver.received, process, driver.groundings


def publish_frame(
    publishers,
    seconds: int,
    instance: np.ndarray,
    depth: np.ndarray,
    encoding: str = "16UC1",
    odom_first: bool = False,
) -> None:
    """One frame of sensor messages; the bridge sends the odometry after the images."""
    header = Header(stamp=Time(sec=seconds), frame_id="camera")
    info = CameraInfo(
        header=header,
        width=WIDTH,
        height=HEIGHT,
        k=[FX, 0.0, CAMERA.cx, 0.0, FX, CAMERA.cy, 0.0, 0.0, 1.0],
    )
    odom = Odometry(header=Header(stamp=header.stamp, frame_id="odom"))
    odom.pose.pose.position.x, odom.pose.pose.position.y = POSE[0], POSE[1]
    odom.pose.pose.orientation.z, odom.pose.pose.orientation.w = (
        math.sin(POSE[2] / 2),
        math.cos(POSE[2] / 2),
    )
    publishers["info"].publish(info)
    if odom_first:
        publishers["odom"].publish(odom)
    publishers["instance"].publish(
        numpy_to_image(
            instance.astype(np.uint16 if encoding == "16UC1" else np.uint8), encoding, header
        )
    )
    publishers["depth"].publish(numpy_to_image(depth, "32FC1", header))
    if not odom_first:
        publishers["odom"].publish(odom)


def spin_until(node, predicate, publish, timeout: float = 15.0) -> bool:
    def tick() -> bool:
        publish()
        rclpy.spin_once(node, timeout_sec=0.1)
        return predicate()

    return wait_until(tick, timeout, interval=0.0)


def grounded(groundings: list[GoalGrounding], goal_id: str) -> bool:
    """The grounding of that goal arrived (topics are not ordered with each other)."""
    return any(g.goal_id == goal_id for g in groundings)


def test_goal_seen_is_published_with_its_position(graph):
    node, publishers, received, process, groundings = graph
    instance, depth = synthetic_frame(POSE, TARGET, half_size=0.15, instance_id=7)
    publishers["goal"].publish(Goal(id="g7", task="object", text="chair"))
    stamps = itertools.count(100)  # a new stamp per frame: its odometry arrives after its images
    assert spin_until(
        node,
        lambda: any(m.detections for m in received) and grounded(groundings, "g7"),
        lambda: publish_frame(publishers, next(stamps), instance, depth),
        timeout=60.0,  # the first goal waits for the grounder: the encoder loads on the table
    ), process.output()
    message = next(m for m in received if m.detections)
    assert message.goal_id == "g7" and message.header.frame_id == "odom"
    detection = message.detections[0]
    assert detection.label == "chair" and detection.instance_id == 7
    position = (detection.position.x, detection.position.y, detection.position.z)
    np.testing.assert_allclose(position, TARGET, atol=0.02)
    grounding = next(g for g in groundings if g.goal_id == "g7")
    assert grounding.findable and list(grounding.targets) == ["chair"]
    assert grounding.message == "searching for chair" and grounding.query == "chair"


def test_other_goal_gives_empty_detections_and_bad_frames_are_skipped(graph):
    node, publishers, received, process, groundings = graph
    instance, depth = synthetic_frame(POSE, TARGET, half_size=0.15, instance_id=7)
    publishers["goal"].publish(Goal(id="g8", task="object", text="bed"))
    assert spin_until(
        node,
        lambda: any(m.goal_id == "g8" for m in received),
        lambda: publish_frame(publishers, 2, instance, depth),
    )
    assert all(not m.detections for m in received if m.goal_id == "g8")
    # A colour image on the instance topic is rejected with a warning; the node keeps going.
    publish_frame(publishers, 3, np.stack([instance] * 3, axis=-1), depth, encoding="rgb8")
    publishers["goal"].publish(Goal(id="bad", task="teleport", text="chair"))
    assert wait_until(
        lambda: (
            "skipped a frame" in process.output() and "unknown task 'teleport'" in process.output()
        ),
        10.0,
    ), process.output()
    received.clear()
    publishers["goal"].publish(Goal(id="g9", task="text", text="go find a chair"))
    assert spin_until(
        node,
        lambda: (
            any(m.goal_id == "g9" and m.detections for m in received)
            and grounded(groundings, "g9")
        ),
        lambda: publish_frame(publishers, 4, instance, depth, odom_first=True),
    ), process.output()
    grounding = next(g for g in groundings if g.goal_id == "g9")
    assert (
        grounding.findable and grounding.message == "searching for chair (from 'go find a chair')"
    )
    assert process.alive()


def test_idle_and_unknown_goals(graph):
    """An empty active goal stops the detections; a goal naming nothing the simulator has, or
    nothing in this house, is grounded as not findable (goal_interface then fails it at once)."""
    node, publishers, received, process, groundings = graph
    instance, depth = synthetic_frame(POSE, TARGET, half_size=0.15, instance_id=7)
    # One at a time, as goal_interface announces them: the latched topic keeps only the newest.
    for goal_id, text in (("g10", "unicorn"), ("g10b", "the fridge")):
        publishers["goal"].publish(Goal(id=goal_id, task="text", text=text))
        assert spin_until(
            node,
            lambda goal_id=goal_id: grounded(groundings, goal_id),
            lambda: None,
        ), process.output()
    unicorn = next(g for g in groundings if g.goal_id == "g10")
    assert not unicorn.findable and not unicorn.targets
    assert unicorn.message.startswith("goal 'unicorn' not understood: "), unicorn.message
    fridge = next(g for g in groundings if g.goal_id == "g10b")
    assert not fridge.findable and list(fridge.targets) == ["refrigerator"]
    assert fridge.message == "no refrigerator in this house (goal 'the fridge')"
    publishers["goal"].publish(Goal(id="g11", task="object", text="chair"))
    stamps = itertools.count(200)
    assert spin_until(
        node,
        lambda: any(m.goal_id == "g11" and m.detections for m in received),
        lambda: publish_frame(publishers, next(stamps), instance, depth),
    )
    reports: list[str] = []
    node.create_subscription(
        DiagnosticArray,
        "diagnostics",
        lambda msg: reports.extend(status.message for status in msg.status),
        10,
    )
    publishers["goal"].publish(Goal())  # idle
    assert spin_until(node, lambda: "sim_semantic: waiting for a goal" in reports, lambda: None), (
        reports
    )
    rclpy.spin_once(node, timeout_sec=0.1)
    received.clear()
    for _ in range(10):
        publish_frame(publishers, next(stamps), instance, depth)
        rclpy.spin_once(node, timeout_sec=0.05)
    rclpy.spin_once(node, timeout_sec=0.3)
    assert not received, [m.goal_id for m in received]
