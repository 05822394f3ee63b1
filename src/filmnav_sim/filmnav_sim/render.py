"""MuJoCo scene of a house and an offscreen renderer for RGB, depth and instance ids.

One colour+depth pass and one segmentation pass per frame (EGL/llvmpipe, no multisampling).
Meshes are kept coarse (one quad per box face, 16 slices per round part): on a CPU rasteriser
that nearly doubles the frame rate, and directional lights need no finer tessellation.
The camera pose is written straight into the scene data, so no physics step runs per frame.
Geoms that cannot show are left out of both passes (MuJoCo draws every geom otherwise, and on
llvmpipe each drawn geom costs time whether or not it covers a pixel): those whose bounding
sphere lies wholly outside the view frustum, and furniture lying wholly inside a room that no
line of sight reaches. Walls run from floor to ceiling, so a room is seen only through a chain of
doorways, each narrowing the horizontal field of view (`_rooms_in_sight`). The room test leaves
floors and walls in: the boxes of neighbouring rooms meet in seams that a ray grazing along a
wall can slip through. Both tests only err towards drawing, so the images are the same, drawn
from a fifth to a quarter of the geoms.

The depth comes from the colour pass, not the segmentation pass: transparent geoms (shower glass)
do not write depth there, and a floor drawn before an object wins the pixels where they touch.
"""

from __future__ import annotations

