"""Pair sensor frames with odometry by timestamp (no ROS; the project has no message_filters).

    sync = FrameSync(SyncConfig(tolerance=0.05, max_gap=0.5))
    result = sync.add_pose(stamp, Pose2D(...))    # may release frames that waited for odometry
    result = sync.add_frame(stamp, frame)          # SyncResult(matched=[...], dropped=[...])
    for match in result.matched: use(match.frame, match.pose)
    for drop in result.dropped: log(drop.reason)

A frame's pose is interpolated between the odometry samples around its stamp when they are at
most `max_gap` apart, else taken from the nearest sample within `tolerance`. A frame newer than
all odometry waits for the next sample (at most `max_pending` frames), even when the newest is
within `tolerance`: with fast odometry (50 Hz) that sample is the pose of an earlier instant,
a step or a turn behind on a robot that moves between them. A frame older than the kept
history, or inside a longer odometry gap, is dropped with the reason, so the map never receives
a frame without a matching pose.

Odometry is a single stream, so a discontinuity means it started over (a simulator episode
reset, a looping bag, a re-initialised odometry source): a stamp more than `reset_jump` seconds
back, a different pose for the latest stamp, or a jump of more than `max_jump` metres between
consecutive samples, faster than `max_speed` (a longer one at a robot's speed is motion whose
samples were missed), restarts the history and sets `SyncResult.restarted`, telling the caller
that whatever it built in the old frame is void. A repeated sample (same stamp and pose, as a
publisher republishing its last state) is ignored silently. A stamp up to `reorder_tolerance`
older than the newest is stamp jitter (a 50 Hz driver stamping with +-10 ms of jitter delivers
such samples every second): it is filed in order, silently. An older stamp with a nearby pose is
an out-of-order message and is ignored with a notice.
"""

from __future__ import annotations

import bisect
import math
from collections import deque
from dataclasses import dataclass, field
from typing import Generic, NamedTuple, TypeVar

from filmnav_common.planar import Pose2D, wrap_angle

FrameT = TypeVar("FrameT")


@dataclass(frozen=True)
class SyncConfig:
    tolerance: float = 0.05  # seconds between a frame and the nearest odometry to use it
    max_gap: float = 0.5  # seconds between two odometry samples to interpolate across
    history: float = 5.0  # seconds of odometry kept
    max_pending: int = 10  # frames waiting for newer odometry (a busy node reads it late)
    reset_jump: float = 1.0  # seconds odometry may jump back before the history restarts
    max_jump: float = (
        1.0  # metres between consecutive samples before the history restarts (0: off)
    )
    # metres per second no robot moves: a longer jump at most this fast is motion whose samples
    # a busy subscriber missed (a simulator stepping ahead of it), not a restart
    max_speed: float = 3.0
    reorder_tolerance: float = 0.05  # seconds a stamp may lie behind the newest (jitter)


class Matched(NamedTuple, Generic[FrameT]):
    stamp: float
    frame: FrameT
    pose: Pose2D


class Dropped(NamedTuple):
    stamp: float
    reason: str


@dataclass
class SyncResult(Generic[FrameT]):
    matched: list[Matched] = field(default_factory=list)
    dropped: list[Dropped] = field(default_factory=list)
    notice: str = ""  # about the odometry itself (rejected or restarted), empty if fine
    pose_accepted: bool = True  # False unless the odometry sample is the newest pose now
    restarted: bool = False  # odometry started over: poses before it are in another frame


class _Waiting(Exception):
    """The frame is newer than every odometry sample: try again when more arrives."""


