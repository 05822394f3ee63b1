"""`filmnav train` for qwen_vl (tiny checkpoint, LoRA) and config errors."""

from __future__ import annotations

import json

import pytest
import torch
import yaml

from filmnav_learning.train import decision_metrics
from filmnav_learning.train import main as train_main
from filmnav_policy.models import load_policy
from filmnav_policy.models.qwen_tiny import TINY_IMAGE_SIDE, build_tiny_qwen_checkpoint


@pytest.mark.slow
def test_qwen_vl_lora_run_writes_metrics_plot_and_a_loadable_adapter(tmp_path):
    torch.set_num_threads(1)
    base = build_tiny_qwen_checkpoint(tmp_path / "base")
    config = {
        "model": "qwen_vl",
        "output_dir": str(tmp_path / "run"),
        "data": {
            "synthetic": {"train": 16, "val": 8, "seed": 1, "image_size": 56, "history_len": 2}
        },
        "steps": 4,
        "batch_size": 4,
        "eval_batch_size": 8,
        "lr": 0.005,
        "warmup_steps": 1,
        "eval_every": 2,
        "checkpoint_every": 2,
        "gradient_checkpointing": True,  # as for the real 3B model
        "qwen_vl": {
            "base_model": str(base),
            "image_side": TINY_IMAGE_SIDE,
            "history_len": 2,
            "lora_rank": 4,
        },
    }
    path = tmp_path / "qwen.yaml"
    path.write_text(yaml.safe_dump(config))
    assert train_main(["--config", str(path)]) == 0
    run = tmp_path / "run"
    metrics = json.loads((run / "metrics.json").read_text())
    assert metrics["final"]["val"]["all"]["samples"] == 8
    assert [h["step"] for h in metrics["history"] if "eval" in h] == [2, 4]
    assert (run / "metrics.png").exists()
    assert (run / "checkpoint" / "trainable.safetensors").exists()
    policy = load_policy("qwen_vl", str(run / "model"))
    trained = {n: p for n, p in policy.model.named_parameters() if "lora_B" in n}
    assert trained and any(p.abs().sum() > 0 for p in trained.values())  # lora_B starts at zero


def test_bad_configs_are_rejected_with_exit_code_2(tmp_path, capsys):
    path = tmp_path / "bad.yaml"
    path.write_text(yaml.safe_dump({"model": "bert", "output_dir": "x", "data": {"path": "d"}}))
    assert train_main(["--config", str(path)]) == 2
    assert "model must be one of" in capsys.readouterr().out
    path.write_text(
        yaml.safe_dump({"model": "compact", "output_dir": "x", "data": {"path": "d"}, "stepz": 3})
    )
    assert train_main(["--config", str(path)]) == 2
    assert "unknown keys ['stepz']" in capsys.readouterr().out


def test_metrics_count_agreement_and_regret_per_task():
    metrics = decision_metrics(
        predicted=[0, 1, 2],
        oracle=[0, 0, 2],
        geodesic=[[1.0, 3.0], [2.0, 5.5], [4.0, 6.0, 1.0]],
        tasks=["object", "object", "image"],
    )
    assert metrics["all"] == pytest.approx({"samples": 3, "top1": 2 / 3, "regret_m": 3.5 / 3})
    assert metrics["object"] == pytest.approx({"samples": 2, "top1": 0.5, "regret_m": 1.75})
    assert metrics["image"] == pytest.approx({"samples": 1, "top1": 1.0, "regret_m": 0.0})
