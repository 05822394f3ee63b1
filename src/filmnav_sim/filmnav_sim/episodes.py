"""Habitat-style episodes over procedural houses: splits by house seed, ObjectNav, OVON-style text
and ImageNav goals, viewpoints, start poses with a reachable goal at least 1 m away (and, for house
sizes that ask for it, Habitat's filter against nearly straight-line starts)."""

from __future__ import annotations

import math
from collections.abc import Collection
from dataclasses import dataclass, field
from functools import lru_cache
from typing import NamedTuple

import numpy as np
from scipy.spatial import cKDTree

from .config import SimConfig
from .house import CATEGORIES, SEEN_CATEGORIES, House, ObjectInstance, cached_house
from .language import goal_text
from .sizes import HOUSE_SIZES
from .visibility import sight_model

SPLITS: dict[str, range] = {
    "train": range(0, 10000),
    "val": range(10000, 10500),
    "test": range(20000, 20500),
}
TASKS = ("object", "text", "image")
MIN_GEODESIC = 1.0
START_TRIES = 300
VIEWPOINT_STRIDE = 2  # check every 2nd grid cell as a viewpoint candidate
# Success: stop within this geodesic distance of a viewpoint (Habitat ObjectNav-v2 uses 0.1 m);
# viewpoints lie on a lattice of VIEWPOINT_STRIDE cells, so anywhere in the viewpoint region
# counts.
VIEWPOINT_TOLERANCE = 0.1


class EpisodeId(NamedTuple):
    """Which episode: index `index` of task `task` in house `seed` of a split and house size."""

    split: str
    seed: int
    index: int
    task: str
    houses: str = "small"

    @property
    def key(self) -> str:
        """The episode's name in records, datasets and mission goal ids."""
        return f"{self.split}/{self.houses}/{self.seed}/{self.index}/{self.task}"


@dataclass
class Episode:
    split: str
    seed: int
    index: int
    task: str
    goal_category: str
    goal_text: str
    goal_instance_ids: list[int]
    goal_image: np.ndarray | None
    start_pose: tuple[float, float, float]
    geodesic_distance: float
    viewpoints: np.ndarray = field(default_factory=lambda: np.empty((0, 2)))
    houses: str = "small"  # the house size (HOUSE_SIZES) of house `seed`

    @property
    def id(self) -> EpisodeId:
        return EpisodeId(self.split, int(self.seed), int(self.index), self.task, self.houses)


def footprint_distance(points_xy: np.ndarray, obj: ObjectInstance) -> np.ndarray:
    """Distance [N] from points to the object's rotated footprint rectangle (0 inside)."""
    offsets = np.asarray(points_xy, dtype=float).reshape(-1, 2) - obj.position[:2]
    c, s = math.cos(obj.yaw), math.sin(obj.yaw)
    local = np.abs(
        np.stack(
            [c * offsets[:, 0] + s * offsets[:, 1], -s * offsets[:, 0] + c * offsets[:, 1]], 1
        )
    )
    return np.linalg.norm(np.maximum(local - obj.size[:2] / 2, 0.0), axis=1)


def instance_viewpoints(house: House, instance_id: int, config: SimConfig) -> np.ndarray:
    """Navigable points [N, 2] within success distance of the instance that see it."""
    cache = house.__dict__.setdefault("_viewpoints", {})
    key = (instance_id, config.success_distance, config.camera_height)
    if key not in cache:
        obj = house.object_by_id(instance_id)
        nav = house.nav
        rows, cols = np.nonzero(nav.navigable)
        lattice = (rows % VIEWPOINT_STRIDE == 0) & (cols % VIEWPOINT_STRIDE == 0)
        points = nav.cell_to_world(np.stack([rows[lattice], cols[lattice]], 1))
        near = points[footprint_distance(points, obj) <= config.success_distance]
        visible = sight_model(house).visible_from(near, obj, config.camera_height)
        cache[key] = near[visible]
    return cache[key]


def goal_viewpoints(house: House, instance_ids: list[int], config: SimConfig) -> np.ndarray:
    parts = [instance_viewpoints(house, i, config) for i in instance_ids]
    return np.concatenate(parts) if parts else np.empty((0, 2))


@lru_cache(maxsize=2)
def _goal_renderer(width: int, height: int):
    from .render import HouseRenderer  # GL context only when an image goal is needed

    return HouseRenderer(width, height)


def views_of(
    house: House, obj: ObjectInstance, config: SimConfig, near: float = 0.8, far: float = 2.5
) -> np.ndarray:
    """Poses [N, 3] (x, y, yaw facing the object) in the object's room, `near` to `far` metres
    from its footprint, from which it is visible."""
    points = house.nav.navigable_points()[::VIEWPOINT_STRIDE]
    if obj.room_id >= 0:
        xmin, ymin, xmax, ymax = house.rooms[obj.room_id].bounds
        points = points[
            (points[:, 0] > xmin)
            & (points[:, 0] < xmax)
            & (points[:, 1] > ymin)
            & (points[:, 1] < ymax)
        ]
    distance = footprint_distance(points, obj)
    points = points[(distance >= near) & (distance <= far)]
    points = points[sight_model(house).visible_from(points, obj, config.camera_height)]
    yaw = np.arctan2(obj.position[1] - points[:, 1], obj.position[0] - points[:, 0])
    return np.column_stack([points, yaw])