class FrameSync(Generic[FrameT]):
    def __init__(self, config: SyncConfig = SyncConfig()):
        self.config = config
        self.reset()

    def reset(self) -> None:
        self._stamps: list[float] = []
        self._poses: list[Pose2D] = []
        self._pending: deque[tuple[float, FrameT]] = deque()

    @property
    def latest_stamp(self) -> float | None:
        return self._stamps[-1] if self._stamps else None

    def add_pose(self, stamp: float, pose: Pose2D) -> SyncResult:
        """Record odometry; returns waiting frames it completes and any notice about it."""
        result = SyncResult()
        if self._stamps:
            restart = self._discontinuity(stamp, pose)
            if restart is None and stamp <= self._stamps[-1]:
                result.pose_accepted = False
                back = self._stamps[-1] - stamp
                if back > self.config.reorder_tolerance:
                    result.notice = (
                        f"odometry out of order: stamp {stamp:.3f} s is {back:.3f} s "
                        f"older than the previous one; ignored"
                    )
                elif back > 0.0:
                    self._file_late(stamp, pose, result)
                return result
            if restart is not None:
                result.notice = f"odometry restarted ({restart}); pose history cleared"
                result.restarted = True
                result.dropped += [
                    Dropped(s, "dropped at an odometry restart") for s, _ in self._pending
                ]
                self.reset()
        self._stamps.append(stamp)
        self._poses.append(pose)
        expired = bisect.bisect_left(self._stamps, stamp - self.config.history)
        del self._stamps[:expired], self._poses[:expired]
        self._release(result)
        return result

    def _file_late(self, stamp: float, pose: Pose2D, result: SyncResult) -> None:
        """A sample a little older than the newest (stamp jitter): into the history in order."""
        index = bisect.bisect_left(self._stamps, stamp)
        if index < len(self._stamps) and self._stamps[index] == stamp:
            return
        self._stamps.insert(index, stamp)
        self._poses.insert(index, pose)
        self._release(result)

    def _discontinuity(self, stamp: float, pose: Pose2D) -> str | None:
        """Why (stamp, pose) cannot continue the current odometry stream, or None if it can."""
        last_stamp, last = self._stamps[-1], self._poses[-1]
        jump = math.hypot(pose.x - last.x, pose.y - last.y)
        if last_stamp - stamp > self.config.reset_jump:
            return f"time jumped back {last_stamp - stamp:.1f} s"
        if stamp == last_stamp and (jump > 1e-3 or abs(wrap_angle(pose.yaw - last.yaw)) > 1e-3):
            return f"a different pose for stamp {stamp:.3f} s"
        elapsed = stamp - last_stamp
        too_fast = elapsed <= 0.0 or jump > self.config.max_speed * elapsed
        if self.config.max_jump > 0.0 and jump > self.config.max_jump and too_fast:
            return f"the pose jumped {jump:.2f} m in {max(elapsed, 0.0):.2f} s"
        return None

    def add_frame(self, stamp: float, frame: FrameT) -> SyncResult:
        """Pair a frame with odometry now, queue it until odometry catches up, or drop it."""
        result = SyncResult()
        self._pending.append((stamp, frame))
        while len(self._pending) > max(self.config.max_pending, 1):
            old_stamp, _ = self._pending.popleft()
            result.dropped.append(Dropped(old_stamp, "no odometry arrived for this frame in time"))
        self._release(result)
        return result

    def _release(self, result: SyncResult) -> None:
        still_waiting: deque[tuple[float, FrameT]] = deque()
        for stamp, frame in self._pending:
            try:
                result.matched.append(Matched(stamp, frame, self.pose_at(stamp)))
            except _Waiting:
                still_waiting.append((stamp, frame))
            except LookupError as error:
                result.dropped.append(Dropped(stamp, str(error)))
        self._pending = still_waiting

    def pose_at(self, stamp: float) -> Pose2D:
        """Pose at `stamp`; LookupError with the reason if odometry cannot give one."""
        config = self.config
        if not self._stamps:
            raise _Waiting()
        index = bisect.bisect_left(self._stamps, stamp)
        if index < len(self._stamps) and self._stamps[index] == stamp:
            return self._poses[index]
        if 0 < index < len(self._stamps):
            before, after = self._stamps[index - 1], self._stamps[index]
            if after - before <= config.max_gap:
                return _interpolate(
                    self._poses[index - 1], self._poses[index], (stamp - before) / (after - before)
                )
        if index == len(self._stamps):
            raise _Waiting()  # newer than all odometry: the next sample brackets it
        nearest = min(
            (i for i in (index - 1, index) if 0 <= i < len(self._stamps)),
            key=lambda i: abs(self._stamps[i] - stamp),
        )
        if abs(self._stamps[nearest] - stamp) <= config.tolerance:
            return self._poses[nearest]
        if index == 0:
            raise LookupError(
                f"stale frame: stamp {stamp:.3f} s is older than the odometry "
                f"history (from {self._stamps[0]:.3f} s)"
            )
        raise LookupError(
            f"odometry gap of {self._stamps[index] - self._stamps[index - 1]:.2f} s "
            f"around frame stamp {stamp:.3f} s (max_gap {config.max_gap} s)"
        )


def _interpolate(first: Pose2D, second: Pose2D, fraction: float) -> Pose2D:
    return Pose2D(
        first.x + fraction * (second.x - first.x),
        first.y + fraction * (second.y - first.y),
        wrap_angle(first.yaw + fraction * wrap_angle(second.yaw - first.yaw)),
    )
