"""The SimEnv interface over habitat-sim (HM3D / OVON scenes), used when `habitat_sim` imports.

Habitat is y-up with the agent looking along -z; the stack is REP-103 z-up with x forward. The
conversion used throughout: world (x, y, z) = (-z_h, -x_h, y_h), and a Habitat heading theta
(rotation about +y) is the world yaw theta.
"""

from __future__ import annotations

import math
import os
from collections.abc import Sequence

import numpy as np

from filmnav_common.planar import wrap_angle

from .config import SimConfig
from .env import ACTIONS, Observation
from .episodes import VIEWPOINT_TOLERANCE, Episode
from .house import House, ObjectInstance
from .metrics import soft_spl, spl, success
from .navigation import NavGrid

try:
    import habitat_sim
except ImportError:  # the adapter is optional; the built-in backend needs nothing from here
    habitat_sim = None


def habitat_available() -> bool:
    return habitat_sim is not None


def habitat_to_world(points) -> np.ndarray:
    """Habitat y-up points [..., 3] to the z-up world frame."""
    p = np.asarray(points, dtype=float)
    return np.stack([-p[..., 2], -p[..., 0], p[..., 1]], axis=-1)


def world_to_habitat(points) -> np.ndarray:
    """z-up world points [..., 3] to Habitat's y-up frame."""
    p = np.asarray(points, dtype=float)
    return np.stack([-p[..., 1], p[..., 2], -p[..., 0]], axis=-1)


def yaw_to_habitat_quaternion(yaw: float) -> tuple[float, float, float, float]:
    """(w, x, y, z) of the Habitat agent rotation for a world yaw."""
    return math.cos(yaw / 2), 0.0, math.sin(yaw / 2), 0.0


def habitat_quaternion_to_yaw(w: float, x: float, y: float, z: float) -> float:
    """World yaw of a Habitat agent rotation (the heading of its -z axis)."""
    forward_h = np.array(
        [
            -2 * (x * z + w * y),
            -2 * (y * z - w * x),
            -(1 - 2 * (x * x + y * y)),
        ]
    )  # the rotated -z axis
    forward = habitat_to_world(forward_h)
    return math.atan2(forward[1], forward[0])


