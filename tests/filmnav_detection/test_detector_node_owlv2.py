"""The detector node with `backend: owlv2` in its own process: a tiny random OWLv2 checkpoint (real
classes, random boxes) detects in colour frames, each box is placed with the depth image, and
results come back over DDS. Real weights cannot be downloaded here (test_owlv2_detector.py covers
them)."""

from __future__ import annotations

import itertools
import math

import numpy as np
import pytest
import rclpy
from builtin_interfaces.msg import Time
from detector_driver import COLOR_TOPIC, detector_driver
from filmnav_interfaces.msg import DetectionArray, Goal
from last_word import fails_at_start
from nav_msgs.msg import Odometry
from processes import NodeProcess, python_module, wait_until
from sensor_msgs.msg import CameraInfo, Image
from std_msgs.msg import Header

from filmnav_common.image_codec import numpy_to_image
from filmnav_detection.detector import CameraModel
from filmnav_detection.owlv2_tiny import build_tiny_owlv2_checkpoint

WIDTH, HEIGHT = 80, 60
FX = (WIDTH / 2) / math.tan(math.radians(79.0) / 2)
CAMERA = CameraModel(fx=FX, fy=FX, cx=(WIDTH - 1) / 2, cy=(HEIGHT - 1) / 2)
POSE = (1.0, 2.0, math.pi / 2)
WALL = 2.0  # metres ahead of the camera, filling the view
SINGLE_THREAD = {"OMP_NUM_THREADS": "1"}
STAMPS = itertools.count(
    100
)  # a new stamp per frame, across tests: odometry never goes back in time


def detector_command(*parameters: str) -> list[str]:
    arguments = ["--ros-args", "-p", "backend:=owlv2"]
    for parameter in parameters:
        arguments += ["-p", parameter]
    return python_module("filmnav_detection.detector_node", *arguments)


def detector_process(log_path, *parameters: str) -> NodeProcess:
    return NodeProcess(detector_command(*parameters), log_path, env=SINGLE_THREAD)


def test_missing_weights_stop_the_node_at_start_naming_the_folder(tmp_path):
    missing = tmp_path / "no_such_owlv2"
    failure = fails_at_start(
        detector_command(f"owlv2_model:={missing}"), tmp_path / "detector.log", SINGLE_THREAD
    )
    assert failure.code != 0
    assert "cannot start the goal detector" in failure.output, failure.output
    assert any(str(missing) in word for word in failure.last_words), failure.output


@pytest.fixture(scope="module")
def graph(tmp_path_factory):
    folder = tmp_path_factory.mktemp("owlv2")
    model = build_tiny_owlv2_checkpoint(folder / "model")
    process = detector_process(
        folder / "detector.log", f"owlv2_model:={model}", "score_threshold:=0.0"
    )
    with detector_driver("owlv2_detector_test_driver", process, COLOR_TOPIC) as driver:
        yield driver.node, driver.publishers, driver.received, process, driver.groundings


def frame() -> tuple[np.ndarray, np.ndarray]:
    rgb = np.random.default_rng(0).integers(0, 256, (HEIGHT, WIDTH, 3), dtype=np.uint8)
    return rgb, np.full((HEIGHT, WIDTH), WALL, np.float32)


def publish_frame(publishers, seconds: int, color: Image, depth: np.ndarray) -> None:
    header = Header(stamp=Time(sec=seconds), frame_id="camera")
    color.header = header
    info = CameraInfo(
        header=header,
        width=WIDTH,
        height=HEIGHT,
        k=[FX, 0.0, CAMERA.cx, 0.0, FX, CAMERA.cy, 0.0, 0.0, 1.0],
    )
    odom = Odometry(header=Header(stamp=header.stamp, frame_id="odom"))
    odom.pose.pose.position.x, odom.pose.pose.position.y = POSE[0], POSE[1]
    odom.pose.pose.orientation.z, odom.pose.pose.orientation.w = (
        math.sin(POSE[2] / 2),
        math.cos(POSE[2] / 2),
    )
    publishers["info"].publish(info)
    publishers["color"].publish(color)
    publishers["depth"].publish(numpy_to_image(depth, "32FC1", header))
    publishers["odom"].publish(odom)


