"""Line-of-sight tests against the house's 3-D geometry (MuJoCo ray casts, no rendering)."""

from __future__ import annotations

import math

import mujoco
import numpy as np

from .house import House, ObjectInstance
from .render import house_mjcf


class SightModel:
    """A compiled house model used for ray casts; the geom -> instance table comes with it."""

    def __init__(self, house: House):
        xml, instance_of_geom = house_mjcf(house, 64, 64)
        self.model = mujoco.MjModel.from_xml_string(xml)
        self.data = mujoco.MjData(self.model)
        mujoco.mj_forward(self.model, self.data)
        self.instance_of_geom = np.asarray(instance_of_geom, dtype=np.int32)

    @staticmethod
    def targets(obj: ObjectInstance) -> np.ndarray:
        """Points [K, 3] on the object to look at: its middle, its top and towards each side."""
        sx, sy, sz = obj.size
        c, s = math.cos(obj.yaw), math.sin(obj.yaw)
        local = np.array(
            [
                [0, 0, 0.5],
                [0, 0, 0.9],
                [0.3, 0, 0.6],
                [-0.3, 0, 0.6],
                [0, 0.3, 0.6],
                [0, -0.3, 0.6],
            ]
        )
        offsets = local * np.array([sx, sy, sz])
        world = np.empty_like(offsets)
        world[:, 0] = obj.position[0] + c * offsets[:, 0] - s * offsets[:, 1]
        world[:, 1] = obj.position[1] + s * offsets[:, 0] + c * offsets[:, 1]
        world[:, 2] = offsets[:, 2]
        return world

    def visible_from(
        self, points_xy: np.ndarray, obj: ObjectInstance, eye_height: float, max_range: float = 5.0
    ) -> np.ndarray:
        """bool [N]: whether a camera at each point (any heading) sees part of the object first."""
        points = np.asarray(points_xy, dtype=float).reshape(-1, 2)
        targets = self.targets(obj)
        visible = np.zeros(len(points), dtype=bool)
        geom_ids = np.zeros(len(targets), dtype=np.int32)
        distances = np.zeros(len(targets))
        for index, (x, y) in enumerate(points):
            eye = np.array([x, y, eye_height])
            vectors = targets - eye
            vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
            mujoco.mj_multiRay(
                self.model,
                self.data,
                eye,
                vectors.ravel(),
                None,
                1,
                -1,
                geom_ids,
                distances,
                None,
                len(targets),
                max_range,
            )
            hit = geom_ids >= 0
            visible[index] = bool(np.any(self.instance_of_geom[geom_ids[hit]] == obj.id))
        return visible


def sight_model(house: House) -> SightModel:
    """The house's ray-cast model, built once per house."""
    model = getattr(house, "_sight_model", None)
    if model is None:
        model = SightModel(house)
        house._sight_model = model
    return model
