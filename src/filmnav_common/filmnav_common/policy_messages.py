"""SelectFrontier messages <-> the policy protocol's types: validation and conversion shared by
the policy node (server side) and the goal_interface node (client side)."""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from filmnav_interfaces.msg import Frontier
from filmnav_interfaces.srv import SelectFrontier
from sensor_msgs.msg import Image

from filmnav_common.geometry import pose_to_xy_yaw
from filmnav_common.image_codec import ImageEncodingError, image_to_rgb
from filmnav_common.protocol import FrontierCandidate, GoalSpec

PLACEHOLDER_SIDE = 224  # side of the black image standing in for a frontier with no view


class RequestError(ValueError):
    """A SelectFrontier request that cannot be scored."""


@dataclass
class PolicyInputs:
    goal: GoalSpec
    history_images: list[np.ndarray]
    frontier_images: list[np.ndarray]
    frontiers: list[FrontierCandidate]
    robot_pose: tuple[float, float, float]


def rgb_of(msg: Image, what: str) -> np.ndarray | None:
    """RGB uint8 pixels of an image message; None for an empty image."""
    if msg.width == 0 or msg.height == 0:
        return None
    try:
        return image_to_rgb(msg)
    except ImageEncodingError as error:
        raise RequestError(f"{what}: {error}") from error


def path_distance_field(distance: float) -> float:
    """Frontier.msg's path_distance of a route length: -1 on the wire when there is no route (the
    cores use inf)."""
    return float(distance) if math.isfinite(distance) else -1.0


def path_distance_of(field: float) -> float:
    """The route length of Frontier.msg's path_distance: inf where it is -1."""
    return float(field) if field >= 0.0 else math.inf


def candidate_of(frontier: Frontier) -> FrontierCandidate:
    waypoint = frontier.waypoint
    return FrontierCandidate(
        id=int(frontier.id),
        centroid=(frontier.centroid.x, frontier.centroid.y),
        waypoint=pose_to_xy_yaw(waypoint),
        size=float(frontier.size),
        path_distance=path_distance_of(frontier.path_distance),
    )


def inputs_of(request: SelectFrontier.Request) -> PolicyInputs:
    """Validate a request and convert it to the policy's inputs (raises RequestError)."""
    if not request.frontiers:
        raise RequestError("no frontiers to choose from")
    if len(request.frontier_images) != len(request.frontiers):
        raise RequestError(
            f"{len(request.frontier_images)} frontier images for {len(request.frontiers)} "
            "frontiers (need exactly one image per frontier)"
        )
    goal_msg = request.goal
    try:
        goal_image = rgb_of(goal_msg.image, "goal image") if goal_msg.task == "image" else None
        goal = GoalSpec(task=goal_msg.task, text=goal_msg.text, image=goal_image)
    except ValueError as error:
        raise RequestError(f"bad goal: {error}") from error
    if goal.task == "image" and goal.image is None:
        raise RequestError("bad goal: task 'image' without a goal image")
    if goal.task != "image" and not goal.text.strip():
        raise RequestError(f"bad goal: task '{goal.task}' with empty text")
    history = [rgb_of(image, f"history image {i}") for i, image in enumerate(request.history)]
    views = [
        rgb_of(image, f"frontier image {i}") for i, image in enumerate(request.frontier_images)
    ]
    shape = next(
        (v.shape for v in views if v is not None), (PLACEHOLDER_SIDE, PLACEHOLDER_SIDE, 3)
    )
    return PolicyInputs(
        goal=goal,
        history_images=[image for image in history if image is not None],
        frontier_images=[v if v is not None else np.zeros(shape, np.uint8) for v in views],
        frontiers=[candidate_of(f) for f in request.frontiers],
        robot_pose=pose_to_xy_yaw(request.robot_pose),
    )
