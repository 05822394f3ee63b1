"""The Habitat bridge node in its own process, driven over DDS by a client node in the test:
sensors, odometry and clock, episode reset, navigate_to_pose (success, cancel, unreachable,
wrong frame), the episode result after STOP, and goals given one after another, each scored
from where the robot stands."""

from __future__ import annotations

import json
import math
import time
from collections.abc import Callable
from typing import Any

import numpy as np
import pytest
import rclpy
import scipy.ndimage as ndi
from diagnostic_msgs.msg import DiagnosticArray, DiagnosticStatus
from filmnav_interfaces.msg import EpisodeResult, Goal
from filmnav_interfaces.srv import ResetEpisode, StopGoal
from nav2_msgs.action import NavigateToPose
from nav_msgs.msg import Odometry
from processes import NodeProcess, python_module, wait_until
from rclpy.action import ActionClient
from rclpy.context import Context
from rclpy.executors import SingleThreadedExecutor
from rclpy.node import Node
from rclpy.qos import QoSProfile, ReliabilityPolicy
from rosgraph_msgs.msg import Clock
from sensor_msgs.msg import CameraInfo, Image
from std_msgs.msg import String

from filmnav_common.camera import CameraExtrinsics
from filmnav_common.image_codec import depth_to_metres, image_to_numpy
from filmnav_common.qos import LATCHED_QOS, RELIABLE_QOS, SENSOR_QOS
from filmnav_common.tf_listener import TransformListener
from filmnav_sim.config import SimConfig
from filmnav_sim.episodes import footprint_distance, goal_viewpoints, make_episode
from filmnav_sim.habitat_adapter import habitat_available
from filmnav_sim.house import cached_house

WIDTH, HEIGHT = 160, 120
SPLIT, SEED, EPISODE, TASK = "val", 10003, 0, "object"
GOAL_TOLERANCE = 0.5
SUCCEEDED, CANCELED, ABORTED = 4, 5, 6  # action_msgs/GoalStatus


class BridgeClient:
    """A client node on a private context that keeps the latest message of every bridge topic.

    It spins only on the test's thread, inside `spin_until`/`wait_for`: rclpy's ActionClient is
    not thread-safe (a goal response handled by a spinning thread before send_goal_async stored
    its future is dropped), so nothing else may spin it."""

    TOPICS: dict[str, tuple[type, Any]] = {
        "camera/color/image_raw": (Image, SENSOR_QOS),
        "camera/depth/image_raw": (Image, SENSOR_QOS),
        "camera/instance/image_raw": (Image, SENSOR_QOS),
        "camera/color/camera_info": (CameraInfo, SENSOR_QOS),
        "camera/depth/camera_info": (CameraInfo, SENSOR_QOS),
        "odom": (Odometry, RELIABLE_QOS),
        "clock": (Clock, RELIABLE_QOS),
        "sim/instances": (String, LATCHED_QOS),
        "sim/episode_result": (EpisodeResult, LATCHED_QOS),
        "diagnostics": (DiagnosticArray, 10),
    }

    def __init__(self, namespace: str = "") -> None:
        self.context = Context()
        rclpy.init(context=self.context)
        self.node = Node("bridge_test_client", namespace=namespace, context=self.context)
        self.latest: dict[str, Any] = {}
        self.counts: dict[str, int] = {topic: 0 for topic in self.TOPICS}
        for topic, (message_type, qos) in self.TOPICS.items():
            self.node.create_subscription(
                message_type, topic, lambda message, topic=topic: self._store(topic, message), qos
            )
        self.navigate = ActionClient(self.node, NavigateToPose, "navigate_to_pose")
        self.reset = self.node.create_client(ResetEpisode, "sim/reset_episode")
        self.stop = self.node.create_client(StopGoal, "sim/stop")
        self.executor = SingleThreadedExecutor(context=self.context)
        self.executor.add_node(self.node)

    def _store(self, topic: str, message: Any) -> None:
        self.latest[topic] = message
        self.counts[topic] += 1

    def get(self, topic: str) -> Any:
        return self.latest.get(topic)

    def spin_until(self, predicate: Callable[[], bool], timeout: float) -> bool:
        deadline = time.monotonic() + timeout
        while not predicate():
            if time.monotonic() > deadline:
                return False
            self.executor.spin_once(timeout_sec=0.02)
        return True

    def wait_for(self, future, timeout: float = 30.0) -> Any:
        assert self.spin_until(future.done, timeout), "no answer from the bridge in time"
        return future.result()

    def reset_episode(
        self, seed: int = SEED, episode: int = EPISODE, task: str = TASK
    ) -> ResetEpisode.Response:
        request = ResetEpisode.Request(seed=seed, episode=episode, split=SPLIT, task=task)
        return self.wait_for(self.reset.call_async(request), timeout=60.0)

    def send_goal(self, x: float, y: float, yaw: float = 0.0, frame: str = "odom", feedback=None):
        goal = NavigateToPose.Goal()
        goal.pose.header.frame_id = frame
        goal.pose.pose.position.x, goal.pose.pose.position.y = float(x), float(y)
        goal.pose.pose.orientation.z, goal.pose.pose.orientation.w = (
            math.sin(yaw / 2),
            math.cos(yaw / 2),
        )
        handle = self.wait_for(self.navigate.send_goal_async(goal, feedback_callback=feedback))
        assert handle.accepted
        return handle

    def close(self) -> None:
        self.executor.shutdown()
        self.node.destroy_node()
        rclpy.shutdown(context=self.context)


