"""occupancy_mapper on a robot's TF: the camera's mounting from /tf_static (pitched, offset,
turned) and the map in `map_frame` through a localizer's map -> odom, both published by another
process. A wall seen through the TF extrinsics lands where it stands, in the map frame."""

from __future__ import annotations

import math
import sys

import numpy as np
import pytest
from mapper_ros import TIMEOUT, camera_info, odom, spin, start
from mapper_scenes import depth_at, distance_to_walls
from processes import REPO_ROOT, NodeProcess, wait_until
from robot_tf import CAMERA, MAP_FROM_ODOM, OPTICAL_FRAME

from filmnav_common.image_codec import numpy_to_image
from filmnav_common.planar import Pose2D
from frontier_mapper.synthetic import WallScene

pytestmark = pytest.mark.ros

WALL = WallScene(np.array([((3.0, -2.0), (3.0, 2.0))]))
ROBOT = Pose2D(0.5, 0.2, 0.1)  # in odom


@pytest.fixture(scope="module")
def graph(tmp_path_factory, client):
    tf = NodeProcess(
        [sys.executable, str(REPO_ROOT / "tests/robot_tf.py")],
        tmp_path_factory.mktemp("robot_tf") / "tf.log",
    )
    mapper = start(
        tmp_path_factory,
        "frontier_mapper.occupancy_mapper",
        "map_frame:=map",
        "camera_tf_wait:=30.0",  # never the parameters here
        "publish_rate:=5.0",
        "max_integration_rate:=0.0",
    )
    yield mapper
    assert mapper.stop() == 0, mapper.output()
    assert tf.stop() == 0, tf.output()


def obstacle_points_in_odom(grid) -> np.ndarray:
    """Centres of the obstacle cells of a map message, brought back into odom."""
    values = np.frombuffer(grid.data, dtype=np.int8).reshape(grid.info.height, grid.info.width)
    rows, cols = np.nonzero(values == 100)
    resolution = grid.info.resolution
    in_map = np.stack(
        [
            grid.info.origin.position.x + (cols + 0.5) * resolution,
            grid.info.origin.position.y + (rows + 0.5) * resolution,
            np.zeros(rows.size),
        ],
        axis=1,
    )
    return MAP_FROM_ODOM.inverse().apply(in_map)[:, :2]


def test_wall_seen_through_tf_extrinsics_is_mapped_in_the_map_frame(client, graph):
    depth = depth_at(WALL, ROBOT, CAMERA)
    assert np.isfinite(depth).mean() > 0.5  # floor and wall in view
    image = numpy_to_image(depth, "32FC1")
    image.header.frame_id = OPTICAL_FRAME

    def mapped() -> bool:
        now = client.get_clock().now()
        stamp = now.nanoseconds * 1e-9
        info = camera_info()
        info.header.frame_id = OPTICAL_FRAME
        client.info_pub.publish(info)
        client.odom_pub.publish(odom(stamp - 0.02, ROBOT))
        image.header.stamp = now.to_msg()
        client.depth_pub.publish(image)
        client.odom_pub.publish(odom(stamp + 0.02, ROBOT))
        spin(client, 0.1)
        maps = client.inbox["map"]
        return bool(maps) and (np.frombuffer(maps[-1].data, np.int8) == 100).sum() > 40

    assert wait_until(mapped, TIMEOUT, interval=0.0), graph.output()
    grid = client.inbox["map"][-1]
    assert grid.header.frame_id == "map"
    points = obstacle_points_in_odom(grid)
    # Every obstacle cell lies on the wall (no floor mistaken for obstacles by a wrong pitch,
    # no wall displaced by a wrong offset or map frame).
    assert distance_to_walls(points, WALL).max() < 0.1, distance_to_walls(points, WALL).max()
    seen = points[:, 1]
    assert seen.max() - seen.min() > 1.5  # a long stretch of the wall, not a few cells
    assert wait_until(lambda: spin(client) or client.inbox["frontiers"], TIMEOUT)
    frontiers = client.inbox["frontiers"][-1]
    assert frontiers.header.frame_id == "map"
    robot = frontiers.robot_pose.position
    expected = MAP_FROM_ODOM.apply([ROBOT.x, ROBOT.y, 0.0])
    assert math.dist((robot.x, robot.y), expected[:2]) < 1e-6
