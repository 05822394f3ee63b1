"""The image codec: round trips for every encoding, padded rows, big-endian data, clear errors."""

from __future__ import annotations

import array
import sys
import textwrap

import numpy as np
import pytest
from sensor_msgs.msg import Image
from std_msgs.msg import Header

from filmnav_common import image_codec
from filmnav_common.image_codec import (
    PIXEL_FORMATS,
    ImageEncodingError,
    depth_to_metres,
    image_to_numpy,
    numpy_to_image,
)

RNG = np.random.default_rng(7)


def random_pixels(encoding: str, height: int = 5, width: int = 7) -> np.ndarray:
    pixel = PIXEL_FORMATS[encoding]
    shape = (height, width) if pixel.channels == 1 else (height, width, pixel.channels)
    if pixel.dtype.kind == "f":
        return RNG.uniform(0.1, 10.0, shape).astype(pixel.dtype)
    return RNG.integers(0, np.iinfo(pixel.dtype).max, shape, endpoint=True).astype(pixel.dtype)


def message_from_rows(pixels: np.ndarray, encoding: str, padding: int, bigendian: bool) -> Image:
    """Build a message by hand the way another driver might: padded rows, chosen byte order."""
    order = ">" if bigendian else "<"
    rows = pixels.astype(pixels.dtype.newbyteorder(order)).reshape(pixels.shape[0], -1)
    row_bytes = rows.view(np.uint8).reshape(pixels.shape[0], -1)
    padded = np.zeros((pixels.shape[0], row_bytes.shape[1] + padding), dtype=np.uint8)
    padded[:, : row_bytes.shape[1]] = row_bytes
    padded[:, row_bytes.shape[1] :] = 0xAB  # garbage in the padding must be ignored
    return Image(
        height=pixels.shape[0],
        width=pixels.shape[1],
        encoding=encoding,
        is_bigendian=int(bigendian),
        step=padded.shape[1],
        data=array.array("B", padded.tobytes()),
    )


@pytest.mark.parametrize("encoding", sorted(PIXEL_FORMATS))
def test_round_trip_every_encoding(encoding: str) -> None:
    pixels = random_pixels(encoding)
    header = Header(frame_id="camera_color_optical_frame")
    header.stamp.sec = 12
    msg = numpy_to_image(pixels, encoding, header)
    assert (msg.height, msg.width, msg.encoding) == (5, 7, encoding)
    assert msg.step == 7 * PIXEL_FORMATS[encoding].channels * pixels.dtype.itemsize
    assert msg.is_bigendian == int(sys.byteorder == "big")
    assert msg.header.frame_id == "camera_color_optical_frame" and msg.header.stamp.sec == 12
    assert isinstance(msg.data, array.array) and len(msg.data) == msg.step * msg.height
    decoded = image_to_numpy(msg)
    assert decoded.dtype == pixels.dtype and decoded.shape == pixels.shape
    np.testing.assert_array_equal(decoded, pixels)


@pytest.mark.parametrize("encoding", sorted(PIXEL_FORMATS))
@pytest.mark.parametrize("bigendian", [False, True])
def test_decodes_padded_rows_in_either_byte_order(encoding: str, bigendian: bool) -> None:
    pixels = random_pixels(encoding)
    msg = message_from_rows(pixels, encoding, padding=6, bigendian=bigendian)
    np.testing.assert_array_equal(image_to_numpy(msg), pixels)


def test_single_channel_accepts_trailing_axis_and_non_contiguous_input() -> None:
    mono = random_pixels("mono8")
    np.testing.assert_array_equal(image_to_numpy(numpy_to_image(mono[:, :, None], "mono8")), mono)
    rgb = random_pixels("rgb8", 6, 8)[::2, ::2]  # a strided view
    np.testing.assert_array_equal(image_to_numpy(numpy_to_image(rgb, "rgb8")), rgb)


def test_big_endian_input_array_is_stored_in_host_order() -> None:
    depth = np.array([[1, 2], [300, 65535]], dtype=">u2")
    msg = numpy_to_image(depth, "16UC1")
    assert msg.is_bigendian == int(sys.byteorder == "big")
    np.testing.assert_array_equal(image_to_numpy(msg), depth.astype(np.uint16))


