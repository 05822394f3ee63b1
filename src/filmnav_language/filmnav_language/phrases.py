"""The object phrase of a goal: words only, the request around it taken off, and its parts.

"Could you please go and find me the big red sofa next to the window?" -> the object phrase
"big red sofa next to the window", its attribute words ("big", "red"), its head ("sofa": the
phrase before a location anchor, without attributes and possessors) and its gist (the content
words: "somewhere I can boil some pasta" -> "boil pasta"). No vocabulary, no encoder.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass

# What goes in front of the object, as word sequences (after `canonical`), any number of them
# in a row: "hey robot could you please go and find me the ...". Greetings and fillers, then
# requests (a clause that starts with one asks for something), then articles and determiners.
_FILLER_WORDS = """
please | kindly | pls | plz | hey | hi | hello | ok | okay | alright | right | well | um | uh | er
robot | robo | bot | buddy | mate | now | then | and | so | also | just | quickly | quick
first | next | its | it is | thats | that is | this is
"""
_REQUEST_WORDS = """
can you | could you | would you | will you | can u | could u | would you mind
would you be able to | are you able to | can you please | i need you to | i want you to
i would like you to | id like you to | youre going to | you need to | you should | you must
try to | try and
the robot should | robot please | your goal is | your task is | the goal is | goal is
new goal | new target | next goal | next stop | next stop is | your next stop is | destination
destination is | your destination is | next destination | next destination is | target is
be a dear and | be a darling and | be a love and | be a star and | be a pal and | be a sport and
do me a favour and | do me a favor and | do us a favour and | do us a favor and
stand by | stand next to | stand near | stand at | wait at | wait next to | wait near
stop next to | park by | park near | sit by | lead the way to | show me the way to
show us the way to
go | go and | goto | go check | go check on | go see | go look at | go look for | go find
go get | direct me to | point me to | show me | show me to | show me where | tell me where
stop at | stop by | wait by | park at | park next to | detect | look at | look around for
search | search the house for | search the room for | bring me | get me | fetch me | grab me
find me | find out where
can you see | do you see | have you seen | did you see
where is | wheres | where are | where is there | wheres there | where can i find
where do i find | where would i find | where might i find | where could i find
where did i leave | where did i put | where have i left | where is my
do you know where | any idea where | is there | are there | there is | theres | is there any
are there any | do we have | do you have | have we got | have you got | got any
i need | i want | i would like | id like | i wanna | i need to find | i want to find
i need to get to | i want to go to | i need to go to | i wanna go to | we need | we want
help me find | help me | help me get to | lets find | let us find | lets go to | let us go to
im looking for | i am looking for | im searching for | i am searching for | ive lost
i have lost | i lost | i cant find | i cannot find | i can not find | cant find
gotta | i gotta | got to | ive got to | i have to | have to | i must
"""
_DETERMINERS = """
the | a | an | some | any | my | our | your | his | her | their | this | that | these | those
one | one of | nearest | closest | another | the nearest | the closest
end of | far end of | other end of | top of | bottom of | foot of | middle of | centre of
center of | side of | far side of | other side of | corner of | far corner of | edge of
"""  # a part of something leads to the thing ("the end of the hallway": the hallway)
# Ways of going somewhere and of looking for something (requests too), each verb in its forms
# (", "): a motion with an optional object ("take me", "get yourself"), particle ("over", "back
# over") and a destination ("to", "into"); a search as it is ("look for"). "take me over to the",
# "would you mind heading back into the", "if you went over to the", "would you be so kind as to
# locate".
_MOTION_VERBS = """
go, going, went | head, heading, headed | move, moving, moved | walk, walking, walked
drive, driving, drove | come, coming, came | get, getting, got | run, running, ran
roll, rolling, rolled | travel, travelling, traveling, travelled, traveled
return, returning, returned | proceed, proceeding, proceeded | wander, wandering, wandered
pop, popping, popped | nip, nipping, nipped | hop, hopping, hopped | zip, zipping, zipped
scoot, scooting, scooted | swing, swinging, swung | navigate, navigating, navigated
trundle, trundling, trundled | relocate, relocating, relocated | steer, steering, steered
make your way, making your way, made your way | find your way, finding your way
position yourself, positioning yourself, positioned yourself
"""
_CARRYING_VERBS = """
take, taking, took | bring, bringing, brought | lead, leading, led | guide, guiding, guided
escort, escorting, escorted | accompany, accompanying, accompanied | walk, walking, walked
drive, driving, drove | wheel, wheeling, wheeled | get, getting, got
"""
_CARRIED = "me | us | yourself"
_PARTICLES = "over | up | down | across | out | round | around | along | on | straight"
_DESTINATIONS = (
    "to | towards | toward | into | in to | near | by | up to | for | on to | onto | next to "
    "| as far as"
)
_SEARCH_VERBS = """
find, finding, found | locate, locating, located | look for, looking for, looked for
search for, searching for, searched for | hunt for, hunting for, hunted for
seek, seeking, sought | check, checking, checked | check on, checking on, checked on
spot, spotting, spotted | fetch, fetching, fetched | visit, visiting, visited
approach, approaching, approached | inspect, inspecting, inspected | reach, reaching, reached
identify, identifying, identified
hit, hitting
"""

# Chat abbreviations: words, not misspellings ("lol" is not the "loo"), and courtesy at the end.
CHAT_WORDS = frozenset(
    """
    lol lmao rofl omg idk tbh ngl brb btw imo imho smh fyi thx thanx ty pls plz rn tho ikr jk np
    nvm tmrw tmr k
    """.split()
)
# Courtesy and time words after the object.
_COURTESY_WORDS = """
please | for me | now | right now | here | in here | around here | nearby | thanks | thank you
thanks a lot | cheers | in the house | in this house | in the home | in the flat
in the apartment | asap | quickly | fast | at once | if you can | if possible | for me please
when you can | is | are | is at | is located | are located | located | again | too | then
would you | will you | can you | ok | okay | real quick | right away | bro | mate | ta | robot
robo | buddy | """ + " | ".join(sorted(CHAT_WORDS))
# Attribute words a vocabulary does not name: colours, sizes, materials, looks, states and
# positions. They are returned to the caller (to choose among instances) and left out of the
# head of the phrase.
ATTRIBUTE_WORDS = frozenset(
    """
    white black gray grey silver brown beige red green blue yellow orange purple pink teal
    cream navy golden gold maroon turquoise violet tan ivory dark light pale bright coloured
    colored colourful colorful multicoloured khaki olive mustard burgundy lilac lavender
    charcoal mint peach magenta crimson scarlet emerald aqua cyan chrome copper bronze
    big large small little tiny huge giant tall short long wide narrow low high deep
    massive enormous mini compact medium
    wooden wood timber metal metallic glass plastic leather fabric velvet marble stone
    ceramic porcelain steel stainless iron brass wicker rattan oak pine walnut mahogany
    bamboo cane chrome enamel granite concrete upholstered cotton linen wool woollen suede
    old new modern antique vintage retro classic comfy comfortable cosy cozy soft hard
    shiny clean dirty messy broken wobbly squeaky creaky cheap expensive fancy plain
    round square rectangular oval striped patterned spotted floral checked tartan
    nice lovely pretty ugly favourite favorite usual main other second third first last
    left right front back middle upstairs downstairs spare extra empty full
    """.split()
)
# Attribute words that may tell the kind of an object rather than which one it is: "a comfy
# chair" may be an armchair, "a red chair" is a chair (grounding.py, step 3).
KIND_WORDS = frozenset("comfy comfortable cosy cozy upholstered low high".split())
# Attribute words that are also nouns of objects ("a light"): attributes only before another.
_SHADES = frozenset("light dark pale bright deep".split())
# Words that own an object, which no vocabulary names: "grandpa's chair", "the kids' bed".
_POSSESSOR = re.compile(r"\b([^\W\d_]+)(['\u2019]s|s['\u2019])(?=\W|$)")
_NOT_POSSESSORS = frozenset(
    "it that what where there here who let he she how when why one".split()
)
# Where the object's location is given: "the lamp next to the sofa" names the lamp.
_PLACE_ANCHORS = """
next to | beside | besides | by | near | nearby | close to | in front of | behind | opposite
across from | under | underneath | beneath | below | above | over | on top of | on | in
inside | at | against | between | along | beyond | past | around | from | facing | toward
towards | to the left of | to the right of | up against | out in | out by
"""
# Parts of a home that say where an object is ("the lamp in the corner", "by the window").
PLACE_WORDS = frozenset(
    """
    room rooms corner wall window windows door doorway floor ceiling kitchen bathroom bedroom
    lounge hall hallway landing study dining living sitting front back loft attic basement
    cellar garage porch conservatory utility nursery playroom upstairs downstairs entrance
    stairs staircase house home flat apartment office den ensuite toilet side end middle left
    right top bottom garden balcony laundry closet bed sofa table desk shelf
    """.split()
)
# Where a property of the object follows: "a chair with castors" may be an office chair.
# Words that say how an object stands before its place ("the tv hanging above the fireplace"):
# part of the anchor.
_POSTURES = frozenset(
    """
    sitting standing hanging mounted placed lying leaning located kept positioned situated
    stood sat hung fixed perched resting tucked pushed set lined propped stacked arranged
    """.split()
)
# Particles a posture word may take before the place ("the plants lined up on the windowsill").
_POSTURE_PARTICLES = frozenset("up down over out away".split())
_PROPERTY_ANCHORS = """
with | without | that | which | where | who | whose | for | having | made of | full of
"""
# Contractions as `canonical` writes them (apostrophes dropped), which are words, not misspellings
# ("shes" is not "shoes"); those that are words anyway ("shed", "well", "its") are not listed.
CONTRACTIONS = frozenset(
    """
    shes hes whats thats theres wheres heres whos hows whens whys lets dont doesnt didnt cant
    couldnt wont wouldnt shouldnt isnt arent wasnt werent hasnt havent hadnt mustnt neednt
    im ive youre youve youd youll theyre theyve theyd theyll weve hed itll thatll thered aint
    yall gonna wanna gotta
    """.split()
)
# Words that carry no content for the gist: function words, pronouns, auxiliaries, and the
# frames of functional goals ("something to", "a place where I can", "the thing you ... with").
_FUNCTION_WORDS = frozenset(
    """
    a an the some any my our your his her their its this that these those there here
    i me we us you he she it they them im ive id youre were theyre its
    to for of on in at by with from into onto upon off out up down over under about
    and or but so then than as if
    is are was were be been being am do does did doing have has had having can could will
    would shall should may might must need needs want wants wanna gonna get got
    something somewhere someplace anything anywhere thing things stuff place spot area
    one ones where which what who whom whose when how why
    use used using let lets just really very please also too kind sort type bit lot
    """.split()
)


# A hyphen inside a word before a particle makes one word: "a step-on bin", "the walk-in
# shower" and "a pull-out sofa" name no place ("on", "in", "out" are place anchors). Written
# apart, the two stay words ("when I walk in": speller.py).
HYPHEN_PARTICLES = frozenset("on in out up down off over by away through back around".split())
_HYPHENATED_PARTICLE = re.compile(
    rf"(?<=[^\W\d_])[-\u2010](?=(?:{'|'.join(sorted(HYPHEN_PARTICLES))})\b)"
)


@functools.lru_cache(maxsize=65536)
def canonical(text: str) -> str:
    """Casefolded words of a text: NFKC, accents dropped ("étagère" -> "etagere"), apostrophes
    and dots dropped ("where's" -> "wheres", "t.v." -> "tv"), a hyphen before a particle
    dropped ("step-on" -> "stepon"), any other non-word character (hyphens too) a space."""
    folded = unicodedata.normalize("NFKC", text).casefold()
    plain = "".join(
        c for c in unicodedata.normalize("NFKD", folded) if not unicodedata.combining(c)
    )
    joined = _HYPHENATED_PARTICLE.sub("", re.sub(r"['\u2019.]", "", plain))
    return " ".join(re.findall(r"[^\W_]+", joined))


def phrase_set(block: str) -> tuple[tuple[str, ...], ...]:
    """Word tuples of a `|`-separated block, longest first (so the longest match is taken)."""
    found = {tuple(p.split()) for p in block.replace("\n", "|").split("|") if p.strip()}
    return tuple(sorted(found, key=len, reverse=True))


def _by_word(phrases: tuple[tuple[str, ...], ...], at: int) -> dict[str, list[tuple[str, ...]]]:
    """Phrases by their first (at=0) or last (at=-1) word, longest first."""
    found: dict[str, list[tuple[str, ...]]] = {}
    for phrase in phrases:
        found.setdefault(phrase[at], []).append(phrase)
    return found


def _forms(block: str) -> list[str]:
    """Every verb form of a block ("go, going, went | make your way, making your way")."""
    return [form.strip() for form in re.split(r"[|,\n]", block) if form.strip()]


_MOVERS = phrase_set(
    "|".join(
        [
            *(verbs := _forms(_MOTION_VERBS)),
            *(f"{verb} yourself" for verb in verbs if " " not in verb),
            *(f"{verb} {who}" for verb in _forms(_CARRYING_VERBS) for who in _CARRIED.split("|")),
        ]
    )
)
_PARTICLE_WORDS = frozenset(["back", *_PARTICLES.replace("|", " ").split()])
_GOING_TO = phrase_set(_DESTINATIONS)
_SEARCHES = phrase_set("|".join(_forms(_SEARCH_VERBS)))
# By first word, as `_LEADING`: a goal is scanned at every word for these.
_MOVERS_BY_WORD, _SEARCHES_BY_WORD = _by_word(_MOVERS, 0), _by_word(_SEARCHES, 0)
# A yes-no question in front of the object asks where it is ("is the tv in the lounge?").
_QUESTION_WORDS = "is | are | was | were"
_LEADING = _by_word(
    phrase_set(f"{_FILLER_WORDS}|{_REQUEST_WORDS}|{_QUESTION_WORDS}|{_DETERMINERS}"), 0
)
_ASKING = frozenset(phrase_set(_REQUEST_WORDS))
_ASKING_WORDS = (
    frozenset(
        word
        for phrases in (_ASKING, _MOVERS, _GOING_TO, _SEARCHES)
        for phrase in phrases
        for word in phrase
    )
    | _PARTICLE_WORDS
)


def _going(words: list[str]) -> int:
    """How many words a way of going somewhere or of looking for something at the start of
    `words` has (a mover, up to two particles and a destination, or a search); 0: none."""
    if not words:
        return 0
    moved = _match(words, _MOVERS_BY_WORD.get(words[0], ()))
    if moved:
        particles = 0
        while (
            particles < 2
            and moved + particles < len(words)
            and words[moved + particles] in _PARTICLE_WORDS
        ):
            particles += 1
        going_to = _match(words[moved + particles :], _GOING_TO)
        if going_to:
            return moved + particles + going_to
    return _match(words, _SEARCHES_BY_WORD.get(words[0], ()))


# A preamble that addresses the robot before its request ("I'd be grateful if you could possibly
# head over to the"): one of these words, and none of those that begin an object's description.
_ADDRESS_WORDS = frozenset(
    "you u ya yourself robot please pls plz kindly could would can will mind".split()
)
_DESCRIBING_WORDS = frozenset(
    """
    the a an my our his her their these those something somewhere anything anywhere thing
    things stuff place spot where what which whatever
    """.split()
)


def _addressed(words: list[str]) -> int:
    """Where the object's words start after a preamble that addresses the robot and the request
    that ends it ("would you be so kind as to locate the", "i would appreciate it if you went
    over to the"); 0: no such preamble."""
    for start in range(1, len(words) - 1):
        if words[start - 1] in _DESCRIBING_WORDS:
            return 0
        request = _going(words[start:])
        if request and start + request < len(words):
            return start + request if _ADDRESS_WORDS.intersection(words[:start]) else 0
    return 0


# A need rather than a request to go: after a request to go somewhere it says what for.
_DESIRES = phrase_set(
    "i need | i want | i would like | id like | i wanna | we need | we want | im looking for "
    "| i am looking for | im searching for | i am searching for | i need to find "
    "| i want to find | i gotta | i have to"
)
_GOING_WITHIN = 6  # words of a clause in which a request to go may start
# What a request may point back at instead of naming the object ("take me there").
_PRO_FORMS = frozenset("there here it that this one them those these".split())
# Where one clause ends and another begins; a dot only before a space or the end ("t.v.").
_CLAUSE_BREAK = re.compile(r"[,;:!?\u2026]+|\.(?=\s|$)|\s[-\u2013\u2014]+\s")
_TRAILING = _by_word(phrase_set(_COURTESY_WORDS), -1)
# Whole goals that are commands to the robot, not objects ("stop", "never mind").
_COMMANDS = frozenset(
    " ".join(words)
    for words in phrase_set(
        """
        stop | stop it | stop now | stop searching | stop looking | cancel | cancel that | halt
        abort | pause | wait | quit | stay | stay there | stay here | freeze | come back
        come here | go back | go home | return home | go to base | go to your dock
        never mind | nevermind | forget it | forget that | thats all | nothing
        """
    )
)
# Before the object: the goal says only what not to find.
_NEGATIONS = phrase_set(
    "not | anything but | anything except | anything other than | everything except "
    "| except | nothing but | dont find | do not find | dont go to | do not go to | avoid"
)
# Hedges that start with a negation but negate no object ("not to be gross but the dog ...").
_HEDGES = phrase_set("not to be | not gonna lie | not going to lie | not sure")
# After the object: what follows is what not to find ("the chair, not the sofa").
_EXCLUSIONS = phrase_set("not | but not | and not | rather than | instead of | other than")
# Between objects: several goals in a row.
_SEQUENCES = phrase_set("then | and then | after that | afterwards | followed by | and after")


def _anchors_by_word() -> dict[str, list[tuple[tuple[str, ...], bool]]]:
    """Anchors by their first word, longest first within each kind, with whether each gives
    the object's place (rather than a property)."""
    found: dict[str, list[tuple[tuple[str, ...], bool]]] = {}
    for block, gives_place in ((_PLACE_ANCHORS, True), (_PROPERTY_ANCHORS, False)):
        for anchor in phrase_set(block):
            found.setdefault(anchor[0], []).append((anchor, gives_place))
    return found


_ANCHORS_BY_WORD = _anchors_by_word()


def _stripped(words: list[str]) -> tuple[list[str], bool]:
    """Words without what goes in front of the object and courtesy after it, and whether a
    request was among what went in front."""
    start = _addressed(words)
    asked, stripped, words = start > 0, True, words[start:]
    while stripped and words:
        stripped = False
        leading = next(
            (
                phrase
                for phrase in _LEADING.get(words[0], ())
                if len(words) > len(phrase) and tuple(words[: len(phrase)]) == phrase
            ),
            (),
        )
        going = _going(words)
        if len(leading) < going < len(words):  # the longer of the two ("find me the")
            words, stripped, asked = words[going:], True, True
        elif leading:
            words, stripped, asked = words[len(leading) :], True, asked or leading in _ASKING
        for phrase in _TRAILING.get(words[-1], ()):
            if len(words) > len(phrase) and tuple(words[-len(phrase) :]) == phrase:
                words, stripped = words[: -len(phrase)], True
                break
    return words, asked


def _asking_clauses(text: str) -> list[str]:
    """The clauses of the text from its last one that asks for an object on ("brr it's cold,
    where's the fireplace" -> "where's the fireplace"); all of them when no later clause does.
    A clause asks when it starts with a request and names something ("take me there" and "go
    look" do not), and not with a sequence or an exclusion ("a chair, then find a bed", "the
    chair, not the sofa")."""
    clauses = _CLAUSE_BREAK.split(text)
    if len(clauses) == 1:
        return clauses
    start, went = 0, _goes(canonical(clauses[0]).split())
    for i, clause in enumerate(clauses[1:], 1):
        words = canonical(clause).split()
        rest, asked = _stripped(words)
        named = set(rest) - _PRO_FORMS - _ASKING_WORDS
        if went and _match(words, _DESIRES):
            continue  # "go to the wardrobe, I need my coat": the place to go stays the goal
        if asked and named and not _match(words, _SEQUENCES + _EXCLUSIONS):
            start, went = i, _goes(words)
    return clauses[start:]


_ASKING_BY_WORD = _by_word(tuple(_ASKING), 0)
# Words that may follow a noun phrase once it has ended: what the module strips around objects,
# anchors, function words, contractions, and chat ("go check the stove prob the bacon").
_AFTER_NOUN_PHRASE = (
    frozenset(
        word
        for block in (_FILLER_WORDS, _COURTESY_WORDS, _PLACE_ANCHORS, _PROPERTY_ANCHORS)
        for phrase in phrase_set(block)
        for word in phrase
    )
    | _FUNCTION_WORDS
    | CONTRACTIONS
    | frozenset(
        "prob probably maybe real itself already first before after while cause cuz coz bc n "
        "because pronto b4 or instead upstairs downstairs outside inside".split()
    )
)


def ends_noun_phrase(words: Sequence[str]) -> bool:
    """Whether a noun phrase ends before `words` (what follows it), rather than going on with
    another noun it modifies ("the keyboard instrument", "the tv remote")."""
    return not words or words[0] in _AFTER_NOUN_PHRASE


def excluded(before: Sequence[str]) -> bool:
    """Whether the words before a noun exclude it ("not the couch", "instead of the chair"):
    an exclusion among the three words before it."""
    window = list(before[-3:])
    return any(_match(window[at:], _EXCLUSIONS) for at in range(len(window)))


def directed_spans(text: str) -> list[tuple[str, str]]:
    """Each request to go or to look for something inside a goal's clauses, with what follows it
    in its clause, and the words before it, in order ("dishes piling up lol go look at the
    sink, ty" -> ("dishes piling up lol", "go look at the sink")): chatter may name other things
    before and around the one asked for, or name it before a request that points back at it
    ("the cat is on the counter again, go shoo her off")."""
    spans, before = [], []
    for clause in _CLAUSE_BREAK.split(text):
        words = canonical(clause).split()
        for at in range(len(words)):
            asked = max(_going(words[at:]), _match(words[at:], _ASKING_BY_WORD.get(words[at], ())))
            said_before = before + words[:at]
            # not a purpose ("a stool to reach the cupboard"; "I want you to go to" asks)
            purpose = said_before[-1:] == ["to"] and not _ADDRESS_WORDS.intersection(
                said_before[-2:-1]
            )
            if asked and not purpose:
                spans.append((" ".join(said_before), " ".join(words[at:])))
        before += words
    return list(dict.fromkeys(spans))


def _goes(words: list[str]) -> bool:
    """Whether a clause asks to go somewhere (within its first words: "could you please go
    to")."""
    return any(_going(words[at:]) for at in range(min(len(words), _GOING_WITHIN)))


def object_phrase(text: str) -> str:
    """The phrase naming the object: earlier clauses that do not ask for it, request words and
    articles off the front, courtesy off the end ("can you please find the red sofa for me?" ->
    "red sofa")."""
    return _phrase_of(_asking_clauses(text))


def _phrase_of(clauses: list[str]) -> str:
    """The object phrase of the clauses that ask for it (object_phrase)."""
    words, _ = _stripped(canonical(" ".join(clauses)).split())
    if words and tuple(words) in _LEADING.get(words[0], ()):  # only a request ("find the")
        return ""
    return " ".join(words)


def possessors(text: str) -> frozenset[str]:
    """The canonical words that own something in a text ("grandpa's chair" -> {"grandpas"})."""
    found = _POSSESSOR.findall(unicodedata.normalize("NFKC", text).casefold())
    return frozenset(canonical(word + end) for word, end in found if word not in _NOT_POSSESSORS)


def anchor_at(words: list[str] | tuple[str, ...]) -> tuple[int, bool]:
    """Where an anchor starts in a phrase's words (len(words) when none does), never at the
    first word, with the posture word before it ("hanging above"), and whether all that
    follows gives only the object's place: a place anchor with no property anchor after it
    ("in the lounge", not "in the lounge for the family")."""
    first, place = len(words), True
    for i in range(1, len(words)):
        for anchor, gives_place in _ANCHORS_BY_WORD.get(words[i], ()):
            if tuple(words[i : i + len(anchor)]) == anchor:
                before = i - 1 - (i > 2 and words[i - 1] in _POSTURE_PARTICLES)
                posture = before > 0 and words[before] in _POSTURES
                first = min(first, before if posture else i)
                place = place and gives_place
                break
    return first, place


def gist(words: list[str] | tuple[str, ...]) -> str:
    """The content words of a phrase, in order ("somewhere i can boil pasta" -> "boil pasta")."""
    return " ".join(w for w in words if w not in _FUNCTION_WORDS)


def _match(words: list[str], phrases: Sequence[tuple[str, ...]]) -> int:
    """How many words the first (longest) of `phrases` that `words` start with has; 0: none."""
    return next((len(phrase) for phrase in phrases if tuple(words[: len(phrase)]) == phrase), 0)


def _find(words: list[str], phrases: tuple[tuple[str, ...], ...]) -> tuple[int, int]:
    """Where the first of `phrases` starts in `words` after the first word, and its length
    ((len(words), 0): none)."""
    return next(
        ((i, n) for i in range(1, len(words)) if (n := _match(words[i:], phrases))),
        (len(words), 0),
    )


def short(text: str, limit: int = 40) -> str:
    """A canonical text (words only: nothing to escape) bounded for a reason."""
    return text if len(text) <= limit else text[: limit - 3].rstrip() + "..."


def _sequence(text: str) -> tuple[str, str] | tuple[()]:
    """The two parts of an object phrase that links several goals ("chair then a bed"), if it
    does."""
    words = text.split()
    at, link = _find(words, _SEQUENCES)
    return (" ".join(words[:at]), " ".join(words[at + link :])) if link else ()


def _refusal(goal: str, text: str) -> str:
    """Why a goal is not one object to find, or "": a command to the robot, a goal that says
    only what not to find, or several goals in a row ("a chair, then a bed")."""
    whole = canonical(goal)
    if whole in _COMMANDS or text in _COMMANDS:
        return (
            f"'{short(whole)}' is a command, not an object to find "
            "(to end a search, cancel the goal on filmnav/cancel)"
        )
    words = text.split()
    if _match(words, _NEGATIONS) and not _match(words, _HEDGES):
        return "the goal says only what not to find: name the object to find"
    if parts := _sequence(text):
        first, rest = (short(part) for part in parts)
        return f"one goal at a time: '{first}' and '{rest}' are several goals in a row"
    return ""


def _before_exclusion(text: str) -> str:
    """The object phrase before what it excludes ("chair not the sofa" -> "chair")."""
    words = text.split()
    return " ".join(words[: _find(words, _EXCLUSIONS)[0]])


@dataclass(frozen=True)
class Phrase:
    """A goal's object phrase and its parts (module docstring); words are canonical."""

    text: str  # the object phrase (canonical words); empty when refused
    attributes: tuple[str, ...]  # its attribute words, not the noun they describe
    owners: frozenset[str]  # its possessor words ("grandpas" of "grandpa's recliner")
    refusal: str = ""  # why the goal is not an object to find (a command, a negation, a list)
    # the object phrase of its first clause alone, when chatter follows it ("where's the loo,
    # hurry hurry" -> "loo"); empty when the phrase is one clause
    lead: str = ""
    # the parts of a goal refused as several goals in a row ("chair", "bed"): chatter may only
    # look like that ("my back hurts after that long drive, go wait by the chair")
    sequence: tuple[str, ...] = ()

    @classmethod
    def of(cls, goal: str) -> Phrase:
        clauses = [clause for clause in _asking_clauses(goal) if clause.strip()]
        text = _phrase_of(clauses)
        refusal = _refusal(goal, text)
        if refusal:
            return cls("", (), frozenset(), refusal, sequence=_sequence(text))
        text = _before_exclusion(text)
        words = text.split()
        at = anchor_at(words)[0]
        owners = possessors(goal)
        kept = set(cls(text, (), owners).plain(words[:at]))
        modifiers = [w for w in words[:at] if w not in kept] + words[at:]
        lead = _phrase_of(clauses[:1]) if len(clauses) > 1 else ""
        attributes = tuple(w for w in modifiers if w in ATTRIBUTE_WORDS)
        return cls(text, attributes, owners, lead=lead if lead != text else "")

    def plain(self, words: list[str], keep: frozenset[str] = frozenset()) -> list[str]:
        """Words without attributes (but those to `keep`) and possessors, the last one kept
        ("grandpas big recliner" -> "recliner"; "a light" stays a light); a shade word only
        before another attribute ("light grey sofa" -> "sofa", "tall light on a stand" ->
        "light on a stand")."""
        dropped = (ATTRIBUTE_WORDS - keep) | self.owners
        return [
            w
            for w, after in zip(words[:-1], words[1:], strict=True)
            if w not in dropped or w in _SHADES and after not in ATTRIBUTE_WORDS
        ] + words[-1:]

    @staticmethod
    def head(words: list[str]) -> tuple[list[str], bool]:
        """The words before an anchor ("lamp next to the sofa" -> "lamp", "chair with castors"
        -> "chair"), and whether what follows gives only the object's place."""
        at, place = anchor_at(words)
        return words[:at], place
