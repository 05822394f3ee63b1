"""Build a frontier policy by name: the baselines here, learned policies from
filmnav_policy.models.

Learned policies (torch, transformers) are imported only when asked for, so the baselines and the
nodes that serve them start fast and without those dependencies.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

from filmnav_common.protocol import FrontierPolicy

from filmnav_policy.baselines import NearestPolicy, OraclePolicy, RandomPolicy


class PolicyLoadError(RuntimeError):
    """A policy that cannot be built: unknown name, bad parameters, missing or corrupt
    checkpoint."""


def _oracle(
    episode_split: str = "val",
    episode_seed: int = 10000,
    episode_index: int = 0,
    episode_task: str = "object",
    **_: Any,
) -> FrontierPolicy:
    """The oracle for the episode the simulator loads for the same split, house seed, index and
    task."""
    return OraclePolicy.for_episode_id(
        episode_split, int(episode_seed), int(episode_index), episode_task
    )


BASELINES: dict[str, Callable[..., FrontierPolicy]] = {
    "nearest": lambda **_: NearestPolicy(),
    "random": lambda seed=0, **_: RandomPolicy(int(seed)),
    "oracle": _oracle,
}

# Learned policies, loaded by filmnav_policy.models.load_policy(name, checkpoint, device=...).
LEARNED: tuple[str, ...] = ("qwen_vl", "compact")


def _learned(name: str, checkpoint: str = "", device: str = "cpu", **_: Any) -> FrontierPolicy:
    try:
        from filmnav_policy.models import load_policy
    except ImportError as error:
        raise PolicyLoadError(
            f"policy '{name}' is not available in this installation: {error}"
        ) from error
    return load_policy(name, checkpoint or None, device=device)


POLICY_NAMES: tuple[str, ...] = (*BASELINES, *LEARNED)


def make_policy(name: str, **params: Any) -> FrontierPolicy:
    """A ready policy. Parameters a policy does not use are ignored (one parameter set for all).

    Raises PolicyLoadError with a message fit for an operator on any failure.
    """
    if name in BASELINES:
        factory = BASELINES[name]
    elif name in LEARNED:
        factory = functools.partial(_learned, name)
    else:
        raise PolicyLoadError(f"unknown policy '{name}'; choose one of: {', '.join(POLICY_NAMES)}")
    try:
        return factory(**params)
    except PolicyLoadError:
        raise
    except (
        Exception
    ) as error:  # checkpoints and simulator set-up fail in many library-specific ways
        raise PolicyLoadError(
            f"cannot load policy '{name}': {type(error).__name__}: {error}"
        ) from error
