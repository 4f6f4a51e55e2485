"""The student / extract / evaluate commands end to end, as a user runs them."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

from pathsynth.cli import main

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "unit" / "extraction"))
from _pairs import make_pairs


def _write(path: Path, rows: list[dict]) -> Path:
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows))
    return path


def _run(*args: str) -> int:
    try:
        main(list(args))
    except SystemExit as exc:
        return int(exc.code or 0)
    return 0


def test_train_extract_evaluate(tmp_path, capsys) -> None:
    train = _write(tmp_path / "kept.jsonl", make_pairs(120, seed=0))
    test = _write(tmp_path / "test.jsonl", make_pairs(30, seed=9))
    model = tmp_path / "fast"
    assert (
        _run(
            "student",
            "train",
            "--data",
            str(train),
            "--kind",
            "fast",
            "--out",
            str(model),
            "--epochs",
            "3",
        )
        == 0
    )
    assert (model / "manifest.json").is_file()
    pred = tmp_path / "pred.jsonl"
    assert _run("extract", "--model", str(model), "--input", str(test), "--out", str(pred)) == 0
    lines = [json.loads(x) for x in pred.read_text().splitlines()]
    assert len(lines) == 30 and set(lines[0]["values"]) >= {"re", "taille"}
    rules = tmp_path / "rules.jsonl"
    assert _run("extract", "--model", "rules", "--input", str(test), "--out", str(rules)) == 0
    capsys.readouterr()
    table = tmp_path / "table.md"
    code = _run(
        "evaluate",
        "--gold",
        str(test),
        "--pred",
        f"fast={pred}",
        "--pred",
        str(rules),
        "--out",
        str(table),
        "--plot",
        str(tmp_path / "f1.png"),
    )
    assert code == 0
    out = capsys.readouterr().out
    assert out.splitlines()[0] == "| attribute | fast Acc | fast F1 | rules Acc | rules F1 |"
    assert table.read_text() == out
    assert (tmp_path / "f1.png").stat().st_size > 1000
    assert _run("evaluate", "--gold", str(test), "--pred", str(pred), "--json") == 0
    scores = json.loads(capsys.readouterr().out)
    assert scores["systems"]["pred"]["total"]["accuracy"] > 0.9


def test_csv_input_and_errors(tmp_path, capsys) -> None:
    csv = tmp_path / "r.csv"
    csv.write_text('id,text\na,"RE positifs, HER2 négatif"\n')
    out = tmp_path / "p.jsonl"
    assert _run("extract", "--model", "rules", "--input", str(csv), "--out", str(out)) == 0
    assert json.loads(out.read_text())["id"] == "a"
    capsys.readouterr()
    bad = tmp_path / "never.jsonl"
    assert _run("extract", "--model", "nonsense", "--input", str(csv), "--out", str(bad)) == 2
    assert "error:" in capsys.readouterr().err and not bad.exists()
    assert _run("student", "train", "--data", str(csv), "--kind", "svm", "--out", "x") == 2
    assert _run("evaluate", "--gold", str(out), "--pred", str(tmp_path / "missing.jsonl")) == 2


@pytest.mark.slow
def test_realistic_reports_are_read(tmp_path, capsys) -> None:
    real = Path(__file__).resolve().parents[1] / "data" / "realistic_reports.jsonl"
    if not real.is_file():
        pytest.skip("tests/data/realistic_reports.jsonl is absent")
    out = tmp_path / "rules.jsonl"
    assert _run("extract", "--model", "rules", "--input", str(real), "--out", str(out)) == 0
    assert _run("evaluate", "--gold", str(real), "--pred", str(out), "--json") == 0


def test_extract_with_two_workers_writes_the_same_lines_in_order(tmp_path) -> None:
    test = _write(tmp_path / "test.jsonl", make_pairs(40, seed=9))
    one, two = tmp_path / "one.jsonl", tmp_path / "two.jsonl"
    common = ["extract", "--model", "rules", "--input", str(test), "--batch-size", "8"]
    assert _run(*common, "--out", str(one)) == 0
    assert _run(*common, "--out", str(two), "--workers", "2") == 0
    assert two.read_bytes() == one.read_bytes()
    assert _run(*common, "--out", str(tmp_path / "x.jsonl"), "--workers", "0") == 2
    assert not (tmp_path / "x.jsonl").exists()
