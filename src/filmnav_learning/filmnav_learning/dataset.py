"""The decision-sample schema shared by data generation and training, stored as `datasets` shards.

One sample is one frontier decision: the goal (category, description or image), K history
keyframes, one view per frontier (at most MAX_FRONTIERS) with its geometry relative to the robot
(protocol.GEOMETRY_FIELDS), the oracle frontier and each frontier's geodesic distance to the goal.
The auxiliary `spatial` task reuses the same fields: the question is `goal_text`, the candidate
images are `frontier_images`, the correct one is `oracle_index`, `frontier_geometry` places each
candidate's camera pose relative to the robot and `frontier_geodesic` holds each candidate's
distance to the asked-about place.
Images are stored encoded (JPEG or PNG bytes).

Shards are `Dataset.save_to_disk` folders named `<prefix>-NNNNN` under one root, written atomically
(temporary folder, then rename), so a writer that is stopped can resume after its last shard.
"""

from __future__ import annotations

import os
import pathlib
import shutil
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

import cv2
import datasets
import numpy as np

from filmnav_common.protocol import GEOMETRY_FIELDS
from filmnav_sim.furniture import ROOM_KINDS

TASKS = ("object", "text", "image", "spatial")
SPLITS = ("train", "val", "test")
MAX_FRONTIERS = 8

FEATURES = datasets.Features(
    {
        "task": datasets.Value("string"),
        "goal_text": datasets.Value("string"),
        "goal_image": datasets.Value("binary"),  # encoded image; b"" unless task == image
        "history_images": datasets.List(datasets.Value("binary")),
        "frontier_images": datasets.List(datasets.Value("binary")),
        "frontier_geometry": datasets.List(
            datasets.List(datasets.Value("float32"))
        ),  # GEOMETRY_FIELDS
        "oracle_index": datasets.Value("int32"),
        "frontier_geodesic": datasets.List(datasets.Value("float32")),  # metres to the goal
        # Privileged simulator labels, for analysis and auxiliary losses (never model inputs):
        "goal_category": datasets.Value("string"),
        "frontier_rooms": datasets.List(datasets.Value("string")),  # room kind beyond each one
        "split": datasets.Value("string"),
        "houses": datasets.Value("string"),  # house size of the episode (small | large)
        "seed": datasets.Value("int64"),
        "episode": datasets.Value("int64"),
        "step": datasets.Value("int32"),
    }
)
SHARD_PREFIX = "shard"


def encode_image(rgb: np.ndarray, image_format: str = "jpeg", quality: int = 90) -> bytes:
    """RGB uint8 (H, W, 3) -> JPEG/PNG bytes."""
    if rgb.dtype != np.uint8 or rgb.ndim != 3 or rgb.shape[2] != 3:
        raise ValueError(f"expected an RGB uint8 image (H, W, 3), got {rgb.dtype} {rgb.shape}")
    extension = {"jpeg": ".jpg", "jpg": ".jpg", "png": ".png"}[image_format.lower()]
    params = [cv2.IMWRITE_JPEG_QUALITY, quality] if extension == ".jpg" else []
    ok, buffer = cv2.imencode(extension, cv2.cvtColor(rgb, cv2.COLOR_RGB2BGR), params)
    if not ok:
        raise ValueError("image encoding failed")
    return buffer.tobytes()


def decode_image(data: bytes) -> np.ndarray:
    """JPEG/PNG bytes -> RGB uint8 (H, W, 3)."""
    bgr = cv2.imdecode(np.frombuffer(data, np.uint8), cv2.IMREAD_COLOR)
    if bgr is None:
        raise ValueError(f"cannot decode image ({len(data)} bytes)")
    return cv2.cvtColor(bgr, cv2.COLOR_BGR2RGB)


