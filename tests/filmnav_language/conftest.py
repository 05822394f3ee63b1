"""Grounders shared by the grounding tests: the vocabularies are encoded once per session."""

from __future__ import annotations

import pytest

from filmnav_language.grounding import build_grounder
from filmnav_sim.house import CATEGORIES


@pytest.fixture(scope="session")
def sim_grounder():
    return build_grounder("sim", tuple(CATEGORIES))


@pytest.fixture(scope="session")
def household_grounder():
    return build_grounder("household")
