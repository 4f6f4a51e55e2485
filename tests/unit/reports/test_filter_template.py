"""The filter's judge per teacher: template reports read back through their spans keep the
hard cases an extractor cannot read; other teachers keep an extractor judge."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from pathsynth.reports.filter import FilterConfig, filter_reports, read_spans
from pathsynth.schema import Schema

PRIVATE = ("name", "birth_date", "phone", "social_security", "email", "address")


def _plain(value: object) -> object:
    # pandas cells: NaN / NA for unknown, numpy scalars for numbers.
    if value is None or value != value or str(value) == "<NA>":
        return None
    return value.item() if hasattr(value, "item") else value


def _template_rows(schema: Schema, n: int, seed: int = 3) -> list[dict[str, Any]]:
    from pathsynth import cohort
    from pathsynth.llm import template

    teacher = template.TemplateTeacher(schema)
    rows = []
    for i, rec in enumerate(cohort.simulate_cohort(n, seed).to_dict("records")):
        values = {k: _plain(rec[k]) for k in schema.keys}
        lang = "fr" if i % 2 else "en"
        rep = teacher.compose(values, lang, i)
        rows.append(
            {
                "id": f"t{i}",
                "text": rep.text,
                "record": {k: schema[k].canonical(v) for k, v in values.items()},
                "teacher": "template",
                "lang": lang,
                "style": rep.style,
                "spans": {k: [list(s) for s in v] for k, v in rep.spans.items()},
            }
        )
    return rows


def _write(path: Path, rows: list[dict[str, Any]]) -> Path:
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), "utf-8")
    return path


def _kept(path: Path) -> list[dict[str, Any]]:
    return [json.loads(x) for x in path.read_text("utf-8").splitlines()]


@pytest.fixture(scope="module")
def template_rows(schema: Schema) -> list[dict[str, Any]]:
    return _template_rows(schema, 160)


def test_template_reports_are_judged_by_their_spans_and_kept(
    tmp_path: Path, schema: Schema, template_rows: list[dict[str, Any]]
) -> None:
    src = _write(tmp_path / "in.jsonl", template_rows)
    summary = filter_reports(src, tmp_path / "kept.jsonl", schema=schema, identifiers=PRIVATE)
    assert summary.judge == "auto" and summary.judges == {"template": "spans"}
    assert summary.kept_rate >= 0.97
    teacher = summary.per_teacher["template"]
    assert teacher["judge"] == "spans"
    assert teacher["diversity"]["before"]["n"] == 160 and teacher["diversity"]["after"]["n"] > 150
    assert sum(teacher["families"].values()) == 160 and len(teacher["layouts"]) >= 8
    for row in _kept(tmp_path / "kept.jsonl"):
        known = {k for k, v in row["record"].items() if v is not None}
        assert set(row["evidence"]) == known
        assert row["evidence"] == {k: row["spans"][k] for k in known}


@pytest.mark.slow
def test_the_spans_judge_keeps_what_the_rules_judge_throws_away(
    tmp_path: Path, schema: Schema, template_rows: list[dict[str, Any]]
) -> None:
    src = _write(tmp_path / "in.jsonl", template_rows)
    spans = filter_reports(src, tmp_path / "a.jsonl", schema=schema, identifiers=PRIVATE)
    rules = filter_reports(
        src, tmp_path / "b.jsonl", schema=schema, identifiers=PRIVATE, judge="rules"
    )
    assert rules.judges == {"template": "rules"}
    assert spans.kept_rate > rules.kept_rate + 0.1
    # Multi-part reports are the hard cases the rules judge rejects most.
    kept_rules = {r["id"] for r in _kept(tmp_path / "b.jsonl")}
    multi = [r for r in template_rows if r["style"]["family"] in ("cap", "chu")]
    assert sum(r["id"] in kept_rules for r in multi) / len(multi) < spans.kept_rate - 0.1


def test_each_teacher_gets_its_own_judge(
    tmp_path: Path, schema: Schema, template_rows: list[dict[str, Any]]
) -> None:
    class Reader:
        """A stand-in extractor judge that finds nothing."""

        name = "reader"

        def extract(self, texts: list[str], *, lang: str | None = None) -> list[Any]:
            from pathsynth.extraction.base import Extraction

            return [Extraction({k: None for k in schema.keys}) for _ in texts]

    llm = [
        {**r, "id": f"l{i}", "teacher": "llm", "spans": None}
        for i, r in enumerate(template_rows[:20])
    ]
    for row in llm:
        del row["spans"]
    src = _write(tmp_path / "in.jsonl", template_rows[:20] + llm)
    summary = filter_reports(
        src, tmp_path / "kept.jsonl", schema=schema, identifiers=PRIVATE, judge=Reader()
    )
    # An object judges everything; here it reads nothing, so every report is rejected.
    assert summary.n_kept == 0 and summary.judges == {"llm": "reader", "template": "reader"}
    config = FilterConfig(judge="spans", judges={"llm": "spans"}, identifiers=PRIVATE)
    summary = filter_reports(src, tmp_path / "kept.jsonl", schema=schema, config=config)
    assert summary.per_teacher["template"]["kept"] >= 19
    assert summary.per_teacher["llm"]["reasons"] == {"no_spans": 20}


def test_a_span_that_states_another_value_is_rejected(
    tmp_path: Path, schema: Schema, template_rows: list[dict[str, Any]]
) -> None:
    rows = [dict(r) for r in template_rows[:40]]
    changed = 0
    for row in rows:
        rec = dict(row["record"])
        if rec["her2"] is not None:
            rec["her2"] = "negative" if rec["her2"] == "positive" else "positive"
            changed += 1
        if rec["numero_gang_prel"]:
            rec["numero_gang_prel"] += 1
            changed += 1
        row["record"] = rec
    src = _write(tmp_path / "in.jsonl", rows)
    filter_reports(
        src,
        tmp_path / "kept.jsonl",
        rejected_path=tmp_path / "rejected.jsonl",
        schema=schema,
        identifiers=PRIVATE,
    )
    keys = [
        reason["key"]
        for row in _kept(tmp_path / "rejected.jsonl")
        for reason in row["reasons"]
        if reason["code"] == "different"
    ]
    assert changed > 20 and len(keys) == changed
    assert set(keys) == {"her2", "numero_gang_prel"}


def test_read_spans_adds_counts_and_ignores_unreadable_spans(schema: Schema) -> None:
    text = "SLN: 1/2. Axilla: ONE OF TWELVE. Margins: free. Margins: zzz."
    spans = {
        "numero_gang_att": [[5, 6], [18, 21]],
        "numero_gang_prel": [[7, 8], [25, 31]],
        "marges_saines": [[42, 46], [57, 60]],
    }
    from collections import Counter

    tally: Counter[str] = Counter()
    got = read_spans(
        text, spans, schema, summed=("numero_gang_prel", "numero_gang_att"), tally=tally
    )
    assert got.values["numero_gang_att"] == 2 and got.values["numero_gang_prel"] == 14
    assert got.values["marges_saines"] == "yes" and tally["unreadable"] == 1


def test_cli_takes_a_judge_per_teacher(
    tmp_path: Path, schema: Schema, template_rows: list[dict[str, Any]]
) -> None:
    from typer.testing import CliRunner

    from pathsynth.cli import app

    src = _write(tmp_path / "in.jsonl", template_rows[:30])
    out = tmp_path / "kept.jsonl"
    args = ["reports", "filter", "--in", str(src), "--out", str(out)]
    args += ["--summary", str(tmp_path / "s.json"), "--allow-identifier", "date"]
    result = CliRunner().invoke(app, [*args, "--judge-for", "template=spans"])
    assert result.exit_code == 0, result.output
    summary = json.loads((tmp_path / "s.json").read_text("utf-8"))
    assert summary["judges"] == {"template": "spans"}
    assert summary["config"]["judges"] == {"template": "spans"}
    result = CliRunner().invoke(app, [*args, "--judge-for", "template"])
    assert result.exit_code != 0 and "TEACHER=JUDGE" in str(result.exception)
