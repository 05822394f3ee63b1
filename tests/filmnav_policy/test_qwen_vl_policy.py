"""qwen_vl through the real Qwen2.5-VL classes, on a tiny random checkpoint with its own
tokenizer."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from filmnav_common.protocol import GoalSpec
from filmnav_policy.models import load_policy
from filmnav_policy.models.qwen_tiny import TINY_IMAGE_SIDE, build_tiny_qwen_checkpoint
from filmnav_policy.models.qwen_vl import (
    IGNORE_INDEX,
    MAX_CHOICES,
    PromptSample,
    QwenVLPolicy,
    QwenVLSettings,
)

pytestmark = pytest.mark.slow  # trains a model

CHOICES = 4


def _sample(rng: np.random.Generator, answer: int | None, task: str = "object") -> PromptSample:
    """The answer frontier is bright red; the others are grey."""
    choices = [np.full((40, 40, 3), 60, np.uint8) for _ in range(CHOICES)]
    correct = int(rng.integers(CHOICES)) if answer is None else answer
    choices[correct][:] = (250, 10, 10)
    history = [rng.integers(0, 256, (40, 40, 3), dtype=np.uint8) for _ in range(2)]
    goal_image = np.full((40, 40, 3), (250, 10, 10), np.uint8) if task == "image" else None
    return PromptSample(task, "chair", goal_image, history, choices, correct)


@pytest.fixture(scope="module")
def base_dir(tmp_path_factory):
    torch.set_num_threads(1)
    return build_tiny_qwen_checkpoint(tmp_path_factory.mktemp("tiny_qwen"), seed=0)


@pytest.fixture(scope="module")
def settings(base_dir) -> QwenVLSettings:
    return QwenVLSettings(
        base_model=str(base_dir), image_side=TINY_IMAGE_SIDE, history_len=2, lora_rank=8
    )


@pytest.fixture(scope="module")
def trained(settings, tmp_path_factory):
    """LoRA-tuned for a few steps; returns (policy, losses, saved folder)."""
    policy = QwenVLPolicy.from_base(settings, lora=True)
    rng = np.random.default_rng(0)
    optimizer = torch.optim.AdamW(
        [p for p in policy.model.parameters() if p.requires_grad], lr=1e-2
    )
    policy.model.train()
    losses = []
    for _ in range(12):
        batch = policy.collate([policy.encode(_sample(rng, None)) for _ in range(8)])
        loss, _ = policy.forward(batch)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        losses.append(loss.item())
    policy.model.eval()
    folder = policy.save(tmp_path_factory.mktemp("qwen_lora"))
    return policy, losses, folder


def test_labels_are_single_tokens_and_only_the_answer_is_supervised(settings):
    policy = QwenVLPolicy.from_base(settings)
    assert len(set(policy.label_token_ids)) == MAX_CHOICES
    encoded = policy.encode(_sample(np.random.default_rng(1), answer=2))
    supervised = encoded["labels"] != IGNORE_INDEX
    # the label digit and <|im_end|>, at the very end
    assert supervised.sum() == 2 and supervised[-2:].all()
    assert encoded["labels"][-2] == policy.label_token_ids[2]
    image_pad = policy.tokenizer.convert_tokens_to_ids("<|image_pad|>")
    assert (encoded["input_ids"] == image_pad).sum() == (2 + CHOICES) * 4  # 56 px -> 4 tokens each
    batch = policy.collate([encoded])
    with torch.no_grad():
        loss, log_probs = policy.forward(batch)
        logits = policy.model(
            input_ids=batch["input_ids"],
            attention_mask=batch["attention_mask"],
            pixel_values=batch["pixel_values"],
            image_grid_thw=batch["image_grid_thw"],
        ).logits[0]
    answer_positions = supervised.nonzero()[:, 0] - 1  # position t predicts token t + 1
    manual = torch.nn.functional.cross_entropy(
        logits[answer_positions], encoded["labels"][supervised]
    )
    assert torch.allclose(loss, manual, atol=1e-5)
    assert torch.isinf(log_probs[0, CHOICES:]).all() and torch.isclose(
        log_probs[0, :CHOICES].exp().sum(), torch.tensor(1.0)
    )


def test_lora_adapts_only_the_language_model_and_lowers_the_loss(trained):
    policy, losses, _ = trained
    trainable = [n for n, p in policy.model.named_parameters() if p.requires_grad]
    assert trainable and all("language_model" in n and "lora_" in n for n in trainable)
    assert losses[1] < losses[0]
    assert np.mean(losses[-3:]) < 0.5 * losses[0]


def test_scores_agree_with_greedy_generation(trained):
    policy, _, _ = trained
    rng = np.random.default_rng(5)
    for task in ("object", "image"):
        sample = _sample(rng, None, task)
        scores = policy.score_sample(sample)
        assert scores.shape == (CHOICES,)
        assert policy.generate_answer(sample) == str(int(np.argmax(scores)))


def test_save_load_is_exact_and_serves_the_protocol(trained):
    policy, _, folder = trained
    sample = _sample(np.random.default_rng(9), None)
    loaded = load_policy("qwen_vl", str(folder))
    assert loaded.name == "qwen_vl"
    assert np.array_equal(policy.score_sample(sample), loaded.score_sample(sample))
    scores = loaded.score(
        GoalSpec("object", "chair"),
        sample.history_images,
        sample.choice_images,
        [],
        (0.0, 0.0, 0.0),
    )
    assert np.allclose(scores, policy.score_sample(sample))


def test_bad_checkpoints_fail_clearly(tmp_path, trained):
    with pytest.raises(FileNotFoundError, match="not found"):
        load_policy("qwen_vl", str(tmp_path / "missing"))
    with pytest.raises(ValueError, match="not a qwen_vl checkpoint"):
        load_policy("qwen_vl", str(tmp_path))
    _, _, folder = trained
    broken = tmp_path / "broken"
    broken.mkdir()
    for item in folder.iterdir():
        (broken / item.name).write_bytes(item.read_bytes())
    (broken / "adapter_model.safetensors").write_bytes(b"\x00" * 64)
    with pytest.raises(ValueError, match="LoRA adapter"):
        load_policy("qwen_vl", str(broken))
