"""The built-in simulator: an agent with Habitat actions in a procedural house."""

from __future__ import annotations

import functools
import math
import threading
from dataclasses import dataclass

import numpy as np

from .config import SimConfig
from .episodes import VIEWPOINT_TOLERANCE, Episode, goal_viewpoints
from .house import House, cached_house
from .metrics import soft_spl, spl, success
from .navigation import NavGrid

ACTIONS = ("forward", "turn_left", "turn_right", "stop")


@dataclass
class Observation:
    rgb: np.ndarray  # uint8 [H, W, 3]
    depth: np.ndarray  # float32 [H, W] metres; +inf beyond max_depth, -inf closer than min_depth
    instance: np.ndarray  # int32 [H, W]; 0 = no object, else ObjectInstance.id
    pose: tuple[float, float, float]  # x, y, yaw of the base in the world frame
    time: float  # simulated seconds since the episode started


def wrap_angle(angle: float) -> float:
    return math.atan2(math.sin(angle), math.cos(angle))


def move_with_sliding(
    nav: NavGrid, x: float, y: float, dx: float, dy: float
) -> tuple[float, float]:
    """Move by (dx, dy) as far as the grid allows; on contact slide along the blocked axis."""
    start, step = np.array([x, y]), np.array([dx, dy])
    samples = max(2, int(math.ceil(np.hypot(dx, dy) / (0.25 * nav.resolution))) + 1)
    fractions = np.linspace(0.0, 1.0, samples)
    free = nav.navigable_mask(start + fractions[:, None] * step)
    if free.all():
        return x + dx, y + dy
    blocked = int(np.argmin(free))
    reached = start + fractions[max(blocked - 1, 0)] * step
    remaining = step * (1.0 - fractions[max(blocked - 1, 0)])
    best = reached
    for slide in (np.array([remaining[0], 0.0]), np.array([0.0, remaining[1]])):
        free_slide = nav.navigable_mask(reached + fractions[:, None] * slide)
        last = len(fractions) - 1 if free_slide.all() else max(int(np.argmin(free_slide)) - 1, 0)
        candidate = reached + fractions[last] * slide
        if np.linalg.norm(candidate - reached) > np.linalg.norm(best - reached):
            best = candidate
    return float(best[0]), float(best[1])


def _serialised(method):
    """Run a SimEnv method under the environment's lock."""

    @functools.wraps(method)
    def locked(self, *args, **kwargs):
        with self._lock:
            return method(self, *args, **kwargs)

    return locked