def detections_for(
    node, publishers, received, goal_id: str, color: Image, depth: np.ndarray
) -> DetectionArray | None:
    def tick() -> bool:
        publish_frame(publishers, next(STAMPS), color, depth)
        rclpy.spin_once(node, timeout_sec=0.1)
        return any(m.goal_id == goal_id and m.detections for m in received)

    wait_until(tick, 30.0, interval=0.0)
    return next((m for m in received if m.goal_id == goal_id and m.detections), None)


def assert_placed_on_the_wall(message: DetectionArray, labels: set[str]) -> None:
    """Every box, labelled with one of the queries, sits at the wall's depth, back-projected at
    its centre through the robot pose."""
    assert message.header.frame_id == "odom"
    scores = [d.score for d in message.detections]
    assert scores == sorted(scores, reverse=True) and all(0.0 <= s <= 1.0 for s in scores)
    for detection in message.detections:
        assert detection.label in labels and detection.instance_id == -1
        x0, y0, x1, y1 = (int(v) for v in detection.bbox)
        assert 0 <= x0 <= x1 < WIDTH and 0 <= y0 <= y1 < HEIGHT
        expected = CAMERA.world_points(
            np.array([(y0 + y1) / 2]), np.array([(x0 + x1) / 2]), np.array([WALL]), POSE
        )[0]
        position = (detection.position.x, detection.position.y, detection.position.z)
        np.testing.assert_allclose(position, expected, atol=1e-4)
        assert detection.position.y == pytest.approx(POSE[1] + WALL, abs=1e-4)  # facing +y


def test_text_goal_boxes_are_placed_with_depth(graph):
    """OWLv2 is queried with the name the goal grounds to in the household vocabulary and with
    the goal text itself; the grounding says so."""
    node, publishers, received, process, groundings = graph
    rgb, depth = frame()
    publishers["goal"].publish(Goal(id="t1", task="text", text="a red chair"))
    message = detections_for(node, publishers, received, "t1", numpy_to_image(rgb, "rgb8"), depth)
    assert message is not None, process.output()
    assert len(message.detections) == 16  # one box per patch of the tiny model at threshold 0
    assert_placed_on_the_wall(message, {"chair", "a red chair"})
    grounding = next(g for g in groundings if g.goal_id == "t1")
    assert grounding.findable and list(grounding.targets) == ["chair"]
    assert grounding.message == "searching for chair (from 'a red chair') with OWLv2"


def test_image_goal_uses_image_guided_detection(graph):
    node, publishers, received, process, _ = graph
    rgb, depth = frame()
    goal = Goal(
        id="i1",
        task="image",
        image=numpy_to_image(np.ascontiguousarray(rgb[10:40, 20:50]), "rgb8"),
    )
    publishers["goal"].publish(goal)
    bgr = numpy_to_image(np.ascontiguousarray(rgb[..., ::-1]), "bgr8")  # bgr8 is accepted too
    message = detections_for(node, publishers, received, "i1", bgr, depth)
    assert message is not None, process.output()
    assert_placed_on_the_wall(message, {"goal image"})


def test_bad_colour_frames_and_goals_are_reported_and_the_node_keeps_running(graph):
    node, publishers, received, process, _ = graph
    rgb, depth = frame()
    publishers["goal"].publish(Goal(id="i2", task="image"))  # no picture
    output = process.output
    assert wait_until(lambda: "image goal without an image" in output(), 10.0), output()
    publishers["goal"].publish(Goal(id="t2", task="object", text="chair"))
    # Frames are looked at only once the goal is grounded; each bad frame is resent (images are
    # best effort) until it is reported. One kind at a time: the detector takes only the newest.
    for color, warning in (
        (
            numpy_to_image(np.zeros((HEIGHT, WIDTH), np.uint16), "16UC1"),
            "unsupported encoding '16UC1'",
        ),
        (numpy_to_image(rgb[:30], "rgb8"), "differ in size"),
    ):

        def reported(color=color, warning=warning) -> bool:
            publish_frame(publishers, next(STAMPS), color, depth)
            rclpy.spin_once(node, timeout_sec=0.2)
            return warning in output()

        assert wait_until(reported, 30.0, interval=0.0), output()
    message = detections_for(node, publishers, received, "t2", numpy_to_image(rgb, "rgb8"), depth)
    assert message is not None and process.alive(), output()
