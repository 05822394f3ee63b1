"""Top-down picture of one simulated episode: the house, what the robot mapped, its trajectory,
the frontiers it chose (numbered, in order), the frontiers left at the end, and the goal."""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import dataclass

import matplotlib

matplotlib.use("Agg")  # headless: evaluation machines have no display
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
from matplotlib.lines import Line2D  # noqa: E402

from filmnav_sim.house import House  # noqa: E402
from filmnav_sim.topdown import draw_house  # noqa: E402

EXPLORED_RGBA = (0.2, 0.5, 1.0, 0.25)
OBSTACLE_RGBA = (0.1, 0.1, 0.3, 0.8)


@dataclass
class MappedArea:
    """The robot's map: row = y, column = x, cell (0, 0) corner at `origin` (metres)."""

    explored: np.ndarray  # bool [rows, cols]
    obstacle: np.ndarray  # bool [rows, cols]
    origin: tuple[float, float]
    resolution: float

    def image(self) -> np.ndarray:
        rgba = np.zeros((*self.explored.shape, 4))
        rgba[self.explored] = EXPLORED_RGBA
        rgba[self.obstacle] = OBSTACLE_RGBA
        return rgba

    def extent(self) -> tuple[float, float, float, float]:
        rows, cols = self.explored.shape
        x0, y0 = self.origin
        return x0, x0 + cols * self.resolution, y0, y0 + rows * self.resolution


def save_episode_map(
    path: str | os.PathLike,
    house: House,
    title: str,
    trajectory: np.ndarray,
    chosen_waypoints: Sequence[tuple[float, float, float]],
    goal_instance_ids: Sequence[int],
    mapped: MappedArea | None = None,
    frontier_centroids: np.ndarray | None = None,
) -> None:
    """Write the episode picture to `path` (PNG)."""
    width, height = house.size[0], house.size[1]
    figure, axes = plt.subplots(figsize=(max(width * 0.9, 5), max(height * 0.9, 4)))
    draw_house(
        axes,
        house,
        trajectory=np.asarray(trajectory)[:, :2],
        poses=list(chosen_waypoints),
        highlight=list(goal_instance_ids),
        labels=False,
    )
    if mapped is not None:
        axes.imshow(
            mapped.image(),
            origin="lower",
            extent=mapped.extent(),
            interpolation="nearest",
            zorder=2,
        )
    if frontier_centroids is not None and len(frontier_centroids):
        axes.scatter(
            *np.asarray(frontier_centroids).T,
            s=30,
            marker="s",
            facecolors="none",
            edgecolors="darkorange",
            linewidths=1.5,
            zorder=8,
            label="frontiers left",
        )
    if len(trajectory):
        axes.plot(
            *np.asarray(trajectory)[0, :2],
            "o",
            color="limegreen",
            markeredgecolor="black",
            markersize=9,
            zorder=9,
            label="start",
        )
    goals = np.array([house.object_by_id(i).position[:2] for i in goal_instance_ids]).reshape(
        -1, 2
    )
    axes.scatter(*goals.T, s=200, marker="*", c="red", edgecolors="black", zorder=10, label="goal")
    handles, _ = axes.get_legend_handles_labels()
    handles += [  # draw_house draws these without labels
        Line2D([], [], color="#0055ff", linewidth=1.5, label="trajectory"),
        Line2D(
            [],
            [],
            marker="o",
            color="#0055ff",
            linestyle="none",
            label="chosen frontiers (in order)",
        ),
    ]
    axes.legend(handles=handles, loc="upper right", fontsize=7, framealpha=0.85)
    axes.set_title(title, fontsize=9)
    figure.tight_layout()
    figure.savefig(path, dpi=110)
    plt.close(figure)