def start_bridge(log_path, namespace: str = "", **parameters: object) -> NodeProcess:
    """The bridge node in its own process, on the test episode at a small image size."""
    parameters = {
        "width": WIDTH,
        "height": HEIGHT,
        "split": SPLIT,
        "seed": SEED,
        "episode": EPISODE,
        "task": TASK,
        "goal_tolerance": GOAL_TOLERANCE,
        **parameters,
    }
    arguments = ["--ros-args", "-r", f"__ns:={namespace or '/'}"]
    for name, value in parameters.items():
        arguments += ["-p", f"{name}:={value}"]
    return NodeProcess(python_module("habitat_bridge.bridge_node", *arguments), log_path)


def connect(process: NodeProcess, namespace: str = "") -> BridgeClient:
    client = BridgeClient(namespace)
    ready = client.spin_until(
        lambda: (
            client.navigate.server_is_ready()
            and client.reset.service_is_ready()
            and client.get("odom") is not None
        ),
        timeout=90.0,
    )
    if not ready:
        client.close()
        raise AssertionError(f"the bridge did not come up:\n{process.output()[-3000:]}")
    return client


def stop_cleanly(process: NodeProcess) -> None:
    alive_at_end = process.alive()
    code = process.stop()
    assert alive_at_end, f"the bridge died during the tests:\n{process.output()[-3000:]}"
    assert code == 0, (
        f"the bridge did not shut down cleanly on SIGINT ({code}):\n{process.output()[-3000:]}"
    )


@pytest.fixture(scope="module")
def bridge(tmp_path_factory):
    process = start_bridge(
        tmp_path_factory.mktemp("bridge") / "bridge.log",
        step_rate=25.0,
        publish_rate=5.0,
        use_sim_time=True,  # as launched: timers must not stall on the sim clock it publishes
    )
    yield process
    stop_cleanly(process)


@pytest.fixture(scope="module")
def client(bridge):
    client = connect(bridge)
    yield client
    client.close()


@pytest.fixture(scope="module")
def episode():
    """The same episode, sampled here from the same seed: the bridge must match it."""
    return make_episode(SPLIT, SEED, EPISODE, TASK, config=SimConfig(width=WIDTH, height=HEIGHT))


def odom_pose(client: BridgeClient) -> tuple[float, float, float]:
    pose = client.get("odom").pose.pose
    yaw = math.atan2(2 * pose.orientation.w * pose.orientation.z, 1 - 2 * pose.orientation.z**2)
    return pose.position.x, pose.position.y, yaw


