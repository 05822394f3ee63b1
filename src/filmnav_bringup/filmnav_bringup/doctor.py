"""`filmnav doctor [name:=value ...]`: does a live robot provide what robot.launch.yaml needs?

Takes robot.launch.yaml's own arguments (same names and defaults, read from the installed launch
file), so the arguments that will launch the stack are the arguments checked:

    filmnav doctor namespace:=robot1 odom_topic:=/odom \
        color_topic:=/camera/camera/color/image_raw ...

and prints one line per requirement (PASS, WARN or FAIL): the colour and depth images (encodings,
registered sizes, frame ids), their camera_info, odometry (rate, frames), TF (the camera's optical
frame under base_frame on /tf_static; map_frame -> odometry frame when a map frame is set) and
Nav2 (the NavigateToPose server, bt_navigator active). Exit status 1 when anything FAILs.
"""

from __future__ import annotations

import argparse
import pathlib
import sys
import time
from collections.abc import Callable, Sequence
from typing import Any

PASS, WARN, FAIL = "PASS", "WARN", "FAIL"
COLOUR_ENCODINGS = ("rgb8", "bgr8", "rgba8", "bgra8")
DEPTH_ENCODINGS = ("16UC1", "32FC1")


def launch_defaults() -> dict[str, str]:
    """robot.launch.yaml's arguments with their defaults."""
    from ament_index_python.packages import get_package_share_directory

    from filmnav_common.launch_files import declared_arguments

    path = pathlib.Path(get_package_share_directory("filmnav_bringup")) / "launch"
    return {
        argument.name: argument.default or ""
        for argument in declared_arguments(path / "robot.launch.yaml")
    }


class Probe:
    """Listens to the robot's topics and TF for a while; then answers the checks."""

    def __init__(self, args: dict[str, str]):
        import rclpy
        from lifecycle_msgs.srv import GetState
        from nav2_msgs.action import NavigateToPose
        from nav_msgs.msg import Odometry
        from rclpy.action import ActionClient
        from sensor_msgs.msg import CameraInfo, Image

        from filmnav_common.qos import ODOMETRY_QOS, SENSOR_QOS
        from filmnav_common.tf_listener import TransformListener
        from goal_interface.navigator import NAV2_LIFECYCLE_NODE, resolve_in_action_namespace

        self.args = args
        self.node = rclpy.create_node("filmnav_doctor", namespace=args["namespace"] or "/")
        self.messages: dict[str, list] = {}
        self.arrivals: dict[str, list[float]] = {}  # header stamps, seconds
        for key, kind, qos in (
            ("color_topic", Image, SENSOR_QOS),
            ("depth_topic", Image, SENSOR_QOS),
            ("color_info_topic", CameraInfo, SENSOR_QOS),
            ("depth_info_topic", CameraInfo, SENSOR_QOS),
            ("odom_topic", Odometry, ODOMETRY_QOS),
        ):
            self.messages[key], self.arrivals[key] = [], []
            self.node.create_subscription(kind, args[key], self._recorder(key), qos)
        self.tf = TransformListener(self.node)
        self.navigate = ActionClient(self.node, NavigateToPose, args["navigate_action"])
        lifecycle = resolve_in_action_namespace(args["navigate_action"], NAV2_LIFECYCLE_NODE)
        self.lifecycle = self.node.create_client(GetState, f"{lifecycle}/get_state")
        self.state_request = None

    def _recorder(self, key: str) -> Callable[[Any], None]:
        def record(message: Any) -> None:
            self.messages[key] = self.messages[key][-4:] + [message]
            stamp = message.header.stamp
            self.arrivals[key].append(stamp.sec + stamp.nanosec * 1e-9)

        return record

    def listen(self, seconds: float) -> None:
        import rclpy
        from lifecycle_msgs.srv import GetState

        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            rclpy.spin_once(self.node, timeout_sec=0.05)
            if self.state_request is None and self.lifecycle.service_is_ready():
                self.state_request = self.lifecycle.call_async(GetState.Request())

    def topic(self, key: str) -> str:
        return self.node.resolve_topic_name(self.args[key])

    def latest(self, key: str) -> Any:
        return self.messages[key][-1] if self.messages[key] else None


