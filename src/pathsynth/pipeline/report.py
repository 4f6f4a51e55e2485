"""report.html: one self-contained page (inline CSS, plots as base64 PNG) that opens offline.

Everything shown is read back from the run folder (manifest summaries, metrics files, reports),
so the page can be rebuilt from the artifacts alone with :func:`write_report`.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from jinja2 import Environment, PackageLoader, select_autoescape
from markupsafe import Markup, escape

from pathsynth import __version__
from pathsynth._io import iter_jsonl, read_reports, write_text_atomic
from pathsynth.errors import redact
from pathsynth.pipeline._report_parts import (
    DIVERSITY_COLUMNS,
    EXAMPLES,
    PALETTE,
    _fmt,
    _holdout_reference,
    _png_file,
    generation_section,
    tabular_section,
)
from pathsynth.pipeline.artifacts import RunFolder
from pathsynth.pipeline.config import PipelineConfig
from pathsynth.schema import Schema


def ie_sections(folder: RunFolder, cfg: PipelineConfig, schema: Schema) -> list[dict[str, Any]]:
    """The extraction tables, one per evaluation set, in the study's layout."""
    out = []
    kinds = {s.name: f"student ({s.kind})" for s in cfg.students}
    kinds.update(
        {
            b.name: ("rules" if b.spec == "rules" else f"{b.shots}-shot {redact(b.spec)}")
            for b in cfg.baselines
        }
    )
    for es in cfg.evaluation:
        path = folder.path(f"metrics/{es.name}.json")
        setrec = folder.stages.get(f"evalset:{es.name}")
        if not path.is_file():
            out.append({"name": es.name, "missing": True, "origin": _origin(setrec)})
            continue
        data = json.loads(path.read_text(encoding="utf-8"))
        systems = data.get("systems", {})
        names = list(systems)
        rows = []
        for key in [*schema.keys, "total"]:
            cells = []
            scores = [
                (systems[n]["total"] if key == "total" else systems[n]["keys"][key]) for n in names
            ]
            best_acc = max(s["accuracy"] for s in scores)
            best_f1 = max(s["f1"] for s in scores)
            for s in scores:
                cells.append(
                    {
                        "acc": f"{s['accuracy']:.2f}",
                        "f1": f"{s['f1']:.2f}",
                        "best_acc": len(names) > 1 and s["accuracy"] == best_acc,
                        "best_f1": len(names) > 1 and s["f1"] == best_f1,
                    }
                )
            errors = [
                {
                    "wrong": s.get("wrong", 0),
                    "missed": s.get("missed", 0),
                    "spurious": s.get("spurious", 0),
                    "stated": f"{s.get('stated_accuracy', 0):.2f}",
                }
                for s in scores
            ]
            rows.append(
                {
                    "key": "Total (micro)" if key == "total" else key,
                    "cells": cells,
                    "errors": errors,
                }
            )
        judge = _judge_of(cfg, es.teacher)
        judged = [
            n
            for n in names
            if es.filtered
            and cfg.filter.enabled
            and any(b.name == n and b.spec == judge for b in cfg.baselines)
        ]
        out.append(
            {
                "name": es.name,
                "missing": False,
                "bias": (
                    f"{', '.join(judged)} judged which reports the filter kept, and this set "
                    "holds kept reports only: its scores here are biased upward."
                    if judged
                    else None
                ),
                "origin": _origin(setrec),
                "n_reports": data.get("n_reports"),
                "systems": [{"name": n, "kind": kinds.get(n, "")} for n in names],
                "rows": rows,
                "plot": _png_file(folder.path(f"metrics/{es.name}_f1.png")),
            }
        )
    return out


def _judge_of(cfg: PipelineConfig, teacher: str | None) -> str:
    """The judge that filtered a teacher's reports (``auto``: spans for the template)."""
    own = next((t for t in cfg.teachers.teachers if t.name == teacher), None)
    judge = (own.judge if own is not None else None) or cfg.filter.judge
    if judge == "auto":
        spans = own is not None and own.spec.split(":", 1)[0] == "template"
        return "spans" if spans else "rules"
    return judge


def _origin(rec: Any) -> str:
    return str(rec.summary.get("origin", "")) if rec is not None else "not built"


