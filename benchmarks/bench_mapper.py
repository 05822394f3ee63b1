"""Mapper speed: one 640x480 depth frame into a 1000x1000 map, then frontier extraction.

Depth is ray-cast from a 6 x 4 m room with a doorway and a corridor (exact geometry), seen from
the room centre while the robot turns a full circle in 12 steps. `map_update_ms` is the median
time of OccupancyMap.integrate (back-projection, obstacle marking, field-of-view fill) per frame;
`frontier_ms` is the median time of FrontierTracker.update (frontier cells, clustering,
splitting, navigable area, reachability, fast-marching path distances, waypoints, id matching)
after each frame; the `_first_frame` variants use a map that holds that one frame only. Runs on
one thread (OMP_NUM_THREADS=1, cv2.setNumThreads(1)). Usage: filmnav bench mapper [--repeats N]
[--stride S] [--figure PNG] (top-down picture of the final map and frontiers)
"""

from __future__ import annotations

import argparse
import json
import math
import os
import pathlib
import platform
import time
from collections.abc import Sequence

ROOT = pathlib.Path(__file__).resolve().parents[1]


def main(argv: Sequence[str]) -> int:
    parser = argparse.ArgumentParser(
        prog="filmnav bench mapper", description=__doc__.splitlines()[0]
    )
    parser.add_argument(
        "--repeats", type=int, default=5, help="full turns to time (12 frames each)"
    )
    parser.add_argument(
        "--stride", type=int, default=0, help="depth pixel stride (0: the map's automatic one)"
    )
    parser.add_argument(
        "--out", type=pathlib.Path, default=ROOT / "benchmarks/results/mapper.json"
    )
    parser.add_argument(
        "--figure", type=pathlib.Path, help="write a top-down PNG of the final map"
    )
    args = parser.parse_args(argv)
    os.environ.setdefault("OMP_NUM_THREADS", "1")

    import cv2
    import numpy as np

    from filmnav_common.camera import CameraExtrinsics
    from filmnav_common.planar import Pose2D
    from frontier_mapper.frontiers import FrontierTracker
    from frontier_mapper.geometry import Intrinsics
    from frontier_mapper.occupancy import MapConfig, OccupancyMap
    from frontier_mapper.synthetic import box_room_with_doorway, render_depth

    cv2.setNumThreads(1)
    size = (640, 480)
    intrinsics = Intrinsics.from_hfov(*size, math.radians(79.0))
    camera = CameraExtrinsics()
    scene = box_room_with_doorway(corridor=8.0)
    poses = [Pose2D(0.0, 0.0, 2.0 * math.pi * k / 12) for k in range(12)]
    frames = [render_depth(scene, intrinsics, size, pose, camera) for pose in poses]
    config = MapConfig(resolution=0.05, size=50.0, pixel_stride=args.stride, camera=camera)

    update_ms, frontier_ms, first_update_ms, first_frontier_ms, counts = [], [], [], [], []
    for _ in range(args.repeats + 1):  # the first turn warms caches and is not counted
        grid, tracker = OccupancyMap(config), FrontierTracker()
        turn_update, turn_frontier = [], []
        for pose, depth in zip(poses, frames, strict=True):
            start = time.perf_counter()
            grid.integrate(depth, intrinsics, pose)
            middle = time.perf_counter()
            frontiers = tracker.update(grid, (pose.x, pose.y))
            [frontier.path_distance for frontier in frontiers]  # fast marching runs on first read
            end = time.perf_counter()
            turn_update.append((middle - start) * 1e3)
            turn_frontier.append((end - middle) * 1e3)
        update_ms += turn_update
        frontier_ms += turn_frontier
        first_update_ms.append(turn_update[0])
        first_frontier_ms.append(turn_frontier[0])
        counts.append(len(frontiers))
    skip = 12  # warm-up turn
    result = {
        "benchmark": "mapper",
        "depth_image": f"{size[0]}x{size[1]} 32FC1",
        "map_cells": f"{grid.shape[1]}x{grid.shape[0]}",
        "resolution_m": config.resolution,
        "pixel_stride": config.pixel_stride or grid.automatic_stride(intrinsics),
        "frames_timed": len(update_ms) - skip,
        "map_update_ms": round(float(np.median(update_ms[skip:])), 2),
        "map_update_ms_p90": round(float(np.percentile(update_ms[skip:], 90)), 2),
        "frontier_ms": round(float(np.median(frontier_ms[skip:])), 2),
        "frontier_ms_p90": round(float(np.percentile(frontier_ms[skip:], 90)), 2),
        "map_update_ms_first_frame": round(float(np.median(first_update_ms[1:])), 2),
        "frontier_ms_first_frame": round(float(np.median(first_frontier_ms[1:])), 2),
        "frontiers_after_turn": counts[-1],
        "cpu": platform.processor() or platform.machine(),
        "threads": 1,
    }
    if args.figure:
        from frontier_mapper.visualize import draw_map

        picture = draw_map(grid, frontiers, robot=poses[-1], scale=4)
        cv2.imwrite(str(args.figure), cv2.cvtColor(picture, cv2.COLOR_RGB2BGR))
    text = json.dumps(result, indent=2)
    print(text)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(text + "\n")
    return 0
