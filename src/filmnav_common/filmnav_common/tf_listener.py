"""TF for nodes without tf2_ros: a listener that fills a `transforms.TransformBuffer` from `/tf`
and `/tf_static`, with tf2_ros's topics and QoS, and the message conversions.

The topics are the absolute names tf2_ros uses, so `-r /tf:=...` remaps apply as they do to
tf2_ros. Static transforms are latched (transient local): a listener started after
robot_state_publisher still receives them. The subscriptions get their own mutually exclusive
callback group, so under a MultiThreadedExecutor `wait_for_transform` may be called from another
callback while TF keeps arriving; under a SingleThreadedExecutor, waiting inside a callback
cannot see new data (use `can_transform`/`lookup` there). When the node's clock jumps back (a
simulation reset under use_sim_time), the dynamic transforms are dropped, as tf2_ros does.
"""

from __future__ import annotations

import threading
from functools import partial
from time import monotonic

from builtin_interfaces.msg import Time as TimeMsg
from geometry_msgs.msg import Quaternion, TransformStamped, Vector3
from rclpy.callback_groups import MutuallyExclusiveCallbackGroup
from rclpy.clock import JumpThreshold, TimeJump
from rclpy.duration import Duration
from rclpy.node import Node
from rclpy.qos import DurabilityPolicy, HistoryPolicy, QoSProfile, ReliabilityPolicy
from rclpy.time import Time
from tf2_msgs.msg import TFMessage

from filmnav_common.transforms import (
    DEFAULT_CACHE_TIME_NS,
    NS_PER_S,
    RejectedTransformError,
    StampedTransform,
    Transform,
    TransformBuffer,
    TransformError,
)

TF_TOPIC = "/tf"
TF_STATIC_TOPIC = "/tf_static"

# tf2_ros's DynamicListenerQoS / DynamicBroadcasterQoS.
TF_QOS = QoSProfile(
    depth=100,
    history=HistoryPolicy.KEEP_LAST,
    reliability=ReliabilityPolicy.RELIABLE,
    durability=DurabilityPolicy.VOLATILE,
)
# tf2_ros's StaticListenerQoS: transient local, so late joiners get what was latched.
TF_STATIC_QOS = QoSProfile(
    depth=100,
    history=HistoryPolicy.KEEP_LAST,
    reliability=ReliabilityPolicy.RELIABLE,
    durability=DurabilityPolicy.TRANSIENT_LOCAL,
)
# tf2_ros's StaticBroadcasterQoS: one latched TFMessage holding every static transform.
TF_STATIC_BROADCASTER_QOS = QoSProfile(
    depth=1,
    history=HistoryPolicy.KEEP_LAST,
    reliability=ReliabilityPolicy.RELIABLE,
    durability=DurabilityPolicy.TRANSIENT_LOCAL,
)

TimeLike = int | Time | TimeMsg | None


def stamp_to_ns(stamp: TimeMsg) -> int:
    return stamp.sec * NS_PER_S + stamp.nanosec


def stamp_seconds(stamp: TimeMsg) -> float:
    return stamp.sec + stamp.nanosec * 1e-9


