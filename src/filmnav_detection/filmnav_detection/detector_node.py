"""ROS 2 node of the goal detector, with two backends (parameter `backend`):

- `sim_semantic` (simulation): the bridge's instance image; instance ids map to categories
  through the bridge's latched `sim/instances` table.
- `owlv2` (robots): OWLv2 open-vocabulary boxes in the colour image, queried with the names the
  goal was grounded to and its text (object and text goals) or the goal picture (image goals,
  image-guided detection); each box is placed at the median depth of its centre.

Either way the node pairs the evidence image with the depth image by stamp, waits for odometry up
to that stamp and takes the pose nearest to it, the camera intrinsics from camera_info, and
publishes `filmnav/detections` for every frame while a goal is active (an empty array means "not
seen"), tagged with the goal's id. The goal is the one goal_interface accepted and announces on
the latched `filmnav/active_goal` (an empty id: idle); the raw goal topics are not read here, so a
goal goal_interface rejects never retargets the detector. For each active goal the node publishes
on the latched `filmnav/goal_grounding` what it searches for (`goal_targets.ground_goal`: the goal
grounded in the simulator's categories or the household vocabulary), or why it cannot. Grounding
runs in its own callback group, so sensor messages keep arriving meanwhile. The node reports OK on
`diagnostics` once goals can be grounded (in simulation: after the simulator's table has arrived
and its vocabulary is encoded; WARN until then). Detection runs on its
own thread: frames that arrive while a slow detector (OWLv2 on a CPU) works replace each other, so
it never falls behind the camera.
"""

from __future__ import annotations

import collections
import sys
import threading
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from filmnav_interfaces.msg import Detection, DetectionArray, Goal, GoalGrounding
from nav_msgs.msg import Odometry
from rclpy.callback_groups import MutuallyExclusiveCallbackGroup
from rclpy.node import Node
from sensor_msgs.msg import CameraInfo, Image
from std_msgs.msg import String

from filmnav_common.frames import PARAMETERS as FRAME_PARAMETERS
from filmnav_common.frames import RobotFrames
from filmnav_common.image_codec import ImageEncodingError, depth_to_metres, image_to_numpy
from filmnav_common.node_main import run_node
from filmnav_common.parameters import declare_parameters
from filmnav_common.policy_messages import rgb_of
from filmnav_common.protocol import TASKS
from filmnav_common.qos import LATCHED_QOS, ODOMETRY_QOS, RELIABLE_QOS, SENSOR_QOS
from filmnav_common.reporting import StatusReporter
from filmnav_common.text import excerpt
from filmnav_common.transforms import TransformError
from filmnav_detection.detector import (
    DEFAULT_OWLV2_MODEL,
    CameraModel,
    GoalDetection,
    SemanticGoalDetector,
    locate_box,
)
from filmnav_detection.goal_targets import (
    GoalTargets,
    SimInstanceTable,
    ground_goal,
    robot_grounder,
    sim_grounder,
)

ODOM_HISTORY = 100
STARTUP_ERRORS = (FileNotFoundError, ValueError)  # end the node at start with one FATAL line
STARTUP_FAILURE = "cannot start the goal detector"  # its last report on diagnostics
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
    "min_area_fraction": (0.001, "share of the image a goal instance must cover to count as seen"),
    "max_distance": (5.0, "farthest depth that counts, metres"),
    "max_pose_age": (
        0.1,
        "largest stamp difference between an image and the odometry used for it, seconds",
    ),
    **FRAME_PARAMETERS,  # camera extrinsics from TF or camera.*, poses in map_frame or odometry's
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
    targets: GoalTargets
    camera_info: CameraInfo
    pose: tuple[float, float, float]
    frame_id: str


def stamp_ns(msg) -> int:
    return msg.header.stamp.sec * 1_000_000_000 + msg.header.stamp.nanosec