class HabitatSimEnv:
    """Habitat-backed environment with SimEnv's methods; episode.seed indexes `scene_ids`.

    Scenes default to $FILMNAV_HABITAT_SCENES (paths separated by os.pathsep) and the dataset
    config to $FILMNAV_HABITAT_DATASET, so `HabitatSimEnv(config)` works like `SimEnv(config)`."""

    def __init__(
        self,
        config: SimConfig | None = None,
        scene_ids: Sequence[str] | None = None,
        scene_dataset_config_file: str | None = None,
    ):
        if habitat_sim is None:
            raise RuntimeError("habitat_sim is not installed; use the built-in SimEnv backend")
        self._config = config or SimConfig()
        if scene_ids is None:
            scene_ids = [
                s for s in os.environ.get("FILMNAV_HABITAT_SCENES", "").split(os.pathsep) if s
            ]
        if not scene_ids:
            raise ValueError("no habitat scenes: pass scene_ids or set FILMNAV_HABITAT_SCENES")
        self._scene_ids = list(scene_ids)
        self._dataset = scene_dataset_config_file or os.environ.get(
            "FILMNAV_HABITAT_DATASET", "default"
        )
        self._sim = None
        self._scene = None
        self._episode: Episode | None = None
        self._house: House | None = None
        self._steps = 0
        self._path_length = 0.0
        self._called_stop = False
        self._instance_lut = np.zeros(1, dtype=np.int32)

    # ---- set-up ------------------------------------------------------------------------------
    def _make_configuration(self, scene_id: str):
        cfg = self._config
        sim_cfg = habitat_sim.SimulatorConfiguration()
        sim_cfg.scene_id = scene_id
        sim_cfg.scene_dataset_config_file = self._dataset
        sensors = []
        for uuid, sensor_type in (
            ("rgb", habitat_sim.SensorType.COLOR),
            ("depth", habitat_sim.SensorType.DEPTH),
            ("semantic", habitat_sim.SensorType.SEMANTIC),
        ):
            spec = habitat_sim.CameraSensorSpec()
            spec.uuid = uuid
            spec.sensor_type = sensor_type
            spec.resolution = [cfg.height, cfg.width]
            spec.position = [0.0, cfg.camera_height, 0.0]
            spec.hfov = cfg.hfov_deg
            sensors.append(spec)
        actions = {
            "forward": habitat_sim.agent.ActionSpec(
                "move_forward", habitat_sim.agent.ActuationSpec(amount=cfg.forward_step)
            ),
            "turn_left": habitat_sim.agent.ActionSpec(
                "turn_left", habitat_sim.agent.ActuationSpec(amount=cfg.turn_deg)
            ),
            "turn_right": habitat_sim.agent.ActionSpec(
                "turn_right", habitat_sim.agent.ActuationSpec(amount=cfg.turn_deg)
            ),
        }
        agent_cfg = habitat_sim.agent.AgentConfiguration(
            height=cfg.camera_height,
            radius=cfg.agent_radius,
            sensor_specifications=sensors,
            action_space=actions,
        )
        return habitat_sim.Configuration(sim_cfg, [agent_cfg])

    def load_scene(self, scene_id: str) -> None:
        """Load a scene (reused when unchanged) without an episode."""
        if self._scene == scene_id:
            return
        if self._sim is not None:
            self._sim.close()
        self._sim = habitat_sim.Simulator(self._make_configuration(scene_id))
        self._scene = scene_id
        objects = self._sim.semantic_scene.objects
        semantic_ids = [int(obj.semantic_id) for obj in objects] if objects else [0]
        self._instance_lut = np.zeros(max(semantic_ids) + 1, dtype=np.int32)
        for index, semantic_id in enumerate(semantic_ids):
            self._instance_lut[semantic_id] = index + 1
        instances = [self._instance(index + 1, obj) for index, obj in enumerate(objects)]
        self._house = House(seed=-1, rooms=[], objects=instances, nav=self._navgrid())

    @staticmethod
    def _instance(instance_id: int, semantic_object) -> ObjectInstance:
        """A scene object as an axis-aligned ObjectInstance in the world frame."""
        aabb = semantic_object.aabb
        centre = habitat_to_world(np.asarray(aabb.center, dtype=float))
        sx, sy, sz = np.asarray(aabb.sizes, dtype=float)  # habitat x, y (up), z
        category = semantic_object.category.name() if semantic_object.category else ""
        return ObjectInstance(instance_id, category, -1, centre, np.array([sz, sx, sy]), 0.0, "")

    def _navgrid(self) -> NavGrid:
        """Top-down navigability at the agent's floor height as a NavGrid in the world frame."""
        pathfinder = self._sim.pathfinder
        resolution = self._config.grid_resolution
        floor = self._sim.get_agent(0).get_state().position[1]
        view = np.asarray(pathfinder.get_topdown_view(resolution, floor), dtype=bool)
        lower, _ = pathfinder.get_bounds()
        # Topdown rows run along +z_h (= -x world), columns along +x_h (= -y world).
        navigable = view[::-1, ::-1].T
        world_min = habitat_to_world(
            np.array(
                [lower[0] + view.shape[1] * resolution, 0.0, lower[2] + view.shape[0] * resolution]
            )
        )
        return NavGrid(navigable, resolution, (world_min[0], world_min[1]))

    # ---- SimEnv interface --------------------------------------------------------------------
    @property
    def config(self) -> SimConfig:
        return self._config

    @property
    def episode(self) -> Episode | None:
        return self._episode

    @property
    def house(self) -> House | None:
        """The scene's objects (axis-aligned boxes, no rooms) and navigable grid, as a House."""
        return self._house

    @property
    def steps_taken(self) -> int:
        return self._steps

    @property
    def path_length(self) -> float:
        return self._path_length

    @property
    def done(self) -> bool:
        return self._called_stop or self._steps >= self._config.max_steps

    @property
    def pose(self) -> tuple[float, float, float]:
        state = self._sim.get_agent(0).get_state()
        position = habitat_to_world(np.asarray(state.position))
        rotation = state.rotation
        yaw = habitat_quaternion_to_yaw(rotation.w, rotation.x, rotation.y, rotation.z)
        return float(position[0]), float(position[1]), yaw

    def load_episode(self, episode: Episode) -> Observation:
        self.load_scene(self._scene_ids[episode.seed % len(self._scene_ids)])
        self._episode = episode
        self._steps, self._path_length, self._called_stop = 0, 0.0, False
        return self.set_pose(*episode.start_pose)

    def set_pose(self, x: float, y: float, yaw: float) -> Observation:
        floor = self._sim.get_agent(0).get_state().position[1]
        position = world_to_habitat(np.array([x, y, 0.0]))
        position[1] = floor
        if not self._sim.pathfinder.is_navigable(position):
            raise ValueError(f"pose ({x:.2f}, {y:.2f}) is not navigable")
        state = habitat_sim.AgentState()
        state.position = position
        w, qx, qy, qz = yaw_to_habitat_quaternion(wrap_angle(yaw))
        state.rotation = np.quaternion(w, qx, qy, qz)
        self._sim.get_agent(0).set_state(state)
        return self.observe()

    def step(self, action: str) -> Observation:
        if action not in ACTIONS:
            raise ValueError(f"unknown action {action!r}; expected one of {ACTIONS}")
        if self.done:
            raise RuntimeError("episode is over (stop was called or the step budget is spent)")
        before = self.pose
        if action == "stop":
            self._called_stop = True
            observations = None
        else:
            observations = self._sim.step(action)
        after = self.pose
        self._path_length += math.hypot(after[0] - before[0], after[1] - before[1])
        self._steps += 1
        return self._observation(observations) if observations is not None else self.observe()

    def observe(self) -> Observation:
        return self._observation(self._sim.get_sensor_observations())

    def _observation(self, raw: dict) -> Observation:
        cfg = self._config
        depth = np.asarray(raw["depth"], dtype=np.float32).copy()
        depth[depth > cfg.max_depth] = np.inf
        depth[depth < cfg.min_depth] = -np.inf
        semantic = np.asarray(raw["semantic"], dtype=np.int64)
        instance = self._instance_lut[np.clip(semantic, 0, len(self._instance_lut) - 1)]
        return Observation(
            np.asarray(raw["rgb"])[..., :3].copy(),
            depth,
            instance,
            self.pose,
            self._steps * cfg.action_duration,
        )

    def category_of(self, instance_id: int) -> str:
        if instance_id <= 0 or self._house is None or instance_id > len(self._house.objects):
            return ""
        return self._house.object_by_id(int(instance_id)).category

    def distance_to_goal(self) -> float:
        path = habitat_sim.MultiGoalShortestPath()
        x, y, _ = self.pose
        path.requested_start = world_to_habitat(np.array([x, y, 0.0])) + np.array(
            [0.0, self._floor(), 0.0]
        )
        path.requested_ends = [
            world_to_habitat(np.array([vx, vy, 0.0])) + np.array([0.0, self._floor(), 0.0])
            for vx, vy in self._episode.viewpoints
        ]
        found = self._sim.pathfinder.find_path(path)
        return float(path.geodesic_distance) if found else math.inf

    def _floor(self) -> float:
        return float(self._sim.get_agent(0).get_state().position[1])

    def metrics(self) -> dict:
        distance = self.distance_to_goal()
        success_value = success(self._called_stop, distance <= VIEWPOINT_TOLERANCE)
        start = self._episode.geodesic_distance
        return {
            "success": success_value,
            "spl": spl(success_value, start, self._path_length),
            "soft_spl": soft_spl(distance, start, self._path_length),
            "distance_to_goal": distance,
            "path_length": self._path_length,
            "steps": self._steps,
        }

    def close(self) -> None:
        if self._sim is not None:
            self._sim.close()
            self._sim = None