def render_goal_image(
    house: House,
    instance_id: int,
    config: SimConfig,
    rng: np.random.Generator,
    candidates: int = 6,
) -> np.ndarray:
    """RGB view of the instance for ImageNav: of a few random poses 0.8-2.5 m away that see it,
    the one where it covers the most pixels. Falls back to its viewpoints for cramped spots."""
    obj = house.object_by_id(instance_id)
    poses = views_of(house, obj, config)
    if not len(poses):
        viewpoints = instance_viewpoints(house, instance_id, config)
        yaw = np.arctan2(obj.position[1] - viewpoints[:, 1], obj.position[0] - viewpoints[:, 0])
        poses = np.column_stack([viewpoints, yaw])
    chosen = poses[rng.choice(len(poses), size=min(candidates, len(poses)), replace=False)]
    renderer = _goal_renderer(config.width, config.height)
    renderer.load(house)
    frames = [renderer.render(float(x), float(y), float(yaw), config) for x, y, yaw in chosen]
    best = max(frames, key=lambda frame: np.count_nonzero(frame.instance == instance_id))
    return best.rgb.copy()


def straight_start_filter(
    geodesic: np.ndarray, euclidean: np.ndarray, threshold: float, rng: np.random.Generator
) -> np.ndarray:
    """Habitat's episode filter (pointnav_generator.is_compatible_episode): a start whose
    geodesic/euclidean ratio to the goal is below the threshold is kept only with probability
    20 (ratio - 0.98)^2, so most starts that see a straight way to the goal are dropped."""
    ratio = geodesic / np.maximum(euclidean, 1e-6)
    keep_anyway = rng.random(len(ratio)) < 20.0 * (ratio - 0.98) ** 2
    return (ratio >= threshold) | keep_anyway


def make_episode(
    split: str,
    seed: int,
    index: int,
    task: str,
    config: SimConfig | None = None,
    house: House | None = None,
    categories: Collection[str] | None = None,
    houses: str = "small",
) -> Episode:
    """The episode `index` of house `seed` of size `houses`; deterministic. `categories` narrows
    the goal categories further (e.g. to the held-out ones). A given `house` must be of that size.
    Raises ValueError on a bad split/seed/task/size or when the house has no reachable goal among
    the allowed categories."""
    if houses not in HOUSE_SIZES:
        raise ValueError(f"unknown house size {houses!r}; expected one of {sorted(HOUSE_SIZES)}")
    if house is not None and house.houses != houses:
        raise ValueError(
            f"house {house.seed} is {house.houses!r}, the episode asks for {houses!r}"
        )
    if split not in SPLITS:
        raise ValueError(f"unknown split {split!r}; expected one of {sorted(SPLITS)}")
    if seed not in SPLITS[split]:
        raise ValueError(f"house seed {seed} is not in split {split!r} ({SPLITS[split]})")
    if task not in TASKS:
        raise ValueError(f"unknown task {task!r}; expected one of {TASKS}")
    config = config or SimConfig()
    house = house or cached_house(
        seed, houses, resolution=config.grid_resolution, agent_radius=config.agent_radius
    )
    start_ratio = HOUSE_SIZES[houses].start_ratio
    rng = np.random.default_rng([seed, index, TASKS.index(task)])
    allowed = SEEN_CATEGORIES if split == "train" else CATEGORIES
    if categories is not None:
        allowed = [c for c in allowed if c in categories]
    categories = [c for c in house.categories_present() if c in allowed]
    nav = house.nav
    free_cells = np.argwhere(nav.navigable)
    for category in rng.permutation(categories):
        instances = [
            o
            for o in house.objects_of(str(category))
            if len(instance_viewpoints(house, o.id, config))
        ]
        if not instances:
            continue
        if task == "text":
            text, instance_ids = goal_text(str(category), instances, rng)
        elif task == "image":
            instance_ids = [instances[int(rng.integers(len(instances)))].id]
            text = str(category)
        else:
            text, instance_ids = str(category), [o.id for o in instances]
        viewpoints = goal_viewpoints(house, instance_ids, config)
        field_ = nav.distance_field(viewpoints)
        cells = free_cells[
            rng.choice(len(free_cells), size=min(START_TRIES, len(free_cells)), replace=False)
        ]
        distances = field_[cells[:, 0], cells[:, 1]]
        usable = np.isfinite(distances) & (distances >= MIN_GEODESIC)
        if start_ratio is not None:
            euclidean, _ = cKDTree(viewpoints).query(nav.cell_to_world(cells))
            usable &= straight_start_filter(distances, euclidean, start_ratio, rng)
        usable = np.flatnonzero(usable)
        if len(usable) == 0:
            continue
        row, col = cells[usable[0]]
        x, y = nav.cell_to_world((row, col))
        start = (x, y, float(rng.uniform(-math.pi, math.pi)))
        image = render_goal_image(house, instance_ids[0], config, rng) if task == "image" else None
        return Episode(
            split,
            seed,
            index,
            task,
            str(category),
            text,
            instance_ids,
            image,
            start,
            float(distances[usable[0]]),
            viewpoints,
            houses,
        )
    raise ValueError(f"house {seed} has no reachable goal for split {split!r}")