def check(probe: Probe, seconds: float) -> list[tuple[str, str, str]]:
    """(status, requirement, detail) per requirement."""
    from lifecycle_msgs.msg import State

    from filmnav_common.camera import CameraExtrinsics
    from filmnav_common.transforms import TransformError

    results: list[tuple[str, str, str]] = []
    add = results.append
    color, depth = probe.latest("color_topic"), probe.latest("depth_topic")
    for key, image, encodings in (
        ("color_topic", color, COLOUR_ENCODINGS),
        ("depth_topic", depth, DEPTH_ENCODINGS),
    ):
        name = f"image on {probe.topic(key)}"
        if image is None:
            add((FAIL, name, f"nothing received in {seconds:.0f} s"))
        elif image.encoding not in encodings:
            add((FAIL, name, f"encoding {image.encoding}, expected one of {encodings}"))
        elif not image.header.frame_id:
            add((FAIL, name, "no frame_id: TF cannot place the camera"))
        else:
            add(
                (
                    PASS,
                    name,
                    f"{image.width}x{image.height} {image.encoding}, frame "
                    f"'{image.header.frame_id}'",
                )
            )
    if (
        color is not None
        and depth is not None
        and (color.width, color.height)
        != (
            depth.width,
            depth.height,
        )
    ):
        add(
            (
                FAIL,
                "depth registered to colour",
                "colour and depth sizes differ: use the "
                "aligned depth (aligned_depth_to_color on a RealSense)",
            )
        )
    for key, image in (("color_info_topic", color), ("depth_info_topic", depth)):
        info, name = probe.latest(key), f"camera_info on {probe.topic(key)}"
        if info is None:
            add((FAIL, name, f"nothing received in {seconds:.0f} s"))
        elif not (info.k[0] > 0 and info.k[4] > 0):
            add((FAIL, name, f"no focal length: K = {list(info.k)}"))
        elif image is not None and (info.width, info.height) != (image.width, image.height):
            add(
                (FAIL, name, f"{info.width}x{info.height}, its image {image.width}x{image.height}")
            )
        else:
            add((PASS, name, f"fx {info.k[0]:.1f}, {info.width}x{info.height}"))
    odometry, arrivals = probe.latest("odom_topic"), probe.arrivals["odom_topic"]
    name = f"odometry on {probe.topic('odom_topic')}"
    base = probe.args["base_frame"]
    if odometry is None:
        add((FAIL, name, f"nothing received in {seconds:.0f} s"))
    elif odometry.child_frame_id and odometry.child_frame_id != base:
        add(
            (
                FAIL,
                name,
                f"child frame '{odometry.child_frame_id}', base_frame is '{base}' "
                f"(pass base_frame:={odometry.child_frame_id})",
            )
        )
    else:
        rate = (len(arrivals) - 1) / max(max(arrivals) - min(arrivals), 1e-9)
        add(
            (
                PASS if rate >= 5.0 else WARN,
                name,
                f"{rate:.0f} Hz, frame '{odometry.header.frame_id}' -> '{base}'",
            )
        )
    if depth is not None and depth.header.frame_id:
        name = f"TF {base} -> {depth.header.frame_id}"
        try:
            stamped = probe.tf.lookup(base, depth.header.frame_id)
            extrinsics = CameraExtrinsics.from_optical_transform(stamped.transform)
            add((PASS, name, extrinsics.describe()))
        except TransformError as error:
            add(
                (
                    WARN,
                    name,
                    f"not on TF ({str(error)[:100]}): the camera.* parameters are "
                    "used; publish the URDF with robot_state_publisher",
                )
            )
    map_frame = probe.args["map_frame"]
    if map_frame and odometry is not None:
        name = f"TF {map_frame} -> {odometry.header.frame_id}"
        try:
            probe.tf.lookup(map_frame, odometry.header.frame_id)
            add((PASS, name, "a localizer publishes it"))
        except TransformError as error:
            add((FAIL, name, f"{str(error)[:120]}: start the localizer or leave map_frame empty"))
    name = f"Nav2 NavigateToPose on {probe.node.resolve_topic_name(probe.args['navigate_action'])}"
    if not probe.navigate.server_is_ready():
        add(
            (
                FAIL,
                name,
                "no action server: start Nav2 (navigation_launch.py) or pass navigate_action:=...",
            )
        )
    else:
        add((PASS, name, "server up"))
    request = probe.state_request
    if request is None:
        add((WARN, "Nav2 lifecycle", "no bt_navigator/get_state beside the action: not Nav2?"))
    elif request.done() and request.result().current_state.id == State.PRIMARY_STATE_ACTIVE:
        add((PASS, "Nav2 lifecycle", "bt_navigator is active"))
    else:
        label = request.result().current_state.label if request.done() else "not answering"
        add(
            (
                FAIL,
                "Nav2 lifecycle",
                f"bt_navigator is {label}: Nav2 rejects goals until the "
                "lifecycle manager activates it",
            )
        )
    return results


def main(argv: Sequence[str]) -> int:
    parser = argparse.ArgumentParser(
        prog="filmnav doctor",
        description="Check a live robot against what robot.launch.yaml needs (its arguments, "
        "name:=value, select the topics, frames and Nav2 action to check).",
    )
    parser.add_argument("arguments", nargs="*", metavar="name:=value")
    parser.add_argument("--seconds", type=float, default=5.0, help="how long to listen")
    options = parser.parse_args(list(argv))
    import rclpy

    from filmnav_common.launch_files import LaunchError, parse_launch_arguments

    args = launch_defaults()
    try:
        given = parse_launch_arguments(options.arguments)
    except LaunchError as error:
        parser.error(str(error))
    unknown = sorted(set(given) - set(args))
    if unknown:
        parser.error(f"robot.launch.yaml has no argument(s) {', '.join(unknown)}")
    args.update(given)
    rclpy.init(args=[])  # the launch arguments are not ROS arguments
    try:
        probe = Probe(args)
        probe.listen(options.seconds)
        results = check(probe, options.seconds)
    finally:
        rclpy.try_shutdown()
    width = max(len(requirement) for _, requirement, _ in results)
    for status, requirement, detail in results:
        print(f"{status}  {requirement:<{width}}  {detail}")
    return 1 if any(status == FAIL for status, _, _ in results) else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
