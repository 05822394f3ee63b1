"""sensor_msgs/Image <-> numpy, through the ROS 2 cv_bridge where it imports, else our own codec.

The pip environment has no ROS 2 cv_bridge (PyPI `cv-bridge` is a stale ROS 1 copy that ignores
`step` and calls numpy's removed `tostring`), so the project carries a small codec for the
encodings the stack uses. A cv_bridge module is only used after it decodes a padded big-endian
probe image the same way as the codec and encodes without error: that rejects the ROS 1 copy.

Decoded arrays may share memory with the message's buffer; copy them before keeping the array
beyond the message's lifetime if the message is reused.
"""

from __future__ import annotations

import array
import functools
import sys
from collections.abc import Collection
from typing import NamedTuple

import cv2
import numpy as np
from sensor_msgs.msg import Image
from std_msgs.msg import Header


class ImageEncodingError(ValueError):
    """An image message or array that cannot be converted (unknown encoding, wrong size...)."""


class PixelFormat(NamedTuple):
    dtype: np.dtype
    channels: int


PIXEL_FORMATS: dict[str, PixelFormat] = {
    "rgb8": PixelFormat(np.dtype(np.uint8), 3),
    "bgr8": PixelFormat(np.dtype(np.uint8), 3),
    "rgba8": PixelFormat(np.dtype(np.uint8), 4),
    "bgra8": PixelFormat(np.dtype(np.uint8), 4),
    "mono8": PixelFormat(np.dtype(np.uint8), 1),
    "mono16": PixelFormat(np.dtype(np.uint16), 1),
    "8UC1": PixelFormat(np.dtype(np.uint8), 1),
    "8UC3": PixelFormat(np.dtype(np.uint8), 3),
    "16UC1": PixelFormat(np.dtype(np.uint16), 1),
    "32FC1": PixelFormat(np.dtype(np.float32), 1),
}

DEPTH_ENCODINGS = ("16UC1", "32FC1")
# Colour encodings and their conversion to RGB (None: already RGB).
RGB_CONVERSIONS: dict[str, int | None] = {
    "rgb8": None,
    "bgr8": cv2.COLOR_BGR2RGB,
    "rgba8": cv2.COLOR_RGBA2RGB,
    "bgra8": cv2.COLOR_BGRA2RGB,
    "mono8": cv2.COLOR_GRAY2RGB,
}
_HOST_IS_BIGENDIAN = sys.byteorder == "big"


def _pixel_format(encoding: str) -> PixelFormat:
    try:
        return PIXEL_FORMATS[encoding]
    except KeyError:
        raise ImageEncodingError(
            f"unsupported image encoding '{encoding}' (supported: {', '.join(PIXEL_FORMATS)})"
        ) from None


def _check_layout(msg: Image, pixel: PixelFormat) -> np.ndarray:
    """msg.data as uint8, after checking that step and size fit the encoding."""
    row_bytes = msg.width * pixel.channels * pixel.dtype.itemsize
    if msg.step < row_bytes:
        raise ImageEncodingError(
            f"{msg.encoding} image step {msg.step} is smaller than a {msg.width}-pixel row "
            f"({row_bytes} bytes)"
        )
    needed = msg.step * msg.height
    raw = np.frombuffer(msg.data, dtype=np.uint8)
    if raw.size < needed:
        raise ImageEncodingError(
            f"truncated {msg.encoding} image: {msg.height} rows x step {msg.step} needs "
            f"{needed} bytes, data has {raw.size}"
        )
    return raw


def _decode(msg: Image, pixel: PixelFormat) -> np.ndarray:
    """Our codec: a strided view of msg.data that honours step (row padding) and endianness."""
    raw = _check_layout(msg, pixel)
    dtype = pixel.dtype.newbyteorder(">" if msg.is_bigendian else "<")
    shape = (msg.height, msg.width, pixel.channels)
    item = pixel.dtype.itemsize
    pixels = np.ndarray(
        shape, dtype=dtype, buffer=raw, strides=(msg.step, pixel.channels * item, item)
    )
    if pixel.channels == 1:
        pixels = pixels[:, :, 0]
    if not dtype.isnative:
        pixels = pixels.astype(pixel.dtype)
    return pixels


def _checked_array(pixels: np.ndarray, encoding: str) -> np.ndarray:
    """`pixels` as a C-contiguous native-order array whose shape and dtype fit `encoding`."""
    pixel = _pixel_format(encoding)
    if pixels.ndim == 3 and pixels.shape[2] == 1 and pixel.channels == 1:
        pixels = pixels[:, :, 0]
    expected_ndim = 2 if pixel.channels == 1 else 3
    if pixels.ndim != expected_ndim or (expected_ndim == 3 and pixels.shape[2] != pixel.channels):
        wanted = "HxW" if pixel.channels == 1 else f"HxWx{pixel.channels}"
        raise ImageEncodingError(f"{encoding} needs an {wanted} array, got shape {pixels.shape}")
    if pixels.dtype.newbyteorder("=") != pixel.dtype:
        raise ImageEncodingError(f"{encoding} needs dtype {pixel.dtype}, got {pixels.dtype}")
    return np.ascontiguousarray(pixels, dtype=pixel.dtype)


