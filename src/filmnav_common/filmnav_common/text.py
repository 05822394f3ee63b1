"""Operator text at the door: goal text normalised or rejected, and safe excerpts for logs.

The rule for invisible characters: a goal is a short phrase naming an object, typed or sent by
an operator, and whatever the stack understood must be what a person reading the status or the
log sees. Characters that change how text displays without showing themselves are therefore
refused, not silently dropped:

- control characters (Unicode category Cc: NUL, ESC and so ANSI escape sequences, DEL, the C1
  range), except the whitespace controls tab, line feed, vertical tab, form feed and carriage
  return, which are collapsed like any other whitespace;
- format characters (Cf): zero-width space, zero-width joiner and non-joiner, word joiner, the
  byte-order mark, soft hyphen, and the bidirectional controls (LRM/RLM, embeddings, overrides,
  isolates), which can make a line display in another order than it reads ("Trojan source").
  Zero-width joiners do belong in emoji sequences and in some scripts (Persian, Indic); an
  operator can send the goal without them, and guessing which ones are harmless is not worth a
  goal that silently means something else than it shows;
- surrogates (Cs): lone halves of a UTF-16 pair, only ever the trace of a decoding error.

Everything else is kept after Unicode NFKC normalisation (full-width letters, ligatures and
non-breaking spaces become their plain forms), with runs of whitespace collapsed to one space.
"""

from __future__ import annotations

import unicodedata

MAX_GOAL_TEXT_LENGTH = 200  # characters, after normalisation
EXCERPT_LENGTH = 60

_WHITESPACE_CONTROLS = frozenset("\t\n\v\f\r")
_REFUSED_CATEGORIES = {"Cc": "control", "Cf": "format", "Cs": "surrogate"}
_SHORT_ESCAPES = {"\\": "\\\\", "\n": "\\n", "\r": "\\r", "\t": "\\t"}


class GoalTextError(ValueError):
    """Operator goal text that cannot be accepted; the message says why."""


def normalise_goal_text(text: str, max_length: int = MAX_GOAL_TEXT_LENGTH) -> str:
    """NFKC-normalised goal text with whitespace collapsed; raises GoalTextError if it holds a
    control, format or surrogate character (see the module docstring), is empty, or is longer
    than max_length characters."""
    if not isinstance(text, str):
        raise GoalTextError(f"goal text must be a string, not {type(text).__name__}")
    normalised = unicodedata.normalize("NFKC", text)
    for position, char in enumerate(normalised):
        kind = _REFUSED_CATEGORIES.get(unicodedata.category(char))
        if kind is not None and char not in _WHITESPACE_CONTROLS:
            name = unicodedata.name(char, "")  # controls have no name
            raise GoalTextError(
                f"goal text contains U+{ord(char):04X}{' ' + name if name else ''} (a {kind} "
                f"character) at position {position}: send it without invisible characters"
            )
    collapsed = " ".join(normalised.split())
    if not collapsed:
        raise GoalTextError("goal text is empty")
    if len(collapsed) > max_length:
        raise GoalTextError(
            f"goal text is {len(collapsed)} characters long, more than the {max_length} allowed"
        )
    return collapsed


def _escaped(char: str) -> str:
    if char in _SHORT_ESCAPES:
        return _SHORT_ESCAPES[char]
    if char.isprintable():
        return char
    code = ord(char)
    if code <= 0xFF:
        return f"\\x{code:02x}"
    if code <= 0xFFFF:
        return f"\\u{code:04x}"
    return f"\\U{code:08x}"


def excerpt(text: str, limit: int = EXCERPT_LENGTH) -> str:
    """Text fit for a log or status line: every non-printable character (controls and so ANSI
    escapes, format characters, line breaks) and the backslash escaped as in Python literals,
    at most `limit` characters of that, then "... (N chars)" when cut."""
    if limit < 1:
        raise ValueError(f"excerpt limit must be at least 1, not {limit}")
    pieces: list[str] = []
    used = 0
    for char in text:
        piece = _escaped(char)
        if used + len(piece) > limit:
            return "".join(pieces) + f"... ({len(text)} chars)"
        pieces.append(piece)
        used += len(piece)
    return "".join(pieces)
