"""The decision-sample schema: shards round-trip, validation, determinism, resumable writing."""

from __future__ import annotations

import numpy as np
import pytest

from filmnav_learning.dataset import (
    FEATURES,
    MAX_FRONTIERS,
    SYNTHETIC_CATEGORIES,
    ShardWriter,
    decode_image,
    decode_sample,
    encode_image,
    load_samples,
    make_synthetic_dataset,
    shard_paths,
    synthetic_sample,
    validate_sample,
)


@pytest.fixture(scope="module")
def synthetic_root(tmp_path_factory):
    return make_synthetic_dataset(
        tmp_path_factory.mktemp("data"), {"train": 30, "val": 10}, seed=3, shard_size=16
    )


def test_png_round_trip_is_exact_and_jpeg_is_close():
    rng = np.random.default_rng(0)
    image = rng.integers(0, 256, (24, 32, 3), dtype=np.uint8)
    assert np.array_equal(decode_image(encode_image(image, "png")), image)
    smooth = np.zeros((32, 32, 3), np.uint8)
    smooth[:, :16] = (200, 30, 40)
    assert np.abs(decode_image(encode_image(smooth, "jpeg")).astype(int) - smooth).mean() < 3
    with pytest.raises(ValueError, match="RGB uint8"):
        encode_image(image.astype(np.float32))
    with pytest.raises(ValueError, match="cannot decode"):
        decode_image(b"not an image")


def test_shards_hold_every_sample_with_the_schema(synthetic_root):
    assert len(shard_paths(synthetic_root)) == 3  # 40 samples in shards of 16
    everything = load_samples(synthetic_root)
    assert len(everything) == 40
    assert everything.features == FEATURES
    val = load_samples(synthetic_root, split="val")
    assert len(val) == 10 and set(val["split"]) == {"val"}
    images_only = load_samples(synthetic_root, tasks=["image"])
    assert set(images_only["task"]) == {"image"} and all(images_only["goal_image"])
    with pytest.raises(ValueError, match="no samples"):
        load_samples(synthetic_root, split="test")
    sample = decode_sample(val[0])
    assert 2 <= len(sample.frontier_images) <= MAX_FRONTIERS
    assert len(sample.history_images) == 4
    assert sample.frontier_images[0].shape == (64, 64, 3)
    assert int(np.argmin(sample.frontier_geodesic)) == sample.oracle_index


def test_synthetic_oracle_frontier_shows_the_goal_colour():
    rng = np.random.default_rng(7)
    for _ in range(20):
        raw = synthetic_sample(rng, "train", 0, 7)
        if raw["task"] != "object":
            continue
        sample = decode_sample(raw)
        colour = np.array(SYNTHETIC_CATEGORIES[sample.goal_text][0])
        near_goal = [
            (np.abs(image.astype(int) - colour).max(axis=2) < 45).sum()
            for image in sample.frontier_images
        ]
        assert int(np.argmax(near_goal)) == sample.oracle_index


def test_generation_is_deterministic_per_seed(tmp_path):
    first = load_samples(make_synthetic_dataset(tmp_path / "a", {"train": 5}, seed=11))
    second = load_samples(make_synthetic_dataset(tmp_path / "b", {"train": 5}, seed=11))
    other = load_samples(make_synthetic_dataset(tmp_path / "c", {"train": 5}, seed=12))
    assert first["frontier_images"] == second["frontier_images"]
    assert first["frontier_images"] != other["frontier_images"]


def test_writer_resumes_numbering_and_rejects_bad_samples(tmp_path):
    rng = np.random.default_rng(0)
    with ShardWriter(tmp_path, shard_size=2) as writer:
        for _ in range(3):
            writer.add(synthetic_sample(rng, "train", 0, 0))
    assert [p.name for p in shard_paths(tmp_path)] == ["shard-00000", "shard-00001"]
    with ShardWriter(tmp_path, shard_size=2) as writer:  # a resumed worker appends
        writer.add(synthetic_sample(rng, "train", 1, 0))
    assert [p.name for p in shard_paths(tmp_path)][-1] == "shard-00002"
    assert len(load_samples(tmp_path)) == 4

    bad = synthetic_sample(rng, "train", 0, 0)
    with pytest.raises(ValueError, match="oracle_index"):
        validate_sample(bad | {"oracle_index": len(bad["frontier_images"])})
    with pytest.raises(ValueError, match="one value per frontier"):
        validate_sample(bad | {"frontier_geodesic": [1.0] * (len(bad["frontier_images"]) + 1)})
    with pytest.raises(ValueError, match="task"):
        validate_sample(bad | {"task": "dance"})
    with pytest.raises(ValueError, match="lacks fields"):
        validate_sample({k: v for k, v in bad.items() if k != "seed"})
