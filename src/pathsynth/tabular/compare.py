"""Compare synthesizers on one cohort: the fidelity / privacy table of the reference study.

The records are shuffled (seeded) and split into training and an equal-sized holdout; each
synthesizer is fitted on training, samples as many rows, and is scored against both halves.
A synthesizer that fails is reported with its error; the others still run.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from pathsynth._io import atomic_path, write_json, write_text_atomic
from pathsynth.errors import PathsynthError
from pathsynth.schema import Schema, load_schema
from pathsynth.tabular._codec import RecordCodec
from pathsynth.tabular.metrics import (
    SCORE_KEYS,
    Scores,
    dcr_overfitting_protection,
    score_mostlyai,
)
from pathsynth.tabular.registry import SYNTHESIZERS, make_synthesizer

#: what compare_synthesizers reports as it goes: (synthesizer, stage) with stage in
#: "fit", "sample", "score", "done", "failed"
ProgressFn = Callable[[str, str], None]


@dataclass
class SynthesizerResult:
    """One row of the comparison."""

    name: str
    scores: Scores = field(default_factory=Scores)
    epsilon: float | None = None
    fit_seconds: float | None = None
    score_seconds: float | None = None
    error: str | None = None
    details: dict[str, Any] = field(default_factory=dict)

    def metrics_entry(self) -> dict[str, Any]:
        """The synthesizer's entry of metrics.json (docs/INTERFACE.md), plus ``error`` if any."""
        entry: dict[str, Any] = {k: _round(v) for k, v in self.scores.as_dict().items()}
        entry["epsilon"] = self.epsilon
        entry["fit_seconds"] = _round(self.fit_seconds, 2)
        if self.error is not None:
            entry["error"] = self.error
        return entry


@dataclass
class Comparison:
    """All rows, the holdout reference, and where the files went."""

    results: list[SynthesizerResult]
    reference: dict[str, Any]
    n_training: int
    n_holdout: int
    out_dir: Path

    def metrics(self) -> dict[str, dict[str, Any]]:
        return {r.name: r.metrics_entry() for r in self.results}


def _round(value: float | None, digits: int = 4) -> float | None:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return None
    return round(float(value), digits)


