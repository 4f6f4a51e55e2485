"""Compare synthesizers on one cohort: the fidelity / privacy table of the reference study.

The records are shuffled (seeded) and split into training and an equal-sized holdout; each
synthesizer is fitted on training, samples as many rows, and is scored against both halves:
fidelity and distances by mostlyai-qa and sdmetrics, privacy by two attacks (``attacks``), each
beside the holdout's own score. Synthesizers can run side by side in worker processes. A
synthesizer that fails is reported with its error; the others still run.
"""

from __future__ import annotations

import math
import multiprocessing
import os
import time
from collections.abc import Callable
from concurrent.futures import Future, ProcessPoolExecutor, as_completed
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from pathsynth._io import atomic_path, write_json, write_text_atomic
from pathsynth.errors import PathsynthError
from pathsynth.schema import Schema, load_schema
from pathsynth.tabular._codec import RecordCodec
from pathsynth.tabular.attacks import AttackSetup, attack, attack_setup, holdout_reference
from pathsynth.tabular.base import check_epsilon
from pathsynth.tabular.metrics import (
    REFERENCED_KEYS,
    SCORE_KEYS,
    Scores,
    dcr_overfitting_protection,
    score_mostlyai,
)
from pathsynth.tabular.registry import SYNTHESIZERS, make_synthesizer
from pathsynth.tabular.table import comparison_table, plot_comparison

#: what compare_synthesizers reports as it goes: (synthesizer, stage) with stage in
#: "fit", "sample", "score", "done", "failed"
ProgressFn = Callable[[str, str], None]

#: the comparison ``tabular compare`` runs when given no list
DEFAULT_SYNTHESIZERS = ("gaussian_copula", "ctgan", "patectgan", "mst", "aim")
#: the slowest fits first, so parallel workers finish together
_START_ORDER = ("aim", "mst", "patectgan", "pategan", "dpctgan", "ctgan", "gaussian_copula")


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
    #: mostlyai-qa's holdout references (the same for every synthesizer of a comparison)
    reference: dict[str, Any] = field(default_factory=dict)

    def metrics_entry(self, reference: dict[str, Any] | None = None) -> dict[str, Any]:
        """The synthesizer's entry of metrics.json (docs/INTERFACE.md), plus ``error`` if any,
        the holdout's own value of the referenced scores (``<key>_holdout``) and
        ``of_ceiling`` (overall accuracy over the holdout's)."""
        entry: dict[str, Any] = {k: _round(v) for k, v in self.scores.as_dict().items()}
        entry["epsilon"] = self.epsilon
        entry["fit_seconds"] = _round(self.fit_seconds, 2)
        if reference:
            for key in REFERENCED_KEYS:
                entry[f"{key}_holdout"] = _round(reference.get(key))
            ceiling = reference.get("overall_accuracy")
            overall = self.scores.overall_accuracy
            entry["of_ceiling"] = _round(overall / ceiling) if overall and ceiling else None
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
        return {r.name: r.metrics_entry(self.reference) for r in self.results}


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


@dataclass
class _Job:
    """What one synthesizer's fit, sample and scoring need (sent to a worker process)."""

    name: str
    kwargs: dict[str, Any]
    epsilon: float | None
    seed: int
    schema: Schema
    training: pd.DataFrame
    holdout: pd.DataFrame
    keys: list[str]
    setup: AttackSetup
    out: Path
    html: bool
    n_synthetic: int
    score_rows: int | None


