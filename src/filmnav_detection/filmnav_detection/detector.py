"""Goal detection geometry: from image evidence to a goal position in the mapping frame.

`sim_semantic` (simulator only) reads the goal out of the instance segmentation: a goal instance
counts as detected when enough of its pixels are visible within range; its 3-D position (mapping
frame) is the median of those pixels back-projected through the depth image, the camera
intrinsics and the robot pose. It stands in for an open-vocabulary detector in simulation, so the
search itself, not perception, is what gets evaluated.

For box detectors (`owlv2`, on robots) `locate_box` places a box: the median valid depth in the
box's central region, back-projected at the box centre.
"""

from __future__ import annotations

import math
from collections.abc import Collection
from dataclasses import dataclass, field

import numpy as np

from filmnav_common.camera import CameraExtrinsics

# Weights of the `owlv2` backend (filmnav_detection.owlv2), here so nodes name them without
# importing torch.
DEFAULT_OWLV2_MODEL = "google/owlv2-base-patch16-ensemble"


@dataclass(frozen=True)
class CameraModel:
    """Pinhole camera on the robot base (OpenCV pixel convention: pixel centres at integers),
    mounted as `extrinsics` says (filmnav_common.camera: base frame on the floor, REP-103)."""

    fx: float
    fy: float
    cx: float
    cy: float
    extrinsics: CameraExtrinsics = field(default_factory=CameraExtrinsics)

    def base_points(self, rows: np.ndarray, cols: np.ndarray, depth: np.ndarray) -> np.ndarray:
        """Pixels with z-depth (metres) -> (N, 3) points in the base frame (x forward, y left,
        z up from the floor)."""
        depth = np.asarray(depth, dtype=np.float64)
        optical = np.stack(
            [(cols - self.cx) * depth / self.fx, (rows - self.cy) * depth / self.fy, depth], axis=1
        )
        return self.extrinsics.optical_to_base(optical)

    def world_points(
        self,
        rows: np.ndarray,
        cols: np.ndarray,
        depth: np.ndarray,
        pose: tuple[float, float, float],
    ) -> np.ndarray:
        """Pixels with depth -> (N, 3) points in the mapping frame given the base pose
        (x, y, yaw)."""
        return _base_to_world(self.base_points(rows, cols, depth), pose)

    def optical_centre(self, pose: tuple[float, float, float]) -> np.ndarray:
        return _base_to_world(self.extrinsics.translation[None, :], pose)[0]


def _base_to_world(base: np.ndarray, pose: tuple[float, float, float]) -> np.ndarray:
    x, y, yaw = pose
    cos_y, sin_y = math.cos(yaw), math.sin(yaw)
    return np.stack(
        [
            x + cos_y * base[:, 0] - sin_y * base[:, 1],
            y + sin_y * base[:, 0] + cos_y * base[:, 1],
            base[:, 2],
        ],
        axis=1,
    )


@dataclass(frozen=True)
class GoalDetection:
    instance_id: int  # simulator instance; -1 for a box detector
    label: str
    position: np.ndarray  # (3,) mapping frame, metres
    distance: float  # optical centre to `position`, metres
    pixels: int  # pixels with depth within range that placed it
    bbox: tuple[int, int, int, int]  # x_min, y_min, x_max, y_max (pixels, inclusive)
    score: float = 1.0  # sim_semantic is ground truth: always certain


