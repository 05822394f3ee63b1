"""Goal grounding: free-form goal text -> the object names of a vocabulary it means, with scores.

"find the fridge", "somewhere to sleep", "a chiar", "the red sofa", "where's the loo?", "the lamp
next to the sofa" each become names of the vocabulary the caller works with (the simulator's
categories, or the household-object vocabulary on a robot), or a refusal with the reason. No
ROS, no simulator.

How a goal is grounded:
1. The object phrase (phrases.py): words only, requests and articles taken off the front ("could
   you please go and find me the", "where's my", "I'm looking for a") and courtesy off the end;
   its attribute words ("red", "big", "wooden") are returned to the caller. What it excludes is
   left out ("the chair, not the sofa" -> "chair"); a command ("stop"), a goal that says only
   what not to find ("anything but the sofa") or several goals in a row ("a chair, then a bed")
   is refused with that reason. "Where do we keep the milk" asks for where it is kept.
2. Its forms: as typed; with its words mapped onto known words (plurals, compounds written apart
   or together, misspellings: speller.py); that without attributes and possessors ("grandpa's
   big recliner" -> "recliner"); the head of that, before a location anchor ("the lamp next to
   the sofa" -> "lamp"); and the gist, its content words ("somewhere I can boil pasta" ->
   "boil pasta").
3. Word for word: the first form that is a key of a name (the name, another word people use
   for it, or one of its short descriptions) means that name; a general word of the vocabulary
   ("a cabinet") means all the names it stands for; "a sofa or an armchair" means both; a form
   that is another object a home may contain but the vocabulary lacks ("a laundry basket" in
   the simulator) or a thing no home contains ("a motorbike") is refused. Failing that, a head
   that ends with a key ("the wobbly chair", "a chair with castors") is evidence for its owner
   (SUFFIX, PARTIAL), unless a word before that key is a word of a thing no home contains ("a
   river bed"); a head that is another object, with only its place after it, is evidence for
   that object ("my keys on the table").
4. Meaning: every form is encoded by the sentence encoder and compared (cosine) with every key
   of every name and every thing outside a home (and the gist of every description): an
   entry's sentence score is its best key against the best form. Its word score: each content
   word of the goal against the entry's content words, weighted by how much better the word
   matches its best entry than the average one. A name's score is the two mixed by the `words`
   weight, or its word-for-word evidence when higher; names that only say where the object is
   ("the chair by the desk") are never targets. The goal is refused when another object named
   word for word, or a thing outside a home, scores at least as high as every name; when the
   top score is below `accept`; or when the goal seems not to mean a thing of a home (home.py:
   probability below `home`) and its top score is below `sure`. Else every name within the
   `margin` of the top score is a target. All five are calibrated on data, per vocabulary and
   encoder (`python -m filmnav_language.calibrate`, see calibrate.py), never per phrase.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import yaml

from filmnav_language.embeddings import embedding_cache, unit_rows
from filmnav_language.home import HomeClassifier
from filmnav_language.phrases import PLACE_WORDS, Phrase, canonical, gist, object_phrase
from filmnav_language.sentence_encoder import (
    DEFAULT_TEXT_ENCODER,
    VocabularyEncoder,
    build_text_encoder,
)
from filmnav_language.speller import Speller, edit_distance

__all__ = [
    "Grounding",
    "GoalGrounder",
    "Vocabulary",
    "VocabularyEntry",
    "build_grounder",
    "canonical",
    "edit_distance",
    "object_phrase",
]

PACKAGE_DIR = Path(__file__).resolve().parent
VOCABULARY_DIR = PACKAGE_DIR / "vocabularies"
THRESHOLDS_FILE = PACKAGE_DIR / "thresholds.yaml"
HOUSEHOLD = "household"  # the broadest vocabulary: what a home may contain
OUTSIDE = "outside"  # what no home contains: never a target
MAX_TARGETS = 5  # names an ambiguous goal may stand for, best first
EXACT = 1.0  # the score of a form that is word for word a key
PARTIAL = 0.75  # of a head that is a key, before a property (step 3)
SUFFIX = 0.9  # of a head that ends with a key (step 3)


@dataclass(frozen=True)
class VocabularyEntry:
    """One object name, other words for it, and what it is for (all lower case)."""

    name: str
    aliases: tuple[str, ...] = ()
    descriptions: tuple[str, ...] = ()

    @property
    def keys(self) -> tuple[str, ...]:
        return (self.name, *self.aliases, *self.descriptions)

    @functools.cached_property
    def words(self) -> tuple[str, ...]:
        """The content words of its texts (module docstring, step 4), at least its name's."""
        words = (w for text in self.texts for w in gist(text.split()).split())
        return tuple(dict.fromkeys(words)) or tuple(canonical(self.name).split())

    @functools.cached_property
    def texts(self) -> tuple[str, ...]:
        """What a grounder encodes for the entry: its canonical keys and the gist of each
        description."""
        keys = [canonical(key) for key in self.keys]
        gists = [gist(canonical(d).split()) for d in self.descriptions]
        return tuple(dict.fromkeys(t for t in keys + gists if t))


