"""Filtering generated reports: keep the faithful, varied and private ones.

Each report line (``{"id", "text", "record", "teacher", "lang", ...}``) goes through three checks:

* **faithfulness** — a judge reads the report back: its teacher's spans through the schema's
  value readers when it has spans (the template teacher's reports), the rules extractor
  otherwise (``auto``), or any judge set per teacher (``spans``, ``rules``, a student DIR, an LLM
  SPEC); each variable is then *equal* (stated as in the record), *different*, *not stated*
  (known in the record, absent from the text), *invented* (stated though unknown in the record)
  or *absent* (unknown and not stated). A report is kept when nothing differs and at most
  ``max_not_stated`` / ``max_invented`` values are missing / invented (0 by default);
* **privacy** — no direct identifier (names with a title, birth dates, dates, phone, NIR/SSN,
  record numbers, e-mails, addresses) and, given real reports, no verbatim span of
  ``min_overlap`` words or more shared with one of them;
* **diversity** — a report that nearly repeats an already kept one (MinHash LSH on word
  shingles) is dropped.

Kept lines are the input lines plus ``"evidence": {key: [[start, end], ...]}`` (where each value
was found, training signal for the students); rejected lines carry ``"reasons"``: a list of
``{"code", "key"?, "detail"}``. The summary gives the kept rate, reasons, per-teacher figures
(judge, kept rate, diversity before / after, layouts and families drawn), per-variable figures,
diversity before / after, and the largest overlap with a real report.
"""

from __future__ import annotations

import importlib
import json
import math
import time
from collections import defaultdict
from collections.abc import Iterator
from contextlib import ExitStack
from dataclasses import asdict, fields
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

from pathsynth._io import atomic_path, iter_jsonl, read_reports, write_json
from pathsynth.errors import PathsynthError
from pathsynth.extraction.base import Extraction, Extractor
from pathsynth.reports._diversity import DiversityMeter, NearDuplicateIndex
from pathsynth.reports._faithfulness import (
    REASON_CODES,
    FilterConfig,
    VariableCheck,
    _as_number,
    _union,
    check_values,
    faithfulness_reasons,
    merge_evidence,
    values_match,
)
from pathsynth.reports._judges import SPANS, Judges, read_spans, summed_keys
from pathsynth.reports._privacy import (
    IdentifierHit,
    Overlap,
    RealTextIndex,
    find_identifiers,
)
from pathsynth.reports._summary import (
    STATUSES,
    FilterSummary,
    Tally,
    per_variable_figures,
    summary_tables,
)
from pathsynth.schema import Schema, Value, load_schema


def make_judge(judge: str | Extractor, schema: Schema) -> Extractor:
    """The extractor that reads reports: ``rules``, a student DIR, an LLM SPEC, or an object."""
    if not isinstance(judge, str):
        return judge
    extraction = importlib.import_module("pathsynth.extraction")
    load = getattr(extraction, "load_extractor", None)
    if load is not None:
        return load(judge, schema=schema)
    if judge == "rules":
        try:
            rules = importlib.import_module("pathsynth.extraction.rules")
        except ImportError:
            raise PathsynthError("the rules extractor is missing from this installation") from None
        return rules.RulesExtractor(schema=schema)
    raise PathsynthError(f"cannot load judge {judge!r}: this installation only has 'rules'")


def _records(row: dict[str, Any], schema: Schema, where: str) -> dict[str, Value] | None:
    raw = row.get("record")
    if raw is None:
        return None
    if not isinstance(raw, dict):
        raise PathsynthError(f"{where}: 'record' is not a JSON object")
    record: dict[str, Value] = {}
    for key in schema.keys:
        value = raw.get(key)
        var = schema[key]
        if isinstance(value, float) and math.isnan(value):
            value = None
        if value is not None and var.type != "categorical":
            number = _as_number(value)
            value = number if number is not None else value
        if not var.is_valid(value):
            raise PathsynthError(f"{where}: record {key}={value!r} is not a canonical value")
        record[key] = var.canonical(value)
    return record


