"""MuJoCo scene of a house and an offscreen renderer for RGB, depth and instance ids.

One colour+depth pass and one segmentation pass per frame (EGL/llvmpipe, no multisampling).
Meshes are kept coarse (one quad per box face, 16 slices per round part): on a CPU rasteriser
that nearly doubles the frame rate, and directional lights need no finer tessellation.
The camera pose is written straight into the scene data, so no physics step runs per frame.
"""

from __future__ import annotations

import math
import threading
from dataclasses import dataclass

import mujoco
import numpy as np

from .config import SimConfig
from .furniture import build_parts
from .house import DOOR_HEIGHT, EXTERIOR_RGB, WALL_HEIGHT, WALL_THICKNESS, House

# Near/far clip planes in metres (depth precision comes from reversed-Z float buffers).
Z_NEAR = 0.05
Z_FAR = 50.0
# Floors and the ceiling: drawn in colour, left out of the segmentation pass (they hide no
# object and are instance 0 anyway), which saves much of that pass's fill on a CPU rasteriser.
FLOOR_GROUP = 1
_EXTENT = 10.0


def _fmt(values) -> str:
    return " ".join(f"{float(v):.4g}" for v in values)


def _floor_texture(room_id: int, look) -> tuple[str, str]:
    """Texture and material XML of one room's floor."""
    name = f"floor{room_id}"
    if look.floor_pattern == "tiles":
        texture = (
            f'<texture name="{name}" type="2d" builtin="checker" width="64" height="64" '
            f'rgb1="{_fmt(look.floor_rgb)}" rgb2="{_fmt(look.floor_rgb2)}" mark="edge" '
            f'markrgb="{_fmt(np.array(look.floor_rgb) * 0.7)}"/>'
        )
        repeat = "1.7 1.7"
    elif look.floor_pattern == "wood":
        texture = (
            f'<texture name="{name}" type="2d" builtin="checker" width="32" height="256" '
            f'rgb1="{_fmt(look.floor_rgb)}" rgb2="{_fmt(look.floor_rgb2)}" mark="edge" '
            f'markrgb="{_fmt(np.array(look.floor_rgb) * 0.8)}"/>'
        )
        repeat = "2.5 0.6"
    else:
        texture = (
            f'<texture name="{name}" type="2d" builtin="flat" width="128" height="128" '
            f'rgb1="{_fmt(look.floor_rgb)}" mark="random" random="0.25" '
            f'markrgb="{_fmt(look.floor_rgb2)}"/>'
        )
        repeat = "1 1"
    material = (
        f'<material name="{name}" texture="{name}" texuniform="true" texrepeat="{repeat}" '
        f'specular="0.1"/>'
    )
    return texture, material


