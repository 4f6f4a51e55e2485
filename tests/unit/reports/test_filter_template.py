"""Template-teacher reports through the filter with the rules judge: spans become evidence."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from pathsynth.reports.filter import filter_reports
from pathsynth.schema import Schema


def _plain(value: object) -> object:
    # pandas cells: NaN / NA for unknown, numpy scalars for numbers.
    if value is None or value != value or str(value) == "<NA>":
        return None
    return value.item() if hasattr(value, "item") else value


@pytest.mark.slow
def test_template_reports_are_kept_with_evidence_for_every_known_value(
    tmp_path: Path, schema: Schema
) -> None:
    from pathsynth import cohort
    from pathsynth.llm import template

    teacher = template.TemplateTeacher(schema)
    frame = cohort.simulate_cohort(30, 3)
    rows = []
    for i, rec in enumerate(frame.to_dict("records")):
        values = {k: _plain(rec[k]) for k in schema.keys}
        lang = "fr" if i % 2 else "en"
        text, spans = teacher.render(values, lang, i)
        rows.append(
            {
                "id": f"r{i}",
                "text": text,
                "record": {k: schema[k].canonical(v) for k, v in values.items()},
                "teacher": "template",
                "lang": lang,
                "spans": {k: [list(s) for s in v] for k, v in spans.items()},
            }
        )
    src = tmp_path / "in.jsonl"
    src.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), "utf-8")
    summary = filter_reports(
        src,
        tmp_path / "kept.jsonl",
        rejected_path=tmp_path / "rejected.jsonl",
        identifiers=("name", "birth_date", "phone", "social_security", "email", "address"),
    )
    kept = [json.loads(x) for x in (tmp_path / "kept.jsonl").read_text("utf-8").splitlines()]
    assert summary.n_in == 30 and len(kept) == summary.n_kept > 0
    assert summary.spans.get("agree", 0) > 10 * summary.spans.get("disagree", 0)
    for row in kept:
        known = {k for k, v in row["record"].items() if v is not None}
        assert set(row["evidence"]) == known
        for spans in row["evidence"].values():
            assert all(0 <= s < e <= len(row["text"]) for s, e in spans)
