"""Operator commands: `filmnav goal`, `filmnav cancel`, `filmnav status`.

They talk to a running goal_interface node over its topics (it announces the goals it accepts to
the other nodes on `filmnav/active_goal`): the latched `filmnav/status` proves the node is there
and tells whether a goal was accepted or rejected. `--namespace` addresses a stack launched under
one (`robot.launch.yaml namespace:=robot1`); when nothing answers, the error names the namespaces
where a stack does.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Callable, Sequence

import rclpy
from filmnav_interfaces.msg import Goal, MissionStatus
from rclpy.exceptions import InvalidNamespaceException
from rclpy.executors import ExternalShutdownException
from rclpy.node import Node
from rclpy.validate_namespace import validate_namespace
from std_msgs.msg import Empty

from filmnav_common.image_codec import numpy_to_image
from filmnav_common.qos import LATCHED_QOS, RELIABLE_QOS
from goal_interface.goals import goal_from_text

TERMINAL_STATES = (MissionStatus.SUCCEEDED, MissionStatus.FAILED, MissionStatus.CANCELED)
STATUS_TOPIC = "filmnav/status"


def format_status(status: MissionStatus) -> str:
    policy = (
        f", policy {status.policy}{' (fallback)' if status.policy_fallback else ''}"
        if status.policy
        else ""
    )
    goal = f" goal '{status.goal_id}' ({status.goal_text})" if status.goal_id else ""
    unwell = ", ".join(f"{part.name} {part.level_name}" for part in status.health if part.level)
    return (
        f"[{status.state_name}]{goal}: {status.message} | decisions {status.decisions}, "
        f"distance {status.distance_travelled:.2f} m, elapsed {status.elapsed:.1f} s, "
        f"frontier {status.current_frontier}{policy}"
        + (f" | understood as: {status.understood_as}" if status.understood_as else "")
        + (f" | not OK: {unwell}" if unwell else "")
    )


def add_connection_arguments(parser: argparse.ArgumentParser) -> None:
    """The options every operator command takes: where the stack is, how long to wait for it."""
    parser.add_argument(
        "--namespace",
        "-n",
        default="/",
        help="namespace the stack was launched in (robot.launch.yaml namespace:=...), "
        "default the root namespace",
    )
    parser.add_argument(
        "--timeout",
        type=float,
        default=10.0,
        help="seconds to wait for the node, default %(default)s",
    )


def absolute_namespace(namespace: str) -> str:
    """'robot1', '/robot1' and 'fleet/robot1/' as ROS absolute namespaces; ValueError naming
    what is wrong with an invalid one."""
    absolute = "/" + namespace.strip().strip("/")
    try:
        validate_namespace(absolute)
    except InvalidNamespaceException as error:
        reason = str(error).splitlines()[0].removeprefix("Invalid namespace: ").rstrip(":")
        raise ValueError(f"invalid namespace {namespace!r}: {reason}") from None
    return absolute


class _StatusWatcher:
    """A short-lived node in the stack's namespace that records the latched mission status."""

    def __init__(self, name: str, namespace: str):
        rclpy.init()
        self.node: Node = rclpy.create_node(name, namespace=namespace)
        self.latest: MissionStatus | None = None
        self.received: list[MissionStatus] = []
        self.node.create_subscription(MissionStatus, STATUS_TOPIC, self._on_status, LATCHED_QOS)

    def no_node(self, timeout: float) -> str:
        """Why nothing answered, with the namespaces where a stack's status is published."""
        found = sorted(
            name.removesuffix(f"/{STATUS_TOPIC}") or "/"
            for name, _ in self.node.get_topic_names_and_types()
            if name.endswith(f"/{STATUS_TOPIC}") and self.node.count_publishers(name)
        )
        where = self.node.get_namespace()
        message = f"no goal_interface node answers on {where.rstrip('/')}/{STATUS_TOPIC}"
        message += f" within {timeout:.0f} s"
        if found:
            return f"{message}; a stack answers in namespace {', '.join(found)} (--namespace)"
        return f"{message} (is the stack running, same ROS_DOMAIN_ID?)"

    def _on_status(self, msg: MissionStatus) -> None:
        self.latest = msg
        self.received.append(msg)

    def spin_until(self, predicate: Callable[[], bool], timeout: float) -> bool:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if predicate():
                return True
            rclpy.spin_once(self.node, timeout_sec=0.05)
        return predicate()

    def close(self) -> None:
        self.node.destroy_node()
        rclpy.try_shutdown()


def _run(prog: str, args: argparse.Namespace, body: Callable[[_StatusWatcher], int]) -> int:
    """Runs a command's body with a status watcher in the stack's namespace (exit status 2 for
    an invalid namespace)."""
    try:
        namespace = absolute_namespace(args.namespace)
    except ValueError as error:
        print(f"{prog}: {error}", file=sys.stderr)
        return 2
    watcher = _StatusWatcher(f"{prog.replace(' ', '_')}_cli", namespace)
    try:
        return body(watcher)
    except (KeyboardInterrupt, ExternalShutdownException):
        return 130
    finally:
        watcher.close()


def goal_message(
    sentence: str, image_path: str | None = None, task: str | None = None, goal_id: str = ""
) -> Goal:
    """The Goal an operator's words or picture make (`filmnav goal`, `filmnav demo`): a picture
    file is an image goal; a sentence is an object or text goal (`goal_from_text`) unless `task`
    says which. ValueError when there is neither or the picture cannot be read."""
    if image_path:
        import cv2  # only image goals need OpenCV: keep the other commands quick to start

        bgr = cv2.imread(image_path, cv2.IMREAD_COLOR)
        if bgr is None:
            raise ValueError(f"cannot read image '{image_path}'")
        image = numpy_to_image(cv2.cvtColor(bgr, cv2.COLOR_BGR2RGB), "rgb8")
        return Goal(id=goal_id, task=task or "image", text=sentence, image=image)
    if not sentence.strip():
        raise ValueError("give the goal as text (filmnav goal find a chair) or --image PNG")
    task, text = (task, sentence) if task else goal_from_text(sentence)
    return Goal(id=goal_id, task=task, text=text)


