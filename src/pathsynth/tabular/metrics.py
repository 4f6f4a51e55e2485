"""Fidelity and privacy of synthetic records: mostlyai-qa and sdmetrics, side by side.

mostlyai-qa gives accuracy (1 - total variation distance of discretised 1-, 2- and 3-way
marginals), the cosine similarity of embedding centroids, and nearest-neighbour distances
(identical match share, DCR share, NNDR) against training and holdout records; its embedder
ships inside its wheel, so scoring runs offline. sdmetrics adds DCROverfittingProtection.
"""

from __future__ import annotations

import contextlib
import io
import logging
import tempfile
import warnings
from collections.abc import Iterator
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from pathsynth.errors import MissingExtraError
from pathsynth.schema import Schema

#: keys of one synthesizer's entry in metrics.json (docs/INTERFACE.md), ε and fit time aside
SCORE_KEYS = (
    "overall_accuracy",
    "univariate_accuracy",
    "bivariate_accuracy",
    "trivariate_accuracy",
    "cosine_similarity",
    "identical_match_share",
    "nndr",
    "dcr_share",
    "dcr_overfitting_protection",
    "disclosure_protection",
    "membership_auc",
)
#: scores that carry the holdout's own value beside them in metrics.json (``<key>_holdout``)
REFERENCED_KEYS = ("overall_accuracy", "dcr_share", "disclosure_protection", "membership_auc")


@dataclass
class Scores:
    """The scores of one synthetic table (``None`` where a metric could not be computed)."""

    overall_accuracy: float | None = None
    univariate_accuracy: float | None = None
    bivariate_accuracy: float | None = None
    trivariate_accuracy: float | None = None
    cosine_similarity: float | None = None
    identical_match_share: float | None = None
    nndr: float | None = None
    dcr_share: float | None = None
    dcr_overfitting_protection: float | None = None
    #: attribute inference (sdmetrics DisclosureProtection, CAP): 1 = protected (attacks.py)
    disclosure_protection: float | None = None
    #: membership inference, ROC AUC of distance to the closest record: 0.5 = chance
    membership_auc: float | None = None

    def as_dict(self) -> dict[str, float | None]:
        return asdict(self)


def _plain(frame: pd.DataFrame, keys: list[str]) -> pd.DataFrame:
    """Schema columns only, unknown as NaN/None in plain dtypes the scorers all accept."""
    out = {}
    for key in keys:
        col = frame[key]
        if str(col.dtype) == "Int64":
            out[key] = col.astype(float)
        else:
            out[key] = col
    return pd.DataFrame(out).reset_index(drop=True)


#: mostlyai-qa's chart and page writers: they only feed its HTML report
_QA_CHARTS = {
    "mostlyai.qa.reporting": (
        "plot_store_accuracy_matrix",
        "plot_store_bivariates",
        "plot_store_correlation_matrices",
        "plot_store_univariates",
    ),
    "mostlyai.qa._similarity": ("plot_store_similarity_contours",),
    "mostlyai.qa._distances": ("plot_store_distances",),
    "mostlyai.qa._html_report": ("store_report",),
}


@contextlib.contextmanager
def _without_charts() -> Iterator[None]:
    """mostlyai-qa without its charts: it draws every chart of its HTML report (a third of
    its time) even when no report is wanted. The metrics are computed the same; a writer this
    version lacks is left alone."""
    import importlib

    saved: list[tuple[Any, str, Any]] = []
    try:
        for module_name, names in _QA_CHARTS.items():
            module = importlib.import_module(module_name)
            for name in names:
                if hasattr(module, name):
                    saved.append((module, name, getattr(module, name)))
                    setattr(module, name, lambda *args, **kwargs: None)
        yield
    finally:
        for module, name, fn in saved:
            setattr(module, name, fn)


