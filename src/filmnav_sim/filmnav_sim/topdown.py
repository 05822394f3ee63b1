"""Top-down pictures of a house: rooms by kind, walls, navigable area, furniture with labels,
and optionally a trajectory and camera poses (matplotlib, headless)."""

from __future__ import annotations

import math
from collections.abc import Sequence

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
from matplotlib.patches import Polygon, Rectangle  # noqa: E402

from .furniture import COLORS  # noqa: E402
from .house import House  # noqa: E402

ROOM_COLORS = {
    "bedroom": "#c9b3e6",
    "bathroom": "#a8d8ea",
    "kitchen": "#f7d08a",
    "living room": "#b8e0a8",
    "dining room": "#f4a9a8",
    "office": "#d0d0d0",
    "hallway": "#efe6d2",
}


def depth_to_rgb(depth: np.ndarray, max_depth: float) -> np.ndarray:
    """A depth image (metres, +-inf for out of range) as a uint8 colour picture (near = bright)."""
    finite = np.where(np.isfinite(depth), depth, np.where(depth > 0, max_depth, 0.0))
    scaled = 1.0 - np.clip(finite / max_depth, 0.0, 1.0)
    return (plt.get_cmap("magma")(scaled)[..., :3] * 255).astype(np.uint8)


def instance_to_rgb(instance: np.ndarray) -> np.ndarray:
    """Instance ids as distinct colours (black for 0)."""
    palette = (plt.get_cmap("tab20")(np.arange(20))[:, :3] * 255).astype(np.uint8)
    image = palette[instance % 20]
    image[instance == 0] = 0
    return image


def draw_house(
    ax,
    house: House,
    trajectory: np.ndarray | None = None,
    poses: Sequence[tuple[float, float, float]] = (),
    highlight: Sequence[int] = (),
    labels: bool = True,
) -> None:
    """Draw the house on a matplotlib axes in world coordinates (x right, y up)."""
    for room in house.rooms:
        xmin, ymin, xmax, ymax = room.bounds
        ax.add_patch(
            Rectangle(
                (xmin, ymin), xmax - xmin, ymax - ymin, color=ROOM_COLORS[room.kind], zorder=0
            )
        )
        ax.text(
            xmin + 0.15,
            ymax - 0.15,
            room.kind,
            fontsize=7,
            va="top",
            ha="left",
            style="italic",
            color="#333333",
            zorder=5,
        )
    nav = house.nav
    h, w = nav.shape
    extent = (
        nav.origin[0],
        nav.origin[0] + w * nav.resolution,
        nav.origin[1],
        nav.origin[1] + h * nav.resolution,
    )
    overlay = np.zeros((h, w, 4))
    overlay[nav.navigable] = (1.0, 1.0, 1.0, 0.45)
    ax.imshow(overlay, origin="lower", extent=extent, zorder=1, interpolation="nearest")
    for wall in house.walls:
        xmin, ymin, xmax, ymax = wall.bounds
        ax.add_patch(Rectangle((xmin, ymin), xmax - xmin, ymax - ymin, color="#222222", zorder=3))
    for obj in house.objects:
        edge = "red" if obj.id in highlight else "black"
        ax.add_patch(
            Polygon(
                obj.footprint(),
                closed=True,
                facecolor=COLORS[obj.color],
                edgecolor=edge,
                linewidth=2.0 if obj.id in highlight else 0.6,
                zorder=4,
            )
        )
        if labels:
            ax.text(
                obj.position[0],
                obj.position[1],
                obj.category,
                fontsize=5.5,
                ha="center",
                va="center",
                zorder=6,
                bbox=dict(boxstyle="round,pad=0.1", fc="white", ec="none", alpha=0.7),
            )
    if trajectory is not None and len(trajectory):
        ax.plot(trajectory[:, 0], trajectory[:, 1], "-", color="#0055ff", linewidth=1.5, zorder=7)
    for index, (x, y, yaw) in enumerate(poses):
        ax.annotate(
            "",
            xy=(x + 0.6 * math.cos(yaw), y + 0.6 * math.sin(yaw)),
            xytext=(x, y),
            arrowprops=dict(arrowstyle="->", color="#0055ff", lw=1.5),
            zorder=8,
        )
        ax.text(
            x,
            y,
            str(index + 1),
            color="white",
            fontsize=7,
            ha="center",
            va="center",
            zorder=9,
            bbox=dict(boxstyle="circle,pad=0.15", fc="#0055ff", ec="none"),
        )
    ax.set_xlim(-0.3, house.size[0] + 0.3)
    ax.set_ylim(-0.3, house.size[1] + 0.3)
    ax.set_aspect("equal")
    ax.set_xlabel("x [m]")
    ax.set_ylabel("y [m]")


def save_house_map(house: House, path, title: str | None = None, **draw_args) -> None:
    """Write the top-down picture of a house to a PNG (0.9 inch per metre, 16 inches at most)."""
    scale = min(0.9, 16.0 / max(house.size))
    fig, ax = plt.subplots(figsize=(max(house.size[0] * scale, 5), max(house.size[1] * scale, 4)))
    draw_house(ax, house, **draw_args)
    ax.set_title(
        title or f"house {house.seed}: {len(house.rooms)} rooms, {len(house.objects)} objects"
    )
    fig.tight_layout()
    fig.savefig(path, dpi=130)
    plt.close(fig)