def house_mjcf(house: House, max_width: int, max_height: int) -> tuple[str, list[int]]:
    """MJCF text of the house and, per geom in model order, its instance id (0: structure)."""
    assets, geoms, instance_of_geom = [], [], []

    def add(xml: str, instance: int) -> None:
        geoms.append(xml)
        instance_of_geom.append(instance)

    width, depth = house.size
    for room in house.rooms:
        texture, material = _floor_texture(room.id, house.looks[room.id])
        assets += [texture, material]
        xmin, ymin, xmax, ymax = room.bounds
        add(
            f'<geom type="box" pos="{_fmt(((xmin + xmax) / 2, (ymin + ymax) / 2, -0.05))}" '
            f'size="{_fmt(((xmax - xmin) / 2, (ymax - ymin) / 2, 0.05))}" '
            f'material="floor{room.id}" '
            f'group="{FLOOR_GROUP}"/>',
            0,
        )
    for wall in house.walls:
        xmin, ymin, xmax, ymax = wall.bounds
        rgb = EXTERIOR_RGB if wall.room_id < 0 else house.looks[wall.room_id].wall_rgb
        add(
            '<geom type="box" '
            f'pos="{_fmt(((xmin + xmax) / 2, (ymin + ymax) / 2, WALL_HEIGHT / 2))}" '
            f'size="{_fmt(((xmax - xmin) / 2, (ymax - ymin) / 2, WALL_HEIGHT / 2))}" '
            f'rgba="{_fmt(rgb)} 1"/>',
            0,
        )
    for door in house.doors:  # the wall above each doorway
        lo, hi = door.span
        half = WALL_THICKNESS / 2
        bounds = (
            (door.line - half, lo, door.line + half, hi)
            if door.axis == "x"
            else (lo, door.line - half, hi, door.line + half)
        )
        xmin, ymin, xmax, ymax = bounds
        lintel = (WALL_HEIGHT - DOOR_HEIGHT) / 2
        add(
            '<geom type="box" '
            f'pos="{_fmt(((xmin + xmax) / 2, (ymin + ymax) / 2, DOOR_HEIGHT + lintel))}" '
            f'size="{_fmt(((xmax - xmin) / 2, (ymax - ymin) / 2, lintel))}" '
            f'rgba="{_fmt(EXTERIOR_RGB)} 1"/>',
            0,
        )
    add(
        f'<geom type="box" pos="{_fmt((width / 2, depth / 2, WALL_HEIGHT + 0.03))}" '
        f'size="{_fmt((width / 2 + 0.2, depth / 2 + 0.2, 0.03))}" rgba="0.95 0.95 0.93 1" '
        f'group="{FLOOR_GROUP}"/>',
        0,
    )
    for obj in house.objects:
        c, s = math.cos(obj.yaw), math.sin(obj.yaw)
        for part in build_parts(obj.category, obj.size, obj.color):
            x, y, z = part.pos
            world = (obj.position[0] + c * x - s * y, obj.position[1] + s * x + c * y, z)
            size = part.size if part.kind != "cylinder" else part.size[:2]
            # Fixed-axis rotations: tip a front-facing cylinder's height onto x, then the heading.
            pitch = math.pi / 2 if part.axis == "x" else 0.0
            add(
                f'<geom type="{part.kind}" pos="{_fmt(world)}" '
                f'euler="{pitch:.5f} {obj.yaw:.5f} 0" '
                f'size="{_fmt(size)}" rgba="{_fmt(part.rgba)}"/>',
                obj.id,
            )
    light = house.lighting
    ambient = _fmt(np.array(light.tint) * light.ambient)
    sun = _fmt(np.array(light.tint) * light.sun)
    sun_dir = _fmt(light.sun_direction)
    xml = f"""<mujoco model="house_{house.seed}">
  <compiler angle="radian" eulerseq="YZX"/>
  <statistic extent="{_EXTENT}" center="{_fmt((width / 2, depth / 2, 1.0))}"/>
  <visual>
    <global offwidth="{max_width}" offheight="{max_height}"/>
    <quality offsamples="0" shadowsize="0" numquads="1" numslices="16" numstacks="8"/>
    <map znear="{Z_NEAR / _EXTENT}" zfar="{Z_FAR / _EXTENT}"/>
    <headlight ambient="{ambient}" diffuse="0.35 0.35 0.35" specular="0 0 0"/>
    <rgba haze="0 0 0 0"/>
  </visual>
  <asset>
    {chr(10).join(assets)}
  </asset>
  <worldbody>
    <light directional="true" castshadow="false" pos="0 0 5" dir="{sun_dir}" diffuse="{sun}"/>
    <camera name="agent" pos="0 0 1" mode="fixed"/>
    {chr(10).join(geoms)}
  </worldbody>
</mujoco>"""
    return xml, instance_of_geom


@dataclass
class Frame:
    rgb: np.ndarray  # uint8 [H, W, 3]
    depth: np.ndarray  # float32 [H, W], metres along the optical axis, raw (no range limits)
    instance: np.ndarray  # int32 [H, W], 0 where no object


def camera_matrix(yaw: float) -> np.ndarray:
    """MuJoCo camera orientation (columns: right, up, backward) for a level camera facing yaw."""
    forward = np.array([math.cos(yaw), math.sin(yaw), 0.0])
    up = np.array([0.0, 0.0, 1.0])
    right = np.cross(forward, up)
    return np.column_stack([right, up, -forward])