def standing_pose(client: BridgeClient, timeout: float = 10.0) -> tuple[float, float, float]:
    """The odometry pose of a robot at rest: the last step's odometry may still be on its way
    when the action result arrives, so the pose is read until it holds across idle republishes
    (publish_rate)."""
    deadline, last = time.monotonic() + timeout, None
    while time.monotonic() < deadline:
        client.spin_until(lambda: False, 0.3)
        pose = odom_pose(client)
        if pose == last:
            return pose
        last = pose
    raise AssertionError(f"the robot did not come to rest within {timeout} s")


def reachable_goal(
    episode, pose: tuple[float, float, float], low: float, high: float
) -> np.ndarray:
    """A navigable point whose geodesic distance from `pose` lies in [low, high] metres."""
    nav = cached_house(episode.seed).nav
    field = nav.distance_field(np.array([pose[:2]]))
    rows, cols = np.nonzero((field >= low) & (field <= high))
    assert len(rows), "no navigable point at that distance"
    middle = len(rows) // 2
    return np.asarray(nav.cell_to_world((rows[middle], cols[middle])))


def angle_difference(a: float, b: float) -> float:
    return abs((a - b + math.pi) % (2 * math.pi) - math.pi)


def test_publishes_sensors_with_sizes_encodings_and_intrinsics(client: BridgeClient) -> None:
    topics = [
        "camera/color/image_raw",
        "camera/depth/image_raw",
        "camera/instance/image_raw",
        "camera/color/camera_info",
        "camera/depth/camera_info",
        "clock",
        "sim/instances",
    ]
    assert client.spin_until(lambda: all(client.get(topic) is not None for topic in topics), 30.0)
    color, depth = client.get("camera/color/image_raw"), client.get("camera/depth/image_raw")
    instance = client.get("camera/instance/image_raw")
    assert (color.encoding, depth.encoding, instance.encoding) == ("rgb8", "32FC1", "16UC1")
    for image in (color, depth, instance):
        assert (image.width, image.height) == (WIDTH, HEIGHT)
        assert image.header.frame_id == "camera_color_optical_frame"
    rgb = image_to_numpy(color)
    assert rgb.shape == (HEIGHT, WIDTH, 3) and rgb.std() > 5.0  # a rendered scene, not a blank
    metres = depth_to_metres(depth)
    finite = metres[np.isfinite(metres)]
    assert finite.size > 0 and finite.min() >= 0.5 - 1e-3 and finite.max() <= 5.0 + 1e-3
    info = client.get("camera/color/camera_info")
    fx, fy, cx, cy = SimConfig(width=WIDTH, height=HEIGHT).intrinsics()
    assert (info.width, info.height) == (WIDTH, HEIGHT)
    np.testing.assert_allclose([info.k[0], info.k[4], info.k[2], info.k[5]], [fx, fy, cx, cy])
    odom = client.get("odom")
    assert (odom.header.frame_id, odom.child_frame_id) == ("odom", "base_link")
    table = json.loads(client.get("sim/instances").data)
    ids = np.unique(image_to_numpy(instance))
    assert all(str(int(i)) in table["instances"] for i in ids if i != 0)


