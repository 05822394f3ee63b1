"""Goal grounding on the held-out phrasings (tests/data): accuracy to the right simulator
category and acceptance of things the simulator has not (no house contains them, or another
household object), printed by kind; and the rules the held-out sets keep.

Sets: `dev` (goal_phrasings.yaml) was measured during development and words from its failures
went into the vocabularies; `fresh` (goal_phrasings_fresh.yaml), `blind` to `blind24`
(goal_phrasings_blind*.yaml, written without access to the vocabularies, the later ones each by
someone who had seen neither the vocabularies nor the other sets) and `casual1` (chatty goals
only, written the same way for development) never went into the vocabularies word for word.
All of them but `blind23` and `blind24` informed grounding work: failures read, mechanisms built,
budgets chosen or kinds of wording described (the package README tells which), and they are the
development phrasings the word weight and the accept, own_sure, own_lead, lacked and sibling
thresholds are calibrated on (calibrate.py, DEVELOPMENT_SETS). `blind23` and `blind24` (HELD_OUT)
informed nothing, their failures unread: blind23 measured 94.6% right and 3.3% of its absent
things accepted with the third and the fourth round of rules, then 96.0% / 3.3% with the fifth
(its goals benchmark run had printed four of its phrasings before the fifth round; none was
mended); blind24 measured 97.3% / 1.7% with the fourth round and 97.8% / 3.3% with the fifth.
Issue 11 targets at least 95% right and at most 5% accepted.
FLOORS keep the measured levels (quoted in the package README) from slipping rather than claiming
the target.
"""

from __future__ import annotations

from collections import defaultdict
from pathlib import Path

import numpy as np
import pytest

from filmnav_language.calibrate import (
    DEVELOPMENT_SETS,
    calibration_negatives,
    calibration_positives,
    phrasings,
)
from filmnav_language.grounding import Vocabulary, available_vocabularies
from filmnav_language.phrases import canonical, object_phrase
from filmnav_language.speller import singulars
from filmnav_sim.furniture import FURNITURE
from filmnav_sim.house import CATEGORIES
from filmnav_sim.language import DESCRIPTIONS, SYNONYMS

DATA = Path(__file__).resolve().parents[1] / "data"
NEVER_TUNED = (
    "fresh",
    "blind",
    "blind2",
    "blind3",
    "blind4",
    "blind5",
    "blind6",
    "blind7",
    "blind8",
    "blind9",
    "blind10",
    "blind11",
    "blind12",
    "blind13",
    "blind14",
    "blind15",
    "blind16",
    "blind17",
    "blind18",
    "blind19",
    "blind20",
    "blind21",
    "blind22",
    "blind23",
    "blind24",
    "casual1",
)
HELD_OUT = ("blind23", "blind24")  # in neither the vocabularies nor the calibration
SETS = {
    "dev": DATA / "goal_phrasings.yaml",
    **{name: DATA / f"goal_phrasings_{name}.yaml" for name in NEVER_TUNED},
}
ISSUE_ACCURACY, ISSUE_FALSE_ACCEPT = 0.95, 0.05
# (accuracy at least, false accepts at most): the README's measurement (dev 98.1% and 0.0%, fresh
# 94.1% and 0.0%, blind 96.5% and 1.6%, blind2 97.8% and 0.0%, blind3 96.0% and 4.4%, blind4 99.1%
# and 5.0%, blind5 95.1% and 0.0%, blind6 97.3% and 8.3%, blind7 96.9% and 1.7%, blind8 98.2% and
# 5.0%, blind9 97.3% and 10.0%, blind10 98.7% and 3.3%, blind11 97.8% and 5.0%, casual1 98.7% and
# 17.5%, blind12 97.3% and 0.0%, blind13 98.2% and 3.3%, blind14 97.3% and 10.0%, blind15 96.0% and
# 0.0%, blind16 98.2% and 0.0%, blind17 95.5% and 5.0%, blind18 98.7% and 3.3%, blind19 97.8% and
# 1.7%, blind20 97.3% and 5.0%, blind21 95.1% and 1.7%, blind22 97.3% and 8.3%, blind23 96.0% and
# 3.3%, blind24 97.8% and 3.3%) less a goal, plus one false accept.
FLOORS = {
    "dev": (0.975, 0.02),
    "fresh": (0.925, 0.035),
    "blind": (0.96, 0.035),
    "blind2": (0.97, 0.02),
    "blind3": (0.955, 0.06),
    "blind4": (0.985, 0.07),
    "blind5": (0.945, 0.02),
    "blind6": (0.965, 0.1),
    "blind7": (0.96, 0.035),
    "blind8": (0.975, 0.07),
    "blind9": (0.965, 0.12),
    "blind10": (0.98, 0.05),
    "blind11": (0.97, 0.07),
    "casual1": (0.98, 0.2),
    "blind12": (0.965, 0.02),
    "blind13": (0.975, 0.05),
    "blind14": (0.965, 0.12),
    "blind15": (0.955, 0.02),
    "blind16": (0.975, 0.02),
    "blind17": (0.95, 0.07),
    "blind18": (0.98, 0.05),
    "blind19": (0.97, 0.035),
    "blind20": (0.965, 0.07),
    "blind21": (0.945, 0.035),
    "blind22": (0.965, 0.1),
    "blind23": (0.955, 0.05),
    "blind24": (0.97, 0.05),
}
# (goals, absent things) of each blind set as it was written
BLIND_SIZES = {
    "blind": (401, 62),
    "blind2": (224, 53),
    "blind3": (224, 68),
    "blind4": (224, 60),
    "blind5": (224, 60),
    "blind6": (224, 60),
    "blind7": (224, 60),
    "blind8": (224, 60),
    "blind9": (224, 60),
    "blind10": (224, 60),
    "blind11": (224, 60),
    "blind12": (224, 60),
    "blind13": (224, 60),
    "blind14": (224, 60),
    "blind15": (224, 60),
    "blind16": (224, 60),
    "blind17": (224, 60),
    "blind18": (224, 60),
    "blind19": (224, 60),
    "blind20": (224, 60),
    "blind21": (224, 60),
    "blind22": (224, 60),
    "blind23": (224, 60),
    "blind24": (224, 60),
    "casual1": (224, 40),
}
LONG_PHRASE = 4  # words: a held-out phrasing this long that is a key was copied
# Long phrasings a set was written with that were already keys or calibration goals then (the
# git history shows which came first): the same words by chance, not a copy.
KEYS_BEFORE_THE_SET = {
    "blind5": {"something with water in it"},
    "blind9": {"OK robot, navigate to the bed in the guest room"},
    "blind10": {"the low table in front of the couch"},
    "blind11": {"the bed in the guest room"},
    "blind13": {
        "where I crash at night",
        "Could you kindly make your way to the bed in the guest room?",
        "the stool at the breakfast bar",
    },
    "blind17": {"go to the bed in the guest room"},
    "blind20": {"find the chair that spins round", "the tall seat at the breakfast bar"},
    "blind22": {"the bed in the guest room", "something with water in it"},
    "blind24": {"the bed in the guest room"},
}


