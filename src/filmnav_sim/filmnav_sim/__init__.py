"""Procedural houses rendered with MuJoCo, geodesics, Habitat-style episodes and metrics, and a
habitat-sim adapter with the same interface. No ROS."""

import os

# MuJoCo picks its OpenGL platform when it is first imported (render.py, visibility.py). Without
# a display its default (GLFW) cannot work, so render offscreen through EGL unless told otherwise.
if not any(os.environ.get(name) for name in ("MUJOCO_GL", "DISPLAY", "WAYLAND_DISPLAY")):
    os.environ["MUJOCO_GL"] = "egl"

from .config import SimConfig
from .env import Observation, PathFollower, SimEnv
from .episodes import SPLITS, TASKS, Episode, make_episode
from .house import (
    CATEGORIES,
    SEEN_CATEGORIES,
    UNSEEN_CATEGORIES,
    House,
    ObjectInstance,
    Room,
    generate_house,
)
from .navigation import NavGrid
from .sizes import HOUSE_SIZES, HouseSize

__all__ = [
    "CATEGORIES",
    "HOUSE_SIZES",
    "SEEN_CATEGORIES",
    "UNSEEN_CATEGORIES",
    "SPLITS",
    "TASKS",
    "Episode",
    "House",
    "HouseSize",
    "NavGrid",
    "ObjectInstance",
    "Observation",
    "PathFollower",
    "Room",
    "SimConfig",
    "SimEnv",
    "generate_house",
    "make_episode",
]
