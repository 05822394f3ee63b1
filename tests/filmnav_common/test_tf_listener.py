"""The TF listener over DDS: a separate process latches /tf_static before the listener exists and
streams /tf at 50 Hz; the listener, in this process under a MultiThreadedExecutor, looks up the
camera's optical frame in base_link and base_link in map with the right values. Remapped topics
and a clock jumping back (a simulation reset) are checked on a second node."""

from __future__ import annotations

import math
import pathlib
import sys
import threading
import time

import numpy as np
import pytest
import rclpy
from processes import NodeProcess, wait_until
from rclpy.executors import MultiThreadedExecutor
from rclpy.node import Node
from rclpy.parameter import Parameter
from rosgraph_msgs.msg import Clock
from tf2_msgs.msg import TFMessage
from tf_peer import (
    CAMERA_PITCH,
    CAMERA_TRANSLATION,
    OPTICAL_TRANSLATION,
    PERIOD_S,
    map_to_odom,
    odom_to_base,
)

from filmnav_common.tf_listener import (
    TF_QOS,
    TF_STATIC_BROADCASTER_QOS,
    TransformListener,
    ns_to_stamp,
    transform_from_msg,
    transform_to_msg,
)
from filmnav_common.transforms import (
    NS_PER_S,
    ExtrapolationError,
    FrameLookupError,
    StampedTransform,
    Transform,
)

pytestmark = pytest.mark.ros

PEER = pathlib.Path(__file__).with_name("tf_peer.py")
ROBOT1 = ["--ros-args", "-r", "/tf:=/robot1/tf", "-r", "/tf_static:=/robot1/tf_static"]


def planar_matrix(x: float, y: float, yaw: float) -> np.ndarray:
    c, s = math.cos(yaw), math.sin(yaw)
    return np.array([[c, -s, 0, x], [s, c, 0, y], [0, 0, 1, 0], [0, 0, 0, 1.0]])


def base_to_optical_matrix() -> np.ndarray:
    """base_link -> camera_color_optical_frame written out: pitch about y, then the optical
    axes (x right = -y, y down = -z, z forward = +x of camera_link)."""
    c, s = math.cos(CAMERA_PITCH), math.sin(CAMERA_PITCH)
    mount = np.array([[c, 0, s], [0, 1, 0], [-s, 0, c]])
    optical = np.array([[0, 0, 1], [-1, 0, 0], [0, -1, 0.0]])
    matrix = np.eye(4)
    matrix[:3, :3] = mount @ optical
    matrix[:3, 3] = np.array(CAMERA_TRANSLATION) + mount @ np.array(OPTICAL_TRANSLATION)
    return matrix


class Listeners:
    """Two listener nodes in this process on one MultiThreadedExecutor: `default` on /tf, and
    `robot1` on remapped topics with simulated time."""

    def __init__(self) -> None:
        self.context = rclpy.Context()
        rclpy.init(context=self.context)
        self.node = Node("tf_listener_test", context=self.context)
        self.robot1_node = Node(
            "tf_listener_robot1",
            context=self.context,
            cli_args=ROBOT1,
            parameter_overrides=[Parameter("use_sim_time", value=True)],
        )
        self.default = TransformListener(self.node)
        self.robot1 = TransformListener(self.robot1_node)
        self.executor = MultiThreadedExecutor(num_threads=3, context=self.context)
        for node in (self.node, self.robot1_node):
            self.executor.add_node(node)
        self.thread = threading.Thread(target=self.executor.spin, daemon=True)
        self.thread.start()

    def close(self) -> None:
        self.executor.shutdown()
        for node in (self.node, self.robot1_node):
            node.destroy_node()
        rclpy.shutdown(context=self.context)
        self.thread.join(timeout=5)


@pytest.fixture(scope="module")
def tf_graph(tmp_path_factory):
    epoch_ns = time.time_ns()
    log = tmp_path_factory.mktemp("tf_peer") / "peer.log"
    peer = NodeProcess(
        [sys.executable, str(PEER), "--ros-args", "-p", f"epoch_ns:={epoch_ns}"], log
    )
    listeners = None
    try:
        # The static transforms are published before any listener exists (latched delivery).
        assert wait_until(lambda: "static transforms sent" in peer.output(), 30), peer.output()
        listeners = Listeners()
        yield listeners, epoch_ns
    finally:
        if listeners is not None:
            listeners.close()
        status = peer.stop()
        assert status == 0, f"peer did not shut down cleanly on SIGINT (status {status})"


def test_camera_extrinsics_from_latched_tf_static(tf_graph) -> None:
    listeners, _ = tf_graph
    result = listeners.default.wait_for_transform(
        "base_link", "camera_color_optical_frame", timeout_s=20.0
    )
    np.testing.assert_allclose(result.transform.to_matrix(), base_to_optical_matrix(), atol=1e-9)
    assert result.stamp_ns == 0  # static chain: valid at every time