import contextlib
import math
import threading
from collections.abc import Iterator
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
# Geoms outside the current view are moved to this group, which neither pass draws.
_CULLED_GROUP = 5
# Metres a bounding sphere must lie beyond a frustum plane to be culled (rounding slack).
_CULL_MARGIN = 0.01
# Slack of the doorway test: radians added to every angular interval, metres to every doorway.
_SIGHT_MARGIN = (1e-3, 0.01)
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
        self._option.geomgroup[_CULLED_GROUP] = 0
        self._segment_option = mujoco.MjvOption()
        self._segment_option.geomgroup[FLOOR_GROUP] = 0
        self._segment_option.geomgroup[_CULLED_GROUP] = 0
        self._instance_of_geom = np.zeros(1, dtype=np.int32)
        self._geom_group = np.zeros(0, dtype=np.int32)  # each geom's own group
        self._geom_centre = np.zeros((0, 3))  # world centre of each geom's bounding sphere
        self._geom_room = np.zeros(0, dtype=np.intp)  # room index holding furniture, else -1

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
            # the smallest font: nothing draws text, and its textures cost time on every load
            self._context = mujoco.MjrContext(model, mujoco.mjtFontScale.mjFONTSCALE_50)
            mujoco.mjr_setBuffer(mujoco.mjtFramebuffer.mjFB_OFFSCREEN, self._context)
            self._context.readDepthMap = mujoco.mjtDepthMap.mjDEPTH_ZEROFAR
            self.model, self.data = model, data
            self._scene = mujoco.MjvScene(model, maxgeom=model.ngeom + 100)
            self._segment_scene = mujoco.MjvScene(model, maxgeom=model.ngeom + 100)
            self._segment_scene.flags[mujoco.mjtRndFlag.mjRND_SEGMENT] = True
            self._segment_scene.flags[mujoco.mjtRndFlag.mjRND_IDCOLOR] = True
            self._instance_of_geom = np.asarray(instance_of_geom, dtype=np.int32)
            self._geom_group = model.geom_group.copy()
            self._geom_centre = data.geom_xpos.copy()  # the house is static
            furniture = self._instance_of_geom > 0
            self._geom_room = np.where(furniture, _rooms_holding(model, data, house), -1)
            self.house = house

    def _in_view(
        self, x: float, y: float, yaw: float, config: SimConfig, far: float = Z_FAR
    ) -> np.ndarray:
        """Per geom, whether it may show in the camera's view up to `far` metres ahead: its
        bounding sphere reaches into the frustum and it is not wholly inside an unseen room."""
        tan_h = math.tan(math.radians(config.vfov_deg) / 2.0) * config.width / config.height
        seen = _rooms_in_sight(self.house, x, y, yaw, math.atan(tan_h))
        visible = self._in_frustum(x, y, yaw, config, far)
        if seen is not None:
            visible &= (self._geom_room < 0) | seen[self._geom_room]
        return visible

    def _in_frustum(
        self, x: float, y: float, yaw: float, config: SimConfig, far: float
    ) -> np.ndarray:
        """Per geom, whether its bounding sphere reaches into the camera's view frustum cut off
        `far` metres ahead."""
        camera = np.array([x, y, config.camera_height])
        right, up, backward = camera_matrix(yaw).T
        offsets = self._geom_centre - camera
        forward, across, height = offsets @ -backward, offsets @ right, offsets @ up
        tan_v = math.tan(math.radians(config.vfov_deg) / 2.0)
        tan_h = tan_v * config.width / config.height
        reach = self.model.geom_rbound + _CULL_MARGIN
        # signed distances into the frustum from its near, far and four side planes
        inside = (forward > Z_NEAR - reach) & (forward < far + reach)
        for tangent, side in ((tan_h, across), (tan_v, height)):
            scale = 1.0 / math.sqrt(1.0 + tangent * tangent)
            inside &= (tangent * forward - side) * scale > -reach
            inside &= (tangent * forward + side) * scale > -reach
        return inside

    def instances_in_view(
        self, x: float, y: float, yaw: float, config: SimConfig, max_range: float
    ) -> set[int]:
        """Object instances with a part that may show up to `max_range` metres ahead: every
        instance an image from there can show at a depth within `max_range` is among them (some
        may be hidden by other objects)."""
        if self.model is None:
            raise RuntimeError("no house loaded")
        near = self._in_view(x, y, yaw, config, far=max_range)
        return {int(i) for i in np.unique(self._instance_of_geom[near]) if i}

    def _segment_table(self, drawn: np.ndarray) -> np.ndarray:
        """Segmentation colour index -> instance id (index 0: background) for the geoms `drawn`
        (model indices): mjv_updateScene adds the geoms of enabled groups in model order,
        numbering them 0, 1, ... as it goes."""
        scene_geoms = self._segment_scene.ngeom
        if len(drawn) != scene_geoms:
            raise RuntimeError(f"segmentation scene holds {scene_geoms} geoms, not {len(drawn)}")
        return np.concatenate([[0], self._instance_of_geom[drawn]]).astype(np.int32)

    def render(self, x: float, y: float, yaw: float, config: SimConfig) -> Frame:
        """RGB, depth and instance ids seen from the camera of an agent at (x, y, yaw)."""
        with self._rendering(config):
            rgb, depth = self._colour_pass(x, y, yaw, config)
            return Frame(rgb, depth, self._segment_pass(x, y, yaw, config))

    def render_colour(
        self, x: float, y: float, yaw: float, config: SimConfig
    ) -> tuple[np.ndarray, np.ndarray]:
        """RGB and depth only (the colour pass of `render`)."""
        with self._rendering(config):
            return self._colour_pass(x, y, yaw, config)

    def render_instance(self, x: float, y: float, yaw: float, config: SimConfig) -> np.ndarray:
        """Instance ids only (the segmentation pass of `render`)."""
        with self._rendering(config):
            return self._segment_pass(x, y, yaw, config)

    @contextlib.contextmanager
    def _rendering(self, config: SimConfig) -> Iterator[None]:
        """The lock and the GL context, after checking that a house and the size fit."""
        if self.model is None:
            raise RuntimeError("no house loaded")
        if config.width > self.max_width or config.height > self.max_height:
            raise ValueError(
                f"{config.width}x{config.height} exceeds the renderer's "
                f"{self.max_width}x{self.max_height}"
            )
        with self._lock, self._gl.as_current():
            yield

    def _draw(
        self,
        x: float,
        y: float,
        yaw: float,
        config: SimConfig,
        option: mujoco.MjvOption,
        scene: mujoco.MjvScene,
        colour: np.ndarray,
        depth: np.ndarray | None,
    ) -> np.ndarray:
        """One pass into `colour` (and `depth`), geoms outside the view left out; returns which
        geoms were in view."""
        self.model.cam_fovy[0] = config.vfov_deg
        self.data.cam_xpos[0] = (x, y, config.camera_height)
        self.data.cam_xmat[0] = camera_matrix(yaw).ravel()
        in_view = self._in_view(x, y, yaw, config)
        self.model.geom_group[:] = np.where(in_view, self._geom_group, _CULLED_GROUP)
        mujoco.mjv_updateScene(
            self.model, self.data, option, None, self._camera, mujoco.mjtCatBit.mjCAT_ALL, scene
        )
        rect = mujoco.MjrRect(0, 0, config.width, config.height)
        mujoco.mjr_render(rect, scene, self._context)
        mujoco.mjr_readPixels(colour, depth, rect, self._context)
        return in_view

    # OpenGL rows run bottom-up: each pass flips while converting, so arrays come out contiguous.
    def _colour_pass(
        self, x: float, y: float, yaw: float, config: SimConfig
    ) -> tuple[np.ndarray, np.ndarray]:
        rgb = np.empty((config.height, config.width, 3), dtype=np.uint8)
        raw_depth = np.empty((config.height, config.width), dtype=np.float32)
        self._draw(x, y, yaw, config, self._option, self._scene, rgb, raw_depth)
        return np.ascontiguousarray(rgb[::-1]), self._linear_depth(raw_depth[::-1])

    def _segment_pass(self, x: float, y: float, yaw: float, config: SimConfig) -> np.ndarray:
        segment = np.empty((config.height, config.width, 3), dtype=np.uint8)
        option, scene = self._segment_option, self._segment_scene
        in_view = self._draw(x, y, yaw, config, option, scene, segment, None)
        table = self._segment_table(np.flatnonzero(in_view & (self._geom_group != FLOOR_GROUP)))
        # the colour index is the 24-bit little-endian number in the pixel's three bytes
        packed = np.zeros((config.height, config.width, 4), dtype=np.uint8)
        packed[..., :3] = segment[::-1]
        return np.take(table, packed.view("<u4")[..., 0], mode="clip")

    def _linear_depth(self, buffer: np.ndarray) -> np.ndarray:
        """Undo the reversed-Z perspective mapping (as mujoco.Renderer does)."""
        extent = self.model.stat.extent
        znear = np.float32(self.model.vis.map.znear * extent)
        zfar = np.float32(self.model.vis.map.zfar * extent)
        c_coef = -(zfar + znear) / (zfar - znear)
        d_coef = -(np.float32(2) * zfar * znear) / (zfar - znear)
        c_coef = np.float32(-0.5) * c_coef - np.float32(0.5)
        d_coef = np.float32(-0.5) * d_coef
        depth = buffer.astype(np.float64)
        depth += c_coef
        np.divide(d_coef, depth, out=depth)
        return depth.astype(np.float32)

    def close(self) -> None:
        with self._lock:
            if self._context is not None:
                with self._gl.as_current():
                    self._context.free()
                self._context = None
            self._gl.free()


