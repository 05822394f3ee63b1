"""A scripted robot for the goal_interface tests (stands in for the bridge, mapper and buffer).

A point robot on a plane: serves `navigate_to_pose` (drives straight to the goal at a fixed
speed, aborts goals near the `abort_points`), publishes `odom`, a fixed `filmnav/frontiers`
set, and `filmnav/detections` of one object when it is within `detection_range` and the goal
names it; serves `filmnav/get_keyframes` (small images) and `sim/stop` (prints where it stopped).
A new goal in `filmnav/status` resets the robot to the origin, like a new episode.
"""

from __future__ import annotations

import math
import sys
import threading
import time

import numpy as np
import rclpy
from filmnav_common.image_codec import numpy_to_image
from filmnav_common.node_main import run_node
from filmnav_common.qos import LATCHED_QOS, RELIABLE_QOS
from nav2_msgs.action import NavigateToPose
from nav_msgs.msg import Odometry
from rclpy.action import ActionServer, CancelResponse, GoalResponse
from rclpy.callback_groups import ReentrantCallbackGroup
from rclpy.node import Node
from std_srvs.srv import Trigger

from filmnav_interfaces.msg import (
    Detection,
    DetectionArray,
    Frontier,
    FrontierArray,
    Keyframe,
    MissionStatus,
)
from filmnav_interfaces.srv import GetKeyframes

RATE = 20.0
SPEED = 4.0  # m/s
TURN_RATE = 8.0  # rad/s
ARRIVAL = 0.05


def yaw_of(orientation) -> float:
    return 2.0 * math.atan2(orientation.z, orientation.w)


