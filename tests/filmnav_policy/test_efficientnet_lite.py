"""EfficientNet-Lite0 architecture: the packaged ImageNet weights load strictly and classify."""

from __future__ import annotations

import pathlib

import cv2
import matplotlib.cbook
import numpy as np
import pytest
import torch

from filmnav_policy.models.efficientnet_lite import load_efficientnet_lite0
from filmnav_policy.models.encoders import EfficientNetLiteEncoder, resize_square

MILITARY_UNIFORM = 652  # ImageNet class of the classic Grace Hopper portrait


@pytest.fixture(scope="module")
def portrait() -> np.ndarray:
    path = pathlib.Path(matplotlib.cbook.get_sample_data("grace_hopper.jpg", asfileobj=False))
    return cv2.cvtColor(cv2.imread(str(path)), cv2.COLOR_BGR2RGB)


def test_imagenet_weights_recognise_a_photo(portrait):
    torch.set_num_threads(1)
    model = load_efficientnet_lite0()
    x = torch.from_numpy(resize_square(portrait, 224)).permute(2, 0, 1)[None].float() / 255
    with torch.inference_mode():
        probabilities = model(x).softmax(-1)[0]
    assert int(probabilities.argmax()) == MILITARY_UNIFORM
    assert float(probabilities.max()) > 0.2


def test_compiled_encoder_matches_the_plain_network_and_separates_images(portrait):
    encoder = EfficientNetLiteEncoder(image_size=128)
    noise = np.random.default_rng(0).integers(0, 256, (100, 120, 3), dtype=np.uint8)
    features = encoder.encode([portrait, portrait[:, ::-1], noise])
    assert features.shape == (3, 1280)
    with torch.inference_mode():
        eager = load_efficientnet_lite0().features(
            torch.from_numpy(resize_square(portrait, 128)).permute(2, 0, 1)[None].float() / 255
        )
    assert torch.allclose(features[0], eager[0], atol=1e-4)
    cosine = torch.nn.functional.cosine_similarity
    assert cosine(features[0], features[1], dim=0) > cosine(features[0], features[2], dim=0)


def test_feature_cache_is_exact_and_bounded():
    encoder = EfficientNetLiteEncoder(image_size=64, cache_size=3)
    rng = np.random.default_rng(1)
    images = [rng.integers(0, 256, (48, 64, 3), dtype=np.uint8) for _ in range(5)]
    first = encoder.encode(images)
    assert len(encoder._cache) == 3
    assert torch.equal(encoder.encode(images[::-1]), first.flip(0))
    twice = encoder.encode([images[2], images[2]])
    assert torch.equal(twice[0], twice[1]) and torch.equal(twice[0], first[2])
