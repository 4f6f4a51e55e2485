"""Scores follow docs/INTERFACE.md: accuracy with null as a value, F1 over filled slots."""

from __future__ import annotations

import json

import pytest

from pathsynth.errors import PathsynthError
from pathsynth.evaluation import evaluate, values_equal


def _row(rid: str, **vals: object) -> dict[str, object]:
    return {"id": rid, "values": vals}


def test_accuracy_and_f1_definitions(schema) -> None:
    gold = [_row("a", re="positive"), _row("b", re=None), _row("c", re="negative"), _row("d")]
    pred = [_row("a", re="positive"), _row("b", re="negative"), _row("c"), _row("d")]
    res = evaluate(gold, {"sys": pred}, schema)
    s = res.system("sys").keys["re"]
    # a: TP; b: FP (gold null); c: FN (pred null); d: both null, correct, no slot.
    assert (s.tp, s.fp, s.fn, s.correct, s.n) == (1, 1, 1, 2, 4)
    assert s.accuracy == pytest.approx(0.5)
    assert s.f1 == pytest.approx(2 / (2 + 1 + 1))
    assert s.confusion["positive"]["positive"] == 1
    assert s.confusion["null"]["negative"] == 1


def test_wrong_value_is_both_fp_and_fn(schema) -> None:
    res = evaluate([_row("a", grade=2)], {"s": [_row("a", grade=3)]}, schema)
    s = res.system("s").keys["grade"]
    assert (s.tp, s.fp, s.fn) == (0, 1, 1)


def test_numbers_use_tolerance_and_lenient_types(schema) -> None:
    assert values_equal(schema["taille"], 28, 28.4)
    assert not values_equal(schema["taille"], 28, 29)
    gold = [_row("a", taille=28, ki67=20, grade=2, her2="negative")]
    pred = [_row("a", taille="28.0", ki67=20.5, grade="2", her2="Negative")]
    s = evaluate(gold, {"p": pred}, schema).system("p")
    assert all(s.keys[k].correct == 1 for k in ("taille", "ki67", "grade", "her2"))


def test_micro_total_and_missing_predictions(schema) -> None:
    gold = [_row("a", re="positive", rp="positive"), _row("b", re="negative")]
    res = evaluate(gold, {"p": [_row("a", re="positive")]}, schema)
    s = res.system("p")
    assert s.missing == 1
    assert s.total.n == 2 * len(schema.keys)
    assert s.total.tp == 1 and s.total.fn == 2 and s.total.fp == 0


def test_gold_may_be_a_reports_file_with_record(schema) -> None:
    gold = [{"id": "a", "text": "...", "record": {"emboles": "yes"}}]
    res = evaluate(gold, {"p": [_row("a", emboles="yes")]}, schema)
    assert res.system("p").keys["emboles"].tp == 1


def test_bad_input_is_one_line_error(schema) -> None:
    with pytest.raises(PathsynthError):
        evaluate([{"id": "a"}], {"p": []}, schema)
    with pytest.raises(PathsynthError, match="no prediction id"):
        evaluate([_row("a")], {"p": [_row("zz")]}, schema)


def test_markdown_json_and_plot(schema, tmp_path) -> None:
    gold = [_row("a", re="positive"), _row("b", re="negative")]
    res = evaluate(gold, {"A": [_row("a", re="positive")], "B": [_row("a", re="negative")]}, schema)
    md = res.to_markdown()
    assert md.splitlines()[0] == "| attribute | A Acc | A F1 | B Acc | B F1 |"
    study, errors = md.split("Errors:")
    assert sum(1 for line in study.splitlines() if line.startswith("| ")) == len(schema.keys) + 2
    # the errors table: B said "negative" for a positive (wrong), nothing for b (missed)
    re_row = next(line for line in errors.splitlines() if line.startswith("| re |"))
    assert re_row.split(" | ")[5:8] == ["1", "1", "0"]
    data = res.to_dict()
    assert data["systems"]["B"]["keys"]["re"]["wrong"] == 1
    assert data["systems"]["A"]["keys"]["re"]["stated_accuracy"] == 0.5
    json.dumps(data)
    png = res.plot(tmp_path / "f1.png")
    assert png.read_bytes()[:4] == b"\x89PNG"
