"""load_extractor: rules, trained student directories, LLM specs, and clear errors."""

from __future__ import annotations

import json

import pytest

from pathsynth.errors import PathsynthError
from pathsynth.extraction import load_extractor, student_kind, train_student

from ._pairs import make_pairs


def test_rules_and_fast_directory(schema, tmp_path) -> None:
    assert load_extractor("rules", schema=schema).name == "rules"
    data = tmp_path / "kept.jsonl"
    data.write_text("".join(json.dumps(r) + "\n" for r in make_pairs(20, seed=1)))
    manifest = train_student(data, "fast", tmp_path / "m", epochs=2)
    assert manifest["training_data_sha256"] and manifest["n_train"] == 20
    assert student_kind(tmp_path / "m") == "fast"
    assert load_extractor(str(tmp_path / "m")).name == "fast"


def test_errors_are_one_line(schema, tmp_path) -> None:
    with pytest.raises(PathsynthError, match="unknown model"):
        load_extractor("gpt-4", schema=schema)
    (tmp_path / "empty").mkdir()
    with pytest.raises(PathsynthError, match="no trained student"):
        load_extractor(str(tmp_path / "empty"))
    bad = tmp_path / "bad.jsonl"
    bad.write_text(json.dumps({"id": "a", "text": "x"}) + "\n")
    with pytest.raises(PathsynthError, match="no training pair"):
        train_student(bad, "fast", tmp_path / "out")
    with pytest.raises(PathsynthError, match="kind"):
        train_student(tmp_path / "bad.jsonl", "svm", tmp_path / "out")  # type: ignore[arg-type]
