"""Two processes talk over DDS with the workspace's interfaces: messages with images, a service
call, and an action with feedback and cancel."""

from __future__ import annotations

import pathlib
import sys
import threading
import time
import uuid

import numpy as np
import pytest
import rclpy
from action_msgs.msg import GoalStatus
from filmnav_interfaces.action import FindObject
from filmnav_interfaces.msg import Frontier, FrontierArray, Goal, MissionStatus
from filmnav_interfaces.srv import SelectFrontier
from processes import NodeProcess, wait_until
from rclpy.action import ActionClient
from rclpy.executors import SingleThreadedExecutor
from rclpy.node import Node

from filmnav_common.image_codec import numpy_to_image
from filmnav_common.qos import RELIABLE_QOS

pytestmark = pytest.mark.ros

PEER = pathlib.Path(__file__).with_name("graph_peer.py")


class Client:
    """This test process's node, spun in a background thread."""

    def __init__(self) -> None:
        self.context = rclpy.Context()
        rclpy.init(context=self.context)
        self.node = Node("graph_test_client", context=self.context)
        self.executor = SingleThreadedExecutor(context=self.context)
        self.executor.add_node(self.node)
        self.frontier_arrays: list[FrontierArray] = []
        self.goal_publisher = self.node.create_publisher(Goal, "filmnav/goal", RELIABLE_QOS)
        self.node.create_subscription(
            FrontierArray, "filmnav/frontiers", self.frontier_arrays.append, RELIABLE_QOS
        )
        self.select_client = self.node.create_client(SelectFrontier, "filmnav/select_frontier")
        self.action_client = ActionClient(self.node, FindObject, "find_object")
        self.thread = threading.Thread(target=self.executor.spin, daemon=True)
        self.thread.start()

    def wait_for(self, future, timeout: float = 20.0):
        assert wait_until(future.done, timeout=timeout), "no answer over DDS in time"
        return future.result()

    def close(self) -> None:
        self.executor.shutdown()
        self.node.destroy_node()
        rclpy.shutdown(context=self.context)
        self.thread.join(timeout=5)


@pytest.fixture(scope="module")
def graph(tmp_path_factory):
    peer = NodeProcess([sys.executable, str(PEER)], tmp_path_factory.mktemp("peer") / "peer.log")
    client = Client()
    try:
        assert client.select_client.wait_for_service(timeout_sec=30), peer.output()
        assert client.action_client.wait_for_server(timeout_sec=30), peer.output()
        assert wait_until(lambda: client.goal_publisher.get_subscription_count() > 0, timeout=30)
        # Replies are only delivered once the peer's publishers have matched this process too.
        for topic in ("filmnav/frontiers", "find_object/_action/feedback"):
            assert wait_until(lambda t=topic: client.node.count_publishers(t) > 0, timeout=30)
        yield client, peer
    finally:
        client.close()
        status = peer.stop()
        assert status == 0, f"peer did not shut down cleanly on SIGINT (status {status})"


def test_goal_with_image_comes_back_as_frontier_array(graph) -> None:
    client, _ = graph
    pixels = np.random.default_rng(3).integers(0, 256, (48, 64, 3), dtype=np.uint8)
    goal = Goal(id=uuid.uuid4().hex, task=Goal.TASK_IMAGE, image=numpy_to_image(pixels, "rgb8"))

    def answers() -> list[FrontierArray]:
        return [a for a in client.frontier_arrays if a.header.frame_id == goal.id]

    # The graph lists the peer's publisher before its writer has matched this reader, and a
    # volatile answer sent before that match is lost: the goal goes again until one comes back.
    for _ in range(30):
        client.goal_publisher.publish(goal)
        if wait_until(answers, 1.0):
            break
    assert answers(), "no frontier array came back for the goal in 30 s"
    answer = answers()[0]
    means = pixels.reshape(-1, 3).mean(axis=0)
    np.testing.assert_allclose([f.size for f in answer.frontiers], means, rtol=1e-6)
    assert answer.frontiers[0].keyframe_id == int(pixels.astype(np.int64).sum())


def test_select_frontier_service_picks_the_brightest(graph) -> None:
    client, _ = graph
    brightness = [40, 200, 90]
    request = SelectFrontier.Request(
        goal=Goal(id="g", task=Goal.TASK_OBJECT, text="chair"),
        frontiers=[Frontier(id=i) for i in range(3)],
        frontier_images=[
            numpy_to_image(np.full((8, 8, 3), b, np.uint8), "rgb8") for b in brightness
        ],
    )
    response = client.wait_for(client.select_client.call_async(request))
    assert response.success and response.index == 1 and response.policy == "brightest"
    np.testing.assert_allclose(response.scores, brightness)
    assert response.latency > 0
    rejected = client.wait_for(client.select_client.call_async(SelectFrontier.Request()))
    assert (
        not rejected.success
        and rejected.index == -1
        and "one image per frontier" in rejected.message
    )


def test_find_object_action_feedback_and_result(graph) -> None:
    client, _ = graph
    feedback: list[FindObject.Feedback] = []
    goal = FindObject.Goal(goal=Goal(id="chair_1", task=Goal.TASK_OBJECT, text="chair"))
    handle = client.wait_for(
        client.action_client.send_goal_async(
            goal, feedback_callback=lambda m: feedback.append(m.feedback)
        )
    )
    assert handle.accepted
    outcome = client.wait_for(handle.get_result_async())
    assert outcome.status == GoalStatus.STATUS_SUCCEEDED
    result = outcome.result
    assert result.success and result.final_state == MissionStatus.SUCCEEDED
    assert result.decisions == 5 and result.message == "found chair"
    assert wait_until(lambda: len(feedback) == 5, timeout=5), feedback
    assert [f.decisions for f in feedback] == [1, 2, 3, 4, 5]
    assert all(
        f.state == MissionStatus.EXPLORING and f.message == "looking for chair" for f in feedback
    )


def test_find_object_action_cancel(graph) -> None:
    client, _ = graph
    feedback: list[FindObject.Feedback] = []
    goal = FindObject.Goal(goal=Goal(id="until_canceled", task=Goal.TASK_TEXT, text="a red mug"))
    handle = client.wait_for(
        client.action_client.send_goal_async(
            goal, feedback_callback=lambda m: feedback.append(m.feedback)
        )
    )
    assert handle.accepted
    assert wait_until(lambda: len(feedback) >= 2, timeout=20)
    cancel = client.wait_for(handle.cancel_goal_async())
    assert len(cancel.goals_canceling) == 1
    outcome = client.wait_for(handle.get_result_async())
    assert outcome.status == GoalStatus.STATUS_CANCELED
    assert outcome.result.final_state == MissionStatus.CANCELED
    assert outcome.result.decisions >= 2
    time.sleep(0.2)
    assert len(feedback) == outcome.result.decisions  # no feedback after the cancel
