"""goal_interface with `map_frame` set, as on a robot with a localizer: the robot pose is the
odometry placed in the map through TF map -> odom (filmnav_common.frames, as the mapper and the
detector place it), and waypoints go to the navigator in the map frame."""

from __future__ import annotations

import math
import threading

import pytest
import rclpy
from filmnav_interfaces.msg import FrontierArray, MissionStatus
from mission_graph import TIMEOUT, parameters
from nav2_msgs.action import NavigateToPose
from nav_msgs.msg import Odometry
from processes import NodeProcess, python_module, wait_until
from rclpy.action import ActionServer
from rclpy.executors import MultiThreadedExecutor
from sensor_msgs.msg import Image
from std_msgs.msg import String
from tf2_msgs.msg import TFMessage

from filmnav_common.geometry import planar_pose
from filmnav_common.qos import LATCHED_QOS, RELIABLE_QOS, SENSOR_QOS
from filmnav_common.tf_listener import TF_QOS, TF_TOPIC, transform_to_msg
from filmnav_common.transforms import StampedTransform, Transform, quaternion_from_yaw

MAP_FROM_ODOM = (5.0, 1.0, math.pi / 2)  # where the localizer puts the odometry frame
ODOM_POSE = (1.0, 0.0, 0.0)  # the robot in the odometry frame: (5, 2), facing +y, in the map


class LocalizedRobot:
    """Odometry, TF map -> odom, images (only their arrival matters) and an empty frontier set
    at 10 Hz; a navigate_to_pose server that records the goals and succeeds."""

    def __init__(self) -> None:
        self.node = rclpy.create_node("localized_robot")
        self.goals: list = []
        self.statuses: list[MissionStatus] = []
        self._odom = self.node.create_publisher(Odometry, "odom", RELIABLE_QOS)
        self._tf = self.node.create_publisher(TFMessage, TF_TOPIC, TF_QOS)
        self._images = [
            self.node.create_publisher(Image, f"camera/{name}/image_raw", SENSOR_QOS)
            for name in ("color", "depth")
        ]
        self._frontiers = self.node.create_publisher(
            FrontierArray, "filmnav/frontiers", RELIABLE_QOS
        )
        self.goal_text = self.node.create_publisher(String, "filmnav/goal_text", RELIABLE_QOS)
        self.node.create_subscription(
            MissionStatus, "filmnav/status", self.statuses.append, LATCHED_QOS
        )
        ActionServer(self.node, NavigateToPose, "navigate_to_pose", self._navigate)
        self.node.create_timer(0.1, self._publish)
        self._executor = MultiThreadedExecutor()
        self._executor.add_node(self.node)
        threading.Thread(target=self._executor.spin, daemon=True).start()

    def _navigate(self, goal_handle) -> NavigateToPose.Result:
        self.goals.append(goal_handle.request.pose)
        goal_handle.succeed()
        return NavigateToPose.Result()

    def _publish(self) -> None:
        stamp = self.node.get_clock().now()
        x, y, yaw = MAP_FROM_ODOM
        link = StampedTransform(
            "map", "odom", stamp.nanoseconds, Transform((x, y, 0.0), quaternion_from_yaw(yaw))
        )
        self._tf.publish(TFMessage(transforms=[transform_to_msg(link)]))
        odom = Odometry()
        odom.header.stamp, odom.header.frame_id = stamp.to_msg(), "odom"
        odom.child_frame_id, odom.pose.pose = "base_link", planar_pose(*ODOM_POSE)
        self._odom.publish(odom)
        for publisher in self._images:
            publisher.publish(Image(header=odom.header, height=1, width=1, encoding="mono8"))
        frontiers = FrontierArray()
        frontiers.header.stamp, frontiers.header.frame_id = stamp.to_msg(), "map"
        self._frontiers.publish(frontiers)

    def close(self) -> None:
        self._executor.shutdown()
        self.node.destroy_node()


@pytest.fixture(scope="module")
def robot(tmp_path_factory):
    node = NodeProcess(
        python_module(
            "goal_interface.goal_interface_node",
            "--ros-args",
            *parameters(
                map_frame="map",
                navigator="action_client",
                look_around_turns=1,
                look_around_angle=math.pi / 2,
                tick_rate=20.0,
            ),
        ),
        tmp_path_factory.mktemp("map_frame") / "goal_interface.log",
    )
    rclpy.init()
    robot = LocalizedRobot()
    try:
        assert wait_until(lambda: robot.goal_text.get_subscription_count() > 0, TIMEOUT)
        yield robot, node
    finally:
        robot.close()
        code = node.stop()
        rclpy.shutdown()
    assert code == 0, node.output()[-3000:]


def test_waypoints_and_status_are_in_the_map_frame(robot):
    robot, node = robot
    robot.goal_text.publish(String(data="find a chair"))
    # No frontier: the robot looks around, a turn in place sent as a waypoint at its pose.
    assert wait_until(lambda: robot.goals, TIMEOUT), node.output()[-3000:]
    waypoint = robot.goals[0]
    assert waypoint.header.frame_id == "map"
    assert (waypoint.pose.position.x, waypoint.pose.position.y) == pytest.approx((5.0, 2.0))
    yaw = 2 * math.atan2(waypoint.pose.orientation.z, waypoint.pose.orientation.w)
    assert math.cos(yaw - (math.pi / 2 + math.pi / 2)) == pytest.approx(1.0)  # facing +y, +90
    assert any(s.header.frame_id == "map" and s.goal_id for s in robot.statuses)
