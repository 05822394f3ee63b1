"""The built-in simulator: an agent with Habitat actions in a procedural house."""

from __future__ import annotations

import dataclasses
import functools
import math
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np

from filmnav_common.planar import wrap_angle

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
    # the instance image, or what renders it when first read (see `instance`)
    instance_source: np.ndarray | Callable[[], np.ndarray]
    pose: tuple[float, float, float]  # x, y, yaw of the base in the world frame
    time: float  # simulated seconds since the episode started

    @property
    def instance(self) -> np.ndarray:
        """int32 [H, W]; 0 = no object, else ObjectInstance.id. The built-in simulator renders it
        on first read: a caller that needs it only when an object of interest can be in view
        (`SimEnv.instances_in_view`) skips that render pass on the other steps."""
        if callable(self.instance_source):
            self.instance_source = self.instance_source()
        return self.instance_source


@dataclass(frozen=True)
class Segment:
    """The goal the agent is scored on: its goal instances and the geodesic distance to them from
    where the agent stood when it was given (an episode's own goal: from the episode's start)."""

    goal_instance_ids: tuple[int, ...]
    start_pose: tuple[float, float, float]
    geodesic_distance: float  # inf when no goal instance is given or none can be reached


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
        self._segment: Segment | None = None
        self._clock_start = 0.0  # sim time when the step counter last restarted

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
        return self._clock_start + self._steps * self._config.action_duration

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
        self._segment = None
        self._clock_start = 0.0

    @_serialised
    def load_episode(self, episode: Episode, house: House | None = None) -> Observation:
        """Load the episode's house (reused when unchanged) and place the agent at the start.
        Pass `house` when the episode was made from a house built with non-default arguments."""
        if house is None:
            house = (
                self._house
                if self._house is not None
                and (self._house.seed, self._house.houses) == (episode.seed, episode.houses)
                else cached_house(
                    episode.seed,
                    houses=episode.houses,
                    resolution=self._config.grid_resolution,
                    agent_radius=self._config.agent_radius,
                )
            )
        self.load_house(house)
        self._episode = episode
        self._pose = tuple(float(v) for v in episode.start_pose)
        self._segment = Segment(
            tuple(int(i) for i in episode.goal_instance_ids),
            self._pose,
            float(episode.geodesic_distance),
        )
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
        house = self._require_house()
        x, y, yaw = self._pose
        config = dataclasses.replace(self._config)  # as it is now, for the deferred pass
        renderer = self._renderer
        rgb, depth = renderer.render_colour(x, y, yaw, config)
        depth[depth > config.max_depth] = np.inf
        depth[depth < config.min_depth] = -np.inf

        def instance() -> np.ndarray:
            if renderer.house is not house:
                raise RuntimeError("the house of this observation is no longer loaded")
            return renderer.render_instance(x, y, yaw, config)

        return Observation(rgb, depth, instance, self._pose, self.time)

    @_serialised
    def instances_in_view(self, pose: tuple[float, float, float], max_range: float) -> set[int]:
        """Ids of the objects that may show in the camera's view from `pose` up to `max_range`
        metres ahead: no other object can appear in an instance image from there at a depth
        within `max_range`."""
        self._require_house()
        return self._renderer.instances_in_view(*pose, self._config, max_range)

    # ---- goals given one after another --------------------------------------------------------
    @property
    def segment(self) -> Segment | None:
        return self._segment

    @_serialised
    def start_segment(self, goal_instance_ids: Sequence[int] = ()) -> None:
        """Score a new goal from where the agent stands, as a robot given its next goal: the step
        budget, step count, path length and STOP start again, the clock runs on, the agent stays
        put. The goal instances may follow (`set_segment_goal`)."""
        self._require_house()
        self._clock_start = self.time
        self._reset_counters()
        self._segment = self._scored(goal_instance_ids, self._pose)

    @_serialised
    def set_segment_goal(self, goal_instance_ids: Sequence[int]) -> None:
        """The goal instances the current segment is scored against; its geodesic distance is
        measured from where the segment started."""
        if self._segment is None:
            raise RuntimeError("no segment started: call load_episode() or start_segment()")
        self._segment = self._scored(goal_instance_ids, self._segment.start_pose)

    def _scored(
        self, goal_instance_ids: Sequence[int], start: tuple[float, float, float]
    ) -> Segment:
        house = self._require_house()
        ids = tuple(int(i) for i in goal_instance_ids)
        viewpoints = goal_viewpoints(house, list(ids), self._config)
        distance = (
            house.nav.geodesic_distance(start[:2], viewpoints) if len(viewpoints) else math.inf
        )
        return Segment(ids, start, float(distance))

    # ---- evaluation --------------------------------------------------------------------------
    def category_of(self, instance_id: int) -> str:
        """Category of an instance id from the instance image ('' for 0, i.e. no object)."""
        if instance_id == 0:
            return ""
        return self._require_house().object_by_id(int(instance_id)).category

    def distance_to_goal(self) -> float:
        """Geodesic distance from the agent to the nearest viewpoint of the scored goal."""
        segment, house = self._segment, self._require_house()
        if segment is None:
            raise RuntimeError("no episode loaded")
        viewpoints = goal_viewpoints(house, list(segment.goal_instance_ids), self._config)
        if not len(viewpoints):
            return math.inf
        return house.nav.geodesic_distance(self._pose[:2], viewpoints)

    def metrics(self) -> dict:
        """success, spl, soft_spl, distance_to_goal, path_length, steps of the scored goal (the
        episode's own, or the segment's since `start_segment`).

        Success: 'stop' was called at a goal viewpoint, i.e. within success_distance of a goal
        instance that is visible from there."""
        segment = self._segment
        if segment is None:
            raise RuntimeError("no episode loaded")
        distance = self.distance_to_goal()
        success_value = success(self._called_stop, distance <= VIEWPOINT_TOLERANCE)
        start = segment.geodesic_distance
        reachable = math.isfinite(start)
        return {
            "success": success_value,
            "spl": spl(success_value, start, self._path_length) if reachable else 0.0,
            "soft_spl": soft_spl(distance, start, self._path_length) if reachable else 0.0,
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
        self._snapped: tuple[bytes, np.ndarray] | None = None  # the last goal and its snap

    def _snap(self, goal: np.ndarray) -> np.ndarray:
        """The goal snapped to the grid, kept for the last goal (asked for on every step)."""
        key = goal.tobytes()
        if self._snapped is None or self._snapped[0] != key:
            self._snapped = (key, np.asarray(self.nav.snap(goal)))
        return self._snapped[1]

    def reachable_goal(self, pose, goal_xy) -> np.ndarray | None:
        """The navigable point the follower will drive to, or None when the goal is unreachable."""
        goal = np.asarray(goal_xy, dtype=float)[:2]
        snapped = self._snap(goal)
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
        waypoints = self.nav.path_waypoints(position, goal)  # string-pulled only as far as read
        if next(waypoints, None) is None:
            return None
        target = next(
            (p for p in waypoints if np.linalg.norm(p - position) > 0.5 * self.nav.resolution),
            goal,
        )
        heading = math.atan2(target[1] - position[1], target[0] - position[0])
        error = wrap_angle(heading - pose[2])
        if abs(error) > math.radians(self.config.turn_deg) / 2:
            return "turn_left" if error > 0 else "turn_right"
        return "forward"
