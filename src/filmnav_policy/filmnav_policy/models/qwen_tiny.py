"""A tiny random Qwen2.5-VL checkpoint (own small BPE tokenizer) built through the real classes.

It exercises the exact code path of a real checkpoint (config, tokenizer, image processor, model,
LoRA) in seconds on a CPU: tests, smoke training runs and the latency benchmark use it.
"""

from __future__ import annotations

import pathlib

import torch

SPECIAL_TOKENS = (
    "<|endoftext|>",
    "<|im_start|>",
    "<|im_end|>",
    "<|vision_start|>",
    "<|vision_end|>",
    "<|image_pad|>",
    "<|video_pad|>",
)
TINY_IMAGE_SIDE = 56  # 4x4 patches of 14 px -> 4 merged image tokens per image

_CORPUS = (
    "system You are a robot that explores a house to find an object. "
    "user Goal: find a chair. sofa, bed, toilet, tv, potted plant, table, lamp, sink, oven. "
    "Find the object shown in this image. History: Frontier 0: Frontier 1: Frontier 2: "
    "Which frontier should the robot explore next? Answer with the frontier number. assistant "
    "Which history image was taken closest to the place shown? 0 1 2 3 4 5 6 7 8 9 "
    "red green blue yellow purple orange white black kitchen bedroom bathroom living room "
    "Question: which option shows where the object was seen? Option the long couch a seat to "
    "sit on "
    "television screen plant in a pot wooden cabinet shelf refrigerator microwave bathtub "
    "mirror desk "
    "dining office hallway corridor stairs window door wall floor ceiling carpet picture "
    "painting clock "
    "left right front behind near far between above below next to the in on of with and or "
)


def train_tokenizer(vocab_size: int = 512):
    """A byte-level BPE tokenizer with Qwen's special tokens and one token per digit."""
    from tokenizers import Tokenizer, decoders, models, pre_tokenizers, trainers
    from transformers import PreTrainedTokenizerFast

    tokenizer = Tokenizer(models.BPE())
    tokenizer.pre_tokenizer = pre_tokenizers.Sequence(
        [
            pre_tokenizers.Digits(individual_digits=True),
            pre_tokenizers.ByteLevel(add_prefix_space=False),
        ]
    )
    tokenizer.decoder = decoders.ByteLevel()
    trainer = trainers.BpeTrainer(
        vocab_size=vocab_size,
        special_tokens=list(SPECIAL_TOKENS),
        initial_alphabet=pre_tokenizers.ByteLevel.alphabet(),
    )
    tokenizer.train_from_iterator([_CORPUS] * 4, trainer=trainer)
    return PreTrainedTokenizerFast(
        tokenizer_object=tokenizer,
        eos_token="<|im_end|>",
        pad_token="<|endoftext|>",
        extra_special_tokens={"image_token": "<|image_pad|>"},
    )


def build_tiny_qwen_checkpoint(out_dir: str | pathlib.Path, seed: int = 0) -> pathlib.Path:
    """Write a random ~0.7M-parameter Qwen2.5-VL (model, tokenizer, image processor) to out_dir."""
    from transformers import Qwen2_5_VLConfig, Qwen2_5_VLForConditionalGeneration
    from transformers.models.qwen2_vl.image_processing_pil_qwen2_vl import Qwen2VLImageProcessorPil

    out = pathlib.Path(out_dir)
    tokenizer = train_tokenizer()
    token_id = tokenizer.convert_tokens_to_ids
    hidden, heads = 128, 4
    config = Qwen2_5_VLConfig(
        text_config={
            "vocab_size": len(tokenizer),
            "hidden_size": hidden,
            "intermediate_size": 256,
            "num_hidden_layers": 2,
            "num_attention_heads": heads,
            "num_key_value_heads": 2,
            "max_position_embeddings": 4096,
            # A wider init than 0.02 lets a frozen random lm_head express confident answers, so
            # LoRA alone (which never touches lm_head) can fit a toy task as it would a real model.
            "initializer_range": 0.1,
            # mrope_section must sum to head_dim / 2 (= 16 here).
            "rope_parameters": {
                "rope_type": "default",
                "rope_theta": 10000.0,
                "mrope_section": [4, 6, 6],
            },
            "bos_token_id": token_id("<|endoftext|>"),
            "eos_token_id": token_id("<|im_end|>"),
            "pad_token_id": token_id("<|endoftext|>"),
        },
        vision_config={
            "depth": 2,
            "hidden_size": 64,
            "intermediate_size": 128,
            "num_heads": 4,
            "out_hidden_size": hidden,
            "fullatt_block_indexes": [1],
            "window_size": 112,
        },
        image_token_id=token_id("<|image_pad|>"),
        video_token_id=token_id("<|video_pad|>"),
        vision_start_token_id=token_id("<|vision_start|>"),
        vision_end_token_id=token_id("<|vision_end|>"),
    )
    torch.manual_seed(seed)
    model = Qwen2_5_VLForConditionalGeneration(config)
    model.generation_config.eos_token_id = token_id("<|im_end|>")
    model.generation_config.pad_token_id = token_id("<|endoftext|>")
    pixels = TINY_IMAGE_SIDE * TINY_IMAGE_SIDE
    image_processor = Qwen2VLImageProcessorPil(min_pixels=pixels, max_pixels=pixels)
    out.mkdir(parents=True, exist_ok=True)
    model.save_pretrained(out)
    tokenizer.save_pretrained(out)
    image_processor.save_pretrained(out)
    return out