class SimEnv:
    """Habitat-like environment over MuJoCo-rendered procedural houses. Calls may come from
    several threads (one at a time: they are serialised)."""

    def __init__(self, config: SimConfig | None = None):
        self._lock = threading.RLock()
        self._config = config or SimConfig()
        self._renderer = None
        self._house: House | None = None
        self._episode: Episode | None = None
        self._pose = (0.0, 0.0, 0.0)
        self._steps = 0
        self._path_length = 0.0
        self._called_stop = False

    # ---- properties --------------------------------------------------------------------------
    @property
    def config(self) -> SimConfig:
        return self._config

    @property
    def house(self) -> House | None:
        return self._house

    @property
    def episode(self) -> Episode | None:
        return self._episode

    @property
    def pose(self) -> tuple[float, float, float]:
        return self._pose

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
    def time(self) -> float:
        return self._steps * self._config.action_duration

    # ---- episode control ---------------------------------------------------------------------
    @_serialised
    def load_house(self, house: House) -> None:
        """Use a house without an episode (free exploration, rendering); resets the counters."""
        if self._renderer is None:
            from .render import HouseRenderer  # the GL context is created on first use

            self._renderer = HouseRenderer(self._config.width, self._config.height)
        self._house = house
        self._renderer.load(house)
        self._episode = None
        self._reset_counters()

    @_serialised
    def load_episode(self, episode: Episode, house: House | None = None) -> Observation:
        """Load the episode's house (reused when unchanged) and place the agent at the start.
        Pass `house` when the episode was made from a house built with non-default arguments."""
        if house is None:
            house = (
                self._house
                if self._house is not None and self._house.seed == episode.seed
                else cached_house(
                    episode.seed,
                    resolution=self._config.grid_resolution,
                    agent_radius=self._config.agent_radius,
                )
            )
        self.load_house(house)
        self._episode = episode
        self._pose = tuple(float(v) for v in episode.start_pose)
        return self.observe()

    def _reset_counters(self) -> None:
        self._steps = 0
        self._path_length = 0.0
        self._called_stop = False

    def _require_house(self) -> House:
        if self._house is None:
            raise RuntimeError("no house loaded: call load_episode() or load_house() first")
        return self._house

    # ---- acting ------------------------------------------------------------------------------
    @_serialised
    def step(self, action: str) -> Observation:
        """Apply one Habitat action: 'forward', 'turn_left', 'turn_right' or 'stop'."""
        house = self._require_house()
        if action not in ACTIONS:
            raise ValueError(f"unknown action {action!r}; expected one of {ACTIONS}")
        if self.done:
            raise RuntimeError("episode is over (stop was called or the step budget is spent)")
        x, y, yaw = self._pose
        if action == "forward":
            step = self._config.forward_step
            nx, ny = move_with_sliding(house.nav, x, y, step * math.cos(yaw), step * math.sin(yaw))
            self._path_length += math.hypot(nx - x, ny - y)
            self._pose = (nx, ny, yaw)
        elif action in ("turn_left", "turn_right"):
            sign = 1.0 if action == "turn_left" else -1.0
            self._pose = (x, y, wrap_angle(yaw + sign * math.radians(self._config.turn_deg)))
        else:
            self._called_stop = True
        self._steps += 1
        return self.observe()

    @_serialised
    def set_pose(self, x: float, y: float, yaw: float) -> Observation:
        """Teleport the agent; the position must be navigable. Does not count as a step."""
        house = self._require_house()
        if not house.nav.is_navigable((x, y)):
            raise ValueError(f"pose ({x:.2f}, {y:.2f}) is not navigable")
        self._pose = (float(x), float(y), wrap_angle(float(yaw)))
        return self.observe()

    @_serialised
    def observe(self) -> Observation:
        self._require_house()
        x, y, yaw = self._pose
        frame = self._renderer.render(x, y, yaw, self._config)
        depth = frame.depth
        depth[depth > self._config.max_depth] = np.inf
        depth[depth < self._config.min_depth] = -np.inf
        return Observation(frame.rgb, depth, frame.instance, self._pose, self.time)

    # ---- evaluation --------------------------------------------------------------------------
    def category_of(self, instance_id: int) -> str:
        """Category of an instance id from the instance image ('' for 0, i.e. no object)."""
        if instance_id == 0:
            return ""
        return self._require_house().object_by_id(int(instance_id)).category

    def distance_to_goal(self) -> float:
        """Geodesic distance from the agent to the nearest goal viewpoint."""
        episode, house = self._episode, self._require_house()
        if episode is None:
            raise RuntimeError("no episode loaded")
        viewpoints = goal_viewpoints(house, episode.goal_instance_ids, self._config)
        return house.nav.geodesic_distance(self._pose[:2], viewpoints)

    def metrics(self) -> dict:
        """success, spl, soft_spl, distance_to_goal, path_length, steps of the current episode.

        Success: 'stop' was called at a goal viewpoint, i.e. within success_distance of a goal
        instance that is visible from there."""
        episode = self._episode
        if episode is None:
            raise RuntimeError("no episode loaded")
        distance = self.distance_to_goal()
        success_value = success(self._called_stop, distance <= VIEWPOINT_TOLERANCE)
        return {
            "success": success_value,
            "spl": spl(success_value, episode.geodesic_distance, self._path_length),
            "soft_spl": soft_spl(distance, episode.geodesic_distance, self._path_length),
            "distance_to_goal": distance,
            "path_length": self._path_length,
            "steps": self._steps,
        }

    def close(self) -> None:
        if self._renderer is not None:
            self._renderer.close()
            self._renderer = None


class PathFollower:
    """Greedy follower of the grid's shortest path with Habitat actions (like habitat-lab's
    ShortestPathFollower): turn towards the next waypoint when off by more than half a turn,
    otherwise step forward; 'stop' within `goal_radius` of the goal.

    A goal off the navigable area (inside furniture, beyond a wall) is snapped to the nearest
    navigable point if that is within `max_snap_distance`; farther goals are unreachable."""

    def __init__(
        self,
        nav: NavGrid,
        config: SimConfig | None = None,
        goal_radius: float | None = None,
        max_snap_distance: float = 0.5,
    ):
        self.nav = nav
        self.config = config or SimConfig()
        self.goal_radius = self.config.forward_step if goal_radius is None else goal_radius
        self.max_snap_distance = max_snap_distance

    def reachable_goal(self, pose, goal_xy) -> np.ndarray | None:
        """The navigable point the follower will drive to, or None when the goal is unreachable."""
        goal = np.asarray(goal_xy, dtype=float)[:2]
        snapped = np.asarray(self.nav.snap(goal))
        if np.linalg.norm(snapped - goal) > self.max_snap_distance:
            return None
        if not np.isfinite(self.nav.geodesic_distance(pose[:2], snapped[None])):
            return None
        return snapped

    def path(self, pose, goal_xy) -> np.ndarray:
        """Waypoints from the pose to the goal (empty when unreachable)."""
        goal = self.reachable_goal(pose, goal_xy)
        return np.empty((0, 2)) if goal is None else self.nav.shortest_path(pose[:2], goal)

    def next_action(self, pose, goal_xy) -> str | None:
        """The next action towards goal_xy from pose (x, y, yaw); None when unreachable."""
        goal = self.reachable_goal(pose, goal_xy)
        if goal is None:
            return None
        position = np.asarray(pose[:2], dtype=float)
        if np.linalg.norm(goal - position) <= self.goal_radius:
            return "stop"
        path = self.nav.shortest_path(position, goal)
        if len(path) == 0:
            return None
        ahead = [p for p in path[1:] if np.linalg.norm(p - position) > 0.5 * self.nav.resolution]
        target = ahead[0] if ahead else goal
        heading = math.atan2(target[1] - position[1], target[0] - position[0])
        error = wrap_angle(heading - pose[2])
        if abs(error) > math.radians(self.config.turn_deg) / 2:
            return "turn_left" if error > 0 else "turn_right"
        return "forward"
