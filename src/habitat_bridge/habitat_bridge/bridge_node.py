"""The simulated robot: a ROS 2 node over the FiLM-Nav simulator (built-in MuJoCo houses or
habitat-sim).

Publishes (relative names): camera/color/image_raw (rgb8), camera/depth/image_raw (32FC1 m, or
16UC1 mm with `depth_encoding`), camera/instance/image_raw (16UC1 instance ids, 0 = none), both
camera_info topics (the depth image is registered to the colour camera), odom (frame `odom`,
child `base_link`; also at `odom_rate` with stamp jitter), TF (odom -> base_link ->
camera_link -> camera_color_optical_frame), clock (sim time, advancing per Habitat step; with
`clock:=wall` stamps come from the node's clock instead, as a robot's drivers stamp, and no
clock is published), sim/instances (latched std_msgs/String JSON: the episode's goal instances,
every object instance id -> category and colour, and every category the simulator knows, for the
sim-only detector's goal grounding) and sim/episode_result (latched
filmnav_interfaces/EpisodeResult, once per goal when the robot stops or its step budget is spent).
Serves: navigate_to_pose (nav2_msgs/action/NavigateToPose, Habitat steps on the sim's
navigable grid), sim/reset_episode (filmnav_interfaces/srv/ResetEpisode) and sim/stop
(filmnav_interfaces/srv/StopGoal: Habitat STOP, ends the goal it names and publishes its result;
the robot stays put; a STOP for a goal that is no longer the one scored changes nothing).

Like a robot, it serves goal after goal from where it stands: each new goal on the latched
`filmnav/active_goal` (goal_interface announces the goals it accepts there) is scored on its own
from the robot's pose at that moment (geodesic distance to the viewpoints of the instances it
was grounded to, path length, steps and a fresh step budget), with no reset. The goal is grounded
as the detector grounds it (filmnav_detection.goal_targets); the episode's own goal, as
sim/reset_episode hands it out, is scored against the episode's goal instances.
"""

from __future__ import annotations

import bisect
import contextlib
import json
import math
import random
import threading
import time
from collections import deque
from collections.abc import Iterator, Sequence
from typing import Any

from builtin_interfaces.msg import Time
from filmnav_interfaces.msg import EpisodeResult, Goal
from filmnav_interfaces.srv import ResetEpisode, StopGoal
from nav2_msgs.action import NavigateToPose
from nav_msgs.msg import Odometry
from rclpy.action import ActionServer, CancelResponse
from rclpy.callback_groups import MutuallyExclusiveCallbackGroup, ReentrantCallbackGroup
from rclpy.clock import Clock as RosClock
from rclpy.clock import ClockType
from rclpy.node import Node
from rosgraph_msgs.msg import Clock
from sensor_msgs.msg import CameraInfo, Image
from std_msgs.msg import Header, String
from tf2_msgs.msg import TFMessage

from filmnav_common.camera import OPTICAL_QUATERNION, CameraExtrinsics
from filmnav_common.image_codec import metres_to_depth_image, numpy_to_image
from filmnav_common.node_main import run_node
from filmnav_common.parameters import declare_parameters
from filmnav_common.qos import LATCHED_QOS, RELIABLE_QOS, SENSOR_QOS
from filmnav_common.reporting import StatusReporter
from filmnav_common.text import excerpt
from filmnav_common.tf_listener import (
    TF_QOS,
    TF_STATIC_BROADCASTER_QOS,
    TF_STATIC_TOPIC,
    TF_TOPIC,
    ns_to_stamp,
    stamp_to_ns,
    transform_to_msg,
)
from filmnav_common.transforms import StampedTransform, Transform, quaternion_from_yaw
from filmnav_detection.goal_targets import SimInstanceTable, ground_goal, sim_grounder
from filmnav_sim.config import SimConfig
from filmnav_sim.episodes import SPLITS, Episode
from habitat_bridge import backend, ros_messages
from habitat_bridge.goal_runner import GoalRunner, NavigationError, NavigationErrorCode
from habitat_bridge.sim_thread import SimThread

HABITAT_PARAMETERS = ("habitat_episodes", "habitat_scenes_dir", "habitat_scene_dataset")
DEPTH_ENCODINGS = ("32FC1", "16UC1")
CLOCKS = ("sim", "wall")