def _count_lines(path: Path) -> int:
    if not path.is_file():
        raise PathsynthError(f"file not found: {path}")
    with path.open("rb") as fh:
        return sum(1 for line in fh if line.strip())


def _batches(path: Path, size: int) -> Iterator[list[tuple[int, dict[str, Any]]]]:
    batch: list[tuple[int, dict[str, Any]]] = []
    for i, row in enumerate(iter_jsonl(path), start=1):
        batch.append((i, row))
        if len(batch) >= size:
            yield batch
            batch = []
    if batch:
        yield batch


def _extract(
    judges: Judges,
    rows: list[dict[str, Any]],
    schema: Schema,
    summed: tuple[str, ...],
    tally: Tally,
) -> list[tuple[Extraction | None, str]]:
    """Each row read back by its judge: ``(extraction, judge spec)``."""
    out: list[tuple[Extraction | None, str]] = [(None, "")] * len(rows)
    groups: dict[tuple[str, Any], list[int]] = defaultdict(list)
    for i, row in enumerate(rows):
        spans = row.get("spans")
        spec = judges.spec_for(str(row.get("teacher") or "unknown"), isinstance(spans, dict))
        if row.get("_record") is None:
            out[i] = (None, spec)
            continue
        if spec == SPANS:
            if isinstance(spans, dict):
                lang = row.get("lang") if row.get("lang") in ("fr", "en") else None
                read = read_spans(
                    row["text"],
                    spans,
                    schema,
                    summed=summed,
                    lang=lang,
                    record=row["_record"],
                    tally=tally.spans,
                )
                out[i] = (read, spec)
            else:
                out[i] = (None, spec)
            continue
        lang = row.get("lang")
        groups[(spec, lang if lang in ("fr", "en") else None)].append(i)
    for (spec, lang), idx in groups.items():
        judge = judges.extractor(spec)
        got = judge.extract([rows[i]["text"] for i in idx], lang=lang)
        if len(got) != len(idx):
            raise PathsynthError(
                f"judge {getattr(judge, 'name', judge)!r} returned {len(got)} extractions "
                f"for {len(idx)} reports"
            )
        for i, extraction in zip(idx, got, strict=True):
            out[i] = (extraction, spec)
    return out


def _identifier_reason(hit: IdentifierHit) -> dict[str, str]:
    return {"code": "identifier", "detail": f"{hit.kind}: {hit.text!r} at {hit.start}"}


def _overlap_reason(overlap: Overlap) -> dict[str, str]:
    return {
        "code": "real_overlap",
        "detail": f"{overlap.words} words [{overlap.start}, {overlap.end}) shared with real "
        f"report {overlap.real_id}",
    }


