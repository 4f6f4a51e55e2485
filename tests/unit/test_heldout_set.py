"""Structure of the held-out set of realistic reports (tests/data/heldout_reports.jsonl).

Only the file's shape is checked here: valid JSON, every schema key, canonical gold values,
enough reports per language. Extractor accuracy on this set is measured, never asserted.
"""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path
from typing import Any

import pytest

from pathsynth.schema import Schema

HELDOUT = Path(__file__).resolve().parents[1] / "data" / "heldout_reports.jsonl"
MIN_PER_LANG = 40


@pytest.fixture(scope="module")
def lines() -> list[dict[str, Any]]:
    rows = []
    for number, raw in enumerate(HELDOUT.read_text(encoding="utf-8").splitlines(), 1):
        assert raw.strip(), f"line {number} is blank"
        row = json.loads(raw)
        assert isinstance(row, dict), f"line {number} is not a JSON object"
        rows.append(row)
    return rows


def test_each_line_has_the_report_fields(lines: list[dict[str, Any]]) -> None:
    for row in lines:
        assert {"id", "lang", "text", "values"} <= row.keys(), row.get("id")
        assert set(row) <= {"id", "lang", "text", "values", "note"}, row["id"]
        assert row["lang"] in ("fr", "en"), row["id"]
        assert row["id"].startswith(f"ho-{row['lang']}-"), row["id"]
        assert isinstance(row["text"], str) and len(row["text"].strip()) > 20, row["id"]
        assert "note" not in row or (isinstance(row["note"], str) and row["note"]), row["id"]


def test_ids_are_unique(lines: list[dict[str, Any]]) -> None:
    counts = Counter(row["id"] for row in lines)
    assert [i for i, n in counts.items() if n > 1] == []


def test_enough_reports_per_language(lines: list[dict[str, Any]]) -> None:
    counts = Counter(row["lang"] for row in lines)
    assert counts["fr"] >= MIN_PER_LANG
    assert counts["en"] >= MIN_PER_LANG


def test_gold_values_are_canonical(lines: list[dict[str, Any]], schema: Schema) -> None:
    for row in lines:
        values = row["values"]
        assert list(values) == schema.keys, row["id"]
        assert schema.check_record(values) == [], row["id"]
        for key, value in values.items():
            # JSON types as the gold format requires: integers stay integers, no strings for numbers
            assert value == schema[key].canonical(value), (row["id"], key)
            if value is not None and schema[key].type == "integer":
                assert isinstance(value, int) and not isinstance(value, bool), (row["id"], key)


def test_some_values_are_unknown_but_most_are_known(lines: list[dict[str, Any]]) -> None:
    values = [v for row in lines for v in row["values"].values()]
    unknown = sum(v is None for v in values) / len(values)
    assert 0.05 <= unknown <= 0.30