def test_robot_pose_in_map_from_tf(tf_graph) -> None:
    listeners, epoch_ns = tf_graph
    listener = listeners.default
    latest = listener.wait_for_transform("map", "base_link", timeout_s=20.0)

    def expected(stamp_ns: int) -> np.ndarray:
        t = (stamp_ns - epoch_ns) / NS_PER_S
        return planar_matrix(*map_to_odom(t)) @ planar_matrix(*odom_to_base(t))

    np.testing.assert_allclose(latest.transform.to_matrix(), expected(latest.stamp_ns), atol=1e-9)
    # Between samples of both links (map -> odom at 10 Hz, odom -> base_link at 50 Hz), once
    # the next map -> odom samples have come: both interpolated, exact as both are linear in time.
    between = latest.stamp_ns + int(1.63 * MAP_PERIOD_NS)
    result = listener.wait_for_transform("map", "base_link", ns_to_stamp(between), timeout_s=5.0)
    assert result.stamp_ns == between
    np.testing.assert_allclose(result.transform.to_matrix(), expected(between), atol=1e-9)
    # The stream goes on: a later common time arrives within a few map periods.
    assert wait_until(lambda: listener.lookup("map", "base_link").stamp_ns > latest.stamp_ns, 5)
    with pytest.raises(ExtrapolationError, match="into the future"):
        listener.lookup("map", "base_link", time.time_ns() + 60 * NS_PER_S)
    assert listener.frames() == {
        "camera_link": "base_link",
        "camera_color_optical_frame": "camera_link",
        "base_link": "odom",
        "odom": "map",
    }


MAP_PERIOD_NS = int(5 * PERIOD_S * NS_PER_S)


def test_wait_is_bounded_in_wall_time(tf_graph) -> None:
    listeners, _ = tf_graph
    start = time.monotonic()
    with pytest.raises(FrameLookupError, match=r"does not exist.*\(waited 0.3 s\)"):
        listeners.default.wait_for_transform("map", "no_such_frame", timeout_s=0.3)
    assert 0.3 <= time.monotonic() - start < 1.5


def test_remapped_topics_and_clock_jump(tf_graph) -> None:
    """robot1's listener hears /robot1/tf* only and skips malformed transforms; a clock jumping
    back drops its dynamic transforms (static ones stay), so a restarted simulation's stamps are
    accepted again."""
    listeners, _ = tf_graph
    node, listener = listeners.node, listeners.robot1
    static_pub = node.create_publisher(TFMessage, "/robot1/tf_static", TF_STATIC_BROADCASTER_QOS)
    tf_pub = node.create_publisher(TFMessage, "/robot1/tf", TF_QOS)
    clock_pub = node.create_publisher(Clock, "/clock", 10)
    try:
        assert wait_until(lambda: tf_pub.get_subscription_count() > 0, 20)
        assert wait_until(lambda: clock_pub.get_subscription_count() > 0, 20)
        mount = StampedTransform("base_link", "camera_link", 0, Transform((0.1, 0.0, 0.5)))
        static_pub.publish(TFMessage(transforms=[transform_to_msg(mount)]))

        def send_odom(seconds: int) -> None:
            """odom -> base_link, after two transforms the listener must skip (a second parent
            for camera_link, a rotation that is no unit quaternion) without losing the rest."""
            stamp = seconds * NS_PER_S
            pose = StampedTransform("odom", "base_link", stamp, Transform((seconds, 0, 0)))
            reparent = StampedTransform("odom", "camera_link", stamp, Transform())
            denormalised = transform_to_msg(pose)
            denormalised.child_frame_id, denormalised.transform.rotation.w = "wheel", 2.0
            messages = [transform_to_msg(reparent), denormalised, transform_to_msg(pose)]
            tf_pub.publish(TFMessage(transforms=messages))

        def set_clock(seconds: int) -> None:
            clock_pub.publish(Clock(clock=ns_to_stamp(seconds * NS_PER_S)))
            assert wait_until(
                lambda: listeners.robot1_node.get_clock().now().nanoseconds == seconds * NS_PER_S,
                10,
            )

        set_clock(100)
        send_odom(100)
        result = listener.wait_for_transform("odom", "camera_link", timeout_s=10.0)
        assert result.stamp_ns == 100 * NS_PER_S
        np.testing.assert_allclose(result.transform.translation, [100.1, 0.0, 0.5])
        # Only /robot1/tf_static was heard, and the refused transforms left no trace.
        assert listener.frames() == {"camera_link": "base_link", "base_link": "odom"}

        set_clock(50)  # the simulation restarted
        assert wait_until(lambda: "base_link" not in listener.frames(), 5)
        assert listener.frames() == {"camera_link": "base_link"}
        send_odom(50)  # would be TF_OLD_DATA without the clear
        result = listener.wait_for_transform("odom", "camera_link", timeout_s=10.0)
        assert result.stamp_ns == 50 * NS_PER_S
    finally:
        for publisher in (static_pub, tf_pub, clock_pub):
            node.destroy_publisher(publisher)


def test_message_round_trip() -> None:
    stamped = StampedTransform(
        "map", "odom", 1_700_000_000_123_456_789, Transform((1.0, -2.0, 0.5), (0.0, 0.6, 0.0, 0.8))
    )
    back = transform_from_msg(transform_to_msg(stamped))
    assert (back.frame_id, back.child_frame_id, back.stamp_ns) == ("map", "odom", stamped.stamp_ns)
    np.testing.assert_allclose(back.transform.to_matrix(), stamped.transform.to_matrix())
