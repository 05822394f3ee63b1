"""Goal grounding: free-form goal text -> the object names of a vocabulary it means, with scores.

"find the fridge", "somewhere to sleep", "a chiar", "the red sofa", "where's the loo?" each
become names of the vocabulary the caller works with (the simulator's categories, or the
household-object vocabulary on a robot), or a refusal with the reason. No ROS, no simulator.

How a goal is grounded:
1. The object phrase: the text casefolded, request words and articles taken off the front
   ("can you find the", "go to a", "where is my", "i need some") and courtesy off the end
   ("please", "for me").
2. Up to three variants of it: as typed; with its words mapped onto known words (plurals,
   compounds written apart or together, misspellings; see below); and that without attribute
   words ("red", "big", "wooden"), which the vocabulary does not name (they are returned to the
   caller, which may use them to choose among instances).
3. A variant that is word for word a key of a name (the name, another word people use for it,
   or one of the short descriptions of what it is for) means that name: "the telly" is the tv.
   One that is word for word another object a home may contain but the vocabulary lacks ("a
   laundry basket" in the simulator) or something no home contains ("a motorbike") is refused.
4. Otherwise every variant is encoded by the sentence encoder and compared (cosine) with every
   key; a name's score is its best key against the best variant. The goal is refused when a
   thing outside a home scores better than every name (by more than the margin), or when the
   top score is below the `accept` threshold; else every name within the `margin` of the top
   score is a target. Both thresholds are calibrated on data, per vocabulary and encoder
   (`python -m filmnav_language.calibrate`, see calibrate.py), never per phrase.

Sentence encoders are weak on misspellings, hence the character-level mapping of step 2. A word
is corrected only when it is not a known word of the vocabularies, not a word the encoder's
tokenizer knows whole (so "chain" is never turned into "chair"), at least 4 letters long, and
within one edit (two from 8 letters) of exactly one known word that starts with the same letter,
the vocabulary's own words first: most misspellings are one insertion, deletion, substitution or
transposition (Damerau 1964), and the first letter is rarely the wrong one.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import yaml

from filmnav_language.sentence_encoder import (
    DEFAULT_TEXT_ENCODER,
    VocabularyEncoder,
    build_text_encoder,
)

PACKAGE_DIR = Path(__file__).resolve().parent
VOCABULARY_DIR = PACKAGE_DIR / "vocabularies"
THRESHOLDS_FILE = PACKAGE_DIR / "thresholds.yaml"
HOUSEHOLD = "household"  # the broadest vocabulary: what a home may contain
OUTSIDE = "outside"  # what no home contains: never a target
MAX_TARGETS = 5  # names an ambiguous goal may stand for, best first
MIN_CORRECTED_LENGTH = 4  # shorter words are too ambiguous to correct ("bad" vs "bed")
TWO_EDITS_FROM = 8  # words this long may carry two edits

_REQUEST_WORDS = """
please | kindly | pls | plz | hey | hi | hello | ok | okay | robot | now | then | and | so | to
can you | could you | would you | will you | can u | would you mind
go | go and | go to | goto | head to | head over to | move to | drive to | walk to | run to
navigate to | get to | come to | take me to | bring me to | lead me to | guide me to
show me | show me to | get me to | find | find me | locate | look for | looking for
search for | search | seek | spot | approach | reach | visit | detect
where is | wheres | where are | where is there | is there | are there | there is | theres
i need | i want | i would like | id like | i wanna | we need | help me find | help me
lets find | let us find | im looking for | i am looking for | im searching for
the | a | an | some | any | my | our | your | his | her | their | this | that | these | those
one | one of | of | nearest | closest | another
"""
_COURTESY_WORDS = """
please | for me | now | here | in here | around here | nearby | thanks | thank you
in the house | in this house | in the home | asap | quickly
"""
# Attribute words a vocabulary does not name: colours, sizes, materials, looks.
ATTRIBUTE_WORDS = frozenset(
    """
    white black gray grey silver brown beige red green blue yellow orange purple pink teal
    cream navy golden gold maroon turquoise violet tan ivory dark pale coloured colored
    big large small little tiny huge giant tall short long wide narrow
    wooden wood metal metallic glass plastic leather fabric velvet marble stone ceramic
    porcelain steel stainless iron brass wicker rattan oak pine
    old new modern antique vintage comfy comfortable cosy cozy soft shiny clean dirty
    round square rectangular striped patterned
    """.split()
)


def _phrases(block: str) -> tuple[tuple[str, ...], ...]:
    """Word tuples of a `|`-separated block, longest first (so the longest match is taken)."""
    found = {tuple(p.split()) for p in block.replace("\n", "|").split("|") if p.strip()}
    return tuple(sorted(found, key=len, reverse=True))


_LEADING = _phrases(_REQUEST_WORDS)
_TRAILING = _phrases(_COURTESY_WORDS)


def canonical(text: str) -> str:
    """Casefolded words of a text: NFKC, apostrophes and dots dropped ("where's" -> "wheres",
    "t.v." -> "tv"), any other non-word character a space."""
    folded = unicodedata.normalize("NFKC", text).casefold()
    return " ".join(re.findall(r"[^\W_]+", re.sub(r"['\u2019.]", "", folded)))


def object_phrase(text: str) -> str:
    """The phrase naming the object: request words and articles off the front, courtesy off the
    end ("can you please find the red sofa for me?" -> "red sofa")."""
    words = canonical(text).split()
    stripped = True
    while stripped and words:
        stripped = False
        for phrase in _LEADING:
            if tuple(words[: len(phrase)]) == phrase:
                words, stripped = words[len(phrase) :], True
                break
        for phrase in _TRAILING:
            if len(words) > len(phrase) and tuple(words[-len(phrase) :]) == phrase:
                words, stripped = words[: -len(phrase)], True
                break
    return " ".join(words)


def _singulars(word: str) -> list[str]:
    """Candidate singular forms of an English plural, most specific rule first."""
    forms = []
    if word.endswith("ies") and len(word) > 4:
        forms.append(word[:-3] + "y")
    if word.endswith("ves") and len(word) > 4:
        forms += [word[:-3] + "f", word[:-3] + "fe"]
    if word.endswith("es") and len(word) > 3:
        forms.append(word[:-2])
    if word.endswith("s") and not word.endswith("ss") and len(word) > 2:
        forms.append(word[:-1])
    return forms


def edit_distance(a: str, b: str, limit: int) -> int:
    """Optimal-string-alignment distance (insertions, deletions, substitutions, adjacent
    transpositions) between a and b, or limit + 1 once it is sure to exceed limit."""
    if abs(len(a) - len(b)) > limit:
        return limit + 1
    previous2: list[int] = []
    previous = list(range(len(b) + 1))
    for i in range(1, len(a) + 1):
        current = [i] + [0] * len(b)
        for j in range(1, len(b) + 1):
            cost = a[i - 1] != b[j - 1]
            current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost)
            if i > 1 and j > 1 and a[i - 1] == b[j - 2] and a[i - 2] == b[j - 1]:
                current[j] = min(current[j], previous2[j - 2] + 1)
        if min(current) > limit:
            return limit + 1
        previous2, previous = previous, current
    return min(previous[-1], limit + 1)


class _Speller:
    """Maps a goal's words onto known words: plurals, compounds written apart or together, and
    misspellings (module docstring). A misspelling is corrected towards the vocabulary's own
    words first, then towards the other known words."""

    def __init__(
        self,
        own_words: Iterable[str],
        other_words: Iterable[str],
        is_known_word: Callable[[str], bool],
    ):
        self.own = frozenset(own_words)
        self.words = self.own | frozenset(other_words)
        self._by_initial: dict[str, list[str]] = defaultdict(list)
        for word in sorted(self.words):
            self._by_initial[word[0]].append(word)
        self._is_known_word = is_known_word
        self._word = functools.lru_cache(maxsize=4096)(self._mapped_word)

    def mapped(self, words: Sequence[str]) -> list[str]:
        """The words with compounds written apart joined ("arm chair" -> "armchair"), then each
        mapped on its own."""
        joined: list[str] = []
        for word in words:
            if joined and joined[-1] + word in self.words:
                joined[-1] += word
            else:
                joined.append(word)
        return [self._word(word) for word in joined]

    def _closest(self, word: str, pool: frozenset[str]) -> str | None:
        """The one word of the pool within the allowed edits of a misspelt word, if one."""
        if len(word) < MIN_CORRECTED_LENGTH:
            return None
        limit = 1 if len(word) < TWO_EDITS_FROM else 2
        distances = {
            c: edit_distance(word, c, limit) for c in self._by_initial[word[0]] if c in pool
        }
        best = min(distances.values(), default=limit + 1)
        nearest = [c for c, d in distances.items() if d == best]
        return nearest[0] if best <= limit and len(nearest) == 1 else None

    @staticmethod
    def _split(word: str, pool: frozenset[str]) -> str | None:
        """A compound written together ("barstool") as the two words of the pool it joins."""
        splits = [
            f"{word[:i]} {word[i:]}"
            for i in range(3, len(word) - 2)
            if word[:i] in pool and word[i:] in pool
        ]
        return splits[0] if len(splits) == 1 else None

    def _mapped_word(self, word: str) -> str:
        if word in self.words:
            return word
        singular = next((s for s in _singulars(word) if s in self.words), None)
        if singular is not None:
            return singular
        if self._is_known_word(word):
            return word
        for pool in (self.own, self.words):
            for form in (word, *_singulars(word)):
                mapped = self._split(form, pool) or self._closest(form, pool)
                if mapped is not None:
                    return mapped
        return word


@dataclass(frozen=True)
class VocabularyEntry:
    """One object name, other words for it, and what it is for (all lower case)."""

    name: str
    aliases: tuple[str, ...] = ()
    descriptions: tuple[str, ...] = ()

    @property
    def keys(self) -> tuple[str, ...]:
        return (self.name, *self.aliases, *self.descriptions)


def available_vocabularies() -> list[str]:
    return sorted(p.stem for p in VOCABULARY_DIR.glob("*.yaml"))


def _read_vocabulary(name: str) -> dict[str, VocabularyEntry]:
    path = VOCABULARY_DIR / f"{name}.yaml"
    if not path.is_file():
        raise ValueError(f"no vocabulary {name!r}; known: {', '.join(available_vocabularies())}")
    data = yaml.safe_load(path.read_text()) or {}
    entries = _read_vocabulary(data["extends"]) if "extends" in data else {}
    descriptions = data.get("descriptions") or {}
    for key, aliases in (data.get("aliases") or {}).items():
        if key in entries:
            raise ValueError(f"vocabulary {name!r} names {key!r} again")
        entries[key] = VocabularyEntry(
            key, tuple(aliases or ()), tuple(descriptions.get(key) or ())
        )
    if unknown := set(descriptions) - set(entries):
        raise ValueError(f"vocabulary {name!r} describes unnamed objects: {sorted(unknown)}")
    return entries


@dataclass(frozen=True)
class Vocabulary:
    """The object names goals are grounded to, with their keys (name, aliases, descriptions)."""

    name: str
    entries: tuple[VocabularyEntry, ...]

    def __post_init__(self):
        owners: dict[str, str] = {}
        for entry in self.entries:
            for key in entry.keys:
                word_key = canonical(key)
                if owners.setdefault(word_key, entry.name) != entry.name:
                    raise ValueError(
                        f"vocabulary {self.name!r}: {key!r} names both "
                        f"{owners[word_key]!r} and {entry.name!r}"
                    )

    @classmethod
    def load(cls, name: str, names: Iterable[str] | None = None) -> Vocabulary:
        """Vocabulary file `name` (see available_vocabularies()), restricted to `names` in their
        order when given; a given name the file lacks is kept, grounded by the name alone."""
        entries = _read_vocabulary(name)
        if names is not None:
            entries = {n: entries.get(n, VocabularyEntry(n)) for n in names}
        return cls(name, tuple(entries.values()))

    @property
    def names(self) -> tuple[str, ...]:
        return tuple(entry.name for entry in self.entries)


@dataclass(frozen=True)
class Thresholds:
    """accept: the top score a goal needs to be grounded; margin: names scoring within this of
    the top one are targets too."""

    accept: float
    margin: float
    max_targets: int = MAX_TARGETS


def load_thresholds(
    vocabulary: str, encoder: str = DEFAULT_TEXT_ENCODER, path: Path = THRESHOLDS_FILE
) -> Thresholds:
    """The calibrated thresholds of a vocabulary with an encoder."""
    calibrated = (yaml.safe_load(path.read_text()) or {}).get(encoder, {}).get(vocabulary)
    if calibrated is None:
        raise ValueError(
            f"no calibrated grounding thresholds for vocabulary {vocabulary!r} with encoder "
            f"{encoder!r}: run `python -m filmnav_language.calibrate`"
        )
    return Thresholds(float(calibrated["accept"]), float(calibrated["margin"]))


@dataclass(frozen=True)
class Grounding:
    """What a goal was understood as. targets: (name, score) best first, empty when the goal was
    not accepted; query: the object phrase that was scored; attributes: its attribute words
    ("red", "wooden"), which the caller may use to pick among instances."""

    query: str
    targets: tuple[tuple[str, float], ...]
    accepted: bool
    reason: str
    attributes: tuple[str, ...] = field(default=())

    @property
    def names(self) -> tuple[str, ...]:
        return tuple(name for name, _ in self.targets)


@dataclass(frozen=True)
class Scores:
    """A goal's object phrase, the variants encoded, one score per vocabulary name and one per
    thing outside a home, the names a variant is word for word a key of, and the other object
    it names word for word, if any."""

    query: str
    variants: tuple[str, ...]
    per_name: np.ndarray
    per_outside: np.ndarray
    exact: tuple[int, ...] = ()
    other: str = ""


class GoalGrounder:
    """Grounds goal text in a vocabulary; all keys are encoded once, here.

    `others`: objects a home may contain that are not among the vocabulary's names (for the
    simulator, the household objects it has no category for). A goal that names one of them word
    for word ("a laundry basket", "the microwave") is refused instead of being grounded to the
    nearest name (the washing machine, the stove). Only word for word: furniture is often
    described by what it holds ("where the milk is kept"), so a goal that merely mentions one is
    not refused.
    `outside`: things no home contains (animals, vehicles, street furniture, places). A goal
    that names one, or means one better than every name by more than the margin, is refused:
    the encoder rates "a street lamp" close to the floor lamp for the word they share.
    The words of both count as known words for the speller.
    """

    def __init__(
        self,
        vocabulary: Vocabulary,
        encoder: VocabularyEncoder | None = None,
        thresholds: Thresholds | None = None,
        others: Vocabulary | None = None,
        outside: Vocabulary | None = None,
    ):
        if not vocabulary.entries:
            raise ValueError(f"vocabulary {vocabulary.name!r} is empty")
        self.vocabulary = vocabulary
        self.encoder = encoder or build_text_encoder()
        self.thresholds = thresholds or load_thresholds(vocabulary.name, self.encoder.name)
        self.outside = outside.entries if outside else ()
        # Names score on all their keys; things outside on their names and aliases only.
        key_sets = [entry.keys for entry in vocabulary.entries]
        key_sets += [(entry.name, *entry.aliases) for entry in self.outside]
        keys = [canonical(key) for key_set in key_sets for key in key_set]
        self._starts = np.cumsum([0, *map(len, key_sets)])[:-1]
        self._keys = _unit_rows(self.encoder.encode_batch(keys).numpy())
        self._named = {
            canonical(key): index
            for index, entry in enumerate(vocabulary.entries)
            for key in entry.keys
        }
        other_entries = [
            entry
            for entry in (*(others.entries if others else ()), *self.outside)
            if entry.name not in vocabulary.names
        ]
        self._others = {
            canonical(key): entry.name
            for entry in other_entries
            for key in (entry.name, *entry.aliases)
            if canonical(key) not in self._named
        }
        self._speller = _Speller(
            _words(vocabulary.entries), _words(other_entries), self.encoder.is_known_word
        )

    def variants(self, query: str) -> tuple[str, ...]:
        """The forms of an object phrase that are scored (module docstring, step 2)."""
        mapped = self._speller.mapped(query.split())
        plain = [word for word in mapped if word not in ATTRIBUTE_WORDS]
        forms = [query, " ".join(mapped), " ".join(plain)]
        return tuple(dict.fromkeys(form for form in forms if form))

    def score(self, text: str) -> Scores:
        query = object_phrase(text)
        variants = self.variants(query) if query else ()
        encoded = self.encoder.encode(list(variants)) if variants else None
        return self._scores(query, variants, encoded)

    def score_many(self, texts: Sequence[str]) -> list[Scores]:
        """The scores of many goals, their variants encoded in one batch (evaluations)."""
        queries = [object_phrase(text) for text in texts]
        variants = [self.variants(query) if query else () for query in queries]
        unique = list(dict.fromkeys(v for forms in variants for v in forms))
        rows = {v: i for i, v in enumerate(unique)}
        encoded = self.encoder.encode_batch(unique)
        return [
            self._scores(query, forms, encoded[[rows[v] for v in forms]] if forms else None)
            for query, forms in zip(queries, variants, strict=True)
        ]

    def _scores(self, query: str, variants: tuple[str, ...], encoded) -> Scores:
        count = len(self.vocabulary.entries)
        if encoded is None:
            return Scores(query, (), np.zeros(count), np.zeros(len(self.outside)))
        unit = _unit_rows(np.asarray(encoded, dtype=np.float32))
        per_entry = np.maximum.reduceat((unit @ self._keys.T).max(axis=0), self._starts)
        exact = tuple(sorted({self._named[v] for v in variants if v in self._named}))
        other = next((self._others[v] for v in variants if v in self._others), "")
        return Scores(query, variants, per_entry[:count], per_entry[count:], exact, other)

    def ground(self, text: str) -> Grounding:
        return self.decide(self.score(text))

    def ground_many(self, texts: Sequence[str]) -> list[Grounding]:
        return [self.decide(scores) for scores in self.score_many(texts)]

    def decide(self, scores: Scores, thresholds: Thresholds | None = None) -> Grounding:
        """The grounding a goal's scores give under the grounder's thresholds (or others):
        a goal that is word for word a key of names (after plurals, compounds and misspellings
        are mapped) means those names; one that names another object, or means a thing outside
        better than every name by more than the margin, is refused; otherwise the thresholds
        decide (module docstring, step 4)."""
        thresholds = thresholds or self.thresholds
        names = self.vocabulary.names
        attributes = tuple(w for w in scores.query.split() if w in ATTRIBUTE_WORDS)

        def refused(reason: str) -> Grounding:
            return Grounding(scores.query, (), False, reason, attributes)

        if not scores.variants:
            return refused("the goal names no object")
        order = np.argsort(-scores.per_name, kind="stable")
        top = float(scores.per_name[order[0]])
        here = f"none of the {len(names)} objects here"
        closest = f"closest: {names[order[0]]} {top:.2f}"
        outside_top = float(scores.per_outside.max(initial=-1.0))
        if scores.exact:
            chosen = list(scores.exact)
        elif scores.other:
            return refused(f"names {scores.other}, {here} ({closest})")
        elif outside_top > top + thresholds.margin and outside_top >= thresholds.accept:
            thing = self.outside[int(np.argmax(scores.per_outside))].name
            return refused(f"means {thing} ({outside_top:.2f}), {here} ({closest})")
        elif top < thresholds.accept:
            return refused(f"{here} matches ({closest}, below {thresholds.accept:.2f})")
        else:
            floor = max(thresholds.accept, top - thresholds.margin)
            chosen = [i for i in order[: thresholds.max_targets] if scores.per_name[i] >= floor]
        targets = tuple((names[i], round(float(scores.per_name[i]), 3)) for i in chosen)
        listed = ", ".join(f"{name} ({score:.2f})" for name, score in targets)
        reason = f"understood as {listed}" if len(targets) == 1 else f"one of {listed}"
        return Grounding(scores.query, targets, True, reason, attributes)


def _words(entries: Iterable[VocabularyEntry]) -> set[str]:
    """The words of entries' names and aliases."""
    return {
        word
        for entry in entries
        for key in (entry.name, *entry.aliases)
        for word in canonical(key).split()
    }


def _unit_rows(matrix: np.ndarray) -> np.ndarray:
    matrix = np.asarray(matrix, dtype=np.float32)
    return matrix / np.maximum(np.linalg.norm(matrix, axis=1, keepdims=True), 1e-12)


@functools.lru_cache(maxsize=8)
def build_grounder(
    vocabulary: str, names: tuple[str, ...] | None = None, encoder: str = DEFAULT_TEXT_ENCODER
) -> GoalGrounder:
    """One grounder per vocabulary (restricted to `names`) and encoder in a process, encoded
    once and shared by every user; the household objects outside the vocabulary are its
    `others`, and the `outside` vocabulary its things outside."""
    return GoalGrounder(
        Vocabulary.load(vocabulary, names),
        build_text_encoder(encoder),
        others=None if vocabulary == HOUSEHOLD else Vocabulary.load(HOUSEHOLD),
        outside=Vocabulary.load(OUTSIDE),
    )
