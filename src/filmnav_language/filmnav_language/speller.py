"""Words of a goal mapped onto known words: plurals, compounds written apart or together, and
misspellings. Sentence encoders are weak on misspellings, hence this character-level step.

A word is corrected only when it is not a known word of the vocabularies, not a word the encoder's
tokenizer knows whole (so "chain" is never turned into "chair"), not a common English word
(pyspellchecker's counts: "beeps" is no misspelling of "beds", nor "soak" of "snake"), at least 4
letters long, and within one edit (two from 8 letters) of exactly one known word that starts with
the same letter, the vocabulary's own words first: most misspellings are one insertion, deletion,
substitution or transposition (Damerau 1964), and the first letter is rarely the wrong one. Failing
that, a word spelt as it sounds is the one known word that sounds the same by a few English
spelling rules (`sound_key`: "sopha" the sofa, "nite" night, "chare" the chair) or, failing that,
one edit from it (a doubled letter and a swap: "painoo" the piano), and a three-letter word is the
one word of the vocabulary's own it swaps two letters of ("bde" the bed; "teh" is not made "the")
or has one letter struck on a key next to the right one ("bwd": the bed). Several words as near
that name the same object ("aquarim": the aquarium, or "aquaria") are no ambiguity.
"""

from __future__ import annotations

import functools
import os
import re
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence

from spellchecker import SpellChecker

from filmnav_language.phrases import HYPHEN_PARTICLES

MIN_CORRECTED_LENGTH = 4  # shorter words are too ambiguous to correct ("bad" vs "bed")
TWO_EDITS_FROM = 8  # words this long may carry two edits
# Letters that spell the same sound, the longer first: "sopha" sounds as "sofa", "nite" as
# "night" (once a silent final e is dropped), "chare" as "chair".
SAME_SOUNDS = (("igh", "i"), ("air", "ar"), ("ph", "f"), ("ck", "k"))
_DOUBLED = re.compile(r"(.)\1+")
# How often a word must occur in pyspellchecker's English counts (subtitles) to be a word, not a
# misspelling: real words the tokenizer splits start here ("zaps" 318, "teal" 424), typos that
# are rare words sit below ("nite" 255, "dinning" 219 for "dining").
COMMON_WORD_COUNT = 300
# Where each letter sits on a QWERTY keyboard (row, column; rows are offset by about a quarter and
# a half key).
_KEYS = {
    letter: (row, column + offset)
    for row, (letters, offset) in enumerate(
        (("qwertyuiop", 0.0), ("asdfghjkl", 0.25), ("zxcvbnm", 0.75))
    )
    for column, letter in enumerate(letters)
}


@functools.cache
def _english_counts() -> SpellChecker:
    return SpellChecker(distance=1)


def is_common_word(word: str) -> bool:
    """Whether a word is common English (COMMON_WORD_COUNT)."""
    return _english_counts().word_frequency[word] >= COMMON_WORD_COUNT


def sound_key(word: str) -> str:
    """The word as it sounds, roughly: same-sound spellings made one, doubled letters single,
    a silent final e dropped."""
    for spelling, sound in SAME_SOUNDS:
        word = word.replace(spelling, sound)
    word = _DOUBLED.sub(r"\1", word)
    return word[:-1] if len(word) > 3 and word.endswith("e") else word


def neighbouring_keys(a: str, b: str) -> bool:
    """Whether two letters are next to each other on a QWERTY keyboard."""
    if a == b or a not in _KEYS or b not in _KEYS:
        return False
    (row_a, column_a), (row_b, column_b) = _KEYS[a], _KEYS[b]
    return abs(row_a - row_b) <= 1 and abs(column_a - column_b) <= 1


def singulars(word: str) -> list[str]:
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


class Speller:
    """Maps a goal's words onto known words (module docstring): the vocabulary's own words,
    then the other known words (of other objects and things outside a home). `owners`: the
    object a known word names on its own, where it does ("aquaria": aquarium)."""

    def __init__(
        self,
        own_words: Iterable[str],
        other_words: Iterable[str],
        is_known_word: Callable[[str], bool],
        owners: Mapping[str, str] | None = None,
    ):
        self.own = frozenset(own_words)
        self._owners = dict(owners or {})
        self.words = self.own | frozenset(other_words)
        self._by_initial: dict[str, list[str]] = defaultdict(list)
        for word in sorted(self.words):
            self._by_initial[word[0]].append(word)
        self._is_known_word = is_known_word
        self._word = functools.lru_cache(maxsize=4096)(self._mapped_word)

    def mapped(self, words: Sequence[str]) -> list[str]:
        """The words with compounds written apart joined ("arm chair" -> "armchair"; not before a
        particle: "walk in" is no "walkin"), then each mapped on its own."""
        joined: list[str] = []
        for word in words:
            if joined and joined[-1] + word in self.words and word not in HYPHEN_PARTICLES:
                joined[-1] += word
            else:
                joined.append(word)
        return [self._word(word) for word in joined]

    def _closest(self, word: str, pool: frozenset[str]) -> str | None:
        """The one word of the pool within the allowed edits of a misspelt word, if one; of
        several as near, the one that keeps the longest start of it ("stoll": the stool, not
        the stall: typos fall late in a word more often than early). Else the one that sounds
        the same, or (three letters) the one with two of its letters swapped or one struck on a
        neighbouring key."""
        candidates = [c for c in self._by_initial[word[0]] if c in pool]
        if len(word) < MIN_CORRECTED_LENGTH:
            if pool is not self.own or len(word) != 3:  # "teh" is no thing to look for
                return None
            slipped = [
                c
                for c in candidates
                if len(c) == 3
                and edit_distance(word, c, 1) == 1
                and (
                    sorted(c) == sorted(word)
                    or any(neighbouring_keys(a, b) for a, b in zip(word, c, strict=True))
                )
            ]
            return self._one(slipped)
        limit = 1 if len(word) < TWO_EDITS_FROM else 2
        distances = {c: edit_distance(word, c, limit) for c in candidates}
        best = min(distances.values(), default=limit + 1)
        if best > limit:
            sound = sound_key(word)
            by_sound = {c: edit_distance(sound, sound_key(c), 1) for c in candidates}
            for distance in (0, 1):  # sounds the same, then one edit from it ("painoo")
                alike = [c for c, d in by_sound.items() if d == distance]
                if alike:
                    return self._one(alike)
            return None
        kept = {c: len(os.path.commonprefix([word, c])) for c, d in distances.items() if d == best}
        longest = max(kept.values())
        return self._one([c for c, k in kept.items() if k == longest])

    def _one(self, words: list[str]) -> str | None:
        """The word, if there is one, or all name the same object; else None (ambiguous)."""
        if len({self._owners.get(word, word) for word in words}) == 1:
            return words[0]
        return None

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
        singular = next((s for s in singulars(word) if s in self.words), None)
        if singular is not None:
            return singular
        if self._is_known_word(word) or is_common_word(word):
            return word
        for pool in (self.own, self.words):
            for form in (word, *singulars(word)):
                mapped = self._split(form, pool) or self._closest(form, pool)
                if mapped is not None:
                    return mapped
        return word
