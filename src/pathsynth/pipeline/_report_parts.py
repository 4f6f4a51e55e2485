"""The first sections of report.html (synthetic records, generation and filtering) and the
formatting helpers every section uses."""

from __future__ import annotations

import base64
import io
import json
from collections import Counter
from pathlib import Path
from typing import Any

from pathsynth._io import iter_jsonl
from pathsynth.errors import redact
from pathsynth.pipeline.artifacts import RunFolder
from pathsynth.pipeline.config import PipelineConfig

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
