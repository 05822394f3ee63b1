"""trajectory_buffer in its own process: keyframes from RGB + odom, served over DDS."""

from __future__ import annotations

import math

import numpy as np
import pytest
import rclpy
from filmnav_interfaces.msg import Frontier, FrontierArray
from filmnav_interfaces.srv import GetKeyframes
from mapper_ros import TIMEOUT, diagnostics_text, odom, publish_until, spin, stamped, start
from mapper_scenes import SIZE
from processes import wait_until

from filmnav_common.image_codec import image_to_numpy, numpy_to_image
from filmnav_common.planar import Pose2D
from frontier_mapper.messages import pose_msg

pytestmark = pytest.mark.ros


@pytest.fixture(scope="module")
def buffer_node(tmp_path_factory, client):
    process = start(
        tmp_path_factory,
        "frontier_mapper.trajectory_buffer",
        "min_distance:=0.25",
        "store_width:=0",
        "capacity:=3",
    )
    service = client.create_client(GetKeyframes, "filmnav/get_keyframes")
    assert service.wait_for_service(timeout_sec=TIMEOUT), process.output()
    assert wait_until(
        lambda: (
            client.rgb_pub.get_subscription_count() > 0
            and client.odom_pub.get_subscription_count() > 0
        ),
        TIMEOUT,
    )
    yield process, service
    assert process.alive(), process.output()
    assert process.stop() == 0, process.output()


def drive(client, call, poses, stamp: float) -> float:
    """Odometry around one RGB frame per pose (frame k filled with 40 * k), each resent until the
    buffer holds it (sensor QoS is best effort); returns the next stamp."""
    everything = GetKeyframes.Request(history_count=100)
    for k, pose in enumerate(poses):
        rgb = stamped(
            numpy_to_image(np.full((SIZE[1], SIZE[0], 3), 40 * k, np.uint8), "rgb8"), stamp + 0.02
        )
        client.odom_pub.publish(odom(stamp, pose))
        after = odom(
            stamp + 0.04, pose
        )  # resent too: a repeat is ignored, a lost one is not fatal
        newest = stamp + 0.02
        assert publish_until(
            client,
            lambda after=after, rgb=rgb: (
                client.odom_pub.publish(after) or client.rgb_pub.publish(rgb)
            ),
            lambda newest=newest: any(
                abs(kept.stamp.sec + kept.stamp.nanosec * 1e-9 - newest) < 1e-6
                for kept in call(everything).history
            ),
        )
        stamp += 1.0
    return stamp


def frontier(fid: int, x: float, facing: float) -> Frontier:
    msg = Frontier(id=fid, size=1.0)
    msg.centroid.x, msg.waypoint = x, pose_msg(Pose2D(x - 0.5 * math.cos(facing), 0.0, facing))
    return msg


def test_buffer_serves_history_and_frontier_views(client, buffer_node):
    process, service = buffer_node
    ahead, nowhere = frontier(3, 4.0, 0.0), frontier(4, -20.0, math.pi)

    def call(request: GetKeyframes.Request) -> GetKeyframes.Response:
        future = service.call_async(request)
        rclpy.spin_until_future_complete(client, future, timeout_sec=TIMEOUT)
        assert future.done(), process.output()
        return future.result()

    stamp = drive(client, call, [Pose2D(0.0, 0.0, 0.0)], 200.0)
    # the mission's frontiers arrive: frontier 3 is linked to keyframe 0 (its first sighting)
    assert wait_until(lambda: client.frontier_pub.get_subscription_count() > 0, TIMEOUT)
    client.frontier_pub.publish(FrontierArray(frontiers=[ahead]))
    wait_until(lambda: spin(client) and False, 1.0)
    # four more keyframes; capacity 3 would evict keyframe 0 were it not linked
    stamp = drive(client, call, [Pose2D(0.3 * k, 0.0, 0.0) for k in range(1, 5)], stamp)
    assert publish_until(
        client,
        lambda: client.rgb_pub.publish(
            stamped(numpy_to_image(np.zeros((4, 4), np.uint8), "mono8"), stamp)
        ),
        lambda: "encoding 'mono8'" in diagnostics_text(client),
    )

    request = GetKeyframes.Request(history_count=2, image_size=32, frontiers=[ahead, nowhere])
    response = call(request)
    assert response.success
    assert [k.id for k in response.history] == [3, 4]
    assert response.history[0].stamp.sec == 203
    assert response.history[-1].pose.position.x == pytest.approx(1.2)
    pixels = image_to_numpy(response.history[-1].image)
    assert pixels.shape == (32, 32, 3) and (pixels == 120).all()
    view, none = response.frontier_views
    assert view.id == 0 and image_to_numpy(view.image).shape == (32, 32, 3)
    assert none.image.encoding == "" and len(none.image.data) == 0
    assert "1/2 frontier views" in response.message
    kept = call(GetKeyframes.Request(history_count=10)).history
    assert [k.id for k in kept] == [0, 3, 4]  # bounded: capacity 3, the linked view spared
