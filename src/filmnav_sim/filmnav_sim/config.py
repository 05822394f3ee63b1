"""Task settings of the built-in simulator (Habitat ObjectNav defaults)."""

from __future__ import annotations

import math
from dataclasses import dataclass


@dataclass
class SimConfig:
    """Camera, agent and episode settings. Lengths in metres, angles in degrees."""

    width: int = 640
    height: int = 480
    hfov_deg: float = 79.0
    camera_height: float = 0.88
    min_depth: float = 0.5
    max_depth: float = 5.0
    forward_step: float = 0.25
    turn_deg: float = 30.0
    agent_radius: float = 0.18
    max_steps: int = 500
    success_distance: float = 1.0
    grid_resolution: float = 0.05
    action_duration: float = 0.25  # simulated seconds per action (drives the sim clock)

    def intrinsics(self) -> tuple[float, float, float, float]:
        """Pinhole intrinsics fx, fy, cx, cy in pixels (square pixels, centred principal point)."""
        fx = (self.width / 2.0) / math.tan(math.radians(self.hfov_deg) / 2.0)
        return fx, fx, (self.width - 1) / 2.0, (self.height - 1) / 2.0

    @property
    def vfov_deg(self) -> float:
        """Vertical field of view implied by hfov and the aspect ratio."""
        half = math.atan(math.tan(math.radians(self.hfov_deg) / 2.0) * self.height / self.width)
        return math.degrees(2.0 * half)
