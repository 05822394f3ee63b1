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
   or together, misspellings: speller.py); that without the attributes that tell instances
   apart ("red", "big", "wooden") and possessors, keeping those that may tell its kind ("comfy",
   "low": the modified form); that without any attributes ("grandpa's big recliner" ->
   "recliner"); the head, before a location anchor ("the lamp next to the sofa" -> "lamp");
   the gist, its content words ("somewhere I can boil pasta" -> "boil pasta"); and, word for
   word only, its first clause when chatter follows ("where's the loo, hurry hurry" -> "loo").
3. Word for word: the first form that is a key of a name (the name, another word people use
   for it, or one of its short descriptions) means that name; a general word of the vocabulary
   ("a cabinet") means all the names it stands for; "a sofa or an armchair" means both; another
   object a home may contain that the vocabulary says stands for some of its names means those
   ("a side table": the nightstand or the coffee table); a form that is another object the
   vocabulary lacks ("a laundry basket" in the simulator) or a thing no home contains ("a
   motorbike") is refused, and so is a room or place with no object of its own ("the hallway")
   and a living being ("my dog", "grandma"), each with its own reason. Failing that, a head
   that ends with a key ("the wobbly chair", "a chair with castors") is evidence for its owner
   (SUFFIX, PARTIAL), unless a word before that key is a word of a thing no home contains ("a
   river bed"), and then no name but its owner and those sharing the key's last noun is a target
   ("the long table that seats eight" is no chair); a head that is another object, with only
   its place after it, is evidence for that object ("my keys on the table").
   The evidence may then move among its candidates, its names and the names whose own last word
   ends with the key's last noun (armchair and office chair for "chair"): when a room is the
   object's place or a word before its head ("the table in the dining room", "the study
   chair"), or a general word's place is another name, which stands in some rooms ("the table
   next to the bed": a bedroom), to the candidates the room holds (vocabulary `rooms`), if any;
   else, when the modified form has words beyond the key, from several names to those the
   modified form means within the target `margin` of the best, and from one name to the
   candidate the modified form means better by the `sibling` margin ("a comfy chair": the
   armchair; "the chair at the computer": the office chair; "the red chair" stays a chair).
4. Meaning: every form is encoded by the sentence encoder and compared (cosine) with every key
   of every name and every thing outside a home (and the gist of every description): an
   entry's sentence score is its best key against the best form. Its word score: each content
   word of the goal against the entry's content words, weighted by how much better the word
   matches its best entry than the average one. A name's score is the two mixed by the `words`
   weight, or its word-for-word evidence when higher; names that only say where the object is
   ("the chair by the desk") are never targets. The goal is refused when another object named
   word for word, or a thing outside a home, scores at least as high as every name; when the
   top score is below `accept`; when the goal seems not to mean a thing of a home (kind.py:
   probability below `home`) and its top score is below `sure`; or, with a vocabulary that
   lacks other household objects (the simulator's), when the goal seems to mean one of those
   rather than one of its names (kind.py: probability below `own`) and its top score is below
   `own_sure`, unless its top name leads each of those by the `own_lead` ("something to make
   toast" is not the stove; "the leafy thing I water every Sunday" is the potted plant, which
   it matches better than the watering can), and when the goal matches one of
   those objects better than any name by the `lacked` margin ("the appliance I load the dirty
   plates into": the dishwasher; not when it describes a place by what is done there, "where I
   fry my eggs", as the frying pan is used there). Else every name within the `margin` of the
   top score is a target. All ten thresholds are calibrated on data, per vocabulary and
   encoder (`python -m filmnav_language.calibrate`, see calibrate.py), never per phrase.
5. Chatter: when the object phrase names nothing word for word, a last clause after the chatter
   that is one of the names is the goal ("i'm wiped lol, bed pls"); else a request inside the goal
   that names one decides it ("ugh the dishes are piling up lol go look at the sink"; "my back is
   killing me after that long drive, go wait by the chair", which only looks like several goals in
   a row): the first key named after a request (with the words that modify it), if it is one of the
   names ("go find the remote on the sofa" asks for another object); or, after a request that names
   nothing ("go look", "go there"), the first of the names before it ("the cat is on the counter
   again, go shoo her off"). A room or place there says where, and a description of an unnamed
   thing ("something to sit on at the table") is left to the meaning.
6. Mentions: a long message (CHATTY_WORDS or more) whose requests name and describe nothing of
   the names, or ask for another object ("lost my glasses again lol, prob on the bedside table,
   check there"), is about the name it mentions most, the first of those mentioned as often; a
   name it excludes ("not the couch") does not count. In a shorter goal, and in one that
   describes an unnamed thing ("the low thing in front of the couch where we put our mugs"), a
   named thing is the object's place.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path

import numpy as np
import yaml

from filmnav_language.embeddings import embedding_cache, unit_rows
from filmnav_language.kind import HOME_L2, OWN_L2, KindClassifier
from filmnav_language.phrases import (
    ATTRIBUTE_WORDS,
    CHAT_WORDS,
    CONTRACTIONS,
    KIND_WORDS,
    PLACE_WORDS,
    Phrase,
    anchor_at,
    canonical,
    directed_spans,
    ends_noun_phrase,
    excluded,
    gist,
    object_phrase,
    short,
)
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
NAMED_WORDS = 5  # the longest key looked for inside a chatty goal's request
# The fewest words of a message whose most mentioned name is its goal (step 6): object phrases
# with a place ("the tall lamp standing in the corner behind the sofa") are shorter.
CHATTY_WORDS = 14
NAMED_MODIFIERS = 2  # words before it taken as its modifiers
# Words that start a description of an unnamed object ("something to sit on at the table").
_DESCRIBING = frozenset("something somewhere thing things stuff place spot one where what".split())
# First words of a goal that describes a place by what is done there ("where I fry my eggs"): it
# is the furniture there, and the things used there (the frying pan) say nothing against it.
_PLACE_DESCRIBING = frozenset("where wherever somewhere place spot".split())


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


def _read_vocabulary(name: str) -> tuple[dict[str, VocabularyEntry], dict]:
    """Entries by name, and the sections beside them (Vocabulary's other fields, by name),
    those of the vocabulary it extends first."""
    data = _vocabulary_file(name)
    entries, sections = (
        _read_vocabulary(data["extends"])
        if "extends" in data
        else ({}, {"general": {}, "rooms": {}, "places": set(), "stands_for": {}, "beings": {}})
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

    def names_of(section: str) -> dict[str, tuple[str, ...]]:
        found = data.get(section) or {}
        for word, names in found.items():
            if unknown := set(names) - set(entries):
                raise ValueError(
                    f"vocabulary {name!r}: {section} {word!r} names unknown {unknown}"
                )
        return {word: tuple(names) for word, names in found.items()}

    own_rooms, contents = names_of("rooms"), names_of("room_contents")
    if unknown := set(contents) - set(own_rooms):
        raise ValueError(f"vocabulary {name!r}: room_contents of unknown rooms {unknown}")
    for word, names in {**names_of("general"), **own_rooms}.items():
        sections["general"][canonical(word)] = names
    for room, names in own_rooms.items():
        sections["rooms"][canonical(room)] = tuple(dict.fromkeys(names + contents.get(room, ())))
    sections["places"] |= {canonical(word) for word in data.get("places") or ()}
    sections["stands_for"].update(names_of("stands_for"))
    for being, words in (data.get("beings") or {}).items():
        sections["beings"].update(dict.fromkeys(map(canonical, words), being))
    return entries, sections


@dataclass(frozen=True)
class Vocabulary:
    """The object names goals are grounded to, with their keys (name, aliases, descriptions),
    and general words that stand for several of them ("a cabinet"). Beside them:
    rooms: a room is a general word for the objects only it has ("the kitchen"); here, each
    room with the names it holds (those, then others it commonly has), which prefer among the
    names a goal's head may mean ("the chair in the study" is the office chair).
    places: rooms and parts of a home with none of the names of their own ("the hallway").
    stands_for: other objects a home may contain, which the vocabulary lacks, that people take
    for some of its names (a "side table" is a nightstand or a coffee table).
    beings: words of living beings (pets, people) by their kind, never objects to find."""

    name: str
    entries: tuple[VocabularyEntry, ...]
    general: dict[str, tuple[str, ...]] = field(default_factory=dict)
    rooms: dict[str, tuple[str, ...]] = field(default_factory=dict)
    places: frozenset[str] = frozenset()
    stands_for: dict[str, tuple[str, ...]] = field(default_factory=dict)
    beings: dict[str, str] = field(default_factory=dict)

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
        order when given; a given name the file lacks is kept, grounded by the name alone. A
        room with none of its own names left is a place."""
        entries, sections = _read_vocabulary(name)
        if names is not None:
            entries = {n: entries.get(n, VocabularyEntry(n)) for n in names}

        def kept(section: dict[str, tuple[str, ...]]) -> dict[str, tuple[str, ...]]:
            return {
                word: present
                for word, names_of_word in section.items()
                if word not in entries
                and (present := tuple(n for n in names_of_word if n in entries))
            }

        general = kept(sections["general"])
        rooms = {room: names for room, names in kept(sections["rooms"]).items() if room in general}
        return cls(
            name,
            tuple(entries.values()),
            general,
            rooms,
            frozenset(sections["places"] | set(sections["rooms"]) - set(rooms)),
            kept(sections["stands_for"]),
            sections["beings"],
        )

    @property
    def names(self) -> tuple[str, ...]:
        return tuple(entry.name for entry in self.entries)


THRESHOLD_KEYS = (
    "accept",
    "margin",
    "home",
    "sure",
    "words",
    "sibling",
    "own",
    "own_sure",
    "lacked",
    "own_lead",
)


@dataclass(frozen=True)
class Thresholds:
    """The calibrated thresholds (module docstring, step 4). accept: the top score a goal needs
    to be grounded; margin: names scoring within this of the top one are targets too; home: the
    probability a goal needs of meaning something a home contains (kind.py), unless its top
    score is at least `sure`; words: the weight of the word score in a name's score; sibling:
    how much better than the name a goal's head means word for word another name sharing its
    head noun must match the goal with its modifiers to take its place (step 3; infinite:
    never); own: the probability a goal needs of meaning one of the names rather than another
    household object the vocabulary lacks (kind.py), unless its top score is at least
    `own_sure` or its top name leads every household object the vocabulary lacks (scored as the
    names are) by `own_lead`; lacked: how much better a goal must match such an object than its
    top name to be refused as that object (infinite: never)."""

    accept: float
    margin: float
    home: float = 0.0
    sure: float = 1.0
    words: float = 0.0
    sibling: float = float("inf")
    own: float = 0.0
    own_sure: float = 1.0
    lacked: float = float("inf")
    own_lead: float = float("inf")
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
    ("red", "wooden"), which the caller may use to pick among instances; refused_as: what a
    refused goal was taken for instead (`PLACE`, `BEING`, `OUTSIDE_HOME`, `OTHER`; "" when it
    was accepted or simply matched nothing)."""

    query: str
    targets: tuple[tuple[str, float], ...]
    accepted: bool
    reason: str
    attributes: tuple[str, ...] = field(default=())
    refused_as: str = ""

    @property
    def names(self) -> tuple[str, ...]:
        return tuple(name for name, _ in self.targets)


# What owns a key of the lookup table (besides the vocabulary's own names): another object a
# home may contain, a thing outside a home, a room or place without an object of its own, a
# living being.
OWN, OTHER, OUTSIDE_HOME, PLACE, BEING = "", "other", "outside", "place", "being"


@dataclass(frozen=True)
class Lexical:
    """Word-for-word evidence (module docstring, step 3): the names a form means, or another
    object, thing outside, place or kind of being it names (`other`, owned as `owner`), with
    its score, kind (exact, partial) and the key that matched."""

    names: tuple[int, ...] = ()
    other: str = ""
    score: float = 0.0
    kind: str = ""
    key: str = ""
    owner: str = OWN


@dataclass(frozen=True)
class Scores:
    """What a goal's grounding is decided on: its object phrase, the forms encoded, per entry
    (the vocabulary's names, then the things outside a home) the best key against the best form
    (`sentence`) and the word association (`words`), the word-for-word evidence, and the
    probabilities that the goal means something a home contains and one of the names rather than
    another household object the vocabulary lacks."""

    phrase: Phrase
    variants: tuple[str, ...]
    sentence: np.ndarray
    words: np.ndarray
    names: int  # how many of the entries are names
    lexical: Lexical = Lexical()
    home: float = 1.0
    own: float = 1.0
    # Per household object the vocabulary lacks (the grounder's `lacked`), its sentence and
    # word scores, as the names' (`sentence`, `words`).
    lacked: np.ndarray = field(default_factory=lambda: np.zeros((2, 0)))
    context: tuple[int, ...] = ()  # names that only say where the object is: never targets
    # Names the word-for-word evidence may move to (its names and those sharing its head noun)
    # when the goal says a room or modifies the head, the names of that room, and per name the
    # sentence and word scores of the form with the modifiers (step 3).
    candidates: tuple[int, ...] = ()
    room: tuple[int, ...] = ()
    modified: np.ndarray | None = None
    # The scores of a request inside the goal that names one of the names word for word, or of
    # the name a long message mentions most, when the goal's object phrase names none ("dishes
    # piling up lol go look at the sink": "sink"; steps 5 and 6).
    directed: Scores | None = None

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
        if self.lexical.kind == "partial" and self.lexical.names:
            # a head that is a key names the object ("the long table that seats eight" is a
            # table, not the chairs its property mentions): the others are not targets
            keep = {*self.lexical.names, *self.candidates}
            scores[[i for i in range(self.names) if i not in keep]] = -1.0
        return scores

    def per_outside(self, weight: float) -> np.ndarray:
        return self.meaning(weight)[self.names :]

    def best_lacked(self, weight: float) -> tuple[int, float]:
        """The household object the vocabulary lacks that the goal means best (index into the
        grounder's `lacked`) and its score, mixed as the names' are; (-1, -1.0) with none."""
        if not self.lacked.shape[1]:
            return -1, -1.0
        meaning = (1.0 - weight) * self.lacked[0] + weight * self.lacked[1]
        best = int(np.argmax(meaning))
        return best, float(meaning[best])

    def resolved(self, thresholds: Thresholds) -> Scores:
        """The scores with the word-for-word evidence moved among its candidates (module
        docstring, step 3): to those the goal's room holds; else, when the goal modifies the
        key, among several names (a general word) to those within the target margin of the
        best, and from one name to another that the goal with its modifiers means better by the
        sibling margin."""
        if not self.candidates:
            return self
        if in_room := tuple(i for i in self.candidates if i in self.room):
            return replace(self, lexical=replace(self.lexical, names=in_room))
        if self.modified is None:
            return self
        meaning = (1.0 - thresholds.words) * self.modified[0] + thresholds.words * self.modified[1]
        own = list(self.lexical.names)
        if len(own) > 1:
            best = float(meaning[own].max())
            names = tuple(i for i in own if meaning[i] >= best - thresholds.margin)
        else:
            other = max((i for i in self.candidates if i not in own), key=lambda i: meaning[i])
            moves = meaning[other] - meaning[own[0]] >= thresholds.sibling
            names = (other,) if moves else self.lexical.names
        return replace(self, lexical=replace(self.lexical, names=names))


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
    room: tuple[int, ...] = ()  # the names of the room that is the object's place
    # The phrase with the attributes that may tell its kind ("comfy"), and its place when that
    # is another object ("the chair at the computer"), without those that tell instances apart.
    modified: list[str] = field(default_factory=list)


# What a key of the lookup table stands for: names of the vocabulary (by index), or what else it
# names (another object or thing outside by name, a place, a kind of being) and its owner kind.
_Owner = tuple[tuple[int, ...], str, str]


class GoalGrounder:
    """Grounds goal text in a vocabulary; all keys are encoded once, here.

    `others`: objects a home may contain that are not among the vocabulary's names (for the
    simulator, the household objects it has no category for). A goal that names one of them word
    for word ("a laundry basket", "the microwave") is refused instead of being grounded to the
    nearest name (the washing machine, the stove). Only word for word: furniture is often
    described by what it holds ("where the milk is kept"), so a goal that merely mentions one is
    not refused.
    Those the vocabulary says stand for some of its names ("a side table") mean them instead;
    the others are the vocabulary's `lacked` objects, and a classifier tells goals that mean one
    of them from those that mean one of the names (kind.py; the calibration refits it without
    some of them, `fit_own`).
    `outside`: things no home contains (animals, vehicles, street furniture, places). A goal
    that names one, or means one at least as well as every name, is refused: the encoder rates
    "a street lamp" close to the floor lamp for the word they share. A goal that names a living
    being of its `beings` ("my dog", "grandma") word for word is refused as not an object.
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
        self.lacked = tuple(e for e in other_entries if e.name not in vocabulary.stands_for)
        # Encoded once (embeddings.py): every entry's texts, then the words of its texts
        # (step 4), then the texts of the other objects (for the home classifier), the lacked
        # ones first (for the lacked rule, step 4).
        entries = (*vocabulary.entries, *self.outside)
        text_sets = [entry.texts for entry in entries]
        word_sets = [entry.words for entry in entries]
        lacked_word_sets = [entry.words for entry in self.lacked]
        texts = [t for texts in text_sets for t in texts]
        unique_words = sorted({w for words in word_sets + lacked_word_sets for w in words})
        lacked_sets = [entry.texts for entry in self.lacked]
        other_texts = [
            *(t for ts in lacked_sets for t in ts),
            *(t for e in other_entries if e.name in vocabulary.stands_for for t in e.texts),
        ]
        vectors = embedding_cache(self.encoder).encode([*texts, *unique_words, *other_texts])
        self._keys = vectors[: len(texts)]
        self._keys_t = np.ascontiguousarray(self._keys.T)
        self._starts = np.cumsum([0, *map(len, text_sets)])[:-1]
        words_end = len(texts) + len(unique_words)
        self._words_t = np.ascontiguousarray(vectors[len(texts) : words_end].T)
        row = {word: i for i, word in enumerate(unique_words)}
        self._word_rows = np.array([row[w] for words in word_sets for w in words])
        self._word_starts = np.cumsum([0, *map(len, word_sets)])[:-1]
        self._lacked_word_rows = np.array(
            [row[w] for words in lacked_word_sets for w in words], dtype=int
        )
        self._lacked_word_starts = np.cumsum([0, *map(len, lacked_word_sets)])[:-1]
        self._own_keys = sum(map(len, text_sets[: len(vocabulary.entries)]))
        lacked_end = words_end + sum(map(len, lacked_sets))
        self._lacked_t = np.ascontiguousarray(vectors[words_end:lacked_end].T)
        self._lacked_starts = np.cumsum([0, *map(len, lacked_sets)])[:-1]
        self.home = (
            KindClassifier.fit(
                np.concatenate([self._keys[: self._own_keys], vectors[words_end:]]),
                self._keys[self._own_keys :],
                HOME_L2,
            )
            if self.outside
            else None
        )
        self.own: KindClassifier | None = None
        self.fit_own(self.lacked)
        # Word-for-word keys, the vocabulary's own first.
        self._lookup: dict[str, _Owner] = {}
        for index, entry in enumerate(vocabulary.entries):
            for key in entry.keys:  # as written, and as a goal's object phrase would be
                self._lookup.update(
                    dict.fromkeys((canonical(key), object_phrase(key)), ((index,), "", OWN))
                )
        index_of = {name: i for i, name in enumerate(vocabulary.names)}

        def indices(names: Iterable[str]) -> tuple[int, ...]:
            return tuple(index_of[n] for n in names)

        for word, names in vocabulary.general.items():
            self._lookup.setdefault(word, (indices(names), "", OWN))
        for word in vocabulary.places:
            self._lookup.setdefault(word, ((), word, PLACE))
        for entries, kind in ((other_entries, OTHER), (self.outside, OUTSIDE_HOME)):
            for entry in entries:
                stands_for = indices(vocabulary.stands_for.get(entry.name, ()))
                owner = (stands_for, "", OWN) if stands_for else ((), entry.name, kind)
                for key in (entry.name, *entry.aliases):
                    self._lookup.setdefault(canonical(key), owner)
        beings = outside.beings if outside else {}
        for word, being in beings.items():
            self._lookup.setdefault(word, ((), being, BEING))
        own_words = _words(vocabulary.entries)
        # Words of things outside a home that no name's key has ("river"; not the "gas" of "gas
        # station", as there are gas stoves).
        self._outside_words = {
            word
            for key, (_, _, kind) in self._lookup.items()
            if kind == OUTSIDE_HOME
            for word in key.split()
        } - own_words
        # The last word of each name: a name whose last word ends with a goal's head noun is a
        # kind of it ("chair": chair, armchair, office chair; not the sofa for "sofa bed").
        self._name_ends = [canonical(name).split()[-1] for name in vocabulary.names]
        self._rooms = {room: indices(names) for room, names in vocabulary.rooms.items()}
        self._object_words = _words([*vocabulary.entries, *other_entries]) | {
            word
            for general in vocabulary.general
            if general not in vocabulary.rooms  # "the family cat" is no object's
            for word in general.split()
        }
        self._speller = Speller(
            own_words,
            _words([*other_entries, *self.outside]) | {w for b in beings for w in b.split()},
            lambda word: (
                word in CONTRACTIONS or word in CHAT_WORDS or self.encoder.is_known_word(word)
            ),
            {
                word: entry.name
                for entry in vocabulary.entries
                for key in (entry.name, *entry.aliases)
                if len((word := canonical(key)).split()) == 1
            },
        )
        self._forms = functools.lru_cache(maxsize=1024)(self._make_forms)

    def fit_own(self, lacked: Sequence[VocabularyEntry]) -> None:
        """Fits the classifier that tells goals meaning one of the names from those meaning one
        of `lacked`, household objects the vocabulary lacks (none: no such classifier)."""
        texts = [text for entry in lacked for text in entry.texts]
        self.own = (
            KindClassifier.fit(
                self._keys[: self._own_keys], embedding_cache(self.encoder).encode(texts), OWN_L2
            )
            if texts
            else None
        )

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
            and (
                not context  # nothing after the head
                or context[-1] in PLACE_WORDS
                or " ".join(context[-2:]) in self._lookup
                or context[-1] in self._lookup
            )
        )
        # The phrase with the attributes that may tell its kind ("comfy chair").
        kinded = phrase.plain(mapped, keep=KIND_WORDS)
        exact = [words, mapped, kinded, plain]
        if place:  # the rest of the phrase is only where the object is
            exact += [Phrase.head(mapped)[0], head]
        if phrase.lead:  # its first clause alone, before the chatter after it
            exact.append(self._speller.mapped(phrase.lead.split()))
        encoded = (words, mapped, plain, *([Phrase.head(kinded)[0]] if place else []))
        # Names the place names are not what is sought ("the chair by the desk"); a room only
        # says where ("the table in the living room"), and prefers what it holds.
        suffixes = [" ".join(context[i:]) for i in range(len(context))] if place else []
        context_names = next(
            (
                self._lookup[key][0]
                for key in suffixes
                if key in self._lookup and key not in self._rooms
            ),
            (),
        )
        if not place and self._names_of_end(head):
            # A head that names an object keeps it the target: names among its properties
            # describe it ("the table with six chairs around it" is a table).
            context_names = tuple(
                sorted(
                    {
                        i
                        for start in range(len(context))
                        for i in self._names_of_end(context[: start + 1])
                    }
                )
            )
        room = next((self._rooms[key] for key in suffixes if key in self._rooms), ())
        # The place tells the kind only when it is another object ("the chair at the computer").
        shows_kind = not (context_names or room or context and context[-1] in PLACE_WORDS)
        modified = Phrase.head(kinded)[0] if place and not shows_kind else kinded
        return Forms(
            exact, head, place, gist(plain).split(), encoded, context_names, room, modified
        )

    def _names_of_end(self, words: list[str]) -> tuple[int, ...]:
        """The names that the end of `words` (its last one to three words) means word for
        word, if any."""
        for size in (3, 2, 1):
            key = " ".join(words[-size:])
            if len(words) >= size and key not in self._rooms:
                names, _, owner = self._lookup.get(key, ((), "", OWN))
                if names and owner == OWN:
                    return names
        return ()

    def _rooms_holding(self, names: tuple[int, ...]) -> tuple[int, ...]:
        """The names held by the rooms that hold any of `names`."""
        wanted = set(names)
        return tuple(
            sorted({i for held in self._rooms.values() if wanted & set(held) for i in held})
        )

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
            # "the tv in the bedroom or the lounge": a room after the first part is another place
            rooms = any(f.key in self._rooms for f in found[1:])
            if all(f.names for f in found) and not rooms:
                names = tuple(dict.fromkeys(i for f in found for i in f.names))
                return Lexical(names, "", EXACT, "exact")
        exact = self._exact(phrase)
        return exact if exact.kind else self._partial(phrase)

    def _exact(self, phrase: Phrase) -> Lexical:
        for form in self.forms(phrase).exact:
            key = " ".join(form)
            if (owner := self._lookup.get(key)) is not None:
                return Lexical(owner[0], owner[1], EXACT, "exact", key, owner[2])
        return Lexical()

    def _partial(self, phrase: Phrase) -> Lexical:
        forms = self.forms(phrase)
        head = forms.head
        for start in range(len(head)):
            key = " ".join(head[start:])
            names, other, owner = self._lookup.get(key, ((), "", OWN))
            modifiers = head[:start]
            if gist(modifiers) != " ".join(modifiers):
                continue  # not a compound ("somewhere to put my coat")
            found = Lexical(names, other, SUFFIX if start else PARTIAL, "partial", key, owner)
            if names and not self._outside_words.intersection(modifiers) or owner == OUTSIDE_HOME:
                # A compound names its last noun ("the dinette chair" is a chair).
                return found
            # A place or being with no known object's word before it ("the family dog", not
            # "a toy dog").
            if owner in (PLACE, BEING) and not self._object_words.intersection(modifiers):
                return found
            # Another object only as the head noun with no word of the vocabulary's own before
            # it and nothing but its place after it: "my car keys", not "the telly box".
            if owner == OTHER and forms.place and not self._speller.own.intersection(modifiers):
                return replace(found, score=PARTIAL)
        return Lexical()

    def _texts(self, phrase: Phrase) -> tuple[tuple[str, ...], str, tuple[str, ...]]:
        """What a goal's scores need encoded: its variants, its modified form (Forms), and the
        content words of both."""
        variants = self.variants(phrase)
        if not variants:
            return (), "", ()
        forms = self.forms(phrase)
        words = tuple(dict.fromkeys([*forms.gist, *gist(forms.modified).split()]))
        return variants, " ".join(forms.modified), words

    def _directed(self, text: str, phrase: Phrase) -> Phrase | None:
        """The object a chatty goal asks for (module docstring, steps 5 and 6), when the goal's
        own object phrase names nothing word for word and the goal is not refused (a command, a
        negation, several goals that each name something): the first key named after the first
        request that names one ("dishes piling up lol go look at the sink": the sink; "go find
        the remote" asks for another object: no request decides); for a request that names
        nothing ("go look", "go there"), the first of the names named before it ("the cat is on
        the counter again, go shoo her off"); else, in a long message whose requests name and
        describe nothing, the name it mentions most (_mentioned)."""
        lexical = self.lexical(phrase)
        several = phrase.sequence and all(
            self._named(self._speller.mapped(part.split())) for part in phrase.sequence
        )
        if phrase.refusal and (several or not phrase.sequence):
            return None
        if lexical.kind == "exact" or lexical.names:
            return None
        if (named := self._last_clause_named(text)) is not None:
            return named
        # a request that describes an unnamed thing ("go wait by where we eat") or names a key
        # that modifies another noun ("go dig between the couch cushions"): no mention decides
        pointed_back, described = "", False
        for before, span in directed_spans(text):
            words = self._speller.mapped(Phrase.of(span).text.split())
            named = self._named(words)
            if not named:
                pointed_back = pointed_back or before
                described = described or bool(_DESCRIBING.intersection(words[:1]))
                continue
            start, end = named[0]
            names, _, owner = self._lookup[" ".join(words[start:end])]
            if _DESCRIBING.intersection(words[:start]):
                described = True
            elif not ends_noun_phrase(words[end:]):
                # a name that modifies another noun ("couch cushions"; not "mum gets home")
                described = described or (bool(names) and owner == OWN)
            elif asked_for := self._named_phrase(words, named[0]):
                return asked_for
        words = self._speller.mapped(pointed_back.split())
        found = (self._named_phrase(words, where) for where in self._named(words))
        pointed = next((phrase for phrase in found if phrase), None)
        # a goal that describes an unnamed thing names others only as its place or use ("the
        # low thing in front of the couch where we put our mugs")
        phrase_words = phrase.text.split()
        head = phrase_words[: anchor_at(phrase_words)[0]]
        if pointed or described or lexical.other or _DESCRIBING.intersection(head):
            return pointed
        return self._mentioned(text)

    def _last_clause_named(self, text: str) -> Phrase | None:
        """The last clause of a goal after chatter, when it is word for word one of the names
        ("i'm wiped lol, bed pls"; "so cold my toes are numb, fireplace pls")."""
        if "," not in text:
            return None
        last = Phrase.of(text.rsplit(",", 1)[1])
        if not last.text:
            return None
        names, _, owner = self._lookup.get(
            " ".join(self._speller.mapped(last.text.split())), ((), "", OWN)
        )
        return last if names and owner == OWN else None

    def _mentioned(self, text: str) -> Phrase | None:
        """The name a long chatty message mentions most, the first of those mentioned as often
        ("cleaned out the fridge and now my sunglasses are gone, maybe in the kitchen bin?? the
        rubbish one": the trash can), counting only keys that end their noun phrase and are not
        excluded ("not the couch"); none in a message shorter than CHATTY_WORDS, where a named
        thing is the object's place ("the lamp standing by the couch")."""
        words = self._speller.mapped(canonical(text).split())
        if len(words) < CHATTY_WORDS:
            return None
        mentions: dict[tuple[int, ...], list[Phrase]] = {}
        for start, end in self._named(words):
            if not ends_noun_phrase(words[end:]) or excluded(words[:start]):
                continue
            if phrase := self._named_phrase(words, (start, end)):
                mentions.setdefault(self._lookup[" ".join(words[start:end])][0], []).append(phrase)
        most = max(mentions.values(), key=len, default=[])  # the first of the most: max is stable
        return most[0] if most else None

    def _named(self, words: list[str]) -> list[tuple[int, int]]:
        """Where keys are named word for word in `words`, in order: (start, end), the longest
        key at each place, not overlapping."""
        found, at = [], 0
        while at < len(words):
            end = next(
                (
                    at + size
                    for size in range(min(NAMED_WORDS, len(words) - at), 0, -1)
                    if " ".join(words[at : at + size]) in self._lookup
                ),
                at,
            )
            key = " ".join(words[at:end])
            if end > at and key not in self._rooms and self._lookup[key][2] != PLACE:
                found.append((at, end))  # a room or place says where, not what
            at = max(end, at + 1)
        return found

    def _named_phrase(self, words: list[str], where: tuple[int, int]) -> Phrase | None:
        """The object phrase of a named key with its modifiers, when the key is one of the names
        (a general word takes what follows it too: "the table where we eat")."""
        start, end = where
        names, _, owner = self._lookup[" ".join(words[start:end])]
        if not names or owner != OWN:
            return None
        # with its modifiers ("my spinny work chair"), up to its determiner
        while start > 0 and end - start <= NAMED_MODIFIERS and gist(words[start - 1 : start]):
            start -= 1
        # a property after it describes it, and so does all after a general word but attributes
        # ("the chair with little wheels", "the table we eat at"; "the cabinet upstairs")
        general = len(names) > 1 and not ATTRIBUTE_WORDS.issuperset(words[end:])
        described = general or anchor_at(words[end - 1 :]) == (1, False)
        return Phrase.of(" ".join(words[start : len(words) if described else end]))

    def _needed(self, phrase: Phrase, directed: Phrase | None) -> list[str]:
        """Every text a goal's scores need encoded, its directed request's too (_texts)."""
        needed = []
        for part in (phrase, directed):
            variants, modified, words = self._texts(part) if part else ((), "", ())
            if variants:
                needed += [*variants, modified, *words]
        return needed

    def score(self, text: str) -> Scores:
        phrase = Phrase.of(text)
        directed = self._directed(text, phrase)
        texts = list(dict.fromkeys(self._needed(phrase, directed)))
        encoded = unit_rows(self.encoder.encode(texts).numpy()) if texts else []
        return self._scores(phrase, dict(zip(texts, encoded, strict=True)), directed)

    def score_many(self, texts: Sequence[str]) -> list[Scores]:
        """The scores of many goals, their forms and words encoded in one batch (evaluations)."""
        phrases = [Phrase.of(text) for text in texts]
        directed = [self._directed(t, p) for t, p in zip(texts, phrases, strict=True)]
        unique = list(
            dict.fromkeys(
                t for pair in zip(phrases, directed, strict=True) for t in self._needed(*pair)
            )
        )
        vectors = dict(
            zip(unique, unit_rows(self.encoder.encode_batch(unique).numpy()), strict=True)
        )
        return [
            self._scores(phrase, vectors, inner)
            for phrase, inner in zip(phrases, directed, strict=True)
        ]

    def _scores(
        self, phrase: Phrase, vectors: dict[str, np.ndarray], directed: Phrase | None = None
    ) -> Scores:
        """A goal's scores from the unit vectors of its texts (_needed)."""
        count = len(self.vocabulary.entries)
        inner = self._scores(directed, vectors) if directed else None
        variants, modified, _ = self._texts(phrase)
        if not variants:
            empty = np.zeros(count + len(self.outside))
            return Scores(phrase, (), empty, empty, count, directed=inner)
        unit = np.stack([vectors[v] for v in variants])
        sentence = np.maximum.reduceat((unit @ self._keys_t).max(axis=0), self._starts)
        forms = self.forms(phrase)
        lexical = self.lexical(phrase)

        def word_vectors(words: Iterable[str]) -> np.ndarray:
            return np.array([vectors[w] for w in words])

        candidates, modified_scores = (), None
        # The evidence may move when the goal says its room, or modifies the key it matched.
        added = [w for w in forms.modified if w not in lexical.key.split()]
        room = forms.room or self._room_among(added)
        if not room and len(lexical.names) > 1 and forms.context_names:
            # A general word placed by another name: the rooms that name stands in.
            room = self._rooms_holding(forms.context_names)
        if lexical.names and lexical.key and (room or added):
            noun = lexical.key.split()[-1]
            kinds = (i for i, end in enumerate(self._name_ends) if end.endswith(noun))
            candidates = tuple(sorted({*lexical.names, *kinds}))
            if added:
                modified_scores = np.stack(
                    [
                        np.maximum.reduceat(vectors[modified] @ self._keys_t, self._starts),
                        self._word_scores(word_vectors(gist(forms.modified).split())),
                    ]
                )[:, :count]
        goal_words = word_vectors(forms.gist)
        return Scores(
            phrase,
            variants,
            sentence,
            self._word_scores(goal_words),
            count,
            lexical,
            float(self.home.probability(unit).max()) if self.home else 1.0,
            float(self.own.probability(unit).max()) if self.own else 1.0,
            self._lacked_scores(unit, goal_words),
            forms.context_names,
            candidates if len(candidates) > 1 else (),
            room,
            modified_scores,
            inner,
        )

    def _lacked_scores(self, unit: np.ndarray, words: np.ndarray) -> np.ndarray:
        """Per household object the vocabulary lacks, its sentence score (its best key against
        the best of a goal's forms, unit vectors) and its word score (the goal's content words,
        weighted as for the names)."""
        if not self.lacked:
            return np.zeros((2, 0))
        sentence = np.maximum.reduceat((unit @ self._lacked_t).max(axis=0), self._lacked_starts)
        if not len(words):
            return np.stack([sentence, np.zeros_like(sentence)])
        weight = _word_weights(self._best_word_matches(words))
        similar = (words @ self._words_t)[:, self._lacked_word_rows]
        best = np.maximum.reduceat(similar, self._lacked_word_starts, axis=1)
        return np.stack([sentence, weight @ best / max(float(weight.sum()), 1e-6)])

    def _room_among(self, words: list[str]) -> tuple[int, ...]:
        """The names of a room named among words ("the study chair"), if any."""
        return next(
            (
                self._rooms[key]
                for size in (3, 2, 1)
                for i in range(len(words) - size + 1)
                if (key := " ".join(words[i : i + size])) in self._rooms
            ),
            (),
        )

    def _word_scores(self, words: np.ndarray) -> np.ndarray:
        """Per entry, the word association of a goal's content words (module docstring, step
        4): each word's best match among the entry's words, weighted by how much better the
        word matches its best entry than it matches the entries on average."""
        if not len(words):
            return np.zeros(len(self._word_starts))
        best = self._best_word_matches(words)
        weight = _word_weights(best)
        return weight @ best / max(float(weight.sum()), 1e-6)

    def _best_word_matches(self, words: np.ndarray) -> np.ndarray:
        """Per goal word (rows) and entry, the word's best match among the entry's words."""
        similar = (words @ self._words_t)[:, self._word_rows]
        return np.maximum.reduceat(similar, self._word_starts, axis=1)

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

        def refused(reason: str, taken_for: str = "") -> Grounding:
            return Grounding(scores.query, (), False, reason, attributes, taken_for)

        if scores.directed is not None:  # a request inside the chatter names the object
            inner = self.decide(scores.directed, thresholds)
            if inner.accepted:
                return inner
        if not scores.variants:
            return refused(scores.phrase.refusal or "the goal names no object")
        scores = scores.resolved(thresholds)
        per_name = scores.per_name(thresholds.words)
        per_outside = scores.per_outside(thresholds.words)
        order = np.lexsort((-scores.meaning(thresholds.words)[: scores.names], -per_name))
        top = float(per_name[order[0]])
        here = f"none of the {len(names)} objects here"
        closest = f"closest: {names[order[0]]} {top:.2f}"
        lexical = scores.lexical
        outside_top = float(per_outside.max(initial=-1.0))
        lacked = scores.best_lacked(thresholds.words)
        # the objects used at a place say nothing against the furniture there (_PLACE_DESCRIBING)
        describes_place = scores.query.split()[0] in _PLACE_DESCRIBING
        if lexical.kind == "exact" and lexical.names:
            chosen = [i for i in order if i in lexical.names]
        elif lexical.owner == PLACE and lexical.score >= top:
            return refused(
                f"'{short(lexical.other)}' is a room or place, with none of the {len(names)} "
                "objects here of its own: name an object in it",
                PLACE,
            )
        elif lexical.owner == BEING and lexical.score >= top:
            return refused(
                f"'{short(scores.query)}' is a {lexical.other}, a living being, not an object "
                "to find",
                BEING,
            )
        elif lexical.other and lexical.score >= top:
            return refused(f"names {lexical.other}, {here} ({closest})", lexical.owner or OTHER)
        elif outside_top >= top and not lexical.names:
            thing = self.outside[int(np.argmax(per_outside))].name
            return refused(
                f"seems to be something outside a home (nearest: {thing} {outside_top:.2f}), "
                f"{here} ({closest})",
                OUTSIDE_HOME,
            )
        # The refusals that say what the goal seems to be come before the plain "matches none".
        elif scores.home < thresholds.home and top < thresholds.sure and not lexical.names:
            return refused(
                f"does not seem to be a thing of a home (p={scores.home:.2f}), {here} ({closest})"
            )
        elif lacked[1] - top >= thresholds.lacked and not lexical.names and not describes_place:
            thing, score = self.lacked[lacked[0]].name, lacked[1]
            return refused(
                f"means {thing} ({score:.2f}) more than any of the {len(names)} objects here "
                f"({closest})",
                OTHER,
            )
        elif (
            scores.own < thresholds.own
            and top < thresholds.own_sure
            and top - lacked[1] < thresholds.own_lead
            and not lexical.names
            and not describes_place
        ):
            return refused(
                f"seems to be another object than those here (p={scores.own:.2f}), {here} "
                f"({closest})",
                OTHER,
            )
        elif top < thresholds.accept:
            return refused(f"{here} matches ({closest}, below {thresholds.accept:.2f})")
        else:
            floor = max(thresholds.accept, top - thresholds.margin)
            chosen = [i for i in order[: thresholds.max_targets] if per_name[i] >= floor]
        targets = tuple(
            (names[i], round(float(per_name[i]), 3)) for i in chosen[: thresholds.max_targets]
        )
        listed = ", ".join(f"{name} ({score:.2f})" for name, score in targets)
        reason = f"understood as {listed}" if len(targets) == 1 else f"one of {listed}"
        return Grounding(scores.query, targets, True, reason, attributes)


def _word_weights(best: np.ndarray) -> np.ndarray:
    """Per goal word, how much better it matches its best entry than the average one (its row of
    best matches per entry)."""
    return best.max(axis=1) - best.mean(axis=1)


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
