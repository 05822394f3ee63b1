"""Exploration frontiers with stable ids, reachable waypoints and a blacklist (no ROS).

    tracker = FrontierTracker(FrontierConfig(min_size=0.5))
    frontiers = tracker.update(grid, robot_xy)     # list[Frontier], ordered by id
    tracker.narrow                                 # the update's narrow frontiers (last resort)
    tracker.blacklist(xy, radius=None)             # suppress frontiers centred within radius
    tracker.clear_blacklist(); tracker.reset()

A frontier cell is an explored free cell with an unknown 4-neighbour. Cells are grouped into
8-connected clusters; a cluster whose cells face different ways (the V around the field of
view's apex, an L at a corner) is split along its normals into pieces that each face one way;
pieces shorter than `min_size` are left out. Those at least `min_narrow_size` long are the
narrow frontiers, kept apart as a last resort: most are sensor noise, but one may be the only
way on (the gap between a bed and a wall that is the only way out of a bedroom); the others are
dropped. Each
frontier carries its cells, centroid, size (cells x resolution), a waypoint and the path length
to it. The waypoint is the navigable cell nearest the centroid within the robot's connected
navigable region (so it is reachable even when the frontier itself lies behind a gap narrower
than the robot, the case where explore_lite stops finding frontiers), facing the frontier
(or, when it sits on the frontier, the unknown side). Path distances come from a fast-marching
distance field over that region, computed when a frontier's `path_distance` is first read (one
field per update, shared by its frontiers): marching costs more than the rest of an update, and a
caller that only needs distances when it decides need not pay for it on every map frame. Outside
the map counts as known, so a bounded map's edge is never a frontier.

Ids persist across updates: new clusters are matched one-to-one (Hungarian assignment) to the
previous ones by how far each centroid lies from the other cluster's cells, which tolerates a
frontier growing, shrinking or sliding as the robot moves; unmatched clusters get new ids.
Narrow frontiers are matched among themselves, with ids from NARROW_ID_BASE on, so that the
other frontiers and their ids are what they would be without them.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Callable
from dataclasses import dataclass, field

import cv2
import numpy as np
import skfmm
from scipy.optimize import linear_sum_assignment

from filmnav_common.planar import Pose2D
from frontier_mapper.occupancy import OccupancyMap

_CROSS = cv2.getStructuringElement(cv2.MORPH_CROSS, (3, 3))
NARROW_ID_BASE = 1_000_000  # the first id of a narrow frontier


@dataclass(frozen=True)
class FrontierConfig:
    min_size: float = 0.5  # metres of frontier cells; smaller ones are mostly noise
    min_narrow_size: float = 0.25  # metres: smaller than min_size, kept as narrow frontiers
    id_match_distance: float = 1.0  # metres a frontier may move between updates and keep its id
    blacklist_radius: float = 0.5  # default suppression radius (metres)
    max_start_offset: float = 1.0  # search this far for a navigable cell when the robot is off one
    normal_coherence: float = 0.8  # split clusters whose mean unit normal is shorter than this
    normal_sigma: float = 2.0  # cells of blur before taking the unknown side's direction


def _unreachable() -> float:
    return math.inf


@dataclass
class Frontier:
    id: int
    centroid: np.ndarray  # (x, y)
    cells: np.ndarray  # [N, 2] world (x, y) of the frontier cells
    size: float  # metres
    waypoint: Pose2D  # reachable navigable pose, facing the frontier / unknown side
    unknown_yaw: float  # direction from the frontier into the unknown
    keyframe_id: int = -1  # filled in by whoever links keyframes
    # reads the waypoint's path distance (fast marching on first use); see `path_distance`
    distance_reader: Callable[[], float] = field(default=_unreachable, repr=False)

    @property
    def path_distance(self) -> float:
        """Metres from the robot to the waypoint; inf if unreachable."""
        return self.distance_reader()


def _nearest_cell(mask: np.ndarray, target: np.ndarray) -> np.ndarray | None:
    """The (row, col) of a set cell of `mask` closest to `target` (which may lie outside it);
    ties go to the first in row-major order; None when no cell is set.

    Searches squares of growing half-width r around the target: once the best cell inside lies
    within r, every cell outside is farther, and every cell as near lies inside, so the answer
    (ties included) is the one a search over all set cells gives.
    """
    rows, cols = mask.shape
    if 0 <= target[0] < rows and 0 <= target[1] < cols and mask[target[0], target[1]]:
        return target  # the only cell at distance 0
    radius = 8
    while True:
        row0, col0 = max(int(target[0]) - radius, 0), max(int(target[1]) - radius, 0)
        row1 = min(int(target[0]) + radius + 1, rows)
        col1 = min(int(target[1]) + radius + 1, cols)
        covers_all = row0 == 0 and col0 == 0 and row1 == rows and col1 == cols
        if row0 < row1 and col0 < col1:
            cells = np.argwhere(mask[row0:row1, col0:col1]) + (row0, col0)
            if len(cells):
                offsets = cells - target
                squared = np.einsum("ij,ij->i", offsets, offsets)
                best = int(np.argmin(squared))
                if squared[best] <= radius * radius or covers_all:
                    return cells[best]
        if covers_all:
            return None
        radius *= 4


class _Reachability:
    """The robot's connected navigable region in a map window and, computed on first use and
    then kept, the fast-marching distance from the robot across it."""

    def __init__(
        self, reachable: np.ndarray, start: np.ndarray, start_offset: float, resolution: float
    ):
        self.reachable = reachable  # bool [rows, cols] of the window, owned (never a map view)
        self.start = start  # (row, col) in the window
        self.start_offset = start_offset  # metres from the robot to the start cell
        self.resolution = resolution
        self._distance: np.ndarray | None = None

    def distance(self) -> np.ndarray:
        """Metres from the start cell per window cell, NaN where unreachable."""
        if self._distance is None:
            reachable, resolution = self.reachable, self.resolution
            if np.count_nonzero(reachable) > 1:
                phi = np.ones(reachable.shape)
                phi[tuple(self.start)] = -1.0
                field_ = skfmm.distance(np.ma.MaskedArray(phi, mask=~reachable), dx=resolution)
                self._distance = np.ma.filled(field_, np.nan) + resolution / 2.0
            else:
                self._distance = np.where(reachable, 0.0, np.nan)
        return self._distance

    def path_distance(self, cell: tuple[int, int]) -> float:
        """Metres from the robot to a window cell; inf if unreachable."""
        distance = float(self.distance()[cell]) + self.start_offset
        return distance if math.isfinite(distance) else math.inf


@dataclass
class FrontierTracker:
    config: FrontierConfig = field(default_factory=FrontierConfig)

    def __post_init__(self) -> None:
        self._blacklist: list[tuple[np.ndarray, float]] = []
        self.reset()

    def reset(self) -> None:
        """Forget tracked frontiers and the blacklist (new episode)."""
        self._ids = _IdTrack(0)
        self._narrow_ids = _IdTrack(NARROW_ID_BASE)
        self.narrow: list[Frontier] = []  # the last update's narrow frontiers, not blacklisted
        self._blacklist.clear()
        self._pieces: dict[bytes, list[_Piece]] = {}  # the last update's, by cluster

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
    def _forget(self) -> list[Frontier]:
        """No frontiers in this update."""
        self._ids.previous, self._narrow_ids.previous, self.narrow = [], [], []
        return []

    def update(self, grid: OccupancyMap, robot_xy: tuple[float, float]) -> list[Frontier]:
        """Frontiers of `grid` for a robot at `robot_xy`, blacklisted ones left out; the narrow
        ones are in `narrow` afterwards."""
        window = grid.explored_window(margin=2)
        explored = grid.explored[window]
        if explored.size == 0:
            return self._forget()
        free = explored & ~grid.obstacle[window]
        unknown = (~explored).astype(np.uint8)
        frontier_mask = free & (cv2.dilate(unknown, _CROSS) > 0)
        count, labels, stats, _ = cv2.connectedComponentsWithStats(
            frontier_mask.astype(np.uint8), connectivity=8
        )
        areas = stats[1:, cv2.CC_STAT_AREA]
        floor = min(self.config.min_narrow_size, self.config.min_size)
        kept = np.flatnonzero(areas * grid.resolution >= floor)
        if len(kept) == 0:
            return self._forget()

        rows, cols = np.nonzero(frontier_mask)  # row-major, as every step below expects
        normals = self._unknown_normals(unknown, rows, cols)
        clusters = _cells_by_label(labels, rows, cols, areas)
        offset = np.array([window[0].start, window[1].start])
        pieces = self._pieces_of(
            grid, [clusters[index] for index in kept], normals, offset, _cells(floor, grid)
        )
        reach = self._reachability(grid, window, np.asarray(robot_xy, dtype=float)[:2])
        if not pieces:
            return self._forget()
        centroids = np.array([piece.centroid for piece in pieces])
        waypoints = self._waypoints(grid, offset, reach, centroids, [p.yaw for p in pieces])
        frontiers = [
            Frontier(
                -1,
                p.centroid,
                p.cells,
                len(p.cells) * grid.resolution,
                waypoint,
                p.yaw,
                -1,
                reader,
            )
            for p, (waypoint, reader) in zip(pieces, waypoints, strict=True)
        ]
        least = _cells(self.config.min_size, grid)
        wide = [len(piece.cells) >= least for piece in pieces]
        regular = [f for f, keep in zip(frontiers, wide, strict=True) if keep]
        narrow = [f for f, keep in zip(frontiers, wide, strict=True) if not keep]
        self._ids.assign(regular, self.config.id_match_distance)
        self._narrow_ids.assign(narrow, self.config.id_match_distance)
        self.narrow = [f for f in narrow if not self.is_blacklisted(f.centroid)]
        return [f for f in regular if not self.is_blacklisted(f.centroid)]

    def _pieces_of(
        self,
        grid: OccupancyMap,
        clusters: list[np.ndarray],
        normals: np.ndarray,
        offset: np.ndarray,
        min_cells: int,
    ) -> list[_Piece]:
        """The frontier pieces of at least `min_cells` of clusters of (row, col) window cells.
        Most clusters are as they were in the last update (only those in view change): one whose
        map cells, normals and map origin are all unchanged gets the pieces it had then."""
        previous, self._pieces = self._pieces, {}
        pieces = []
        for cells in clusters:
            unit = normals[cells[:, 0], cells[:, 1]]
            key = grid.origin.tobytes() + (cells + offset).tobytes() + unit.tobytes()
            found = previous.get(key)
            if found is None:
                found = [
                    _Piece.of(grid, part + offset, normals[part[:, 0], part[:, 1]])
                    for part in self._split_by_normal(cells, normals)
                    if len(part) >= min_cells
                ]
            self._pieces[key] = found
            pieces += found
        return pieces

    def _unknown_normals(
        self, unknown: np.ndarray, rows: np.ndarray, cols: np.ndarray
    ) -> np.ndarray:
        """Unit vectors [rows, cols, 2] (x, y) pointing into unknown space at the frontier cells
        (`rows`, `cols`), zero elsewhere.

        The gradient of a blurred unknown mask varies smoothly along a frontier, unlike the
        8 directions of the raw neighbour differences.
        """
        blurred = np.pad(
            cv2.GaussianBlur(unknown.astype(np.float32), (0, 0), self.config.normal_sigma),
            1,
            mode="edge",
        )
        rows, cols = rows + 1, cols + 1
        gradient = np.stack(
            [
                blurred[rows, cols + 1] - blurred[rows, cols - 1],
                blurred[rows + 1, cols] - blurred[rows - 1, cols],
            ],
            axis=-1,
        )
        norm = np.linalg.norm(gradient, axis=-1, keepdims=True)
        unit = np.zeros((*unknown.shape, 2), dtype=np.float32)
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
    ) -> _Reachability | None:
        """None when the robot is farther than max_start_offset from any navigable cell."""
        navigable = grid.navigable(window)
        offset = np.array([window[0].start, window[1].start])
        start = grid.world_to_cell(robot_xy) - offset
        inside = (0 <= start[0] < navigable.shape[0]) and (0 <= start[1] < navigable.shape[1])
        if not (inside and navigable[tuple(start)]):
            # robot off the navigable area (next to a wall, or just outside it): nearest cell
            candidate = _nearest_cell(navigable, start)
            if candidate is None or (
                np.hypot(*(candidate - start)) * grid.resolution > self.config.max_start_offset
            ):
                return None
            start = candidate
        start_offset = float(np.hypot(*(grid.cell_to_world(*(start + offset)) - robot_xy)))
        # 4-connected, as fast marching is: a region joined only through a diagonal would
        # leave scikit-fmm without a zero contour around the start.
        _, components = cv2.connectedComponents(navigable.astype(np.uint8), connectivity=4)
        reachable = components == components[tuple(start)]
        return _Reachability(reachable, start, start_offset, grid.resolution)

    @staticmethod
    def _waypoints(
        grid: OccupancyMap,
        offset: np.ndarray,
        reach: _Reachability | None,
        centroids: np.ndarray,
        unknown_yaws: list[float],
    ) -> list[tuple[Pose2D, Callable[[], float]]]:
        """Per frontier its waypoint and the reader of its path distance."""
        if reach is None:
            return [
                (Pose2D(float(c[0]), float(c[1]), float(yaw)), _unreachable)
                for c, yaw in zip(centroids, unknown_yaws, strict=True)
            ]
        cells = grid.world_to_cell(centroids) - offset
        targets = np.array([_nearest_cell(reach.reachable, cell) for cell in cells]).reshape(-1, 2)
        xy = grid.cell_to_world(targets[:, 0] + offset[0], targets[:, 1] + offset[1])
        to_frontier = centroids - xy
        facing = np.hypot(to_frontier[:, 0], to_frontier[:, 1]) > 2.0 * grid.resolution
        waypoints = []
        for (x, y), (dx, dy), away, unknown_yaw, (row, col) in zip(
            xy, to_frontier, facing, unknown_yaws, targets, strict=True
        ):
            yaw = math.atan2(dy, dx) if away else float(unknown_yaw)
            cell = (int(row), int(col))
            waypoints.append(
                (Pose2D(float(x), float(y), yaw), functools.partial(reach.path_distance, cell))
            )
        return waypoints


def _cells(length: float, grid: OccupancyMap) -> int:
    """The fewest frontier cells of a piece at least `length` metres long."""
    return max(1, int(math.ceil(length / grid.resolution - 1e-9)))


@dataclass
class _IdTrack:
    """The ids of one kind of frontier, carried over from its previous update."""

    next_id: int
    previous: list[Frontier] = field(default_factory=list)

    def assign(self, frontiers: list[Frontier], match_distance: float) -> None:
        """Carry ids over from the previous update (one-to-one, nearest first); sort by id."""
        if self.previous and frontiers:
            cost = _match_distances(frontiers, self.previous)
            for new_index, old_index in zip(*linear_sum_assignment(cost), strict=True):
                if cost[new_index, old_index] <= match_distance:
                    frontiers[new_index].id = self.previous[old_index].id
        for frontier in frontiers:
            if frontier.id < 0:
                frontier.id = self.next_id
                self.next_id += 1
        frontiers.sort(key=lambda f: f.id)
        self.previous = frontiers


@dataclass(frozen=True)
class _Piece:
    """A frontier's geometry, before its waypoint and id."""

    cells: np.ndarray  # [N, 2] world (x, y); both arrays read-only (shared across updates)
    centroid: np.ndarray  # (x, y)
    yaw: float  # direction into the unknown

    @classmethod
    def of(cls, grid: OccupancyMap, cells: np.ndarray, normals: np.ndarray) -> _Piece:
        """From (row, col) map cells and their unit normals."""
        world = grid.cell_to_world(cells[:, 0], cells[:, 1])
        centroid = world.mean(axis=0)
        world.flags.writeable = centroid.flags.writeable = False
        direction = normals.sum(axis=0)
        return cls(world, centroid, math.atan2(direction[1], direction[0]))


