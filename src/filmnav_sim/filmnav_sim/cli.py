"""`filmnav sim render --seed N [--houses large] --out DIR`: a house's top-down map and
first-person views; `filmnav sim stats --houses large --count N`: the size distribution of a
size's houses; `filmnav sim catalogue`; `filmnav sim priors`: recount the stored room priors."""

from __future__ import annotations

import argparse
import json
import math
import pathlib
import time
from collections.abc import Sequence

import numpy as np

from .sizes import HOUSE_SIZES


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
    seed: int,
    out: pathlib.Path,
    views: int,
    width: int,
    height: int,
    houses: str = "small",
    max_rooms: int | None = None,
) -> dict:
    """Write house.png (top-down) and views.png (RGB/depth/instance strip); return a summary."""
    import imageio.v3 as iio

    from .config import SimConfig
    from .env import SimEnv
    from .house import generate_house
    from .topdown import depth_to_rgb, instance_to_rgb, save_house_map

    config = SimConfig(width=width, height=height)
    started = time.perf_counter()
    house = generate_house(seed, houses, max_rooms=max_rooms)
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
        "houses": houses,
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


def _summary(values: Sequence[float]) -> dict[str, float]:
    values = np.asarray(values, dtype=float)
    p10, median, p90 = np.percentile(values, [10, 50, 90])
    return {
        "mean": round(float(values.mean()), 3),
        "median": round(float(median), 3),
        "p10": round(float(p10), 3),
        "p90": round(float(p90), 3),
        "min": round(float(values.min()), 3),
        "max": round(float(values.max()), 3),
    }


def size_statistics(houses: str, split: str, count: int, episodes: int = 1) -> dict:
    """Rooms, floor area, objects and generation time of the first `count` houses of a split, the
    area of each room kind, and the start-to-goal geodesic of `episodes` ObjectNav episodes per
    house."""
    from .episodes import SPLITS, make_episode
    from .house import generate_house

    seeds = SPLITS[split][:count]
    rooms, areas, objects, seconds, geodesics = [], [], [], [], []
    kind_areas: dict[str, list[float]] = {}
    for seed in seeds:
        started = time.perf_counter()
        house = generate_house(seed, houses)
        seconds.append(time.perf_counter() - started)
        rooms.append(len(house.rooms))
        areas.append(house.size[0] * house.size[1])
        objects.append(len(house.objects))
        for room in house.rooms:
            kind_areas.setdefault(room.kind, []).append(room.area)
        for index in range(episodes):
            episode = make_episode(split, seed, index, "object", house=house, houses=houses)
            geodesics.append(episode.geodesic_distance)
    return {
        "houses": houses,
        "split": split,
        "seeds": [seeds.start, seeds.stop],
        "episodes": len(geodesics),
        "rooms": _summary(rooms),
        "area_m2": _summary(areas),
        "objects": _summary(objects),
        "geodesic_m": _summary(geodesics),
        "generation_s": _summary(seconds),
        "room_area_m2": {kind: _summary(kind_areas[kind]) for kind in sorted(kind_areas)},
    }


def main(argv: Sequence[str]) -> int:
    parser = argparse.ArgumentParser(prog="filmnav sim", description="Simulator tools.")
    commands = parser.add_subparsers(dest="command", required=True)
    render = commands.add_parser("render", help="top-down map and first-person views of a house")
    render.add_argument("--seed", type=int, default=0, help="house seed")
    render.add_argument("--out", type=pathlib.Path, required=True, help="output directory")
    render.add_argument("--views", type=int, default=4, help="number of first-person views")
    render.add_argument("--width", type=int, default=320, help="view width in pixels")
    render.add_argument("--height", type=int, default=240, help="view height in pixels")
    render.add_argument(
        "--houses", choices=sorted(HOUSE_SIZES), default="small", help="house size"
    )
    render.add_argument(
        "--max-rooms", type=int, default=None, help="largest number of rooms (default: the size's)"
    )
    stats = commands.add_parser("stats", help="size distribution of a house size's houses")
    stats.add_argument("--houses", choices=sorted(HOUSE_SIZES), default="small", help="house size")
    stats.add_argument("--count", type=int, default=200, help="number of houses")
    stats.add_argument("--split", default="val", help="split whose first houses to take")
    stats.add_argument("--episodes", type=int, default=1, help="ObjectNav episodes per house")
    stats.add_argument(
        "--out",
        type=pathlib.Path,
        default=None,
        help="JSON file (default: out/sim_stats/<houses>_<split>.json)",
    )
    priors = commands.add_parser(
        "priors", help="recount the room priors of the train houses into the package's data file"
    )
    priors.add_argument("--count", type=int, default=None, help="train houses per size")
    catalogue = commands.add_parser("catalogue", help="one view of every object category")
    catalogue.add_argument("--out", type=pathlib.Path, required=True, help="output directory")
    catalogue.add_argument("--width", type=int, default=200, help="view width in pixels")
    catalogue.add_argument("--height", type=int, default=160, help="view height in pixels")
    args = parser.parse_args(list(argv))
    if args.command == "catalogue":
        print(f"wrote {render_catalogue(args.out, args.width, args.height)}")
        return 0
    if args.command == "priors":
        from .semantics import PRIOR_HOUSES, PRIORS_FILE, write_priors

        written = write_priors(PRIORS_FILE, args.count or PRIOR_HOUSES)
        for houses, entry in written.items():
            rooms = sum(entry["counts"]["rooms"].values())
            print(f"{houses}: {rooms} rooms of train seeds {entry['seeds']}")
        print(f"wrote {PRIORS_FILE}")
        return 0
    if args.command == "stats":
        result = size_statistics(args.houses, args.split, args.count, args.episodes)
        out = args.out or pathlib.Path("out/sim_stats") / f"{args.houses}_{args.split}.json"
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_text(json.dumps(result, indent=2) + "\n")
        print(
            f"{args.houses} houses, {args.split} seeds {result['seeds']}, "
            f"{result['episodes']} episodes:"
        )
        for key in ("rooms", "area_m2", "objects", "geodesic_m", "generation_s"):
            row = result[key]
            print(
                f"  {key:13s} mean {row['mean']:7.2f}  median {row['median']:7.2f}  "
                f"p10 {row['p10']:7.2f}  p90 {row['p90']:7.2f}"
            )
        print(f"wrote {out}")
        return 0
    summary = render_house(
        args.seed, args.out, args.views, args.width, args.height, args.houses, args.max_rooms
    )
    print(
        f"house {summary['seed']}: {len(summary['rooms'])} rooms ({', '.join(summary['rooms'])}), "
        f"{summary['objects']} objects, {summary['views']} views -> "
        f"{summary['out']}/house.png, views.png"
    )
    return 0