def forms(text: str) -> set[str]:
    """A goal's object phrase, and with its last word made singular."""
    words = object_phrase(text).split()
    if not words:
        return set()
    return {" ".join(words)} | {" ".join([*words[:-1], s]) for s in singulars(words[-1])}


@pytest.mark.parametrize("name", SETS)
def test_grounding_accuracy_and_false_accepts(name, sim_grounder, capsys):
    goals, absent = phrasings(SETS[name])
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
        for kind, rights in sorted(right_by_kind.items()):
            print(f"  {kind}: {np.mean(rights):.1%} of {len(rights)}")
        print("  wrong:", *failures, sep="\n    ")
        print("  accepted absent:", accepted)
    floor, ceiling = FLOORS[name]
    assert false_accept <= ceiling, accepted
    assert accuracy >= floor, failures


def test_the_accept_threshold_is_raised_on_every_set_but_the_held_out_ones():
    development = {f"goal_phrasings_{name}" for name in NEVER_TUNED if name not in HELD_OUT}
    assert set(DEVELOPMENT_SETS) == development | {SETS["dev"].stem}
    assert all((DATA / f"{name}.yaml").is_file() for name in DEVELOPMENT_SETS)


def test_held_out_sets_cover_every_category_with_enough_phrasings():
    goals, absent = phrasings(SETS["dev"])
    assert len(goals) >= 200 and len(absent) >= 30
    counts = {c: sum(c in acceptable for _, _, acceptable in goals) for c in CATEGORIES}
    assert min(counts.values()) >= 5, counts
    kinds = {kind for kind, _, _ in goals}
    assert {"synonym", "plural", "request", "misspelling", "functional", "attribute"} <= kinds
    for name in NEVER_TUNED:
        goals, absent = phrasings(SETS[name])
        assert {c for _, _, acceptable in goals for c in acceptable} == set(CATEGORIES), name
        assert len(absent) >= 30
        if name in BLIND_SIZES:  # as written: the README's rates are over these counts
            assert (len(goals), len(absent)) == BLIND_SIZES[name], name


def test_dev_and_fresh_phrasings_are_not_in_the_generation_vocabulary_or_calibration():
    """No dev or fresh goal is a phrase of the simulator's generation vocabulary, no fresh goal
    is a calibration goal (the dev set is development data: the calibration typos made by rule
    may hit one of its misspellings), and no goal is in both sets. The blind set was written
    apart from everything and is not held to this: a few of its goals are also calibration goals
    ("a bicycle")."""
    generation = {canonical(c) for c in CATEGORIES}
    for category in CATEGORIES:
        generation |= {object_phrase(s) for s in SYNONYMS[category] + DESCRIPTIONS[category]}
        generation |= {object_phrase(f"the {c} {category}") for c in FURNITURE[category].colors}
    calibration = {object_phrase(p.text) for p in calibration_positives()}
    for negatives in calibration_negatives("sim"):
        calibration |= {object_phrase(n) for n in negatives}
    seen: set[str] = set()
    for name in ("dev", "fresh"):
        goals, absent = phrasings(SETS[name])
        for text in [text for _, text, _ in goals] + absent:
            assert not forms(text) & generation, text
            assert name == "dev" or not forms(text) & calibration, text
            assert object_phrase(text) not in seen, f"{text!r} is in the held-out sets twice"
            seen.add(object_phrase(text))


def test_no_long_phrasing_of_the_untuned_sets_was_copied_into_vocabularies_or_calibration():
    """Short ones may be keys by chance ("a ladder-back chair" was a key before the blind set
    was written); a goal of LONG_PHRASE words or more that is word for word a key or a
    calibration goal was copied, which would make the set's measurement worthless."""
    keys = {
        object_phrase(key)
        for name in available_vocabularies()
        for entry in Vocabulary.load(name).entries
        for key in entry.keys
    }
    keys |= {object_phrase(p.text) for p in calibration_positives()}
    for negatives in calibration_negatives("sim"):
        keys |= {object_phrase(n) for n in negatives}
    for name in NEVER_TUNED:
        goals, absent = phrasings(SETS[name])
        copied = [
            text
            for text in [text for _, text, _ in goals] + absent
            if len(object_phrase(text).split()) >= LONG_PHRASE
            and forms(text) & keys
            and text not in KEYS_BEFORE_THE_SET.get(name, ())
        ]
        assert not copied, (name, copied)