def test_published_geometry_puts_object_pixels_on_their_objects(
    client: BridgeClient, episode
) -> None:
    """Back-project each instance's pixels with the published depth, camera_info and odometry
    (optical frame: x right, y down, z forward; camera at camera_height on base_link): the
    points must land on that object's footprint, between the floor and its top."""
    assert client.reset_episode().success
    topics = (
        "camera/depth/image_raw",
        "camera/instance/image_raw",
        "camera/color/camera_info",
        "odom",
    )

    def same_instant() -> bool:
        messages = [client.get(topic) for topic in topics]
        if any(message is None for message in messages):
            return False
        stamps = {(m.header.stamp.sec, m.header.stamp.nanosec) for m in messages}
        return len(stamps) == 1 and np.allclose(odom_pose(client)[:2], episode.start_pose[:2])

    assert client.spin_until(same_instant, 10.0)
    depth = depth_to_metres(client.get("camera/depth/image_raw"))
    instance = image_to_numpy(client.get("camera/instance/image_raw"))
    k = client.get("camera/color/camera_info").k
    x, y, yaw = odom_pose(client)
    house = cached_house(episode.seed)
    checked = 0
    for instance_id in np.unique(instance[instance > 0]):
        rows, cols = np.nonzero((instance == instance_id) & np.isfinite(depth))
        if len(rows) < 20:
            continue
        z = depth[rows, cols].astype(float)
        right, down = (cols - k[2]) / k[0] * z, (rows - k[5]) / k[4] * z
        forward, left, up = z, -right, SimConfig().camera_height - down
        points = np.stack(
            [
                x + forward * math.cos(yaw) - left * math.sin(yaw),
                y + forward * math.sin(yaw) + left * math.cos(yaw),
            ],
            axis=1,
        )
        obj = house.object_by_id(int(instance_id))
        assert np.percentile(footprint_distance(points, obj), 95) < 0.05, obj.category
        assert up.min() > -0.05 and up.max() < obj.size[2] + 0.05, obj.category
        checked += 1
    assert checked >= 1, "no object in view at the episode start"


def test_reset_returns_the_seeded_episode_and_places_the_robot(
    client: BridgeClient, episode
) -> None:
    response = client.reset_episode()
    assert response.success, response.message
    assert response.goal.task == TASK and response.goal.text == episode.goal_text
    assert response.geodesic_distance == pytest.approx(episode.geodesic_distance, rel=1e-4)
    x, y, yaw = episode.start_pose
    assert client.spin_until(lambda: np.allclose(odom_pose(client)[:2], (x, y), atol=1e-3), 10.0)
    assert angle_difference(odom_pose(client)[2], yaw) < 1e-3
    table = json.loads(client.get("sim/instances").data)
    assert table["goal_category"] == episode.goal_category and table["seed"] == SEED
    bad = client.reset_episode(task="no-such-task")
    assert not bad.success and "no-such-task" in bad.message


def test_navigate_to_pose_reaches_a_goal_with_feedback(client: BridgeClient, episode) -> None:
    assert client.reset_episode().success
    goal = reachable_goal(episode, episode.start_pose, 2.0, 3.0)
    feedback: list[NavigateToPose.Feedback] = []
    handle = client.send_goal(
        goal[0], goal[1], yaw=math.pi / 2, feedback=lambda f: feedback.append(f.feedback)
    )
    result = client.wait_for(handle.get_result_async(), timeout=90.0)
    assert result.status == SUCCEEDED, result.result.error_msg
    assert result.result.error_code == 0

    def at_the_goal_pose() -> bool:
        x, y, yaw = odom_pose(client)
        facing = angle_difference(yaw, math.pi / 2) <= math.radians(15.0) + 1e-6
        return math.dist((x, y), goal) <= 0.5 and facing

    # the last step's odometry may arrive after the result: another topic, no order between them
    assert client.spin_until(at_the_goal_pose, 5.0), odom_pose(client)
    assert len(feedback) >= 8  # at least 2 m of 0.25 m steps
    assert feedback[-1].distance_remaining < feedback[0].distance_remaining
    assert feedback[-1].navigation_time.sec + feedback[-1].navigation_time.nanosec > 0
    assert client.get("clock").clock.sec > 0  # sim time advanced with the steps