def _encode(pixels: np.ndarray, encoding: str, header: Header | None) -> Image:
    """Our codec: rows without padding, host byte order, data filled from the array's buffer."""
    data = array.array("B")
    data.frombytes(memoryview(pixels).cast("B"))
    return Image(
        header=header if header is not None else Header(),
        height=pixels.shape[0],
        width=pixels.shape[1],
        encoding=encoding,
        is_bigendian=int(_HOST_IS_BIGENDIAN),
        step=pixels.strides[0],
        data=data,
    )


def _probe_message() -> tuple[Image, np.ndarray]:
    """A 2x3 big-endian 16UC1 image with 2 bytes of row padding, and its expected pixels."""
    expected = np.arange(1, 7, dtype=np.uint16).reshape(2, 3) * 257 + 1
    rows = np.zeros((2, 8), dtype=np.uint8)
    rows[:, :6] = expected.astype(">u2").view(np.uint8).reshape(2, 6)
    data = array.array("B")
    data.frombytes(rows.tobytes())
    msg = Image(height=2, width=3, encoding="16UC1", is_bigendian=1, step=8, data=data)
    return msg, expected


@functools.cache
def ros2_cv_bridge():
    """A working ROS 2 CvBridge instance, or None (not installed, or a ROS 1 copy)."""
    try:
        from cv_bridge import CvBridge
    except ImportError:
        return None
    try:
        bridge = CvBridge()
        msg, expected = _probe_message()
        decoded = bridge.imgmsg_to_cv2(msg, desired_encoding="passthrough")
        encoded = bridge.cv2_to_imgmsg(expected, encoding="16UC1")
        if not np.array_equal(decoded, expected) or not isinstance(encoded, Image):
            return None
        return bridge
    except Exception:  # any failure of the probe means the module is not usable
        return None


def image_to_numpy(msg: Image) -> np.ndarray:
    """Pixels of an Image: HxW for one channel, HxWxC otherwise, in the encoding's dtype."""
    pixel = PIXEL_FORMATS.get(msg.encoding)
    bridge = ros2_cv_bridge()
    if bridge is None:
        return _decode(msg, _pixel_format(msg.encoding))
    if pixel is not None:
        _check_layout(msg, pixel)  # the same clear errors on both paths
    try:
        return bridge.imgmsg_to_cv2(msg, desired_encoding="passthrough")
    except Exception as error:  # CvBridgeError, TypeError for short buffers
        raise ImageEncodingError(f"cannot decode {msg.encoding} image: {error}") from error


def numpy_to_image(pixels: np.ndarray, encoding: str, header: Header | None = None) -> Image:
    """An Image message holding `pixels` (HxW or HxWxC, dtype matching `encoding`)."""
    pixels = np.asarray(pixels)
    bridge = ros2_cv_bridge()
    if bridge is None:
        return _encode(_checked_array(pixels, encoding), encoding, header)
    if encoding in PIXEL_FORMATS:
        pixels = _checked_array(pixels, encoding)
    try:
        return bridge.cv2_to_imgmsg(pixels, encoding=encoding, header=header)
    except Exception as error:  # CvBridgeError for encodings the bridge does not know
        raise ImageEncodingError(f"cannot encode array as {encoding}: {error}") from error


def image_to_rgb(msg: Image, encodings: Collection[str] = tuple(RGB_CONVERSIONS)) -> np.ndarray:
    """RGB uint8 HxWx3 pixels (a copy) of an image whose encoding is one of `encodings` (a subset
    of RGB_CONVERSIONS); ImageEncodingError otherwise."""
    if msg.encoding not in encodings or msg.encoding not in RGB_CONVERSIONS:
        raise ImageEncodingError(
            f"unsupported encoding '{msg.encoding}' (use one of {', '.join(encodings)})"
        )
    pixels = image_to_numpy(msg)
    conversion = RGB_CONVERSIONS[msg.encoding]
    return np.array(pixels) if conversion is None else cv2.cvtColor(pixels, conversion)


def depth_to_metres(msg: Image) -> np.ndarray:
    """Depth in metres as float32 HxW: 16UC1 millimetres (0 = no reading -> NaN) or 32FC1."""
    if msg.encoding not in DEPTH_ENCODINGS:
        raise ImageEncodingError(
            f"depth image must be 16UC1 (mm) or 32FC1 (m), got '{msg.encoding}'"
        )
    depth = image_to_numpy(msg)
    if msg.encoding == "32FC1":
        return np.array(depth, dtype=np.float32)
    metres = depth.astype(np.float32) / np.float32(1000.0)
    metres[depth == 0] = np.nan
    return metres


def metres_to_depth_image(depth: np.ndarray, encoding: str, header: Header | None = None) -> Image:
    """The inverse of `depth_to_metres`: float metres (REP-117: +inf beyond range, -inf too
    close, NaN invalid) as a 32FC1 image, or as 16UC1 millimetres where 0 means no reading for
    all three, as RGB-D drivers (RealSense) publish."""
    if encoding == "32FC1":
        return numpy_to_image(np.asarray(depth, dtype=np.float32), encoding, header)
    if encoding != "16UC1":
        raise ImageEncodingError(f"depth encoding must be 16UC1 or 32FC1, got '{encoding}'")
    millimetres = np.nan_to_num(
        np.asarray(depth, dtype=np.float64) * 1000.0, posinf=0.0, neginf=0.0
    )
    millimetres = np.where(millimetres > np.iinfo(np.uint16).max, 0.0, np.round(millimetres))
    return numpy_to_image(np.clip(millimetres, 0.0, None).astype(np.uint16), encoding, header)
