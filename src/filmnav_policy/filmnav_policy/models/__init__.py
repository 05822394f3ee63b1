"""Learned frontier scorers, built by name: `load_policy("compact", "path/to/checkpoint")`."""

from __future__ import annotations

import pathlib
from typing import Any

from filmnav_common.protocol import FrontierPolicy

LEARNED_POLICIES = ("compact", "qwen_vl")
# The trained compact checkpoint shipped inside the package (docs/compact_model_card.md).
SHIPPED_COMPACT = pathlib.Path(__file__).resolve().parent.parent / "shipped" / "compact"


def load_policy(name: str, checkpoint: str | None, **kwargs: Any) -> FrontierPolicy:
    """A ready-to-score policy.

    compact: `checkpoint` is an exported folder (config.json + model.safetensors), or None for the
    shipped one (SHIPPED_COMPACT).
    qwen_vl: `checkpoint` is a fine-tuned folder (LoRA adapter + filmnav_policy.json), or None to
    use a base model as is (kwargs: base_model, image_side, history_len; device).
    Raises FileNotFoundError for a missing checkpoint and ValueError for a corrupt one.
    """
    if name not in LEARNED_POLICIES:
        raise ValueError(f"unknown learned policy {name!r}; expected one of {LEARNED_POLICIES}")
    if checkpoint is not None and not pathlib.Path(checkpoint).exists():
        raise FileNotFoundError(f"{name} checkpoint not found: {checkpoint}")
    if name == "compact":
        from filmnav_policy.models.compact import CompactPolicy

        if checkpoint is None and not SHIPPED_COMPACT.is_dir():
            raise FileNotFoundError(
                f"no checkpoint given and no shipped compact checkpoint in {SHIPPED_COMPACT}"
            )
        return CompactPolicy.load(checkpoint or SHIPPED_COMPACT)
    from filmnav_policy.models.qwen_vl import QwenVLPolicy, QwenVLSettings

    device = kwargs.pop("device", None)
    if checkpoint is None:
        return QwenVLPolicy.from_base(QwenVLSettings(**kwargs), device=device)
    return QwenVLPolicy.load(checkpoint, device=device)
