"""occupancy_mapper in its own process, driven over DDS with ray-cast depth."""

from __future__ import annotations

import math

import numpy as np
import pytest
from mapper_ros import (
    TIMEOUT,
    camera_info,
    diagnostics_text,
    odom,
    publish_until,
    spin,
    stamped,
    start,
)
from mapper_scenes import depth_at
from processes import wait_until
from sensor_msgs.msg import CameraInfo

from filmnav_common.image_codec import numpy_to_image
from filmnav_common.planar import Pose2D
from frontier_mapper.frontiers import NARROW_ID_BASE
from frontier_mapper.synthetic import box_room_with_doorway

pytestmark = pytest.mark.ros


ROOM = box_room_with_doorway(corridor=8.0)


@pytest.fixture(scope="module")
def mapper(tmp_path_factory, client):
    process = start(
        tmp_path_factory,
        "frontier_mapper.occupancy_mapper",
        "publish_rate:=5.0",
        "max_integration_rate:=0.0",
        "camera_tf_wait:=0.0",  # no TF here: the camera.* parameters at once
    )
    connected = wait_until(
        lambda: (
            spin(client)
            or all(
                pub.get_subscription_count() > 0
                for pub in (client.odom_pub, client.depth_pub, client.info_pub)
            )
        ),
        TIMEOUT,
    )
    assert connected, process.output()
    yield process
    assert process.alive(), process.output()
    assert process.stop() == 0, process.output()


def test_mapper_reports_bad_input_and_keeps_running(client, mapper):
    depth = depth_at(ROOM, Pose2D(0, 0, 0))
    assert publish_until(
        client,
        lambda: client.depth_pub.publish(stamped(numpy_to_image(depth, "32FC1"), 1.0)),
        lambda: "no camera_info" in diagnostics_text(client),
    )
    assert publish_until(
        client,
        lambda: (
            client.info_pub.publish(camera_info())
            or client.depth_pub.publish(
                stamped(numpy_to_image(np.zeros((*depth.shape, 3), np.uint8), "rgb8"), 1.0)
            )
        ),
        lambda: "must be 16UC1" in diagnostics_text(client),
    )
    assert publish_until(
        client,
        lambda: (
            client.info_pub.publish(CameraInfo(width=10, height=10))
            or client.depth_pub.publish(stamped(numpy_to_image(depth, "32FC1"), 1.0))
        ),
        lambda: "camera_info says 10x10" in diagnostics_text(client),
    )
    client.odom_pub.publish(odom(50.0, Pose2D(0, 0, 0)))
    client.odom_pub.publish(odom(50.1, Pose2D(0, 0, 0)))
    assert publish_until(
        client,
        lambda: (
            client.info_pub.publish(camera_info())
            or client.depth_pub.publish(stamped(numpy_to_image(depth, "32FC1"), 20.0))
        ),
        lambda: "stale" in diagnostics_text(client),
    )
    assert publish_until(
        client,
        lambda: client.odom_pub.publish(odom(49.9, Pose2D(0, 0, 0))),
        lambda: "out of order" in diagnostics_text(client),
    )
    broken = odom(51.0, Pose2D(0, 0, 0))
    broken.pose.pose.position.x = math.nan
    assert publish_until(
        client, lambda: client.odom_pub.publish(broken), lambda: "NaN" in diagnostics_text(client)
    )
    assert mapper.alive()
    assert not client.inbox["map"], "a frame without a matching pose reached the map"


