"""report.html: one self-contained page (inline CSS, plots as base64 PNG) that opens offline.

Everything shown is read back from the run folder (manifest summaries, metrics files, reports),
so the page can be rebuilt from the artifacts alone with :func:`write_report`.
"""

from __future__ import annotations

import base64
import io
import json
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from jinja2 import Environment, PackageLoader, select_autoescape
from markupsafe import Markup, escape

from pathsynth import __version__
from pathsynth._io import iter_jsonl, read_reports, write_text_atomic
from pathsynth.errors import redact
from pathsynth.pipeline.artifacts import RunFolder
from pathsynth.pipeline.config import PipelineConfig
from pathsynth.schema import Schema

#: Metrics of `tabular compare` shown in the comparison table, with their column titles.
TABULAR_COLUMNS = [
    ("overall_accuracy", "Overall acc."),
    ("univariate_accuracy", "Univariate"),
    ("bivariate_accuracy", "Bivariate"),
    ("trivariate_accuracy", "Trivariate"),
    ("cosine_similarity", "Cosine"),
    ("identical_match_share", "Identical matches"),
    ("dcr_share", "DCR share"),
    ("nndr", "NNDR"),
    ("disclosure_protection", "Attribute inference: protection"),
    ("membership_auc", "Membership inference: AUC"),
    ("of_ceiling", "of ceiling"),
    ("epsilon", "ε"),
    ("fit_seconds", "Fit (s)"),
]

#: Highlight colours of evidence spans, cycled over the schema keys.
PALETTE = [
    "#ffd166",
    "#06d6a0",
    "#8ecae6",
    "#f4a261",
    "#cdb4db",
    "#b5e48c",
    "#ffafcc",
    "#a3c4f3",
    "#fde68a",
    "#90dbf4",
    "#f1c0e8",
    "#caffbf",
    "#ffc6ff",
]

#: Top-level entries of the filter summary shown in its details (the rest is in the manifest).
FILTER_DETAILS = {"n_in", "n_kept", "kept_rate", "reasons", "diversity", "privacy", "judge"}

#: Example reports shown per source.
EXAMPLES = 3


def _png(fig: Any) -> str:
    """A matplotlib figure as a base64 data URI (then closed)."""
    import matplotlib.pyplot as plt

    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=110)
    plt.close(fig)
    return "data:image/png;base64," + base64.b64encode(buf.getvalue()).decode("ascii")


def _png_file(path: Path) -> str | None:
    if not path.is_file():
        return None
    return "data:image/png;base64," + base64.b64encode(path.read_bytes()).decode("ascii")


def _fmt(value: Any, digits: int = 3) -> str:
    if value is None:
        return "—"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return f"{value:.{digits}f}"
    return str(value)


def tabular_section(folder: RunFolder) -> dict[str, Any] | None:
    """Comparison table rows and a plot from ``tabular/metrics.json``."""
    path = folder.path("tabular/metrics.json")
    if not path.is_file():
        return None
    metrics = json.loads(path.read_text(encoding="utf-8"))
    rows = [
        {
            "name": name,
            "cells": [_fmt(m.get(k)) for k, _ in TABULAR_COLUMNS],
            "error": m.get("error"),
        }
        for name, m in metrics.items()
        if isinstance(m, dict)
    ]
    reference = _holdout_reference(folder)
    if reference:
        # what real records of other patients score: the yardstick of every column
        ref = {**reference, "of_ceiling": 1.0, "epsilon": None, "fit_seconds": None}
        rows.append(
            {
                "name": "holdout (reference)",
                "cells": [_fmt(ref.get(k)) for k, _ in TABULAR_COLUMNS],
                "error": None,
                "reference": True,
            }
        )
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    names = [n for n, m in metrics.items() if isinstance(m, dict) and not m.get("error")]
    fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(10, 3.6))
    measures = ["univariate_accuracy", "bivariate_accuracy", "trivariate_accuracy"]
    width = 0.8 / len(measures)
    for i, key in enumerate(measures):
        vals = [float(metrics[n].get(key) or 0.0) for n in names]
        xs = [j + (i - 1) * width for j in range(len(names))]
        ax1.bar(xs, vals, width=width, label=key.split("_")[0])
    ax1.set_xticks(range(len(names)))
    ax1.set_xticklabels(names, rotation=20, ha="right")
    ax1.set_ylim(0, 1.05)
    ax1.set_title("Fidelity (accuracy)")
    ax1.legend(fontsize="small")
    dcr = [float(metrics[n].get("dcr_share") or 0.0) for n in names]
    ax2.bar(range(len(names)), dcr, color="#6c757d")
    ax2.axhline(0.5, color="#d62828", linestyle="--", linewidth=1, label="0.5 = as far as holdout")
    ax2.set_xticks(range(len(names)))
    ax2.set_xticklabels(names, rotation=20, ha="right")
    ax2.set_ylim(0, 1.05)
    ax2.set_title("Privacy: DCR share (closer to training)")
    ax2.legend(fontsize="small")
    fig.tight_layout()
    table_md = folder.path("tabular/table.md")
    return {
        "columns": [title for _, title in TABULAR_COLUMNS],
        "rows": rows,
        "plot": _png(fig),
        "table_md": table_md.read_text(encoding="utf-8") if table_md.is_file() else None,
        "metrics": metrics,
    }


def _holdout_reference(folder: RunFolder) -> dict[str, Any]:
    """The holdout's own scores (``tabular/details.json``), empty when not written."""
    path = folder.path("tabular/details.json")
    if not path.is_file():
        return {}
    ref = json.loads(path.read_text(encoding="utf-8")).get("holdout_reference", {})
    return ref if isinstance(ref, dict) else {}


