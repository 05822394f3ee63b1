"""The robot path against the simulation path on the same episodes: success rate and SPL.

For each episode (val houses `--first-seed`.., episode 0, object goals) two graphs run in turn,
each launched fresh with `filmnav launch` in a private DDS domain:
- sim: `sim.launch.yaml` (the bridge's own navigate_to_pose, 32FC1 depth, sim time, sim.yaml);
- robot: `harness.launch.yaml` (RealSense topic names, 16UC1 millimetre depth, 50 Hz odometry
  with stamp jitter, TF, wall-clock stamps, the Nav2 stand-in) and `robot.launch.yaml` under
  `namespace:=robot1` with robot.yaml, wired as on a robot (`detector:=sim_semantic`).
Both use the same policy (`--policy`, default the shipped `compact`). The goal is sent once the
policy serves; the simulator scores the STOP (Habitat success: within 1 m of a visible goal
instance; SPL): the sim graph calls STOP itself (sim_mode), the robot graph's mission ends and
the benchmark calls STOP, as an operator would. Usage:
  filmnav bench harness [--episodes 10] [--first-seed 10000] [--policy compact] [--timeout 420]
"""

from __future__ import annotations

import argparse
import json
import os
import pathlib
import random
import subprocess
import sys
import time
from collections.abc import Sequence

from filmnav_bringup.harness import ROBOT_WIRING
from filmnav_common.bench import write_report

ROOT = pathlib.Path(__file__).resolve().parents[1]
FILMNAV = [
    sys.executable,
    "-c",
    "import sys; from filmnav_common.cli import main; sys.exit(main())",
]


class Launch:
    """One `filmnav launch` in its own process group, output to a log file."""

    def __init__(self, arguments: list[str], log: pathlib.Path, environment: dict[str, str]):
        self._log = open(log, "wb")
        self.process = subprocess.Popen(
            [*FILMNAV, "launch", *arguments],
            stdout=self._log,
            stderr=subprocess.STDOUT,
            env=environment,
            start_new_session=True,
        )

    def stop(self) -> None:
        for sig, wait in ((2, 25.0), (15, 10.0), (9, 5.0)):
            if self.process.poll() is not None:
                break
            os.killpg(self.process.pid, sig)
            try:
                self.process.wait(timeout=wait)
            except subprocess.TimeoutExpired:
                continue
        self._log.close()


def run_episode(mode: str, seed: int, policy: str, timeout: float, logs: pathlib.Path) -> dict:
    """One episode in one graph, launched fresh and stopped after it."""
    environment = {
        **os.environ,
        "ROS_DOMAIN_ID": str(random.SystemRandom().randint(1, 200)),
        "ROS_AUTOMATIC_DISCOVERY_RANGE": "LOCALHOST",
        "OMP_NUM_THREADS": "1",
    }
    os.environ["ROS_DOMAIN_ID"] = environment["ROS_DOMAIN_ID"]
    stack = "" if mode == "sim" else "/robot1"
    if mode == "sim":
        commands = [
            (["filmnav_bringup", "sim.launch.yaml", f"seed:={seed}", f"policy:={policy}"], mode)
        ]
    else:
        commands = [
            (["filmnav_bringup", "harness.launch.yaml", f"seed:={seed}"], "harness"),
            (["filmnav_bringup", "robot.launch.yaml", f"policy:={policy}", *ROBOT_WIRING], mode),
        ]
    launches: list[Launch] = []
    try:
        for arguments, name in commands:
            launches.append(Launch(arguments, logs / f"{name}_{seed}.log", environment))
        return watch_episode(mode, seed, stack, timeout)
    finally:
        for launch in reversed(launches):
            launch.stop()


