"""ROS 2 transport benchmark: 640x480 rgb8 images at 30 Hz between two processes.

A publisher process (this file run with --role publisher) sends numbered, wall-clock-stamped
frames; the benchmark process subscribes and measures the delivered fraction and the latency
(receive time - stamp, both from the host clock). node_start_ms is the time from starting the
publisher process until its publisher is discovered here (interpreter, rclpy, DDS discovery);
node_start_ms_cold is the same from a first, short run (file caches cold).

The headline numbers use the project's setting: the large-image Fast DDS profile, localhost-only
discovery, sensor-data QoS. Comparison runs (without the profile, reliable QoS, subnet discovery)
go under `runs`. The shared-memory segment sizes mapped by this process show which transports
Fast DDS really set up. Usage: filmnav bench ros [--seconds S] [--rate HZ] [--quick]
"""

from __future__ import annotations

import argparse
import json
import os
import pathlib
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Sequence

import numpy as np

TOPIC = "bench/image_raw"
ROOT = pathlib.Path(__file__).resolve().parents[1]
PROFILE = ROOT / "src/filmnav_common/config/fastdds_large_images.xml"


def qos_profile(name: str):
    from rclpy.qos import QoSProfile, ReliabilityPolicy, qos_profile_sensor_data

    return (
        qos_profile_sensor_data
        if name == "sensor"
        else QoSProfile(depth=5, reliability=ReliabilityPolicy.RELIABLE)
    )


def run_publisher(frames: int, rate: float, width: int, height: int, qos: str) -> int:
    """Wait for a subscriber, send `frames` frames at `rate` Hz, linger briefly, exit."""
    import rclpy
    from sensor_msgs.msg import Image

    from filmnav_common.image_codec import numpy_to_image

    rclpy.init()
    node = rclpy.create_node("bench_image_publisher")
    publisher = node.create_publisher(Image, TOPIC, qos_profile(qos))
    pixels = np.random.default_rng(0).integers(0, 256, (height, width, 3), dtype=np.uint8)
    message = numpy_to_image(pixels, "rgb8")
    deadline = time.monotonic() + 30
    while publisher.get_subscription_count() == 0 and time.monotonic() < deadline:
        time.sleep(0.01)
    time.sleep(0.2)  # let the subscription finish matching on its side too
    start = time.monotonic()
    for index in range(frames):
        time.sleep(max(0.0, start + index / rate - time.monotonic()))
        message.header.frame_id = str(index)
        stamp = time.time_ns()
        message.header.stamp.sec, message.header.stamp.nanosec = divmod(stamp, 1_000_000_000)
        publisher.publish(message)
    time.sleep(0.5)
    node.destroy_node()
    rclpy.shutdown()
    return 0


def shm_segment_bytes() -> list[int]:
    """Sizes of the Fast DDS shared-memory data segments this process has mapped."""
    paths = set()
    with open("/proc/self/maps") as maps:
        for line in maps:
            fields = line.split()
            if (
                len(fields) >= 6
                and fields[5].startswith("/dev/shm/fastrtps_")
                and "port" not in fields[5]
            ):
                paths.add(fields[5])
    return sorted(os.path.getsize(p) for p in paths if os.path.exists(p))


def measure(
    profile: bool, discovery: str, qos: str, seconds: float, rate: float, width: int, height: int
) -> dict:
    """One run in a fresh subscriber process so that DDS settings apply from the start."""
    environment = dict(os.environ)
    environment["ROS_AUTOMATIC_DISCOVERY_RANGE"] = discovery
    environment.setdefault("ROS_DOMAIN_ID", str(150 + os.getpid() % 80))  # keep a test's domain
    environment.pop("FASTRTPS_DEFAULT_PROFILES_FILE", None)
    if profile:
        environment["FASTRTPS_DEFAULT_PROFILES_FILE"] = str(PROFILE)
    command = [
        sys.executable,
        __file__,
        "--role",
        "subscriber",
        "--seconds",
        str(seconds),
        "--rate",
        str(rate),
        "--width",
        str(width),
        "--height",
        str(height),
        "--qos",
        qos,
    ]
    result = subprocess.run(
        command, env=environment, capture_output=True, text=True, timeout=seconds + 90
    )
    if result.returncode != 0:
        raise RuntimeError(f"subscriber run failed:\n{result.stderr[-2000:]}")
    summary = json.loads(result.stdout.strip().splitlines()[-1])
    return {"profile": profile, "discovery": discovery, "qos": qos, **summary}


