"""`filmnav bench policy`: decision latency and training throughput of the learned policies.

Latency is one decision as the policy service sees it (8 frontier images + 4 history frames,
640x480 RGB, goal text already seen this mission) on ONE CPU thread; the compact goal is 60 ms.
`compact_latency_*` has 12 new images per decision (worst case); `compact_mission_latency_*` has 3
(the history slides by one keyframe, two frontiers are new), so cached features are reused.
qwen_vl is measured on the tiny random Qwen2.5-VL (real classes, tiny widths) with the default
224 px images, so the prompt length matches the real model's. Training throughput:
compact on cached features, qwen_vl LoRA steps on the tiny model. Data generation: a short
`filmnav datagen` run (configs/datagen.yaml settings, a few train episodes, its 2 workers).
Prints one JSON object and writes it to benchmarks/results/policy.json.
"""

from __future__ import annotations

import argparse
import json
import os
import pathlib
import platform
import tempfile
import time
from collections.abc import Callable, Sequence

import cv2
import numpy as np
import torch

RESULTS = pathlib.Path(__file__).resolve().parent / "results" / "policy.json"
FRONTIERS, HISTORY = 8, 4


def _timings_ms(call: Callable[[], object], repeats: int, warmup: int = 3) -> np.ndarray:
    """(repeats, 2): wall-clock and this thread's CPU milliseconds per call. On a shared machine
    the CPU time is the cost of the work itself; the wall time adds waiting for a core."""
    for _ in range(warmup):
        call()
    samples = []
    for _ in range(repeats):
        wall, cpu = time.perf_counter(), time.thread_time()
        call()
        samples.append(
            ((time.perf_counter() - wall) * 1000.0, (time.thread_time() - cpu) * 1000.0)
        )
    return np.asarray(samples)


def _views(
    rng: np.random.Generator, count: int, height: int = 480, width: int = 640
) -> list[np.ndarray]:
    """Smooth random scenes (blurred noise with blocks): realistic work for resizing and
    encoders."""
    views = []
    for _ in range(count):
        image = cv2.GaussianBlur(
            rng.integers(0, 256, (height, width, 3), dtype=np.uint8), (0, 0), 6
        )
        x, y = int(rng.integers(0, width - 120)), int(rng.integers(0, height - 120))
        cv2.rectangle(
            image, (x, y), (x + 120, y + 120), tuple(int(c) for c in rng.integers(0, 256, 3)), -1
        )
        views.append(image)
    return views


def bench_compact(checkpoint: str | None, image_size: int, repeats: int) -> dict[str, float]:
    from filmnav_common.protocol import FrontierCandidate, GoalSpec
    from filmnav_policy.models import load_policy
    from filmnav_policy.models.compact import CompactConfig, CompactPolicy, FusionBatch

    policy = (
        load_policy("compact", checkpoint)
        if checkpoint
        else CompactPolicy.create(CompactConfig(image_size=image_size))
    )
    rng = np.random.default_rng(0)
    goal = GoalSpec("text", "a wooden chair next to the kitchen table")
    calls = repeats + 3
    places = [
        FrontierCandidate(i, (1.0 + i, 0.5 * i), (1.0 + i, 0.5 * i, 0.0), 1.0, 1.5 + i)
        for i in range(FRONTIERS)
    ]
    # Cold: every decision brings 12 images never seen before.
    fresh = iter([(_views(rng, HISTORY), _views(rng, FRONTIERS)) for _ in range(calls)])
    latency = _timings_ms(
        lambda: policy.score(goal, *next(fresh), places, (0.0, 0.0, 0.0)), repeats
    )
    # Mission: the history window slides by one keyframe, two frontiers are new.
    history_stream, frontier_stream = (
        _views(rng, HISTORY + calls),
        _views(rng, FRONTIERS + 2 * calls),
    )
    decision = iter(range(calls))

    def mission_step() -> None:
        i = next(decision)
        policy.score(
            goal,
            history_stream[i : i + HISTORY],
            frontier_stream[2 * i : 2 * i + FRONTIERS],
            places,
            (0, 0, 0),
        )

    mission = _timings_ms(mission_step, repeats)
    batches = iter([_views(rng, 32) for _ in range(4)])  # new images each time: no cache hits
    encode = _timings_ms(lambda: policy.image_encoder.encode(next(batches)), 3, warmup=1)

    config = policy.config
    batch_size = 64
    batch = FusionBatch(
        goal_text=torch.randn(batch_size, config.text_dim),
        goal_image=torch.zeros(batch_size, config.image_dim),
        goal_is_image=torch.zeros(batch_size, dtype=torch.bool),
        task=torch.zeros(batch_size, dtype=torch.long),
        history=torch.randn(batch_size, config.history_len, config.image_dim),
        history_mask=torch.ones(batch_size, config.history_len, dtype=torch.bool),
        frontiers=torch.randn(batch_size, config.max_frontiers, config.image_dim),
        frontier_mask=torch.ones(batch_size, config.max_frontiers, dtype=torch.bool),
        geometry=torch.rand(batch_size, config.max_frontiers, 4) * 5.0,
    )
    targets = torch.randint(0, config.max_frontiers, (batch_size,))
    scorer = policy.scorer.train()
    optimizer = torch.optim.AdamW(scorer.parameters(), lr=1e-4)

    def train_step() -> None:
        loss = torch.nn.functional.cross_entropy(scorer(batch), targets)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()

    step = _timings_ms(train_step, 10, warmup=2)
    scorer.eval()
    return {
        "compact_latency_ms_p50": float(np.percentile(latency[:, 0], 50)),
        "compact_latency_ms_p95": float(np.percentile(latency[:, 0], 95)),
        "compact_cpu_ms_p50": float(np.percentile(latency[:, 1], 50)),
        "compact_cpu_ms_p95": float(np.percentile(latency[:, 1], 95)),
        "compact_mission_latency_ms_p50": float(np.percentile(mission[:, 0], 50)),
        "compact_mission_latency_ms_p95": float(np.percentile(mission[:, 0], 95)),
        "compact_image_size": config.image_size,
        "compact_trainable_params": sum(p.numel() for p in scorer.parameters()),
        "compact_encoder_images_per_s": 32 / (float(np.median(encode[:, 0])) / 1000.0),
        "compact_train_samples_per_s": batch_size / (float(np.median(step[:, 0])) / 1000.0),
    }


