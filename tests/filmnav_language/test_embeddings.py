"""The per-user cache of encoded vocabulary texts (with the real encoder) and the home
classifier."""

from __future__ import annotations

import numpy as np
import pytest

from filmnav_language.embeddings import PROBE_TEXTS, EmbeddingCache, unit_rows
from filmnav_language.kind import HOME_L2, KindClassifier
from filmnav_language.sentence_encoder import build_text_encoder


@pytest.fixture(scope="module")
def encoder():
    return build_text_encoder()


def test_cache_encodes_once_and_is_read_back(encoder, tmp_path):
    texts = ["a chair", "somewhere to sleep", "the telly", "a chair"]
    cache = EmbeddingCache(encoder, tmp_path)
    vectors = cache.encode(texts)
    assert vectors.shape == (4, encoder.dim)
    assert np.allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-5)
    fresh = unit_rows(encoder.encode_batch(texts).numpy())
    assert np.allclose(vectors, fresh, atol=1e-5)
    written = cache.path.stat().st_mtime_ns
    again = EmbeddingCache(encoder, tmp_path)
    assert np.array_equal(again.encode(texts), vectors)
    assert cache.path.stat().st_mtime_ns == written  # nothing new: not rewritten
    with np.load(cache.path) as data:
        assert set(data["texts"].tolist()) == set(texts)
    again.encode(["a new text"])  # added to the file
    with np.load(cache.path) as data:
        assert "a new text" in data["texts"].tolist()
    assert list(tmp_path.iterdir()) == [cache.path]  # no temporary file left
    assert EmbeddingCache(encoder, tmp_path).encode([]).shape == (0, encoder.dim)


def test_cache_of_another_encoder_or_broken_is_not_used(encoder, tmp_path):
    cache = EmbeddingCache(encoder, tmp_path)
    wrong = np.ones((1, encoder.dim), np.float32) / np.sqrt(encoder.dim)
    probe = unit_rows(np.roll(encoder.encode_batch(list(PROBE_TEXTS)).numpy(), 1, axis=1))
    np.savez(cache.path, texts=np.array(["a chair"]), vectors=wrong, probe=probe)
    vector = EmbeddingCache(encoder, tmp_path).encode(["a chair"])
    assert np.allclose(vector, unit_rows(encoder.encode_batch(["a chair"]).numpy()), atol=1e-5)
    cache.path.write_bytes(b"not an npz file")
    assert EmbeddingCache(encoder, tmp_path).encode(["a chair"]) == pytest.approx(vector)


def test_cache_in_a_read_only_place_still_encodes(encoder, tmp_path):
    blocked = tmp_path / "file"
    blocked.write_text("a file where the cache folder would be")
    vectors = EmbeddingCache(encoder, blocked / "cache").encode(["a chair"])
    assert vectors.shape == (1, encoder.dim)


def test_kind_classifier_separates_two_kinds():
    rng = np.random.default_rng(0)
    direction = unit_rows(rng.normal(size=(1, 16)))[0]
    home = unit_rows(rng.normal(size=(200, 16)) + 2 * direction)
    outside = unit_rows(rng.normal(size=(50, 16)) - 2 * direction)
    classifier = KindClassifier.fit(home, outside, HOME_L2)
    assert np.mean(classifier.probability(home) > 0.5) > 0.95
    assert np.mean(classifier.probability(outside) < 0.5) > 0.95
    assert classifier.probability(direction[None])[0] > 0.9
