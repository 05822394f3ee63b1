"""The test side of a detector node: a driver node that publishes the sensor streams, the goal
and (in simulation) the instance table, and collects what the detector publishes."""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

import rclpy
from filmnav_interfaces.msg import DetectionArray, Goal, GoalGrounding
from nav_msgs.msg import Odometry
from processes import NodeProcess, wait_until
from rclpy.node import Node
from sensor_msgs.msg import CameraInfo, Image
from std_msgs.msg import String

from filmnav_common.qos import LATCHED_QOS, RELIABLE_QOS, SENSOR_QOS

INSTANCE_TOPIC = "camera/instance/image_raw"  # the sim_semantic backend's evidence
COLOR_TOPIC = "camera/color/image_raw"  # OWLv2's


@dataclass
class DetectorDriver:
    node: Node
    publishers: dict[str, object]
    received: list[DetectionArray] = field(default_factory=list)
    groundings: list[GoalGrounding] = field(default_factory=list)


@contextmanager
def detector_driver(
    name: str, detector: NodeProcess, evidence_topic: str, table: dict | None = None
) -> Iterator[DetectorDriver]:
    """A connected driver (every publisher matched, the table sent) in a fresh rclpy context;
    the detector must stop cleanly afterwards."""
    rclpy.init()
    node = rclpy.create_node(name)
    evidence = "instance" if evidence_topic == INSTANCE_TOPIC else "color"
    publishers = {
        "depth": node.create_publisher(Image, "camera/depth/image_raw", SENSOR_QOS),
        evidence: node.create_publisher(Image, evidence_topic, SENSOR_QOS),
        "info": node.create_publisher(CameraInfo, "camera/color/camera_info", SENSOR_QOS),
        "odom": node.create_publisher(Odometry, "odom", RELIABLE_QOS),
        "goal": node.create_publisher(Goal, "filmnav/active_goal", LATCHED_QOS),
    }
    if table is not None:
        publishers["table"] = node.create_publisher(String, "sim/instances", LATCHED_QOS)
    driver = DetectorDriver(node, publishers)
    node.create_subscription(
        DetectionArray, "filmnav/detections", driver.received.append, RELIABLE_QOS
    )
    node.create_subscription(
        GoalGrounding, "filmnav/goal_grounding", driver.groundings.append, LATCHED_QOS
    )
    try:
        assert wait_until(
            lambda: all(p.get_subscription_count() > 0 for p in publishers.values()), 60.0
        ), detector.output()
        if table is not None:
            publishers["table"].publish(String(data=json.dumps(table)))
        yield driver
    finally:
        node.destroy_node()
        rclpy.shutdown()
    assert detector.stop() == 0, detector.output()
