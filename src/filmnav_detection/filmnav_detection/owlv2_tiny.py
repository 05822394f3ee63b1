"""A tiny random OWLv2 checkpoint (own small tokenizer) built through the real classes.

It runs the `owlv2` detector backend's whole path (tokenizer, image processor, model, box
post-processing) in well under a second on a CPU, where real weights cannot be downloaded: tests
and launch checks use it. Its boxes are random: it says nothing about detection quality.

The tokenizer is a fixed word-level vocabulary (no training): lower-cased words, unknown words one
token, an end token after the words, where OWLv2's text model pools.
"""

from __future__ import annotations

import pathlib

import torch

TINY_OWLV2_IMAGE_SIDE = 64
TINY_OWLV2_PATCH = 16  # (64 / 16)^2 = 16 boxes per image
_SPECIAL_TOKENS = ("<pad>", "<unk>", "<eos>")
_WORDS = (
    "a an the to find go of on in by with something somewhere sleep sit "
    "red green blue white black brown gray grey wooden big small "
    "chair armchair sofa bed toilet tv plant potted table desk lamp shelf wardrobe sink"
)


def tiny_tokenizer():
    """A word-level tokenizer of `_WORDS` (transformers' fast tokenizer class)."""
    from tokenizers import Tokenizer, models, normalizers, pre_tokenizers, processors
    from transformers import PreTrainedTokenizerFast

    pad, unk, eos = _SPECIAL_TOKENS
    tokens = (*_SPECIAL_TOKENS, *sorted(set(_WORDS.split())))
    vocab = {token: index for index, token in enumerate(tokens)}
    tokenizer = Tokenizer(models.WordLevel(vocab, unk_token=unk))
    tokenizer.normalizer = normalizers.Lowercase()
    tokenizer.pre_tokenizer = pre_tokenizers.Whitespace()
    tokenizer.post_processor = processors.TemplateProcessing(
        single=f"$A {eos}", special_tokens=[(eos, vocab[eos])]
    )
    return PreTrainedTokenizerFast(
        tokenizer_object=tokenizer, pad_token=pad, unk_token=unk, eos_token=eos
    )


def build_tiny_owlv2_checkpoint(out_dir: str | pathlib.Path, seed: int = 0) -> pathlib.Path:
    """Write a random OWLv2 (model, tokenizer, image processor) to out_dir and return it."""
    from transformers import Owlv2Config, Owlv2ForObjectDetection
    from transformers.models.owlv2.image_processing_pil_owlv2 import Owlv2ImageProcessorPil

    out = pathlib.Path(out_dir)
    tokenizer = tiny_tokenizer()
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
