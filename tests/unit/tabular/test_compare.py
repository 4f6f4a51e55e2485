"""compare_synthesizers: split, files of the interface, a failing synthesizer reported."""

from __future__ import annotations

import json
from pathlib import Path
from typing import ClassVar

import numpy as np
import pandas as pd
import pytest

from pathsynth.errors import PathsynthError
from pathsynth.schema import Schema
from pathsynth.tabular import registry
from pathsynth.tabular.base import Synthesizer
from pathsynth.tabular.compare import compare_synthesizers, split_holdout
from pathsynth.tabular.metrics import REFERENCED_KEYS, SCORE_KEYS

pytest.importorskip("sdv")
pytest.importorskip("mostlyai.qa")
pytest.importorskip("sdmetrics")


class _Broken(Synthesizer):
    name: ClassVar[str] = "broken"

    def _fit(self, frame: pd.DataFrame, epsilon: float | None) -> None:
        raise RuntimeError("cannot learn this\nsecond line")

    def _draw(self, n: int, rng: np.random.Generator) -> pd.DataFrame:
        raise AssertionError


def test_split_is_equal_and_disjoint(cohort: pd.DataFrame) -> None:
    train, hold = split_holdout(cohort.iloc[:101], seed=0)
    assert len(train) == len(hold) == 50
    assert not set(train["id"]) & set(hold["id"])


@pytest.mark.slow
def test_compare_writes_the_interface_files(
    small_cohort: pd.DataFrame, schema: Schema, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(registry.SYNTHESIZERS, "broken", _Broken)
    stages: list[tuple[str, str]] = []
    result = compare_synthesizers(
        small_cohort.iloc[:200],
        ["gaussian_copula", "broken"],
        None,
        0,
        tmp_path,
        schema=schema,
        html=True,
        progress=lambda name, stage: stages.append((name, stage)),
    )
    metrics = json.loads((tmp_path / "metrics.json").read_text())
    assert set(metrics) == {"gaussian_copula", "broken"}
    entry = metrics["gaussian_copula"]
    references = {f"{k}_holdout" for k in REFERENCED_KEYS}
    assert set(entry) == {*SCORE_KEYS, *references, "of_ceiling", "epsilon", "fit_seconds"}
    assert 0.5 < entry["overall_accuracy"] <= 1 and 0 <= entry["dcr_share"] <= 1
    assert 0 <= entry["dcr_overfitting_protection"] <= 1 and entry["epsilon"] is None
    # privacy by attack, each beside the score of the holdout released in its place
    assert 0 <= entry["disclosure_protection"] <= 1 and 0 <= entry["membership_auc"] <= 1
    assert 0 <= entry["disclosure_protection_holdout"] <= 1
    assert 0.3 < entry["membership_auc_holdout"] < 0.7
    assert entry["of_ceiling"] == pytest.approx(
        entry["overall_accuracy"] / entry["overall_accuracy_holdout"], abs=1e-3
    )
    assert metrics["broken"]["error"] == "RuntimeError: cannot learn this"
    synthetic = pd.read_csv(tmp_path / "synthetic_gaussian_copula.csv")
    assert len(synthetic) == result.n_training == result.n_holdout == 100
    table = (tmp_path / "table.md").read_text()
    assert "| gaussian_copula |" in table and "| broken | — | failed |" in table
    assert "holdout (reference)" in table and "Membership inference: AUC" in table
    assert (tmp_path / "comparison.png").stat().st_size > 1000
    assert (tmp_path / "report_gaussian_copula.html").is_file()
    assert ("broken", "failed") in stages and ("gaussian_copula", "done") in stages


def test_compare_checks_its_arguments(cohort: pd.DataFrame, schema: Schema, tmp_path: Path) -> None:
    with pytest.raises(PathsynthError, match="need --epsilon"):
        compare_synthesizers(cohort, ["mst"], None, 0, tmp_path, schema=schema)
    with pytest.raises(PathsynthError, match="unknown synthesizer"):
        compare_synthesizers(cohort, ["nope"], None, 0, tmp_path, schema=schema)
    with pytest.raises(PathsynthError, match="at least 20 records"):
        compare_synthesizers(cohort.iloc[:10], ["gaussian_copula"], None, 0, tmp_path)


@pytest.mark.slow
def test_workers_give_the_same_files(
    small_cohort: pd.DataFrame, schema: Schema, tmp_path: Path
) -> None:
    frame = small_cohort.iloc[:200]
    args = (frame, ["gaussian_copula", "mst"], 2.0, 0)
    one = compare_synthesizers(*args, tmp_path / "one", schema=schema, html=False)
    two = compare_synthesizers(*args, tmp_path / "two", schema=schema, html=False, workers=2)
    for name in ("gaussian_copula", "mst"):
        a = (tmp_path / "one" / f"synthetic_{name}.csv").read_bytes()
        assert a == (tmp_path / "two" / f"synthetic_{name}.csv").read_bytes(), name
    assert one.metrics() == {
        n: {**m, "fit_seconds": one.metrics()[n]["fit_seconds"]} for n, m in two.metrics().items()
    }


def test_a_pooled_job_leaves_no_idle_loky_worker_behind() -> None:
    # A pool worker waits for its children at exit: joblib's idle loky workers (started by the
    # scoring libraries) would hold every comparison for their 300 s timeout.
    from joblib.externals.loky import get_reusable_executor

    from pathsynth.tabular.compare import _release_loky

    executor = get_reusable_executor(max_workers=1)
    assert executor.submit(int, "1").result() == 1
    workers = list(executor._processes.values())
    assert workers and all(p.is_alive() for p in workers)
    _release_loky()
    assert not any(p.is_alive() for p in workers)