def available_vocabularies() -> list[str]:
    return sorted(p.stem for p in VOCABULARY_DIR.glob("*.yaml"))


@functools.lru_cache(maxsize=16)
def _vocabulary_file(name: str) -> dict:
    """The parsed vocabulary file (with the C parser where PyYAML has it: the files are long)."""
    path = VOCABULARY_DIR / f"{name}.yaml"
    if not path.is_file():
        raise ValueError(f"no vocabulary {name!r}; known: {', '.join(available_vocabularies())}")
    return yaml.load(path.read_text(), Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader)) or {}


def _read_vocabulary(
    name: str,
) -> tuple[dict[str, VocabularyEntry], dict[str, tuple[str, ...]], frozenset[str]]:
    """Entries by name, general words (rooms among them) and the room words."""
    data = _vocabulary_file(name)
    entries, general, rooms = (
        _read_vocabulary(data["extends"]) if "extends" in data else ({}, {}, frozenset())
    )
    descriptions = data.get("descriptions") or {}
    for key, aliases in (data.get("aliases") or {}).items():
        if key in entries:
            raise ValueError(f"vocabulary {name!r} names {key!r} again")
        entries[key] = VocabularyEntry(
            key, tuple(aliases or ()), tuple(descriptions.get(key) or ())
        )
    if unknown := set(descriptions) - set(entries):
        raise ValueError(f"vocabulary {name!r} describes unnamed objects: {sorted(unknown)}")
    own_rooms = data.get("rooms") or {}
    for word, names in {**(data.get("general") or {}), **own_rooms}.items():
        if unknown := set(names) - set(entries):
            raise ValueError(f"vocabulary {name!r}: {word!r} stands for unnamed {unknown}")
        general[canonical(word)] = tuple(names)
    return entries, general, rooms | {canonical(word) for word in own_rooms}


@dataclass(frozen=True)
class Vocabulary:
    """The object names goals are grounded to, with their keys (name, aliases, descriptions),
    and general words that stand for several of them ("a cabinet"); rooms are general words
    for the objects only they have ("the kitchen")."""

    name: str
    entries: tuple[VocabularyEntry, ...]
    general: dict[str, tuple[str, ...]] = field(default_factory=dict)
    rooms: frozenset[str] = frozenset()

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
        entries, general, rooms = _read_vocabulary(name)
        if names is not None:
            entries = {n: entries.get(n, VocabularyEntry(n)) for n in names}
        general = {
            word: kept
            for word, names_of_word in general.items()
            if word not in entries and (kept := tuple(n for n in names_of_word if n in entries))
        }
        return cls(name, tuple(entries.values()), general, rooms & set(general))

    @property
    def names(self) -> tuple[str, ...]:
        return tuple(entry.name for entry in self.entries)


THRESHOLD_KEYS = ("accept", "margin", "home", "sure", "words")


@dataclass(frozen=True)
class Thresholds:
    """The calibrated thresholds (module docstring, step 4). accept: the top score a goal needs
    to be grounded; margin: names scoring within this of the top one are targets too; home: the
    probability a goal needs of meaning something a home contains (home.py), unless its top
    score is at least `sure`; words: the weight of the word score in a name's score."""

    accept: float
    margin: float
    home: float = 0.0
    sure: float = 1.0
    words: float = 0.0
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
    return Thresholds(**{key: float(calibrated[key]) for key in THRESHOLD_KEYS})


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
class Lexical:
    """Word-for-word evidence (module docstring, step 3): the names a form means, or another
    object or thing outside it names, with its score and kind (exact, partial)."""

    names: tuple[int, ...] = ()
    other: str = ""
    score: float = 0.0
    kind: str = ""


