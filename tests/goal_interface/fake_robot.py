"""A scripted robot for the goal_interface tests (stands in for the simulator bridge and, unless
the real nodes run, for the mapper and the trajectory buffer).

A point robot on a plane: serves `navigate_to_pose` (drives straight to the goal at `speed`,
aborts goals near the `abort_points`), publishes `odom`, `clock` (sim time that advances only
while the robot moves, as the bridge's), a fixed `filmnav/frontiers` set, and at 10 Hz a small
colour image, a depth image and an instance image (16UC1 ids, as the bridge's) of its `objects`
(camera-facing squares) with their camera_info, for the real detector and mapper; the latched
`sim/instances` table names the objects and, as the bridge's, every category the simulator
knows. Serves `filmnav/get_keyframes` (small images; unless `serve_keyframes` is false, where
the real buffer runs) and `sim/stop` (prints where it stopped).
A new goal in `filmnav/status` resets the robot to the origin, like a new episode.

Faults, set at run time on `fake_robot/fault` (std_msgs/String; empty: none):
`camera_off` (no images), `odom_off` (no odometry), `stall` (goals accepted, the robot never
moves and they never end), `refuse` (goals rejected), `server_down` (no navigate_to_pose server),
`odom_jitter` (odometry at 50 Hz, stamps with 10 ms Gaussian jitter), `slow_stop` (a STOP is
answered SLOW_STOP seconds late, as by a robot slow to stand still). The fault in force is
echoed, latched, on `fake_robot/fault_state`, so a test knows when it took effect.
"""

from __future__ import annotations

import json
import math
import random
import sys
import threading
import time

import numpy as np
import rclpy
from builtin_interfaces.msg import Time
from filmnav_interfaces.msg import Frontier, FrontierArray, Keyframe, MissionStatus
from filmnav_interfaces.srv import GetKeyframes, StopGoal
from nav2_msgs.action import NavigateToPose
from nav_msgs.msg import Odometry
from rclpy.action import ActionServer, CancelResponse, GoalResponse
from rclpy.callback_groups import MutuallyExclusiveCallbackGroup, ReentrantCallbackGroup
from rclpy.node import Node
from rosgraph_msgs.msg import Clock
from sensor_msgs.msg import CameraInfo, Image
from std_msgs.msg import Header, String

from filmnav_common.image_codec import numpy_to_image
from filmnav_common.node_main import run_node
from filmnav_common.qos import LATCHED_QOS, RELIABLE_QOS, SENSOR_QOS
from filmnav_sim.house import CATEGORIES

RATE = 20.0  # motion, odometry, clock and frontiers, Hz
CAMERA_EVERY = 2  # images at RATE / CAMERA_EVERY
JITTER_RATE, JITTER = 50.0, 0.010  # odom_jitter: odometry rate, Hz, and stamp jitter (sigma), s
TURN_RATE = 8.0  # rad/s
ARRIVAL = 0.05
SLOW_STOP = 1.5  # seconds the `slow_stop` fault delays the answer to a STOP
WIDTH, HEIGHT, HFOV, CAMERA_HEIGHT = 80, 60, math.radians(79.0), 0.88
FX = (WIDTH / 2) / math.tan(HFOV / 2)
CX, CY = (WIDTH - 1) / 2, (HEIGHT - 1) / 2
ROWS, COLS = np.mgrid[0:HEIGHT, 0:WIDTH]


def yaw_of(orientation) -> float:
    return 2.0 * math.atan2(orientation.z, orientation.w)


def stamp_of(seconds: float) -> Time:
    return Time(sec=int(seconds), nanosec=int((seconds % 1.0) * 1e9))


def render(pose, objects) -> tuple[np.ndarray, np.ndarray]:
    """Instance ids and depth (metres, +inf where nothing is within range) of camera-facing
    squares (id, x, y, z, half side) seen from `pose`; the nearest wins."""
    x, y, yaw = pose
    instance = np.zeros((HEIGHT, WIDTH), np.uint16)
    depth = np.full((HEIGHT, WIDTH), np.inf, np.float32)
    for instance_id, ox, oy, oz, half in objects:
        dx, dy = ox - x, oy - y
        forward = math.cos(yaw) * dx + math.sin(yaw) * dy
        if forward < 0.2:
            continue
        left = -math.sin(yaw) * dx + math.cos(yaw) * dy
        col, row = CX - FX * left / forward, CY - FX * (oz - CAMERA_HEIGHT) / forward
        radius = FX * half / forward
        patch = (np.abs(ROWS - row) <= radius) & (np.abs(COLS - col) <= radius) & (depth > forward)
        depth[patch], instance[patch] = forward, instance_id
    return instance, depth