class HouseRenderer:
    """Renders a house from agent poses. Reuses its GL context across houses and its model while
    the house is unchanged. Thread-safe: the context is current only while a call renders."""

    def __init__(self, max_width: int = 640, max_height: int = 480):
        self.max_width, self.max_height = max_width, max_height
        self._gl = mujoco.GLContext(max_width, max_height)
        self._lock = threading.Lock()
        self.house: House | None = None
        self.model: mujoco.MjModel | None = None
        self.data: mujoco.MjData | None = None
        self._context: mujoco.MjrContext | None = None
        self._scene: mujoco.MjvScene | None = None
        self._segment_scene: mujoco.MjvScene | None = None
        self._camera = mujoco.MjvCamera()
        self._camera.type = mujoco.mjtCamera.mjCAMERA_FIXED
        self._camera.fixedcamid = 0
        self._option = mujoco.MjvOption()
        self._segment_option = mujoco.MjvOption()
        self._segment_option.geomgroup[FLOOR_GROUP] = 0
        self._instance_of_geom = np.zeros(1, dtype=np.int32)
        self._segment_lut: np.ndarray | None = None

    def load(self, house: House) -> None:
        if self.house is house:
            return
        xml, instance_of_geom = house_mjcf(house, self.max_width, self.max_height)
        model = mujoco.MjModel.from_xml_string(xml)
        data = mujoco.MjData(model)
        mujoco.mj_forward(model, data)
        with self._lock, self._gl.as_current():
            if self._context is not None:
                self._context.free()
            self._context = mujoco.MjrContext(model, mujoco.mjtFontScale.mjFONTSCALE_150)
            mujoco.mjr_setBuffer(mujoco.mjtFramebuffer.mjFB_OFFSCREEN, self._context)
            self._context.readDepthMap = mujoco.mjtDepthMap.mjDEPTH_ZEROFAR
            self.model, self.data = model, data
            self._scene = mujoco.MjvScene(model, maxgeom=model.ngeom + 100)
            self._segment_scene = mujoco.MjvScene(model, maxgeom=model.ngeom + 100)
            self._segment_scene.flags[mujoco.mjtRndFlag.mjRND_SEGMENT] = True
            self._segment_scene.flags[mujoco.mjtRndFlag.mjRND_IDCOLOR] = True
            self._instance_of_geom = np.asarray(instance_of_geom, dtype=np.int32)
            self._segment_lut = None
            self.house = house

    def _segment_table(self) -> np.ndarray:
        """Segmentation colour index -> instance id (index 0: background)."""
        scene = self._segment_scene
        if self._segment_lut is None or len(self._segment_lut) != scene.ngeom + 1:
            lut = np.zeros(scene.ngeom + 1, dtype=np.int32)
            for index in range(scene.ngeom):
                geom = scene.geoms[index]
                if geom.objtype == mujoco.mjtObj.mjOBJ_GEOM and geom.segid >= 0:
                    lut[geom.segid + 1] = self._instance_of_geom[geom.objid]
            self._segment_lut = lut
        return self._segment_lut

    def render(self, x: float, y: float, yaw: float, config: SimConfig) -> Frame:
        """RGB, depth and instance ids seen from the camera of an agent at (x, y, yaw)."""
        if self.model is None:
            raise RuntimeError("no house loaded")
        width, height = config.width, config.height
        if width > self.max_width or height > self.max_height:
            raise ValueError(
                f"{width}x{height} exceeds the renderer's {self.max_width}x{self.max_height}"
            )
        with self._lock, self._gl.as_current():
            return self._render(x, y, yaw, config)

    def _render(self, x: float, y: float, yaw: float, config: SimConfig) -> Frame:
        width, height = config.width, config.height
        self.model.cam_fovy[0] = config.vfov_deg
        self.data.cam_xpos[0] = (x, y, config.camera_height)
        self.data.cam_xmat[0] = camera_matrix(yaw).ravel()
        rect = mujoco.MjrRect(0, 0, width, height)
        rgb = np.empty((height, width, 3), dtype=np.uint8)
        raw_depth = np.empty((height, width), dtype=np.float32)
        segment = np.empty((height, width, 3), dtype=np.uint8)
        for option, scene, colour, depth in (
            (self._option, self._scene, rgb, raw_depth),
            (self._segment_option, self._segment_scene, segment, None),
        ):
            mujoco.mjv_updateScene(
                self.model,
                self.data,
                option,
                None,
                self._camera,
                mujoco.mjtCatBit.mjCAT_ALL,
                scene,
            )
            mujoco.mjr_render(rect, scene, self._context)
            mujoco.mjr_readPixels(colour, depth, rect, self._context)
        # OpenGL rows run bottom-up: flip while converting, so every array comes out contiguous.
        segment = segment[::-1]
        ids = (
            segment[..., 0].astype(np.int32)
            | (segment[..., 1].astype(np.int32) << 8)
            | (segment[..., 2].astype(np.int32) << 16)
        )
        instance = self._segment_table()[np.minimum(ids, self._segment_scene.ngeom)]
        return Frame(
            np.ascontiguousarray(rgb[::-1]), self._linear_depth(raw_depth[::-1]), instance
        )

    def _linear_depth(self, buffer: np.ndarray) -> np.ndarray:
        """Undo the reversed-Z perspective mapping (as mujoco.Renderer does)."""
        extent = self.model.stat.extent
        znear = np.float32(self.model.vis.map.znear * extent)
        zfar = np.float32(self.model.vis.map.zfar * extent)
        c_coef = -(zfar + znear) / (zfar - znear)
        d_coef = -(np.float32(2) * zfar * znear) / (zfar - znear)
        c_coef = np.float32(-0.5) * c_coef - np.float32(0.5)
        d_coef = np.float32(-0.5) * d_coef
        return (d_coef / (buffer.astype(np.float64) + c_coef)).astype(np.float32)

    def close(self) -> None:
        with self._lock:
            if self._context is not None:
                with self._gl.as_current():
                    self._context.free()
                self._context = None
            self._gl.free()
