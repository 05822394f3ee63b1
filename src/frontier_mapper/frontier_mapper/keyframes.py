"""RGB trajectory keyframes and the frontier -> best-view link (no ROS).

    buffer = KeyframeBuffer(KeyframeConfig(min_distance=0.2, min_rotation=radians(25)))
    keyframe = buffer.add(rgb, Pose2D(x, y, yaw), stamp_seconds)   # Keyframe, or None if too close
    buffer.history(k, size)              # the k latest keyframes, oldest first, images size x size
    buffer.link_frontiers({id: points})  # {frontier id: keyframe id}; keeps links across calls
    buffer.view_for(points)              # best keyframe for world points [N, 2], no memory
    buffer.frontier_views({id: points}, size)  # {frontier id: keyframe cropped towards it,
                                               #  or None}

A keyframe is taken when the robot has moved `min_distance` or turned `min_rotation` since the
last one. Images are stored downsampled to `store_width` and at most `capacity` keyframes are
kept; the oldest go first, except frames that are the linked view of a live frontier.

How well a keyframe shows a frontier: the number of frontier points inside its horizontal field
of view and range (occlusion is not modelled). A frontier is linked to the best keyframe when
first seen (ties: the earliest) and moves to another keyframe only when that one shows strictly
more of it. The view served for a frontier is a square crop of its keyframe, `crop_fov` wide and
centred on the frontier's bearing, so frontiers seen in one keyframe still get distinct images.
Frontiers that arrive as messages (centroid, size, waypoint) are rebuilt as a
segment through the centroid across the waypoint's heading with `frontier_segment`.
"""

from __future__ import annotations

import math
from collections import OrderedDict
from collections.abc import Mapping
from dataclasses import dataclass, replace

import cv2
import numpy as np

from filmnav_common.planar import Pose2D, wrap_angle


@dataclass(frozen=True)
class KeyframeConfig:
    min_distance: float = 0.2  # metres moved since the last keyframe
    min_rotation: float = math.radians(25.0)  # radians turned since the last keyframe
    capacity: int = 200  # keyframes kept at most
    store_width: int = 320  # stored image width in pixels, aspect kept (0: as received)
    hfov: float = math.radians(79.0)  # camera horizontal field of view
    view_range: float = 5.0  # metres a keyframe is taken to see
    crop_fov: float = math.radians(
        45.0
    )  # width of a frontier view around its bearing (0: whole image)


@dataclass(frozen=True)
class Keyframe:
    id: int
    image: np.ndarray  # rgb8 [H, W, 3]
    pose: Pose2D  # base pose in the mapping frame
    stamp: float  # capture time, seconds


def frontier_segment(
    centroid: tuple[float, float], size: float, facing_yaw: float, spacing: float = 0.1
) -> np.ndarray:
    """Points [N, 2] of a frontier of length `size` through `centroid`, across `facing_yaw`."""
    count = max(1, int(round(size / spacing)) + 1)
    along = np.linspace(-size / 2.0, size / 2.0, count)
    direction = np.array([-math.sin(facing_yaw), math.cos(facing_yaw)])
    return np.asarray(centroid, dtype=float)[:2] + along[:, None] * direction