class DetectorNode(Node):
    def __init__(self) -> None:
        super().__init__("detector_node")
        self._param = declare_parameters(self, PARAMETERS)
        self._status = StatusReporter(self)
        self._backend = self._param("backend")
        with self._status.last_word(STARTUP_FAILURE, *STARTUP_ERRORS):
            if self._backend not in EVIDENCE_TOPICS:
                raise ValueError(
                    f"unknown backend '{self._backend}' "
                    f"(expected one of {', '.join(EVIDENCE_TOPICS)})"
                )
            self._owlv2 = self._load_owlv2() if self._backend == "owlv2" else None
            if self._owlv2 is not None:
                robot_grounder()  # encodes the household vocabulary once, before the first goal
                self.get_logger().info("goal grounding ready: the household vocabulary")
        self._robot_frames = RobotFrames(self, self._param)  # TF only once the node can start
        self._camera_info: CameraInfo | None = None
        self._table: SimInstanceTable | None = None
        self._goal: ActiveGoal | None = None
        self._targets: GoalTargets | None = None  # what the goal is searched for as
        self._odom: collections.deque[tuple[int, tuple[float, float, float], str]] = (
            collections.deque(maxlen=ODOM_HISTORY)
        )
        self._pending: dict[str, Image] = {}
        self._waiting: tuple[Image, Image] | None = None  # depth, evidence (instance or colour)
        self._lock = threading.Lock()  # sensor and goal state, shared with the detection thread

        self._publisher = self.create_publisher(DetectionArray, "filmnav/detections", RELIABLE_QOS)
        self._grounding_pub = self.create_publisher(
            GoalGrounding, "filmnav/goal_grounding", LATCHED_QOS
        )
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
        self.create_subscription(Odometry, "odom", self._on_odom, ODOMETRY_QOS)
        goals = MutuallyExclusiveCallbackGroup()  # grounding takes a while: not the sensors' turn
        if self._owlv2 is None:
            self.create_subscription(
                String, "sim/instances", self._on_table, LATCHED_QOS, callback_group=goals
            )
        self.create_subscription(
            Goal, "filmnav/active_goal", self._on_goal, LATCHED_QOS, callback_group=goals
        )
        self.create_timer(
            DETECTION_POLL_PERIOD, self._detect_ready_frame, MutuallyExclusiveCallbackGroup()
        )
        self._report_idle()

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
        """The active goal (goal_interface validated it); an empty id: idle."""
        if not msg.id:
            with self._lock:
                self._goal, self._targets = None, None
            self._report_idle()
            return
        goal_id = excerpt(msg.id)
        if msg.task not in TASKS:
            self._status.warn(
                f"ignored goal '{goal_id}': unknown task '{excerpt(msg.task, 20)}' "
                f"(expected one of {', '.join(TASKS)})"
            )
            return
        image = None
        if msg.task == "image" and self._owlv2 is not None:
            try:
                image = rgb_of(msg.image, "goal image")
            except ValueError as error:
                self._status.warn(f"ignored goal '{goal_id}': {error}")
                return
            if image is None:
                self._status.warn(f"ignored goal '{goal_id}': image goal without an image")
                return
        goal = ActiveGoal(msg.id, msg.task, msg.text, image)
        with self._lock:
            self._goal, self._targets = goal, None
        self._ground(goal)

    def _on_table(self, msg: String) -> None:
        try:
            table = SimInstanceTable.from_json(msg.data)
        except ValueError as error:
            self._status.error(f"sim/instances: {error}")
            return
        if table == self._table:
            return  # the same table again (the bridge names each new goal's instances in it)
        if table.categories and self._table is None:
            # Encode the vocabulary once, before the first goal; not ready until then.
            self._status.warn(
                f"{self._backend}: encoding {len(table.categories)} object categories for goal "
                "grounding"
            )
            sim_grounder(table.categories)
            self.get_logger().info(
                f"goal grounding ready: {len(table.categories)} object categories"
            )
        with self._lock:
            self._table, goal = table, self._goal
        if goal is not None:
            self._ground(goal)
        else:
            self._report_idle()

    def _report_idle(self) -> None:
        """Ready (OK) once goals can be grounded: in simulation after the simulator's table."""
        if self._owlv2 is None and self._table is None:
            self._status.warn(f"{self._backend}: waiting for the simulator's sim/instances table")
        else:
            self._status.ok(f"{self._backend}: waiting for a goal")

    def _ground(self, goal: ActiveGoal) -> None:
        """What the goal is searched for as (goals callback group, without the lock: grounding
        takes a while), published on filmnav/goal_grounding once per goal and table."""
        table = self._table
        if self._owlv2 is None and table is None:
            self._status.warn(
                "goal received but no sim/instances table yet: waiting for the simulator"
            )
            return
        targets = ground_goal(goal.task, goal.text, table)
        with self._lock:
            if self._goal is not goal:
                return  # another goal (or idle) came meanwhile
            self._targets = targets
        grounding = GoalGrounding(
            goal_id=goal.goal_id,
            query="" if goal.task == "image" else goal.text,
            targets=list(targets.names),
            scores=[float(score) for _, score in targets.targets],
            findable=targets.findable,
            message=targets.message,
        )
        grounding.header.stamp = self.get_clock().now().to_msg()
        self._grounding_pub.publish(grounding)
        if targets.findable:
            self._status.ok(targets.message)
        else:
            self._status.warn(targets.message)

    # ------------------------------------------------------------------------------ sensors
    def _on_camera_info(self, msg: CameraInfo) -> None:
        self._camera_info = msg

    def _on_odom(self, msg: Odometry) -> None:
        try:
            frame_id, pose = self._robot_frames.pose(msg)
        except TransformError as error:
            self._status.warn(f"odometry ignored: {error}")
            return
        with self._lock:
            self._odom.append((stamp_ns(msg), pose, frame_id))

    def _on_image(self, kind: str, msg: Image) -> None:
        with self._lock:
            self._pending[kind] = msg
            depth, evidence = self._pending.get("depth"), self._pending.get("evidence")
            if depth is None or evidence is None or stamp_ns(depth) != stamp_ns(evidence):
                return
            self._pending.clear()
            self._waiting = (depth, evidence)

    def _searching(self) -> bool:
        targets = self._targets
        return (
            targets is not None
            and targets.findable
            and (self._owlv2 is not None or bool(targets.instance_ids))
        )

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
        if not self._odom or self._odom[-1][0] < stamp_ns(depth):
            # The odometry of this instant is still on its way: an older sample, even a few ms
            # older at 50 Hz, is the pose of an earlier instant (frontier_mapper.sync does
            # the same). A newer frame replaces this one meanwhile.
            return None
        self._waiting = None
        pose, frame_id = self._pose_at(stamp_ns(depth))
        return Frame(
            depth,
            evidence,
            self._goal,
            self._targets,
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
        optical_frame = frame.depth.header.frame_id
        extrinsics = self._robot_frames.camera(optical_frame)
        if extrinsics is None:
            raise ValueError(
                f"waiting for TF {self._robot_frames.base_frame} -> '{optical_frame}'"
            )
        depth = depth_to_metres(frame.depth)
        k = frame.camera_info.k
        camera = CameraModel(fx=k[0], fy=k[4], cx=k[2], cy=k[5], extrinsics=extrinsics)
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
        targets = frame.targets
        return detector.detect(instance, depth, frame.pose, targets.instance_ids, targets.label)

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
            else self._owlv2.detect(rgb, frame.targets.queries)
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
        startup_errors=STARTUP_ERRORS,
        description="the goal detector",
    )


if __name__ == "__main__":
    sys.exit(main())