def episode_goal_id(episode: Episode) -> str:
    """The id of an episode's own goal, as sim/reset_episode hands it out."""
    return f"{episode.split}/{episode.seed}/{episode.index}"


class HabitatBridgeNode(Node):
    def __init__(self) -> None:
        super().__init__("habitat_bridge")
        self._declare_parameters()
        self._reporter = StatusReporter(self)
        self._config = SimConfig(
            width=self._param("width"),
            height=self._param("height"),
            hfov_deg=math.degrees(self._param("camera.hfov")),
            camera_height=self._param("camera.height"),
            turn_deg=math.degrees(self._param("turn_angle")),
            **{name: self._param(name) for name in backend.TUNABLE_CONFIG_FIELDS},
        )
        self._check_config()
        self._odom_frame = self._param("odom_frame")
        self._base_frame = self._param("base_frame")
        self._camera_frame = self._param("camera_frame")
        self._wall_clock = self._param("clock") == "wall"
        # (stamp ns, pose) of the latest frames: what rate-published odometry reports
        self._poses: deque[tuple[int, tuple[float, float, float]]] = deque(maxlen=16)
        self._last_odom_ns = -1
        self._last_observation: Any = None

        self._color_pub = self.create_publisher(Image, "camera/color/image_raw", SENSOR_QOS)
        self._depth_pub = self.create_publisher(Image, "camera/depth/image_raw", SENSOR_QOS)
        self._instance_pub = self.create_publisher(Image, "camera/instance/image_raw", SENSOR_QOS)
        self._color_info_pub = self.create_publisher(
            CameraInfo, "camera/color/camera_info", SENSOR_QOS
        )
        self._depth_info_pub = self.create_publisher(
            CameraInfo, "camera/depth/camera_info", SENSOR_QOS
        )
        self._odom_pub = self.create_publisher(Odometry, "odom", RELIABLE_QOS)
        self._clock_pub = self.create_publisher(Clock, "clock", RELIABLE_QOS)
        self._instances_pub = self.create_publisher(String, "sim/instances", LATCHED_QOS)
        self._result_pub = self.create_publisher(EpisodeResult, "sim/episode_result", LATCHED_QOS)
        self._tf_pub = None
        if self._param("publish_tf"):
            self._tf_pub = self.create_publisher(TFMessage, TF_TOPIC, TF_QOS)
            self._publish_static_tf()

        make_env, self._sample_episode = backend.create_backend(
            self._param("backend"),
            self._config,
            self._param("split"),
            self._param("houses"),
            **{name: self._param(name) for name in HABITAT_PARAMETERS},
        )
        self._sim = SimThread(make_env)
        self._observation_lock = threading.Lock()
        self._last_messages: list[tuple[Any, Any]] = []
        self._sim_time = 0.0  # of the last observation
        # One navigation goal (or reset/stop) at a time. Each newcomer takes a new generation
        # number, which tells the active goal to yield: the newest request wins.
        self._motion_lock = threading.Lock()
        self._generation_lock = threading.Lock()
        self._generation = 0
        self._closing = False
        self._result_published = False
        # The goal being scored: its id ("" for the episode as loaded) and the episode's own id;
        # the id on filmnav/active_goal ("" while idle).
        self._segment_lock = threading.Lock()
        self._goal_id = ""
        self._episode_goal_id = ""
        self._active_id = ""
        self._scores_each_goal = self._sim.call(backend.scores_each_goal)

        self._load_episode(
            self._param("split"), self._param("seed"), self._param("episode"), self._param("task")
        )

        commands = ReentrantCallbackGroup()
        self._action_server = ActionServer(
            self,
            NavigateToPose,
            self._param("navigate_action"),
            execute_callback=self._execute_navigation,
            cancel_callback=lambda _goal_handle: CancelResponse.ACCEPT,
            callback_group=commands,
        )
        self.create_service(
            ResetEpisode, "sim/reset_episode", self._on_reset, callback_group=commands
        )
        self.create_service(StopGoal, "sim/stop", self._on_stop, callback_group=commands)
        self._grounder_warmup = threading.Thread(target=self._warm_grounder, daemon=True)
        if self._scores_each_goal:
            self._grounder_warmup.start()
            self.create_subscription(
                Goal,
                "filmnav/active_goal",
                self._on_active_goal,
                LATCHED_QOS,
                callback_group=MutuallyExclusiveCallbackGroup(),
            )
        if self._param("odom_rate") > 0.0:
            self.create_timer(
                1.0 / self._param("odom_rate"),
                self._publish_odometry_tick,
                callback_group=MutuallyExclusiveCallbackGroup(),
                clock=RosClock(clock_type=ClockType.STEADY_TIME),
            )
        publish_rate = self._param("publish_rate")
        if publish_rate > 0.0:
            # Wall-clock timer: under use_sim_time the sim clock stands still while idle.
            self.create_timer(
                1.0 / publish_rate,
                self._republish,
                callback_group=MutuallyExclusiveCallbackGroup(),
                clock=RosClock(clock_type=ClockType.STEADY_TIME),
            )

    # ----------------------------------------------------------------------------- parameters
    def _declare_parameters(self) -> None:
        defaults = SimConfig()
        table: dict[str, tuple[Any, str]] = {
            "backend": ("builtin", "simulator: builtin (procedural MuJoCo houses) | habitat"),
            "split": ("val", "split of the start-up episode: train | val | test"),
            "houses": ("small", "procedural house size of every episode: small | large (builtin)"),
            "seed": (SPLITS["val"].start, "house seed of the start-up episode (in the split)"),
            "episode": (0, "episode index within the house of the start-up episode"),
            "task": ("object", "task of the start-up episode: object | text | image"),
            "width": (defaults.width, "image width, pixels"),
            "height": (defaults.height, "image height, pixels"),
            # the graph's camera block (sim.yaml sets it for every node): here the camera itself
            "camera.hfov": (
                math.radians(defaults.hfov_deg),
                "horizontal field of view of the simulated camera, radians",
            ),
            "camera.height": (
                defaults.camera_height,
                "height of the simulated camera above the floor, metres",
            ),
            "turn_angle": (math.radians(defaults.turn_deg), "Habitat turn actions, radians"),
            "publish_rate": (2.0, "republish the latest sensors while idle, Hz (0: never)"),
            "step_rate": (
                10.0,
                "Habitat steps per wall-clock second while navigating (0: no limit)",
            ),
            "goal_tolerance": (
                0.5,
                "navigate_to_pose: goals off the navigable area move to the "
                "nearest navigable point up to this far, metres",
            ),
            "align_yaw": (True, "navigate_to_pose: turn to the goal orientation (as Nav2 does)"),
            "max_stalled_steps": (
                20,
                "navigate_to_pose: abort after this many steps without getting closer",
            ),
            "habitat_episodes": (
                "",
                "habitat: habitat-lab ObjectNav/OVON split file (.json.gz); seed = scene index",
            ),
            "habitat_scenes_dir": ("", "habitat: directory the episodes' scene paths start from"),
            "habitat_scene_dataset": (
                "",
                "habitat: scene dataset config file "
                "(empty: $FILMNAV_HABITAT_DATASET or habitat's default)",
            ),
            "odom_frame": ("odom", "frame of odom and of navigate_to_pose goals"),
            "base_frame": ("base_link", "child frame of odom"),
            "camera_frame": ("camera_color_optical_frame", "frame of the images and camera_info"),
            "navigate_action": (
                "navigate_to_pose",
                "name of the NavigateToPose action served (actions cannot be remapped)",
            ),
            "camera_link_frame": (
                "camera_link",
                "camera body frame between base and camera in TF",
            ),
            "publish_tf": (
                True,
                "TF: odom -> base with every odometry; static base -> camera_link -> camera_frame",
            ),
            "depth_encoding": (
                "32FC1",
                "32FC1 (metres, REP-117 +-inf out of range) | 16UC1 (millimetres, 0: no reading, "
                "as RealSense)",
            ),
            "clock": (
                "sim",
                "stamps: sim (simulated time, published on clock) | wall (the node's clock at "
                "publication, as a robot's drivers; no clock topic)",
            ),
            "odom_rate": (
                0.0,
                "odometry (and TF) also at this rate, Hz, with the pose of the latest frame "
                "(0: only with each frame; needs clock wall)",
            ),
            "odom_jitter": (
                0.0,
                "rate-published odometry is stamped up to this many seconds before it is "
                "sent (uniform)",
            ),
        }
        table.update(
            (name, (getattr(defaults, name), description))
            for name, description in backend.TUNABLE_CONFIG_FIELDS.items()
        )
        self._param = declare_parameters(self, table)

    def _check_config(self) -> None:
        config = self._config
        if config.width <= 0 or config.height <= 0 or not 0.0 < config.hfov_deg < 180.0:
            raise ValueError(
                f"bad camera: {config.width}x{config.height} pixels, camera.hfov "
                f"{self._param('camera.hfov')} rad"
            )
        if not 0.0 < config.min_depth < config.max_depth:
            raise ValueError(f"bad depth range [{config.min_depth}, {config.max_depth}] m")
        for name in ("publish_rate", "step_rate", "odom_rate", "odom_jitter"):
            if self._param(name) < 0.0:
                raise ValueError(f"{name} must be >= 0, got {self._param(name)}")
        for name, allowed in (("depth_encoding", DEPTH_ENCODINGS), ("clock", CLOCKS)):
            if self._param(name) not in allowed:
                raise ValueError(
                    f"{name} must be one of {', '.join(allowed)}, got '{self._param(name)}'"
                )
        rate = self._param("odom_rate")
        if rate > 0.0 and self._param("clock") != "wall":
            raise ValueError(
                "odom_rate needs clock wall: the sim clock stands still between steps"
            )
        if rate > 0.0 and self._param("odom_jitter") * rate >= 0.5:
            raise ValueError("odom_jitter must be less than half the odometry period")

    # ---------------------------------------------------------------------------- publishing
    def _stamp(self, sim_time: float) -> Time:
        """The stamp of something that happened at `sim_time`: the sim time itself, or with
        `clock:=wall` the node's clock now."""
        if self._wall_clock:
            return self.get_clock().now().to_msg()
        return ros_messages.seconds_to_time(sim_time)

    def _header(self, sim_time: float, frame: str) -> Header:
        return Header(stamp=self._stamp(sim_time), frame_id=frame)

    def _publish_static_tf(self) -> None:
        """base -> camera_link -> camera optical frame, latched, as robot_state_publisher."""
        stamp = stamp_to_ns(self._stamp(0.0))
        mount = CameraExtrinsics(height=self._config.camera_height).body_transform()
        links = (
            (self._base_frame, self._param("camera_link_frame"), mount),
            (
                self._param("camera_link_frame"),
                self._camera_frame,
                Transform(rotation=OPTICAL_QUATERNION),
            ),
        )
        publisher = self.create_publisher(TFMessage, TF_STATIC_TOPIC, TF_STATIC_BROADCASTER_QOS)
        publisher.publish(
            TFMessage(
                transforms=[
                    transform_to_msg(StampedTransform(parent, child, stamp, transform))
                    for parent, child, transform in links
                ]
            )
        )

    def _odometry_messages(
        self, pose: tuple[float, float, float], stamp: Time
    ) -> list[tuple[Any, Any]]:
        """Odometry of the base at `stamp`, and its TF when publish_tf."""
        header = Header(stamp=stamp, frame_id=self._odom_frame)
        messages: list[tuple[Any, Any]] = [
            (self._odom_pub, ros_messages.odometry(pose, header, self._base_frame))
        ]
        if self._tf_pub is not None:
            x, y, yaw = pose
            link = StampedTransform(
                self._odom_frame,
                self._base_frame,
                stamp_to_ns(stamp),
                Transform((x, y, 0.0), quaternion_from_yaw(yaw)),
            )
            messages.append((self._tf_pub, TFMessage(transforms=[transform_to_msg(link)])))
        return messages

    def _camera_messages(self, observation: Any, stamp: Time) -> list[tuple[Any, Any]]:
        """(publisher, message) pairs of one observation's camera: camera_info first, so a node
        that receives an image already has its intrinsics."""
        camera = Header(stamp=stamp, frame_id=self._camera_frame)
        info = ros_messages.camera_info(
            self._config.intrinsics(), self._config.width, self._config.height, camera
        )
        instance = backend.instance_image_16bit(observation.instance)
        depth_encoding = self._param("depth_encoding")
        return [
            (self._color_info_pub, info),
            (self._depth_info_pub, info),
            (self._color_pub, numpy_to_image(observation.rgb, "rgb8", camera)),
            (self._depth_pub, metres_to_depth_image(observation.depth, depth_encoding, camera)),
            (self._instance_pub, numpy_to_image(instance, "16UC1", camera)),
        ]

    def _publish_observation(self, observation: Any) -> None:
        """Publish one observation, every message with one stamp: the clock first (sim time),
        so nodes on sim time see the stamp as now, then odometry and TF, then the camera, so a
        node that receives an image has already been sent the pose of its instant. Odometry goes
        out under the lock the odometry timer takes, so odometry stamps never go back."""
        with self._observation_lock:
            stamp = self._stamp(observation.time)
            stamp_ns = stamp_to_ns(stamp)
            pose_messages = [
                *([] if self._wall_clock else [(self._clock_pub, Clock(clock=stamp))]),
                *self._odometry_messages(observation.pose, stamp),
            ]
            for publisher, message in pose_messages:
                publisher.publish(message)
            self._last_observation = observation
            self._sim_time = observation.time
            self._poses.append((stamp_ns, observation.pose))
            self._last_odom_ns = max(self._last_odom_ns, stamp_ns)
        camera_messages = self._camera_messages(observation, stamp)
        for publisher, message in camera_messages:
            publisher.publish(message)
        with self._observation_lock:
            if self._last_observation is observation:
                self._last_messages = pose_messages + camera_messages

    def _republish(self) -> None:
        """Idle keep-alive for late subscribers: the last frame again, with its stamps (sim
        clock) or stamped now (wall clock: a camera keeps streaming)."""
        if self._motion_lock.locked():
            return
        with self._observation_lock:
            messages, observation = self._last_messages, self._last_observation
        if self._wall_clock and observation is not None:
            self._publish_observation(observation)
            return
        for publisher, message in messages:
            publisher.publish(message)

    def _publish_odometry_tick(self) -> None:
        """Rate-published odometry (clock wall): stamped up to odom_jitter before now, with the
        pose of the latest frame stamped no later, so a stamp never carries a pose it did not
        have; stamps stay increasing."""
        now_ns = self.get_clock().now().nanoseconds
        stamp_ns = now_ns - int(random.uniform(0.0, self._param("odom_jitter")) * 1e9)
        with self._observation_lock:
            if stamp_ns <= self._last_odom_ns or not self._poses:
                return
            index = bisect.bisect_right([stamp for stamp, _ in self._poses], stamp_ns) - 1
            if index < 0:
                return
            self._last_odom_ns = stamp_ns
            for publisher, message in self._odometry_messages(
                self._poses[index][1], ns_to_stamp(stamp_ns)
            ):
                publisher.publish(message)

    def _publish_result_if_over(self) -> None:
        """Publish the episode's Habitat metrics once, when the agent stopped or ran out of
        steps."""
        if self._result_published or not self._sim.call(lambda env: env.done):
            return
        summary = self._sim.call(backend.episode_summary, self._goal_id)
        message = EpisodeResult(header=self._header(self._sim_time, self._odom_frame), **summary)
        self._result_pub.publish(message)
        self._result_published = True
        self.get_logger().info(
            f"goal '{excerpt(self._goal_id) or self._episode_goal_id}' over: "
            f"success={message.success} spl={message.spl:.3f} soft_spl={message.soft_spl:.3f} "
            f"steps={message.steps}"
        )

    # -------------------------------------------------------------------------- episodes
    def _load_episode(self, split: str, seed: int, index: int, task: str) -> Episode:
        """Load an episode on the sim thread, publish its first frame and instance table."""
        with self._segment_lock:
            episode, observation = self._sim.call(
                backend.load_episode, self._sample_episode, split, seed, index, task
            )
            self._result_published = False
            self._goal_id = ""
            self._episode_goal_id = episode_goal_id(episode)
        table = self._sim.call(backend.instance_table)
        self._instances_pub.publish(String(data=json.dumps(table)))
        self._publish_observation(observation)
        self._reporter.ok(
            "episode loaded",
            split=split,
            seed=seed,
            episode=index,
            task=episode.task,
            goal=episode.goal_text,
        )
        self.get_logger().info(
            f"episode {split}/{seed}/{index} loaded: {episode.task} goal '{episode.goal_text}', "
            f"{episode.geodesic_distance:.2f} m away"
        )
        return episode

    def _goal_message(self, episode: Episode) -> Goal:
        goal = Goal(id=episode_goal_id(episode), task=episode.task)
        if episode.goal_image is not None:
            goal.image = numpy_to_image(episode.goal_image, "rgb8")
        else:
            goal.text = episode.goal_text
        return goal

    @contextlib.contextmanager
    def _motion(self) -> Iterator[int]:
        """Hold the robot: make the active goal (if any) yield, wait for it, run the body.
        Yields this request's generation (see `_preempted`)."""
        with self._generation_lock:
            self._generation += 1
            generation = self._generation
        with self._motion_lock:
            yield generation

    def _preempted(self, generation: int) -> bool:
        return self._generation != generation

    def _on_reset(
        self, request: ResetEpisode.Request, response: ResetEpisode.Response
    ) -> ResetEpisode.Response:
        split = request.split or self._param("split")
        task = request.task or self._param("task")
        try:
            with self._motion():
                episode = self._load_episode(split, request.seed, request.episode, task)
        except (ValueError, RuntimeError) as error:
            response.success = False
            response.message = (
                f"cannot load {split} seed {request.seed} episode {request.episode} "
                f"({task}): {error}"
            )
            self._reporter.error(response.message)
            return response
        response.success = True
        response.message = (
            f"loaded {split} seed {episode.seed} episode {episode.index}: "
            f"{episode.task} goal '{episode.goal_text}'"
        )
        response.goal = self._goal_message(episode)
        response.geodesic_distance = float(episode.geodesic_distance)
        return response

    def _on_active_goal(self, msg: Goal) -> None:
        """A new goal is scored from where the robot stands (see the module docstring); idle (an
        empty id) or the running goal again changes nothing."""
        running, self._active_id = self._active_id, msg.id
        if not msg.id or msg.id == running:
            return
        # Under the lock, so a STOP (which takes it too) is scored against what the goal means,
        # even when the vocabulary is still being encoded.
        with self._segment_lock:
            self._sim.call(lambda env: env.start_segment())  # counted from now
            self._goal_id, self._result_published = msg.id, False
            self._grounder_warmup.join()
            if msg.id == self._episode_goal_id:
                ids = self._sim.call(lambda env: list(env.episode.goal_instance_ids))
                understood = "the episode's goal"
            else:
                table = SimInstanceTable.from_dict(self._sim.call(backend.instance_table))
                targets = ground_goal(msg.task, msg.text, table)
                ids, understood = sorted(targets.instance_ids), targets.message
            self._sim.call(lambda env: env.set_segment_goal(ids))
            segment = self._sim.call(lambda env: env.segment)
            # the reference policies (oracle, room_prior) follow the goal that was sent
            searched = self._sim.call(backend.instance_table)
        self._instances_pub.publish(String(data=json.dumps(searched)))
        x, y, _ = segment.start_pose
        self.get_logger().info(
            f"goal '{excerpt(msg.id)}' scored from ({x:.2f}, {y:.2f}), "
            f"{segment.geodesic_distance:.2f} m from its goal: {understood}"
        )

    def _warm_grounder(self) -> None:
        """Encode the simulator's vocabulary (filmnav_detection.goal_targets) once, off the
        callbacks, while the rest of the graph starts: the first goal is scored without delay."""
        table = SimInstanceTable.from_dict(self._sim.call(backend.instance_table))
        sim_grounder(table.categories)

    def _on_stop(
        self, request: StopGoal.Request, response: StopGoal.Response
    ) -> StopGoal.Response:
        """Habitat STOP: ends the goal (the robot stays where it is); the reply carries its
        metrics as JSON. A STOP named for another goal than the one scored is refused: the caller
        ended that goal, and a newer one may have started before its STOP arrived."""
        with self._motion(), self._segment_lock:
            if request.goal_id and self._goal_id and request.goal_id != self._goal_id:
                response.success = False
                response.message = (
                    f"goal '{excerpt(request.goal_id)}' is no longer the one scored "
                    f"('{excerpt(self._goal_id)}'): STOP ignored"
                )
                self.get_logger().info(response.message)
                return response
            if self._sim.call(lambda env: env.done):
                response.success = False
                response.message = (
                    "the goal is already over (stopped or its step budget spent): send the "
                    "next goal or reset the episode"
                )
                return response
            self._publish_observation(self._sim.call(lambda env: env.step("stop")))
            self._publish_result_if_over()
            metrics = self._sim.call(lambda env: env.metrics())
        response.success = True
        response.message = json.dumps({key: float(value) for key, value in metrics.items()})
        return response

    # ------------------------------------------------------------------------ navigation
    def _execute_navigation(self, goal_handle) -> NavigateToPose.Result:
        with self._motion() as generation:
            if self._closing:
                return self._abort(
                    goal_handle, NavigationErrorCode.UNKNOWN, "the robot is shutting down"
                )
            return self._navigate(goal_handle, generation)

    def _abort(
        self, goal_handle, code: int, message: str, *, fault: bool = True
    ) -> NavigateToPose.Result:
        """Abort a navigation; only a fault is a warning (a newer request preempting it is how
        Nav2 clients work, and would stay on the operator's status as a problem)."""
        if fault:
            self._reporter.warn(f"navigate_to_pose aborted: {message}")
        else:
            self.get_logger().info(f"navigate_to_pose aborted: {message}")
        goal_handle.abort()
        return NavigateToPose.Result(error_code=int(code), error_msg=message)

    def _navigate(self, goal_handle, generation: int) -> NavigateToPose.Result:
        target = goal_handle.request.pose
        frame = target.header.frame_id
        if frame not in ("", self._odom_frame):
            return self._abort(
                goal_handle,
                NavigationErrorCode.TF_ERROR,
                f"goal frame '{frame}' is not the odometry frame '{self._odom_frame}'",
            )
        yaw = (
            ros_messages.quaternion_to_yaw(target.pose.orientation)
            if self._param("align_yaw")
            else None
        )
        try:
            runner = self._sim.call(
                GoalRunner,
                (target.pose.position.x, target.pose.position.y),
                yaw,
                snap_tolerance=self._param("goal_tolerance"),
                max_stalled_steps=self._param("max_stalled_steps"),
            )
        except NavigationError as error:
            return self._abort(goal_handle, error.code, str(error))
        step_rate = self._param("step_rate")
        start_time = self._sim_time
        travelled = 0.0
        next_step_at = time.monotonic()
        while True:
            if goal_handle.is_cancel_requested:
                goal_handle.canceled()
                return NavigateToPose.Result(error_code=0, error_msg="canceled")
            if self._preempted(generation):
                if self._closing:
                    reason = "the robot is shutting down"
                    return self._abort(goal_handle, NavigationErrorCode.UNKNOWN, reason)
                reason = "preempted by a newer request"
                return self._abort(goal_handle, NavigationErrorCode.UNKNOWN, reason, fault=False)
            if step_rate > 0.0:
                time.sleep(max(0.0, next_step_at - time.monotonic()))
                next_step_at = max(next_step_at + 1.0 / step_rate, time.monotonic())
            try:
                step = self._sim.call(runner.step)
            except NavigationError as error:
                return self._abort(goal_handle, error.code, str(error))
            if step is None:
                self._reporter.ok("navigate_to_pose succeeded")  # an earlier fault is over
                goal_handle.succeed()
                return NavigateToPose.Result(error_code=0, error_msg="")
            observation, travelled = step.observation, travelled + step.moved
            self._publish_observation(observation)
            if step.episode_over:
                self._publish_result_if_over()
            elapsed = observation.time - start_time
            header = self._header(observation.time, self._odom_frame)
            feedback = NavigateToPose.Feedback(
                current_pose=ros_messages.pose_stamped(observation.pose, header),
                navigation_time=ros_messages.seconds_to_duration(elapsed),
                estimated_time_remaining=ros_messages.seconds_to_duration(
                    step.distance_remaining * elapsed / travelled if travelled > 0.0 else 0.0
                ),
                number_of_recoveries=0,
                distance_remaining=float(step.distance_remaining),
            )
            goal_handle.publish_feedback(feedback)

    def destroy_node(self) -> None:
        """End the active goal (aborted, so its client hears of it), then free the simulator."""
        self._closing = True
        with self._motion():
            self._sim.close()
        super().destroy_node()


def main(argv: Sequence[str] | None = None) -> int:
    # SIGINT stops the spin loop; destroy_node() then ends a running goal properly.
    return run_node(
        HabitatBridgeNode,
        argv,
        threads=4,
        startup_errors=(ValueError, RuntimeError),
        description="the simulated robot",
    )


if __name__ == "__main__":
    raise SystemExit(main())
