"""The compact checkpoint shipped in the package loads with no path and no download, and scores."""

from __future__ import annotations

import json

import numpy as np
import pytest

from filmnav_common.protocol import FrontierCandidate, GoalSpec
from filmnav_policy.models import SHIPPED_COMPACT, load_policy
from filmnav_policy.models.compact import CompactConfig
from filmnav_policy.registry import make_policy

MAX_SHIPPED_BYTES = 30 * 1024 * 1024


@pytest.fixture(scope="module")
def policy():
    return load_policy("compact", None)


def test_shipped_checkpoint_is_small_and_described() -> None:
    files = sorted(p.name for p in SHIPPED_COMPACT.iterdir())
    assert files == ["config.json", "model.safetensors"]
    assert sum(p.stat().st_size for p in SHIPPED_COMPACT.iterdir()) <= MAX_SHIPPED_BYTES
    config = json.loads((SHIPPED_COMPACT / "config.json").read_text())
    assert config["policy"] == "compact"


def test_shipped_checkpoint_scores_frontiers(policy) -> None:
    rng = np.random.default_rng(0)
    history = [rng.integers(0, 256, (224, 224, 3), dtype=np.uint8) for _ in range(4)]
    views = [rng.integers(0, 256, (224, 224, 3), dtype=np.uint8) for _ in range(6)]
    frontiers = [
        FrontierCandidate(i, (float(i), 0.0), (float(i), 0.0, 0.0), 1.0, float(i))
        for i in range(6)
    ]
    goal = GoalSpec("object", "bed")
    scores = policy.score(goal, history, views, frontiers, (0.0, 0.0, 0.0))
    assert scores.shape == (6,) and np.all(np.isfinite(scores))
    assert np.ptp(scores) > 0  # the trained scorer tells the views apart
    # Frontier tokens are unordered: permuting the views permutes the scores.
    order = rng.permutation(6)
    permuted = policy.score(
        goal, history, [views[i] for i in order], [frontiers[i] for i in order], (0.0, 0.0, 0.0)
    )
    assert np.allclose(permuted, scores[order], atol=1e-4)
    image_goal = GoalSpec("image", image=views[2])
    assert np.all(
        np.isfinite(policy.score(image_goal, history, views, frontiers, (0.0, 0.0, 0.0)))
    )


def test_registry_uses_the_shipped_checkpoint_by_default() -> None:
    # What the policy node and `filmnav eval --policy compact` do with an empty checkpoint
    # parameter.
    policy = make_policy("compact", checkpoint="")
    assert policy.name == "compact"
    shipped = json.loads((SHIPPED_COMPACT / "config.json").read_text())["config"]
    assert policy.config == CompactConfig.from_dict(shipped)
