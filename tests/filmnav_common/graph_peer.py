"""A node process for the multi-process graph test: it answers the workspace's custom messages.

- `filmnav/goal` (Goal with an image) -> `filmnav/frontiers` (FrontierArray) describing the image:
  header.frame_id = goal id, frontier i has size = mean of colour channel i, and the first
  frontier's keyframe_id = the sum of all pixel values (a checksum of the transported image).
- `filmnav/select_frontier` (SelectFrontier): scores each frontier by its image's mean
  brightness and picks the brightest.
- `find_object` (FindObject action): one feedback (EXPLORING, decisions = n) every 50 ms, success
  after 5 decisions; a goal with id "until_canceled" runs until it is canceled.
"""

from __future__ import annotations

import time

import numpy as np
from filmnav_interfaces.action import FindObject
from filmnav_interfaces.msg import Frontier, FrontierArray, Goal, MissionStatus
from filmnav_interfaces.srv import SelectFrontier
from rclpy.action import ActionServer, CancelResponse, GoalResponse
from rclpy.callback_groups import ReentrantCallbackGroup
from rclpy.node import Node

from filmnav_common.image_codec import ImageEncodingError, image_to_numpy
from filmnav_common.node_main import run_node
from filmnav_common.qos import RELIABLE_QOS

DECISIONS_TO_SUCCESS = 5


class GraphPeer(Node):
    def __init__(self) -> None:
        super().__init__("graph_peer")
        group = ReentrantCallbackGroup()
        self.frontiers = self.create_publisher(FrontierArray, "filmnav/frontiers", RELIABLE_QOS)
        self.create_subscription(Goal, "filmnav/goal", self.on_goal, RELIABLE_QOS)
        self.create_service(
            SelectFrontier, "filmnav/select_frontier", self.select, callback_group=group
        )
        self.action_server = ActionServer(
            self,
            FindObject,
            "find_object",
            self.execute,
            goal_callback=lambda goal: GoalResponse.ACCEPT,
            cancel_callback=lambda handle: CancelResponse.ACCEPT,
            callback_group=group,
        )
        self.get_logger().info("graph peer ready")

    def on_goal(self, goal: Goal) -> None:
        try:
            pixels = image_to_numpy(goal.image)
        except ImageEncodingError as error:
            self.get_logger().error(f"goal {goal.id}: bad image: {error}")
            return
        answer = FrontierArray()
        answer.header.frame_id = goal.id
        channel_means = pixels.reshape(-1, pixels.shape[-1]).mean(axis=0)
        answer.frontiers = [
            Frontier(id=i, size=float(m), keyframe_id=-1) for i, m in enumerate(channel_means)
        ]
        answer.frontiers[0].keyframe_id = int(pixels.astype(np.int64).sum())
        self.frontiers.publish(answer)

    def select(self, request: SelectFrontier.Request, response: SelectFrontier.Response):
        start = time.perf_counter()
        if len(request.frontier_images) != len(request.frontiers) or not request.frontiers:
            response.success, response.index = False, -1
            response.message = "need one image per frontier"
            return response
        scores = [float(image_to_numpy(image).mean()) for image in request.frontier_images]
        response.success, response.index, response.scores = True, int(np.argmax(scores)), scores
        response.policy, response.latency = "brightest", time.perf_counter() - start
        return response

    def execute(self, handle) -> FindObject.Result:
        goal = handle.request.goal
        decisions = 0
        while goal.id == "until_canceled" or decisions < DECISIONS_TO_SUCCESS:
            if handle.is_cancel_requested:
                handle.canceled()
                return FindObject.Result(
                    success=False,
                    final_state=MissionStatus.CANCELED,
                    message="canceled",
                    decisions=decisions,
                )
            decisions += 1
            handle.publish_feedback(
                FindObject.Feedback(
                    state=MissionStatus.EXPLORING,
                    message=f"looking for {goal.text}",
                    decisions=decisions,
                    distance_travelled=0.25 * decisions,
                    current_frontier=decisions,
                )
            )
            time.sleep(0.05)
        handle.succeed()
        return FindObject.Result(
            success=True,
            final_state=MissionStatus.SUCCEEDED,
            message=f"found {goal.text}",
            decisions=decisions,
            distance_travelled=0.25 * decisions,
        )


def main() -> int:
    return run_node(GraphPeer, threads=3)


if __name__ == "__main__":
    main()
