"""`filmnav demo`: the simulated demo, end to end through the real ROS graph.

Launches launch/sim.launch.yaml (bridge, mapper, buffer, policy, detector, goal_interface) with the
pip-environment launch runner, sends the episode's goal (or --goal), records what an operator
would watch (status, odometry, camera, map, frontiers), and when the mission ends writes into
--out: summary.json, topdown.png (house, mapped area, trajectory, chosen frontiers, goal),
firstperson.gif, launch.log. Prints one result line.
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
from filmnav_common.geometry import pose_to_xy_yaw
from filmnav_common.image_codec import ImageEncodingError, image_to_numpy
from filmnav_common.qos import LATCHED_QOS, RELIABLE_QOS, SENSOR_QOS
from goal_interface.clearance import OCCUPIED
from goal_interface.operator_cli import TERMINAL_STATES, format_status
from nav_msgs.msg import OccupancyGrid, Odometry
from rclpy.node import Node
from sensor_msgs.msg import Image
from std_msgs.msg import String

from filmnav_interfaces.msg import EpisodeResult, FrontierArray, Goal, MissionStatus
from filmnav_interfaces.srv import ResetEpisode, SelectFrontier

GIF_SIZE = (320, 240)
GIF_MAX_FRAMES = 240
DEFAULT_POLICY = "compact"


@dataclass
class Recording:
    statuses: list[MissionStatus] = field(default_factory=list)
    trajectory: list[tuple[float, float, float]] = field(default_factory=list)
    frames: list[np.ndarray] = field(default_factory=list)
    chosen_waypoints: list[tuple[float, float, float]] = field(default_factory=list)
    map: OccupancyGrid | None = None
    frontiers: FrontierArray | None = None
    result: EpisodeResult | None = None


class DemoRecorder(Node):
    """Watches the graph like an operator would and keeps what the pictures need."""

    def __init__(self) -> None:
        super().__init__("filmnav_demo")
        self.record = Recording()
        self._frontier_waypoints: dict[int, tuple[float, float, float]] = {}
        self._last_frontier = -1
        self._last_frame_pose: tuple[float, float, float] | None = None
        self.create_subscription(MissionStatus, "filmnav/status", self._on_status, LATCHED_QOS)
        self.create_subscription(Odometry, "odom", self._on_odom, RELIABLE_QOS)
        self.create_subscription(Image, "camera/color/image_raw", self._on_image, SENSOR_QOS)
        self.create_subscription(OccupancyGrid, "filmnav/map", self._on_map, LATCHED_QOS)
        self.create_subscription(
            FrontierArray, "filmnav/frontiers", self._on_frontiers, RELIABLE_QOS
        )
        self.create_subscription(EpisodeResult, "sim/episode_result", self._on_result, LATCHED_QOS)
        self.goal_pub = self.create_publisher(Goal, "filmnav/goal", RELIABLE_QOS)
        self.goal_text_pub = self.create_publisher(String, "filmnav/goal_text", RELIABLE_QOS)
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
        self.record.result = msg

    @property
    def status(self) -> MissionStatus | None:
        return self.record.statuses[-1] if self.record.statuses else None


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


def send_goal(recorder: DemoRecorder, args: argparse.Namespace) -> str:
    """Publish --goal as text, or the episode's own goal from the bridge; returns its text."""
    if args.goal:
        recorder.goal_text_pub.publish(String(data=args.goal))
        return args.goal
    request = ResetEpisode.Request(
        seed=args.seed, episode=args.episode, split=args.split, task=args.task
    )
    future = recorder.reset_client.call_async(request)
    if not spin_until(recorder, future.done, 60.0) or not future.result().success:
        message = future.result().message if future.done() else "no answer"
        raise RuntimeError(f"sim/reset_episode failed: {message}")
    goal = future.result().goal
    recorder.goal_pub.publish(goal)
    return goal.text if goal.task != Goal.TASK_IMAGE else "<goal image>"


def write_topdown(
    path: pathlib.Path, args: argparse.Namespace, record: Recording, title: str
) -> None:
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
        episode.goal_instance_ids,
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
    parser.add_argument(
        "--goal", default="", help="goal text, e.g. 'find a bed' (default: the episode's goal)"
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
        "--timeout", type=float, default=480.0, help="wall-clock limit for the mission, s"
    )
    args = parser.parse_args(list(argv))
    if args.seed is None:
        from filmnav_sim.episodes import SPLITS

        args.seed = SPLITS[args.split].start
    return args


def main(argv: Sequence[str]) -> int:
    args = parse_args(argv)
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
                    and recorder.status is not None
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
        goal_text = send_goal(recorder, args)

        def mission_over() -> bool:
            status = recorder.status
            return (
                status is not None and status.state in TERMINAL_STATES and status.goal_text != ""
            )

        spin_until(recorder, lambda: mission_over() or launch.poll() is not None, args.timeout)
        finished = mission_over()
        if not finished and launch.poll() is not None:
            print(
                f"filmnav demo: the sim graph stopped early; see {out / 'launch.log'}",
                file=sys.stderr,
            )
        spin_until(recorder, lambda: recorder.record.result is not None, 5.0)
        status = recorder.status
        result = recorder.record.result
        wall_time = time.monotonic() - started
        summary = {
            "goal": goal_text,
            "seed": args.seed,
            "episode": args.episode,
            "split": args.split,
            "task": args.task,
            "policy": args.policy,
            "state": status.state_name if status else "UNKNOWN",
            "message": status.message if status else "",
            "timed_out": not finished and launch.poll() is None,
            "decisions": status.decisions if status else 0,
            # decisions the mission took from the nearest frontier because the policy failed
            "policy_fallbacks": len(
                {s.decisions for s in recorder.record.statuses if s.policy_fallback}
            ),
            "distance_travelled": round(float(status.distance_travelled), 3) if status else 0.0,
            "success": bool(result.success) if result else False,
            "spl": round(float(result.spl), 4) if result else 0.0,
            "soft_spl": round(float(result.soft_spl), 4) if result else 0.0,
            "steps": int(result.steps) if result else 0,
            "geodesic_start": round(float(result.geodesic_start), 3) if result else None,
            "wall_time_s": round(wall_time, 1),
        }
        (out / "summary.json").write_text(json.dumps(summary, indent=2) + "\n")
        title = (
            f"seed {args.seed} ep {args.episode}: '{goal_text}' with {args.policy}: "
            f"{summary['state']}, SPL {summary['spl']:.2f}"
        )
        write_topdown(out / "topdown.png", args, recorder.record, title)
        write_gif(out / "firstperson.gif", recorder.record.frames)
        if status is not None:
            print(format_status(status), file=sys.stderr)
        print(
            f"goal '{goal_text}': success={summary['success']} SPL={summary['spl']:.2f} "
            f"steps={summary['steps']} wall={summary['wall_time_s']:.0f}s -> {out}/"
        )
        return 0 if finished else 1
    except KeyboardInterrupt:
        return 130
    finally:
        recorder.destroy_node()
        rclpy.try_shutdown()
        stop_launch(launch)
