"""Is a pose clear of obstacles on an occupancy grid? (ROS-free; the node feeds it filmnav/map.)

Used to filter the approach poses around a detected object, so the robot is not sent into
furniture or walls. Unknown cells count as clear: near a fresh detection much is still unmapped.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

OCCUPIED = 50  # nav_msgs/OccupancyGrid values at or above this are obstacles


@dataclass(frozen=True)
class OccupancyView:
    cells: np.ndarray  # int8 [rows (y), cols (x)]: -1 unknown, 0..100 occupancy
    origin: tuple[float, float]  # mapping-frame position of cell (0, 0)'s corner, metres
    resolution: float  # metres per cell

    def is_clear(self, x: float, y: float, radius: float) -> bool:
        """No occupied cell within `radius` metres of (x, y); outside the grid counts as clear."""
        column = math.floor((x - self.origin[0]) / self.resolution)
        row = math.floor((y - self.origin[1]) / self.resolution)
        reach = math.ceil(radius / self.resolution)
        rows, columns = self.cells.shape
        if not (-reach <= row < rows + reach and -reach <= column < columns + reach):
            return True
        window = self.cells[
            max(row - reach, 0) : row + reach + 1, max(column - reach, 0) : column + reach + 1
        ]
        offsets_y, offsets_x = np.ogrid[
            max(row - reach, 0) - row : min(row + reach + 1, rows) - row,
            max(column - reach, 0) - column : min(column + reach + 1, columns) - column,
        ]
        within = (offsets_x**2 + offsets_y**2) * self.resolution**2 <= radius**2
        return not np.any((window >= OCCUPIED) & within)