def validate_sample(sample: dict[str, Any]) -> None:
    """Raise ValueError naming the first field that breaks the schema."""
    missing = set(FEATURES) - set(sample)
    if missing:
        raise ValueError(f"sample lacks fields {sorted(missing)}")
    if sample["task"] not in TASKS:
        raise ValueError(f"task {sample['task']!r} not in {TASKS}")
    if sample["split"] not in SPLITS:
        raise ValueError(f"split {sample['split']!r} not in {SPLITS}")
    count = len(sample["frontier_images"])
    if not 1 <= count <= MAX_FRONTIERS:
        raise ValueError(f"{count} frontier images; expected 1..{MAX_FRONTIERS}")
    if len(sample["frontier_geodesic"]) != count or len(sample["frontier_rooms"]) != count:
        raise ValueError("frontier_geodesic and frontier_rooms need one value per frontier image")
    geometry = np.asarray(sample["frontier_geometry"], dtype=np.float32)
    if geometry.shape != (count, len(GEOMETRY_FIELDS)) or not np.all(np.isfinite(geometry)):
        raise ValueError(
            f"frontier_geometry needs {len(GEOMETRY_FIELDS)} finite values per frontier image, "
            f"got shape {geometry.shape}"
        )
    if not 0 <= sample["oracle_index"] < count:
        raise ValueError(f"oracle_index {sample['oracle_index']} outside 0..{count - 1}")
    if sample["task"] == "image" and not sample["goal_image"]:
        raise ValueError("an image-goal sample needs goal_image bytes")


@dataclass
class DecodedSample:
    """A sample with its images decoded, ready for a model."""

    task: str
    goal_text: str
    goal_image: np.ndarray | None
    history_images: list[np.ndarray]
    frontier_images: list[np.ndarray]
    frontier_geometry: np.ndarray  # [F, len(GEOMETRY_FIELDS)]
    oracle_index: int
    frontier_geodesic: np.ndarray
    split: str
    houses: str = ""
    frontier_rooms: list[str] = field(default_factory=list)  # privileged: room kind beyond each


def decode_sample(row: dict[str, Any]) -> DecodedSample:
    return DecodedSample(
        task=row["task"],
        goal_text=row["goal_text"],
        goal_image=decode_image(row["goal_image"]) if row["goal_image"] else None,
        history_images=[decode_image(b) for b in row["history_images"]],
        frontier_images=[decode_image(b) for b in row["frontier_images"]],
        frontier_geometry=np.asarray(row["frontier_geometry"], dtype=np.float32).reshape(
            -1, len(GEOMETRY_FIELDS)
        ),
        oracle_index=int(row["oracle_index"]),
        frontier_geodesic=np.asarray(row["frontier_geodesic"], dtype=np.float32),
        split=row["split"],
        houses=row["houses"],
        frontier_rooms=list(row["frontier_rooms"]),
    )


class ShardWriter:
    """Buffers validated samples and writes a shard every `shard_size` samples."""

    def __init__(
        self, root: str | os.PathLike, shard_size: int = 1000, prefix: str = SHARD_PREFIX
    ):
        self.root = pathlib.Path(root)
        self.root.mkdir(parents=True, exist_ok=True)
        self.shard_size = shard_size
        self.prefix = prefix
        self.buffer: list[dict[str, Any]] = []
        self.next_index = len(shard_paths(self.root, prefix))

    def add(self, sample: dict[str, Any]) -> None:
        validate_sample(sample)
        self.buffer.append(sample)
        if len(self.buffer) >= self.shard_size:
            self.flush()

    def flush(self) -> pathlib.Path | None:
        if not self.buffer:
            return None
        final = self.root / f"{self.prefix}-{self.next_index:05d}"
        partial = self.root / f".{final.name}.partial"
        shutil.rmtree(partial, ignore_errors=True)
        datasets.Dataset.from_list(self.buffer, features=FEATURES).save_to_disk(str(partial))
        partial.rename(final)
        self.buffer, self.next_index = [], self.next_index + 1
        return final

    def close(self) -> None:
        self.flush()

    def __enter__(self) -> ShardWriter:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def write_shards(
    samples: Iterable[dict[str, Any]], root: str | os.PathLike, shard_size: int = 1000
) -> list[pathlib.Path]:
    with ShardWriter(root, shard_size) as writer:
        for sample in samples:
            writer.add(sample)
    return shard_paths(root)


