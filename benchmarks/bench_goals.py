"""Free-form goals through the simulated ROS graph: held-out phrasings, one after another.

For each val house (`--first-seed`.., small houses) the sim graph (`sim.launch.yaml`, the policy of
`filmnav demo`, default the shipped `compact`) starts once and serves `--goals-per-house`
phrasings of a held-out set (`--phrasings`, default the twenty-fourth blind set,
tests/data/goal_phrasings_blind24.yaml, the one held out of grounding work: the earlier sets
informed it, and the accept threshold is calibrated on them) in sequence, as an operator sends them
(`filmnav/goal`), each from where the robot stopped after the previous one.
A phrasing is chosen only when its expected category (the first it lists) has an instance the robot
can reach from where the house's first val episode starts it (a house may have objects in parts no
path leads to; searching for those measures nothing), and no phrasing is used twice.

A goal succeeds when the robot stopped (mission SUCCEEDED, the graph calls STOP) at a viewpoint of
an instance of one of the categories the phrasing may mean (the simulator's success rule: within
1 m of such an instance, in sight). The simulator's own score (`sim/episode_result`) is of what the
goal was grounded to; this benchmark also checks that the grounding was right. With
`--budget-s`, no goal starts once the budget is spent (the report counts the goals that ran).
Usage:
  filmnav bench goals [--houses 8] [--goals-per-house 5] [--first-seed 10000] [--policy compact]
                      [--budget-s SECONDS] [--phrasings tests/data/goal_phrasings_blind24.yaml]
"""

from __future__ import annotations

import argparse
import json
import math
import os
import pathlib
import random
import sys
import time
from collections.abc import Sequence

import numpy as np
import yaml

from filmnav_common.bench import write_report

ROOT = pathlib.Path(__file__).resolve().parents[1]
PHRASINGS = ROOT / "tests/data/goal_phrasings_blind24.yaml"
HOUSES = "small"


def reachable_categories(seed: int) -> set[str]:
    """The categories of house `seed` with a viewpoint reachable from the start of its first val
    episode, where the benchmark's graph starts the robot."""
    from filmnav_sim.config import SimConfig
    from filmnav_sim.episodes import goal_viewpoints, make_episode
    from filmnav_sim.house import cached_house

    house, config = cached_house(seed, HOUSES), SimConfig()
    start = make_episode("val", seed, 0, "object", config, house, houses=HOUSES).start_pose
    return {
        category
        for category in house.categories_present()
        if math.isfinite(
            house.nav.geodesic_distance(
                start[:2],
                goal_viewpoints(house, [obj.id for obj in house.objects_of(category)], config),
            )
        )
    }


def choose_goals(
    phrasings: list[dict], reachable: set[str], count: int, used: set[str], rng
) -> list[dict]:
    """`count` phrasings not used yet whose expected category is reachable, distinct categories
    first."""
    candidates = [
        goal for goal in phrasings if goal["expect"][0] in reachable and goal["text"] not in used
    ]
    order = rng.permutation(len(candidates))
    chosen: list[dict] = []
    for index in order:  # one per category while categories last, then any
        goal = candidates[index]
        if goal["expect"][0] not in {g["expect"][0] for g in chosen}:
            chosen.append(goal)
        if len(chosen) == count:
            break
    for index in order:
        if len(chosen) == count:
            break
        if candidates[index] not in chosen:
            chosen.append(candidates[index])
    used.update(goal["text"] for goal in chosen)
    return chosen


def run_house(
    seed: int, goals: list[dict], options: argparse.Namespace, deadline: float
) -> list[dict]:
    """One graph for the house, its goals sent one after another."""
    from filmnav_bringup.demo import start_launch, stop_launch

    os.environ["ROS_DOMAIN_ID"] = str(random.SystemRandom().randint(1, 200))
    os.environ.setdefault("ROS_AUTOMATIC_DISCOVERY_RANGE", "LOCALHOST")
    launch_args = argparse.Namespace(
        seed=seed, episode=0, split="val", houses=HOUSES, task="object", policy=options.policy
    )
    launch = start_launch(launch_args, options.logs / f"launch_{seed}.log")
    try:
        return watch_house(seed, goals, options, launch, deadline)
    finally:
        stop_launch(launch)