@dataclass(frozen=True)
class Scores:
    """What a goal's grounding is decided on: its object phrase, the forms encoded, per entry
    (the vocabulary's names, then the things outside a home) the best key against the best form
    (`sentence`) and the word association (`words`), the word-for-word evidence, and the
    probability that the goal means something a home contains."""

    phrase: Phrase
    variants: tuple[str, ...]
    sentence: np.ndarray
    words: np.ndarray
    names: int  # how many of the entries are names
    lexical: Lexical = Lexical()
    home: float = 1.0
    context: tuple[int, ...] = ()  # names that only say where the object is: never targets

    @property
    def query(self) -> str:
        return self.phrase.text

    def meaning(self, weight: float) -> np.ndarray:
        """Per entry, the sentence and word scores mixed with the word score's weight."""
        return (1.0 - weight) * self.sentence + weight * self.words

    def per_name(self, weight: float) -> np.ndarray:
        """Per name, its meaning or its word-for-word evidence, whichever is higher."""
        scores = self.meaning(weight)[: self.names].copy()
        scores[list(self.lexical.names)] = np.maximum(
            scores[list(self.lexical.names)], self.lexical.score
        )
        scores[[i for i in self.context if i not in self.lexical.names]] = -1.0
        return scores

    def per_outside(self, weight: float) -> np.ndarray:
        return self.meaning(weight)[self.names :]


@dataclass(frozen=True)
class Forms:
    """The forms of an object phrase (module docstring, step 2): those tried word for word in
    order, the head (before an anchor), the gist, and those encoded besides the gist."""

    exact: list[list[str]]
    head: list[str]
    place: bool  # whether all after the head is where the object is
    gist: list[str]
    encoded: tuple[list[str], ...]
    context_names: tuple[int, ...] = ()  # names that say where the object is


# What a key of the lookup table stands for: names of the vocabulary (by index), or another
# object or thing outside (by name, with whether it is outside a home).
_Owner = tuple[tuple[int, ...], str, bool]