def _flat(summary: Any, prefix: str = "") -> list[tuple[str, str]]:
    """A nested summary as (key, value) lines, skipping long lists."""
    out: list[tuple[str, str]] = []
    if isinstance(summary, dict):
        for k, v in summary.items():
            name = f"{prefix}{k}"
            if isinstance(v, dict):
                out += _flat(v, name + ".")
            elif isinstance(v, list):
                if v and all(isinstance(x, dict) for x in v):
                    for i, x in enumerate(v):
                        out += _flat(x, f"{name}[{i}].")
                elif len(v) <= 8:
                    out.append((name, ", ".join(_fmt(x) for x in v)))
            else:
                out.append((name, _fmt(v)))
    return out


def _rejection_reasons(path: Path) -> list[tuple[str, int]]:
    """Counts of rejection reasons found in a rejected-reports file."""
    counts: Counter[str] = Counter()
    if not path.is_file():
        return []
    for row in iter_jsonl(path):
        reasons = row.get("reasons", row.get("reason", row.get("rejected_because")))
        if isinstance(reasons, str):
            counts[reasons.split(":")[0]] += 1
        elif isinstance(reasons, list):
            # One count per reason code and report, as the filter's own summary counts them.
            codes = {str(r.get("code", "?")) if isinstance(r, dict) else str(r) for r in reasons}
            for code in codes:
                counts[code] += 1
        elif isinstance(reasons, dict):
            for r in reasons:
                counts[str(r)] += 1
        else:
            counts["(no reason given)"] += 1
    return counts.most_common()


#: Diversity figures shown per teacher, with their column titles.
DIVERSITY_COLUMNS = [
    ("distinct_1", "distinct-1"),
    ("distinct_2", "distinct-2"),
    ("distinct_3", "distinct-3"),
    ("self_bleu", "self-BLEU"),
]


def _diversity_of(path: Path, sample: int = 100) -> dict[str, Any] | None:
    """Diversity and layouts of a reports file (when no filter summary gives them)."""
    if not path.is_file():
        return None
    from pathsynth.reports._diversity import DiversityMeter

    meter = DiversityMeter(sample, 0)
    layouts: Counter[str] = Counter()
    families: Counter[str] = Counter()
    for row in iter_jsonl(path):
        meter.add(str(row.get("text", "")))
        style = row.get("style")
        if isinstance(style, dict):
            layouts[str(style.get("layout", "?"))] += 1
            if "family" in style:
                families[str(style["family"])] += 1
    return {
        "before": meter.figures(),
        "after": None,
        "layouts": dict(layouts.most_common()),
        "families": dict(families.most_common()),
    }


def _teacher_diversity(folder: RunFolder, name: str, fil: Any) -> dict[str, Any]:
    """Diversity before / after the filter, layouts and families drawn, the judge used."""
    own = (fil.summary.get("per_teacher") or {}).get(name) if fil else None
    if isinstance(own, dict) and "diversity" in own:
        found: dict[str, Any] | None = {
            "before": own["diversity"].get("before"),
            "after": own["diversity"].get("after"),
            "layouts": own.get("layouts") or {},
            "families": own.get("families") or {},
            "judge": own.get("judge"),
        }
    else:
        found = _diversity_of(folder.path(f"reports/{name}.jsonl"))
    if found is None:
        return {"cells": [], "layouts": "", "families": "", "judge": None}

    def cells(figures: dict[str, Any] | None) -> list[str]:
        return [_fmt((figures or {}).get(k)) for k, _ in DIVERSITY_COLUMNS]

    layouts = found.get("layouts") or {}
    return {
        "before": cells(found.get("before")),
        "after": cells(found.get("after")),
        "n_layouts": len(layouts),
        "layouts": ", ".join(f"{k} {v}" for k, v in layouts.items()),
        "families": ", ".join(f"{k} {v}" for k, v in (found.get("families") or {}).items()),
        "judge": found.get("judge"),
    }


def generation_section(folder: RunFolder, cfg: PipelineConfig) -> list[dict[str, Any]]:
    """One row per teacher: what it wrote, how varied, how long it took, what the filter
    kept and with which judge."""
    rows = []
    for t in cfg.teachers.teachers:
        gen = folder.stages.get(f"generate:{t.name}")
        fil = folder.stages.get(f"filter:{t.name}")
        kept = fil.summary.get("kept") if fil else None
        rejected = fil.summary.get("rejected") if fil else None
        n = gen.summary.get("reports") if gen else None
        diversity = _teacher_diversity(folder, t.name, fil)
        rows.append(
            {
                "diversity": diversity,
                "judge": diversity.get("judge") or t.judge or cfg.filter.judge,
                "name": t.name,
                "spec": redact(t.spec),
                "use": "held out (evaluation)" if t.use == "eval" else "training",
                "reports": _fmt(n),
                "mean_words": _fmt(gen.summary.get("mean_words") if gen else None, 1),
                "seconds": _fmt(gen.seconds if gen else None, 1),
                "kept": _fmt(kept),
                "rejected": _fmt(rejected),
                "kept_share": _fmt(
                    kept / (kept + rejected)
                    if isinstance(kept, int) and isinstance(rejected, int) and kept + rejected
                    else None,
                    2,
                ),
                "generation_details": _flat(gen.summary.get("generation")) if gen else [],
                "filter_details": [
                    kv
                    for kv in (_flat(fil.summary) if fil else [])
                    if kv[0].split(".")[0] in FILTER_DETAILS
                ],
                "reasons": _rejection_reasons(folder.path(f"filtered/{t.name}.rejected.jsonl")),
            }
        )
    return rows


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
