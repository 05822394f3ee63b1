"""A transform buffer with tf2's semantics, without ROS (numpy only).

Frames form a tree: every child frame has one parent. Static transforms hold at all times;
dynamic ones are kept per child frame in a cache bounded in time (10 s by default, as tf2's
BufferCore). `TransformBuffer.lookup(target, source, time)` composes the links from `source` up
to the common ancestor and down to `target`, interpolating each dynamic link at `time` (linear in
translation, slerp in rotation); time None or 0 means the latest time at which every link of the
chain has data, as in tf2. Times are integer nanoseconds (a ROS stamp's sec * 1e9 + nanosec), so
stamps compare exactly.

Where this buffer differs from tf2 (deliberately, and raising instead of logging):
- A frame keeps the parent it first had. tf2 lets a child change parent over time; here a
  transform that would re-parent a frame, or close a loop, is refused with
  `RejectedTransformError`, because both are configuration errors on a robot (two publishers of
  one frame). `clear()` drops the dynamic frames, after which they may be re-built.
- A sample with the stamp of one already cached replaces it (tf2 keeps both unless identical).
- `tolerance_ns` lets a lookup use the oldest/newest sample for a time just outside the cache
  (tf2 has no tolerance: the default, 0, behaves as tf2).

The buffer is not thread-safe; `filmnav_common.tf_listener` guards it with a lock.
"""

from __future__ import annotations

import bisect
import math
from dataclasses import dataclass, field

import numpy as np

NS_PER_S = 1_000_000_000
DEFAULT_CACHE_TIME_NS = 10 * NS_PER_S  # tf2's default cache time
# tf2 refuses a rotation whose squared norm differs from 1 by more than this (then normalises).
QUATERNION_NORM_TOLERANCE = 1e-2


class TransformError(Exception):
    """Base of every error of the buffer (tf2.TransformException)."""


class InvalidFrameError(TransformError, ValueError):
    """An empty frame id, or one starting with '/' (tf2.InvalidArgumentException)."""


class FrameLookupError(TransformError, LookupError):
    """A frame the buffer has never heard of (tf2.LookupException)."""


class ConnectivityError(FrameLookupError):
    """Both frames are known but lie in different trees (tf2.ConnectivityException)."""


class ExtrapolationError(TransformError):
    """The requested time is outside a link's cached samples (tf2.ExtrapolationException)."""


class RejectedTransformError(TransformError, ValueError):
    """`set_transform` refused a transform (self transform, loop, re-parenting, old data)."""


