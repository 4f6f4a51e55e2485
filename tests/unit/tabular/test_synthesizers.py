"""The synthesizer life cycle: fit, sample, schema respected, unknown kept, seeds, errors."""

from __future__ import annotations

from typing import ClassVar

import numpy as np
import pandas as pd
import pytest

from pathsynth.errors import PathsynthError
from pathsynth.schema import Schema
from pathsynth.tabular import SYNTHESIZERS, Synthesizer, make_synthesizer

pytest.importorskip("sdv")
pytest.importorskip("snsynth")


def _check_output(out: pd.DataFrame, source: pd.DataFrame, schema: Schema, n: int) -> None:
    keys = [k for k in schema.keys if k in source.columns]  # output follows schema order
    assert list(out.columns) == ["id", *keys]
    assert len(out) == n and out["id"].is_unique
    for key in keys:
        var = schema[key]
        values = out[key].dropna().tolist()
        if var.type == "categorical":
            assert set(values) <= set(var.codes), key
        elif var.type == "integer":
            assert str(out[key].dtype) == "Int64", key
        assert all(var.is_valid(v) for v in values), key
    if {"numero_gang_att", "numero_gang_prel"} <= set(keys):
        both = out[["numero_gang_att", "numero_gang_prel"]].dropna()
        assert (both["numero_gang_att"] <= both["numero_gang_prel"]).all()


def test_gaussian_copula_life_cycle(cohort: pd.DataFrame, schema: Schema) -> None:
    synth = make_synthesizer("gaussian_copula", schema, seed=3).fit(cohort)
    out = synth.sample(400)
    _check_output(out, cohort, schema, 400)
    # Unknown cells are learnt like a value: their rate survives.
    for key in ("her2", "taille", "rupture_capsulaire"):
        assert abs(out[key].isna().mean() - cohort[key].isna().mean()) < 0.12, key
    report = synth.sample_report
    assert report is not None and report.rows == 400
    again = make_synthesizer("gaussian_copula", schema, seed=3).fit(cohort).sample(400)
    pd.testing.assert_frame_equal(out, again)


class _Ordered(Synthesizer):
    """Draws rows in a fixed order, with a share breaking the node constraint."""

    name: ClassVar[str] = "ordered"

    def _fit(self, frame: pd.DataFrame, epsilon: float | None) -> None:
        self._frame = frame

    def _draw(self, n: int, rng: np.random.Generator) -> pd.DataFrame:
        prel = np.arange(n) % 10
        att = np.where(np.arange(n) % 4 == 0, prel + 1, prel)  # every 4th row breaks att <= prel
        return pd.DataFrame({"numero_gang_prel": prel, "numero_gang_att": att})


def test_rows_are_shuffled_and_constraint_breakers_rejected(schema: Schema) -> None:
    frame = pd.DataFrame({"numero_gang_prel": range(40), "numero_gang_att": [0] * 40})
    synth = _Ordered(schema, seed=0).fit(frame)
    out = synth.sample(200)
    assert (out["numero_gang_att"] <= out["numero_gang_prel"]).all()
    assert out["numero_gang_prel"].tolist() != sorted(out["numero_gang_prel"].tolist())
    assert out["numero_gang_prel"].head(10).tolist() != list(range(10))
    assert out["id"].tolist() == [f"syn-{i:06d}" for i in range(1, 201)]
    report = synth.sample_report
    assert report is not None and report.rejected >= 50 and report.constraint_repairs == 0


@pytest.mark.slow
def test_mst_keeps_unknown_rate_and_integers(small_cohort: pd.DataFrame, schema: Schema) -> None:
    synth = make_synthesizer("mst", schema, epsilon=5.0, seed=0).fit(small_cohort)
    out = synth.sample(500)
    _check_output(out, small_cohort, schema, 500)
    assert abs(out["her2"].isna().mean() - small_cohort["her2"].isna().mean()) < 0.1
    assert synth.epsilon_spent == pytest.approx(5.0)
    assert synth.epsilon_preprocessing == 0.0  # bounds come from the schema


@pytest.mark.slow
@pytest.mark.parametrize("name", ["patectgan", "dpctgan"])
def test_private_gans_fit_and_sample(name: str, cohort: pd.DataFrame, schema: Schema) -> None:
    frame = cohort[["id", "echantillon", "grade", "ki67", "numero_gang_prel", "numero_gang_att"]]
    params = {"epochs": 2} if name == "dpctgan" else {}
    synth = make_synthesizer(name, schema, epsilon=1.0, seed=0, **params).fit(frame)
    out = synth.sample(200)
    _check_output(out, frame, schema, 200)
    assert out["ki67"].isna().any() and out["ki67"].notna().any()


def test_pategan_needs_a_thousand_records(cohort: pd.DataFrame, schema: Schema) -> None:
    with pytest.raises(PathsynthError, match="at least 1000 records"):
        make_synthesizer("pategan", schema, epsilon=1.0).fit(cohort)


def test_private_synthesizers_need_epsilon(schema: Schema) -> None:
    for name, cls in SYNTHESIZERS.items():
        if cls.differentially_private:
            with pytest.raises(PathsynthError, match="epsilon"):
                make_synthesizer(name, schema)
        else:
            with pytest.raises(PathsynthError, match="not differentially private"):
                make_synthesizer(name, schema, epsilon=1.0)


def test_bad_names_and_parameters_are_one_line_errors(schema: Schema) -> None:
    with pytest.raises(PathsynthError, match="unknown synthesizer 'smote'"):
        make_synthesizer("smote", schema)
    with pytest.raises(PathsynthError, match="no parameter lr"):
        make_synthesizer("ctgan", schema, lr=0.1)
    with pytest.raises(PathsynthError, match="not fitted"):
        make_synthesizer("gaussian_copula", schema).sample(3)
    with pytest.raises(PathsynthError, match="none of the schema's columns"):
        make_synthesizer("gaussian_copula", schema).fit(pd.DataFrame({"x": range(20)}))
