"""owlv2 detector backend: real weights are needed for detection, which this machine cannot
fetch."""

from __future__ import annotations

import os

import numpy as np
import pytest

from filmnav_detection.owlv2 import DEFAULT_OWLV2_MODEL, Owlv2Detector
from filmnav_detection.owlv2_tiny import (
    TINY_OWLV2_IMAGE_SIDE,
    TINY_OWLV2_PATCH,
    build_tiny_owlv2_checkpoint,
)


def _weights_available() -> bool:
    try:
        from huggingface_hub import try_to_load_from_cache

        return isinstance(try_to_load_from_cache(DEFAULT_OWLV2_MODEL, "config.json"), str)
    except ImportError:
        return False


def test_tiny_random_owlv2_runs_the_detection_path(tmp_path):
    """Real classes with tiny random weights: tokenising, padding to a square, box scaling,
    order."""
    build_tiny_owlv2_checkpoint(tmp_path)
    detector = Owlv2Detector(str(tmp_path), score_threshold=0.0, device="cpu")
    image = np.random.default_rng(0).integers(0, 256, (48, 80, 3), dtype=np.uint8)
    detections = detector.detect(image, ["chair", "red sofa"])
    assert len(detections) == (TINY_OWLV2_IMAGE_SIDE // TINY_OWLV2_PATCH) ** 2  # a box per patch
    scores = [d.score for d in detections]
    assert scores == sorted(scores, reverse=True) and all(0 <= s <= 1 for s in scores)
    assert {d.label for d in detections} <= {"chair", "red sofa"}
    for x0, y0, x1, y1 in (d.box for d in detections):
        assert 0 <= x0 <= x1 < 80 and 0 <= y0 <= y1 < 48
    median = scores[len(scores) // 2]
    strict = Owlv2Detector(str(tmp_path), score_threshold=median).detect(
        image, ["chair", "red sofa"]
    )
    assert len(strict) < len(detections) and all(d.score > median for d in strict)
    with pytest.raises(ValueError, match="at least one text query"):
        detector.detect(image, [])


def test_missing_weights_give_a_clear_error(tmp_path):
    with pytest.raises(
        FileNotFoundError, match="OWLv2 weights .* not in the local Hugging Face cache"
    ):
        Owlv2Detector(str(tmp_path / "no_such_model"))


@pytest.mark.skipif(
    not _weights_available() and "FILMNAV_OWLV2_MODEL" not in os.environ,
    reason="OWLv2 weights are not in the Hugging Face cache and cannot be downloaded offline "
    "(set FILMNAV_OWLV2_MODEL to a local folder to run this test)",
)
def test_detects_a_queried_object_in_a_photo():
    import cv2
    import matplotlib.cbook

    detector = Owlv2Detector(
        os.environ.get("FILMNAV_OWLV2_MODEL", DEFAULT_OWLV2_MODEL), score_threshold=0.1
    )
    photo = cv2.cvtColor(
        cv2.imread(matplotlib.cbook.get_sample_data("grace_hopper.jpg", asfileobj=False)),
        cv2.COLOR_BGR2RGB,
    )
    detections = detector.detect(photo, ["a person", "a necktie"])
    assert detections and detections[0].score >= detections[-1].score
    height, width = photo.shape[:2]
    person = [d for d in detections if d.label == "a person"]
    assert person
    x0, y0, x1, y1 = person[0].box
    assert 0 <= x0 < x1 < width and 0 <= y0 < y1 < height
    assert (x1 - x0) * (y1 - y0) > 0.2 * width * height
    assert np.isfinite([d.score for d in detections]).all()
