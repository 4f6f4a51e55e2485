"""Long reports read in windows: cutting, the answer of a training window, evidence, merging."""

from __future__ import annotations

import itertools
import re

from pathsynth.extraction._chunks import (
    Window,
    find_evidence,
    merge_windows,
    window_values,
    windows,
)
from pathsynth.schema import load_schema

SCHEMA = load_schema("breast13")


def _offsets(text: str) -> list[tuple[int, int]]:
    return [m.span() for m in re.finditer(r"\S+", text)]


def _report(lines: int) -> str:
    return "\n".join(
        f"line {i} of the gross description, nothing coded here." for i in range(lines)
    )


def test_a_short_report_is_one_window() -> None:
    text = "Invasive ductal carcinoma, grade 2."
    assert windows(text, _offsets(text), 64) == [Window(0, len(text), text)]


def test_a_long_report_is_cut_into_bounded_overlapping_windows_at_line_breaks() -> None:
    text = _report(60)
    offs = _offsets(text)
    parts = windows(text, offs, 40, overlap=8)
    assert len(parts) > 5
    assert parts[0].start == 0 and parts[-1].end == len(text)
    for a, b in itertools.pairwise(parts):
        assert b.start < a.end  # overlap: nothing falls between two windows
        assert b.start > a.start
    for w in parts:
        assert w.text == text[w.start : w.end]
        assert len(_offsets(w.text)) <= 40
        assert w.end == len(text) or text[w.end - 1] == "\n"


def test_a_training_window_states_only_the_values_whose_evidence_it_holds() -> None:
    values = {"grade": 2, "taille": 28, "re": None, "her2": "negative"}
    evidence = {"grade": [(10, 17)], "taille": [(200, 206)]}
    got = window_values(values, evidence, Window(0, 100, "x" * 100))
    # no span known for her2: kept; re unknown: None
    assert got == {"grade": 2, "taille": None, "re": None, "her2": "negative"}


def test_evidence_of_a_size_in_centimetres_and_of_a_category() -> None:
    text = "Tumour size: 2.8 cm. Margins: clear. Estrogen receptor: positive."
    [(s, e)] = find_evidence(SCHEMA["taille"], 28, text)
    assert text[s:e] == "2.8 cm"
    spans = find_evidence(SCHEMA["re"], "positive", text)
    assert spans and text[spans[0][0] : spans[0][1]].lower() == "positive"
    assert find_evidence(SCHEMA["taille"], 35, text) == []


def test_merge_prefers_a_supported_value_then_the_majority_then_the_first_window() -> None:
    w1 = Window(0, 30, "Histologic grade: 2. Size 15 mm")
    w2 = Window(30, 60, "grade 3 focus, cut surface")
    w3 = Window(60, 90, "nothing coded here at all....")
    answers = [
        {"grade": 2, "taille": 15, "her2": None},
        {"grade": 3, "taille": 40, "her2": None},
        {"grade": 3, "taille": None, "her2": None},
    ]
    got = merge_windows(SCHEMA, answers, [w1, w2, w3])
    # grade 3 has two votes but only one is written in its window, as is grade 2: the
    # supported values tie on votes, so the earlier window wins; 40 mm is nowhere in its text.
    assert got.values["grade"] == 2
    assert got.values["taille"] == 15
    assert got.values["her2"] is None
    s, e = got.evidence["taille"][0]
    assert "Histologic grade: 2. Size 15 mm"[s:e] == "15 mm"
    assert set(got.values) == set(SCHEMA.keys)
