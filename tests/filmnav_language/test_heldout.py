"""Goal grounding on the held-out phrasings (tests/data): accuracy to the right simulator
category and acceptance of things the simulator has not (no house contains them, or another
household object), printed by kind; and the rules the held-out sets keep.

Sets: `dev` (goal_phrasings.yaml) was measured during development and words from its failures
went into the vocabularies; `fresh` (goal_phrasings_fresh.yaml) and `blind` to `blind8`
(goal_phrasings_blind*.yaml, written without access to the vocabularies) never went into the
vocabularies or the calibration. `blind`'s failures in the goals benchmark did inform which
mechanisms were built (a room as the place, modifiers, household near-equivalents), so the later
ones, each written by someone who had seen neither the vocabularies nor the other sets, are the
fair measures; `blind3` to `blind5` ask for more household objects the simulator lacks, some
described by use, and `blind5` chose the own-object budget (calibrate.py). `blind6` was measured
once on the clause rule of phrases.py, whose two losses there were mended; `blind7` three
times, on the summary alone (its failures were not read), while the request forms of phrases.py
were generalised; `blind8` came in untouched, and its first measurement set its FLOORS; `blind9`
was measured untouched (91.5%), then its failures were read and informed the rule that a need
after a request to go does not replace the place ("go to the wardrobe, I need my coat");
`blind10` was measured on its summary alone, before that rule (92.0%) and after (92.4%). Issue 11
targets at least 95% right and at most 5% accepted: met on dev; blind4, blind5, blind6 and blind8
meet the accuracy, blind and blind2 the false accepts. FLOORS keep the
measured levels (quoted in the package README) from slipping rather than claiming the target.
"""

from __future__ import annotations

import re
from collections import defaultdict
from pathlib import Path

import numpy as np
import pytest
import yaml

from filmnav_language.calibrate import calibration_negatives, calibration_positives
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
)
SETS = {
    "dev": DATA / "goal_phrasings.yaml",
    **{name: DATA / f"goal_phrasings_{name}.yaml" for name in NEVER_TUNED},
}
ISSUE_ACCURACY, ISSUE_FALSE_ACCEPT = 0.95, 0.05
# (accuracy at least, false accepts at most): the README's measurement (dev 98.1% and 0.0%,
# fresh 91.8% and 0.0%, blind 94.0% and 4.8%, blind2 94.6% and 0.0%, blind3 94.2% and 17.6%,
# blind4 97.3% and 16.7%, blind5 95.5% and 13.3%, blind6 95.5% and 13.3%, blind7 94.2% and
# 18.3%, blind8 95.1% and 23.3%, blind9 92.4% and 21.7%, blind10 92.4% and 20.0%) less a goal or
# so, plus one false accept.
FLOORS = {
    "dev": (0.975, 0.02),
    "fresh": (0.90, 0.04),
    "blind": (0.93, 0.065),
    "blind2": (0.94, 0.02),
    "blind3": (0.93, 0.19),
    "blind4": (0.965, 0.185),
    "blind5": (0.95, 0.15),
    "blind6": (0.95, 0.15),
    "blind7": (0.935, 0.20),
    "blind8": (0.945, 0.25),
    "blind9": (0.92, 0.235),
    "blind10": (0.92, 0.22),
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
}
SECTIONS_WITHOUT_CATEGORY = ("ambiguous", "absent")
LONG_PHRASE = 4  # words: a held-out phrasing this long that is a key was copied
# Long phrasings a set was written with that were already keys or calibration goals then (the
# git history shows which came first): the same words by chance, not a copy.
KEYS_BEFORE_THE_SET = {
    "blind5": {"something with water in it"},
    "blind9": {"OK robot, navigate to the bed in the guest room"},
    "blind10": {"the low table in front of the couch"},
}
_KIND = re.compile(r"^\s*- \{text:.*\}\s*#\s*(.+?)\s*$")

Goal = tuple[str, str, frozenset[str]]  # kind, text, acceptable categories


def phrasings(path: Path) -> tuple[list[Goal], list[str]]:
    """(kind, text, acceptable categories) for every goal of a set, and its absent things.
    Two formats: sections by kind mapping categories to texts (and `ambiguous` texts to
    categories); or a `goals` list of {text, expect} with the kind in a trailing comment."""
    data = yaml.safe_load(path.read_text())
    if "goals" in data:
        kinds = [m.group(1) for line in path.read_text().splitlines() if (m := _KIND.match(line))]
        assert len(kinds) == len(data["goals"]), f"{path.name}: a goal without its kind"
        goals = [
            (kind, goal["text"], frozenset(goal["expect"]))
            for kind, goal in zip(kinds, data["goals"], strict=True)
        ]
        return goals, list(data["absent"])
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
