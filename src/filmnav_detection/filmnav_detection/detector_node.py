"""ROS 2 node of the goal detector, with two backends (parameter `backend`):

- `sim_semantic` (simulation): the bridge's instance image; instance ids map to categories
  through the bridge's latched `sim/instances` table.
- `owlv2` (robots): OWLv2 open-vocabulary boxes in the colour image, queried with the goal text
  (object and text goals) or the goal picture (image goals, image-guided detection); each box is
  placed at the median depth of its centre.

Either way the node pairs the evidence image with the depth image by stamp, waits for odometry up
to that stamp and takes the pose nearest to it, the camera intrinsics from camera_info, and
publishes `filmnav/detections` for every frame while a goal is active (an empty array means "not
seen"). The goal comes from `filmnav/goal` or `filmnav/goal_text` (cleared by `filmnav/cancel`).
Detection runs on its own thread: frames that arrive while a slow detector (OWLv2 on a CPU) works
replace each other, so it never falls behind the camera.
"""

from __future__ import annotations

import collections
import sys
import threading
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from filmnav_common.geometry import pose_to_xy_yaw
from filmnav_common.image_codec import ImageEncodingError, depth_to_metres, image_to_numpy
from filmnav_common.node_main import run_node
from filmnav_common.parameters import declare_parameters
from filmnav_common.policy_messages import rgb_of
from filmnav_common.protocol import TASKS
from filmnav_common.qos import LATCHED_QOS, RELIABLE_QOS, SENSOR_QOS
from filmnav_common.reporting import StatusReporter
from filmnav_detection.detector import (
    DEFAULT_OWLV2_MODEL,
    CameraModel,
    GoalDetection,
    SemanticGoalDetector,
    SimInstanceTable,
    goal_instances,
    locate_box,
)
from nav_msgs.msg import Odometry
from rclpy.callback_groups import MutuallyExclusiveCallbackGroup
from rclpy.node import Node
from sensor_msgs.msg import CameraInfo, Image
from std_msgs.msg import Empty, String

from filmnav_interfaces.msg import Detection, DetectionArray, Goal

ODOM_HISTORY = 100
DETECTION_POLL_PERIOD = 0.02  # seconds between looks for a frame ready to detect in
# backend -> the image topic it detects in (paired with the depth image by stamp)
EVIDENCE_TOPICS = {"sim_semantic": "camera/instance/image_raw", "owlv2": "camera/color/image_raw"}

PARAMETERS: dict[str, tuple[object, str]] = {
    "backend": (
        "sim_semantic",
        "detector: sim_semantic (simulator instance image) | owlv2 (open-vocabulary, robots)",
    ),
    "owlv2_model": (
        DEFAULT_OWLV2_MODEL,
        "owlv2: Hugging Face model id (from the local cache) or local folder",
    ),
    "score_threshold": (0.2, "owlv2: lowest box score published, in [0, 1]"),
    "device": ("", "owlv2: torch device (cpu, cuda, cuda:0, ...; empty: cuda where available)"),
    "box_centre_fraction": (
        0.5,
        "owlv2: central share of a box's width and height whose median depth places it",
    ),
    "camera_height": (0.88, "camera optical centre above the base, metres"),
    "camera_forward_offset": (0.0, "camera optical centre ahead of the base origin, metres"),
    "camera_pitch": (0.0, "camera pitch about the base's y axis, radians (positive looks down)"),
    "min_area_fraction": (0.001, "share of the image a goal instance must cover to count as seen"),
    "max_distance": (5.0, "farthest depth that counts, metres"),
    "max_pose_age": (
        0.1,
        "largest stamp difference between an image and the odometry used for it, seconds",
    ),
}


@dataclass
class ActiveGoal:
    goal_id: str
    task: str
    text: str
    image: np.ndarray | None = None  # RGB goal picture (image goals, owlv2 backend)


@dataclass(frozen=True)
class Frame:
    """One image pair to detect in, with the goal, intrinsics and pose captured when it became
    ready."""

    depth: Image
    evidence: Image  # instance (sim_semantic) or colour (owlv2) image
    goal: ActiveGoal
    goal_ids: frozenset[int]
    label: str
    camera_info: CameraInfo
    pose: tuple[float, float, float]
    frame_id: str


def stamp_ns(msg) -> int:
    return msg.header.stamp.sec * 1_000_000_000 + msg.header.stamp.nanosec