class GoalGrounder:
    """Grounds goal text in a vocabulary; all keys are encoded once, here.

    `others`: objects a home may contain that are not among the vocabulary's names (for the
    simulator, the household objects it has no category for). A goal that names one of them word
    for word ("a laundry basket", "the microwave") is refused instead of being grounded to the
    nearest name (the washing machine, the stove). Only word for word: furniture is often
    described by what it holds ("where the milk is kept"), so a goal that merely mentions one is
    not refused.
    `outside`: things no home contains (animals, vehicles, street furniture, places). A goal
    that names one, or means one at least as well as every name, is refused: the encoder rates
    "a street lamp" close to the floor lamp for the word they share.
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
        other_entries = [
            entry
            for entry in (others.entries if others else ())
            if entry.name not in vocabulary.names
        ]
        # Encoded once (embeddings.py): every entry's texts, then the words of its texts
        # (step 4), then the texts of the other objects (for the home classifier).
        entries = (*vocabulary.entries, *self.outside)
        text_sets = [entry.texts for entry in entries]
        word_sets = [entry.words for entry in entries]
        texts = [t for texts in text_sets for t in texts]
        unique_words = sorted({w for words in word_sets for w in words})
        other_texts = [t for entry in other_entries for t in entry.texts]
        vectors = embedding_cache(self.encoder).encode([*texts, *unique_words, *other_texts])
        self._keys = vectors[: len(texts)]
        self._keys_t = np.ascontiguousarray(self._keys.T)
        self._starts = np.cumsum([0, *map(len, text_sets)])[:-1]
        words_end = len(texts) + len(unique_words)
        self._words_t = np.ascontiguousarray(vectors[len(texts) : words_end].T)
        row = {word: i for i, word in enumerate(unique_words)}
        self._word_rows = np.array([row[w] for words in word_sets for w in words])
        self._word_starts = np.cumsum([0, *map(len, word_sets)])[:-1]
        own = sum(map(len, text_sets[: len(vocabulary.entries)]))
        self.home = (
            HomeClassifier.fit(
                np.concatenate([self._keys[:own], vectors[words_end:]]),
                self._keys[own:],
            )
            if self.outside
            else None
        )
        # Word-for-word keys, the vocabulary's own first.
        self._lookup: dict[str, _Owner] = {}
        for index, entry in enumerate(vocabulary.entries):
            for key in entry.keys:  # as written, and as a goal's object phrase would be
                self._lookup.update(
                    dict.fromkeys((canonical(key), object_phrase(key)), ((index,), "", False))
                )
        index_of = {name: i for i, name in enumerate(vocabulary.names)}
        for word, names in vocabulary.general.items():
            self._lookup.setdefault(word, (tuple(index_of[n] for n in names), "", False))
        for entries, outside_home in ((other_entries, False), (self.outside, True)):
            for entry in entries:
                for key in (entry.name, *entry.aliases):
                    self._lookup.setdefault(canonical(key), ((), entry.name, outside_home))
        self._outside_words = {
            word for key, (_, _, out) in self._lookup.items() if out for word in key.split()
        }
        self._speller = Speller(
            _words(vocabulary.entries),
            _words([*other_entries, *self.outside]),
            self.encoder.is_known_word,
        )
        self._forms = functools.lru_cache(maxsize=1024)(self._make_forms)

    def forms(self, phrase: Phrase) -> Forms:
        """The forms of an object phrase (module docstring, step 2)."""
        return self._forms(phrase)

    def _make_forms(self, phrase: Phrase) -> Forms:
        words = phrase.text.split()
        mapped = self._speller.mapped(words)
        plain = phrase.plain(mapped)
        head, place = Phrase.head(plain)
        context = plain[len(head) :]  # where the object is, or a property of it
        place = (
            place
            and bool(context)
            and (
                context[-1] in PLACE_WORDS
                or " ".join(context[-2:]) in self._lookup
                or context[-1] in self._lookup
            )
        )
        exact = [words, mapped, plain]
        if place:  # the rest of the phrase is only where the object is
            exact += [Phrase.head(mapped)[0], head]
        encoded = (words, mapped, plain, *([head] if place else []))
        # Names the place names are not what is sought ("the chair by the desk"); a room only
        # says where ("the table in the living room").
        context_names = next(
            (
                self._lookup[key][0]
                for key in (" ".join(context[i:]) for i in range(len(context)))
                if place and key in self._lookup and key not in self.vocabulary.rooms
            ),
            (),
        )
        return Forms(exact, head, place, gist(plain).split(), encoded, context_names)

    def variants(self, phrase: Phrase) -> tuple[str, ...]:
        """The distinct forms of an object phrase that are encoded."""
        if not phrase.text:
            return ()
        forms = self.forms(phrase)
        return tuple(dict.fromkeys(" ".join(f) for f in (*forms.encoded, forms.gist) if f))

    def lexical(self, phrase: Phrase) -> Lexical:
        """The word-for-word evidence of an object phrase (module docstring, step 3)."""
        if not phrase.text:
            return Lexical()
        parts = [object_phrase(part) for part in f" {phrase.text} ".split(" or ")]
        if len(parts) > 1 and all(parts):
            found = [self._exact(Phrase(part, (), phrase.owners)) for part in parts]
            if all(f.names for f in found):
                names = tuple(dict.fromkeys(i for f in found for i in f.names))
                return Lexical(names, "", EXACT, "exact")
        exact = self._exact(phrase)
        return exact if exact.kind else self._partial(phrase)

    def _exact(self, phrase: Phrase) -> Lexical:
        for form in self.forms(phrase).exact:
            if (owner := self._lookup.get(" ".join(form))) is not None:
                return Lexical(owner[0], owner[1], EXACT, "exact")
        return Lexical()

    def _partial(self, phrase: Phrase) -> Lexical:
        forms = self.forms(phrase)
        head = forms.head
        for start in range(len(head)):
            names, other, outside_home = self._lookup.get(" ".join(head[start:]), ((), "", False))
            modifiers = head[:start]
            if gist(modifiers) != " ".join(modifiers):
                continue  # not a compound ("somewhere to put my coat")
            if names and not self._outside_words.intersection(modifiers) or outside_home:
                # A compound names its last noun ("the dinette chair" is a chair).
                return Lexical(names, other, SUFFIX if start else PARTIAL, "partial")
            # Another object only as the head noun with no word of the vocabulary's own before
            # it and nothing but its place after it: "my car keys", not "the telly box".
            if other and forms.place and not self._speller.own.intersection(modifiers):
                return Lexical(names, other, PARTIAL, "partial")
        return Lexical()

    def score(self, text: str) -> Scores:
        phrase = Phrase.of(text)
        variants = self.variants(phrase)
        words = tuple(self.forms(phrase).gist) if variants else ()
        encoded = self.encoder.encode([*variants, *words]).numpy()
        return self._scores(phrase, variants, encoded[: len(variants)], encoded[len(variants) :])

    def score_many(self, texts: Sequence[str]) -> list[Scores]:
        """The scores of many goals, their forms and words encoded in one batch (evaluations)."""
        phrases = [Phrase.of(text) for text in texts]
        variants = [self.variants(phrase) for phrase in phrases]
        words = [
            tuple(self.forms(phrase).gist) if forms else ()
            for phrase, forms in zip(phrases, variants, strict=True)
        ]
        unique = list(dict.fromkeys(t for texts in (*variants, *words) for t in texts))
        rows = {text: i for i, text in enumerate(unique)}
        encoded = self.encoder.encode_batch(unique).numpy()
        return [
            self._scores(
                phrase,
                forms,
                encoded[[rows[v] for v in forms]],
                encoded[[rows[w] for w in goal_words]],
            )
            for phrase, forms, goal_words in zip(phrases, variants, words, strict=True)
        ]

    def _scores(
        self, phrase: Phrase, variants: tuple[str, ...], encoded: np.ndarray, words: np.ndarray
    ) -> Scores:
        count = len(self.vocabulary.entries)
        if not variants:
            empty = np.zeros(count + len(self.outside))
            return Scores(phrase, (), empty, empty, count)
        unit = unit_rows(encoded)
        sentence = np.maximum.reduceat((unit @ self._keys_t).max(axis=0), self._starts)
        return Scores(
            phrase,
            variants,
            sentence,
            self._word_scores(unit_rows(words)),
            count,
            self.lexical(phrase),
            float(self.home.probability(unit).max()) if self.home else 1.0,
            self.forms(phrase).context_names,
        )

    def _word_scores(self, words: np.ndarray) -> np.ndarray:
        """Per entry, the word association of a goal's content words (module docstring, step
        4): each word's best match among the entry's words, weighted by how much better the
        word matches its best entry than it matches the entries on average."""
        if not len(words):
            return np.zeros(len(self._word_starts))
        similar = (words @ self._words_t)[:, self._word_rows]
        best = np.maximum.reduceat(similar, self._word_starts, axis=1)
        weight = best.max(axis=1) - best.mean(axis=1)
        return weight @ best / max(float(weight.sum()), 1e-6)

    def ground(self, text: str) -> Grounding:
        return self.decide(self.score(text))

    def ground_many(self, texts: Sequence[str]) -> list[Grounding]:
        return [self.decide(scores) for scores in self.score_many(texts)]

    def decide(self, scores: Scores, thresholds: Thresholds | None = None) -> Grounding:
        """The grounding a goal's scores give under the grounder's thresholds (or others),
        module docstring steps 3 and 4."""
        thresholds = thresholds or self.thresholds
        names = self.vocabulary.names
        attributes = scores.phrase.attributes

        def refused(reason: str) -> Grounding:
            return Grounding(scores.query, (), False, reason, attributes)

        if not scores.variants:
            return refused(scores.phrase.refusal or "the goal names no object")
        per_name = scores.per_name(thresholds.words)
        per_outside = scores.per_outside(thresholds.words)
        order = np.lexsort((-scores.meaning(thresholds.words)[: scores.names], -per_name))
        top = float(per_name[order[0]])
        here = f"none of the {len(names)} objects here"
        closest = f"closest: {names[order[0]]} {top:.2f}"
        lexical = scores.lexical
        outside_top = float(per_outside.max(initial=-1.0))
        if lexical.kind == "exact" and lexical.names:
            chosen = [i for i in order if i in lexical.names]
        elif lexical.other and lexical.score >= top:
            return refused(f"names {lexical.other}, {here} ({closest})")
        elif outside_top >= top and not lexical.names:
            thing = self.outside[int(np.argmax(per_outside))].name
            return refused(f"means {thing} ({outside_top:.2f}), {here} ({closest})")
        elif top < thresholds.accept:
            return refused(f"{here} matches ({closest}, below {thresholds.accept:.2f})")
        elif scores.home < thresholds.home and top < thresholds.sure and not lexical.names:
            return refused(
                f"does not seem to be a thing of a home (p={scores.home:.2f}), {here} ({closest})"
            )
        else:
            floor = max(thresholds.accept, top - thresholds.margin)
            chosen = [i for i in order[: thresholds.max_targets] if per_name[i] >= floor]
        targets = tuple(
            (names[i], round(float(per_name[i]), 3)) for i in chosen[: thresholds.max_targets]
        )
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