def _rooms_holding(model: mujoco.MjModel, data: mujoco.MjData, house: House) -> np.ndarray:
    """Per geom, the index of the room whose rectangle holds its whole plan-view bounding box,
    or -1 (anything astride rooms or outside them)."""
    signs = np.array([[i, j, k] for i in (-1, 1) for j in (-1, 1) for k in (-1, 1)], dtype=float)
    centre, half = model.geom_aabb[:, None, :3], model.geom_aabb[:, None, 3:]
    local = centre + signs[None] * half  # [geoms, 8, 3] box corners in the geom frame
    world = np.einsum("gij,gkj->gki", data.geom_xmat.reshape(-1, 3, 3), local)
    world += data.geom_xpos[:, None, :]
    low, high = world[..., :2].min(axis=1), world[..., :2].max(axis=1)
    room = np.full(model.ngeom, -1, dtype=np.intp)
    for index, r in enumerate(house.rooms):
        xmin, ymin, xmax, ymax = r.bounds
        inside = (low[:, 0] >= xmin) & (low[:, 1] >= ymin)
        inside &= (high[:, 0] <= xmax) & (high[:, 1] <= ymax)
        room[inside & (room < 0)] = index
    return room


def _rooms_in_sight(
    house: House, x: float, y: float, yaw: float, half_fov: float
) -> np.ndarray | None:
    """Which rooms (by index) a camera at (x, y) facing `yaw` with horizontal half field of view
    `half_fov` may see into; None when it stands in no room (then nothing is ruled out).

    Walls close every room from floor to ceiling except at doorways, and each room's half of a
    wall lies inside its rectangle, so a line of sight enters a room only across the centre line
    of one of its doorways. Starting from the rooms holding the camera with the whole field of
    view, each doorway passes on the part of the angular interval that its centre-line segment
    covers. Doorway order along a ray is not checked: that, and the margins, only ever let more
    rooms in."""
    angle_margin, length_margin = _SIGHT_MARGIN
    index_of = {room.id: index for index, room in enumerate(house.rooms)}
    reach = WALL_THICKNESS / 2.0 + length_margin  # a camera in a doorway stands in both rooms
    seen = np.zeros(len(house.rooms), dtype=bool)
    todo: list[tuple[int, float, float]] = []
    for index, room in enumerate(house.rooms):
        xmin, ymin, xmax, ymax = room.bounds
        if xmin - reach <= x <= xmax + reach and ymin - reach <= y <= ymax + reach:
            todo.append((index, -half_fov - angle_margin, half_fov + angle_margin))
    if not todo:
        return None
    doors_of: dict[int, list] = {}
    for door in house.doors:
        for room_id in door.rooms:
            doors_of.setdefault(index_of[room_id], []).append(door)
    explored: dict[int, list[tuple[float, float]]] = {}
    while todo:
        index, low, high = todo.pop()
        if any(a <= low and high <= b for a, b in explored.get(index, ())):
            continue  # a wider interval of this room was (or is being) followed already
        explored.setdefault(index, []).append((low, high))
        seen[index] = True
        for door in doors_of.get(index, ()):
            first, last = _doorway_interval(door, x, y, yaw, length_margin)
            first, last = max(low, first - angle_margin), min(high, last + angle_margin)
            if first <= last:
                for room_id in door.rooms:
                    if index_of[room_id] != index:
                        todo.append((index_of[room_id], first, last))
    return seen


def _doorway_interval(door, x: float, y: float, yaw: float, margin: float) -> tuple[float, float]:
    """The bearings (relative to `yaw`, radians) that the centre-line segment of a doorway, made
    `margin` longer at both ends, covers from (x, y)."""
    lo, hi = door.span[0] - margin, door.span[1] + margin
    ends = (
        ((door.line, lo), (door.line, hi))
        if door.axis == "x"
        else ((lo, door.line), (hi, door.line))
    )
    bearings = [math.atan2(ey - y, ex - x) for ex, ey in ends]
    middle = math.atan2(sum(math.sin(b) for b in bearings), sum(math.cos(b) for b in bearings))
    offsets = [math.remainder(b - middle, math.tau) for b in bearings]
    centre = math.remainder(middle - yaw, math.tau)
    return centre + min(offsets), centre + max(offsets)