def longest_shared_ngram(texts: list[str], real: list[str]) -> int:
    """Length in words of the longest word sequence found both in ``texts`` and in ``real``.

    Sharing an n-gram implies sharing every shorter one, so a binary search on n over hashed
    n-gram sets finds the longest in O(words · log words).
    """
    syn = [t.lower().split() for t in texts]
    ref = [t.lower().split() for t in real]

    def shares(n: int) -> bool:
        grams = {hash(tuple(w[i : i + n])) for w in ref for i in range(len(w) - n + 1)}
        return any(hash(tuple(w[i : i + n])) in grams for w in syn for i in range(len(w) - n + 1))

    lo, hi = 0, min(max((len(w) for w in syn), default=0), max((len(w) for w in ref), default=0))
    while lo < hi:
        mid = (lo + hi + 1) // 2
        if shares(mid):
            lo = mid
        else:
            hi = mid - 1
    return lo


def privacy_section(
    folder: RunFolder, cfg: PipelineConfig, tabular: dict[str, Any] | None
) -> dict[str, Any]:
    """ε spent, distance-to-closest-record share, identical matches, n-gram overlap."""
    rec = folder.stages.get("records")
    chosen = str(rec.summary.get("source")) if rec is not None else None
    metrics = (tabular or {}).get("metrics", {}).get(chosen or "", {})
    reference = _holdout_reference(folder)

    def with_ref(key: str) -> str:
        if not metrics:
            return "—"
        ref = reference.get(key)
        # What unseen real patients score: the yardstick of "no closer than chance".
        return _fmt(metrics.get(key)) + (f" (holdout patients: {_fmt(ref)})" if ref else "")

    rows = [
        ("Records the teachers wrote from", chosen or "—"),
        ("ε spent by that synthesizer", _fmt(metrics.get("epsilon")) if metrics else "—"),
        ("DCR share (0.5 is ideal)", with_ref("dcr_share")),
        ("Identical matches with training records", with_ref("identical_match_share")),
        (
            "Attribute inference: protection of receptors, HER2, nodes, emboli for an "
            "attacker who knows procedure, type, size, grade (1 = no better than a guess)",
            with_ref("disclosure_protection"),
        ),
        (
            "Membership inference: AUC of telling training patients from others (0.5 = chance)",
            with_ref("membership_auc"),
        ),
    ]
    if chosen == "cohort":
        rows.append(("Warning", "the teachers saw the input records themselves: no privacy"))
    if cfg.filter.real_reports is not None and cfg.filter.real_reports.is_file():
        real = [r["text"] for r in read_reports(cfg.filter.real_reports)]
        kept = [
            str(r.get("text", ""))
            for t in cfg.teachers.teachers
            if folder.path(f"filtered/{t.name}.kept.jsonl").is_file()
            for r in iter_jsonl(folder.path(f"filtered/{t.name}.kept.jsonl"))
        ]
        rows.append(
            (
                "Largest n-gram shared by a kept report and a real report",
                f"{longest_shared_ngram(kept, real)} words",
            )
        )
        found = [
            r.summary.get("privacy", {}).get("largest_real_overlap")
            for name, r in folder.stages.items()
            if name.startswith("filter:")
        ]
        words = [int(f["words"]) for f in found if isinstance(f, dict) and f.get("words")]
        limit = cfg.filter.options.get("min_overlap", "the filter's threshold")
        rows.append(
            (
                "Reports rejected for copying real text: largest copied span",
                f"{max(words)} words" if words else f"none reached {limit} words",
            )
        )
    else:
        rows.append(
            ("Largest n-gram overlap with real reports", "not measured: no real reports given")
        )
    return {"rows": rows}


def highlight(text: str, spans: dict[str, list[Any]], colours: dict[str, str]) -> Markup:
    """``text`` as HTML with each evidence span marked (overlapping spans: the first wins)."""
    marks = sorted(
        (int(s[0]), int(s[1]), key)
        for key, lst in (spans or {}).items()
        for s in lst or []
        if isinstance(s, list | tuple) and len(s) == 2 and 0 <= int(s[0]) < int(s[1]) <= len(text)
    )
    parts: list[str] = []
    pos = 0
    for start, end, key in marks:
        if start < pos:
            continue
        parts.append(str(escape(text[pos:start])))
        colour = colours.get(key, "#eeeeee")
        parts.append(
            f'<mark style="background:{colour}" title="{escape(key)}">'
            f"{escape(text[start:end])}</mark>"
        )
        pos = end
    parts.append(str(escape(text[pos:])))
    return Markup("".join(parts))


