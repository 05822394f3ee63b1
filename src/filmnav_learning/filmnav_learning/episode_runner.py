"""Headless episodes: the ROS graph's cores in one process, one Habitat action per tick.

    runner = EpisodeRunner(RunnerConfig(width=320, height=240))
    result = runner.run(make_episode("val", 10000, 0, "object"), make_policy("nearest"))
    result.summary()          # JSON-ready metrics, decisions and trajectory

The goal is grounded as an operator's goal is in the graph (filmnav_detection.goal_targets, the
detector node's function): a text or object episode searches for the instances of the categories
its text grounds to, never for the episode's goal instances directly, and a goal grounding refuses
fails at once, as goal_interface fails it. The episode is still scored against its own goal
instances. Image goals stand for the episode's goal instance (the simulated detector cannot
recognise a picture).

Per tick: render (SimEnv) -> OccupancyMap.integrate -> FrontierTracker.update -> KeyframeBuffer
(add, link frontiers) -> sim_semantic detector -> Mission.update; the mission's commands go to
the policy (RequestDecision, answered synchronously, like the SelectFrontier service) and to a
waypoint executor running the bridge's own navigate_to_pose core (habitat_bridge.goal_runner:
the simulator's shortest-path follower with Habitat actions, the stand-in for Nav2). A Finish
command calls STOP.

Same decisions as the ROS graph: the cores and their settings are the graph's (map centred on the
odometry origin, keyframe spacing, K=4 history images of 224 px, the bridge's executor), so the
first decisions match: on val/10000/0 with `nearest` the graph (filmnav_bringup's
config/sim.yaml, 640x480) and this loop pick the same three frontiers (ids 1, 2, 0). What still
differs:
- Timing. Here everything is lockstep: every frame is mapped, the mission ticks once per Habitat
  step and the policy answers before the next step. In the graph the bridge steps as fast as it
  can (step_rate 0) while the mission ticks at 10 Hz and the mapper integrates at most 10 frames/s,
  so the mission sees a frontier vanish or the goal appear a few steps later, and the paths part
  after that (val/10000/0: 60 steps in the graph, 74 here at 640x480).
- Start. The graph maps the first frame a few times while it waits for the goal (the bridge
  republishes it); this loop maps it once (same map).
- Render size. Evaluation renders 320x240 by default; the map then holds fewer depth points, which
  moves when the goal is first detected (val/10000/0: same first three decisions, 53 steps).
- Fallback. Path distances are computed only for a decision's frontiers (fast marching is the
  tracker's dearest step), so when a policy fails, the mission's nearest-frontier fallback ranks
  by straight-line distance here and by path distance in the graph.
"""

from __future__ import annotations

import math
import time
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from typing import Any

import numpy as np

from filmnav_common.camera import CameraExtrinsics
from filmnav_common.planar import Pose2D
from filmnav_common.protocol import FrontierCandidate, FrontierPolicy, GoalSpec
from filmnav_detection.detector import CameraModel, SemanticGoalDetector
from filmnav_detection.goal_targets import GoalTargets, SimInstanceTable, ground_goal
from filmnav_learning.topdown import MappedArea
from filmnav_sim.config import SimConfig
from filmnav_sim.env import Observation, SimEnv
from filmnav_sim.episodes import Episode, EpisodeId
from frontier_mapper.frontiers import Frontier, FrontierTracker
from frontier_mapper.geometry import Intrinsics
from frontier_mapper.keyframes import KeyframeBuffer, KeyframeConfig
from frontier_mapper.occupancy import MapConfig, OccupancyMap
from goal_interface.commands import execute
from goal_interface.mission import (
    Command,
    ExecutorState,
    ExecutorStatus,
    Finish,
    GoalDetection,
    Mission,
    MissionConfig,
    MissionState,
    NavigateTo,
    RequestDecision,
    Rotate,
)
from habitat_bridge.backend import instance_table
from habitat_bridge.goal_runner import GoalRunner, NavigationError


