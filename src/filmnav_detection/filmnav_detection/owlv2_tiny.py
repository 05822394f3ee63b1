"""A tiny random OWLv2 checkpoint (own small tokenizer) built through the real classes.

It runs the `owlv2` detector backend's whole path (tokenizer, image processor, model, box
post-processing) in well under a second on a CPU, where real weights cannot be downloaded: tests
and launch checks use it. Its boxes are random: it says nothing about detection quality.
"""

from __future__ import annotations

import pathlib

import torch

TINY_OWLV2_IMAGE_SIDE = 64
TINY_OWLV2_PATCH = 16  # (64 / 16)^2 = 16 boxes per image


def build_tiny_owlv2_checkpoint(out_dir: str | pathlib.Path, seed: int = 0) -> pathlib.Path:
    """Write a random OWLv2 (model, tokenizer, image processor) to out_dir and return it."""
    from filmnav_policy.models.qwen_tiny import train_tokenizer
    from transformers import Owlv2Config, Owlv2ForObjectDetection
    from transformers.models.owlv2.image_processing_pil_owlv2 import Owlv2ImageProcessorPil

    out = pathlib.Path(out_dir)
    tokenizer = train_tokenizer()
    layers = {
        "hidden_size": 32,
        "num_hidden_layers": 1,
        "num_attention_heads": 2,
        "intermediate_size": 64,
    }
    config = Owlv2Config(
        text_config={
            "vocab_size": len(tokenizer),
            "max_position_embeddings": 16,
            "bos_token_id": tokenizer.eos_token_id,
            "eos_token_id": tokenizer.eos_token_id,
        }
        | layers,
        vision_config=layers
        | {"image_size": TINY_OWLV2_IMAGE_SIDE, "patch_size": TINY_OWLV2_PATCH},
        projection_dim=32,
    )
    torch.manual_seed(seed)
    Owlv2ForObjectDetection(config).save_pretrained(out)
    tokenizer.save_pretrained(out)
    Owlv2ImageProcessorPil(
        size={"height": TINY_OWLV2_IMAGE_SIDE, "width": TINY_OWLV2_IMAGE_SIDE}
    ).save_pretrained(out)
    return out
