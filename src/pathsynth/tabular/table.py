"""The comparison as a Markdown table (table.md) and a bar chart (comparison.png)."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from pathsynth._io import atomic_path

if TYPE_CHECKING:
    from pathsynth.tabular.compare import Comparison

#: (metrics key, header, shown as a percentage)
COLUMNS: list[tuple[str, str, bool]] = [
    ("overall_accuracy", "Overall acc.", True),
    ("of_ceiling", "of ceiling", False),
    ("univariate_accuracy", "Univariate", True),
    ("bivariate_accuracy", "Bivariate", True),
    ("trivariate_accuracy", "Trivariate", True),
    ("cosine_similarity", "Cosine sim.", False),
    ("identical_match_share", "Identical matches", True),
    ("nndr", "NNDR", False),
    ("dcr_share", "DCR share", True),
    ("dcr_overfitting_protection", "DCR overfitting prot.", False),
    ("disclosure_protection", "Attribute inference: protection", False),
    ("membership_auc", "Membership inference: AUC", False),
]


def _cell(value: Any, percent: bool) -> str:
    if value is None:
        return "—"
    return f"{100 * value:.1f} %" if percent else f"{value:.3f}"


def comparison_table(comparison: Comparison) -> str:
    """The reference study's table in Markdown, a holdout reference row, then any errors."""
    header = ["Synthesizer", "ε", *(h for _, h, _ in COLUMNS), "Fit (s)"]
    lines = [
        f"Training {comparison.n_training} records, holdout {comparison.n_holdout}, "
        f"synthetic {comparison.n_training} per synthesizer.",
        "",
        "| " + " | ".join(header) + " |",
        "|" + "|".join("---" for _ in header) + "|",
    ]
    metrics = comparison.metrics()
    for r in comparison.results:
        entry = metrics[r.name]
        eps = "—" if r.epsilon is None else f"{r.epsilon:g}"
        if r.error:
            cells = ["failed", *["" for _ in COLUMNS[1:]]]
        else:
            cells = [_cell(entry.get(k), pct) for k, _, pct in COLUMNS]
        fit = "—" if r.fit_seconds is None else f"{r.fit_seconds:.1f}"
        lines.append("| " + " | ".join([r.name, eps, *cells, fit]) + " |")
    ref = comparison.reference
    if ref:
        ref = {**ref, "of_ceiling": 1.0 if ref.get("overall_accuracy") else None}
        cells = [_cell(ref.get(k), pct) for k, _, pct in COLUMNS]
        lines.append("| " + " | ".join(["*holdout (reference)*", "—", *cells, "—"]) + " |")
    lines.append("")
    lines.append(
        "Accuracy: 1 − total variation distance of discretised marginals (mostlyai-qa); "
        "of ceiling: overall accuracy over the holdout's. Identical matches, NNDR, DCR share: "
        "synthetic vs training records; DCR share is the share of synthetic rows closer to "
        "training than to holdout (50 % is ideal). DCR overfitting protection: sdmetrics "
        "(1 is best). Attribute inference: sdmetrics DisclosureProtection (CAP) of the "
        "sensitive columns given the columns an attacker knows (1 = no better than a "
        "baseline guess). Membership inference: ROC AUC of telling training patients from "
        "holdout ones by their distance to the closest released record (0.5 = chance). The "
        "reference row scores the holdout itself, released in place of synthetic records."
    )
    failed = [r for r in comparison.results if r.error]
    if failed:
        lines.append("")
        lines.append("Errors:")
        lines.extend(f"- {r.name}: {r.error}" for r in failed)
    return "\n".join(lines) + "\n"


def plot_comparison(comparison: Comparison, path: Path) -> None:
    """Bar charts: accuracy and similarity on the left, privacy on the right."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    ok = [r for r in comparison.results if not r.error]
    fidelity = ["overall_accuracy", "univariate_accuracy", "bivariate_accuracy",
                "trivariate_accuracy", "cosine_similarity"]  # fmt: skip
    privacy = ["dcr_share", "identical_match_share", "dcr_overfitting_protection",
               "disclosure_protection", "membership_auc"]  # fmt: skip
    fig, axes = plt.subplots(1, 2, figsize=(12, 4.5))
    for ax, keys, title in ((axes[0], fidelity, "Fidelity"), (axes[1], privacy, "Privacy")):
        width = 0.8 / max(len(ok), 1)
        x = np.arange(len(keys))
        for i, r in enumerate(ok):
            entry = r.scores.as_dict()
            values = [entry[k] if entry[k] is not None else 0.0 for k in keys]
            ax.bar(x + i * width, values, width, label=r.name)
        ref = [comparison.reference.get(k) for k in keys]
        ax.scatter(x + width * (len(ok) - 1) / 2, [v if v is not None else np.nan for v in ref],
                   marker="_", s=600, color="black", zorder=3, label="holdout")  # fmt: skip
        ax.set_xticks(x + width * (len(ok) - 1) / 2)
        ax.set_xticklabels([k.replace("_", "\n") for k in keys], fontsize=8)
        ax.set_ylim(0, 1.05)
        ax.set_title(title)
    fig.suptitle(f"Synthesizers on {comparison.n_training} training records")
    fig.tight_layout(rect=(0, 0.07, 1, 1))
    if ok:  # below the axes, where it hides no bar
        handles, labels = axes[0].get_legend_handles_labels()
        fig.legend(handles, labels, loc="lower center", ncol=len(ok) + 1, fontsize=9,
                   frameon=False)  # fmt: skip
    with atomic_path(path) as tmp:
        fig.savefig(tmp, format="png", dpi=110)
    plt.close(fig)


__all__ = ["COLUMNS", "comparison_table", "plot_comparison"]