def bench_datagen(episodes: int) -> dict[str, float]:
    """Samples per minute of a real data-generation run into a temporary folder."""
    from filmnav_learning.datagen import DatagenPart, generate, load_config

    config_path = pathlib.Path(__file__).resolve().parents[1] / "configs" / "datagen.yaml"
    with tempfile.TemporaryDirectory() as folder:
        config = load_config(config_path, {"output_dir": folder})
        config.parts = [DatagenPart("train", episodes)]
        run = generate(config, show_progress=False)["this_run"]
    return {
        "datagen_samples_per_min": run["samples_per_min"],
        "datagen_workers": config.workers,
        "datagen_episodes": episodes,
    }


def bench_qwen_tiny(repeats: int) -> dict[str, float]:
    from filmnav_common.protocol import GoalSpec
    from filmnav_policy.models.qwen_tiny import build_tiny_qwen_checkpoint
    from filmnav_policy.models.qwen_vl import PromptSample, QwenVLPolicy, QwenVLSettings

    rng = np.random.default_rng(1)
    history, frontiers = _views(rng, HISTORY), _views(rng, FRONTIERS)
    with tempfile.TemporaryDirectory() as folder:
        base = build_tiny_qwen_checkpoint(folder)
        settings = QwenVLSettings(base_model=str(base), image_side=224, history_len=HISTORY)
        policy = QwenVLPolicy.from_base(settings, device="cpu", lora=True)
    goal = GoalSpec("object", "chair")
    latency = _timings_ms(
        lambda: policy.score(goal, history, frontiers, [], (0.0, 0.0, 0.0)), max(5, repeats // 5)
    )
    batch_size = 4
    batch = policy.collate(
        [
            policy.encode(
                PromptSample(
                    "object", "chair", None, history, frontiers, int(rng.integers(FRONTIERS))
                )
            )
            for _ in range(batch_size)
        ]
    )
    optimizer = torch.optim.AdamW(
        [p for p in policy.model.parameters() if p.requires_grad], lr=1e-4
    )
    policy.model.train()

    def train_step() -> None:
        loss, _ = policy.forward(batch)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()

    step = _timings_ms(train_step, 5, warmup=1)
    return {
        "qwen_vl_tiny_latency_ms_p50": float(np.percentile(latency[:, 0], 50)),
        "qwen_vl_tiny_latency_ms_p95": float(np.percentile(latency[:, 0], 95)),
        "qwen_vl_tiny_cpu_ms_p50": float(np.percentile(latency[:, 1], 50)),
        "qwen_vl_tiny_prompt_tokens": int(batch["attention_mask"][0].sum()),
        "qwen_vl_tiny_train_samples_per_s": batch_size / (float(np.median(step[:, 0])) / 1000.0),
    }


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="filmnav bench policy", description=__doc__.splitlines()[0]
    )
    parser.add_argument(
        "--checkpoint", help="compact checkpoint folder (default: an untrained one)"
    )
    parser.add_argument(
        "--image-size",
        type=int,
        default=112,
        help="compact encoder input side without --checkpoint",
    )
    parser.add_argument("--repeats", type=int, default=50, help="timed decisions per policy")
    parser.add_argument("--skip-qwen", action="store_true", help="no tiny qwen_vl measurement")
    parser.add_argument(
        "--datagen-episodes",
        type=int,
        default=12,
        help="episodes of the data generation run (0: skip)",
    )
    parser.add_argument(
        "--out", type=pathlib.Path, default=RESULTS, help="where to write the JSON"
    )
    args = parser.parse_args(argv)

    torch.set_num_threads(1)
    cv2.setNumThreads(1)
    results: dict[str, object] = {
        "torch_threads": 1,
        "frontiers": FRONTIERS,
        "history": HISTORY,
        "input_resolution": [640, 480],
        "cpu": platform.processor() or platform.machine(),
        "cpu_count": os.cpu_count(),
        "load_average_at_start": os.getloadavg()[0],
    }
    results.update(bench_compact(args.checkpoint, args.image_size, args.repeats))
    if not args.skip_qwen:
        results.update(bench_qwen_tiny(args.repeats))
    if args.datagen_episodes > 0:
        results.update(bench_datagen(args.datagen_episodes))
    text = json.dumps(results, indent=2)
    print(text)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(text + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
