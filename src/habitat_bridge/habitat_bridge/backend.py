"""Simulator side of the bridge (no ROS): pick a backend, load episodes, summarise them.

Functions taking `env` run on the simulator thread (see sim_thread.SimThread).
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

import numpy as np

from filmnav_sim.config import SimConfig
from filmnav_sim.episodes import Episode, make_episode
from filmnav_sim.house import CATEGORIES
from filmnav_sim.navigation import NavGrid

BACKENDS = ("builtin", "habitat")
# (split, seed, index, task) -> Episode
EpisodeSampler = Callable[[str, int, int, str], Episode]

# SimConfig fields exposed as node parameters under their own names, with descriptions (the
# bridge node declares the camera and the turn angle itself, in REP-103 units).
TUNABLE_CONFIG_FIELDS: dict[str, str] = {
    "min_depth": "closest depth reading, metres (closer: -inf)",
    "max_depth": "farthest depth reading, metres (farther: +inf)",
    "forward_step": "Habitat forward action, metres",
    "agent_radius": "robot radius for collisions and planning, metres",
    "grid_resolution": "cell size of the navigable grid, metres",
    "max_steps": "step budget of each goal (Habitat: 500 per episode)",
    "success_distance": "success: stop within this distance of a visible goal instance, metres",
    "action_duration": "simulated seconds per Habitat step (drives the clock)",
}


def create_backend(
    name: str,
    config: SimConfig,
    split: str,
    houses: str = "small",
    habitat_episodes: str = "",
    habitat_scenes_dir: str = "",
    habitat_scene_dataset: str = "",
) -> tuple[Callable[[], Any], EpisodeSampler]:
    """(environment factory, episode sampler) of a backend. Run both on the simulator thread:
    building the environment and sampling image goals create GL contexts.

    builtin: procedural houses of the given size, episodes from filmnav_sim. habitat: habitat-sim
    scenes, episodes from a habitat-lab ObjectNav/OVON split file (`habitat_episodes`)."""
    if name == "builtin":
        from filmnav_sim.env import SimEnv

        sampler = functools.partial(make_episode, config=config, houses=houses)
        return (lambda: SimEnv(config)), sampler
    if name == "habitat":
        from filmnav_sim.habitat_adapter import HabitatSimEnv, habitat_available
        from habitat_bridge.habitat_episodes import HabitatEpisodes

        if not habitat_available():
            raise RuntimeError("backend 'habitat' needs habitat-sim, which does not import here")
        if not habitat_episodes:
            raise ValueError("backend 'habitat' needs habitat_episodes: a habitat-lab split file")
        dataset = HabitatEpisodes.load(habitat_episodes, split, habitat_scenes_dir)
        return (
            lambda: HabitatSimEnv(config, dataset.scene_ids, habitat_scene_dataset or None)
        ), dataset.episode
    raise ValueError(f"unknown backend '{name}' (choose one of {', '.join(BACKENDS)})")


def navigation_grid(env: Any) -> NavGrid:
    """The environment's navigable grid (the house's, or the habitat scene's)."""
    return env.house.nav if env.house is not None else env.nav


def load_episode(
    env: Any, sample: EpisodeSampler, split: str, seed: int, index: int, task: str
) -> tuple[Episode, Any]:
    """Sample the (split, seed, index, task) episode and place the agent at its start.
    Raises ValueError for a bad split, seed, index or task."""
    episode = sample(split, seed, index, task)
    return episode, env.load_episode(episode)


def searched_instance_ids(env: Any) -> list[int]:
    """The goal instances the current goal is scored against: its segment's (the goal that was
    sent, built-in simulator), else the episode's."""
    segment = getattr(env, "segment", None)
    return [
        int(i) for i in (segment.goal_instance_ids if segment else env.episode.goal_instance_ids)
    ]


def instance_table(env: Any) -> dict[str, Any]:
    """What the simulator's goal grounding needs (filmnav_detection.goal_targets): every instance
    id -> category and colour, every category the simulator knows, and the episode's goal
    instances (what an image goal stands for in simulation); for the reference policies, the
    instances the current goal is scored against."""
    episode = env.episode
    objects = env.house.objects if env.house else ()
    return {
        "split": episode.split,
        "seed": episode.seed,
        "episode": episode.index,
        "task": episode.task,
        "houses": getattr(episode, "houses", "small"),  # habitat episodes: no procedural size
        "goal_category": episode.goal_category,
        "goal_instance_ids": [int(i) for i in episode.goal_instance_ids],
        "searched_instance_ids": searched_instance_ids(env),
        # habitat-sim scenes: categories only through env.category_of, no table (yet)
        "instances": {str(obj.id): obj.category for obj in objects},
        "colors": {str(obj.id): obj.color for obj in objects},
        "categories": list(dict.fromkeys([*CATEGORIES, *(obj.category for obj in objects)])),
    }


def instance_image_16bit(instance: np.ndarray) -> np.ndarray:
    """Instance ids as uint16 for a 16UC1 image (ids are small positive ints; 0 = no object)."""
    if instance.size and int(instance.max()) > np.iinfo(np.uint16).max:
        raise ValueError(f"instance id {int(instance.max())} does not fit a 16UC1 image")
    return instance.astype(np.uint16)


def scores_each_goal(env: Any) -> bool:
    """Whether the environment scores each goal from where the robot stands when it is given
    (`start_segment`: the built-in simulator); habitat-sim scenes score the episode's goal."""
    return hasattr(env, "start_segment")


def episode_summary(env: Any, goal_id: str) -> dict[str, Any]:
    """EpisodeResult fields (all but the header) of the goal `goal_id` (empty: the episode's
    own, as loaded), from the metrics of its segment."""
    episode, metrics = env.episode, env.metrics()
    segment = getattr(env, "segment", None)
    return {
        "goal_id": goal_id,
        "seed": int(episode.seed),
        "episode": int(episode.index),
        "split": episode.split,
        "task": episode.task,
        "houses": getattr(episode, "houses", ""),  # habitat episodes: no procedural size
        "goal_text": episode.goal_text,
        "goal_instance_ids": searched_instance_ids(env),
        "success": bool(metrics["success"]),
        "spl": float(metrics["spl"]),
        "soft_spl": float(metrics["soft_spl"]),
        "distance_to_goal": float(metrics["distance_to_goal"]),
        "geodesic_start": float(
            segment.geodesic_distance if segment else episode.geodesic_distance
        ),
        "path_length": float(metrics["path_length"]),
        "steps": int(metrics["steps"]),
    }