def test_mapper_publishes_map_frontiers_and_markers(client, mapper):
    stamps = iter(np.arange(60.0, 1e6, 1.0))  # odometry never goes back in time

    def turn_at_the_room_centre() -> None:
        """A full turn, odometry around each view. Views are best effort: a busy machine may
        lose some, so the turn is repeated until the map is complete."""
        for k in range(12):
            pose, stamp = Pose2D(0.0, 0.0, 2.0 * math.pi * k / 12), float(next(stamps))
            depth = numpy_to_image(depth_at(ROOM, pose), "32FC1")
            client.odom_pub.publish(odom(stamp, pose))
            for _ in range(3):  # repeated odometry is ignored
                client.odom_pub.publish(odom(stamp + 0.04, pose))
                client.info_pub.publish(camera_info())
                client.depth_pub.publish(stamped(depth, stamp + 0.02))
                spin(client, 0.05)

    def has_wall_and_doorway() -> bool:
        if not client.inbox["map"] or not client.inbox["frontiers"]:
            return False
        grid = client.inbox["map"][-1]
        values = np.frombuffer(grid.data, dtype=np.int8).reshape(grid.info.height, grid.info.width)
        col = int((3.0 - grid.info.origin.position.x) / grid.info.resolution)
        row = int((1.0 - grid.info.origin.position.y) / grid.info.resolution)
        wall = (values[row - 1 : row + 2, col - 1 : col + 2] == 100).any()
        centre = (
            values[
                int(-grid.info.origin.position.y / grid.info.resolution),
                int(-grid.info.origin.position.x / grid.info.resolution),
            ]
            == 0
        )
        return wall and centre and (values == 100).sum() > 200

    def only_the_doorway_is_a_frontier() -> bool:
        return has_wall_and_doorway() and all(
            f.centroid.x > 3.0 for f in client.inbox["frontiers"][-1].frontiers
        )

    assert publish_until(
        client, turn_at_the_room_centre, only_the_doorway_is_a_frontier, 3 * TIMEOUT
    ), mapper.output()
    assert client.inbox["map"][-1].header.frame_id == "odom"
    frontiers = client.inbox["frontiers"][-1]
    assert frontiers.header.frame_id == "odom" and frontiers.frontiers
    # stamped with the newest depth frame in the map (views at n + 0.02 s), not the odometry
    stamp = frontiers.header.stamp.sec + frontiers.header.stamp.nanosec * 1e-9
    assert stamp % 1.0 == pytest.approx(0.02, abs=1e-6), stamp
    for frontier in frontiers.frontiers:
        assert frontier.size >= 0.5 and frontier.path_distance > 3.0
        assert frontier.waypoint.orientation.w != 0.0 or frontier.waypoint.orientation.z != 0.0
    narrow = client.inbox["narrow"][-1]  # published beside them, never among them
    assert narrow.header.frame_id == "odom"
    assert all(0.25 <= f.size < 0.5 and f.id >= NARROW_ID_BASE for f in narrow.frontiers)
    assert wait_until(
        lambda: spin(client) or any(len(m.markers) > 1 for m in client.inbox["markers"]), TIMEOUT
    )
    assert "mapping" in diagnostics_text(client)

    # samples a busy node missed while the robot drove on (1.2 m in 1.5 s, then back in 0.5 s):
    # motion at a robot's speed, not an odometry restart
    driven = float(next(stamps)) + 0.5
    for _ in range(3):  # a repeated sample is ignored
        client.odom_pub.publish(odom(driven, Pose2D(1.2, 0.0, 0.0)))
        spin(client, 0.05)
    blind = numpy_to_image(
        np.full(depth_at(ROOM, Pose2D(0, 0, 0)).shape, np.nan, np.float32), "32FC1"
    )
    stamp = float(next(stamps))
    client.odom_pub.publish(odom(stamp, Pose2D(0, 0, 0)))
    assert publish_until(
        client,
        lambda: client.depth_pub.publish(stamped(blind, stamp)),
        lambda: "no valid readings" in diagnostics_text(client),
    )
    assert mapper.alive()
    assert "odometry restarted" not in diagnostics_text(client) and has_wall_and_doorway()

    # a new simulator episode: the clock restarts and the robot is elsewhere -> the map is cleared
    assert publish_until(
        client,
        lambda: client.odom_pub.publish(odom(0.0, Pose2D(9.0, 9.0, 0.0))),
        lambda: "odometry restarted" in diagnostics_text(client),
    )
    assert wait_until(
        lambda: (
            spin(client) or not (np.frombuffer(client.inbox["map"][-1].data, np.int8) == 100).any()
        ),
        TIMEOUT,
    )