def run_subscriber(seconds: float, rate: float, width: int, height: int, qos: str) -> int:
    import rclpy
    from rclpy.executors import SingleThreadedExecutor
    from sensor_msgs.msg import Image

    frames = int(seconds * rate)
    rclpy.init()
    node = rclpy.create_node(f"bench_image_subscriber_{uuid.uuid4().hex[:6]}")
    received: dict[int, float] = {}

    def on_image(message: Image) -> None:
        now = time.time_ns()
        stamp = message.header.stamp.sec * 1_000_000_000 + message.header.stamp.nanosec
        received[int(message.header.frame_id)] = (now - stamp) / 1e6

    node.create_subscription(Image, TOPIC, on_image, qos_profile(qos))
    executor = SingleThreadedExecutor()
    executor.add_node(node)
    spinner = threading.Thread(target=executor.spin, daemon=True)
    spinner.start()
    started = time.monotonic()
    publisher = subprocess.Popen(
        [
            sys.executable,
            __file__,
            "--role",
            "publisher",
            "--frames",
            str(frames),
            "--rate",
            str(rate),
            "--width",
            str(width),
            "--height",
            str(height),
            "--qos",
            qos,
        ],
    )
    while node.count_publishers(TOPIC) == 0 and time.monotonic() - started < 60:
        time.sleep(0.005)
    node_start_ms = (time.monotonic() - started) * 1e3
    publisher.wait(timeout=seconds + 60)
    time.sleep(0.2)
    segments = shm_segment_bytes()
    executor.shutdown()
    node.destroy_node()
    rclpy.shutdown()
    latencies = np.array(list(received.values())) if received else np.array([np.nan])
    print(
        json.dumps(
            {
                "frames_sent": frames,
                "frames_received": len(received),
                "image_delivery_ratio": round(len(received) / frames, 4),
                "latency_ms_p50": round(float(np.percentile(latencies, 50)), 2),
                "latency_ms_p95": round(float(np.percentile(latencies, 95)), 2),
                "node_start_ms": round(node_start_ms, 1),
                "shm_segments_mb": [round(size / 2**20, 2) for size in segments],
                "publisher_exit": publisher.returncode,
            }
        )
    )
    return 0


def main(argv: Sequence[str]) -> int:
    parser = argparse.ArgumentParser(
        prog="filmnav bench ros", description=__doc__.split("\n\n")[0]
    )
    parser.add_argument(
        "--role",
        choices=("bench", "publisher", "subscriber"),
        default="bench",
        help=argparse.SUPPRESS,
    )
    parser.add_argument("--seconds", type=float, default=5.0, help="stream length per run")
    parser.add_argument("--rate", type=float, default=30.0, help="frames per second")
    parser.add_argument("--width", type=int, default=640)
    parser.add_argument("--height", type=int, default=480)
    parser.add_argument("--frames", type=int, default=0, help=argparse.SUPPRESS)
    parser.add_argument(
        "--qos", choices=("sensor", "reliable"), default="sensor", help=argparse.SUPPRESS
    )
    parser.add_argument("--quick", action="store_true", help="only the project's configuration")
    options = parser.parse_args(list(argv))
    shape = (options.width, options.height)
    if options.role == "publisher":
        return run_publisher(options.frames, options.rate, *shape, options.qos)
    if options.role == "subscriber":
        return run_subscriber(options.seconds, options.rate, *shape, options.qos)

    timing = (options.seconds, options.rate, *shape)
    cold = measure(True, "LOCALHOST", "sensor", 0.5, options.rate, *shape)  # warms file caches
    headline = measure(True, "LOCALHOST", "sensor", *timing)
    runs = [headline]
    if not options.quick:
        runs += [
            measure(True, "LOCALHOST", "reliable", *timing),
            measure(False, "LOCALHOST", "sensor", *timing),
            measure(False, "LOCALHOST", "reliable", *timing),
        ]
    report = {
        "benchmark": "ros",
        "image": f"{options.width}x{options.height} rgb8",
        "rate_hz": options.rate,
        "seconds": options.seconds,
        "image_delivery_ratio": headline["image_delivery_ratio"],
        "latency_ms_p50": headline["latency_ms_p50"],
        "latency_ms_p95": headline["latency_ms_p95"],
        "node_start_ms": headline["node_start_ms"],
        "node_start_ms_cold": cold["node_start_ms"],
        "runs": runs,
        "cpu_count": os.cpu_count(),
    }
    text = json.dumps(report, indent=2)
    print(text)
    results = ROOT / "benchmarks" / "results"
    results.mkdir(parents=True, exist_ok=True)
    (results / "ros.json").write_text(text + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