def shard_paths(root: str | os.PathLike, prefix: str = SHARD_PREFIX) -> list[pathlib.Path]:
    """Complete shards under root (searched recursively, so per-worker folders work), sorted."""
    base = pathlib.Path(root)
    return sorted(
        p for p in base.rglob(f"{prefix}-*") if p.is_dir() and (p / "state.json").exists()
    )


def load_samples(
    root: str | os.PathLike, split: str | None = None, tasks: Sequence[str] | None = None
) -> datasets.Dataset:
    """All shards under root as one memory-mapped Dataset, optionally filtered by split/tasks."""
    paths = shard_paths(root)
    if not paths:
        raise FileNotFoundError(f"no dataset shards under {root}")
    dataset = datasets.concatenate_datasets([datasets.load_from_disk(str(p)) for p in paths])
    if split is not None or tasks is not None:
        wanted_tasks = set(tasks or TASKS)
        keep = [
            index
            for index, (row_split, row_task) in enumerate(
                zip(dataset["split"], dataset["task"], strict=True)
            )
            if (split is None or row_split == split) and row_task in wanted_tasks
        ]
        if not keep:
            raise ValueError(
                f"no samples under {root} for split={split!r}, tasks={list(wanted_tasks)}"
            )
        dataset = dataset.select(keep)
    return dataset


# ----- synthetic data for tests and smoke runs ----------------------------------------------
SYNTHETIC_CATEGORIES: dict[str, tuple[tuple[int, int, int], str, str]] = {
    # name: (colour, shape, description)
    "chair": ((220, 30, 30), "square", "a red seat to sit on"),
    "sofa": ((30, 200, 40), "bar", "the long green couch"),
    "bed": ((40, 60, 230), "circle", "a blue bed to sleep in"),
    "toilet": ((240, 230, 40), "triangle", "the yellow bathroom fixture"),
    "tv": ((230, 40, 230), "ring", "a purple television screen"),
    "potted plant": ((40, 220, 220), "cross", "the cyan plant in a pot"),
}