def test_depth_to_metres_millimetres_with_holes() -> None:
    millimetres = np.array([[0, 1500], [500, 65535]], dtype=np.uint16)
    metres = depth_to_metres(numpy_to_image(millimetres, "16UC1"))
    assert metres.dtype == np.float32
    assert np.isnan(metres[0, 0])
    np.testing.assert_allclose(metres[~np.isnan(metres)], [1.5, 0.5, 65.535], rtol=1e-6)


def test_depth_to_metres_float_passes_through_as_a_copy() -> None:
    depth = np.array([[0.5, np.nan], [4.25, np.inf]], dtype=np.float32)
    msg = numpy_to_image(depth, "32FC1")
    metres = depth_to_metres(msg)
    np.testing.assert_array_equal(metres, depth)
    metres[0, 0] = 9.0
    assert image_to_numpy(msg)[0, 0] == np.float32(0.5)


def test_depth_from_big_endian_padded_message() -> None:
    millimetres = np.array([[0, 1000, 2500]], dtype=np.uint16)
    msg = message_from_rows(millimetres, "16UC1", padding=2, bigendian=True)
    np.testing.assert_allclose(depth_to_metres(msg), [[np.nan, 1.0, 2.5]])


@pytest.mark.parametrize("encoding", ["yuv422", "bayer_rggb8", ""])
def test_unsupported_encoding_is_a_clear_error(encoding: str) -> None:
    msg = Image(height=1, width=1, encoding=encoding, step=3, data=array.array("B", b"abc"))
    with pytest.raises(ImageEncodingError, match="unsupported image encoding"):
        image_to_numpy(msg)
    with pytest.raises(ImageEncodingError, match="unsupported image encoding"):
        numpy_to_image(np.zeros((1, 1, 3), np.uint8), encoding)


def test_truncated_data_is_a_clear_error() -> None:
    msg = numpy_to_image(random_pixels("rgb8"), "rgb8")
    msg.data = msg.data[:-1]
    with pytest.raises(ImageEncodingError, match="truncated rgb8 image"):
        image_to_numpy(msg)


def test_step_shorter_than_a_row_is_a_clear_error() -> None:
    msg = numpy_to_image(random_pixels("32FC1"), "32FC1")
    msg.step = 7 * 4 - 1
    with pytest.raises(ImageEncodingError, match="step 27 is smaller"):
        image_to_numpy(msg)


def test_wrong_array_shape_or_dtype_is_a_clear_error() -> None:
    with pytest.raises(ImageEncodingError, match="HxWx3"):
        numpy_to_image(np.zeros((4, 4), np.uint8), "rgb8")
    with pytest.raises(ImageEncodingError, match="dtype uint16"):
        numpy_to_image(np.zeros((4, 4), np.float32), "16UC1")


def test_depth_rejects_colour_images() -> None:
    with pytest.raises(ImageEncodingError, match="16UC1 \\(mm\\) or 32FC1"):
        depth_to_metres(numpy_to_image(random_pixels("rgb8"), "rgb8"))


def test_image_error_is_a_value_error() -> None:
    assert issubclass(ImageEncodingError, ValueError)


def test_ros1_cv_bridge_copy_is_rejected(tmp_path, monkeypatch) -> None:
    """A cv_bridge like PyPI's ROS 1 copy (ignores step, numpy's removed tostring) is not used."""
    package = tmp_path / "cv_bridge"
    package.mkdir()
    (package / "__init__.py").write_text(
        textwrap.dedent(
            """
            import numpy as np

            class CvBridge:
                def imgmsg_to_cv2(self, img_msg, desired_encoding="passthrough"):
                    return np.ndarray(shape=(img_msg.height, img_msg.width), dtype=np.uint16,
                                      buffer=bytes(img_msg.data))

                def cv2_to_imgmsg(self, cvim, encoding="passthrough"):
                    return cvim.tostring()
            """
        )
    )
    monkeypatch.syspath_prepend(str(tmp_path))
    monkeypatch.delitem(sys.modules, "cv_bridge", raising=False)
    image_codec.ros2_cv_bridge.cache_clear()
    try:
        assert image_codec.ros2_cv_bridge() is None
        assert "cv_bridge" in sys.modules  # it was imported and probed, then rejected
        pixels = random_pixels("16UC1")
        msg = message_from_rows(pixels, "16UC1", padding=4, bigendian=False)
        np.testing.assert_array_equal(image_to_numpy(msg), pixels)
    finally:
        image_codec.ros2_cv_bridge.cache_clear()