@dataclass(frozen=True)
class RunnerConfig:
    """Settings of the headless loop. Defaults equal the simulated ROS graph's
    (filmnav_bringup's config/sim.yaml and the nodes' defaults; a test keeps them in step) except
    the render size."""

    width: int = 320  # render size; evaluation default (the bridge renders 640x480)
    height: int = 240
    history_keyframes: int = 4  # goal_interface: K recent keyframes given to the policy
    keyframe_image_size: int = 224  # goal_interface: square side of the policy's images
    keyframe_min_distance: float = 0.5  # trajectory_buffer: metres between keyframes
    keyframe_min_rotation: float = 0.436  # trajectory_buffer: radians between keyframes
    keyframe_store_width: int = 224  # trajectory_buffer: stored image width
    frontier_view_fov: float = 0.785  # trajectory_buffer: width of a frontier's view, radians
    min_area_fraction: float = 0.001  # detector_node: share of the image the goal must cover
    goal_tolerance: float = 0.5  # habitat_bridge: snap waypoints off the navigable area
    align_yaw: bool = True  # habitat_bridge: turn to the waypoint's yaw on arrival (as Nav2)
    max_stalled_steps: int = (
        20  # habitat_bridge: abort after this many steps without getting closer
    )
    # ticks without an action or a command, beyond the mission's own wait for a confirming
    # detection (MissionConfig.confirm_ticks), before the episode is declared stuck
    max_idle_ticks: int = 10


@dataclass
class DecisionRecord:
    step: int
    frontier_id: int
    index: int
    frontiers: int
    waypoint: tuple[float, float, float]
    scores: list[float]
    policy: str
    latency: float
    error: str = ""


@dataclass
class EpisodeResult:
    split: str
    houses: str
    seed: int
    index: int
    task: str
    goal_text: str
    goal_category: str
    policy: str
    success: bool
    spl: float
    soft_spl: float
    distance_to_goal: float
    path_length: float
    steps: int
    geodesic_distance: float
    mission_state: str
    mission_message: str
    policy_fallbacks: int
    wall_time: float
    trajectory: np.ndarray  # [T, 3] x, y, yaw per tick
    decisions: list[DecisionRecord] = field(default_factory=list)
    chosen_waypoints: list[tuple[float, float, float]] = field(default_factory=list)
    mapped: MappedArea | None = None
    frontier_centroids: np.ndarray = field(default_factory=lambda: np.empty((0, 2)))
    goal_instance_ids: list[int] = field(default_factory=list)
    understood_as: str = ""  # what the goal was searched for as (GoalGrounding.message)

    @property
    def key(self) -> str:
        return EpisodeId(self.split, self.seed, self.index, self.task, self.houses).key

    def summary(self) -> dict[str, Any]:
        """JSON-ready record: metrics, mission outcome, decisions and the trajectory."""
        skip = {"trajectory", "decisions", "chosen_waypoints", "mapped", "frontier_centroids"}
        record = {name: value for name, value in asdict(self).items() if name not in skip}
        record["key"] = self.key
        record["decisions"] = [asdict(decision) for decision in self.decisions]
        record["trajectory"] = np.round(self.trajectory, 3).tolist()
        latencies = [d.latency for d in self.decisions if not d.error]
        record["policy_latency_mean"] = float(np.mean(latencies)) if latencies else 0.0
        return record


def frontier_candidate(frontier: Frontier, with_path_distance: bool = True) -> FrontierCandidate:
    """The tracker's frontier as the policy sees it (as the FrontierArray message carries it);
    without its path distance (inf: unknown) unless asked, as reading it runs fast marching."""
    return FrontierCandidate(
        id=int(frontier.id),
        centroid=(float(frontier.centroid[0]), float(frontier.centroid[1])),
        waypoint=tuple(float(v) for v in frontier.waypoint),
        size=float(frontier.size),
        path_distance=float(frontier.path_distance) if with_path_distance else math.inf,
    )


