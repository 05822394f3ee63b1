"""Build a frontier policy by name: the baselines here, learned policies from
filmnav_policy.models, and policies other packages offer through the `filmnav.policies` entry point
group (the simulator's reference policies live there, so this package never imports a simulator).

Learned and plugin policies are imported only when asked for, so the baselines and the nodes that
serve them start fast and without those dependencies.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from importlib.metadata import entry_points
from typing import Any

from filmnav_common.protocol import FrontierPolicy
from filmnav_policy.baselines import NearestPolicy, RandomPolicy

ENTRY_POINT_GROUP = "filmnav.policies"


class PolicyLoadError(RuntimeError):
    """A policy that cannot be built: unknown name, bad parameters, missing or corrupt
    checkpoint."""


BASELINES: dict[str, Callable[..., FrontierPolicy]] = {
    "nearest": lambda **_: NearestPolicy(),
    "random": lambda seed=0, **_: RandomPolicy(int(seed)),
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


@functools.cache
def _plugins() -> dict[str, Any]:
    """Entry points of installed packages that offer policies, by name (not yet imported)."""
    return {
        point.name: point
        for point in entry_points(group=ENTRY_POINT_GROUP)
        if point.name not in BASELINES and point.name not in LEARNED
    }


def policy_names() -> tuple[str, ...]:
    """Every policy this installation can build."""
    return (*BASELINES, *LEARNED, *sorted(_plugins()))


def _factory(name: str) -> Callable[..., FrontierPolicy]:
    if name in BASELINES:
        return BASELINES[name]
    if name in LEARNED:
        return functools.partial(_learned, name)
    if name in _plugins():
        try:
            return _plugins()[name].load()
        except Exception as error:  # a broken plugin package must not hide the others
            raise PolicyLoadError(f"policy '{name}' cannot be imported: {error}") from error
    raise PolicyLoadError(f"unknown policy '{name}'; choose one of: {', '.join(policy_names())}")


def requires_episode(name: str) -> bool:
    """True for a simulator reference policy built from the simulator's current episode (its
    factory takes `episode`: the bridge's `sim/instances` table or a simulator Episode)."""
    return bool(getattr(_factory(name), "requires_episode", False))


def make_policy(name: str, **params: Any) -> FrontierPolicy:
    """A ready policy. Parameters a policy does not use are ignored (one parameter set for all).

    Raises PolicyLoadError with a message fit for an operator on any failure.
    """
    factory = _factory(name)
    if getattr(factory, "requires_episode", False) and params.get("episode") is None:
        raise PolicyLoadError(f"policy '{name}' needs the simulator's episode")
    try:
        return factory(**params)
    except PolicyLoadError:
        raise
    except Exception as error:  # checkpoints and simulator set-up fail in many specific ways
        raise PolicyLoadError(
            f"cannot load policy '{name}': {type(error).__name__}: {error}"
        ) from error