def _draw_object(image: np.ndarray, category: str, rng: np.random.Generator) -> None:
    colour, shape, _ = SYNTHETIC_CATEGORIES[category]
    height, width = image.shape[:2]
    radius = int(rng.integers(width // 7, width // 4))
    cx = int(rng.integers(radius, width - radius))
    cy = int(rng.integers(radius, height - radius))
    jitter = rng.integers(-25, 26, 3)
    color = tuple(int(c) for c in np.clip(np.array(colour) + jitter, 0, 255))
    if shape == "square":
        cv2.rectangle(image, (cx - radius, cy - radius), (cx + radius, cy + radius), color, -1)
    elif shape == "bar":
        cv2.rectangle(
            image, (cx - radius, cy - radius // 3), (cx + radius, cy + radius // 3), color, -1
        )
    elif shape == "circle":
        cv2.circle(image, (cx, cy), radius, color, -1)
    elif shape == "ring":
        cv2.circle(image, (cx, cy), radius, color, max(2, radius // 3))
    elif shape == "triangle":
        points = np.array(
            [[cx, cy - radius], [cx - radius, cy + radius], [cx + radius, cy + radius]]
        )
        cv2.fillPoly(image, [points.astype(np.int32)], color)
    else:  # cross
        thickness = max(2, radius // 3)
        cv2.line(image, (cx - radius, cy), (cx + radius, cy), color, thickness)
        cv2.line(image, (cx, cy - radius), (cx, cy + radius), color, thickness)


def _background(size: int, rng: np.random.Generator) -> np.ndarray:
    """A grey-ish wall above a floor, with noise: a stand-in for a room view. Kept unsaturated so
    no background is mistaken for an object colour."""
    wall, floor = rng.integers(70, 150, (2, 1)) + rng.integers(-12, 13, (2, 3))
    horizon = int(rng.integers(size // 3, 2 * size // 3))
    image = np.empty((size, size, 3), np.int16)
    image[:horizon] = wall
    image[horizon:] = floor
    image += rng.integers(-12, 13, image.shape).astype(np.int16)
    return np.clip(image, 0, 255).astype(np.uint8)


def synthetic_sample(
    rng: np.random.Generator,
    split: str,
    episode: int,
    seed: int,
    image_size: int = 64,
    history_len: int = 4,
) -> dict[str, Any]:
    """One decision whose answer is the frontier showing the goal category's coloured shape."""
    names = list(SYNTHETIC_CATEGORIES)
    task = TASKS[int(rng.integers(len(TASKS)))]
    goal = names[int(rng.integers(len(names)))]
    count = int(rng.integers(2, MAX_FRONTIERS + 1))
    oracle = int(rng.integers(count))
    distractors = [n for n in names if n != goal]
    frontier_images, frontier_rooms = [], []
    for index in range(count):
        image = _background(image_size, rng)
        shown = ""
        if index == oracle:
            shown = goal
        elif rng.random() < 0.7:
            shown = distractors[int(rng.integers(len(distractors)))]
        if shown:
            _draw_object(image, shown, rng)
        frontier_images.append(image)
        # The "room" behind a synthetic frontier is a fixed function of the shape it shows.
        frontier_rooms.append(ROOM_KINDS[names.index(shown) % len(ROOM_KINDS)] if shown else "")
    history_images = []
    for _ in range(history_len):
        image = _background(image_size, rng)
        if rng.random() < 0.5:
            _draw_object(image, distractors[int(rng.integers(len(distractors)))], rng)
        history_images.append(image)
    goal_image = b""
    goal_text = goal
    if task == "image":
        view = _background(image_size, rng)
        _draw_object(view, goal, rng)
        goal_image, goal_text = encode_image(view, "png"), ""
    elif task == "text":
        goal_text = SYNTHETIC_CATEGORIES[goal][2]
    elif task == "spatial":
        goal_text = f"Which option shows where the {goal} was seen?"
    geometry = np.column_stack(
        [
            rng.uniform(0.5, 8.0, count),
            rng.uniform(0.5, 6.0, count),
            rng.uniform(-np.pi, np.pi, count),
            rng.uniform(0.3, 3.0, count),
        ]
    )
    geodesic = rng.uniform(1.0, 4.0) + rng.uniform(1.0, 10.0, count)
    geodesic[oracle] = geodesic.min() - rng.uniform(0.5, 2.0)
    return {
        "task": task,
        "goal_text": goal_text,
        "goal_image": goal_image,
        "history_images": [encode_image(i) for i in history_images],
        "frontier_images": [encode_image(i) for i in frontier_images],
        "frontier_geometry": geometry.astype(np.float32).tolist(),
        "oracle_index": oracle,
        "frontier_geodesic": geodesic.astype(np.float32).tolist(),
        "goal_category": goal,
        "frontier_rooms": frontier_rooms,
        "split": split,
        "houses": "",
        "seed": seed,
        "episode": episode,
        "step": 0,
    }


def make_synthetic_dataset(
    root: str | os.PathLike,
    counts: dict[str, int],
    seed: int = 0,
    image_size: int = 64,
    history_len: int = 4,
    shard_size: int = 500,
) -> pathlib.Path:
    """Write `counts[split]` synthetic samples per split as shards under root (deterministic)."""

    def generate() -> Iterator[dict[str, Any]]:
        for split_index, (split, count) in enumerate(sorted(counts.items())):
            rng = np.random.default_rng([seed, split_index])
            for episode in range(count):
                yield synthetic_sample(rng, split, episode, seed, image_size, history_len)

    write_shards(generate(), root, shard_size)
    return pathlib.Path(root)
