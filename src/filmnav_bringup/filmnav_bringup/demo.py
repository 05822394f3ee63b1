"""`filmnav demo`: the simulated demo, end to end through the real ROS graph.

Launches launch/sim.launch.yaml (bridge, mapper, buffer, policy, detector, goal_interface) with the
pip-environment launch runner, sends the episode's goal, or the operator's goals (--goal TEXT,
--image PNG, repeatable: sent one after another in the order given, each once the previous one
ended, from where the robot stopped, as on a robot), records what an operator would watch
(status, odometry, camera, map, frontiers), and when the last goal ends writes into --out:
summary.json (per goal: what it was understood as, the mission's end and the simulator's score of
the goal that was sent), topdown.png (house, last mapped area, trajectory, chosen frontiers, the
goals' instances), firstperson.gif, goal_N.png (the N-th goal's picture), launch.log. Prints one
result line per goal.

In simulation a goal picture stands for the episode's goal instance: the simulated detector reads
instance ids, it cannot recognise a picture (`--task image` sends the episode's own picture).
"""

from __future__ import annotations

import argparse
import json
import os
import pathlib
import signal
import subprocess
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass, field

import cv2
import numpy as np
import rclpy
from filmnav_interfaces.msg import (
    ComponentHealth,
    EpisodeResult,
    FrontierArray,
    Goal,
    MissionStatus,
)
from filmnav_interfaces.srv import ResetEpisode, SelectFrontier
from nav_msgs.msg import OccupancyGrid, Odometry
from rclpy.node import Node
from sensor_msgs.msg import Image

from filmnav_common.geometry import pose_to_xy_yaw
from filmnav_common.image_codec import ImageEncodingError, image_to_numpy
from filmnav_common.qos import LATCHED_QOS, ODOMETRY_QOS, RELIABLE_QOS, SENSOR_QOS
from goal_interface.clearance import OCCUPIED
from goal_interface.operator_cli import TERMINAL_STATES, format_status, goal_message

GIF_SIZE = (320, 240)
GIF_MAX_FRAMES = 240
DEFAULT_POLICY = "compact"
DEMO_GOAL_ID = "demo"  # operator goals (--goal, --image) are demo_1, demo_2, ...
# A goal's state in the summary when its mission did not end (else the mission's final state).
REJECTED, GRAPH_STOPPED, TIMEOUT = "REJECTED", "GRAPH_STOPPED", "TIMEOUT"
NOT_ENDED = (REJECTED, GRAPH_STOPPED, TIMEOUT)


@dataclass
class Recording:
    statuses: list[MissionStatus] = field(default_factory=list)
    trajectory: list[tuple[float, float, float]] = field(default_factory=list)
    frames: list[np.ndarray] = field(default_factory=list)
    chosen_waypoints: list[tuple[float, float, float]] = field(default_factory=list)
    map: OccupancyGrid | None = None
    frontiers: FrontierArray | None = None
    results: list[EpisodeResult] = field(default_factory=list)