class FakeRobot(Node):
    def __init__(self) -> None:
        super().__init__("fake_robot")
        self.declare_parameter(
            "frontiers", [2.0, 0.0, 0.0, 4.0, -6.0, 0.0]
        )  # x, y pairs; ids 1, 2, ...
        self.declare_parameter("abort_points", [2.0, 0.0])
        self.declare_parameter("object", [0.0, 6.0])
        self.declare_parameter("object_label", "chair")
        self.declare_parameter("detection_range", 2.5)
        self._lock = threading.Lock()
        self._pose = [0.0, 0.0, 0.0]
        self._goal_text = ""
        self._goal_id = ""
        self._active = 0
        group = ReentrantCallbackGroup()
        self._odom_pub = self.create_publisher(Odometry, "odom", RELIABLE_QOS)
        self._frontier_pub = self.create_publisher(
            FrontierArray, "filmnav/frontiers", RELIABLE_QOS
        )
        self._detection_pub = self.create_publisher(
            DetectionArray, "filmnav/detections", RELIABLE_QOS
        )
        self.create_subscription(
            MissionStatus, "filmnav/status", self._on_status, LATCHED_QOS, callback_group=group
        )
        self.create_service(
            GetKeyframes, "filmnav/get_keyframes", self._keyframes, callback_group=group
        )
        self.create_service(Trigger, "sim/stop", self._stop, callback_group=group)
        ActionServer(
            self,
            NavigateToPose,
            "navigate_to_pose",
            execute_callback=self._navigate,
            goal_callback=lambda _g: GoalResponse.ACCEPT,
            cancel_callback=lambda _h: CancelResponse.ACCEPT,
            callback_group=group,
        )
        self.create_timer(1.0 / RATE, self._publish, callback_group=group)

    def _on_status(self, msg: MissionStatus) -> None:
        with self._lock:
            if msg.goal_id == self._goal_id:
                return
            self._goal_id, self._goal_text = msg.goal_id, msg.goal_text
            self._pose = [0.0, 0.0, 0.0]
        print(f"RESET for goal {msg.goal_id} ('{msg.goal_text}')", flush=True)

    def _publish(self) -> None:
        with self._lock:
            x, y, yaw = self._pose
            goal_text, goal_id = self._goal_text, self._goal_id
        stamp = self.get_clock().now().to_msg()
        odom = Odometry()
        odom.header.stamp, odom.header.frame_id, odom.child_frame_id = stamp, "odom", "base_link"
        odom.pose.pose.position.x, odom.pose.pose.position.y = x, y
        odom.pose.pose.orientation.z, odom.pose.pose.orientation.w = (
            math.sin(yaw / 2),
            math.cos(yaw / 2),
        )
        self._odom_pub.publish(odom)
        frontiers = FrontierArray()
        frontiers.header.stamp, frontiers.header.frame_id = stamp, "odom"
        points = self.get_parameter("frontiers").value
        for index in range(0, len(points), 2):
            frontier = Frontier(id=index // 2 + 1, size=1.0, path_distance=-1.0, keyframe_id=-1)
            frontier.centroid.x, frontier.centroid.y = points[index], points[index + 1]
            frontier.waypoint.position.x, frontier.waypoint.position.y = (
                points[index],
                points[index + 1],
            )
            frontier.waypoint.orientation.w = 1.0
            frontiers.frontiers.append(frontier)
        self._frontier_pub.publish(frontiers)
        target = self.get_parameter("object").value
        label = self.get_parameter("object_label").value
        if (
            label in goal_text
            and math.dist((x, y), target) <= self.get_parameter("detection_range").value
        ):
            detections = DetectionArray(
                goal_id=goal_id
            )  # as the detector does: the goal it looks for
            detections.header.stamp, detections.header.frame_id = stamp, "odom"
            detection = Detection(
                label=label, score=0.9, distance=math.dist((x, y), target), instance_id=7
            )
            detection.position.x, detection.position.y, detection.position.z = (
                target[0],
                target[1],
                0.5,
            )
            detections.detections.append(detection)
            self._detection_pub.publish(detections)

    def _navigate(self, handle) -> NavigateToPose.Result:
        goal = handle.request.pose.pose
        target = (goal.position.x, goal.position.y, yaw_of(goal.orientation))
        with self._lock:
            self._active += 1
            token = self._active
        print(f"NAVIGATE to ({target[0]:.2f}, {target[1]:.2f}, {target[2]:.2f})", flush=True)
        aborts = self.get_parameter("abort_points").value
        if any(math.dist(target[:2], aborts[i : i + 2]) < 0.3 for i in range(0, len(aborts), 2)):
            time.sleep(0.2)
            handle.abort()
            print("ABORTED", flush=True)
            return NavigateToPose.Result(error_code=9000, error_msg="scripted abort")
        while rclpy.ok():
            with self._lock:
                if token != self._active:
                    handle.abort()
                    return NavigateToPose.Result(error_code=9000, error_msg="preempted")
                if handle.is_cancel_requested:
                    handle.canceled()
                    return NavigateToPose.Result()
                x, y, yaw = self._pose
                distance = math.dist((x, y), target[:2])
                if distance > ARRIVAL:
                    step = min(distance, SPEED / RATE)
                    x += step * (target[0] - x) / distance
                    y += step * (target[1] - y) / distance
                    yaw = math.atan2(target[1] - y, target[0] - x) if distance > step else yaw
                else:
                    turn = math.atan2(math.sin(target[2] - yaw), math.cos(target[2] - yaw))
                    if abs(turn) < 1e-3:
                        handle.succeed()
                        return NavigateToPose.Result()
                    yaw += max(-TURN_RATE / RATE, min(TURN_RATE / RATE, turn))
                self._pose = [x, y, yaw]
            time.sleep(1.0 / RATE)
        return NavigateToPose.Result()

    def _keyframes(
        self, request: GetKeyframes.Request, response: GetKeyframes.Response
    ) -> GetKeyframes.Response:
        side = request.image_size or 32
        image = numpy_to_image(np.full((side, side, 3), 80, np.uint8), "rgb8")
        response.success = True
        response.history = [Keyframe(id=i, image=image) for i in range(request.history_count)]
        response.frontier_views = [
            Keyframe(id=i, image=image) for i in range(len(request.frontiers))
        ]
        return response

    def _stop(self, _request: Trigger.Request, response: Trigger.Response) -> Trigger.Response:
        with self._lock:
            x, y, yaw = self._pose
        target = self.get_parameter("object").value
        print(
            f"STOP at ({x:.2f}, {y:.2f}, {yaw:.2f}) distance {math.dist((x, y), target):.2f}",
            flush=True,
        )
        response.success = True
        return response


def main() -> int:
    return run_node(FakeRobot, threads=4)


if __name__ == "__main__":
    sys.exit(main())