def examples_section(
    folder: RunFolder, cfg: PipelineConfig, colours: dict[str, str]
) -> list[dict[str, Any]]:
    """A few kept reports per teacher with their evidence spans highlighted."""
    out = []
    for t in cfg.teachers.teachers:
        path = folder.path(f"filtered/{t.name}.kept.jsonl")
        if not path.is_file():
            continue
        for i, row in enumerate(iter_jsonl(path)):
            if i >= EXAMPLES:
                break
            spans = row.get("evidence") or row.get("spans") or {}
            record = row.get("record") or {}
            out.append(
                {
                    "teacher": t.name,
                    "id": row.get("id"),
                    "html": highlight(str(row.get("text", "")), spans, colours),
                    "record": [(k, _fmt(v)) for k, v in record.items()],
                    "n_spans": sum(len(v or []) for v in spans.values()),
                }
            )
    return out


def timings_section(folder: RunFolder) -> list[dict[str, Any]]:
    """Seconds per stage in this run (and at first run, for stages skipped now)."""
    rows = []
    for name, t in folder.timings.items():
        if name == "total":
            continue
        rows.append(
            {
                "stage": name,
                "seconds": _fmt(float(t.get("seconds", 0.0)), 1),
                "status": t.get("note")
                or (
                    f"unchanged, skipped (first run {t.get('first_run_seconds', 0):.1f} s)"
                    if t.get("skipped")
                    else "ran"
                ),
            }
        )
    return rows


def render_report(folder: RunFolder, cfg: PipelineConfig, schema: Schema, notes: list[str]) -> str:
    """The HTML text of the report of the run in ``folder``."""
    env = Environment(
        loader=PackageLoader("pathsynth.pipeline", "templates"),
        autoescape=select_autoescape(["html", "j2"]),
        trim_blocks=True,
        lstrip_blocks=True,
    )
    colours = {k: PALETTE[i % len(PALETTE)] for i, k in enumerate(schema.keys)}
    tabular = tabular_section(folder)
    versions_path = folder.path("versions.json")
    versions = (
        json.loads(versions_path.read_text(encoding="utf-8")) if versions_path.is_file() else {}
    )
    total = folder.timings.get("total", {}).get("seconds")
    return env.get_template("report.html.j2").render(
        diversity_columns=[title for _, title in DIVERSITY_COLUMNS],
        version=__version__,
        created=datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
        cfg=cfg,
        schema=schema,
        notes=notes,
        tabular=tabular,
        teachers=generation_section(folder, cfg),
        ie=ie_sections(folder, cfg, schema),
        privacy=privacy_section(folder, cfg, tabular),
        examples=examples_section(folder, cfg, colours),
        colours=colours,
        timings=timings_section(folder),
        total_seconds=_fmt(total, 1),
        # Stages reused from earlier runs: what they cost when they ran.
        reused_seconds=_fmt(
            sum(
                float(t.get("first_run_seconds", 0.0))
                for n, t in folder.timings.items()
                if n != "total" and t.get("skipped")
            ),
            1,
        ),
        versions=[(k, v or "not installed") for k, v in versions.items()],
        cohort=folder.stages["cohort"].summary if "cohort" in folder.stages else {},
    )


def write_report(
    folder: RunFolder, cfg: PipelineConfig, schema: Schema, *, notes: list[str] | None = None
) -> Path:
    """Write ``report.html`` into the run folder; return its path."""
    out = folder.path("report.html")
    write_text_atomic(out, render_report(folder, cfg, schema, notes or []))
    return out


def rebuild_report(run_dir: str | Path) -> Path:
    """Write ``report.html`` again from a finished run folder alone (config copy, manifest,
    timings and notes of its last run), e.g. after upgrading pathsynth."""
    from pathsynth.errors import PathsynthError
    from pathsynth.pipeline.config import load_config
    from pathsynth.schema import load_schema

    if not (Path(run_dir) / "config.yaml").is_file():
        raise PathsynthError(f"{run_dir} is not the folder of a finished run (no config.yaml)")
    folder = RunFolder(run_dir)
    cfg = load_config(folder.path("config.yaml"))
    timings = folder.path("timings.json")
    if timings.is_file():
        folder.timings = json.loads(timings.read_text(encoding="utf-8"))
    notes_path = folder.path("notes.json")
    notes = (
        [str(n) for n in json.loads(notes_path.read_text(encoding="utf-8"))]
        if notes_path.is_file()
        else []
    )
    return write_report(folder, cfg, load_schema(cfg.schema_name), notes=notes)


__all__ = ["highlight", "longest_shared_ngram", "rebuild_report", "render_report", "write_report"]
