"""Filter decisions, outputs and summary, with a small key=value judge standing in for rules."""

from __future__ import annotations

import json
import re
from collections import Counter
from collections.abc import Sequence
from pathlib import Path

import pytest

from pathsynth.cli import main
from pathsynth.errors import PathsynthError
from pathsynth.extraction.base import Extraction
from pathsynth.reports.filter import (
    FilterConfig,
    check_values,
    faithfulness_reasons,
    filter_reports,
    merge_evidence,
)
from pathsynth.schema import Lang, Schema, load_schema


class KeyValueJudge:
    """Reads ``key=value`` pairs: a judge whose behaviour the tests control exactly."""

    name = "key=value"

    def __init__(self, schema: Schema) -> None:
        self.schema = schema

    def extract(self, texts: Sequence[str], *, lang: Lang | None = None) -> list[Extraction]:
        out = []
        for text in texts:
            values = self.schema.empty_values()
            evidence = {}
            for m in re.finditer(r"(\w+)=([\w/.]+)", text):
                key, raw = m.group(1), m.group(2)
                if key in self.schema:
                    var = self.schema[key]
                    values[key] = raw if var.type == "categorical" else float(raw)
                    evidence[key] = [(m.start(2), m.end(2))]
            out.append(Extraction(values, evidence))
        return out


@pytest.fixture
def judge(schema: Schema) -> KeyValueJudge:
    return KeyValueJudge(schema)


def record(**values: object) -> dict[str, object]:
    return {k: values.get(k) for k in load_schema().keys}


def statuses(rec: dict[str, object], stated: dict[str, object], **cfg: object) -> dict[str, str]:
    checks = check_values(rec, stated, load_schema(), FilterConfig(**cfg))  # type: ignore[arg-type]
    return {c.key: c.status for c in checks if c.status != "absent"}


def test_each_variable_gets_one_of_the_four_verdicts() -> None:
    rec = record(taille=28, grade=2, emboles="no", ki67=None)
    got = statuses(rec, {"taille": 28, "grade": 3, "ki67": 20})
    assert got == {
        "taille": "equal",
        "grade": "different",
        "emboles": "not_stated",
        "ki67": "invented",
    }


@pytest.mark.parametrize(
    ("key", "rec", "stated", "status"),
    [
        ("taille", 28, 28.4, "equal"),  # within the schema's 0.5 mm, as in the evaluation
        ("taille", 28, 28.9, "different"),
        ("taille", 28, 280, "different"),  # 28 cm for 28 mm
        ("taille", 28, 2.8, "different"),
        ("ki67", 20, 20.5, "equal"),
        ("ki67", 20, 21, "different"),
        ("ki67", 20, 25, "different"),
        ("numero_gang_prel", 12, 13, "different"),  # integers are exact
        ("taille", 28, "28", "equal"),  # an LLM judge may answer strings
        ("re", "positive", "negative", "different"),
    ],
)
def test_numbers_compare_with_tolerance(key: str, rec: object, stated: object, status: str) -> None:
    assert statuses(record(**{key: rec}), {key: stated})[key] == status


def test_reasons_respect_allowed_counts(schema: Schema) -> None:
    rec = record(taille=28, grade=2, ki67=None)
    checks = check_values(rec, {"taille": 28, "ki67": 10}, schema)
    strict = faithfulness_reasons(checks, FilterConfig())
    assert [(r["code"], r["key"]) for r in strict] == [
        ("not_stated", "grade"),
        ("invented", "ki67"),
    ]
    assert strict[1]["detail"] == "ki67: stated 10 though unknown in the record"
    lenient = faithfulness_reasons(checks, FilterConfig(max_not_stated=1, max_invented=1))
    assert lenient == []
    changed = faithfulness_reasons(
        check_values(record(taille=2.8), {"taille": 28}, schema), FilterConfig()
    )
    assert changed[0]["detail"] == "taille: stated 28 ≠ record 2.8"


def test_evidence_prefers_agreeing_spans_and_counts_them(schema: Schema) -> None:
    checks = check_values(record(taille=28, grade=2), {"taille": 28, "grade": 2}, schema)
    counter: Counter[str] = Counter()
    evidence = merge_evidence(
        checks,
        {"taille": [(10, 15)], "grade": [(30, 31)]},
        {"taille": [[8, 15]], "grade": [[50, 51]], "ki67": [[1, 2]]},
        text_length=60,
        tally=counter,
    )
    assert evidence == {"taille": [[8, 15]], "grade": [[30, 31]]}
    assert counter == {"agree": 1, "disagree": 1}
    teacher_only = merge_evidence(checks, {}, {"taille": [[8, 15], [50, 99]]}, text_length=60)
    assert teacher_only == {"taille": [[8, 15]]}


def write_lines(path: Path, rows: list[dict[str, object]]) -> Path:
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), "utf-8")
    return path


def line(rid: str, text: str, teacher: str = "t1", **rec: object) -> dict[str, object]:
    return {"id": rid, "text": text, "record": record(**rec), "teacher": teacher, "lang": "fr"}


LONG = "Compte rendu de tumorectomie avec une description macroscopique assez détaillée"


