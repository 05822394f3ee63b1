"""Calibrate the goal-grounding thresholds on data.

    python -m filmnav_language.calibrate     # rewrites thresholds.yaml next to this file

Calibration set (the held-out phrasings of the tests are never used here):
- positives: the simulator's generation vocabulary (filmnav_sim.language: every synonym, every
  description, and "the <colour> <category>" for each colour a category comes in); made from
  the synonyms and category names by fixed rules with a fixed seed, what operators type around
  them: a request ("find the ..."), a plural, and a one-letter typo; and from calibration.yaml,
  descriptions in other words and ambiguous goals, each with every category it may stand for;
- negatives: calibration.yaml: things no house contains, and for the `sim` vocabulary also
  household objects the simulator has no category for.
Each vocabulary is calibrated on its own (`sim` over the simulator's categories, `household` over
all its names); the gold name of a positive is its simulator category in both.

Goals that are word for word a key, or that name another known object, are decided without the
thresholds (grounding.py, step 3); the thresholds are calibrated on the others.
margin: how far below the top score a name still counts as meant: the margin (0 to 0.3 in steps
of 0.005) that maximises the mean F1 of the targets against the acceptable names over those
positives, the middle of the best run. A wider margin finds the right names of ambiguous goals
and adds wrong ones to plain goals; on this set the plain goals win and it comes out near 0.
accept: the threshold on the top score that maximises Youden's J, the share of those positives
accepted with a right top name minus the share of negatives accepted; the middle of the best
interval, so that neither side's nearest example alone decides it. Negatives are scored on the
names alone, as things none of the grounder's lists knows: the threshold must hold for those.

This reads the simulator (its categories, colours and generation vocabulary); goal grounding
itself never imports it.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import yaml

from filmnav_language.grounding import (
    HOUSEHOLD,
    OUTSIDE,
    PACKAGE_DIR,
    THRESHOLDS_FILE,
    GoalGrounder,
    Grounding,
    Scores,
    Thresholds,
    Vocabulary,
)
from filmnav_language.sentence_encoder import DEFAULT_TEXT_ENCODER, build_text_encoder

CALIBRATION_FILE = PACKAGE_DIR / "calibration.yaml"
VOCABULARIES = ("sim", HOUSEHOLD)
SEED = 0
REQUESTS = ("find the {}", "go to the {}", "where is the {}", "look for a {}")
MARGINS = np.round(np.arange(0.0, 0.3001, 0.005), 3)  # the margins tried
_LETTERS = "abcdefghijklmnopqrstuvwxyz"


@dataclass(frozen=True)
class Positive:
    text: str
    gold: frozenset[str]  # the acceptable names
    kind: str  # synonym, description, attribute, request, plural, typo, ambiguous


def plural(phrase: str) -> str:
    words = phrase.split()
    last = words[-1]
    if last.endswith(("s", "x", "ch", "sh")):
        words[-1] = last + "es"
    elif last.endswith("y") and last[-2:-1] not in "aeiou":
        words[-1] = last[:-1] + "ies"
    else:
        words[-1] = last + "s"
    return " ".join(words)


def typo(phrase: str, rng: np.random.Generator) -> str | None:
    """One random edit (deletion, adjacent transposition, substitution, doubling) inside the
    longest word, never its first letter; None when no word has 5 letters."""
    words = phrase.split()
    index = max(range(len(words)), key=lambda i: len(words[i]))
    word = words[index]
    if len(word) < 5:
        return None
    at = int(rng.integers(1, len(word) - 1))
    edit = int(rng.integers(4))
    if edit == 0:
        changed = word[:at] + word[at + 1 :]
    elif edit == 1:
        changed = word[:at] + word[at + 1] + word[at] + word[at + 2 :]
    elif edit == 2:
        other = [c for c in _LETTERS if c != word[at]]
        changed = word[:at] + other[int(rng.integers(len(other)))] + word[at + 1 :]
    else:
        changed = word[:at] + word[at] + word[at:]
    if changed == word:
        return None
    words[index] = changed
    return " ".join(words)


def calibration_positives(seed: int = SEED) -> list[Positive]:
    from filmnav_sim.furniture import FURNITURE
    from filmnav_sim.language import DESCRIPTIONS, SYNONYMS

    rng = np.random.default_rng(seed)
    positives: list[Positive] = []
    for category, synonyms in SYNONYMS.items():
        gold = frozenset([category])
        positives += [Positive(s, gold, "synonym") for s in synonyms]
        positives += [Positive(d, gold, "description") for d in DESCRIPTIONS[category]]
        positives += [
            Positive(f"the {color} {category}", gold, "attribute")
            for color in FURNITURE[category].colors
        ]
        for i, phrase in enumerate([category, *synonyms]):
            request = REQUESTS[i % len(REQUESTS)].format(phrase)
            positives += [
                Positive(request, gold, "request"),
                Positive(plural(phrase), gold, "plural"),
            ]
            misspelt = typo(phrase, rng)
            if misspelt is not None:
                positives.append(Positive(misspelt, gold, "typo"))
    written = yaml.safe_load(CALIBRATION_FILE.read_text())
    positives += [
        Positive(text, frozenset([category]), "described")
        for category, texts in written["described"].items()
        for text in texts
    ]
    positives += [
        Positive(text, frozenset(names), "ambiguous")
        for text, names in written["ambiguous"].items()
    ]
    return positives


def calibration_negatives(vocabulary: str) -> list[str]:
    goals = yaml.safe_load(CALIBRATION_FILE.read_text())
    negatives = list(goals["not_in_a_house"])
    if vocabulary != HOUSEHOLD:
        negatives += goals["household_not_sim"]
    return negatives


def middle_of_best(values: np.ndarray, lower: np.ndarray, upper: np.ndarray) -> float:
    """The middle of the first run of intervals [lower, upper] where values is largest."""
    best = np.flatnonzero(values == values.max())
    end = best[0]
    while end + 1 in best:
        end += 1
    return float((lower[best[0]] + upper[end]) / 2)


def youden_threshold(
    positive_scores: np.ndarray, positive_right: np.ndarray, negative_scores: np.ndarray
) -> float:
    """The threshold maximising (right positives at or above it) / all positives - (negatives at
    or above it) / all negatives: the middle of the best interval between scores."""
    finite = np.concatenate([positive_scores, negative_scores])
    edges = np.unique(finite[np.isfinite(finite)])
    edges = np.concatenate([[edges[0] - 1e-3], edges, [edges[-1] + 1e-3]])
    candidates = (edges[:-1] + edges[1:]) / 2
    hits = positive_right[None, :] & (positive_scores[None, :] >= candidates[:, None])
    false_hits = negative_scores[None, :] >= candidates[:, None]
    youden = hits.mean(axis=1) - false_hits.mean(axis=1)
    return middle_of_best(youden, edges[:-1], edges[1:])


def target_f1(grounding: Grounding, gold: frozenset[str]) -> float:
    """F1 of a grounding's target names against the acceptable ones (0 when refused)."""
    found = len(gold.intersection(grounding.names))
    return 2 * found / (len(grounding.names) + len(gold)) if found else 0.0


