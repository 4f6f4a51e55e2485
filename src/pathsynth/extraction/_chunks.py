"""Long reports in windows for LLM students: cutting a report into token windows, the answer a
window should give (training), finding the text that supports a value (evidence), and merging
the windows' answers key by key (inference).

Real reports run to thousands of tokens while a small model is trained and runs best on a few
hundred. A report is cut into overlapping windows that end at line breaks where one is near;
each window is answered on its own, and the answers are merged per key: a value whose words or
number can be found in its window beats one that cannot, then the value most windows agree on,
then the earliest window (reports state their conclusion early or in a synoptic block).
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Sequence
from dataclasses import dataclass

from pathsynth.extraction.base import Extraction, Span
from pathsynth.schema import Schema, Value, Variable
from pathsynth.text import fold

_NUMBER = re.compile(r"(?<![\d.,])(\d+(?:[.,]\d+)?)\s*(mm|cm|%)?", re.IGNORECASE)
_MAX_SPANS = 3


@dataclass(frozen=True)
class Window:
    """One window of a report: its character span and its text."""

    start: int
    end: int
    text: str


def windows(
    text: str, token_offsets: Sequence[tuple[int, int]], size: int, overlap: int = 0
) -> list[Window]:
    """``text`` cut into windows of at most ``size`` tokens (``token_offsets`` are the tokens'
    character spans), each starting ``overlap`` tokens before the previous one ended; a window
    ends after a line break when one lies in its second half."""
    if size < 1:
        raise ValueError("window size must be at least 1 token")
    n = len(token_offsets)
    if n <= size:
        return [Window(0, len(text), text)]
    starts = [s for s, _ in token_offsets]
    out: list[Window] = []
    first_tok, first_char = 0, 0
    while True:
        last_tok = min(first_tok + size, n)
        if last_tok == n:
            out.append(Window(first_char, len(text), text[first_char:]))
            return out
        cut = token_offsets[last_tok - 1][1]
        newline = text.rfind("\n", first_char, cut)
        if newline >= 0 and newline + 1 - first_char > (cut - first_char) // 2:
            cut = newline + 1
        out.append(Window(first_char, cut, text[first_char:cut]))
        next_tok = max(first_tok + 1, bisect.bisect_left(starts, cut) - overlap)
        first_tok = min(next_tok, n - 1)
        first_char = starts[first_tok]
        # Start on a line when the overlap holds a line break.
        newline = text.find("\n", first_char, cut)
        if 0 <= newline < cut - 1:
            first_char = newline + 1
            first_tok = max(first_tok, bisect.bisect_left(starts, first_char))


def window_values(
    values: dict[str, Value], evidence: dict[str, list[Span]], window: Window
) -> dict[str, Value]:
    """What a window of a training report states: a value whose evidence spans all lie outside
    the window is ``None``; a value without known evidence is kept."""
    out: dict[str, Value] = {}
    for key, value in values.items():
        spans = evidence.get(key) or []
        if value is None or not spans:
            out[key] = value
        else:
            inside = any(s < window.end and e > window.start for s, e in spans)
            out[key] = value if inside else None
    return out


def _forms(var: Variable, value: Value) -> list[str]:
    cat = var.category(str(value))
    forms = [cat.label["fr"], cat.label["en"], *cat.surface["fr"], *cat.surface["en"]]
    return sorted({fold(f) for f in forms if f and len(f) >= 2}, key=len, reverse=True)


def _number_matches(var: Variable, value: Value, text: str) -> list[Span]:
    try:
        target = float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return []
    found = []
    for m in _NUMBER.finditer(text):
        number = float(m.group(1).replace(",", "."))
        unit = (m.group(2) or "").lower()
        if unit == "cm" and var.unit == "mm":
            number *= 10
        if abs(number - target) < 1e-6:
            found.append((m.start(), m.end()))
    return found


def find_evidence(var: Variable, value: Value, text: str) -> list[Span]:
    """Character spans of ``text`` that state ``value`` of ``var``: the value's surface forms
    (categorical) or the number, unit-converted (numeric); at most three, first ones first."""
    if value is None:
        return []
    if var.type == "categorical":
        folded = fold(text)
        spans: list[Span] = []
        for form in _forms(var, value):
            for m in re.finditer(rf"(?<!\w){re.escape(form)}(?!\w)", folded):
                if not any(s <= m.start() < e for s, e in spans):
                    spans.append((m.start(), m.end()))
        return sorted(spans)[:_MAX_SPANS]
    found = _number_matches(var, value, text)
    if len(found) > 1:
        # Several equal numbers: prefer those shortly after a name of the variable.
        folded = fold(text)
        names = [fold(n) for n in (*var.names["fr"], *var.names["en"]) if n]
        near = [
            (s, e) for s, e in found if any(n and n in folded[max(0, s - 60) : s] for n in names)
        ]
        found = near or found
    return found[:_MAX_SPANS]


def merge_windows(
    schema: Schema, answers: Sequence[dict[str, Value]], parts: Sequence[Window]
) -> Extraction:
    """One extraction from the answers of a report's windows, key by key (see the module
    docstring), with the evidence of the chosen value in report coordinates."""
    values = schema.empty_values()
    evidence: dict[str, list[Span]] = {}
    for key in schema.keys:
        var = schema[key]
        cands: list[tuple[Value, int, list[Span]]] = []
        for i, (ans, win) in enumerate(zip(answers, parts, strict=True)):
            value = ans.get(key)
            if value is None:
                continue
            spans = [(win.start + s, win.start + e) for s, e in find_evidence(var, value, win.text)]
            cands.append((value, i, spans))
        if not cands:
            continue
        pool = [c for c in cands if c[2]] or cands
        votes: dict[str, list[tuple[Value, int, list[Span]]]] = {}
        for c in pool:
            votes.setdefault(repr(c[0]), []).append(c)
        best = min(votes.values(), key=lambda group: (-len(group), group[0][1]))
        values[key] = best[0][0]
        spans = sorted({s for c in best for s in c[2]})
        if spans:
            evidence[key] = spans[:_MAX_SPANS]
    return Extraction(values, evidence)


__all__ = ["Window", "find_evidence", "merge_windows", "window_values", "windows"]