def filter_reports(
    in_path: str | Path,
    out_path: str | Path,
    *,
    rejected_path: str | Path | None = None,
    real_path: str | Path | None = None,
    judge: str | Extractor | None = None,
    summary_path: str | Path | None = None,
    schema: Schema | str | None = None,
    config: FilterConfig | None = None,
    progress: bool = False,
    **options: Any,
) -> FilterSummary:
    """Filter generated reports; write kept (and rejected) lines and return the summary.

    ``options`` are :class:`FilterConfig` fields overriding ``config`` (e.g. ``min_overlap=10``).
    ``judge`` is a spec or an :class:`Extractor` object. Output files appear only on success.
    """
    started = time.perf_counter()
    schema = load_schema(schema or "breast13") if not isinstance(schema, Schema) else schema
    config = config or FilterConfig()
    if isinstance(judge, str):
        options["judge"] = judge
    if options:
        names = {f.name for f in fields(FilterConfig)}
        bad = set(options) - names
        if bad:
            raise PathsynthError(
                f"unknown filter option(s) {sorted(bad)}: choose among {sorted(names)}"
            )
        config = FilterConfig(**{**asdict(config), **options})
    in_path = Path(in_path)
    total = _count_lines(in_path)
    if total == 0:
        raise PathsynthError(f"{in_path} holds no report")

    real_index: RealTextIndex | None = None
    if real_path is not None:
        real_index = RealTextIndex(
            config.min_overlap, boilerplate_reports=config.boilerplate_reports
        )
        for real in read_reports(real_path):
            real_index.add(str(real["id"]), real["text"])
    judges = Judges(
        judge if judge is not None else config.judge,
        config.judges,
        lambda spec: make_judge(spec, schema),
    )
    summed = summed_keys(schema)
    dedup = (
        NearDuplicateIndex(config.dedup_threshold, seed=config.seed)
        if config.dedup_threshold is not None
        else None
    )
    before = DiversityMeter(config.self_bleu_sample, config.seed)
    after = DiversityMeter(config.self_bleu_sample, config.seed)
    tally = Tally(config.self_bleu_sample, config.seed)
    seen: set[str] = set()

    with ExitStack() as stack:
        kept_fh = stack.enter_context(atomic_path(out_path)).open("w", encoding="utf-8")
        stack.callback(kept_fh.close)
        rej_fh = None
        if rejected_path is not None:
            rej_fh = stack.enter_context(atomic_path(rejected_path)).open("w", encoding="utf-8")
            stack.callback(rej_fh.close)
        bar = stack.enter_context(
            Progress(
                TextColumn("filtering"),
                BarColumn(),
                MofNCompleteColumn(),
                TimeRemainingColumn(),
                console=Console(stderr=True, emoji=False),
                disable=not progress,
            )
        )
        task = bar.add_task("filter", total=total)
        for batch in _batches(in_path, config.batch_size):
            rows = []
            for line_no, row in batch:
                where = f"{in_path}:{line_no}"
                if "id" not in row or not isinstance(row.get("text"), str):
                    raise PathsynthError(f"{where}: a report needs 'id' and a text 'text'")
                row["id"] = str(row["id"])
                if row["id"] in seen:
                    raise PathsynthError(f"{where}: duplicate report id {row['id']!r}")
                seen.add(row["id"])
                row["_record"] = _records(row, schema, where)
                rows.append(row)
            extractions = _extract(judges, rows, schema, summed, tally)
            for row, (extraction, spec) in zip(rows, extractions, strict=True):
                record = row.pop("_record")
                teacher = tally.teacher(str(row.get("teacher") or "unknown"))
                teacher.judges[judges.name(spec)] += 1
                kept, out = _judge_one(
                    row, record, extraction, spec, schema, config, real_index, dedup, tally
                )
                before.add(row["text"])
                teacher.before.add(row["text"])
                style = row.get("style")
                if isinstance(style, dict):
                    teacher.layouts[str(style.get("layout", "?"))] += 1
                    if "family" in style:
                        teacher.families[str(style["family"])] += 1
                if kept:
                    after.add(row["text"])
                    teacher.after.add(row["text"])
                    kept_fh.write(json.dumps(out, ensure_ascii=False) + "\n")
                elif rej_fh is not None:
                    rej_fh.write(json.dumps(out, ensure_ascii=False) + "\n")
                bar.advance(task)
        kept_fh.close()
        if rej_fh is not None:
            rej_fh.close()

    seconds = time.perf_counter() - started
    summary = _summary(tally, schema, config, before, after, real_index, judges, seconds)
    if summary_path is not None:
        write_json(summary_path, summary.to_dict())
    return summary


