"""`qwen_vl`: a Qwen2.5-VL checkpoint (+ optional LoRA adapter) scoring frontiers in one forward
pass.

Prompt: the goal, K history images, then "Frontier i: <image>" per frontier; the answer is the
frontier's label (a single digit token). A frontier's score is the log-probability of its label
token at the answer position, normalised over the labels on offer, so no text is ever parsed.

The stock Qwen2.5-VL processor needs a video processor (torchvision); this module uses only the
image processor and the tokenizer, and expands each image into its `<|image_pad|>` tokens itself,
exactly as the processor would.
"""

from __future__ import annotations

import json
import pathlib
from collections.abc import Sequence
from dataclasses import asdict, dataclass, replace
from typing import Any

import numpy as np
import torch

from filmnav_common.protocol import FrontierCandidate, GoalSpec
from filmnav_policy.models.encoders import resize_square

DEFAULT_MODEL_ID = "Qwen/Qwen2.5-VL-3B-Instruct"
POLICY_FILE = "filmnav_policy.json"
MAX_CHOICES = 8
# LoRA adapts the language model only: the vision tower's MLP uses the same module names.
LORA_TARGET_REGEX = (
    r".*language_model.*\.(q_proj|k_proj|v_proj|o_proj|gate_proj|up_proj|down_proj)"
)
SYSTEM_PROMPT = "You are a robot that explores a house to find an object."
IMAGE_PLACEHOLDER = "<|vision_start|><|image_pad|><|vision_end|>"
IGNORE_INDEX = -100


@dataclass(frozen=True)
class QwenVLSettings:
    base_model: str = DEFAULT_MODEL_ID
    image_side: int = 224  # pixels; a multiple of 28 (patch 14 x merge 2)
    history_len: int = 4
    lora_rank: int = 16
    lora_alpha: int = 32
    lora_dropout: float = 0.05

    def __post_init__(self) -> None:
        if self.image_side % 28:
            raise ValueError(f"image_side must be a multiple of 28, got {self.image_side}")


@dataclass
class PromptSample:
    """One decision in model-agnostic form (see dataset.py)."""

    task: str  # object | text | image | spatial
    goal_text: str
    goal_image: np.ndarray | None
    history_images: Sequence[np.ndarray]
    choice_images: Sequence[np.ndarray]
    answer: int | None = None  # index of the correct choice (training)


def goal_prompt(task: str, goal_text: str) -> str:
    if task == "object":
        return f"Goal: find a {goal_text}."
    if task == "text":
        return f"Goal: {goal_text}"
    if task == "image":
        return f"Goal: find the object shown in this image: {IMAGE_PLACEHOLDER}"
    if task == "spatial":
        return f"Question: {goal_text}"
    raise ValueError(f"unknown task {task!r}")


def prompt_text(sample: PromptSample) -> str:
    """The chat-formatted prompt up to (not including) the answer, with one placeholder per
    image."""
    noun = "Option" if sample.task == "spatial" else "Frontier"
    lines = [goal_prompt(sample.task, sample.goal_text)]
    if sample.history_images:
        lines.append("History: " + "".join(IMAGE_PLACEHOLDER for _ in sample.history_images))
    lines += [f"{noun} {index}: {IMAGE_PLACEHOLDER}" for index in range(len(sample.choice_images))]
    lines.append(f"Which {noun.lower()} should the robot choose? Answer with its number.")
    user = "\n".join(lines)
    return (
        f"<|im_start|>system\n{SYSTEM_PROMPT}<|im_end|>\n"
        f"<|im_start|>user\n{user}<|im_end|>\n<|im_start|>assistant\n"
    )


def _torch_dtype(device: torch.device) -> torch.dtype:
    return torch.bfloat16 if device.type == "cuda" else torch.float32