def test_filter_writes_kept_rejected_and_summary(tmp_path: Path, judge: KeyValueJudge) -> None:
    rows = [
        line("ok", f"{LONG} taille=28 grade=2", taille=28, grade=2),
        line("changed", f"{LONG} taille=35 grade=2 variante", taille=28, grade=2),
        line("dropped", f"{LONG} grade=2 autre", taille=28, grade=2, teacher="t2"),
        line("invented", f"{LONG} taille=28 grade=2 emboles=yes", taille=28, grade=2),
        line("name", f"{LONG} taille=28 grade=2. Dr Martin", taille=28, grade=2, teacher="t2"),
        line("copy", f"{LONG} taille=28 grade=2 " + REAL_TEXT, taille=28, grade=2),
        line("twin", f"{LONG} taille=28 grade=2", taille=28, grade=2, teacher="t2"),
        {"id": "bare", "text": "no record at all", "teacher": "t2"},
    ]
    real = write_lines(tmp_path / "real.jsonl", [{"id": "R1", "text": REAL_TEXT}])
    summary = filter_reports(
        write_lines(tmp_path / "in.jsonl", rows),
        tmp_path / "kept.jsonl",
        rejected_path=tmp_path / "rejected.jsonl",
        real_path=real,
        summary_path=tmp_path / "summary.json",
        judge=judge,
    )
    kept = [json.loads(x) for x in (tmp_path / "kept.jsonl").read_text().splitlines()]
    rejected = {
        r["id"]: [x["code"] for x in r["reasons"]]
        for r in map(json.loads, (tmp_path / "rejected.jsonl").read_text().splitlines())
    }
    assert [k["id"] for k in kept] == ["ok"]
    assert kept[0]["evidence"]["taille"] == [
        [kept[0]["text"].index("28"), kept[0]["text"].index("28") + 2]
    ]
    assert kept[0]["record"]["taille"] == 28 and "reasons" not in kept[0]
    assert rejected == {
        "changed": ["different"],
        "dropped": ["not_stated"],
        "invented": ["invented"],
        "name": ["identifier"],
        "copy": ["real_overlap"],
        "twin": ["near_duplicate"],
        "bare": ["no_record"],
    }
    assert summary.n_in == 8 and summary.n_kept == 1
    assert summary.per_teacher["t1"]["kept"] == 1 and summary.per_teacher["t2"]["kept_rate"] == 0
    assert summary.per_variable["taille"]["different"] == 1
    assert summary.per_variable["taille"]["failure_rate"] == pytest.approx(2 / 7, abs=1e-3)
    assert summary.privacy["largest_real_overlap"]["real_id"] == "R1"
    assert summary.privacy["largest_real_overlap"]["words"] >= 12
    assert summary.diversity["before"]["n"] == 8 and summary.diversity["after"]["n"] == 1
    on_disk = json.loads((tmp_path / "summary.json").read_text())
    assert on_disk["reasons"]["near_duplicate"] == 1 and on_disk["judge"] == "key=value"


REAL_TEXT = "la pièce est encrée en six couleurs puis sectionnée en tranches de cinq millimètres"


def test_bad_input_leaves_no_output(tmp_path: Path, judge: KeyValueJudge) -> None:
    src = write_lines(
        tmp_path / "in.jsonl",
        [line("a", "taille=28", taille=28), line("b", "taille=28", taille=-4)],
    )
    with pytest.raises(PathsynthError, match=r"in.jsonl:2: record taille=-4"):
        filter_reports(
            src, tmp_path / "kept.jsonl", rejected_path=tmp_path / "r.jsonl", judge=judge
        )
    assert not (tmp_path / "kept.jsonl").exists() and not (tmp_path / "r.jsonl").exists()
    dup = write_lines(tmp_path / "dup.jsonl", [line("a", "x", taille=1), line("a", "y", taille=1)])
    with pytest.raises(PathsynthError, match="duplicate report id"):
        filter_reports(dup, tmp_path / "kept.jsonl", judge=judge)
    with pytest.raises(PathsynthError, match="min-overlap"):
        FilterConfig(min_overlap=0)


def test_options_loosen_the_filter(tmp_path: Path, judge: KeyValueJudge) -> None:
    rows = [
        line("a", f"{LONG} taille=28 grade=2. Prélèvement du 12/03/2023.", taille=28, grade=2),
        line("b", f"{LONG} taille=28 grade=2.", taille=28, grade=2),
        line("c", f"{LONG} taille=28", taille=28, grade=2),
    ]
    src = write_lines(tmp_path / "in.jsonl", rows)
    summary = filter_reports(
        src,
        tmp_path / "kept.jsonl",
        judge=judge,
        identifiers=("name",),
        dedup_threshold=None,
        max_not_stated=1,
    )
    assert summary.n_kept == 3


def test_cli_filters_and_prints_a_summary(
    tmp_path: Path,
    judge: KeyValueJudge,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    import pathsynth.reports.filter as filter_module

    # The CLI resolves --judge through make_judge; point it at the key=value judge.
    monkeypatch.setattr(filter_module, "make_judge", lambda spec, schema: judge)
    src = write_lines(
        tmp_path / "in.jsonl",
        [line("a", f"{LONG} taille=28", taille=28), line("b", "Dr Martin taille=28", taille=28)],
    )
    main(
        [
            "reports", "filter", "--in", str(src), "--out", str(tmp_path / "kept.jsonl"),
            "--rejected", str(tmp_path / "rej.jsonl"), "--summary", str(tmp_path / "s.json"),
        ]
    )  # fmt: skip
    out = capsys.readouterr().out
    assert "kept 1/2" in out and "per variable" in out
    assert json.loads((tmp_path / "s.json").read_text())["n_kept"] == 1
    with pytest.raises(SystemExit) as exit_info:
        main(["reports", "filter", "--in", str(tmp_path / "missing.jsonl"), "--out", "x.jsonl"])
    assert exit_info.value.code == 2


def test_unknown_option_is_a_user_error(tmp_path: Path, judge: KeyValueJudge) -> None:
    src = write_lines(tmp_path / "in.jsonl", [line("a", "taille=28", taille=28)])
    with pytest.raises(PathsynthError, match="unknown filter option"):
        filter_reports(src, tmp_path / "kept.jsonl", judge=judge, min_overlapp=5)
    assert not (tmp_path / "kept.jsonl").exists()
