"""Noisy copies of training reports, so the student cannot lean on the teacher's casing,
accents, line layout or spelling: capitals, stripped accents, shuffled lines, OCR-like letter
swaps, and lines joined the way exports flatten them ("... in. the ...", headings glued into
the flow). Evidence spans move with the text."""

from __future__ import annotations

import random
import unicodedata
from bisect import bisect_right

from pathsynth.extraction._text import TrainingExample

__all__ = ["augment"]

# Letter confusions typical of OCR'd pathology reports (same length, so spans stay valid).
OCR_CONFUSIONS = {
    "e": "c",
    "c": "e",
    "i": "l",
    "l": "1",
    "o": "0",
    "O": "0",
    "a": "o",
    "n": "m",
    "m": "n",
    "u": "v",
    "s": "5",
    "I": "l",
    "t": "f",
}


def _strip_accents(text: str) -> str:
    return "".join(
        (unicodedata.normalize("NFKD", ch)[:1] or ch) if ord(ch) > 127 else ch for ch in text
    )


def _flatten(text: str) -> tuple[str, list[int]]:
    """Line breaks turned into ". " the way exports lose them (" " after a line that already
    ends a sentence), and the new offset of every old one (spans move with it)."""
    out: list[str] = []
    where: list[int] = []
    pos = 0
    for i, ch in enumerate(text):
        where.append(pos)
        if ch == "\n":
            before = text[:i].rstrip()[-1:]
            piece = " " if before in {".", ":", ";", ""} else ". "
        else:
            piece = ch
        out.append(piece)
        pos += len(piece)
    where.append(pos)
    return "".join(out), where


def augment(ex: TrainingExample, rng: random.Random) -> TrainingExample:
    """A noisy copy of ``ex`` with its evidence spans moved along (casing, accents, OCR, order)."""
    text = ex.text
    evidence = {k: list(v) for k, v in ex.evidence.items()}
    # Line order: only when every span sits inside one line, so each can move with its line.
    if rng.random() < 0.35 and "\n" in text:
        lines = text.split("\n")
        starts = []
        pos = 0
        for ln in lines:
            starts.append(pos)
            pos += len(ln) + 1

        def line_of(p: int) -> int:
            return bisect_right(starts, p) - 1

        ok = all(line_of(s) == line_of(e - 1) for v in evidence.values() for s, e in v)
        if ok and len(lines) > 2:
            order = list(range(len(lines)))
            rng.shuffle(order)
            new_start = {}
            pos = 0
            for idx in order:
                new_start[idx] = pos
                pos += len(lines[idx]) + 1
            text = "\n".join(lines[i] for i in order)
            evidence = {
                k: [
                    (
                        new_start[line_of(s)] + s - starts[line_of(s)],
                        new_start[line_of(s)] + e - starts[line_of(s)],
                    )
                    for s, e in v
                ]
                for k, v in evidence.items()
            }
    r = rng.random()
    if r < 0.25:
        upper = text.upper()
        text = upper if len(upper) == len(text) else text  # "ß" -> "SS" would move the spans
    elif r < 0.35:
        text = text.lower()
    if rng.random() < 0.3:
        text = _strip_accents(text)
    if rng.random() < 0.3:
        if rng.random() < 0.5:
            text = text.replace("\n", " ")
        else:  # an export's flattening: "... in\nthe ..." -> "... in. the ..."
            text, where = _flatten(text)
            evidence = {k: [(where[s], where[e]) for s, e in v] for k, v in evidence.items()}
    if rng.random() < 0.35:
        rate = rng.uniform(0.005, 0.03)
        chars = list(text)
        for q, ch in enumerate(chars):
            if ch in OCR_CONFUSIONS and rng.random() < rate:
                chars[q] = OCR_CONFUSIONS[ch]
        text = "".join(chars)
    return TrainingExample(ex.id, text, dict(ex.values), evidence, ex.lang)