def watch_episode(mode: str, seed: int, stack: str, timeout: float) -> dict:
    """Send the episode's goal once the graph serves, wait for the mission, score the STOP."""
    import rclpy
    from filmnav_interfaces.msg import EpisodeResult, MissionStatus
    from filmnav_interfaces.srv import SelectFrontier, StopGoal
    from std_msgs.msg import String

    from filmnav_common.qos import LATCHED_QOS, RELIABLE_QOS

    rclpy.init()
    node = rclpy.create_node("bench_harness")
    statuses: list = []
    tables: list = []
    results: list = []
    node.create_subscription(
        MissionStatus, f"{stack}/filmnav/status", statuses.append, LATCHED_QOS
    )
    node.create_subscription(
        String, "/sim/instances", lambda m: tables.append(json.loads(m.data)), LATCHED_QOS
    )
    node.create_subscription(EpisodeResult, "/sim/episode_result", results.append, LATCHED_QOS)
    goal = node.create_publisher(String, f"{stack}/filmnav/goal_text", RELIABLE_QOS)
    policy_client = node.create_client(SelectFrontier, f"{stack}/filmnav/select_frontier")
    stop = node.create_client(StopGoal, "/sim/stop")
    started = time.monotonic()

    def spin_until(predicate, seconds: float) -> bool:
        deadline = time.monotonic() + seconds
        while not predicate() and time.monotonic() < deadline:
            rclpy.spin_once(node, timeout_sec=0.1)
        return predicate()

    row: dict = {"mode": mode, "seed": seed}
    try:
        ready = spin_until(
            lambda: (
                bool(tables)
                and policy_client.service_is_ready()
                and goal.get_subscription_count() > 0
                and any(s.state == MissionStatus.IDLE for s in statuses)
            ),
            180.0,
        )
        if not ready:
            return {**row, "error": "the graph did not come up"}
        row["goal"] = tables[-1]["goal_category"]  # object episodes: the category name
        row["startup_s"] = round(time.monotonic() - started, 1)
        sent = time.monotonic()
        goal.publish(String(data=f"find a {row['goal']}"))
        terminal = (MissionStatus.SUCCEEDED, MissionStatus.FAILED)
        spin_until(lambda: any(s.state in terminal for s in statuses), timeout)
        final = statuses[-1]
        row.update(
            mission=final.state_name,
            message=final.message[:200],
            decisions=final.decisions,
            distance=round(final.distance_travelled, 2),
            mission_s=round(time.monotonic() - sent, 1),
        )
        if mode == "robot" or final.state not in terminal:
            stop.wait_for_service(timeout_sec=10.0)
            future = stop.call_async(StopGoal.Request())
            spin_until(future.done, 30.0)
        if not spin_until(lambda: bool(results), 30.0):
            return {**row, "error": "no episode result"}
        result = results[-1]
        row.update(success=bool(result.success), spl=round(result.spl, 3), steps=result.steps)
        return row
    finally:
        node.destroy_node()
        rclpy.shutdown()


def summarise(rows: list[dict], mode: str) -> dict:
    mine = [row for row in rows if row["mode"] == mode]
    scored = [row for row in mine if "success" in row]
    return {
        "episodes": len(mine),
        "scored": len(scored),
        "success_rate": round(sum(row["success"] for row in scored) / max(len(mine), 1), 3),
        "spl": round(sum(row["spl"] for row in scored) / max(len(mine), 1), 3),
    }


def main(argv: Sequence[str]) -> int:
    parser = argparse.ArgumentParser(prog="filmnav bench harness", description=__doc__)
    parser.add_argument("--episodes", type=int, default=10)
    parser.add_argument("--first-seed", type=int, default=10000)
    parser.add_argument("--policy", default="compact")
    parser.add_argument("--timeout", type=float, default=420.0, help="seconds per mission")
    parser.add_argument("--logs", type=pathlib.Path, default=ROOT / "out/bench_harness")
    options = parser.parse_args(list(argv))
    options.logs.mkdir(parents=True, exist_ok=True)
    rows = []
    for seed in range(options.first_seed, options.first_seed + options.episodes):
        for mode in ("sim", "robot"):
            row = run_episode(mode, seed, options.policy, options.timeout, options.logs)
            rows.append(row)
            print(json.dumps(row), file=sys.stderr, flush=True)
    sim, robot = summarise(rows, "sim"), summarise(rows, "robot")
    report = {
        "benchmark": "harness",
        "policy": options.policy,
        "split": "val",
        "seeds": [options.first_seed, options.first_seed + options.episodes - 1],
        "sim": sim,
        "robot": robot,
        "success_rate_difference": round(robot["success_rate"] - sim["success_rate"], 3),
        "episodes": rows,
    }
    write_report("harness", report, detail="episodes")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