def test_cancel_stops_the_robot(client: BridgeClient, episode) -> None:
    assert client.reset_episode().success
    goal = reachable_goal(episode, episode.start_pose, 5.0, 8.0)
    feedback: list[NavigateToPose.Feedback] = []
    handle = client.send_goal(goal[0], goal[1], feedback=lambda f: feedback.append(f.feedback))
    assert client.spin_until(lambda: len(feedback) >= 3, 30.0)
    client.wait_for(handle.cancel_goal_async())
    result = client.wait_for(handle.get_result_async())
    assert result.status == CANCELED

    def after_two_more_odometry_messages() -> tuple[float, float, float]:
        count = client.counts["odom"]
        assert client.spin_until(
            lambda: client.counts["odom"] >= count + 2, 5.0
        )  # idle republishing
        return odom_pose(client)

    settled = after_two_more_odometry_messages()
    assert math.dist(settled[:2], goal) > 1.0
    assert after_two_more_odometry_messages() == settled  # the robot no longer moves


@pytest.mark.parametrize(
    ("goal_offset", "frame", "code"),
    [((500.0, 0.0), "odom", 204), ((0.0, 0.0), "map", 9002)],
    ids=["outside-the-map", "wrong-frame"],
)
def test_unusable_goals_are_aborted_with_a_reason(
    client: BridgeClient, episode, goal_offset, frame, code
) -> None:
    assert client.reset_episode().success
    x, y, _ = episode.start_pose
    handle = client.send_goal(x + goal_offset[0], y + goal_offset[1], frame=frame)
    result = client.wait_for(handle.get_result_async())
    assert result.status == ABORTED
    assert result.result.error_code == code and result.result.error_msg


def test_goal_in_an_obstacle_is_aborted(client: BridgeClient, episode) -> None:
    """A point deep inside a wall/furniture block, beyond the snapping tolerance."""
    nav = cached_house(episode.seed).nav
    clearance = ndi.distance_transform_edt(~nav.navigable) * nav.resolution
    rows, cols = np.nonzero(clearance > GOAL_TOLERANCE + 0.2)
    assert len(rows), "the house has no obstacle that large"
    assert client.reset_episode().success
    goal = nav.cell_to_world((rows[0], cols[0]))
    handle = client.send_goal(*goal)
    result = client.wait_for(handle.get_result_async())
    assert result.status == ABORTED and result.result.error_code in (204, 206), (
        result.result.error_msg
    )


def test_stop_ends_the_episode_and_publishes_its_result(client: BridgeClient, episode) -> None:
    assert client.reset_episode().success
    response = client.wait_for(client.stop.call_async(StopGoal.Request()))
    assert response.success
    metrics = json.loads(response.message)
    assert metrics["success"] == 0.0 and metrics["spl"] == 0.0  # stopped at the start, >= 1 m away
    assert client.spin_until(
        lambda: (
            client.get("sim/episode_result") is not None
            and client.get("sim/episode_result").seed == SEED
            and client.get("sim/episode_result").steps == 1
        ),
        10.0,
    )
    result = client.get("sim/episode_result")
    assert (result.split, result.episode, result.task) == (SPLIT, EPISODE, TASK)
    assert result.goal_id == "" and list(result.goal_instance_ids) == episode.goal_instance_ids
    assert not result.success and result.geodesic_start == pytest.approx(
        episode.geodesic_distance, rel=1e-4
    )
    again = client.wait_for(client.stop.call_async(StopGoal.Request()))
    assert not again.success and "reset" in again.message
    x, y, _ = episode.start_pose
    handle = client.send_goal(x + 0.5, y)
    result = client.wait_for(handle.get_result_async())
    assert result.status == ABORTED and "over" in result.result.error_msg