def _cells_by_label(
    labels: np.ndarray, rows: np.ndarray, cols: np.ndarray, areas: np.ndarray
) -> list[np.ndarray]:
    """Per label 1..n (index 0..n-1) its (row, col) cells in row-major order, given all labelled
    cells (`rows`, `cols`) in row-major order: one sort instead of one scan of the window per
    label."""
    order = np.argsort(labels[rows, cols], kind="stable")
    cells = np.stack([rows[order], cols[order]], axis=1)
    return np.split(cells, np.cumsum(areas)[:-1])


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


def _match_distances(new: list[Frontier], old: list[Frontier]) -> np.ndarray:
    """[len(new), len(old)] how far apart two frontiers are: each centroid to the other's
    nearest cell, the smaller."""

    def centroid_to_cells(centroids: list[Frontier], cells: list[Frontier]) -> np.ndarray:
        points = np.array([f.centroid for f in centroids])
        stacked = np.concatenate([f.cells for f in cells])
        starts = np.cumsum([0] + [len(f.cells) for f in cells[:-1]])
        distance = np.hypot(
            stacked[None, :, 0] - points[:, None, 0], stacked[None, :, 1] - points[:, None, 1]
        )
        return np.minimum.reduceat(distance, starts, axis=1)

    return np.minimum(centroid_to_cells(new, old), centroid_to_cells(old, new).T)
