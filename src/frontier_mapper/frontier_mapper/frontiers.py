"""Exploration frontiers with stable ids, reachable waypoints and a blacklist (no ROS).

    tracker = FrontierTracker(FrontierConfig(min_size=0.5))
    frontiers = tracker.update(grid, robot_xy)     # list[Frontier], ordered by id
    tracker.blacklist(xy, radius=None)             # suppress frontiers centred within radius
    tracker.clear_blacklist(); tracker.reset()

A frontier cell is an explored free cell with an unknown 4-neighbour. Cells are grouped into
8-connected clusters; a cluster whose cells face different ways (the V around the field of
view's apex, an L at a corner) is split along its normals into pieces that each face one way;
pieces shorter than `min_size` (sensor noise, specks) are dropped. Each
frontier carries its cells, centroid, size (cells x resolution), a waypoint and the path length
to it. The waypoint is the navigable cell nearest the centroid within the robot's connected
navigable region (so it is reachable even when the frontier itself lies behind a gap narrower
than the robot, the case where explore_lite stops finding frontiers), facing the frontier
(or, when it sits on the frontier, the unknown side). Path distances come from a fast-marching
distance field over that region. Outside the map counts as known, so a bounded map's edge is
never a frontier.

Ids persist across updates: new clusters are matched one-to-one (Hungarian assignment) to the
previous ones by how far each centroid lies from the other cluster's cells, which tolerates a
frontier growing, shrinking or sliding as the robot moves; unmatched clusters get new ids.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import cv2
import numpy as np
import skfmm
from scipy.optimize import linear_sum_assignment

from frontier_mapper.geometry import Pose2D
from frontier_mapper.occupancy import OccupancyMap

_CROSS = cv2.getStructuringElement(cv2.MORPH_CROSS, (3, 3))


@dataclass(frozen=True)
class FrontierConfig:
    min_size: float = 0.5  # metres of frontier cells; smaller clusters are noise
    id_match_distance: float = 1.0  # metres a frontier may move between updates and keep its id
    blacklist_radius: float = 0.5  # default suppression radius (metres)
    max_start_offset: float = 1.0  # search this far for a navigable cell when the robot is off one
    normal_coherence: float = 0.8  # split clusters whose mean unit normal is shorter than this
    normal_sigma: float = 2.0  # cells of blur before taking the unknown side's direction


@dataclass
class Frontier:
    id: int
    centroid: np.ndarray  # (x, y)
    cells: np.ndarray  # [N, 2] world (x, y) of the frontier cells
    size: float  # metres
    waypoint: Pose2D  # reachable navigable pose, facing the frontier / unknown side
    path_distance: float  # metres from the robot to the waypoint; -1 if unreachable
    unknown_yaw: float  # direction from the frontier into the unknown
    keyframe_id: int = -1  # filled in by whoever links keyframes


@dataclass
class _Reachability:
    """The robot's connected navigable region in a map window and distances across it."""

    cells: np.ndarray  # [M, 2] (row, col) window cells the robot can reach
    distance: np.ndarray | None  # metres from the robot per window cell, NaN where unreachable
    start_offset: float  # metres from the robot to the start cell


def _connected_parts(cells: np.ndarray) -> list[np.ndarray]:
    """8-connected groups of a set of (row, col) cells."""
    if len(cells) == 0:
        return []
    low = cells.min(axis=0)
    local = cells - low
    mask = np.zeros(local.max(axis=0) + 1, dtype=np.uint8)
    mask[local[:, 0], local[:, 1]] = 1
    _, labels = cv2.connectedComponents(mask, connectivity=8)
    cell_labels = labels[local[:, 0], local[:, 1]]
    return [cells[cell_labels == label] for label in np.unique(cell_labels)]


def _nearest(cells: np.ndarray, target: np.ndarray) -> np.ndarray:
    """The (row, col) of `cells` [M, 2] closest to `target`."""
    offsets = cells - target
    return cells[np.argmin(np.einsum("ij,ij->i", offsets, offsets))]