def goal_main(argv: Sequence[str]) -> int:
    parser = argparse.ArgumentParser(
        prog="filmnav goal", description="Send an object-search goal to the running stack."
    )
    parser.add_argument(
        "text", nargs="*", help="goal text, e.g. 'find a chair' or 'something to sleep on'"
    )
    parser.add_argument("--image", help="goal picture (PNG/JPEG) for an image goal")
    parser.add_argument(
        "--task",
        choices=("object", "text", "image"),
        help="task (default: object for a short noun phrase, text otherwise; image with --image)",
    )
    parser.add_argument("--id", default="", help="goal id (default: generated)")
    add_connection_arguments(parser)
    parser.add_argument(
        "--wait", action="store_true", help="follow the goal until it ends; exit 0 only on success"
    )
    args = parser.parse_args(list(argv))
    args.id = args.id or f"cli_{int(time.time() * 1000) % 100_000_000}"
    try:
        goal = goal_message(" ".join(args.text), args.image, args.task, args.id)
    except ValueError as error:
        print(f"filmnav goal: {error}", file=sys.stderr)
        return 2

    def body(watcher: _StatusWatcher) -> int:
        publisher = watcher.node.create_publisher(Goal, "filmnav/goal", RELIABLE_QOS)
        if not watcher.spin_until(
            lambda: watcher.latest is not None and publisher.get_subscription_count() > 0,
            args.timeout,
        ):
            print(f"filmnav goal: {watcher.no_node(args.timeout)}", file=sys.stderr)
            return 1
        publisher.publish(goal)

        def answered() -> bool:
            status = watcher.latest
            return status is not None and (
                status.goal_id == goal.id or f"rejected goal '{goal.id}'" in status.message
            )

        if not watcher.spin_until(answered, args.timeout):
            print(
                f"filmnav goal: the node did not acknowledge goal '{goal.id}' "
                f"within {args.timeout:.0f} s",
                file=sys.stderr,
            )
            return 1
        status = watcher.latest
        if status.goal_id != goal.id:
            print(f"filmnav goal: {status.message}", file=sys.stderr)
            return 1
        print(f"accepted goal '{goal.id}': {goal.task} '{goal.text or '<image>'}'")
        if not args.wait:
            return 0
        printed = len(watcher.received)
        while True:
            watcher.spin_until(lambda printed=printed: len(watcher.received) > printed, 1.0)
            for update in watcher.received[printed:]:
                print(format_status(update), flush=True)
            printed = len(watcher.received)
            latest = watcher.latest
            if latest.goal_id != goal.id:
                print(
                    f"filmnav goal: goal '{goal.id}' was replaced by '{latest.goal_id}'",
                    file=sys.stderr,
                )
                return 1
            if latest.state in TERMINAL_STATES:
                return 0 if latest.state == MissionStatus.SUCCEEDED else 1

    return _run(parser.prog, args, body)


def cancel_main(argv: Sequence[str]) -> int:
    parser = argparse.ArgumentParser(prog="filmnav cancel", description="Cancel the current goal.")
    add_connection_arguments(parser)
    args = parser.parse_args(list(argv))

    def body(watcher: _StatusWatcher) -> int:
        publisher = watcher.node.create_publisher(Empty, "filmnav/cancel", RELIABLE_QOS)
        if not watcher.spin_until(
            lambda: watcher.latest is not None and publisher.get_subscription_count() > 0,
            args.timeout,
        ):
            print(f"filmnav cancel: {watcher.no_node(args.timeout)}", file=sys.stderr)
            return 1
        if watcher.latest.state not in (MissionStatus.EXPLORING, MissionStatus.APPROACHING):
            print(f"nothing to cancel: {format_status(watcher.latest)}")
            return 0
        publisher.publish(Empty())
        if not watcher.spin_until(
            lambda: watcher.latest.state == MissionStatus.CANCELED, args.timeout
        ):
            print(
                f"filmnav cancel: the goal was not canceled within {args.timeout:.0f} s: "
                f"{format_status(watcher.latest)}",
                file=sys.stderr,
            )
            return 1
        print(format_status(watcher.latest))
        return 0

    return _run(parser.prog, args, body)


def status_main(argv: Sequence[str]) -> int:
    parser = argparse.ArgumentParser(
        prog="filmnav status", description="Print the mission status."
    )
    parser.add_argument(
        "--follow", "-f", action="store_true", help="keep printing every update (Ctrl-C to stop)"
    )
    add_connection_arguments(parser)
    args = parser.parse_args(list(argv))

    def body(watcher: _StatusWatcher) -> int:
        if not watcher.spin_until(lambda: watcher.latest is not None, args.timeout):
            print(f"filmnav status: {watcher.no_node(args.timeout)}", file=sys.stderr)
            return 1
        print(format_status(watcher.latest), flush=True)
        printed = len(watcher.received)
        while args.follow:
            watcher.spin_until(lambda printed=printed: len(watcher.received) > printed, 1.0)
            for update in watcher.received[printed:]:
                print(format_status(update), flush=True)
            printed = len(watcher.received)
        return 0

    return _run(parser.prog, args, body)
