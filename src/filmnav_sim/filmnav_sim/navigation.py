"""Navigable grid, geodesic distances (scikit-fmm) and shortest paths (scipy csgraph)."""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Iterator

import cv2
import numpy as np
import scipy.ndimage as ndi
import scipy.sparse as sp
import skfmm
from scipy.sparse import csgraph

# 8-connected neighbourhood offsets (row, col) and their step lengths in cells.
_OFFSETS = np.array([(0, 1), (1, 0), (1, 1), (1, -1)])
_FIELD_CACHE_SIZE = 16


def navigable_from_free(free: np.ndarray, resolution: float, agent_radius: float) -> np.ndarray:
    """Cells whose centre is farther than agent_radius from any obstacle cell."""
    clearance = ndi.distance_transform_edt(free) * resolution
    return clearance > agent_radius


def largest_component(mask: np.ndarray) -> np.ndarray:
    """The largest 8-connected component of a boolean mask."""
    labels, count = ndi.label(mask, structure=np.ones((3, 3), bool))
    if count <= 1:
        return mask.copy()
    sizes = np.bincount(labels.ravel())
    sizes[0] = 0
    return labels == int(np.argmax(sizes))


class NavGrid:
    """A 2-D navigability grid in the world frame.

    Row index grows with world y and column index with world x; `origin` is the world position of
    the corner of cell (0, 0).
    """

    def __init__(self, navigable: np.ndarray, resolution: float, origin: tuple[float, float]):
        self.navigable = np.asarray(navigable, dtype=bool)
        self.resolution = float(resolution)
        self.origin = (float(origin[0]), float(origin[1]))
        self._fields: OrderedDict[bytes, np.ndarray] = OrderedDict()
        self._trees: OrderedDict[tuple, np.ndarray] = OrderedDict()
        self._graph: sp.csr_matrix | None = None
        self._node_of_cell: np.ndarray | None = None
        self._cell_of_node: np.ndarray | None = None
        free = np.argwhere(self.navigable)
        self._free_rows, self._free_cols = free[:, 0], free[:, 1]
        self._free_centres: np.ndarray | None = None

    @property
    def shape(self) -> tuple[int, int]:
        return self.navigable.shape

    # ---- coordinates -------------------------------------------------------------------------
    def world_to_cell(self, xy) -> tuple[int, int] | np.ndarray:
        """(row, col) of a point, or an int array [N, 2] for an array of points [N, 2]."""
        points = np.asarray(xy, dtype=float)
        col = np.floor((points[..., 0] - self.origin[0]) / self.resolution).astype(int)
        row = np.floor((points[..., 1] - self.origin[1]) / self.resolution).astype(int)
        if points.ndim == 1:
            return int(row), int(col)
        return np.stack([row, col], axis=-1)

    def cell_to_world(self, rc) -> tuple[float, float] | np.ndarray:
        """World (x, y) of a cell centre, or an array [N, 2] for cells [N, 2]."""
        cells = np.asarray(rc, dtype=float)
        x = self.origin[0] + (cells[..., 1] + 0.5) * self.resolution
        y = self.origin[1] + (cells[..., 0] + 0.5) * self.resolution
        if cells.ndim == 1:
            return float(x), float(y)
        return np.stack([x, y], axis=-1)

    def _inside(self, cells: np.ndarray) -> np.ndarray:
        h, w = self.navigable.shape
        return (
            (cells[..., 0] >= 0) & (cells[..., 0] < h) & (cells[..., 1] >= 0) & (cells[..., 1] < w)
        )

    def navigable_mask(self, points: np.ndarray) -> np.ndarray:
        """Vectorised is_navigable for points [N, 2]."""
        cells = self.world_to_cell(np.asarray(points, dtype=float).reshape(-1, 2))
        inside = self._inside(cells)
        result = np.zeros(len(cells), dtype=bool)
        result[inside] = self.navigable[cells[inside, 0], cells[inside, 1]]
        return result

    def is_navigable(self, xy) -> bool:
        row, col = self.world_to_cell(np.asarray(xy, dtype=float)[:2])
        rows, cols = self.navigable.shape
        return bool(0 <= row < rows and 0 <= col < cols and self.navigable[row, col])

    def _centres(self) -> np.ndarray:
        """World centres of all navigable cells [N, 2] (computed once; never handed out)."""
        if self._free_centres is None:
            self._free_centres = self.cell_to_world(
                np.stack([self._free_rows, self._free_cols], axis=1)
            )
        return self._free_centres

    def snap(self, xy) -> tuple[float, float]:
        """The nearest navigable cell centre to a point."""
        point = np.asarray(xy, dtype=float)[:2]
        centres = self._centres()
        nearest = int(np.argmin(np.sum((centres - point) ** 2, axis=1)))
        return float(centres[nearest, 0]), float(centres[nearest, 1])

    def navigable_points(self) -> np.ndarray:
        """World centres of all navigable cells [N, 2]."""
        return self._centres().copy()

    def segment_clear(self, start_xy, end_xy) -> bool:
        """Whether the straight segment between two points stays on navigable cells."""
        start, end = np.asarray(start_xy, float)[:2], np.asarray(end_xy, float)[:2]
        samples = max(2, int(np.ceil(np.linalg.norm(end - start) / (0.5 * self.resolution))) + 1)
        points = start + np.linspace(0.0, 1.0, samples)[:, None] * (end - start)
        cells = self.world_to_cell(points)
        return bool(self._inside(cells).all() and self.navigable[cells[:, 0], cells[:, 1]].all())

    # ---- geodesics ---------------------------------------------------------------------------
    def distance_field(self, goal_points: np.ndarray) -> np.ndarray:
        """Geodesic distance (metres) from every cell to the nearest goal point; inf where
        unreachable or not navigable. Goal points off the grid are snapped to navigable cells."""
        goals = np.asarray(goal_points, dtype=float).reshape(-1, 2)
        cells = self.world_to_cell(goals)
        ok = self._inside(cells)
        cells = cells[ok]
        cells = cells[self.navigable[cells[:, 0], cells[:, 1]]]
        if len(cells) == 0 and len(goals):
            cells = np.array([self.world_to_cell(self.snap(goals[0]))])
        # the field depends on the goal cells only: goals in the same cells share it (a goal and
        # its snapped cell centre, as a path follower and its runner ask for)
        cells = np.unique(cells.reshape(-1, 2), axis=0)
        key = cells.tobytes()
        if key in self._fields:
            self._fields.move_to_end(key)
            return self._fields[key]
        field = np.full(self.navigable.shape, np.inf)
        if len(cells):
            phi = np.ones(self.navigable.shape)
            phi[cells[:, 0], cells[:, 1]] = -1.0
            masked = np.ma.MaskedArray(phi, mask=~self.navigable)
            try:
                distance = skfmm.distance(masked, dx=self.resolution)
            except ValueError:
                distance = self._distance_without_straight_neighbours(phi)
            # The zero contour runs half a cell from the goal cell centres: shift it back so
            # goal cells read 0 and distances are measured between cell centres.
            values = np.ma.filled(distance, np.inf).astype(float)
            values = np.maximum(values + 0.5 * self.resolution, 0.0)
            values[~self.navigable] = np.inf
            reached = ~np.ma.getmaskarray(distance)
            values[~reached] = np.inf
            values[cells[:, 0], cells[:, 1]] = 0.0
            field = values
        self._fields[key] = field
        if len(self._fields) > _FIELD_CACHE_SIZE:
            self._fields.popitem(last=False)
        return field

    def _distance_without_straight_neighbours(self, phi: np.ndarray) -> np.ma.MaskedArray:
        """Fast marching for goal cells with no navigable 4-neighbour (scikit-fmm then finds no
        zero contour): march from the goal cells plus their navigable diagonal neighbours (at
        most one diagonal step, 7 cm, of error); a goal alone in its pocket reaches nothing."""
        goal = (phi < 0).astype(np.uint8)
        grown = (cv2.dilate(goal, np.ones((3, 3), np.uint8)) > 0) & self.navigable
        try:
            return skfmm.distance(
                np.ma.MaskedArray(np.where(grown, -1.0, 1.0), mask=~self.navigable),
                dx=self.resolution,
            )
        except ValueError:
            return np.ma.MaskedArray(np.full(phi.shape, -0.5 * self.resolution), mask=~grown)

    def geodesic_distance(self, start_xy, goal_points: np.ndarray) -> float:
        """Shortest navigable path length from start to the nearest goal point (inf if none)."""
        start = np.asarray(start_xy, dtype=float)[:2]
        if not self.is_navigable(start):
            start = np.asarray(self.snap(start))
        field = self.distance_field(goal_points)
        row, col = self.world_to_cell(start)
        return float(field[row, col])

    # ---- paths -------------------------------------------------------------------------------
    def _build_graph(self) -> None:
        h, w = self.navigable.shape
        node_of_cell = np.full((h, w), -1, dtype=np.int64)
        node_of_cell[self._free_rows, self._free_cols] = np.arange(len(self._free_rows))
        sources, targets, weights = [], [], []
        for d_row, d_col in _OFFSETS:
            rows, cols = self._free_rows + d_row, self._free_cols + d_col
            inside = (rows >= 0) & (rows < h) & (cols >= 0) & (cols < w)
            neighbour = np.full(len(rows), -1)
            neighbour[inside] = node_of_cell[rows[inside], cols[inside]]
            keep = neighbour >= 0
            sources.append(np.flatnonzero(keep))
            targets.append(neighbour[keep])
            weights.append(np.full(int(keep.sum()), np.hypot(d_row, d_col) * self.resolution))
        n = len(self._free_rows)
        graph = sp.coo_matrix(
            (np.concatenate(weights), (np.concatenate(sources), np.concatenate(targets))),
            shape=(n, n),
        ).tocsr()
        self._graph = graph
        self._node_of_cell = node_of_cell
        self._cell_of_node = np.stack([self._free_rows, self._free_cols], axis=1)

    def _node(self, xy) -> int:
        point = np.asarray(xy, dtype=float)[:2]
        if not self.is_navigable(point):
            point = np.asarray(self.snap(point))
        row, col = self.world_to_cell(point)
        return int(self._node_of_cell[row, col])

    def _predecessors_towards(self, goal_node: int) -> np.ndarray:
        """Shortest-path tree rooted at a goal cell (cached): each node's next node to the goal."""
        key = ("tree", goal_node)
        if key not in self._trees:
            _, predecessors = csgraph.dijkstra(
                self._graph, directed=False, indices=goal_node, return_predecessors=True
            )
            self._trees[key] = predecessors
            if len(self._trees) > _FIELD_CACHE_SIZE:
                self._trees.popitem(last=False)
        self._trees.move_to_end(key)
        return self._trees[key]

    def shortest_path(self, start_xy, goal_xy) -> np.ndarray:
        """World waypoints [M, 2] from start to goal (both included, string-pulled so consecutive
        points see each other); empty when the goal is unreachable. Repeated queries towards the
        same goal reuse its shortest-path tree."""
        return np.array(list(self.path_waypoints(start_xy, goal_xy))).reshape(-1, 2)

    def path_waypoints(self, start_xy, goal_xy) -> Iterator[np.ndarray]:
        """The waypoints of `shortest_path`, each found only when asked for: a follower that
        needs the next one or two does not pay for string-pulling the whole path."""
        if self._graph is None:
            self._build_graph()
        source, target = self._node(start_xy), self._node(goal_xy)
        predecessors = self._predecessors_towards(target)
        nodes = [source]
        while nodes[-1] != target:
            following = int(predecessors[nodes[-1]])
            if following < 0:
                return
            nodes.append(following)
        points = self.cell_to_world(self._cell_of_node[np.array(nodes)])
        start = np.asarray(start_xy, dtype=float)[:2]
        goal = np.asarray(goal_xy, dtype=float)[:2]
        if self.is_navigable(start):
            points[0] = start
        if self.is_navigable(goal):
            points[-1] = goal
        for index in self._string_pull(points):
            yield points[index]

    def _string_pull(self, points: np.ndarray) -> Iterator[int]:
        """Indices of as few waypoints as possible: from each kept point jump to the farthest
        later point it sees in a straight line (found by exponential then binary search)."""
        last = len(points) - 1
        kept = 0
        yield kept
        while kept < last:
            seen, step = kept + 1, 1  # neighbouring cells always see each other
            while seen + step <= last and self.segment_clear(points[kept], points[seen + step]):
                seen += step
                step *= 2
            blocked = min(seen + step, last + 1)
            while blocked - seen > 1:
                middle = (seen + blocked) // 2
                if self.segment_clear(points[kept], points[middle]):
                    seen = middle
                else:
                    blocked = middle
            kept = seen
            yield kept