@dataclass
class FrontierTracker:
    config: FrontierConfig = field(default_factory=FrontierConfig)

    def __post_init__(self) -> None:
        self._blacklist: list[tuple[np.ndarray, float]] = []
        self.reset()

    def reset(self) -> None:
        """Forget tracked frontiers and the blacklist (new episode)."""
        self._previous: list[Frontier] = []
        self._next_id = 0
        self._blacklist.clear()

    # ---- blacklist ---------------------------------------------------------------------------
    def blacklist(self, xy: tuple[float, float], radius: float | None = None) -> None:
        """Suppress frontiers whose centroid lies within `radius` of `xy` (failed/unreachable)."""
        radius = self.config.blacklist_radius if radius is None else float(radius)
        self._blacklist.append((np.asarray(xy, dtype=float)[:2], radius))

    def clear_blacklist(self) -> None:
        self._blacklist.clear()

    @property
    def blacklisted(self) -> list[tuple[np.ndarray, float]]:
        return list(self._blacklist)

    def is_blacklisted(self, xy: np.ndarray) -> bool:
        return any(np.hypot(*(xy - centre)) <= radius for centre, radius in self._blacklist)

    # ---- update ------------------------------------------------------------------------------
    def update(self, grid: OccupancyMap, robot_xy: tuple[float, float]) -> list[Frontier]:
        """Frontiers of `grid` for a robot at `robot_xy`, blacklisted ones left out."""
        window = grid.explored_window(margin=2)
        explored = grid.explored[window]
        if explored.size == 0:
            self._previous = []
            return []
        free = explored & ~grid.obstacle[window]
        unknown = (~explored).astype(np.uint8)
        frontier_mask = free & (cv2.dilate(unknown, _CROSS) > 0)
        count, labels, stats, _ = cv2.connectedComponentsWithStats(
            frontier_mask.astype(np.uint8), connectivity=8
        )
        sizes = stats[1:, cv2.CC_STAT_AREA] * grid.resolution
        kept = np.flatnonzero(sizes >= self.config.min_size) + 1
        if len(kept) == 0:
            self._previous = []
            return []

        normals = self._unknown_normals(unknown, frontier_mask)
        min_cells = max(1, int(math.ceil(self.config.min_size / grid.resolution - 1e-9)))
        pieces = [
            piece
            for label in kept
            for piece in self._split_by_normal(np.argwhere(labels == label), normals)
            if len(piece) >= min_cells
        ]
        row0, col0 = window[0].start, window[1].start
        reach = self._reachability(grid, window, np.asarray(robot_xy, dtype=float)[:2])
        frontiers = []
        for piece in pieces:
            cells = grid.cell_to_world(piece[:, 0] + row0, piece[:, 1] + col0)
            direction = normals[piece[:, 0], piece[:, 1]].sum(axis=0)
            yaw = math.atan2(direction[1], direction[0])
            centroid = cells.mean(axis=0)
            waypoint, distance = self._waypoint(grid, window, reach, centroid, yaw)
            frontiers.append(
                Frontier(
                    -1, centroid, cells, len(cells) * grid.resolution, waypoint, distance, yaw
                )
            )
        self._assign_ids(frontiers)
        self._previous = frontiers
        return [f for f in frontiers if not self.is_blacklisted(f.centroid)]

    def _unknown_normals(self, unknown: np.ndarray, frontier_mask: np.ndarray) -> np.ndarray:
        """Unit vectors [rows, cols, 2] (x, y) pointing into unknown space, zero off frontiers.

        The gradient of a blurred unknown mask varies smoothly along a frontier, unlike the
        8 directions of the raw neighbour differences.
        """
        blurred = np.pad(
            cv2.GaussianBlur(unknown.astype(np.float32), (0, 0), self.config.normal_sigma),
            1,
            mode="edge",
        )
        rows, cols = np.nonzero(frontier_mask)
        rows, cols = rows + 1, cols + 1
        gradient = np.stack(
            [
                blurred[rows, cols + 1] - blurred[rows, cols - 1],
                blurred[rows + 1, cols] - blurred[rows - 1, cols],
            ],
            axis=-1,
        )
        norm = np.linalg.norm(gradient, axis=-1, keepdims=True)
        unit = np.zeros((*frontier_mask.shape, 2), dtype=np.float32)
        unit[rows - 1, cols - 1] = np.divide(
            gradient, norm, out=np.zeros_like(gradient), where=norm > 0
        )
        return unit

    def _split_by_normal(self, cells: np.ndarray, normals: np.ndarray) -> list[np.ndarray]:
        """Split a cluster of (row, col) cells whose normals disagree (a V around the field of
        view's apex, an L at a corner) into connected pieces that each face one way."""
        done, todo = [], [cells]
        while todo:
            piece = todo.pop()
            unit = normals[piece[:, 0], piece[:, 1]]
            mean = unit.mean(axis=0)
            if len(piece) < 4 or np.hypot(*mean) >= self.config.normal_coherence:
                done.append(piece)
                continue
            centred = unit - mean
            axis = np.linalg.eigh(centred.T @ centred)[1][:, -1]
            side = centred @ axis > 0
            if side.all() or not side.any():
                done.append(piece)  # no split along the main axis: stop, or it loops forever
                continue
            todo += [
                part for half in (piece[side], piece[~side]) for part in _connected_parts(half)
            ]
        return done

    def _reachability(
        self, grid: OccupancyMap, window: tuple[slice, slice], robot_xy: np.ndarray
    ) -> _Reachability:
        navigable = grid.navigable(window)
        start = grid.world_to_cell(robot_xy) - np.array([window[0].start, window[1].start])
        empty = _Reachability(np.zeros((0, 2), dtype=np.intp), None, 0.0)
        if not navigable.any():
            return empty
        inside = (0 <= start[0] < navigable.shape[0]) and (0 <= start[1] < navigable.shape[1])
        if not (inside and navigable[tuple(start)]):
            # robot off the navigable area (next to a wall, or just outside it): nearest cell
            candidate = _nearest(np.argwhere(navigable), start)
            if np.hypot(*(candidate - start)) * grid.resolution > self.config.max_start_offset:
                return empty
            start = candidate
        start_offset = float(
            np.hypot(
                *(
                    grid.cell_to_world(*(start + np.array([window[0].start, window[1].start])))
                    - robot_xy
                )
            )
        )
        # 4-connected, as fast marching is: a region joined only through a diagonal would
        # leave scikit-fmm without a zero contour around the start.
        _, components = cv2.connectedComponents(navigable.astype(np.uint8), connectivity=4)
        reachable = components == components[tuple(start)]
        phi = np.ones(reachable.shape)
        phi[tuple(start)] = -1.0
        if reachable.sum() > 1:
            field_ = skfmm.distance(np.ma.MaskedArray(phi, mask=~reachable), dx=grid.resolution)
            distance = np.ma.filled(field_, np.nan) + grid.resolution / 2.0
        else:
            distance = np.where(reachable, 0.0, np.nan)
        return _Reachability(np.argwhere(reachable), distance, start_offset)

    @staticmethod
    def _waypoint(
        grid: OccupancyMap,
        window: tuple[slice, slice],
        reach: _Reachability,
        centroid: np.ndarray,
        unknown_yaw: float,
    ) -> tuple[Pose2D, float]:
        if reach.distance is None:
            return Pose2D(float(centroid[0]), float(centroid[1]), float(unknown_yaw)), -1.0
        offset = np.array([window[0].start, window[1].start])
        target = _nearest(reach.cells, grid.world_to_cell(centroid) - offset)
        xy = grid.cell_to_world(*(target + offset))
        to_frontier = centroid - xy
        if np.hypot(*to_frontier) > 2.0 * grid.resolution:
            yaw = math.atan2(to_frontier[1], to_frontier[0])
        else:
            yaw = float(unknown_yaw)
        distance = float(reach.distance[target[0], target[1]]) + reach.start_offset
        return Pose2D(float(xy[0]), float(xy[1]), yaw), distance if math.isfinite(
            distance
        ) else -1.0

    def _assign_ids(self, frontiers: list[Frontier]) -> None:
        """Carry ids over from the previous update (one-to-one, nearest first)."""
        if self._previous and frontiers:
            cost = np.array(
                [[self._match_distance(new, old) for old in self._previous] for new in frontiers]
            )
            for new_index, old_index in zip(*linear_sum_assignment(cost), strict=True):
                if cost[new_index, old_index] <= self.config.id_match_distance:
                    frontiers[new_index].id = self._previous[old_index].id
        for frontier in frontiers:
            if frontier.id < 0:
                frontier.id = self._next_id
                self._next_id += 1
        frontiers.sort(key=lambda f: f.id)

    @staticmethod
    def _match_distance(new: Frontier, old: Frontier) -> float:
        """How far apart two frontiers are: each centroid to the other's nearest cell, the
        smaller."""
        new_to_old = np.hypot(*(old.cells - new.centroid).T).min()
        old_to_new = np.hypot(*(new.cells - old.centroid).T).min()
        return float(min(new_to_old, old_to_new))