def _thresholded(grounder: GoalGrounder, scores: Scores, margin: float) -> bool:
    """Whether the accept threshold decides a goal: it names nothing word for word and nothing
    outside a home outranks every name."""
    return grounder.decide(scores, Thresholds(-np.inf, margin)).accepted and not scores.exact


def calibrate(
    grounder: GoalGrounder, positives: Sequence[Positive], negatives: Sequence[str]
) -> dict:
    """Thresholds for a grounder's vocabulary, encoder and other objects (module docstring),
    with the rates they give on the calibration set itself."""
    names = grounder.vocabulary.names
    positive_scores = grounder.score_many([p.text for p in positives])
    negative_scores = grounder.score_many(negatives)

    # Goals that are word for word a key are decided without the margin.
    open_goals = [(s, p) for s, p in zip(positive_scores, positives, strict=True) if not s.exact]

    def mean_f1(margin: float) -> float:
        thresholds = Thresholds(0.0, margin)
        return float(
            np.mean([target_f1(grounder.decide(s, thresholds), p.gold) for s, p in open_goals])
        )

    margin = middle_of_best(np.array([mean_f1(m) for m in MARGINS]), MARGINS, MARGINS)

    # Goals that are word for word a key, or name another object, are decided without the
    # threshold: it is calibrated on the others.
    positives_left = [
        (s, p)
        for s, p in zip(positive_scores, positives, strict=True)
        if _thresholded(grounder, s, margin)
    ]
    # Negatives count as things no list of the grounder knows: their scores on the names alone.
    negatives_left = [s for s in negative_scores if s.variants]
    accept = youden_threshold(
        np.array([s.per_name.max() for s, _ in positives_left]),
        np.array([names[int(np.argmax(s.per_name))] in p.gold for s, p in positives_left]),
        np.array([s.per_name.max() for s in negatives_left]),
    )
    grounder.thresholds = Thresholds(round(accept, 4), round(margin, 4))

    outcomes = [grounder.decide(s) for s in positive_scores]
    first = np.array(
        [g.accepted and g.names[0] in p.gold for g, p in zip(outcomes, positives, strict=True)]
    )
    among = np.array(
        [
            g.accepted and bool(p.gold & set(g.names))
            for g, p in zip(outcomes, positives, strict=True)
        ]
    )
    kinds = np.array([p.kind for p in positives])
    false_accepts = sum(grounder.decide(s).accepted for s in negative_scores)
    return {
        "accept": grounder.thresholds.accept,
        "margin": grounder.thresholds.margin,
        "calibration": {
            "positives": len(positives),
            "negatives": len(negatives),
            "positives_thresholded": len(positives_left),
            "negatives_thresholded": len(negatives_left),
            "right_first": round(float(first.mean()), 3),
            "right_among_targets": round(float(among.mean()), 3),
            "mean_targets": round(float(np.mean([len(g.targets) for g in outcomes])), 2),
            "false_accept": round(false_accepts / len(negatives), 3),
            "right_first_by_kind": {
                str(k): round(float(first[kinds == k].mean()), 3) for k in dict.fromkeys(kinds)
            },
        },
    }


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--encoder", default=DEFAULT_TEXT_ENCODER)
    parser.add_argument("--out", type=Path, default=THRESHOLDS_FILE)
    args = parser.parse_args(argv)
    from filmnav_sim.house import CATEGORIES

    encoder = build_text_encoder(args.encoder)
    positives = calibration_positives()
    results = {}
    for vocabulary in VOCABULARIES:
        names = CATEGORIES if vocabulary == "sim" else None
        grounder = GoalGrounder(
            Vocabulary.load(vocabulary, names),
            encoder,
            Thresholds(0.0, 0.0),
            others=None if vocabulary == HOUSEHOLD else Vocabulary.load(HOUSEHOLD),
            outside=Vocabulary.load(OUTSIDE),
        )
        results[vocabulary] = calibrate(grounder, positives, calibration_negatives(vocabulary))
        print(vocabulary, yaml.safe_dump(results[vocabulary], sort_keys=False), sep="\n")
    existing = yaml.safe_load(args.out.read_text()) if args.out.is_file() else None
    thresholds = existing or {}
    thresholds[args.encoder] = results
    header = (
        "# Goal-grounding thresholds per encoder and vocabulary, calibrated on data by\n"
        "# `python -m filmnav_language.calibrate` (see calibrate.py); do not edit by hand.\n"
    )
    args.out.write_text(header + yaml.safe_dump(thresholds, sort_keys=False))
    print(f"wrote {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