class WaypointExecutor:
    """The bridge's navigate_to_pose without ROS: each command becomes a GoalRunner, one Habitat
    step per tick. A Rotate is sent as the goal_interface node sends it: the current position
    with the yaw turned by the angle."""

    def __init__(self, env: SimEnv, config: RunnerConfig):
        self._env = env
        self._config = config
        self._runner: GoalRunner | None = None
        self.state = ExecutorState()

    def start(self, command: NavigateTo | Rotate) -> None:
        self.state = ExecutorState(command.seq, ExecutorStatus.ACTIVE)
        if isinstance(command, Rotate):
            x, y, yaw = self._env.pose
            goal, yaw = (x, y), yaw + command.angle
        else:
            goal, yaw = (command.x, command.y), command.yaw
        try:
            self._runner = GoalRunner(
                self._env,
                goal,
                yaw if self._config.align_yaw else None,
                snap_tolerance=self._config.goal_tolerance,
                max_stalled_steps=self._config.max_stalled_steps,
            )
        except NavigationError:
            self._end(ExecutorStatus.ABORTED)

    def cancel(self) -> None:
        if self._runner is not None:
            self._end(ExecutorStatus.CANCELED)

    def _end(self, status: ExecutorStatus) -> None:
        self.state = ExecutorState(self.state.seq, status)
        self._runner = None

    def step(self) -> Observation | None:
        """Take this tick's step; None when idle (the state then tells how the command ended)."""
        if self._runner is None:
            return None
        try:
            report = self._runner.step(self._env)
        except NavigationError:
            self._end(ExecutorStatus.ABORTED)
            return None
        if report is None:
            self._end(ExecutorStatus.SUCCEEDED)
            return None
        return report.observation


class EpisodeRunner:
    """Runs episodes headless; one renderer (GL context) is reused across episodes."""

    def __init__(self, config: RunnerConfig = RunnerConfig()):
        self.config = config
        self.sim_config = SimConfig(width=config.width, height=config.height)
        self.env = SimEnv(self.sim_config)

    def close(self) -> None:
        self.env.close()

    def run(self, episode: Episode, policy: FrontierPolicy) -> EpisodeResult:
        return _Episode(self, episode, policy).run()