def test_a_newer_goal_preempts_the_active_one(
    bridge: NodeProcess, client: BridgeClient, episode
) -> None:
    assert client.reset_episode().success
    far = reachable_goal(episode, episode.start_pose, 5.0, 8.0)
    near = reachable_goal(episode, episode.start_pose, 1.0, 2.0)
    feedback: list[NavigateToPose.Feedback] = []
    first = client.send_goal(far[0], far[1], feedback=lambda f: feedback.append(f.feedback))
    assert client.spin_until(lambda: len(feedback) >= 2, 30.0)
    second = client.send_goal(near[0], near[1])
    assert client.wait_for(first.get_result_async()).status == ABORTED
    assert client.wait_for(second.get_result_async(), timeout=90.0).status == SUCCEEDED
    assert math.dist(odom_pose(client)[:2], near) <= 0.5
    # Preemption is how navigation clients work, not a fault; a success clears earlier faults.
    preempted = [line for line in bridge.output().splitlines() if "preempted by a newer" in line]
    assert preempted and all("[INFO]" in line for line in preempted), preempted

    def health() -> DiagnosticStatus | None:
        diagnostics = client.get("diagnostics")
        return diagnostics.status[0] if diagnostics is not None else None

    assert client.spin_until(
        lambda: health() is not None and health().message == "navigate_to_pose succeeded", 5.0
    )
    assert health().level == DiagnosticStatus.OK


def test_goals_one_after_another_are_scored_from_where_the_robot_stands(
    bridge: NodeProcess, client: BridgeClient, episode
) -> None:
    """Each new goal on filmnav/active_goal (as goal_interface announces it) is scored from the
    robot's pose at that moment, against the instances it grounds to (the episode's own goal:
    against the episode's goal instances); STOP publishes that goal's result and the robot stays
    where it is, to serve the next goal from there. A STOP named for a goal that is no longer
    scored (it arrived after the next goal started) changes nothing."""
    assert client.reset_episode().success
    house, config = cached_house(SEED), SimConfig(width=WIDTH, height=HEIGHT)
    goals = client.node.create_publisher(Goal, "filmnav/active_goal", LATCHED_QOS)
    away = reachable_goal(episode, episode.start_pose, 2.0, 3.0)
    assert client.wait_for(client.send_goal(*away).get_result_async(), 90.0).status == SUCCEEDED
    here = standing_pose(client)

    def stop_and_result(goal_id: str) -> EpisodeResult:
        assert wait_until(lambda: f"goal '{goal_id}' scored from" in bridge.output(), 90.0), (
            bridge.output()[-3000:]
        )
        stale = client.wait_for(client.stop.call_async(StopGoal.Request(goal_id="earlier")))
        assert not stale.success and "no longer the one scored" in stale.message, stale.message
        stop = StopGoal.Request(goal_id=goal_id)
        assert client.wait_for(client.stop.call_async(stop)).success
        assert client.spin_until(
            lambda: getattr(client.get("sim/episode_result"), "goal_id", "") == goal_id, 10.0
        )
        return client.get("sim/episode_result")

    goals.publish(Goal(id="sleep", task="text", text="somewhere to sleep"))
    result = stop_and_result("sleep")
    beds = sorted(obj.id for obj in house.objects_of("bed"))
    assert sorted(result.goal_instance_ids) == beds and result.steps == 1
    # The table names what is searched now, for the reference policies (oracle, room_prior).
    assert client.spin_until(
        lambda: json.loads(client.get("sim/instances").data)["searched_instance_ids"] == beds, 10.0
    )
    expected = house.nav.geodesic_distance(here[:2], goal_viewpoints(house, beds, config))
    assert result.geodesic_start == pytest.approx(expected, rel=1e-3)
    assert result.success == (expected <= 0.1) and result.path_length == 0.0
    # Stopped: the robot stays put and takes no waypoint until the next goal.
    assert odom_pose(client) == pytest.approx(here)
    refused = client.send_goal(*episode.start_pose[:2])
    assert client.wait_for(refused.get_result_async()).status == ABORTED
    clock = client.get("clock").clock.sec + client.get("clock").clock.nanosec * 1e-9

    goals.publish(Goal())  # idle, as goal_interface announces it after a goal
    own = f"{SPLIT}/{SEED}/{EPISODE}"  # the episode's own goal, as sim/reset_episode gives it
    goals.publish(Goal(id=own, task=TASK, text=episode.goal_text))
    assert wait_until(lambda: f"goal '{own}' scored from" in bridge.output(), 90.0)
    back = client.send_goal(*episode.start_pose[:2])
    assert client.wait_for(back.get_result_async(), 90.0).status == SUCCEEDED
    result = stop_and_result(own)
    assert list(result.goal_instance_ids) == episode.goal_instance_ids
    table = json.loads(client.get("sim/instances").data)
    assert table["searched_instance_ids"] == table["goal_instance_ids"]
    assert result.path_length > 1.0 and result.steps > 4
    expected = house.nav.geodesic_distance(here[:2], episode.viewpoints)
    assert result.geodesic_start == pytest.approx(expected, rel=1e-3)
    assert client.get("clock").clock.sec + client.get("clock").clock.nanosec * 1e-9 > clock


