"""Folding: one form of a report's text for every reader (normalisers, rules, students, filter).

:func:`fold` keeps one output character per input character, so a match found in the folded
text is also a valid character span of the original report (evidence spans rely on this).
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from pathsynth.text.spelling import Vocabulary

# One-to-one replacements applied before accent stripping.
_SPECIAL = {
    "œ": "e",  # "œstrogènes" folds to "estrogenes", which the receptor patterns accept
    "Œ": "e",
    "æ": "a",
    "Æ": "a",
    "’": "'",
    "‘": "'",
    "`": "'",
    "´": "'",
    "ʼ": "'",
    "\u00a0": " ",
    "\u202f": " ",
    "\u2009": " ",
    "\u2007": " ",
    "\t": " ",
    "–": "-",
    "—": "-",
    "−": "-",
    "‐": "-",
    "‑": "-",
    "×": "x",
    "µ": "u",
    "ß": "s",
    "«": '"',
    "»": '"',
    "“": '"',
    "”": '"',
}


@lru_cache(maxsize=4096)
def _fold_char(ch: str) -> str:
    if ch in _SPECIAL:
        return _SPECIAL[ch]
    base = unicodedata.normalize("NFD", ch)[0]
    low = base.lower()
    return low if len(low) == 1 else base


def fold(text: str) -> str:
    """Lower-case, strip accents and repair common OCR slips, keeping the length unchanged.

    OCR repairs: a zero inside a word becomes the letter o ("p0sitif", "EMB0LES"), and a
    letter o between digits or glued after one becomes a zero ("1O mm", "O/3").
    """
    if text.isascii():
        low = text.lower().translate(_ASCII_TABLE)  # ASCII lower-casing keeps the length
    else:
        low = "".join([_fold_char(c) for c in text])
    return _OCR.sub(_ocr_fix, low)


_ASCII_TABLE = str.maketrans({"\t": " ", "`": "'"})
_OCR = re.compile(
    r"(?<=[a-z])0(?=[a-z])|(?<![a-z0-9])0(?=[a-z]{2})(?!mm|cm)|"
    r"(?<=\d)o(?![a-z])|(?<![a-z0-9])o(?=/\d|%)"
)


def _ocr_fix(m: re.Match[str]) -> str:
    i, s = m.start(), m.string
    if m.group(0) == "o":
        return "0"
    prev = s[i - 1] if i > 0 else " "
    prev2 = s[i - 2] if i > 1 else " "
    # "pN0", "ypT0", "M0i" keep their zero: a TNM letter after "p" or a word start
    if prev in "nmt" and (prev2 in "py" or not prev2.isalpha()):
        return "0"
    return "o"


_HYPHEN_BREAK = re.compile(r"([a-z]{3,})-\n[ \t]*([a-z]{2,})")


def join_hyphenated(folded: str, original: str) -> str:
    """Rejoin words hyphenated across a line break, keeping the length: "oestro-\\ngenes" becomes
    "oestrogenes" followed by the freed characters as spaces. ``original`` (same length) tells
    a hyphenated word (same letter case on both sides) from "ER-" / "PR" on two lines."""
    if "-\n" not in folded:
        return folded

    def join(m: re.Match[str]) -> str:
        a, b = original[m.start(1) : m.end(1)], original[m.start(2) : m.end(2)]
        if not (b[0].islower() or (a.isupper() and b.isupper())):
            return m.group(0)
        word = m.group(1) + m.group(2)
        return word + " " * (len(m.group(0)) - len(word))

    return _HYPHEN_BREAK.sub(join, folded)


_SPACES = re.compile(r"[\s_]+")


def squash(text: str) -> str:
    """Folded text with every non-alphanumeric character removed ("carci nome" → "carcinome")."""
    return re.sub(r"[^0-9a-z+]", "", fold(text))


def words(text: str) -> str:
    """Folded text with punctuation turned into single spaces, for phrase matching."""
    return _SPACES.sub(" ", re.sub(r"[^0-9a-z+%/.,<>=-]", " ", fold(text))).strip()


_LEADER = re.compile(r"\.{3,}|…+|_{3,}")


def fold_report(text: str, vocabulary: Vocabulary | None = None) -> str:
    """A whole report folded for reading, same length as ``text``: :func:`fold`, words
    hyphenated across lines rejoined, dot leaders ("Grade ........ 2") turned into spaces (they
    are layout, not sentence ends), and — given a domain's vocabulary — OCR-broken and
    misspelt words repaired (:class:`pathsynth.text.spelling.Vocabulary`)."""
    folded = join_hyphenated(fold(text), text)
    if vocabulary is not None:
        folded = vocabulary.repair(folded)
    return _LEADER.sub(lambda m: " " * len(m.group(0)), folded)