class _Episode:
    """State of one running episode (the cores and the records)."""

    def __init__(self, runner: EpisodeRunner, episode: Episode, policy: FrontierPolicy):
        config, sim = runner.config, runner.sim_config
        self.config, self.sim, self.env = config, sim, runner.env
        self.episode, self.policy = episode, policy
        self.goal = GoalSpec(task=episode.task, text=episode.goal_text, image=episode.goal_image)
        self.intrinsics = Intrinsics(*sim.intrinsics())
        # As the mapper node builds it: centred on the odometry origin, so the cells line up.
        self.grid = OccupancyMap(
            MapConfig(
                resolution=sim.grid_resolution,
                max_depth=sim.max_depth,
                robot_radius=sim.agent_radius,
                camera=CameraExtrinsics(height=sim.camera_height),
            )
        )
        self.tracker = FrontierTracker()
        self.keyframes = KeyframeBuffer(
            KeyframeConfig(
                min_distance=config.keyframe_min_distance,
                min_rotation=config.keyframe_min_rotation,
                store_width=config.keyframe_store_width,
                hfov=math.radians(sim.hfov_deg),
                view_range=sim.max_depth,
                crop_fov=config.frontier_view_fov,
            )
        )
        self.detector = SemanticGoalDetector(
            CameraModel(*sim.intrinsics(), CameraExtrinsics(height=sim.camera_height)),
            min_area_fraction=config.min_area_fraction,
            max_distance=sim.max_depth,
        )
        self.mission = Mission(
            MissionConfig(
                success_distance=sim.success_distance,
                camera_hfov=math.radians(sim.hfov_deg),
                max_steps=sim.max_steps,
            )
        )
        self.started = time.perf_counter()
        self.first_observation = self.env.load_episode(episode)
        self.targets: GoalTargets = ground_goal(
            episode.task,
            episode.goal_text,
            SimInstanceTable.from_dict(instance_table(self.env)),
        )
        self.executor = WaypointExecutor(self.env, config)
        self.frontiers: list[Frontier] = []
        self.decisions: list[DecisionRecord] = []
        self.chosen: list[tuple[float, float, float]] = []
        self.fallbacks = 0
        self.finish: Finish | None = None

    def run(self) -> EpisodeResult:
        observation = self.first_observation
        self._execute(
            self.mission.start(
                self.goal,
                observation.time,
                goal_id=self.episode.id.key,
            )
        )
        if not self.targets.findable:  # as goal_interface fails a goal grounded to nothing
            self._execute(self.mission.fail(observation.time, self.targets.message))
        trajectory = [observation.pose]
        idle = 0
        while not self.env.done and self.finish is None:
            frontiers, narrow = self._perceive(observation)
            commands = self.mission.update(
                observation.time,
                observation.pose,
                frontiers,
                self._detect(observation),
                self.executor.state,
                steps=self.env.steps_taken,
                narrow=narrow,
            )
            self._execute(commands)
            if self.finish is not None:
                break
            stepped = self.executor.step()
            if stepped is None:
                # a command that needs no step (a waypoint already reached) is progress too
                idle = 0 if commands else idle + 1
                if idle > self.config.max_idle_ticks + self.mission.config.confirm_ticks:
                    self._execute(
                        self.mission.cancel(observation.time, "stuck: no command to execute")
                    )
                continue
            idle = 0
            observation = stepped
            trajectory.append(observation.pose)
        if not self.env.done:  # the mission finished (any outcome): Habitat STOP ends the episode
            trajectory.append(self.env.step("stop").pose)
        return self._result(
            np.asarray(trajectory, dtype=np.float64), time.perf_counter() - self.started
        )

    # ---- perception ---------------------------------------------------------------------------
    def _perceive(
        self, observation: Observation
    ) -> tuple[list[FrontierCandidate], list[FrontierCandidate]]:
        """The frontiers and the narrow frontiers after integrating an observation."""
        pose = Pose2D(*observation.pose)
        self.grid.integrate(observation.depth, self.intrinsics, pose)
        self.keyframes.add(observation.rgb, pose, observation.time)
        self.frontiers = self.tracker.update(self.grid, pose[:2])
        self.keyframes.link_frontiers({f.id: f.cells for f in self.frontiers})
        # The mission needs ids and waypoints every tick, path distances only in a decision.
        return tuple(
            [frontier_candidate(f, with_path_distance=False) for f in tracked]
            for tracked in (self.frontiers, self.tracker.narrow)  # narrow: the last resort
        )

    def _detect(self, observation: Observation) -> GoalDetection | None:
        in_view = self.env.instances_in_view(observation.pose, self.detector.max_distance)
        if in_view.isdisjoint(self.targets.instance_ids):  # no goal pixel can be in range:
            return None  # skip rendering the instance image
        found = self.detector.detect(
            observation.instance,
            observation.depth,
            observation.pose,
            self.targets.instance_ids,
            self.targets.label,
        )
        if not found:
            return None
        nearest = found[0]
        return GoalDetection(
            position=tuple(float(v) for v in nearest.position),
            score=nearest.score,
            label=nearest.label,
        )

    # ---- commands (goal_interface.commands.CommandHandler) ------------------------------------
    def _execute(self, commands: Sequence[Command]) -> None:
        execute(commands, self)

    def request_decision(self, command: RequestDecision) -> list[Command]:
        return self._decide(command)  # answered at once, like a policy service that never waits

    def navigate(self, command: NavigateTo) -> None:
        if command.frontier_id >= 0:
            self.chosen.append((command.x, command.y, command.yaw))
        self.executor.start(command)

    def rotate(self, command: Rotate) -> None:
        self.executor.start(command)

    def cancel_navigation(self) -> None:
        self.executor.cancel()

    def finished(self, command: Finish) -> None:
        self.finish = command

    def _policy_images(
        self, frontiers: Sequence[FrontierCandidate]
    ) -> tuple[list[np.ndarray], list[np.ndarray]]:
        """History keyframes and one view per frontier, as the trajectory buffer serves them."""
        size = self.config.keyframe_image_size
        history = [k.image for k in self.keyframes.history(self.config.history_keyframes, size)]
        requested = {f.id for f in frontiers}
        views = self.keyframes.frontier_views(
            {f.id: f.cells for f in (*self.frontiers, *self.tracker.narrow) if f.id in requested},
            size,
        )
        blank = np.zeros((size, size, 3), np.uint8)
        return history, [
            blank if views.get(f.id) is None else views[f.id].image for f in frontiers
        ]

    def _decide(self, request: RequestDecision) -> list[Command]:
        # this tick's, which the request lists (narrow ids are apart from the others)
        tracked = {f.id: f for f in (*self.frontiers, *self.tracker.narrow)}
        frontiers = tuple(frontier_candidate(tracked[c.id]) for c in request.frontiers)
        history, views = self._policy_images(frontiers)
        started = time.perf_counter()
        try:
            scores = np.asarray(
                self.policy.score(self.goal, history, views, frontiers, request.robot_pose),
                dtype=np.float64,
            ).reshape(-1)
            if scores.shape != (len(request.frontiers),) or not np.all(np.isfinite(scores)):
                raise ValueError(f"{scores.size} scores for {len(request.frontiers)} frontiers")
        except Exception as error:  # a failing policy falls back to nearest, as over ROS
            self.fallbacks += 1
            self.decisions.append(
                DecisionRecord(
                    self.env.steps_taken,
                    -1,
                    -1,
                    len(request.frontiers),
                    (0.0, 0.0, 0.0),
                    [],
                    self.policy.name,
                    time.perf_counter() - started,
                    str(error),
                )
            )
            return self.mission.on_decision(
                request.request_id, None, self.policy.name, error=str(error)
            )
        latency = time.perf_counter() - started
        index = int(np.argmax(scores))
        chosen = frontiers[index]
        self.decisions.append(
            DecisionRecord(
                self.env.steps_taken,
                chosen.id,
                index,
                len(request.frontiers),
                tuple(chosen.waypoint),
                [round(float(s), 4) for s in scores],
                self.policy.name,
                latency,
            )
        )
        return self.mission.on_decision(request.request_id, index, self.policy.name)

    # ---- outcome ------------------------------------------------------------------------------
    def _result(self, trajectory: np.ndarray, wall_time: float) -> EpisodeResult:
        metrics = self.env.metrics()
        status = self.mission.status(self.env.time)
        episode = self.episode
        return EpisodeResult(
            split=episode.split,
            houses=episode.houses,
            seed=int(episode.seed),
            index=int(episode.index),
            task=episode.task,
            goal_text=episode.goal_text,
            goal_category=episode.goal_category,
            policy=self.policy.name,
            success=bool(metrics["success"]),
            spl=float(metrics["spl"]),
            soft_spl=float(metrics["soft_spl"]),
            distance_to_goal=float(metrics["distance_to_goal"]),
            path_length=float(metrics["path_length"]),
            steps=int(metrics["steps"]),
            geodesic_distance=float(episode.geodesic_distance),
            mission_state=MissionState(status.state).name,
            mission_message=status.message,
            policy_fallbacks=self.fallbacks,
            wall_time=wall_time,
            trajectory=trajectory,
            decisions=self.decisions,
            chosen_waypoints=self.chosen,
            mapped=MappedArea(
                self.grid.explored.copy(),
                self.grid.obstacle.copy(),
                (float(self.grid.origin[0]), float(self.grid.origin[1])),
                self.grid.resolution,
            ),
            frontier_centroids=np.array([f.centroid for f in self.frontiers]).reshape(-1, 2),
            goal_instance_ids=[int(i) for i in episode.goal_instance_ids],
            understood_as=self.targets.message,
        )