def split_holdout(frame: pd.DataFrame, seed: int) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Shuffle and cut into training and holdout of equal size (an odd last row is left out)."""
    if len(frame) < 20:
        raise PathsynthError(f"comparing synthesizers needs at least 20 records, got {len(frame)}")
    order = np.random.default_rng(seed).permutation(len(frame))
    half = len(frame) // 2
    shuffled = frame.iloc[order].reset_index(drop=True)
    return shuffled.iloc[:half].reset_index(drop=True), shuffled.iloc[half : 2 * half].reset_index(
        drop=True
    )


def compare_synthesizers(
    frame: pd.DataFrame,
    names: list[str],
    epsilon: float | None,
    seed: int,
    out_dir: str | Path,
    *,
    schema: Schema | None = None,
    params: dict[str, dict[str, Any]] | None = None,
    delta: float | None = None,
    html: bool = True,
    progress: ProgressFn | None = None,
) -> Comparison:
    """Fit, sample and score each synthesizer; write metrics.json, table.md, the plot and CSVs.

    ``epsilon`` goes to the differentially private synthesizers only (it is required when one
    is listed). ``params`` maps a synthesizer name to its hyper-parameters (e.g.
    ``{"ctgan": {"epochs": 50}}``). ``html`` writes mostlyai-qa's report per synthesizer.
    """
    schema = schema or load_schema("breast13")
    unknown = [n for n in names if n not in SYNTHESIZERS]
    if unknown:
        raise PathsynthError(
            f"unknown synthesizer {', '.join(map(repr, unknown))}: choose from "
            f"{', '.join(SYNTHESIZERS)}"
        )
    if not names:
        raise PathsynthError("give at least one synthesizer")
    dp = [n for n in names if SYNTHESIZERS[n].differentially_private]
    if dp and epsilon is None:
        raise PathsynthError(f"{', '.join(dp)} need --epsilon (differential privacy budget)")
    params = params or {}
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    codec = RecordCodec.for_frame(schema, frame)
    clean, clean_report = codec.clean(frame)
    training, holdout = split_holdout(clean, seed)
    keys = codec.keys
    results: list[SynthesizerResult] = []
    reference: dict[str, Any] = {}
    for name in names:
        result = SynthesizerResult(name=name)
        results.append(result)
        is_dp = SYNTHESIZERS[name].differentially_private
        try:
            if progress:
                progress(name, "fit")
            kwargs = dict(params.get(name, {}))
            if is_dp and delta is not None:
                kwargs["delta"] = delta
            synth = make_synthesizer(name, schema, epsilon if is_dp else None, seed, **kwargs)
            synth.fit(training)
            result.fit_seconds = synth.fit_seconds
            result.epsilon = synth.epsilon_spent
            if progress:
                progress(name, "sample")
            synthetic = synth.sample(len(training))
            _write_csv(synthetic, out / f"synthetic_{name}.csv")
            if progress:
                progress(name, "score")
            start = time.perf_counter()
            result.scores, ref = score_mostlyai(
                synthetic,
                training,
                holdout,
                keys,
                report_path=out / f"report_{name}.html" if html else None,
                title=f"{name} — synthetic records",
            )
            reference = reference or ref
            result.scores.dcr_overfitting_protection = dcr_overfitting_protection(
                synthetic, training, holdout, schema, keys
            )
            result.score_seconds = time.perf_counter() - start
            result.details = synth.describe()
            if progress:
                progress(name, "done")
        except KeyboardInterrupt:
            raise
        except Exception as exc:  # one failing synthesizer must not sink the comparison
            result.error = f"{type(exc).__name__}: {exc}".splitlines()[0][:300]
            if progress:
                progress(name, "failed")
    comparison = Comparison(results, reference, len(training), len(holdout), out)
    write_json(out / "metrics.json", comparison.metrics())
    write_json(
        out / "details.json",
        {
            "n_training": len(training),
            "n_holdout": len(holdout),
            "seed": seed,
            "epsilon": epsilon,
            "keys": keys,
            "invalid_input_cells": clean_report.invalid_cells,
            "holdout_reference": reference,
            "synthesizers": {
                r.name: {**r.details, "score_seconds": _round(r.score_seconds, 2), "error": r.error}
                for r in results
            },
        },
    )
    write_text_atomic(out / "table.md", comparison_table(comparison))
    plot_comparison(comparison, out / "comparison.png")
    return comparison


def _write_csv(frame: pd.DataFrame, path: Path) -> None:
    with atomic_path(path) as tmp:
        frame.to_csv(tmp, index=False)


_COLUMNS: list[tuple[str, str, bool]] = [
    # (metrics key, header, shown as a percentage)
    ("overall_accuracy", "Overall acc.", True),
    ("univariate_accuracy", "Univariate", True),
    ("bivariate_accuracy", "Bivariate", True),
    ("trivariate_accuracy", "Trivariate", True),
    ("cosine_similarity", "Cosine sim.", False),
    ("identical_match_share", "Identical matches", True),
    ("nndr", "NNDR", False),
    ("dcr_share", "DCR share", True),
    ("dcr_overfitting_protection", "DCR overfitting prot.", False),
]


def _cell(value: Any, percent: bool) -> str:
    if value is None:
        return "—"
    return f"{100 * value:.1f} %" if percent else f"{value:.3f}"


def comparison_table(comparison: Comparison) -> str:
    """The reference study's table in Markdown, a holdout reference row, then any errors."""
    header = ["Synthesizer", "ε", *(h for _, h, _ in _COLUMNS), "Fit (s)"]
    lines = [
        f"Training {comparison.n_training} records, holdout {comparison.n_holdout}, "
        f"synthetic {comparison.n_training} per synthesizer.",
        "",
        "| " + " | ".join(header) + " |",
        "|" + "|".join("---" for _ in header) + "|",
    ]
    for r in comparison.results:
        entry = r.metrics_entry()
        eps = "—" if r.epsilon is None else f"{r.epsilon:g}"
        if r.error:
            cells = ["failed", *["" for _ in _COLUMNS[1:]]]
        else:
            cells = [_cell(entry[k], pct) for k, _, pct in _COLUMNS]
        fit = "—" if r.fit_seconds is None else f"{r.fit_seconds:.1f}"
        lines.append("| " + " | ".join([r.name, eps, *cells, fit]) + " |")
    ref = comparison.reference
    if ref:
        cells = [_cell(ref.get(k), pct) for k, _, pct in _COLUMNS]
        lines.append("| " + " | ".join(["*holdout (reference)*", "—", *cells, "—"]) + " |")
    lines.append("")
    lines.append(
        "Accuracy: 1 − total variation distance of discretised marginals (mostlyai-qa). "
        "Identical matches, NNDR, DCR share: synthetic vs training records; DCR share is the "
        "share of synthetic rows closer to training than to holdout (50 % is ideal). "
        "DCR overfitting protection: sdmetrics (1 is best). The reference row scores the "
        "holdout itself against training."
    )
    failed = [r for r in comparison.results if r.error]
    if failed:
        lines.append("")
        lines.append("Errors:")
        lines.extend(f"- {r.name}: {r.error}" for r in failed)
    return "\n".join(lines) + "\n"


def plot_comparison(comparison: Comparison, path: Path) -> None:
    """Bar charts: accuracy and similarity on the left, privacy distances on the right."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    ok = [r for r in comparison.results if not r.error]
    fidelity = ["overall_accuracy", "univariate_accuracy", "bivariate_accuracy",
                "trivariate_accuracy", "cosine_similarity"]  # fmt: skip
    privacy = ["dcr_share", "identical_match_share", "nndr", "dcr_overfitting_protection"]
    fig, axes = plt.subplots(1, 2, figsize=(12, 4.5))
    for ax, keys, title in ((axes[0], fidelity, "Fidelity"), (axes[1], privacy, "Privacy")):
        width = 0.8 / max(len(ok), 1)
        x = np.arange(len(keys))
        for i, r in enumerate(ok):
            entry = r.scores.as_dict()
            values = [entry[k] if entry[k] is not None else 0.0 for k in keys]
            ax.bar(x + i * width, values, width, label=r.name)
        ax.set_xticks(x + width * (len(ok) - 1) / 2)
        ax.set_xticklabels([k.replace("_", "\n") for k in keys], fontsize=8)
        ax.set_ylim(0, 1.05)
        ax.set_title(title)
        if title == "Privacy":
            ax.axhline(0.5, color="grey", lw=0.8, ls="--")
    fig.suptitle(f"Synthesizers on {comparison.n_training} training records")
    fig.tight_layout(rect=(0, 0.07, 1, 1))
    if ok:  # below the axes, where it hides no bar
        handles, labels = axes[0].get_legend_handles_labels()
        fig.legend(handles, labels, loc="lower center", ncol=len(ok), fontsize=9, frameon=False)
    with atomic_path(path) as tmp:
        fig.savefig(tmp, format="png", dpi=110)
    plt.close(fig)


__all__ = [
    "SCORE_KEYS",
    "Comparison",
    "SynthesizerResult",
    "compare_synthesizers",
    "comparison_table",
    "split_holdout",
]