@pytest.mark.parametrize("task", ["text", "image"])
def test_reset_to_text_and_image_goals(client: BridgeClient, task: str) -> None:
    response = client.reset_episode(task=task)
    assert response.success, response.message
    expected = make_episode(
        SPLIT, SEED, EPISODE, task, config=SimConfig(width=WIDTH, height=HEIGHT)
    )
    assert response.goal.task == task and response.goal.id
    if task == "image":
        assert response.goal.text == ""
        picture = image_to_numpy(response.goal.image)
        assert response.goal.image.encoding == "rgb8" and picture.shape == (HEIGHT, WIDTH, 3)
        np.testing.assert_array_equal(picture, expected.goal_image)
    else:
        assert response.goal.text == expected.goal_text and response.goal.image.width == 0
    table = json.loads(client.get("sim/instances").data)
    assert table["task"] == task and table["goal_instance_ids"] == expected.goal_instance_ids


def test_step_budget_aborts_navigation_and_ends_the_episode(tmp_path, episode) -> None:
    """A second bridge, in its own namespace, with a budget of 6 steps."""
    process = start_bridge(tmp_path / "budget.log", "/budget", max_steps=6, step_rate=0.0)
    try:
        client = connect(process, "/budget")
        try:
            goal = reachable_goal(episode, episode.start_pose, 5.0, 8.0)
            result = client.wait_for(client.send_goal(*goal).get_result_async())
            assert result.status == ABORTED and result.result.error_code == 9003
            assert "budget" in result.result.error_msg
            assert client.spin_until(lambda: client.get("sim/episode_result") is not None, 10.0)
            outcome = client.get("sim/episode_result")
            assert (outcome.seed, outcome.steps, outcome.success) == (SEED, 6, False)
        finally:
            client.close()
    finally:
        stop_cleanly(process)


@pytest.mark.skipif(
    habitat_available(), reason="habitat_sim is installed here: the habitat backend would start"
)
def test_missing_habitat_sim_fails_with_a_clear_error(tmp_path) -> None:
    process = start_bridge(tmp_path / "habitat.log", "/habitat", backend="habitat")
    assert wait_until(lambda: not process.alive(), 60.0)
    output = process.output()
    assert process.stop() == 1
    assert "cannot start the simulated robot" in output and "habitat-sim" in output


def test_sigint_during_navigation_ends_the_goal_and_exits_cleanly(tmp_path, episode) -> None:
    process = start_bridge(tmp_path / "sigint.log", "/sigint", step_rate=5.0)
    client = connect(process, "/sigint")
    try:
        goal = reachable_goal(episode, episode.start_pose, 5.0, 8.0)
        feedback: list[NavigateToPose.Feedback] = []
        client.send_goal(goal[0], goal[1], feedback=lambda f: feedback.append(f.feedback))
        assert client.spin_until(lambda: len(feedback) >= 2, 30.0)
        assert process.stop() == 0
    finally:
        client.close()
    output = (tmp_path / "sigint.log").read_text()
    assert "navigate_to_pose aborted: the robot is shutting down" in output
    assert "Traceback" not in output and "Error" not in output