def _run_job(job: _Job, progress: ProgressFn | None = None) -> SynthesizerResult:
    """Fit, sample, write and score one synthesizer; an error is reported, not raised."""
    result = SynthesizerResult(name=job.name)
    try:
        if progress:
            progress(job.name, "fit")
        synth = make_synthesizer(job.name, job.schema, job.epsilon, job.seed, **job.kwargs)
        synth.fit(job.training)
        result.fit_seconds = synth.fit_seconds
        result.epsilon = synth.epsilon_spent
        if progress:
            progress(job.name, "sample")
        synthetic = synth.sample(job.n_synthetic)
        _write_csv(synthetic, job.out / f"synthetic_{job.name}.csv")
        if progress:
            progress(job.name, "score")
        start = time.perf_counter()
        # scored on as many rows as training: distances and attacks depend on the table's size
        scored = synthetic.iloc[: len(job.training)]
        result.scores, result.reference = score_mostlyai(
            scored,
            job.training,
            job.holdout,
            job.keys,
            report_path=job.out / f"report_{job.name}.html" if job.html else None,
            title=f"{job.name} — synthetic records",
            seed=job.seed,
        )
        result.scores.dcr_overfitting_protection = dcr_overfitting_protection(
            scored, job.training, job.holdout, job.schema, job.keys,
            max_rows=job.score_rows, seed=job.seed,
        )  # fmt: skip
        attacked = attack(scored, job.setup, job.schema, max_rows=job.score_rows)
        result.scores.disclosure_protection = attacked.disclosure_protection
        result.scores.membership_auc = attacked.membership_auc
        result.score_seconds = time.perf_counter() - start
        result.details = {**synth.describe(), "disclosure_protection": attacked.per_column}
        if progress:
            progress(job.name, "done")
    except KeyboardInterrupt:
        raise
    except Exception as exc:  # one failing synthesizer must not sink the comparison
        result.error = f"{type(exc).__name__}: {exc}".splitlines()[0][:300]
        if progress:
            progress(job.name, "failed")
    return result


def _release_loky() -> None:
    """Stop joblib's loky workers, which the scoring libraries start: idle, they live on for
    their timeout (300 s), and a process-pool worker waits for its children when it exits, so
    a comparison would sit idle for five minutes after its last synthesizer."""
    import sys

    module = sys.modules.get("joblib.externals.loky.reusable_executor")
    executor = getattr(module, "_executor", None) if module is not None else None
    if executor is not None:
        executor.shutdown(wait=True, kill_workers=True)


def _pooled_job(job: _Job) -> SynthesizerResult:
    """:func:`_run_job` in a pool worker, leaving no loky worker behind."""
    try:
        return _run_job(job)
    finally:
        _release_loky()