def score_mostlyai(
    synthetic: pd.DataFrame,
    training: pd.DataFrame,
    holdout: pd.DataFrame,
    keys: list[str],
    *,
    report_path: Path | None,
    title: str,
    seed: int = 0,
) -> tuple[Scores, dict[str, Any]]:
    """mostlyai-qa's scores, and the holdout references (what a fresh real sample gets).

    ``seed`` seeds numpy's global generator, which mostlyai-qa draws its random column groups
    and subsamples from: the same tables get the same scores.
    """
    try:
        from mostlyai import qa
    except ImportError:
        raise MissingExtraError("mostlyai-qa", "tabular") from None
    from joblib import parallel_config
    from threadpoolctl import threadpool_limits

    logging.getLogger("mostlyai").setLevel(logging.ERROR)
    # Its discriminator (gradient boosting, OpenMP) fits tiny models; on a busy machine spinning
    # OpenMP threads make it many times slower than one thread.
    with (
        contextlib.redirect_stdout(io.StringIO()),
        warnings.catch_warnings(),
        threadpool_limits(limits=1),
        parallel_config(backend="sequential"),
        # Without a path mostlyai-qa writes model-report.html into the working directory.
        tempfile.TemporaryDirectory() as scratch,
        contextlib.nullcontext() if report_path else _without_charts(),
    ):
        warnings.simplefilter("ignore")
        np.random.seed(seed % 2**32)
        _, metrics = qa.report(
            syn_tgt_data=_plain(synthetic, keys),
            trn_tgt_data=_plain(training, keys),
            hol_tgt_data=_plain(holdout, keys),
            report_path=report_path or Path(scratch) / "report.html",
            report_title=title,
            report_subtitle="pathsynth tabular compare",
        )
    if metrics is None:
        return Scores(), {}
    acc, sim, dist = metrics.accuracy, metrics.similarity, metrics.distances
    scores = Scores(
        overall_accuracy=acc.overall if acc else None,
        univariate_accuracy=acc.univariate if acc else None,
        bivariate_accuracy=acc.bivariate if acc else None,
        trivariate_accuracy=acc.trivariate if acc else None,
        cosine_similarity=sim.cosine_similarity_training_synthetic if sim else None,
        identical_match_share=dist.ims_training if dist else None,
        nndr=dist.nndr_training if dist else None,
        dcr_share=dist.dcr_share if dist else None,
    )
    reference = {
        "overall_accuracy": acc.overall_max if acc else None,
        "univariate_accuracy": acc.univariate_max if acc else None,
        "bivariate_accuracy": acc.bivariate_max if acc else None,
        "trivariate_accuracy": acc.trivariate_max if acc else None,
        "cosine_similarity": sim.cosine_similarity_training_holdout if sim else None,
        "identical_match_share": dist.ims_trn_hol if dist else None,
        "nndr": dist.nndr_trn_hol if dist else None,
        "dcr_share": 0.5,
        "ims_holdout": dist.ims_holdout if dist else None,
        "dcr_training": dist.dcr_training if dist else None,
        "dcr_holdout": dist.dcr_holdout if dist else None,
    }
    return scores, reference


def dcr_overfitting_protection(
    synthetic: pd.DataFrame,
    training: pd.DataFrame,
    holdout: pd.DataFrame,
    schema: Schema,
    keys: list[str],
    *,
    max_rows: int | None = None,
    seed: int = 0,
) -> float:
    """sdmetrics' DCROverfittingProtection: 1 when synthetic rows sit no closer to training
    records than to holdout ones (the holdout must be as large as the training set).

    ``max_rows``: distances on a subsample of this many rows of each table (sdmetrics'
    pairwise distances grow with the square of the rows), drawn from ``seed``.
    """
    try:
        from sdmetrics.single_table import DCROverfittingProtection
    except ImportError:
        raise MissingExtraError("sdmetrics", "tabular") from None
    columns = {
        k: {"sdtype": "categorical" if schema[k].type == "categorical" else "numerical"}
        for k in keys
    }
    metadata = {"tables": {"records": {"columns": columns}}}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        np.random.seed(seed % 2**32)  # pandas' sample() under sdmetrics draws from it
        small = max_rows is not None and max_rows < len(synthetic)
        value = DCROverfittingProtection.compute(
            real_training_data=_fill(training, keys, schema),
            synthetic_data=_fill(synthetic, keys, schema),
            real_validation_data=_fill(holdout, keys, schema),
            metadata=metadata,
            table_name="records",
            num_rows_subsample=max_rows if small else None,
        )
    return float(value)


def _fill(frame: pd.DataFrame, keys: list[str], schema: Schema) -> pd.DataFrame:
    # sdmetrics' distance drops rows with gaps; an explicit level keeps unknown cells comparable.
    out = _plain(frame, keys)
    for key in keys:
        if schema[key].type == "categorical":
            out[key] = out[key].astype(object).where(out[key].notna(), "unknown")
    return out
