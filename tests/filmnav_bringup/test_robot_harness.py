"""The robot path against a robot-like harness: `harness.launch.yaml` (the simulated robot with a
RealSense wrapper's topics, 16UC1 millimetre depth, 50 Hz odometry with stamp jitter, TF,
wall-clock stamps, and a Nav2 stand-in serving navigate_to_pose) and `robot.launch.yaml` under
`namespace:=robot1`, wired as on a robot. One short episode: the mission finds the goal through
Nav2-style navigation, and the simulator scores the STOP a success."""

from __future__ import annotations

import json
import subprocess
import sys
import threading

import pytest
import rclpy
from filmnav_interfaces.msg import MissionStatus
from filmnav_interfaces.srv import StopGoal
from nav2_msgs.action import NavigateToPose
from processes import NodeProcess, wait_until
from rclpy.executors import SingleThreadedExecutor
from std_msgs.msg import String

from filmnav_bringup.harness import ROBOT_WIRING
from filmnav_common.qos import LATCHED_QOS, RELIABLE_QOS

SEED = 10003  # val house whose episode 0 asks for a floor lamp 3.2 m away
TIMEOUT = 90.0
FILMNAV = [
    sys.executable,
    "-c",
    "import sys; from filmnav_common.cli import main; sys.exit(main())",
]
HARNESS = [
    *FILMNAV,
    "launch",
    "filmnav_bringup",
    "harness.launch.yaml",
    f"seed:={SEED}",
    "width:=320",
    "height:=240",
]
ROBOT = [
    *FILMNAV,
    "launch",
    "filmnav_bringup",
    "robot.launch.yaml",
    *ROBOT_WIRING,
    "policy:=nearest",  # the learned policy's start-up (~25 s on a loaded CPU) is left out
]
FeedbackMessage = NavigateToPose.Impl.FeedbackMessage


class Watcher:
    """Records the mission status, the episode table and the Nav2 stand-in's feedback."""

    def __init__(self) -> None:
        self.node = rclpy.create_node("robot_harness_watcher")
        self.statuses: list[MissionStatus] = []
        self.tables: list[dict] = []
        self.feedback: list = []
        self.node.create_subscription(
            MissionStatus, "/robot1/filmnav/status", self.statuses.append, LATCHED_QOS
        )
        self.node.create_subscription(
            String, "/sim/instances", lambda m: self.tables.append(json.loads(m.data)), LATCHED_QOS
        )
        self.node.create_subscription(
            FeedbackMessage,
            "/navigate_to_pose/_action/feedback",
            lambda m: self.feedback.append(m.feedback),
            RELIABLE_QOS,
        )
        self.goal = self.node.create_publisher(String, "/robot1/filmnav/goal_text", RELIABLE_QOS)
        self.stop = self.node.create_client(StopGoal, "/sim/stop")
        self.executor = SingleThreadedExecutor()
        self.executor.add_node(self.node)
        threading.Thread(target=self.executor.spin, daemon=True).start()

    def describe(self) -> str:
        return "\n".join(f"{s.state_name}: {s.message[:200]}" for s in self.statuses[-12:])

    def close(self) -> None:
        self.executor.shutdown()
        self.node.destroy_node()


@pytest.fixture(scope="module")
def graph(tmp_path_factory):
    logs = tmp_path_factory.mktemp("robot_harness")
    rclpy.init()
    harness = NodeProcess(HARNESS, logs / "harness.log")
    robot = NodeProcess(ROBOT, logs / "robot.log")
    watcher = Watcher()
    try:
        yield harness, robot, watcher
    finally:
        watcher.close()
        codes = (robot.stop(timeout=20.0), harness.stop(timeout=20.0))
        rclpy.shutdown()
    assert codes == (0, 0), f"{robot.output()[-3000:]}\n{harness.output()[-3000:]}"


@pytest.mark.timeout(TIMEOUT + 60)
def test_robot_launch_under_a_namespace_finds_the_goal_through_the_nav2_stand_in(graph):
    harness, robot, watcher = graph

    def logs() -> str:
        return f"{watcher.describe()}\n{robot.output()[-3000:]}\n{harness.output()[-2000:]}"

    def ready() -> bool:
        idle = any(s.state == MissionStatus.IDLE for s in watcher.statuses)
        return idle and bool(watcher.tables) and watcher.goal.get_subscription_count() > 0

    assert wait_until(ready, TIMEOUT / 2, interval=0.2), logs()
    # What an integrator runs first: the robot's side checked with the launch's own arguments.
    doctor = subprocess.run(
        [*FILMNAV, "doctor", *ROBOT_WIRING, "--seconds", "2"], capture_output=True, text=True
    )
    assert doctor.returncode == 0, doctor.stdout + doctor.stderr
    assert "FAIL" not in doctor.stdout and "WARN" not in doctor.stdout, doctor.stdout
    assert "PASS  TF base_link -> camera_color_optical_frame" in doctor.stdout, doctor.stdout
    watcher.goal.publish(String(data=f"find a {watcher.tables[-1]['goal_category']}"))

    def ended() -> bool:
        return any(
            s.state in (MissionStatus.SUCCEEDED, MissionStatus.FAILED) for s in watcher.statuses
        )

    assert wait_until(ended, TIMEOUT, interval=0.2), logs()
    final = watcher.statuses[-1]
    assert final.state == MissionStatus.SUCCEEDED, logs()
    assert final.decisions >= 1 and final.distance_travelled > 1.0, final
    # Navigation went through the stand-in, which reports Nav2's feedback in its global frame.
    assert watcher.feedback, logs()
    assert {f.current_pose.header.frame_id for f in watcher.feedback} == {"odom"}
    assert any(f.distance_remaining > 0.0 for f in watcher.feedback)
    # The robot graph does not end episodes (no sim_mode): STOP here, and the simulator scores
    # it: within 1 m of a visible floor lamp.
    assert watcher.stop.wait_for_service(timeout_sec=10.0)
    future = watcher.stop.call_async(StopGoal.Request())
    assert wait_until(future.done, 20.0)
    response = future.result()
    assert response.success and json.loads(response.message)["success"] == 1.0, response.message