def _judge_one(
    row: dict[str, Any],
    record: dict[str, Value] | None,
    extraction: Extraction | None,
    spec: str,
    schema: Schema,
    config: FilterConfig,
    real_index: RealTextIndex | None,
    dedup: NearDuplicateIndex | None,
    tally: Tally,
) -> tuple[bool, dict[str, Any]]:
    text: str = row["text"]
    teacher = str(row.get("teacher") or "unknown")
    reasons: list[dict[str, str]] = []
    evidence: dict[str, list[list[int]]] = {}
    if record is None:
        reasons.append({"code": "no_record", "detail": "no 'record' to check the text against"})
    elif extraction is None:
        detail = "the 'spans' judge needs the teacher's 'spans'"
        reasons.append({"code": "no_spans", "detail": detail})
    else:
        checks = check_values(record, extraction.values, schema, config)
        tally.judged += 1
        for c in checks:
            tally.per_variable[c.key][c.status] += 1
        reasons += faithfulness_reasons(checks, config)
        if not reasons and spec == SPANS:
            # The teacher's spans that read back to the record are the evidence.
            evidence = {
                c.key: _union(extraction.evidence.get(c.key, []))
                for c in checks
                if c.status == "equal" and extraction.evidence.get(c.key)
            }
            tally.spans["spans_judge"] += len(evidence)
        elif not reasons:
            evidence = merge_evidence(
                checks, extraction.evidence, row.get("spans"), len(text), tally.spans
            )
    for hit in find_identifiers(text, config.identifiers):
        tally.identifiers[hit.kind] += 1
        reasons.append(_identifier_reason(hit))
    if real_index is not None:
        overlap = real_index.longest_overlap(text)
        if overlap.words > tally.overlap[0]:
            tally.overlap = (overlap.words, row["id"], overlap.real_id)
        if overlap.words >= config.min_overlap:
            reasons.append(_overlap_reason(overlap))
    if not reasons and dedup is not None:
        twin = dedup.find(text)
        if twin is not None:
            reasons.append(
                {
                    "code": "near_duplicate",
                    "detail": f"repeats kept report {twin[0]} (similarity {twin[1]:.2f})",
                }
            )
        else:
            dedup.add(row["id"], text)
    tally.n += 1
    per_teacher = tally.teacher(teacher).counts
    per_teacher["n"] += 1
    if reasons:
        for code in {r["code"] for r in reasons}:
            tally.reasons[code] += 1
            per_teacher[f"reason:{code}"] += 1
        return False, {**row, "reasons": reasons}
    tally.kept += 1
    per_teacher["kept"] += 1
    return True, {**row, "evidence": evidence}


def _summary(
    tally: Tally,
    schema: Schema,
    config: FilterConfig,
    before: DiversityMeter,
    after: DiversityMeter,
    real_index: RealTextIndex | None,
    judges: Judges,
    seconds: float,
) -> FilterSummary:
    per_teacher = {name: t.figures() for name, t in sorted(tally.teachers.items())}
    largest = None
    if real_index is not None:
        words, report_id, real_id = tally.overlap
        largest = {"words": words, "report_id": report_id or None, "real_id": real_id}
    privacy = {
        "identifiers": dict(tally.identifiers),
        "real_reports": len(real_index) if real_index is not None else None,
        "min_overlap": config.min_overlap,
        "largest_real_overlap": largest,
    }
    cfg = asdict(config)
    cfg["tolerances"] = {k: list(v) for k, v in config.tolerances.items()}
    cfg["judges"] = dict(config.judges)
    default = judges.default
    judge = default if isinstance(default, str) else judges.name("<object>")
    return FilterSummary(
        n_in=tally.n,
        n_kept=tally.kept,
        kept_rate=round(tally.kept / tally.n, 4) if tally.n else 0.0,
        reasons={code: tally.reasons[code] for code in REASON_CODES if tally.reasons[code]},
        per_teacher=per_teacher,
        per_variable=per_variable_figures(tally, list(schema.keys)),
        diversity={"before": before.figures(), "after": after.figures()},
        privacy=privacy,
        spans=dict(tally.spans),
        judge=judge,
        seconds=round(seconds, 3),
        reports_per_second=round(tally.n / seconds, 1) if seconds > 0 else 0.0,
        config=cfg,
        judges={name: t["judge"] for name, t in per_teacher.items()},
    )


__all__ = [
    "REASON_CODES",
    "STATUSES",
    "FilterConfig",
    "FilterSummary",
    "VariableCheck",
    "check_values",
    "faithfulness_reasons",
    "filter_reports",
    "make_judge",
    "merge_evidence",
    "read_spans",
    "summary_tables",
    "values_match",
]