class QwenVLPolicy:
    """FrontierPolicy backed by a Hugging Face Qwen2.5-VL model (optionally with a LoRA
    adapter)."""

    name = "qwen_vl"

    def __init__(self, model: Any, tokenizer: Any, image_processor: Any, settings: QwenVLSettings):
        self.model = model
        self.tokenizer = tokenizer
        self.image_processor = image_processor
        self.settings = settings
        self.label_token_ids = self._label_token_ids()
        self.image_token = "<|image_pad|>"
        self.merge_length = image_processor.merge_size**2

    # ----- construction -------------------------------------------------------------------
    @classmethod
    def from_base(
        cls, settings: QwenVLSettings, device: str | None = None, lora: bool = False
    ) -> QwenVLPolicy:
        """Load base weights (hub id or local path); with lora=True attach a fresh LoRA adapter."""
        from transformers import AutoTokenizer, Qwen2_5_VLForConditionalGeneration
        from transformers.models.qwen2_vl.image_processing_pil_qwen2_vl import (
            Qwen2VLImageProcessorPil,
        )

        target = torch.device(device or ("cuda" if torch.cuda.is_available() else "cpu"))
        pixels = settings.image_side**2
        tokenizer = AutoTokenizer.from_pretrained(settings.base_model)
        image_processor = Qwen2VLImageProcessorPil.from_pretrained(
            settings.base_model, min_pixels=pixels, max_pixels=pixels
        )
        model = Qwen2_5_VLForConditionalGeneration.from_pretrained(
            settings.base_model, dtype=_torch_dtype(target)
        ).to(target)
        if lora:
            from peft import LoraConfig, get_peft_model

            model = get_peft_model(
                model,
                LoraConfig(
                    r=settings.lora_rank,
                    lora_alpha=settings.lora_alpha,
                    lora_dropout=settings.lora_dropout,
                    target_modules=LORA_TARGET_REGEX,
                ),
            )
        model.eval()
        return cls(model, tokenizer, image_processor, settings)

    @classmethod
    def load(cls, checkpoint: str | pathlib.Path, device: str | None = None) -> QwenVLPolicy:
        """A fine-tuned checkpoint written by `save`: base model + LoRA adapter."""
        from peft import PeftModel

        folder = pathlib.Path(checkpoint)
        try:
            meta = json.loads((folder / POLICY_FILE).read_text())
            settings = QwenVLSettings(**meta["settings"])
        except (OSError, ValueError, KeyError, TypeError) as error:
            raise ValueError(
                f"{folder} is not a qwen_vl checkpoint ({POLICY_FILE}: {error})"
            ) from error
        policy = cls.from_base(settings, device=device)
        try:
            policy.model = PeftModel.from_pretrained(policy.model, str(folder)).eval()
        except Exception as error:  # peft/safetensors raise many types for a damaged adapter
            raise ValueError(f"cannot load the LoRA adapter in {folder}: {error}") from error
        return policy

    def save(self, folder: str | pathlib.Path) -> pathlib.Path:
        out = pathlib.Path(folder)
        out.mkdir(parents=True, exist_ok=True)
        self.model.save_pretrained(out)
        (out / POLICY_FILE).write_text(
            json.dumps({"policy": self.name, "settings": asdict(self.settings)}, indent=2)
        )
        return out

    def _label_token_ids(self) -> list[int]:
        ids = []
        for label in range(MAX_CHOICES):
            tokens = self.tokenizer(str(label), add_special_tokens=False).input_ids
            if len(tokens) != 1:
                raise ValueError(
                    f"label {label!r} is not a single token in this tokenizer: {tokens}"
                )
            ids.append(tokens[0])
        return ids

    @property
    def device(self) -> torch.device:
        return next(self.model.parameters()).device

    # ----- encoding -----------------------------------------------------------------------
    def encode(self, sample: PromptSample) -> dict[str, torch.Tensor]:
        """Token ids, labels (answer tokens only), pixel values and grids of one sample."""
        if not 1 <= len(sample.choice_images) <= MAX_CHOICES:
            raise ValueError(f"need 1..{MAX_CHOICES} choices, got {len(sample.choice_images)}")
        images = ([sample.goal_image] if sample.task == "image" else []) + list(
            sample.history_images
        )
        images += list(sample.choice_images)
        if sample.task == "image" and sample.goal_image is None:
            raise ValueError("an image goal needs goal_image")
        vision = self.image_processor(
            images=[resize_square(i, self.settings.image_side) for i in images],
            return_tensors="pt",
        )
        tokens_per_image = (vision["image_grid_thw"].prod(dim=-1) // self.merge_length).tolist()
        text = prompt_text(sample)
        pieces = text.split(self.image_token)
        text = pieces[0] + "".join(
            self.image_token * count + piece
            for count, piece in zip(tokens_per_image, pieces[1:], strict=True)
        )
        prompt_ids = self.tokenizer(text, add_special_tokens=False).input_ids
        answer_ids: list[int] = []
        if sample.answer is not None:
            answer_ids = [self.label_token_ids[sample.answer]]
            answer_ids += self.tokenizer("<|im_end|>", add_special_tokens=False).input_ids
        ids = torch.tensor(prompt_ids + answer_ids)
        labels = torch.tensor([IGNORE_INDEX] * len(prompt_ids) + answer_ids)
        return {
            "input_ids": ids,
            "labels": labels,
            "pixel_values": vision["pixel_values"],
            "image_grid_thw": vision["image_grid_thw"],
            "num_choices": torch.tensor(len(sample.choice_images)),
            "answer_position": torch.tensor(len(prompt_ids) - 1),
        }

    def collate(self, encoded: Sequence[dict[str, torch.Tensor]]) -> dict[str, torch.Tensor]:
        """Right-pad a batch (training and batched scoring)."""
        length = max(len(e["input_ids"]) for e in encoded)
        pad_id = self.tokenizer.pad_token_id
        input_ids = torch.full((len(encoded), length), pad_id, dtype=torch.long)
        labels = torch.full((len(encoded), length), IGNORE_INDEX, dtype=torch.long)
        attention = torch.zeros((len(encoded), length), dtype=torch.long)
        for row, e in enumerate(encoded):
            n = len(e["input_ids"])
            input_ids[row, :n], labels[row, :n], attention[row, :n] = (
                e["input_ids"],
                e["labels"],
                1,
            )
        return {
            "input_ids": input_ids,
            "labels": labels,
            "attention_mask": attention,
            "pixel_values": torch.cat([e["pixel_values"] for e in encoded]),
            "image_grid_thw": torch.cat([e["image_grid_thw"] for e in encoded]),
            "num_choices": torch.stack([e["num_choices"] for e in encoded]),
            "answer_position": torch.stack([e["answer_position"] for e in encoded]),
        }

    # ----- model calls --------------------------------------------------------------------
    def forward(self, batch: dict[str, torch.Tensor]) -> tuple[torch.Tensor, torch.Tensor]:
        """(loss over answer tokens, label log-probs (B, MAX_CHOICES) with -inf past
        num_choices)."""
        device = self.device
        inputs = {
            key: batch[key].to(device)
            for key in ("input_ids", "labels", "attention_mask", "image_grid_thw")
        }
        inputs["pixel_values"] = batch["pixel_values"].to(device, dtype=_torch_dtype(device))
        output = self.model(**inputs)
        rows = torch.arange(len(batch["input_ids"]), device=device)
        answer_logits = output.logits[rows, batch["answer_position"].to(device)].float()
        label_logits = answer_logits[:, self.label_token_ids]
        offered = (
            torch.arange(MAX_CHOICES, device=device)[None]
            < batch["num_choices"].to(device)[:, None]
        )
        label_logits = label_logits.masked_fill(~offered, float("-inf"))
        return output.loss, torch.log_softmax(label_logits, dim=-1)

    @torch.inference_mode()
    def score_sample(self, sample: PromptSample) -> np.ndarray:
        batch = self.collate([self.encode(replace(sample, answer=None))])
        _, log_probs = self.forward(batch)
        return log_probs[0, : len(sample.choice_images)].cpu().numpy()

    @torch.inference_mode()
    def generate_answer(self, sample: PromptSample) -> str:
        """Greedy decoding of the answer (for checking that scoring matches generation)."""
        encoded = self.encode(replace(sample, answer=None))
        device = self.device
        output = self.model.generate(
            input_ids=encoded["input_ids"][None].to(device),
            attention_mask=torch.ones_like(encoded["input_ids"])[None].to(device),
            pixel_values=encoded["pixel_values"].to(device, dtype=_torch_dtype(device)),
            image_grid_thw=encoded["image_grid_thw"].to(device),
            max_new_tokens=1,
            do_sample=False,
        )
        return self.tokenizer.decode(output[0, len(encoded["input_ids"]) :])

    def score(
        self,
        goal: GoalSpec,
        history_images: Sequence[np.ndarray],
        frontier_images: Sequence[np.ndarray],
        frontiers: Sequence[FrontierCandidate],
        robot_pose: tuple[float, float, float],
    ) -> np.ndarray:
        history = (
            list(history_images)[-self.settings.history_len :] if self.settings.history_len else []
        )
        sample = PromptSample(goal.task, goal.text, goal.image, history, list(frontier_images))
        return self.score_sample(sample).astype(np.float64)