class KeyframeBuffer:
    """Bounded RGB keyframe history with frontier best-view links; see the module docstring."""

    def __init__(self, config: KeyframeConfig = KeyframeConfig()):
        self.config = config
        self.reset()

    def reset(self) -> None:
        self._keyframes: OrderedDict[int, Keyframe] = OrderedDict()
        self._poses: np.ndarray | None = None  # [K, 3] of the kept keyframes, built on demand
        self._links: dict[int, int] = {}
        # per frontier id of the last link_frontiers: its points (bytes) and, per keyframe id, how
        # many of them it sees (-1: not counted yet): an unchanged frontier is counted on new
        # keyframes only
        self._seen: dict[int, tuple[bytes, np.ndarray]] = {}
        self._next_id = 0
        self._last_pose: Pose2D | None = None

    def __len__(self) -> int:
        return len(self._keyframes)

    @property
    def keyframes(self) -> list[Keyframe]:
        """All kept keyframes, oldest first."""
        return list(self._keyframes.values())

    @property
    def links(self) -> dict[int, int]:
        """Frontier id -> keyframe id."""
        return dict(self._links)

    @property
    def memory_bytes(self) -> int:
        return sum(keyframe.image.nbytes for keyframe in self._keyframes.values())

    def get(self, keyframe_id: int) -> Keyframe | None:
        return self._keyframes.get(keyframe_id)

    # ---- recording ---------------------------------------------------------------------------
    def add(self, rgb: np.ndarray, pose: Pose2D, stamp: float) -> Keyframe | None:
        """Keep `rgb` ([H, W, 3] uint8) if the robot moved or turned enough since the last one."""
        rgb = np.asarray(rgb)
        if rgb.ndim != 3 or rgb.shape[2] != 3 or rgb.dtype != np.uint8 or rgb.size == 0:
            raise ValueError(
                f"expected an rgb8 [H, W, 3] uint8 image, got {rgb.dtype} {rgb.shape}"
            )
        if self._last_pose is not None:
            moved = math.hypot(pose.x - self._last_pose.x, pose.y - self._last_pose.y)
            turned = abs(wrap_angle(pose.yaw - self._last_pose.yaw))
            if moved < self.config.min_distance and turned < self.config.min_rotation:
                return None
        keyframe = Keyframe(
            self._next_id, self._downsample(rgb), Pose2D(*map(float, pose)), float(stamp)
        )
        self._next_id += 1
        self._keyframes[keyframe.id] = keyframe
        self._poses = None
        self._last_pose = keyframe.pose
        self._evict()
        return keyframe

    def _downsample(self, rgb: np.ndarray) -> np.ndarray:
        width = self.config.store_width
        if width <= 0 or rgb.shape[1] <= width:
            return rgb.copy()
        height = max(1, int(round(rgb.shape[0] * width / rgb.shape[1])))
        return cv2.resize(rgb, (width, height), interpolation=cv2.INTER_AREA)

    def _evict(self) -> None:
        """Drop the oldest keyframes beyond capacity, sparing linked ones while possible."""
        while len(self._keyframes) > max(self.config.capacity, 1):
            pinned = set(self._links.values())
            victim = next(
                (kid for kid in self._keyframes if kid not in pinned), next(iter(self._keyframes))
            )
            del self._keyframes[victim]
            self._poses = None
            self._links = {fid: kid for fid, kid in self._links.items() if kid != victim}

    # ---- reading -----------------------------------------------------------------------------
    def history(self, count: int, size: int = 0) -> list[Keyframe]:
        """The `count` latest keyframes, oldest first, images resized to size x size (0: as
        kept)."""
        latest = list(self._keyframes.values())[-count:] if count > 0 else []
        return [self.resized(keyframe, size) for keyframe in latest]

    @staticmethod
    def resized(keyframe: Keyframe, size: int) -> Keyframe:
        """`keyframe` with its image resized to size x size (unchanged for size 0)."""
        if size <= 0:
            return keyframe
        image = cv2.resize(keyframe.image, (size, size), interpolation=cv2.INTER_AREA)
        return replace(keyframe, image=image)

    def visible_counts(self, points: np.ndarray) -> np.ndarray:
        """Per kept keyframe (oldest first), how many of `points` [N, 2] lie in its view."""
        points = np.asarray(points, dtype=float)
        if points.size == 0 or not self._keyframes:
            return np.zeros(len(self._keyframes), dtype=int)
        return self._visible_counts([points], self._pose_array())[:, 0]

    def _pose_array(self) -> np.ndarray:
        """[K, 3] poses of the kept keyframes, oldest first."""
        if self._poses is None:
            self._poses = np.array([keyframe.pose for keyframe in self._keyframes.values()])
        return self._poses

    def _visible_counts(self, point_sets: list[np.ndarray], poses: np.ndarray) -> np.ndarray:
        """[len(poses), len(point_sets)]: per keyframe pose, how many points of each non-empty
        set [N, 2] lie in its view (one pass over all sets)."""
        sets = [p[:, :2] for p in point_sets]
        points = np.concatenate(sets)
        owner = np.repeat(np.arange(len(sets)), [len(p) for p in sets])  # set of each point
        # a keyframe farther than view_range from a set's bounding box sees none of its points
        # (the slack keeps this a safe shortcut under rounding): only the other pairs are tested
        low = np.array([p.min(axis=0) for p in sets])
        high = np.array([p.max(axis=0) for p in sets])
        gap = np.maximum(low[None] - poses[:, None, :2], poses[:, None, :2] - high[None])
        gap = np.maximum(gap, 0.0)
        near = np.hypot(gap[..., 0], gap[..., 1]) <= self.config.view_range * (1.0 + 1e-9) + 1e-9
        keyframe, point = np.nonzero(near[:, owner])
        offsets = points[point] - poses[keyframe, :2]
        distance = np.hypot(offsets[:, 0], offsets[:, 1])
        bearing = np.arctan2(offsets[:, 1], offsets[:, 0]) - poses[keyframe, 2]
        bearing = (bearing + np.pi) % (2.0 * np.pi) - np.pi
        inside = (distance <= self.config.view_range) & (np.abs(bearing) <= self.config.hfov / 2.0)
        pair = keyframe[inside] * len(sets) + owner[point[inside]]
        return np.bincount(pair, minlength=len(poses) * len(sets)).reshape(len(poses), len(sets))

    def view_for(self, points: np.ndarray) -> Keyframe | None:
        """The keyframe showing most of `points` (earliest on ties), None if none sees any."""
        counts = self.visible_counts(points)
        if counts.size == 0 or counts.max() == 0:
            return None
        return list(self._keyframes.values())[int(counts.argmax())]

    def crop_towards(self, keyframe: Keyframe, points: np.ndarray, size: int = 0) -> np.ndarray:
        """The square part of `keyframe`'s image spanning `crop_fov` around the mean bearing of
        `points` [N, 2] (clamped to the image; crop_fov 0: the whole image), resized to size x size
        (0: as cropped)."""
        image = keyframe.image
        if self.config.crop_fov > 0.0:
            height, width = image.shape[:2]
            focal = (width / 2.0) / math.tan(self.config.hfov / 2.0)
            side = int(
                round(min(height, width, 2.0 * focal * math.tan(self.config.crop_fov / 2.0)))
            )
            offsets = np.asarray(points, dtype=float)[:, :2] - np.array(keyframe.pose[:2])
            bearing = wrap_angle(
                math.atan2(offsets[:, 1].mean(), offsets[:, 0].mean()) - keyframe.pose.yaw
            )
            bearing = float(np.clip(bearing, -self.config.hfov / 2.0, self.config.hfov / 2.0))
            column = width / 2.0 - focal * math.tan(bearing)  # REP-103: positive bearing is left
            left = int(np.clip(round(column - side / 2.0), 0, width - side))
            top = (height - side) // 2
            image = image[top : top + side, left : left + side]
        if size <= 0:
            return image.copy()
        return cv2.resize(image, (size, size), interpolation=cv2.INTER_AREA)

    def frontier_views(
        self, frontiers: Mapping[int, np.ndarray], size: int = 0
    ) -> dict[int, Keyframe | None]:
        """Per frontier (id -> points [N, 2]) its linked keyframe (else the best current view) with
        the image cropped towards it, or None when no kept keyframe sees it."""
        views: dict[int, Keyframe | None] = {}
        for frontier_id, points in frontiers.items():
            keyframe = self.get(self._links.get(frontier_id, -1)) or self.view_for(points)
            views[frontier_id] = (
                None
                if keyframe is None
                else replace(keyframe, image=self.crop_towards(keyframe, points, size))
            )
        return views

    def _counts_of(self, sets: dict[int, np.ndarray], ids: np.ndarray) -> dict[int, np.ndarray]:
        """Per frontier (id -> points), how many of its points each kept keyframe (ids, oldest
        first) sees, counting only what `_seen` does not hold yet."""
        poses = self._pose_array()
        changed, unchanged = [], []
        for frontier_id, points in sets.items():
            key = points.tobytes() + bytes(str(points.shape), "ascii")
            seen = self._seen.get(frontier_id)
            if seen is None or seen[0] != key:
                self._seen[frontier_id] = (key, np.full(self._next_id, -1))
                changed.append(frontier_id)
            else:
                if len(seen[1]) < self._next_id:
                    grown = np.full(self._next_id, -1)
                    grown[: len(seen[1])] = seen[1]
                    self._seen[frontier_id] = (key, grown)
                unchanged.append(frontier_id)
        missing = np.zeros(len(ids), dtype=bool)
        for frontier_id in unchanged:
            missing |= self._seen[frontier_id][1][ids] < 0
        for group, rows in ((changed, np.arange(len(ids))), (unchanged, np.flatnonzero(missing))):
            if group and len(rows):
                counts = self._visible_counts([sets[f] for f in group], poses[rows])
                for column, frontier_id in enumerate(group):
                    self._seen[frontier_id][1][ids[rows]] = counts[:, column]
        return {frontier_id: self._seen[frontier_id][1][ids] for frontier_id in sets}

    def link_frontiers(self, frontiers: Mapping[int, np.ndarray]) -> dict[int, int]:
        """Link each frontier (id -> points [N, 2]) to its best keyframe; forget vanished ids.

        Returns frontier id -> keyframe id for the frontiers some keyframe sees.
        """
        self._links = {fid: kid for fid, kid in self._links.items() if fid in frontiers}
        sets = {fid: np.asarray(p, dtype=float) for fid, p in frontiers.items() if len(p)}
        self._seen = {fid: seen for fid, seen in self._seen.items() if fid in sets}
        if not sets or not self._keyframes:
            return dict(self._links)
        ids = list(self._keyframes)
        all_counts = self._counts_of(sets, np.array(ids))
        for frontier_id, counts in all_counts.items():
            if counts.max() == 0:
                continue
            best = int(counts.argmax())
            current = self._links.get(frontier_id)
            if current is None or counts[best] > counts[ids.index(current)]:
                self._links[frontier_id] = ids[best]
        return dict(self._links)