class DemoRecorder(Node):
    """Watches the graph like an operator would and keeps what the pictures need."""

    def __init__(self) -> None:
        super().__init__("filmnav_demo")
        self.record = Recording()
        self._frontier_waypoints: dict[int, tuple[float, float, float]] = {}
        self._last_frontier = -1
        self._last_frame_pose: tuple[float, float, float] | None = None
        self.create_subscription(MissionStatus, "filmnav/status", self._on_status, LATCHED_QOS)
        self.create_subscription(Odometry, "odom", self._on_odom, ODOMETRY_QOS)
        self.create_subscription(Image, "camera/color/image_raw", self._on_image, SENSOR_QOS)
        self.create_subscription(OccupancyGrid, "filmnav/map", self._on_map, LATCHED_QOS)
        self.create_subscription(
            FrontierArray, "filmnav/frontiers", self._on_frontiers, RELIABLE_QOS
        )
        self.create_subscription(EpisodeResult, "sim/episode_result", self._on_result, LATCHED_QOS)
        self.goal_pub = self.create_publisher(Goal, "filmnav/goal", RELIABLE_QOS)
        self.reset_client = self.create_client(ResetEpisode, "sim/reset_episode")
        # The policy node offers its service once its model is loaded and warm: wait for it, or
        # the first decisions fall back to the nearest frontier.
        self.policy_client = self.create_client(SelectFrontier, "filmnav/select_frontier")

    def _on_status(self, msg: MissionStatus) -> None:
        self.record.statuses.append(msg)
        if msg.current_frontier >= 0 and msg.current_frontier != self._last_frontier:
            waypoint = self._frontier_waypoints.get(msg.current_frontier)
            if waypoint is not None:
                self.record.chosen_waypoints.append(waypoint)
        self._last_frontier = msg.current_frontier

    def _on_odom(self, msg: Odometry) -> None:
        self.record.trajectory.append(pose_to_xy_yaw(msg.pose.pose))

    def _on_image(self, msg: Image) -> None:
        pose = self.record.trajectory[-1] if self.record.trajectory else None
        if (
            pose is None
            or pose == self._last_frame_pose
            or len(self.record.frames) >= GIF_MAX_FRAMES
        ):
            return  # one frame per robot pose keeps the GIF short and free of idle repeats
        try:
            rgb = image_to_numpy(msg)
        except ImageEncodingError as error:
            self.get_logger().warning(f"camera frame skipped: {error}")
            return
        self._last_frame_pose = pose
        self.record.frames.append(cv2.resize(rgb[..., :3], GIF_SIZE, interpolation=cv2.INTER_AREA))

    def _on_map(self, msg: OccupancyGrid) -> None:
        self.record.map = msg

    def _on_frontiers(self, msg: FrontierArray) -> None:
        self.record.frontiers = msg
        for frontier in msg.frontiers:
            self._frontier_waypoints[frontier.id] = pose_to_xy_yaw(frontier.waypoint)

    def _on_result(self, msg: EpisodeResult) -> None:
        self.record.results.append(msg)

    def result_of(self, goal_id: str) -> EpisodeResult | None:
        """The simulator's score of goal `goal_id`."""
        return next((r for r in reversed(self.record.results) if r.goal_id == goal_id), None)

    @property
    def status(self) -> MissionStatus | None:
        return self.record.statuses[-1] if self.record.statuses else None

    def final_status(self, goal_id: str) -> MissionStatus | None:
        """The status that ended goal `goal_id`."""
        return next(
            (
                s
                for s in self.record.statuses
                if s.goal_id == goal_id and s.state in TERMINAL_STATES
            ),
            None,
        )

    def rejection(self, goal_id: str) -> MissionStatus | None:
        """The status that says goal_interface rejected goal `goal_id`."""
        rejected = f"rejected goal '{goal_id}'"
        return next((s for s in self.record.statuses if rejected in s.message), None)


def detector_ready(status: MissionStatus | None) -> bool:
    """Whether the goal detector reported that it can ground goals (OK once the simulator's
    vocabulary is encoded): a goal sent earlier is explored for blind until then."""
    return status is not None and any(
        part.name == "detector" and part.level == ComponentHealth.OK and part.age >= 0.0
        for part in status.health
    )


