"""House sizes: every setting that differs between `small` and `large` houses, one frozen
dataclass per size in `HOUSE_SIZES`. Lengths in metres, areas in square metres."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType


@dataclass(frozen=True)
class SplitLayout:
    """Rooms cut from one rectangle by recursive splits, kinds assigned by rank of area."""

    room_area: tuple[float, float]  # the house rectangle has rooms x this (per draw) square metres
    hallway_probability: float  # a hallway strip across houses of 5 or more rooms


@dataclass(frozen=True)
class CorridorLayout:
    """A room program laid out along hallways (see `floorplan.py`)."""

    program: Mapping[str, tuple[int, int]]  # rooms per kind, hallways not counted
    room_area: Mapping[str, tuple[float, float]]  # target floor area per room kind
    wing_depth: tuple[float, float]  # bedroom/bathroom/office wings, hallway to outer wall
    public_depth: tuple[float, float]  # the living/dining/kitchen block, hallway to outer wall


@dataclass(frozen=True)
class HouseSize:
    """One house size."""

    layout: SplitLayout | CorridorLayout
    rooms: tuple[int, int]  # rooms per house, hallways included
    area: tuple[float, float] | None  # total floor area, hallways included; None: unchecked
    hallway_width: tuple[float, float]
    extra_door_probability: float  # a door on a shared wall that the spanning tree left closed
    # A room of this many square metres draws each piece's count from its program's range; larger
    # rooms stretch the range in proportion (None: program counts as listed).
    furniture_area: float | None
    # Habitat's start filter: starts whose geodesic/euclidean ratio to the goal is below this
    # are kept only with probability 20 (ratio - 0.98)^2 (None: no filter).
    start_ratio: float | None


HOUSE_SIZES: dict[str, HouseSize] = {
    # The first benchmark: 3-10 rooms of 11-16 m2 each (40-150 m2), one optional hallway strip.
    "small": HouseSize(
        layout=SplitLayout(room_area=(11.0, 16.0), hallway_probability=0.7),
        rooms=(3, 10),
        area=None,
        hallway_width=(1.4, 1.8),
        extra_door_probability=0.2,
        furniture_area=None,
        start_ratio=None,
    ),
    # HM3D-scale: 8-16 rooms, 150-350 m2, rooms of realistic and varied sizes along hallways.
    "large": HouseSize(
        layout=CorridorLayout(
            program=MappingProxyType(
                {
                    "living room": (1, 2),
                    "dining room": (1, 1),
                    "kitchen": (1, 1),
                    "bedroom": (3, 5),
                    "bathroom": (2, 4),
                    "office": (0, 2),
                }
            ),
            room_area=MappingProxyType(
                {
                    "living room": (24.0, 45.0),
                    "dining room": (16.0, 30.0),
                    "kitchen": (10.0, 20.0),
                    "bedroom": (9.0, 16.0),
                    "bathroom": (4.0, 8.0),
                    "office": (8.0, 14.0),
                }
            ),
            wing_depth=(3.0, 3.9),
            public_depth=(4.5, 7.5),
        ),
        rooms=(8, 16),
        area=(150.0, 350.0),
        hallway_width=(1.3, 1.7),
        extra_door_probability=0.1,
        furniture_area=14.0,
        start_ratio=1.1,
    ),
}