class SemanticGoalDetector:
    """Finds goal instances in an instance-id image (0 = background)."""

    def __init__(
        self, camera: CameraModel, min_area_fraction: float = 0.001, max_distance: float = 5.0
    ):
        """min_area_fraction: share of the image the visible instance must cover (resolution-free);
        max_distance: farthest depth counted, metres."""
        if not 0.0 < min_area_fraction < 1.0 or max_distance <= 0.0:
            raise ValueError("min_area_fraction must be in (0, 1) and max_distance > 0")
        self.camera = camera
        self.min_area_fraction = min_area_fraction
        self.max_distance = max_distance

    def min_pixels(self, image_shape: tuple[int, ...]) -> int:
        return max(1, math.ceil(self.min_area_fraction * image_shape[0] * image_shape[1]))

    def detect(
        self,
        instance: np.ndarray,
        depth: np.ndarray,
        pose: tuple[float, float, float],
        goal_ids: Collection[int],
        label: str,
    ) -> list[GoalDetection]:
        """Detections of the goal instances in one frame, nearest first."""
        if instance.shape != depth.shape:
            raise ValueError(
                f"instance image {instance.shape} and depth image {depth.shape} differ in size"
            )
        if not goal_ids:
            return []
        in_range = np.isfinite(depth) & (depth > 0.0) & (depth <= self.max_distance)
        rows, cols = np.nonzero(
            np.isin(instance, np.fromiter(goal_ids, dtype=np.int64)) & in_range
        )
        if rows.size == 0:
            return []
        ids, which, counts = np.unique(
            instance[rows, cols], return_inverse=True, return_counts=True
        )
        points = self.camera.world_points(rows, cols, depth[rows, cols], pose)
        centre = self.camera.optical_centre(pose)
        detections = []
        for k in np.flatnonzero(counts >= self.min_pixels(instance.shape)):
            mine = which == k
            position = np.median(points[mine], axis=0)
            detections.append(
                GoalDetection(
                    instance_id=int(ids[k]),
                    label=label,
                    position=position,
                    distance=float(np.linalg.norm(position - centre)),
                    pixels=int(counts[k]),
                    bbox=(
                        int(cols[mine].min()),
                        int(rows[mine].min()),
                        int(cols[mine].max()),
                        int(rows[mine].max()),
                    ),
                )
            )
        return sorted(detections, key=lambda detection: detection.distance)


def locate_box(
    camera: CameraModel,
    depth: np.ndarray,
    pose: tuple[float, float, float],
    box: tuple[int, int, int, int],
    label: str,
    score: float,
    centre_fraction: float = 0.5,
    max_distance: float = 5.0,
) -> GoalDetection | None:
    """A detected box (x_min, y_min, x_max, y_max, inclusive pixels) as a goal position in the
    mapping frame; None when its central region has no valid depth within range.

    Only the central `centre_fraction` of the box's width and height is read, so the background a
    box includes around its object (and depth edges) does not pull the median away."""
    if not 0.0 < centre_fraction <= 1.0:
        raise ValueError(f"centre_fraction must be in (0, 1], got {centre_fraction}")
    x_min, y_min, x_max, y_max = box
    if not (0 <= x_min <= x_max < depth.shape[1] and 0 <= y_min <= y_max < depth.shape[0]):
        raise ValueError(
            f"box {box} is not inside the {depth.shape[1]}x{depth.shape[0]} depth image"
        )
    centre_col, centre_row = (x_min + x_max) / 2.0, (y_min + y_max) / 2.0
    half_width = (x_max - x_min) * centre_fraction / 2.0
    half_height = (y_max - y_min) * centre_fraction / 2.0
    region = depth[
        round(centre_row - half_height) : round(centre_row + half_height) + 1,
        round(centre_col - half_width) : round(centre_col + half_width) + 1,
    ]
    valid = region[np.isfinite(region) & (region > 0.0) & (region <= max_distance)]
    if valid.size == 0:
        return None
    position = camera.world_points(
        np.array([centre_row]), np.array([centre_col]), np.array([np.median(valid)]), pose
    )[0]
    return GoalDetection(
        instance_id=-1,
        label=label,
        position=position,
        distance=float(np.linalg.norm(position - camera.optical_centre(pose))),
        pixels=int(valid.size),
        bbox=(int(x_min), int(y_min), int(x_max), int(y_max)),
        score=float(score),
    )