def spin_until(node: Node, predicate, timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        rclpy.spin_once(node, timeout_sec=0.05)
    return predicate()


def start_launch(args: argparse.Namespace, log_path: pathlib.Path) -> subprocess.Popen:
    argv = [
        sys.executable,
        "-m",
        "filmnav_common.cli",
        "launch",
        "filmnav_bringup",
        "sim.launch.yaml",
        f"seed:={args.seed}",
        f"episode:={args.episode}",
        f"split:={args.split}",
        f"houses:={args.houses}",
        f"task:={args.task}",
        f"policy:={args.policy}",
    ]
    log = open(log_path, "wb")
    return subprocess.Popen(argv, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)


def stop_launch(process: subprocess.Popen, timeout: float = 20.0) -> None:
    """SIGINT to the launcher (it stops its nodes in turn); escalate if it hangs."""
    for sig in (signal.SIGINT, signal.SIGTERM, signal.SIGKILL):
        if process.poll() is not None:
            return
        try:
            os.killpg(process.pid, sig)
            process.wait(timeout=timeout)
        except (ProcessLookupError, subprocess.TimeoutExpired):
            continue


def episode_goal(recorder: DemoRecorder, args: argparse.Namespace) -> Goal:
    """The episode's own goal, as the bridge hands it out (sim/reset_episode)."""
    request = ResetEpisode.Request(
        seed=args.seed, episode=args.episode, split=args.split, task=args.task
    )
    future = recorder.reset_client.call_async(request)
    rclpy.spin_until_future_complete(recorder, future, timeout_sec=60.0)
    if future.result() is None or not future.result().success:
        message = future.result().message if future.result() else "no reply"
        raise RuntimeError(f"sim/reset_episode failed: {message}")
    return future.result().goal


def operator_goals(args: argparse.Namespace) -> list[Goal]:
    """The Goal messages of --goal and --image, in the order given (ValueError when a picture
    cannot be read)."""
    goals = []
    for index, (kind, value) in enumerate(args.goals, 1):
        text, image = (value, "") if kind == "text" else ("", value)
        goals.append(goal_message(text, image, goal_id=f"{DEMO_GOAL_ID}_{index}"))
    return goals


def run_goal(
    recorder: DemoRecorder, launch: subprocess.Popen, goal: Goal, timeout: float
) -> MissionStatus | None:
    """Send one goal and follow it until it ends (its final status), is rejected (None), the
    graph stops or `timeout` passes (None). Then wait a little for the simulator's score."""
    recorder.goal_pub.publish(goal)

    def over() -> bool:
        return (
            recorder.final_status(goal.id) is not None
            or recorder.rejection(goal.id) is not None
            or launch.poll() is not None
        )

    spin_until(recorder, over, timeout)
    final = recorder.final_status(goal.id)
    if final is not None and final.state != MissionStatus.CANCELED:
        spin_until(recorder, lambda: recorder.result_of(goal.id) is not None, 10.0)
    return final


def goal_summary(
    recorder: DemoRecorder, goal: Goal, final: MissionStatus | None, graph_stopped: bool
) -> dict:
    """What one goal was understood as, how its mission ended (REJECTED, GRAPH_STOPPED and
    TIMEOUT when it did not), and the simulator's score of it (sim/episode_result of its id)."""
    result = recorder.result_of(goal.id)
    statuses = [s for s in recorder.record.statuses if s.goal_id == goal.id]
    refusal = recorder.rejection(goal.id)
    last = final or refusal or (statuses[-1] if statuses else None)
    if final is not None:
        state = final.state_name
    else:
        state = REJECTED if refusal else GRAPH_STOPPED if graph_stopped else TIMEOUT
    return {
        "goal": describe(goal),
        "goal_id": goal.id,
        "task": goal.task,
        "state": state,
        "message": last.message if last else "",
        "understood_as": statuses[-1].understood_as if statuses else "",
        "decisions": final.decisions if final else 0,
        # decisions the mission took from the nearest frontier because the policy failed
        "policy_fallbacks": len({s.decisions for s in statuses if s.policy_fallback}),
        "distance_travelled": round(float(final.distance_travelled), 3) if final else 0.0,
        "success": bool(result.success) if result else False,
        "spl": round(float(result.spl), 4) if result else 0.0,
        "soft_spl": round(float(result.soft_spl), 4) if result else 0.0,
        "steps": int(result.steps) if result else 0,
        "geodesic_start": round(float(result.geodesic_start), 3) if result else None,
        "goal_instance_ids": [int(i) for i in result.goal_instance_ids] if result else [],
        # where the robot stood when the goal ended: the next goal is served from there
        "end_pose": [round(v, 3) for v in recorder.record.trajectory[-1]]
        if recorder.record.trajectory
        else None,
    }


def describe(goal: Goal) -> str:
    return goal.text if goal.task != Goal.TASK_IMAGE else "<goal image>"


def write_topdown(
    path: pathlib.Path,
    args: argparse.Namespace,
    record: Recording,
    title: str,
    goal_instance_ids: Sequence[int] | None,
) -> None:
    """The picture of the mission; `goal_instance_ids`: what the goal was scored against (None:
    the episode's goal)."""
    from filmnav_learning.topdown import MappedArea, save_episode_map
    from filmnav_sim.episodes import make_episode
    from filmnav_sim.house import generate_house

    house = generate_house(args.seed, args.houses)
    episode = make_episode(
        args.split, args.seed, args.episode, args.task, house=house, houses=args.houses
    )
    mapped = None
    if record.map is not None:
        info = record.map.info
        cells = np.asarray(record.map.data, dtype=np.int8).reshape(info.height, info.width)
        mapped = MappedArea(
            explored=cells >= 0,
            obstacle=cells >= OCCUPIED,
            origin=(info.origin.position.x, info.origin.position.y),
            resolution=info.resolution,
        )
    centroids = None
    if record.frontiers is not None:
        centroids = np.array(
            [(f.centroid.x, f.centroid.y) for f in record.frontiers.frontiers]
        ).reshape(-1, 2)
    trajectory = np.array(record.trajectory).reshape(-1, 3)
    save_episode_map(
        path,
        house,
        title,
        trajectory,
        record.chosen_waypoints,
        episode.goal_instance_ids if goal_instance_ids is None else list(goal_instance_ids),
        mapped=mapped,
        frontier_centroids=centroids,
    )


def write_gif(path: pathlib.Path, frames: list[np.ndarray]) -> None:
    from PIL import Image as PILImage

    if not frames:
        return
    images = [PILImage.fromarray(frame) for frame in frames]
    images[0].save(
        path, save_all=True, append_images=images[1:], duration=120, loop=0, optimize=True
    )


def parse_args(argv: Sequence[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="filmnav demo",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.set_defaults(goals=[])
    parser.add_argument(
        "--goal",
        dest="goals",
        action="append",
        type=lambda text: ("text", text),
        metavar="TEXT",
        help="goal text, e.g. 'find a chair', 'something to sleep on' (default: the episode's "
        "goal); --goal and --image may repeat: the goals are served one after another",
    )
    parser.add_argument(
        "--image",
        dest="goals",
        action="append",
        type=lambda path: ("image", path),
        metavar="PNG",
        help="goal picture (PNG/JPEG); in simulation it stands for the episode's goal instance",
    )
    parser.add_argument(
        "--seed", type=int, default=None, help="house seed (default: the first val house)"
    )
    parser.add_argument("--episode", type=int, default=0, help="episode index within the house")
    parser.add_argument("--split", default="val", choices=("train", "val", "test"))
    parser.add_argument(
        "--houses", default="small", choices=("small", "large"), help="house size (default small)"
    )
    parser.add_argument("--task", default="object", choices=("object", "text", "image"))
    parser.add_argument(
        "--policy", default=DEFAULT_POLICY, help=f"frontier policy (default: {DEFAULT_POLICY})"
    )
    parser.add_argument("--out", default="out/demo", help="output directory")
    parser.add_argument(
        "--timeout", type=float, default=480.0, help="wall-clock limit for each goal, s"
    )
    args = parser.parse_args(list(argv))
    if args.seed is None:
        from filmnav_sim.episodes import SPLITS

        args.seed = SPLITS[args.split].start
    return args


def main(argv: Sequence[str]) -> int:
    args = parse_args(argv)
    try:
        goals = operator_goals(args)
    except ValueError as error:
        print(f"filmnav demo: {error}", file=sys.stderr)
        return 2
    out = pathlib.Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    started = time.monotonic()
    launch = start_launch(args, out / "launch.log")
    rclpy.init()
    recorder = DemoRecorder()
    try:
        graph_up = spin_until(
            recorder,
            lambda: (
                launch.poll() is not None
                or (
                    recorder.reset_client.service_is_ready()
                    and recorder.policy_client.service_is_ready()
                    and recorder.goal_pub.get_subscription_count() > 0
                    and detector_ready(recorder.status)
                )
            ),
            120.0,
        )
        if not graph_up or launch.poll() is not None:
            print(
                f"filmnav demo: the sim graph did not come up; see {out / 'launch.log'}",
                file=sys.stderr,
            )
            return 1
        goals = goals or [episode_goal(recorder, args)]
        summaries: list[dict] = []
        for index, goal in enumerate(goals, 1):
            final = run_goal(recorder, launch, goal, args.timeout)
            summary = goal_summary(recorder, goal, final, launch.poll() is not None)
            summary["wall_time_s"] = round(time.monotonic() - started, 1)
            summaries.append(summary)
            if goal.task == Goal.TASK_IMAGE:
                cv2.imwrite(str(out / f"goal_{index}.png"), image_to_numpy(goal.image)[..., ::-1])
            if final is not None:
                print(format_status(final), file=sys.stderr)
            print(
                f"goal '{summary['goal']}': success={summary['success']} "
                f"SPL={summary['spl']:.2f} steps={summary['steps']} "
                f"wall={summary['wall_time_s']:.0f}s -> {out}/"
            )
            if summary["state"] in (GRAPH_STOPPED, TIMEOUT):
                break  # the robot is not free for the next goal
        if launch.poll() is not None:
            print(
                f"filmnav demo: the sim graph stopped early; see {out / 'launch.log'}",
                file=sys.stderr,
            )
        run = {
            "seed": args.seed,
            "episode": args.episode,
            "split": args.split,
            "houses": args.houses,
            "episode_task": args.task,
            "policy": args.policy,
            "wall_time_s": round(time.monotonic() - started, 1),
            "goals": summaries,
        }
        (out / "summary.json").write_text(json.dumps(run, indent=2) + "\n")
        scored = [i for summary in summaries for i in summary["goal_instance_ids"]]
        title = "\n".join(
            [f"seed {args.seed} ep {args.episode} with {args.policy}"]
            + [
                f"'{summary['goal']}': {summary['state']}, SPL {summary['spl']:.2f}"
                for summary in summaries
            ]
        )
        write_topdown(out / "topdown.png", args, recorder.record, title, scored or None)
        write_gif(out / "firstperson.gif", recorder.record.frames)
        ended = len(summaries) == len(goals) and all(
            summary["state"] not in NOT_ENDED for summary in summaries
        )
        return 0 if ended else 1
    except KeyboardInterrupt:
        return 130
    finally:
        recorder.destroy_node()
        rclpy.try_shutdown()
        stop_launch(launch)