def watch_house(
    seed: int, goals: list[dict], options: argparse.Namespace, launch, deadline: float
) -> list[dict]:
    """The goals as `filmnav demo` sends and follows them (its recorder), each judged against the
    categories the phrasing may mean."""
    import rclpy
    from filmnav_interfaces.msg import MissionStatus
    from std_msgs.msg import Empty

    from filmnav_bringup.demo import (
        DemoRecorder,
        detector_ready,
        goal_summary,
        run_goal,
        spin_until,
    )
    from filmnav_common.qos import RELIABLE_QOS
    from filmnav_sim.config import SimConfig
    from filmnav_sim.episodes import VIEWPOINT_TOLERANCE, goal_viewpoints
    from filmnav_sim.house import cached_house
    from goal_interface.operator_cli import goal_message

    house, config = cached_house(seed, HOUSES), SimConfig()
    rclpy.init()
    recorder = DemoRecorder()
    cancel = recorder.create_publisher(Empty, "filmnav/cancel", RELIABLE_QOS)
    rows: list[dict] = []
    try:
        started = time.monotonic()
        ready = spin_until(
            recorder,
            lambda: (
                recorder.policy_client.service_is_ready()
                and recorder.goal_pub.get_subscription_count() > 0
                and detector_ready(recorder.status)
                and bool(recorder.record.trajectory)
            ),
            180.0,
        )
        if not ready:
            return [{"seed": seed, "text": g["text"], "error": "graph not up"} for g in goals]
        startup = round(time.monotonic() - started, 1)
        for index, phrasing in enumerate(goals):
            if time.monotonic() > deadline:
                break  # the time budget is spent: only whole missions are reported
            goal = goal_message(phrasing["text"], goal_id=f"bench_{seed}_{index}")
            start_pose = recorder.record.trajectory[-1]
            sent = time.monotonic()
            final = run_goal(recorder, launch, goal, options.timeout)
            if final is None and recorder.rejection(goal.id) is None:
                cancel.publish(Empty())  # over time: the next goal starts from here
                spin_until(recorder, lambda goal=goal: recorder.final_status(goal.id), 20.0)
                final = recorder.final_status(goal.id)
            summary = goal_summary(recorder, goal, final, launch.poll() is not None)
            end = summary["end_pose"] or start_pose
            meant = [c for c in phrasing["expect"] if house.objects_of(c)]
            instances = [obj.id for c in meant for obj in house.objects_of(c)]
            distance = house.nav.geodesic_distance(
                end[:2], goal_viewpoints(house, instances, config)
            )
            stopped = final is not None and final.state == MissionStatus.SUCCEEDED
            row = {
                "seed": seed,
                "text": phrasing["text"],
                "expect": phrasing["expect"],
                "understood_as": summary["understood_as"],
                "state": summary["state"],
                "message": summary["message"][:200],
                "success": bool(stopped and distance <= VIEWPOINT_TOLERANCE),
                "distance_to_expected": round(float(distance), 2),
                # the simulator's score of what the goal was grounded to
                "sim_success": summary["success"],
                "steps": summary["steps"],
                "spl": summary["spl"],
                "geodesic_start": summary["geodesic_start"],
                "moved_from_start": round(float(np.hypot(*np.subtract(end, start_pose)[:2])), 2),
                "wall_s": round(time.monotonic() - sent, 1),
                "graph_startup_s": startup if index == 0 else None,
            }
            rows.append(row)
            print(json.dumps(row), file=sys.stderr, flush=True)
            if launch.poll() is not None:
                break
        return rows
    finally:
        recorder.destroy_node()
        rclpy.shutdown()


def main(argv: Sequence[str]) -> int:
    parser = argparse.ArgumentParser(
        prog="filmnav bench goals",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--houses", type=int, default=8, help="val houses, one graph each")
    parser.add_argument("--goals-per-house", type=int, default=5)
    parser.add_argument("--first-seed", type=int, default=10000)
    parser.add_argument("--policy", default="compact")
    parser.add_argument("--timeout", type=float, default=300.0, help="seconds per goal")
    parser.add_argument(
        "--budget-s",
        type=float,
        default=0.0,
        help="wall-clock budget: no goal is started after it (0: none)",
    )
    parser.add_argument("--rng-seed", type=int, default=0, help="phrasing choice")
    parser.add_argument(
        "--phrasings", type=pathlib.Path, default=PHRASINGS, help="held-out phrasing set (yaml)"
    )
    parser.add_argument("--logs", type=pathlib.Path, default=ROOT / "out/bench_goals")
    options = parser.parse_args(list(argv))
    options.logs.mkdir(parents=True, exist_ok=True)
    phrasings = yaml.safe_load(options.phrasings.read_text())["goals"]
    rng = np.random.default_rng(options.rng_seed)
    used: set[str] = set()
    rows: list[dict] = []
    started = time.monotonic()
    deadline = started + options.budget_s if options.budget_s > 0 else math.inf
    for seed in range(options.first_seed, options.first_seed + options.houses):
        if time.monotonic() > deadline:
            break
        goals = choose_goals(
            phrasings, reachable_categories(seed), options.goals_per_house, used, rng
        )
        rows += run_house(seed, goals, options, deadline)
    scored = [row for row in rows if "error" not in row]
    report = {
        "benchmark": "goals",
        "policy": options.policy,
        "split": "val",
        "houses": HOUSES,
        "phrasings": options.phrasings.resolve().relative_to(ROOT).as_posix(),
        "seeds": sorted({row["seed"] for row in rows}),
        "budget_s": options.budget_s or None,
        "goals": len(rows),
        "success_rate": round(sum(row["success"] for row in scored) / max(len(rows), 1), 3),
        # the simulator's score of what each goal was grounded to
        "sim_success_rate": round(
            sum(row["sim_success"] for row in scored) / max(len(rows), 1), 3
        ),
        "wall_s": round(time.monotonic() - started, 1),
        "per_goal": rows,
    }
    write_report("goals", report, detail="per_goal")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