def ns_to_stamp(ns: int) -> TimeMsg:
    return TimeMsg(sec=ns // NS_PER_S, nanosec=ns % NS_PER_S)


def transform_from_msg(msg: TransformStamped) -> StampedTransform:
    """Raises ValueError for a non-finite transform or a rotation that is not a unit quaternion."""
    t, q = msg.transform.translation, msg.transform.rotation
    return StampedTransform(
        msg.header.frame_id,
        msg.child_frame_id,
        stamp_to_ns(msg.header.stamp),
        Transform((t.x, t.y, t.z), (q.x, q.y, q.z, q.w)),
    )


def transform_to_msg(stamped: StampedTransform) -> TransformStamped:
    msg = TransformStamped(child_frame_id=stamped.child_frame_id)
    msg.header.stamp, msg.header.frame_id = ns_to_stamp(stamped.stamp_ns), stamped.frame_id
    x, y, z = (float(v) for v in stamped.transform.translation)
    msg.transform.translation = Vector3(x=x, y=y, z=z)
    x, y, z, w = (float(v) for v in stamped.transform.rotation)
    msg.transform.rotation = Quaternion(x=x, y=y, z=z, w=w)
    return msg


def _to_ns(time: TimeLike) -> int | None:
    if isinstance(time, Time):
        return time.nanoseconds
    if isinstance(time, TimeMsg):
        return stamp_to_ns(time)
    return time


class TransformListener:
    """Keeps a transform buffer filled from TF; every method is thread-safe. Times are stamps
    (int nanoseconds, rclpy Time or a message stamp); None or 0 means the latest common time."""

    WARNING_PERIOD_S = 5.0  # rejected transforms are reported at most this often

    def __init__(
        self,
        node: Node,
        *,
        cache_time_ns: int = DEFAULT_CACHE_TIME_NS,
        tolerance_ns: int = 0,
    ):
        self._node = node
        self._buffer = TransformBuffer(cache_time_ns, tolerance_ns)
        self._changed = threading.Condition()  # its lock guards the buffer
        group = MutuallyExclusiveCallbackGroup()
        for topic, qos, static in (
            (TF_TOPIC, TF_QOS, False),
            (TF_STATIC_TOPIC, TF_STATIC_QOS, True),
        ):
            node.create_subscription(
                TFMessage,
                topic,
                partial(self._on_message, static=static),
                qos,
                callback_group=group,
            )
        self._jump_handle = node.get_clock().create_jump_callback(
            JumpThreshold(min_forward=None, min_backward=Duration(nanoseconds=-1)),
            post_callback=self._on_time_jump,
        )

    def lookup(
        self, target_frame: str, source_frame: str, time: TimeLike = None
    ) -> StampedTransform:
        """Transform from `source_frame` to `target_frame`; raises the buffer's TransformError."""
        with self._changed:
            return self._buffer.lookup(target_frame, source_frame, _to_ns(time))

    def can_transform(self, target_frame: str, source_frame: str, time: TimeLike = None) -> bool:
        with self._changed:
            return self._buffer.can_transform(target_frame, source_frame, _to_ns(time))

    def wait_for_transform(
        self, target_frame: str, source_frame: str, time: TimeLike = None, timeout_s: float = 1.0
    ) -> StampedTransform:
        """`lookup`, retried as TF arrives for at most `timeout_s` of wall-clock (steady) time;
        then raises the last lookup's error."""
        deadline = monotonic() + timeout_s
        time_ns = _to_ns(time)
        with self._changed:
            while True:
                try:
                    return self._buffer.lookup(target_frame, source_frame, time_ns)
                except TransformError as error:
                    remaining = deadline - monotonic()
                    if remaining <= 0:
                        raise type(error)(f"{error} (waited {timeout_s:.3g} s)") from error
                    self._changed.wait(remaining)

    def frames(self) -> dict[str, str]:
        """Every child frame received so far with its parent."""
        with self._changed:
            return self._buffer.frames()

    def _on_message(self, message: TFMessage, static: bool) -> None:
        rejected = []
        with self._changed:
            for msg in message.transforms:
                try:
                    self._buffer.set_transform(transform_from_msg(msg), static=static)
                except RejectedTransformError as error:
                    rejected.append(str(error))
                except ValueError as error:  # not finite, or no unit quaternion
                    rejected.append(f"{msg.header.frame_id} -> {msg.child_frame_id}: {error}")
            self._changed.notify_all()
        if rejected:
            topic = TF_STATIC_TOPIC if static else TF_TOPIC
            self._node.get_logger().warning(
                f"ignored {len(rejected)} transform(s) on {topic}: {'; '.join(rejected)}",
                throttle_duration_sec=self.WARNING_PERIOD_S,
            )

    def _on_time_jump(self, jump: TimeJump) -> None:
        """Back jumps (and a switch of time source) make cached stamps meaningless: forget the
        dynamic transforms, as tf2_ros does; static ones stay."""
        with self._changed:
            self._buffer.clear()
        self._node.get_logger().info(
            f"clock jumped by {jump.delta.nanoseconds / NS_PER_S:+.3f} s: dropped dynamic TF"
        )
