"""Top-down picture of the map and its frontiers (no ROS), for docs, demos and debugging.

    rgb = draw_map(grid, frontiers, robot=Pose2D(...), scale=4)   # uint8 [H, W, 3], north up

Unknown is grey, free white, navigable light green, obstacles black; each frontier's cells are
coloured by id, its waypoint is a dot with an arrow along the waypoint heading, labelled with
the id. Only the explored window (plus a margin) is drawn.
"""

from __future__ import annotations

import colorsys
import math
from collections.abc import Sequence

import cv2
import numpy as np

from filmnav_common.planar import Pose2D
from frontier_mapper.frontiers import Frontier
from frontier_mapper.occupancy import OccupancyMap


def frontier_colour(frontier_id: int) -> tuple[int, int, int]:
    """A saturated RGB colour per id; consecutive ids differ (golden-ratio hue steps)."""
    red, green, blue = colorsys.hsv_to_rgb((frontier_id * 0.618034) % 1.0, 0.9, 0.9)
    return int(red * 255), int(green * 255), int(blue * 255)


def draw_map(
    grid: OccupancyMap,
    frontiers: Sequence[Frontier] = (),
    robot: Pose2D | None = None,
    scale: int = 4,
    margin: int = 10,
) -> np.ndarray:
    window = grid.explored_window(margin=margin)
    if window[0].stop <= window[0].start:
        return np.full((1, 1, 3), 128, dtype=np.uint8)
    image = np.full((*grid.obstacle[window].shape, 3), 128, dtype=np.uint8)
    image[grid.free[window]] = 255
    image[grid.navigable(window)] = (205, 240, 205)
    image[grid.obstacle[window]] = 0
    offset = np.array([window[0].start, window[1].start])
    rows = image.shape[0]

    def pixel(xy) -> tuple[int, int]:
        """Image (u, v) of a world point after scaling and the north-up flip."""
        row, col = grid.world_to_cell(np.asarray(xy, dtype=float)) - offset
        return int((col + 0.5) * scale), int((rows - row - 0.5) * scale)

    for frontier in frontiers:
        cells = grid.world_to_cell(frontier.cells) - offset
        image[cells[:, 0], cells[:, 1]] = frontier_colour(frontier.id)
    image = cv2.resize(image[::-1], None, fx=scale, fy=scale, interpolation=cv2.INTER_NEAREST)
    arrow = 0.4
    for frontier in frontiers:
        colour = frontier_colour(frontier.id)
        start = pixel(frontier.waypoint[:2])
        tip = pixel(
            (
                frontier.waypoint.x + arrow * math.cos(frontier.waypoint.yaw),
                frontier.waypoint.y + arrow * math.sin(frontier.waypoint.yaw),
            )
        )
        cv2.circle(image, start, 2 * scale, colour, -1, cv2.LINE_AA)
        cv2.arrowedLine(image, start, tip, colour, max(1, scale // 2), cv2.LINE_AA, tipLength=0.3)
        cv2.putText(
            image,
            str(frontier.id),
            pixel(frontier.centroid),
            cv2.FONT_HERSHEY_SIMPLEX,
            0.12 * scale,
            (0, 0, 0),
            max(1, scale // 3),
            cv2.LINE_AA,
        )
    if robot is not None:
        centre = pixel((robot.x, robot.y))
        cv2.circle(
            image,
            centre,
            int(grid.config.robot_radius / grid.resolution * scale),
            (30, 60, 220),
            -1,
            cv2.LINE_AA,
        )
        heading = pixel((robot.x + 0.4 * math.cos(robot.yaw), robot.y + 0.4 * math.sin(robot.yaw)))
        cv2.line(image, centre, heading, (255, 255, 255), max(1, scale // 2), cv2.LINE_AA)
    return image