def _single_threaded() -> None:
    """A worker's libraries on one thread each: the workers already share the cores."""
    for var in ("OMP_NUM_THREADS", "MKL_NUM_THREADS", "OPENBLAS_NUM_THREADS"):
        os.environ[var] = "1"
    os.environ["XLA_FLAGS"] = (
        os.environ.get("XLA_FLAGS", "")
        + " --xla_cpu_multi_thread_eigen=false intra_op_parallelism_threads=1"
    ).strip()


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
    workers: int = 1,
    n_synthetic: int | None = None,
    score_rows: int | None = None,
) -> Comparison:
    """Fit, sample and score each synthesizer; write metrics.json, table.md, the plot and CSVs.

    ``epsilon`` goes to the differentially private synthesizers only (it is required when one
    is listed). ``params`` maps a synthesizer name to its hyper-parameters (e.g.
    ``{"ctgan": {"epochs": 50}}``). ``html`` writes mostlyai-qa's report per synthesizer.
    ``workers`` > 1 runs that many synthesizers at once, each in its own process (results do
    not change). ``n_synthetic``: rows each synthesizer writes (default: as many as training;
    the first that many are scored). ``score_rows`` caps the rows sdmetrics' slow metrics
    look at (DCR overfitting protection, attribute inference): a seeded subsample.
    """
    epsilon = check_epsilon(epsilon)
    schema = schema or load_schema("breast13")
    unknown = [n for n in names if n not in SYNTHESIZERS]
    if unknown:
        raise PathsynthError(
            f"unknown synthesizer {', '.join(map(repr, unknown))}: choose from "
            f"{', '.join(SYNTHESIZERS)}"
        )
    if not names:
        raise PathsynthError("give at least one synthesizer")
    if len(set(names)) != len(names):
        raise PathsynthError("each synthesizer can be listed once")
    dp = [n for n in names if SYNTHESIZERS[n].differentially_private]
    if dp and epsilon is None:
        raise PathsynthError(f"{', '.join(dp)} need --epsilon (differential privacy budget)")
    if workers < 1:
        raise PathsynthError(f"workers must be at least 1, not {workers}")
    params = params or {}
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    codec = RecordCodec.for_frame(schema, frame)
    clean, clean_report = codec.clean(frame)
    training, holdout = split_holdout(clean, seed)
    keys = codec.keys
    setup = attack_setup(training, holdout, schema, keys, seed)
    if n_synthetic is not None and n_synthetic < len(training):
        raise PathsynthError(
            f"n_synthetic ({n_synthetic}) must be at least the training size ({len(training)})"
        )
    jobs = {}
    for name in names:
        is_dp = SYNTHESIZERS[name].differentially_private
        kwargs = dict(params.get(name, {}))
        if is_dp and delta is not None:
            kwargs["delta"] = delta
        jobs[name] = _Job(
            name, kwargs, epsilon if is_dp else None, seed, schema, training, holdout, keys,
            setup, out, html, n_synthetic or len(training), score_rows,
        )  # fmt: skip
    done = _run_all(
        jobs,
        workers,
        progress,
        lambda: holdout_reference(setup, holdout, schema, max_rows=score_rows),
    )
    results, attacks_ref = done
    reference = next((r.reference for r in results if r.reference), {})
    reference = {
        **reference,
        "disclosure_protection": attacks_ref.disclosure_protection,
        "membership_auc": attacks_ref.membership_auc,
    }
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
            "attacks": {
                "known": setup.known,
                "sensitive": setup.sensitive,
                "membership_targets": len(setup.members) + len(setup.non_members),
                "holdout_disclosure_protection": attacks_ref.per_column,
            },
            "synthesizers": {
                r.name: {**r.details, "score_seconds": _round(r.score_seconds, 2), "error": r.error}
                for r in results
            },
        },
    )
    write_text_atomic(out / "table.md", comparison_table(comparison))
    plot_comparison(comparison, out / "comparison.png")
    return comparison


def _run_all(
    jobs: dict[str, _Job],
    workers: int,
    progress: ProgressFn | None,
    reference: Callable[[], Any],
) -> tuple[list[SynthesizerResult], Any]:
    """Every job's result in the order given, and ``reference()`` computed meanwhile."""
    if workers == 1 or len(jobs) == 1:
        results = {name: _run_job(job, progress) for name, job in jobs.items()}
        return [results[n] for n in jobs], reference()
    rank = {n: i for i, n in enumerate(_START_ORDER)}
    order = sorted(jobs, key=lambda n: rank.get(n, len(rank)))
    # spawn: a fork would copy the threads of torch / jax already running in this process
    context = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(
        max_workers=min(workers, len(jobs)), mp_context=context, initializer=_single_threaded
    ) as pool:
        futures: dict[str, Future[SynthesizerResult]] = {}
        for name in order:
            futures[name] = pool.submit(_pooled_job, jobs[name])
            if progress:
                progress(name, "fit")
        ref = reference()
        names = {future: name for name, future in futures.items()}
        results = {}
        for future in as_completed(futures.values()):
            name = names[future]
            try:
                results[name] = future.result()
            except Exception as exc:  # a worker that died (memory, signal)
                results[name] = SynthesizerResult(name=name, error=f"worker failed: {exc}")
            if progress:
                progress(name, "failed" if results[name].error else "done")
    return [results[n] for n in jobs], ref


def _write_csv(frame: pd.DataFrame, path: Path) -> None:
    with atomic_path(path) as tmp:
        frame.to_csv(tmp, index=False)


__all__ = [
    "DEFAULT_SYNTHESIZERS",
    "SCORE_KEYS",
    "Comparison",
    "SynthesizerResult",
    "compare_synthesizers",
    "comparison_table",
    "split_holdout",
]