def test_robot_like_mode_publishes_as_a_robots_drivers(tmp_path, episode) -> None:
    """The harness settings: 16UC1 millimetre depth (0: no reading), wall-clock stamps and no
    clock, odometry at 50 Hz with jittered stamps, TF like robot_state_publisher, the action under
    another name. Every odometry sample carries the pose the robot had at its stamp: a frame's
    stamp has its own sample, and samples until the next frame repeat that pose."""
    process = start_bridge(
        tmp_path / "robot_like.log",
        "/robot_like",
        depth_encoding="16UC1",
        clock="wall",
        odom_rate=50.0,
        odom_jitter=0.004,
        max_depth=10.0,
        step_rate=8.0,
        navigate_action="sim/navigate_to_pose",
    )
    client = connect_robot_like(process, "/robot_like")
    try:
        odometry: list[tuple[int, tuple[float, float, float]]] = []
        frames: list[int] = []
        client.node.create_subscription(
            Odometry,
            "odom",
            lambda m: odometry.append((stamp_ns(m.header.stamp), pose_of(m))),
            # every sample is checked: a deep reliable queue, so a busy test process loses none
            QoSProfile(depth=1000, reliability=ReliabilityPolicy.RELIABLE),
        )
        client.node.create_subscription(
            Image,
            "camera/depth/image_raw",
            lambda m: frames.append(stamp_ns(m.header.stamp)),
            SENSOR_QOS,
        )
        tf = TransformListener(client.node)
        assert client.spin_until(lambda: len(odometry) >= 60 and frames, 20.0)
        depth = client.get("camera/depth/image_raw")
        assert depth.encoding == "16UC1" and (image_to_numpy(depth) == 0).any()
        assert np.nanmax(depth_to_metres(depth)) <= 10.0
        assert client.get("clock") is None
        now = client.node.get_clock().now().nanoseconds
        assert abs(now - frames[-1]) < 5e9  # wall-clock stamps, not sim time
        stamps = np.array([stamp for stamp, _ in odometry[-50:]])
        intervals = np.diff(stamps) * 1e-9
        assert (intervals > 0).all() and 0.015 < intervals.mean() < 0.03 and intervals.std() > 5e-4
        camera = CameraExtrinsics.from_optical_transform(
            tf.lookup("base_link", "camera_color_optical_frame").transform
        )
        assert camera.height == pytest.approx(SimConfig().camera_height) and camera.x == 0.0
        assert abs(camera.pitch) < 1e-9 and abs(camera.yaw) < 1e-9
        base = tf.lookup("odom", "base_link")
        np.testing.assert_allclose(base.transform.translation[:2], odometry[-1][1][:2], atol=0.3)
        # Drive, then check every frame against the odometry stream.
        goal = reachable_goal(episode, episode.start_pose, 2.0, 3.0)
        client.wait_for(client.send_goal(*goal).get_result_async(), timeout=60.0)
        client.spin_until(lambda: False, 0.3)
        poses = dict(odometry)
        ordered = sorted(odometry)
        # A frame's own sample follows it: frames after the last sample in are not judged yet.
        moving = [stamp for stamp in frames if ordered[0][0] < stamp <= ordered[-1][0]]
        assert len(moving) >= 5
        for first, second in zip(moving, moving[1:], strict=False):
            assert first in poses, "a frame without odometry of its instant"
            between = [pose for stamp, pose in ordered if first <= stamp < second]
            assert all(pose == poses[first] for pose in between)
    finally:
        client.close()
        stop_cleanly(process)


def connect_robot_like(process: NodeProcess, namespace: str) -> BridgeClient:
    client = BridgeClient(namespace)
    client.navigate = ActionClient(client.node, NavigateToPose, "sim/navigate_to_pose")
    ready = client.spin_until(
        lambda: client.navigate.server_is_ready() and client.get("odom") is not None, 90.0
    )
    if not ready:
        client.close()
        raise AssertionError(f"the bridge did not come up:\n{process.output()[-3000:]}")
    return client


def stamp_ns(stamp) -> int:
    return stamp.sec * 1_000_000_000 + stamp.nanosec


def pose_of(message: Odometry) -> tuple[float, float, float]:
    pose = message.pose.pose
    return (pose.position.x, pose.position.y, pose.orientation.z)
