"""Encoded vocabulary texts kept in a per-user cache, so that building a grounder again takes no
encoder time (encoding the vocabularies' few thousand keys takes seconds on a CPU; the cache
takes milliseconds to read).

The cache maps each text to its unit vector, so editing a vocabulary cannot make it stale: new
texts are encoded and added, old ones are no longer asked for. It is tied to the encoder by a
probe: it is used only while the encoder still gives the vectors it holds for a few fixed texts
(a new model, tokenizer or library version that changes them empties it). Its file is
`$XDG_CACHE_HOME/filmnav/language/<encoder>.npz` (`~/.cache` without XDG_CACHE_HOME), written
atomically; where it cannot be written, texts are encoded every time.
"""

from __future__ import annotations

import functools
import os
import tempfile
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from filmnav_language.sentence_encoder import VocabularyEncoder

PROBE_TEXTS = ("a chair", "somewhere to sleep", "the meaning of life")
PROBE_TOLERANCE = 1e-4  # largest change of a probe vector's component that keeps the cache


def cache_dir() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(base) / "filmnav" / "language"


def unit_rows(matrix: np.ndarray) -> np.ndarray:
    matrix = np.asarray(matrix, dtype=np.float32)
    return matrix / np.maximum(np.linalg.norm(matrix, axis=1, keepdims=True), 1e-12)


class EmbeddingCache:
    """Unit vectors of texts for one encoder (module docstring)."""

    def __init__(self, encoder: VocabularyEncoder, directory: Path | None = None):
        self.encoder = encoder
        self.path = (directory or cache_dir()) / f"{encoder.name.replace('/', '--')}.npz"
        self._probe = unit_rows(encoder.encode_batch(list(PROBE_TEXTS)).numpy())
        self._vectors = self._read()

    def _read(self) -> dict[str, np.ndarray]:
        try:
            with np.load(self.path) as data:
                texts, vectors, probe = data["texts"], data["vectors"], data["probe"]
        except (OSError, KeyError, ValueError):
            return {}
        if probe.shape != self._probe.shape or np.abs(probe - self._probe).max() > PROBE_TOLERANCE:
            return {}  # another encoder wrote it
        return dict(zip(texts.tolist(), vectors, strict=True))

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        """Unit vectors of texts, (len(texts), dim): cached ones read, the rest encoded in one
        batch and added to the cache."""
        missing = list(dict.fromkeys(t for t in texts if t not in self._vectors))
        if missing:
            encoded = unit_rows(self.encoder.encode_batch(missing).numpy())
            self._vectors.update(zip(missing, encoded, strict=True))
            self._write()
        if not texts:
            return np.zeros((0, self.encoder.dim), np.float32)
        return np.stack([self._vectors[t] for t in texts])

    def _write(self) -> None:
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            handle, temporary = tempfile.mkstemp(dir=self.path.parent, prefix=".", suffix=".npz")
        except OSError:
            return  # a read-only home: texts are encoded every time
        try:
            with os.fdopen(handle, "wb") as file:
                np.savez(
                    file,
                    texts=np.array(list(self._vectors)),
                    vectors=np.stack(list(self._vectors.values())),
                    probe=self._probe,
                )
            os.replace(temporary, self.path)  # readers see the old file or the new one
        except OSError:
            Path(temporary).unlink(missing_ok=True)


@functools.lru_cache(maxsize=4)
def embedding_cache(encoder: VocabularyEncoder) -> EmbeddingCache:
    """The cache of an encoder, one per process."""
    return EmbeddingCache(encoder)
