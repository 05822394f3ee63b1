"""Operator text hygiene: goal text normalised or refused with a reason, bounded log excerpts."""

from __future__ import annotations

import re

import pytest

from filmnav_common.text import (
    MAX_GOAL_TEXT_LENGTH,
    GoalTextError,
    excerpt,
    normalise_goal_text,
)


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("find a chair", "find a chair"),
        ("  find\t a \n\n chair  ", "find a chair"),
        ("find\u00a0a\u2003chair", "find a chair"),  # no-break and em spaces
        ("\uff46\uff49\uff4e\uff44 a sofa", "find a sofa"),  # full-width letters
        ("the \ufb01replace", "the fireplace"),  # the fi ligature
        ("caf\u0065\u0301 table", "caf\u00e9 table"),  # combining accent composed
        ("the line\u2028break", "the line break"),  # a line separator is whitespace
    ],
)
def test_normalised(raw, expected):
    assert normalise_goal_text(raw) == expected


@pytest.mark.parametrize(
    ("raw", "code"),
    [
        ("find a \x00chair", "U+0000 (a control character) at position 7"),
        ("\x1b[31mred\x1b[0m sofa", "U+001B (a control"),
        ("a chair\x7f", "U+007F (a control"),
        ("a\x85chair", "U+0085"),  # C1 next line: a control, not accepted as whitespace
        ("a ch\u200bair", "U+200B ZERO WIDTH SPACE"),
        ("a ch\u200dair", "U+200D ZERO WIDTH JOINER"),
        ("a \u202ericha", "U+202E RIGHT-TO-LEFT OVERRIDE"),
        ("a \u2066sofa\u2069", "U+2066 LEFT-TO-RIGHT ISOLATE"),
        ("\ufeffa bed", "U+FEFF ZERO WIDTH NO-BREAK SPACE"),
        ("a so\u00adfa", "U+00AD SOFT HYPHEN"),
        ("a \ud800 bed", "U+D800"),
    ],
)
def test_invisible_characters_are_refused_with_their_name(raw, code):
    with pytest.raises(GoalTextError, match=re.escape(code)) as raised:
        normalise_goal_text(raw)
    assert "position" in str(raised.value)
    assert isinstance(raised.value, ValueError)


@pytest.mark.parametrize("raw", ["", "   ", "\t\n\r"])
def test_empty_goal_is_refused(raw):
    with pytest.raises(GoalTextError, match="empty"):
        normalise_goal_text(raw)


def test_length_is_bounded_after_normalisation():
    assert normalise_goal_text("a " * 100 + "   ", max_length=199) == ("a " * 100).strip()
    with pytest.raises(GoalTextError, match="201 characters long, more than the 200 allowed"):
        normalise_goal_text("x" * (MAX_GOAL_TEXT_LENGTH + 1))


def test_non_string_is_refused():
    with pytest.raises(GoalTextError, match="must be a string, not bytes"):
        normalise_goal_text(b"a chair")


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("somewhere to sleep", "somewhere to sleep"),
        ("a \x00chair", "a \\x00chair"),
        ("\x1b[2Jred", "\\x1b[2Jred"),
        ("two\nlines\ttab\r", "two\\nlines\\ttab\\r"),
        ("a \u202ebed", "a \\u202ebed"),
        ("\U000e0041tag", "\\U000e0041tag"),
        ("back\\slash", "back\\\\slash"),
        ("caf\u00e9 \U0001f6cb", "caf\u00e9 \U0001f6cb"),  # printable non-ASCII stays
    ],
)
def test_excerpt_escapes_what_a_terminal_would_interpret(raw, expected):
    assert excerpt(raw) == expected


def test_long_text_is_cut_with_its_length():
    text = "find the big red sofa " * 10
    cut = excerpt(text, limit=20)
    assert cut == f"find the big red sof... ({len(text)} chars)"
    assert excerpt(text[:20], limit=20) == text[:20]


def test_excerpt_never_splits_an_escape_and_stays_bounded():
    text = "\x00" * 50
    cut = excerpt(text, limit=10)
    assert cut == "\\x00\\x00... (50 chars)"  # a third escape would pass 10 characters
    for limit in (1, 5, 60):
        body = excerpt("\u202e" * 100, limit=limit).split("...")[0]
        assert len(body) <= limit
    with pytest.raises(ValueError, match="at least 1"):
        excerpt("x", limit=0)
