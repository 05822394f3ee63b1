"""Goal grounding on the held-out phrasings (tests/data): accuracy to the right simulator
category and false accepts of things no house contains, printed; and the rules the held-out sets
keep (coverage, no phrase of the generation vocabulary, nothing of the calibration set).

Issue 11 targets at least 95% right and at most 5% false accepts. The false-accept target is
met; the accuracy is not (about 92% on the first set, 78% on the second, harder one: functional
descriptions and words the vocabularies lack), so ACCURACY_FLOOR keeps today's level from
slipping rather than claiming the target.
"""

from __future__ import annotations

from collections import defaultdict
from pathlib import Path

import numpy as np
import pytest
import yaml
from filmnav_language.calibrate import calibration_negatives, calibration_positives
from filmnav_language.grounding import _singulars, canonical, object_phrase
from filmnav_sim.furniture import FURNITURE
from filmnav_sim.house import CATEGORIES
from filmnav_sim.language import DESCRIPTIONS, SYNONYMS

DATA = Path(__file__).resolve().parents[1] / "data"
HELD_OUT = {"first": DATA / "goal_phrasings.yaml", "second": DATA / "goal_phrasings_fresh.yaml"}
ISSUE_ACCURACY, ISSUE_FALSE_ACCEPT = 0.95, 0.05
ACCURACY_FLOOR = {"first": 0.90, "second": 0.75}
SECTIONS_WITHOUT_CATEGORY = ("ambiguous", "absent")


def phrasings(path: Path) -> tuple[list[tuple[str, str, frozenset[str]]], list[str]]:
    """(kind, text, acceptable categories) for every goal of a set, and its absent things."""
    data = yaml.safe_load(path.read_text())
    goals = [
        (kind, text, frozenset([category]))
        for kind, by_category in data.items()
        if kind not in SECTIONS_WITHOUT_CATEGORY
        for category, texts in by_category.items()
        for text in texts
    ]
    goals += [
        ("ambiguous", text, frozenset(categories))
        for text, categories in (data.get("ambiguous") or {}).items()
    ]
    return goals, list(data["absent"])


def forms(text: str) -> set[str]:
    """A goal's object phrase, and with its last word made singular."""
    words = object_phrase(text).split()
    return {" ".join(words)} | {" ".join([*words[:-1], s]) for s in _singulars(words[-1])}


@pytest.mark.parametrize("name", HELD_OUT)
def test_grounding_accuracy_and_false_accepts(name, sim_grounder, capsys):
    goals, absent = phrasings(HELD_OUT[name])
    right_by_kind: dict[str, list[bool]] = defaultdict(list)
    failures = []
    groundings = sim_grounder.ground_many([text for _, text, _ in goals])
    for (kind, text, acceptable), grounding in zip(goals, groundings, strict=True):
        right = grounding.accepted and grounding.names[0] in acceptable
        right_by_kind[kind].append(right)
        if not right:
            failures.append(f"{text!r} -> {grounding.names or grounding.reason}")
    accepted = [
        t for t, g in zip(absent, sim_grounder.ground_many(absent), strict=True) if g.accepted
    ]
    accuracy = float(np.mean([r for rights in right_by_kind.values() for r in rights]))
    false_accept = len(accepted) / len(absent)
    with capsys.disabled():
        print(
            f"\nheld-out set {name}: {accuracy:.1%} of {len(goals)} goals grounded to the right "
            f"category (issue target {ISSUE_ACCURACY:.0%}); {false_accept:.1%} of {len(absent)} "
            f"absent things accepted (target at most {ISSUE_FALSE_ACCEPT:.0%})"
        )
        for kind, rights in right_by_kind.items():
            print(f"  {kind}: {np.mean(rights):.1%} of {len(rights)}")
        print("  wrong:", *failures, sep="\n    ")
        print("  accepted absent:", accepted)
    assert false_accept <= ISSUE_FALSE_ACCEPT, accepted
    assert accuracy >= ACCURACY_FLOOR[name], failures


def test_held_out_sets_cover_every_category_with_enough_phrasings():
    goals, absent = phrasings(HELD_OUT["first"])
    assert len(goals) >= 200 and len(absent) >= 30
    for _, _, acceptable in goals:
        assert acceptable <= set(CATEGORIES)
    counts = {c: sum(c in acceptable for _, _, acceptable in goals) for c in CATEGORIES}
    assert min(counts.values()) >= 5, counts
    kinds = {kind for kind, _, _ in goals}
    assert {"synonym", "plural", "request", "misspelling", "functional", "attribute"} <= kinds
    fresh, fresh_absent = phrasings(HELD_OUT["second"])
    assert {c for _, _, acceptable in fresh for c in acceptable} == set(CATEGORIES)
    assert len(fresh_absent) >= 30


def test_held_out_phrasings_are_not_in_the_generation_vocabulary_or_calibration():
    generation = {canonical(c) for c in CATEGORIES}
    for category in CATEGORIES:
        generation |= {object_phrase(s) for s in SYNONYMS[category] + DESCRIPTIONS[category]}
        generation |= {object_phrase(f"the {c} {category}") for c in FURNITURE[category].colors}
    calibration = {object_phrase(p.text) for p in calibration_positives()}
    calibration |= {object_phrase(n) for n in calibration_negatives("sim")}
    seen: set[str] = set()
    for path in HELD_OUT.values():
        goals, absent = phrasings(path)
        for text in [text for _, text, _ in goals] + absent:
            assert not forms(text) & generation, text
            assert not forms(text) & calibration, text
            assert object_phrase(text) not in seen, f"{text!r} is in the held-out sets twice"
            seen.add(object_phrase(text))
