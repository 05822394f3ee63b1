"""Shared, module-cached simulator fixtures: small houses and low-resolution renders."""

from __future__ import annotations

import pytest

from filmnav_sim.config import SimConfig
from filmnav_sim.house import generate_house

SMALL_SEED = 3
LARGE_SEEDS = range(6)  # train houses; the stored room priors recount exactly these


@pytest.fixture(scope="session")
def small_config() -> SimConfig:
    return SimConfig(width=160, height=120)


@pytest.fixture(scope="session")
def small_house():
    """A 3-4 room house (fast to build and render)."""
    return generate_house(SMALL_SEED, max_rooms=4)


@pytest.fixture(scope="session")
def large_houses():
    """A few large train houses (about 0.2 s each to build)."""
    return [generate_house(seed, "large") for seed in LARGE_SEEDS]