class FakeRobot(Node):
    def __init__(self) -> None:
        super().__init__("fake_robot")
        self.declare_parameter("frontiers", [2.0, 0.0, 0.0, 4.0, -6.0, 0.0])  # x, y; ids 1, 2..
        self.declare_parameter("abort_points", [2.0, 0.0])
        # "id:label:x:y:z:half side" of each object
        self.declare_parameter(
            "objects",
            [
                "7:chair:0.0:6.0:0.5:0.3",
                "8:bed:30.0:30.0:0.5:0.5",
                "9:potted plant:-30.0:30.0:0.5:0.3",
            ],
        )
        self.declare_parameter("speed", 4.0)
        self.declare_parameter("serve_keyframes", True)
        self._lock = threading.Lock()
        self._pose = [0.0, 0.0, 0.0]
        self._sim_time = 0.0
        self._goal_id = ""
        self._active = 0
        self._fault = ""
        self._last_jittered = 0.0
        self._ticks = 0
        self._objects = []
        table = {}
        for entry in self.get_parameter("objects").value:
            instance_id, label, *numbers = entry.split(":")
            self._objects.append((int(instance_id), *(float(n) for n in numbers)))
            table[instance_id] = label
        group = ReentrantCallbackGroup()
        self._group = group
        self._odom_pub = self.create_publisher(Odometry, "odom", RELIABLE_QOS)
        self._clock_pub = self.create_publisher(Clock, "clock", RELIABLE_QOS)
        self._frontier_pub = self.create_publisher(
            FrontierArray, "filmnav/frontiers", RELIABLE_QOS
        )
        self._image_pubs = {
            name: self.create_publisher(Image, f"camera/{name}/image_raw", SENSOR_QOS)
            for name in ("color", "depth", "instance")
        }
        self._info_pubs = [
            self.create_publisher(CameraInfo, f"camera/{name}/camera_info", SENSOR_QOS)
            for name in ("color", "depth")
        ]
        self._instances_pub = self.create_publisher(String, "sim/instances", LATCHED_QOS)
        self._instances_pub.publish(
            String(data=json.dumps({"instances": table, "categories": CATEGORIES}))
        )
        self.create_subscription(
            MissionStatus, "filmnav/status", self._on_status, LATCHED_QOS, callback_group=group
        )
        self._fault_state_pub = self.create_publisher(
            String, "fake_robot/fault_state", LATCHED_QOS
        )
        self._fault_state_pub.publish(String(data=""))
        self.create_subscription(
            String, "fake_robot/fault", self._on_fault, RELIABLE_QOS, callback_group=group
        )
        if self.get_parameter("serve_keyframes").value:
            self.create_service(
                GetKeyframes, "filmnav/get_keyframes", self._keyframes, callback_group=group
            )
        self.create_service(StopGoal, "sim/stop", self._stop, callback_group=group)
        self._server = self._navigation_server()
        sensors = MutuallyExclusiveCallbackGroup()  # one stream of stamps, in order
        self.create_timer(1.0 / RATE, self._publish, callback_group=sensors)
        self.create_timer(1.0 / JITTER_RATE, self._publish_jittered_odom, callback_group=sensors)

    def _navigation_server(self) -> ActionServer:
        return ActionServer(
            self,
            NavigateToPose,
            "navigate_to_pose",
            execute_callback=self._navigate,
            goal_callback=lambda _g: (
                GoalResponse.REJECT if self._fault == "refuse" else GoalResponse.ACCEPT
            ),
            cancel_callback=lambda _h: CancelResponse.ACCEPT,
            callback_group=self._group,
        )

    def _on_fault(self, msg: String) -> None:
        with self._lock:
            self._fault = msg.data
            if msg.data == "server_down" and self._server is not None:
                self._server.destroy()
                self._server = None
            elif msg.data != "server_down" and self._server is None:
                self._server = self._navigation_server()
            self._fault_state_pub.publish(msg)
        print(f"FAULT '{msg.data}'", flush=True)

    def _on_status(self, msg: MissionStatus) -> None:
        with self._lock:
            if msg.goal_id == self._goal_id:
                return
            self._goal_id = msg.goal_id
            self._pose = [0.0, 0.0, 0.0]
        print(f"RESET for goal {msg.goal_id} ('{msg.goal_text}')", flush=True)

    def _odometry(self, stamp: Time, pose) -> Odometry:
        x, y, yaw = pose
        odom = Odometry()
        odom.header.stamp, odom.header.frame_id, odom.child_frame_id = stamp, "odom", "base_link"
        odom.pose.pose.position.x, odom.pose.pose.position.y = x, y
        odom.pose.pose.orientation.z = math.sin(yaw / 2)
        odom.pose.pose.orientation.w = math.cos(yaw / 2)
        return odom

    def _publish(self) -> None:
        with self._lock:
            pose, fault, sim_time = tuple(self._pose), self._fault, self._sim_time
        now = time.time()
        stamp = stamp_of(now)
        self._clock_pub.publish(Clock(clock=stamp_of(sim_time)))
        self._ticks += 1
        if fault != "camera_off" and self._ticks % CAMERA_EVERY == 0:
            header = Header(stamp=stamp, frame_id="camera")
            info = CameraInfo(
                header=header,
                width=WIDTH,
                height=HEIGHT,
                k=[FX, 0.0, CX, 0.0, FX, CY, 0.0, 0.0, 1.0],
            )
            for publisher in self._info_pubs:
                publisher.publish(info)
            instance, depth = render(pose, self._objects)
            color = np.where(instance[..., None] > 0, 200, 90).astype(np.uint8).repeat(3, axis=2)
            self._image_pubs["color"].publish(numpy_to_image(color, "rgb8", header))
            self._image_pubs["depth"].publish(numpy_to_image(depth, "32FC1", header))
            self._image_pubs["instance"].publish(numpy_to_image(instance, "16UC1", header))
        if fault not in ("odom_off", "odom_jitter"):
            self._odom_pub.publish(self._odometry(stamp, pose))
        frontiers = FrontierArray()
        frontiers.header.stamp, frontiers.header.frame_id = stamp, "odom"
        points = self.get_parameter("frontiers").value
        for index in range(0, len(points), 2):
            frontier = Frontier(id=index // 2 + 1, size=1.0, path_distance=-1.0, keyframe_id=-1)
            frontier.centroid.x, frontier.centroid.y = points[index], points[index + 1]
            frontier.waypoint.position.x = points[index]
            frontier.waypoint.position.y = points[index + 1]
            frontier.waypoint.orientation.w = 1.0
            frontiers.frontiers.append(frontier)
        self._frontier_pub.publish(frontiers)

    def _publish_jittered_odom(self) -> None:
        with self._lock:
            pose, fault = tuple(self._pose), self._fault
        if fault == "odom_jitter":
            seconds = time.time() + random.gauss(0.0, JITTER)
            if seconds < self._last_jittered:
                print(f"ODOM OUT OF ORDER by {self._last_jittered - seconds:.3f} s", flush=True)
            self._last_jittered = seconds
            self._odom_pub.publish(self._odometry(stamp_of(seconds), pose))

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
        speed = self.get_parameter("speed").value
        while rclpy.ok():
            with self._lock:
                if token != self._active:
                    handle.abort()
                    return NavigateToPose.Result(error_code=9000, error_msg="preempted")
                if handle.is_cancel_requested:
                    handle.canceled()
                    print("CANCELED", flush=True)
                    return NavigateToPose.Result()
                if self._fault != "stall":
                    if self._step(target, speed):
                        handle.succeed()
                        return NavigateToPose.Result()
                    self._sim_time += 1.0 / RATE
            time.sleep(1.0 / RATE)
        return NavigateToPose.Result()

    def _step(self, target, speed: float) -> bool:
        """One step towards the target (call with the lock); True once there."""
        x, y, yaw = self._pose
        distance = math.dist((x, y), target[:2])
        if distance > ARRIVAL:
            step = min(distance, speed / RATE)
            x += step * (target[0] - x) / distance
            y += step * (target[1] - y) / distance
            yaw = math.atan2(target[1] - y, target[0] - x) if distance > step else yaw
        else:
            turn = math.atan2(math.sin(target[2] - yaw), math.cos(target[2] - yaw))
            if abs(turn) < 1e-3:
                return True
            yaw += max(-TURN_RATE / RATE, min(TURN_RATE / RATE, turn))
        self._pose = [x, y, yaw]
        return False

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

    def _stop(self, request: StopGoal.Request, response: StopGoal.Response) -> StopGoal.Response:
        with self._lock:
            x, y, yaw = self._pose
        chair = self._objects[0]
        print(
            f"STOP at ({x:.2f}, {y:.2f}, {yaw:.2f}) distance {math.dist((x, y), chair[1:3]):.2f} "
            f"for '{request.goal_id}'",
            flush=True,
        )
        if self._fault == "slow_stop":
            time.sleep(SLOW_STOP)
        print(f"STOP answered for '{request.goal_id}'", flush=True)
        response.success = True
        return response


def main() -> int:
    return run_node(FakeRobot, threads=4)


if __name__ == "__main__":
    sys.exit(main())
