"""`filmnav sim render --seed N --out DIR`: a house's top-down map and first-person views."""

from __future__ import annotations

import argparse
import math
import pathlib
import time
from collections.abc import Sequence

import numpy as np


def _view_poses(house, config, count: int) -> list[tuple[float, float, float]]:
    """Poses in different rooms, each looking at a large object of its room from 1.2-3 m."""
    from .episodes import footprint_distance, views_of

    poses, rooms_seen = [], set()
    for obj in sorted(house.objects, key=lambda o: -float(np.prod(o.size))):
        if obj.room_id in rooms_seen:
            continue
        views = views_of(house, obj, config, near=1.2, far=3.0)
        if not len(views):
            continue
        x, y, yaw = views[
            int(np.argmax(footprint_distance(views[:, :2], obj)))
        ]  # the roomiest view
        poses.append((float(x), float(y), float(yaw)))
        rooms_seen.add(obj.room_id)
        if len(poses) == count:
            break
    return poses


def render_house(
    seed: int, out: pathlib.Path, views: int, width: int, height: int, max_rooms: int
) -> dict:
    """Write house.png (top-down) and views.png (RGB/depth/instance strip); return a summary."""
    import imageio.v3 as iio

    from .config import SimConfig
    from .env import SimEnv
    from .house import generate_house
    from .topdown import depth_to_rgb, instance_to_rgb, save_house_map

    config = SimConfig(width=width, height=height)
    started = time.perf_counter()
    house = generate_house(seed, max_rooms=max_rooms)
    generated = time.perf_counter() - started
    poses = _view_poses(house, config, views)
    out.mkdir(parents=True, exist_ok=True)

    save_house_map(house, out / "house.png", poses=poses)

    env = SimEnv(config)
    env.load_house(house)
    columns = []
    for x, y, yaw in poses:
        obs = env.set_pose(x, y, yaw)
        columns.append(
            np.concatenate(
                [
                    obs.rgb,
                    depth_to_rgb(obs.depth, config.max_depth),
                    instance_to_rgb(obs.instance),
                ],
                axis=0,
            )
        )
    env.close()
    gap = np.full((3 * height, 4, 3), 255, np.uint8)
    strip = np.concatenate([part for column in columns for part in (column, gap)][:-1], axis=1)
    iio.imwrite(out / "views.png", strip)
    return {
        "seed": seed,
        "rooms": [r.kind for r in house.rooms],
        "objects": len(house.objects),
        "views": len(poses),
        "house_gen_s": round(generated, 3),
        "out": str(out),
    }


def render_catalogue(out: pathlib.Path, width: int, height: int) -> pathlib.Path:
    """catalogue.png: one labelled view of every category in a showroom, seen from its front."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from .config import SimConfig
    from .env import SimEnv
    from .house import UNSEEN_CATEGORIES, showroom_house

    house = showroom_house()
    env = SimEnv(SimConfig(width=width, height=height))
    env.load_house(house)
    per_row = 7
    rows = math.ceil(len(house.objects) / per_row)
    fig, axes = plt.subplots(rows, per_row, figsize=(per_row * 2.2, rows * 2.0))
    for ax, obj in zip(axes.ravel(), house.objects, strict=False):
        distance = obj.size[0] / 2 + 1.6
        view = env.set_pose(obj.position[0], obj.position[1] - distance, math.pi / 2)
        ax.imshow(view.rgb)
        ax.set_title(
            obj.category + (" (unseen)" if obj.category in UNSEEN_CATEGORIES else ""), fontsize=9
        )
    for ax in axes.ravel():
        ax.axis("off")
    env.close()
    fig.tight_layout()
    out.mkdir(parents=True, exist_ok=True)
    fig.savefig(out / "catalogue.png", dpi=110)
    plt.close(fig)
    return out / "catalogue.png"


def main(argv: Sequence[str]) -> int:
    parser = argparse.ArgumentParser(prog="filmnav sim", description="Simulator tools.")
    commands = parser.add_subparsers(dest="command", required=True)
    render = commands.add_parser("render", help="top-down map and first-person views of a house")
    render.add_argument("--seed", type=int, default=0, help="house seed")
    render.add_argument("--out", type=pathlib.Path, required=True, help="output directory")
    render.add_argument("--views", type=int, default=4, help="number of first-person views")
    render.add_argument("--width", type=int, default=320, help="view width in pixels")
    render.add_argument("--height", type=int, default=240, help="view height in pixels")
    render.add_argument("--max-rooms", type=int, default=10, help="largest number of rooms")
    catalogue = commands.add_parser("catalogue", help="one view of every object category")
    catalogue.add_argument("--out", type=pathlib.Path, required=True, help="output directory")
    catalogue.add_argument("--width", type=int, default=200, help="view width in pixels")
    catalogue.add_argument("--height", type=int, default=160, help="view height in pixels")
    args = parser.parse_args(list(argv))
    if args.command == "catalogue":
        print(f"wrote {render_catalogue(args.out, args.width, args.height)}")
        return 0
    summary = render_house(
        args.seed, args.out, args.views, args.width, args.height, args.max_rooms
    )
    print(
        f"house {summary['seed']}: {len(summary['rooms'])} rooms ({', '.join(summary['rooms'])}), "
        f"{summary['objects']} objects, {summary['views']} views -> "
        f"{summary['out']}/house.png, views.png"
    )
    return 0