def quaternion_multiply(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Hamilton product a * b of quaternions (x, y, z, w): rotate by b, then by a."""
    ax, ay, az, aw = a
    bx, by, bz, bw = b
    return np.array(
        [
            aw * bx + ax * bw + ay * bz - az * by,
            aw * by - ax * bz + ay * bw + az * bx,
            aw * bz + ax * by - ay * bx + az * bw,
            aw * bw - ax * bx - ay * by - az * bz,
        ]
    )


def rotation_matrix(q: np.ndarray) -> np.ndarray:
    """3x3 rotation matrix of a unit quaternion (x, y, z, w)."""
    x, y, z, w = q
    return np.array(
        [
            [1 - 2 * (y * y + z * z), 2 * (x * y - z * w), 2 * (x * z + y * w)],
            [2 * (x * y + z * w), 1 - 2 * (x * x + z * z), 2 * (y * z - x * w)],
            [2 * (x * z - y * w), 2 * (y * z + x * w), 1 - 2 * (x * x + y * y)],
        ]
    )


def quaternion_from_matrix(matrix: np.ndarray) -> np.ndarray:
    """Unit quaternion (x, y, z, w), w >= 0, of a 3x3 rotation matrix (Shepperd's method: the
    largest of w, x, y, z is computed first, so it is stable for every rotation)."""
    m = np.asarray(matrix, dtype=np.float64)
    trace = m[0, 0] + m[1, 1] + m[2, 2]
    if trace > 0.0:
        s = 2.0 * math.sqrt(1.0 + trace)
        q = [(m[2, 1] - m[1, 2]) / s, (m[0, 2] - m[2, 0]) / s, (m[1, 0] - m[0, 1]) / s, s / 4]
    elif m[0, 0] > m[1, 1] and m[0, 0] > m[2, 2]:
        s = 2.0 * math.sqrt(1.0 + m[0, 0] - m[1, 1] - m[2, 2])
        q = [s / 4, (m[0, 1] + m[1, 0]) / s, (m[0, 2] + m[2, 0]) / s, (m[2, 1] - m[1, 2]) / s]
    elif m[1, 1] > m[2, 2]:
        s = 2.0 * math.sqrt(1.0 + m[1, 1] - m[0, 0] - m[2, 2])
        q = [(m[0, 1] + m[1, 0]) / s, s / 4, (m[1, 2] + m[2, 1]) / s, (m[0, 2] - m[2, 0]) / s]
    else:
        s = 2.0 * math.sqrt(1.0 + m[2, 2] - m[0, 0] - m[1, 1])
        q = [(m[0, 2] + m[2, 0]) / s, (m[1, 2] + m[2, 1]) / s, s / 4, (m[1, 0] - m[0, 1]) / s]
    q = np.array(q) / np.linalg.norm(q)
    return -q if q[3] < 0.0 else q


def quaternion_from_yaw(yaw: float) -> np.ndarray:
    """Rotation by `yaw` radians about +z, as (x, y, z, w)."""
    return np.array([0.0, 0.0, math.sin(yaw / 2.0), math.cos(yaw / 2.0)])


def yaw_from_quaternion(q: np.ndarray) -> float:
    """Heading about +z of a rotation (x, y, z, w) in (-pi, pi]: the angle of the rotated x axis
    projected on the xy plane (roll and pitch ignored)."""
    x, y, z, w = q
    return math.atan2(2.0 * (w * z + x * y), 1.0 - 2.0 * (y * y + z * z))


def slerp(q0: np.ndarray, q1: np.ndarray, fraction: float) -> np.ndarray:
    """Spherical linear interpolation between unit quaternions, along the shorter arc."""
    dot = float(np.dot(q0, q1))
    if dot < 0.0:  # q and -q are the same rotation: take the shorter way round
        q1, dot = -q1, -dot
    if dot > 0.9995:  # nearly parallel: sin(angle) ~ 0, normalised lerp is exact enough
        q = q0 + fraction * (q1 - q0)
        return q / np.linalg.norm(q)
    angle = math.acos(dot)
    return (math.sin((1.0 - fraction) * angle) * q0 + math.sin(fraction * angle) * q1) / math.sin(
        angle
    )


@dataclass(frozen=True, eq=False)
class Transform:
    """A rigid transform: maps a point p of the child frame to rotation * p + translation in the
    parent frame. translation (3,) in metres, rotation a unit quaternion (x, y, z, w); both are
    read-only float64 arrays. A rotation whose squared norm is off by more than
    QUATERNION_NORM_TOLERANCE is refused (as tf2 does), a smaller error is normalised away."""

    translation: np.ndarray = field(default_factory=lambda: np.zeros(3))
    rotation: np.ndarray = field(default_factory=lambda: np.array([0.0, 0.0, 0.0, 1.0]))

    def __post_init__(self) -> None:
        translation = np.array(self.translation, dtype=np.float64).reshape(3)
        rotation = np.array(self.rotation, dtype=np.float64).reshape(4)
        if not (np.isfinite(translation).all() and np.isfinite(rotation).all()):
            raise ValueError(f"non-finite transform: {translation} {rotation}")
        squared_norm = float(rotation @ rotation)
        if abs(squared_norm - 1.0) > QUATERNION_NORM_TOLERANCE:
            raise ValueError(f"rotation {rotation} is not a unit quaternion")
        rotation /= math.sqrt(squared_norm)
        translation.flags.writeable = rotation.flags.writeable = False
        object.__setattr__(self, "translation", translation)
        object.__setattr__(self, "rotation", rotation)

    def compose(self, other: Transform) -> Transform:
        """self * other: apply `other`, then `self` (T_a_c = T_a_b.compose(T_b_c))."""
        return Transform(
            rotation_matrix(self.rotation) @ other.translation + self.translation,
            quaternion_multiply(self.rotation, other.rotation),
        )

    def inverse(self) -> Transform:
        conjugate = self.rotation * np.array([-1.0, -1.0, -1.0, 1.0])
        return Transform(-(rotation_matrix(conjugate) @ self.translation), conjugate)

    def apply(self, points: np.ndarray) -> np.ndarray:
        """Points (..., 3) of the child frame expressed in the parent frame."""
        points = np.asarray(points, dtype=np.float64)
        return points @ rotation_matrix(self.rotation).T + self.translation

    def to_matrix(self) -> np.ndarray:
        """4x4 homogeneous matrix."""
        matrix = np.eye(4)
        matrix[:3, :3] = rotation_matrix(self.rotation)
        matrix[:3, 3] = self.translation
        return matrix

    @property
    def yaw(self) -> float:
        return yaw_from_quaternion(self.rotation)


def interpolate(a: Transform, b: Transform, fraction: float) -> Transform:
    """The transform `fraction` of the way from a (0) to b (1): lerp translation, slerp
    rotation."""
    return Transform(
        a.translation + fraction * (b.translation - a.translation),
        slerp(a.rotation, b.rotation, fraction),
    )


@dataclass(frozen=True)
class StampedTransform:
    """A transform from `child_frame_id` to `frame_id` at a time (as geometry_msgs'
    TransformStamped). A lookup of (target, source) returns frame_id=target,
    child_frame_id=source."""

    frame_id: str
    child_frame_id: str
    stamp_ns: int
    transform: Transform


@dataclass
class _Link:
    """The edge from a child frame to its parent: one sample if static, else a time-sorted
    cache."""

    parent: str
    static: bool
    stamps: list[int]
    transforms: list[Transform]


def _seconds(ns: int) -> str:
    return f"{ns / NS_PER_S:.6f}"


class TransformBuffer:
    """The frame tree with each link's cache: `set_transform` fills it, `lookup` and
    `can_transform` query it (see the module docstring for the semantics)."""

    def __init__(self, cache_time_ns: int = DEFAULT_CACHE_TIME_NS, tolerance_ns: int = 0):
        if cache_time_ns <= 0 or tolerance_ns < 0:
            raise ValueError("cache_time_ns must be > 0 and tolerance_ns >= 0")
        self.cache_time_ns = int(cache_time_ns)
        self.tolerance_ns = int(tolerance_ns)
        self._links: dict[str, _Link] = {}  # child frame -> link to its parent

    def set_transform(self, stamped: StampedTransform, static: bool = False) -> None:
        """Add a transform (static: valid at all times, replacing the previous static one of
        that child). Raises RejectedTransformError, leaving the buffer unchanged, for what tf2
        ignores with a warning and for what this buffer does not allow (see the module
        docstring). A leading '/' of the frame ids is dropped, as tf2 does."""
        parent = stamped.frame_id.removeprefix("/")
        child = stamped.child_frame_id.removeprefix("/")
        stamp = int(stamped.stamp_ns)
        if not parent or not child:
            raise RejectedTransformError(
                f"ignoring transform {parent!r} -> {child!r}: frame ids must not be empty"
            )
        if parent == child:
            raise RejectedTransformError(
                f"TF_SELF_TRANSFORM: ignoring transform with frame_id and child_frame_id "
                f'"{child}" because they are the same'
            )
        if stamp < 0:
            raise RejectedTransformError(f"ignoring transform of {child!r}: negative stamp")
        link = self._links.get(child)
        if link is not None and link.parent != parent:
            raise RejectedTransformError(
                f'ignoring transform from "{parent}" to "{child}": "{child}" already has parent '
                f'"{link.parent}" (a frame keeps one parent; two publishers of one frame?)'
            )
        if link is None and child in self._chain(parent):
            raise RejectedTransformError(
                f'ignoring transform from "{parent}" to "{child}": it would close a loop '
                f'("{parent}" descends from "{child}")'
            )
        if static or link is None or link.static:  # a change of kind replaces the link, as tf2
            self._links[child] = _Link(parent, static, [stamp], [stamped.transform])
            return
        if stamp < link.stamps[-1] - self.cache_time_ns:
            raise RejectedTransformError(
                f"TF_OLD_DATA ignoring data from the past for frame {child} at time "
                f"{_seconds(stamp)} (latest {_seconds(link.stamps[-1])}, cache "
                f"{_seconds(self.cache_time_ns)} s)"
            )
        index = bisect.bisect_left(link.stamps, stamp)
        if index < len(link.stamps) and link.stamps[index] == stamp:
            link.transforms[index] = stamped.transform
        else:
            link.stamps.insert(index, stamp)
            link.transforms.insert(index, stamped.transform)
        expired = bisect.bisect_left(link.stamps, link.stamps[-1] - self.cache_time_ns)
        del link.stamps[:expired], link.transforms[:expired]

    def lookup(
        self, target_frame: str, source_frame: str, time_ns: int | None = None
    ) -> StampedTransform:
        """The transform that maps points of `source_frame` into `target_frame` at `time_ns`
        (None or 0: the latest common time). Raises InvalidFrameError, FrameLookupError,
        ConnectivityError or ExtrapolationError."""
        if time_ns is not None and (not isinstance(time_ns, int | np.integer) or time_ns < 0):
            raise TypeError(f"time_ns must be a non-negative int of nanoseconds, not {time_ns!r}")
        for argument, frame in (("target_frame", target_frame), ("source_frame", source_frame)):
            self._validate(frame, argument)
        if target_frame == source_frame:  # as tf2: no need for the frame to exist
            link = self._links.get(target_frame)
            latest = link.stamps[-1] if link is not None and not link.static else 0
            return StampedTransform(target_frame, source_frame, time_ns or latest, Transform())
        source_path, target_path = self._paths(target_frame, source_frame)
        time = time_ns or self._latest_common_time(source_path + target_path)
        what = f"when looking up transform from frame [{source_frame}] to frame [{target_frame}]"
        common_from_source = self._accumulate(source_path, time, what)
        common_from_target = self._accumulate(target_path, time, what)
        return StampedTransform(
            target_frame,
            source_frame,
            time,
            common_from_target.inverse().compose(common_from_source),
        )

    def can_transform(
        self, target_frame: str, source_frame: str, time_ns: int | None = None
    ) -> bool:
        try:
            self.lookup(target_frame, source_frame, time_ns)
        except TransformError:
            return False
        return True

    def frames(self) -> dict[str, str]:
        """Every child frame with its parent (for diagnostics)."""
        return {child: link.parent for child, link in self._links.items()}

    def clear(self) -> None:
        """Forget the dynamic transforms (e.g. after simulated time jumped back); static ones
        stay, as in tf2."""
        self._links = {child: link for child, link in self._links.items() if link.static}

    def _validate(self, frame: str, argument: str) -> None:
        if not frame:
            raise InvalidFrameError(
                f'Invalid argument "" passed to lookupTransform argument {argument} - in tf2 '
                "frame_ids cannot be empty"
            )
        if frame.startswith("/"):
            raise InvalidFrameError(
                f'Invalid argument "{frame}" passed to lookupTransform argument {argument} - in '
                "tf2 frame_ids cannot start with a '/'"
            )

    def _known(self, frame: str) -> bool:
        return frame in self._links or any(link.parent == frame for link in self._links.values())

    def _chain(self, frame: str) -> list[str]:
        """`frame`, its parent, ..., the root of its tree (finite: loops are refused)."""
        chain = [frame]
        while chain[-1] in self._links:
            chain.append(self._links[chain[-1]].parent)
        return chain

    def _paths(self, target_frame: str, source_frame: str) -> tuple[list[str], list[str]]:
        """The child frames whose links lead from source, and from target, up to their common
        ancestor."""
        for argument, frame in (("target_frame", target_frame), ("source_frame", source_frame)):
            if not self._known(frame):
                known = ", ".join(sorted(set(self._links) | set(self.frames().values())))
                raise FrameLookupError(
                    f'"{frame}" passed to lookupTransform argument {argument} does not exist. '
                    f"Known frames: {known or 'none'}"
                )
        source_chain, target_chain = self._chain(source_frame), self._chain(target_frame)
        common = next((frame for frame in target_chain if frame in source_chain), None)
        if common is None:
            raise ConnectivityError(
                f"Could not find a connection between '{target_frame}' and '{source_frame}' "
                "because they are not part of the same tree.Tf has two or more unconnected trees."
            )
        return (
            source_chain[: source_chain.index(common)],
            target_chain[: target_chain.index(common)],
        )

    def _latest_common_time(self, children: list[str]) -> int:
        """The newest time every dynamic link of `children` has data for; 0 if all are static."""
        latest = [self._links[c].stamps[-1] for c in children if not self._links[c].static]
        return min(latest, default=0)

    def _accumulate(self, path: list[str], time: int, what: str) -> Transform:
        """The transform from the first frame of `path` to the parent of its last frame."""
        result = Transform()
        for child in path:
            result = self._sample(child, time, what).compose(result)
        return result

    def _sample(self, child: str, time: int, what: str) -> Transform:
        """The link of `child` at `time`, interpolated between the bracketing samples."""
        link = self._links[child]
        stamps, transforms = link.stamps, link.transforms
        if link.static:
            return transforms[0]
        oldest, newest = stamps[0], stamps[-1]
        if len(stamps) == 1 and abs(time - oldest) > self.tolerance_ns:
            raise ExtrapolationError(
                f"Lookup would require extrapolation at time {_seconds(time)}, but only time "
                f"{_seconds(oldest)} is in the buffer, {what}"
            )
        if time < oldest - self.tolerance_ns:
            raise ExtrapolationError(
                f"Lookup would require extrapolation into the past.  Requested time "
                f"{_seconds(time)} but the earliest data is at time {_seconds(oldest)}, {what}"
            )
        if time > newest + self.tolerance_ns:
            raise ExtrapolationError(
                f"Lookup would require extrapolation into the future.  Requested time "
                f"{_seconds(time)} but the latest data is at time {_seconds(newest)}, {what}"
            )
        if time <= oldest:
            return transforms[0]
        if time >= newest:
            return transforms[-1]
        after = bisect.bisect_left(stamps, time)
        if stamps[after] == time:
            return transforms[after]
        fraction = (time - stamps[after - 1]) / (stamps[after] - stamps[after - 1])
        return interpolate(transforms[after - 1], transforms[after], fraction)
