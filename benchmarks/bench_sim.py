"""Simulator speed: RGB+depth+instance frames per second, house generation, geodesic queries.

Frame rates: best and median over 25-frame runs (the machine may be shared). Timings in ms:
house generation is the mean over houses, geodesic and path queries the median.

Prints one JSON object and writes benchmarks/results/sim.json. Run with `filmnav bench sim`.
"""

from __future__ import annotations

import argparse
import json
import math
import pathlib
import platform
import statistics
import time
from collections.abc import Sequence

import numpy as np

RESULTS = pathlib.Path(__file__).resolve().parent / "results" / "sim.json"


def _fps(house, width: int, height: int, frames: int, chunk: int = 25) -> tuple[float, float]:
    """(best, median) frames per second over chunks of `chunk` frames. The best chunk is the
    least disturbed by other processes on a shared machine (as timeit takes the minimum)."""
    from filmnav_sim.config import SimConfig
    from filmnav_sim.env import SimEnv

    env = SimEnv(SimConfig(width=width, height=height))
    env.load_house(house)
    points = house.nav.navigable_points()
    rng = np.random.default_rng(0)
    poses = [
        (*points[rng.integers(len(points))], rng.uniform(-math.pi, math.pi)) for _ in range(frames)
    ]
    env.set_pose(*poses[0])  # warm-up: first frame compiles shaders and uploads textures
    rates = []
    for start in range(0, frames, chunk):
        batch = poses[start : start + chunk]
        started = time.perf_counter()
        for pose in batch:
            env.set_pose(*pose)
        rates.append(len(batch) / (time.perf_counter() - started))
    env.close()
    return max(rates), statistics.median(rates)


def main(argv: Sequence[str]) -> int:
    parser = argparse.ArgumentParser(prog="filmnav bench sim", description=__doc__)
    parser.add_argument("--seed", type=int, default=1, help="house seed for the rendering runs")
    parser.add_argument("--frames", type=int, default=200, help="frames per resolution")
    parser.add_argument("--houses", type=int, default=10, help="houses to generate for the timing")
    parser.add_argument("--queries", type=int, default=50, help="geodesic queries")
    parser.add_argument(
        "--out", type=pathlib.Path, default=RESULTS, help="where to write the JSON"
    )
    args = parser.parse_args(list(argv))

    from filmnav_sim.house import generate_house

    generation_ms = []
    for seed in range(args.houses):
        started = time.perf_counter()
        generate_house(seed)
        generation_ms.append(1000 * (time.perf_counter() - started))
    house = generate_house(args.seed)

    nav = house.nav
    points = nav.navigable_points()
    rng = np.random.default_rng(1)
    geodesic_ms, path_ms, repeat_path_ms = [], [], []
    for _ in range(args.queries):
        start, goal = points[rng.integers(len(points), size=2)]
        started = time.perf_counter()
        nav.geodesic_distance(
            start, goal[None] + rng.uniform(-1e-3, 1e-3, 2)
        )  # fresh field each time
        geodesic_ms.append(1000 * (time.perf_counter() - started))
        started = time.perf_counter()
        nav.shortest_path(start, goal)  # new goal: a shortest-path tree is built
        path_ms.append(1000 * (time.perf_counter() - started))
        other_start = points[rng.integers(len(points))]
        started = time.perf_counter()
        nav.shortest_path(other_start, goal)  # same goal again, as a path follower asks every step
        repeat_path_ms.append(1000 * (time.perf_counter() - started))

    fps_224, fps_224_median = _fps(house, 224, 224, args.frames)
    fps_640, fps_640_median = _fps(house, 640, 480, args.frames)
    result = {
        "fps_224": round(fps_224, 1),
        "fps_640x480": round(fps_640, 1),
        "fps_224_median": round(fps_224_median, 1),
        "fps_640x480_median": round(fps_640_median, 1),
        "house_gen_ms": round(statistics.mean(generation_ms), 1),
        "geodesic_ms": round(statistics.median(geodesic_ms), 2),
        "shortest_path_ms": round(statistics.median(path_ms[1:]), 2),
        "shortest_path_same_goal_ms": round(statistics.median(repeat_path_ms), 2),
        "house": {
            "seed": args.seed,
            "rooms": len(house.rooms),
            "objects": len(house.objects),
            "grid": list(nav.shape),
        },
        "frames": args.frames,
        "machine": f"{platform.machine()}, {platform.processor() or 'cpu'}",
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(result, indent=2) + "\n")
    print(json.dumps(result))
    return 0