class DetectorNode(Node):
    def __init__(self) -> None:
        super().__init__("detector_node")
        self._param = declare_parameters(self, PARAMETERS)
        self._backend = self._param("backend")
        if self._backend not in EVIDENCE_TOPICS:
            raise ValueError(
                f"unknown backend '{self._backend}' (expected one of {', '.join(EVIDENCE_TOPICS)})"
            )
        self._owlv2 = self._load_owlv2() if self._backend == "owlv2" else None
        self._status = StatusReporter(self)
        self._camera_info: CameraInfo | None = None
        self._table: SimInstanceTable | None = None
        self._goal: ActiveGoal | None = None
        self._goal_ids: set[int] = set()
        self._label = ""
        self._odom: collections.deque[tuple[int, tuple[float, float, float], str]] = (
            collections.deque(maxlen=ODOM_HISTORY)
        )
        self._pending: dict[str, Image] = {}
        self._waiting: tuple[Image, Image] | None = None  # depth, evidence (instance or colour)
        self._lock = threading.Lock()  # sensor and goal state, shared with the detection thread

        self._publisher = self.create_publisher(DetectionArray, "filmnav/detections", RELIABLE_QOS)
        self.create_subscription(
            Image, "camera/depth/image_raw", lambda m: self._on_image("depth", m), SENSOR_QOS
        )
        self.create_subscription(
            Image,
            EVIDENCE_TOPICS[self._backend],
            lambda m: self._on_image("evidence", m),
            SENSOR_QOS,
        )
        self.create_subscription(
            CameraInfo, "camera/color/camera_info", self._on_camera_info, SENSOR_QOS
        )
        self.create_subscription(Odometry, "odom", self._on_odom, RELIABLE_QOS)
        if self._owlv2 is None:
            self.create_subscription(String, "sim/instances", self._on_table, LATCHED_QOS)
        self.create_subscription(Goal, "filmnav/goal", self._on_goal, RELIABLE_QOS)
        self.create_subscription(String, "filmnav/goal_text", self._on_goal_text, RELIABLE_QOS)
        self.create_subscription(Empty, "filmnav/cancel", self._on_cancel, RELIABLE_QOS)
        self.create_timer(
            DETECTION_POLL_PERIOD, self._detect_ready_frame, MutuallyExclusiveCallbackGroup()
        )
        self._status.ok(f"{self._backend}: waiting for a goal")

    def _load_owlv2(self):
        """The OWLv2 detector (raises FileNotFoundError naming the model when its weights are
        missing)."""
        from filmnav_detection.owlv2 import Owlv2Detector

        if not 0.0 <= self._param("score_threshold") <= 1.0:
            raise ValueError(
                f"score_threshold must be in [0, 1], got {self._param('score_threshold')}"
            )
        detector = Owlv2Detector(
            self._param("owlv2_model"),
            score_threshold=self._param("score_threshold"),
            device=self._param("device") or None,
        )
        self.get_logger().info(f"OWLv2 '{self._param('owlv2_model')}' loaded on {detector.device}")
        return detector

    # ------------------------------------------------------------------------------ goal
    def _on_goal(self, msg: Goal) -> None:
        if msg.task not in TASKS:
            self._status.warn(
                f"ignored goal '{msg.id}': unknown task '{msg.task}' "
                f"(expected one of {', '.join(TASKS)})"
            )
            return
        image = None
        if msg.task == "image" and self._owlv2 is not None:
            try:
                image = rgb_of(msg.image, "goal image")
            except ValueError as error:
                self._status.warn(f"ignored goal '{msg.id}': {error}")
                return
            if image is None:
                self._status.warn(f"ignored goal '{msg.id}': image goal without an image")
                return
        self._set_goal(ActiveGoal(msg.id, msg.task, msg.text, image))

    def _on_goal_text(self, msg: String) -> None:
        if not msg.data.strip():
            self._status.warn("ignored empty goal text")
            return
        self._set_goal(ActiveGoal("", "text", msg.data))

    def _on_cancel(self, _msg: Empty) -> None:
        with self._lock:
            self._goal, self._goal_ids = None, set()
        self._status.ok("goal canceled: waiting for a goal")

    def _on_table(self, msg: String) -> None:
        try:
            table = SimInstanceTable.from_json(msg.data)
        except ValueError as error:
            self._status.error(f"sim/instances: {error}")
            return
        with self._lock:
            self._table = table
            self._resolve_goal()

    def _set_goal(self, goal: ActiveGoal) -> None:
        with self._lock:
            self._goal = goal
            self._resolve_goal()

    def _resolve_goal(self) -> None:
        """Map the goal to simulator instances once per goal or table change (sim_semantic)."""
        if self._goal is None:
            return
        if self._owlv2 is not None:
            query = "the goal image" if self._goal.task == "image" else f"'{self._goal.text}'"
            self._status.ok(f"looking for {query} with OWLv2")
            return
        if self._table is None:
            self._status.warn(
                "goal received but no sim/instances table yet: waiting for the simulator"
            )
            return
        self._goal_ids, self._label = goal_instances(self._goal.task, self._goal.text, self._table)
        if self._goal_ids:
            self._status.ok(f"looking for '{self._label}' (instances {sorted(self._goal_ids)})")
        else:
            self._status.warn(
                f"goal '{self._goal.text or '<image>'}' names no object of the simulated house"
            )

    # ------------------------------------------------------------------------------ sensors
    def _on_camera_info(self, msg: CameraInfo) -> None:
        self._camera_info = msg

    def _on_odom(self, msg: Odometry) -> None:
        with self._lock:
            self._odom.append((stamp_ns(msg), pose_to_xy_yaw(msg.pose.pose), msg.header.frame_id))

    def _on_image(self, kind: str, msg: Image) -> None:
        with self._lock:
            self._pending[kind] = msg
            depth, evidence = self._pending.get("depth"), self._pending.get("evidence")
            if depth is None or evidence is None or stamp_ns(depth) != stamp_ns(evidence):
                return
            self._pending.clear()
            self._waiting = (depth, evidence)

    def _searching(self) -> bool:
        return self._goal is not None and (self._owlv2 is not None or bool(self._goal_ids))

    # ------------------------------------------------------------------------------ detection
    def _detect_ready_frame(self) -> None:
        """Detection timer (its own thread): detect in the latest image pair once odometry up to
        its stamp has arrived (the bridge publishes a frame's images before its odometry). Pairs
        that arrive while a slow detector runs replace each other, so it always works on the
        newest."""
        try:
            with self._lock:
                frame = self._take_ready_frame()
            if frame is not None:
                self._publisher.publish(self._detect(frame))
        except (ImageEncodingError, ValueError) as error:
            self._status.warn(f"skipped a frame: {error}")

    def _take_ready_frame(self) -> Frame | None:
        """The waiting frame with what detecting it needs, once its odometry is in (call with the
        lock)."""
        if self._waiting is None:
            return None
        depth, evidence = self._waiting
        if not self._searching() or self._camera_info is None:
            self._waiting = None
            return None
        tolerance = int(self._param("max_pose_age") * 1e9)
        if not self._odom or self._odom[-1][0] < stamp_ns(depth) - tolerance:
            return None  # the odometry for this frame is still on its way
        self._waiting = None
        pose, frame_id = self._pose_at(stamp_ns(depth))
        return Frame(
            depth,
            evidence,
            self._goal,
            frozenset(self._goal_ids),
            self._label,
            self._camera_info,
            pose,
            frame_id,
        )

    def _pose_at(self, stamp: int) -> tuple[tuple[float, float, float], str]:
        if not self._odom:
            raise ValueError("no odometry yet")
        odom_stamp, pose, frame = min(self._odom, key=lambda entry: abs(entry[0] - stamp))
        age = abs(odom_stamp - stamp) * 1e-9
        if age > self._param("max_pose_age"):
            raise ValueError(
                f"no odometry within {self._param('max_pose_age')} s of the image "
                f"(nearest {age:.3f} s)"
            )
        return pose, frame

    def _detect(self, frame: Frame) -> DetectionArray:
        depth = depth_to_metres(frame.depth)
        k = frame.camera_info.k
        camera = CameraModel(
            fx=k[0],
            fy=k[4],
            cx=k[2],
            cy=k[5],
            height=self._param("camera_height"),
            forward_offset=self._param("camera_forward_offset"),
            pitch=self._param("camera_pitch"),
        )
        if self._owlv2 is None:
            found = self._detect_instances(camera, depth, frame)
        else:
            found = self._detect_boxes(camera, depth, frame)
        message = DetectionArray(goal_id=frame.goal.goal_id)
        message.header.stamp = frame.depth.header.stamp
        message.header.frame_id = frame.frame_id
        for detection in found:
            item = Detection(
                label=detection.label,
                score=detection.score,
                distance=detection.distance,
                instance_id=detection.instance_id,
                bbox=np.asarray(detection.bbox, dtype=np.uint32),
            )
            item.position.x, item.position.y, item.position.z = (
                float(v) for v in detection.position
            )
            message.detections.append(item)
        return message

    def _detect_instances(
        self, camera: CameraModel, depth: np.ndarray, frame: Frame
    ) -> list[GoalDetection]:
        instance = image_to_numpy(frame.evidence)
        if instance.ndim != 2:
            raise ValueError(
                f"instance image must have one channel, got encoding '{frame.evidence.encoding}'"
            )
        detector = SemanticGoalDetector(
            camera,
            min_area_fraction=self._param("min_area_fraction"),
            max_distance=self._param("max_distance"),
        )
        return detector.detect(instance, depth, frame.pose, frame.goal_ids, frame.label)

    def _detect_boxes(
        self, camera: CameraModel, depth: np.ndarray, frame: Frame
    ) -> list[GoalDetection]:
        """OWLv2 boxes of the goal, best first, placed with the depth image (registered to the
        colour one)."""
        color = frame.evidence
        rgb = rgb_of(color, "colour image")
        if rgb is None or rgb.shape[:2] != depth.shape:
            raise ValueError(
                f"colour image {color.width}x{color.height} and depth image "
                f"{depth.shape[1]}x{depth.shape[0]} "
                "differ in size: the depth must be registered to the colour camera"
            )
        goal = frame.goal
        boxes = (
            self._owlv2.detect_image(rgb, goal.image)
            if goal.task == "image"
            else self._owlv2.detect(rgb, [goal.text])
        )
        located = (
            locate_box(
                camera,
                depth,
                frame.pose,
                box.box,
                box.label,
                box.score,
                self._param("box_centre_fraction"),
                self._param("max_distance"),
            )
            for box in boxes
        )
        return [detection for detection in located if detection is not None]


def main(args: Sequence[str] | None = None) -> int:
    return run_node(
        DetectorNode,
        args,
        threads=2,
        startup_errors=(FileNotFoundError, ValueError),
        description="the goal detector",
    )


if __name__ == "__main__":
    sys.exit(main())
