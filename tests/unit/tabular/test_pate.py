"""PATE-CTGAN: the moments accountant, disjoint teachers, and a budget never overspent."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from pathsynth.schema import Schema
from pathsynth.tabular import make_synthesizer
from pathsynth.tabular._pate import epsilon_of, log_moments

pytest.importorskip("snsynth")
pytest.importorskip("torch")


def test_unanimous_votes_cost_less_than_split_ones() -> None:
    orders = np.arange(1, 33, dtype=float)
    unanimous = log_moments(np.zeros(100), 40, 0.5, orders)
    split = log_moments(np.full(100, 20), 40, 0.5, orders)
    assert (unanimous <= split).all() and unanimous[7] < split[7] / 10
    # no query costs more than the data-independent bound of a (2·lam)-DP answer
    assert (split <= 100 * 2 * 0.5**2 * orders * (orders + 1) + 1e-9).all()
    assert epsilon_of(unanimous, orders, 1e-5) < epsilon_of(split, orders, 1e-5)


@pytest.mark.slow
def test_pate_ctgan_spends_at_most_its_budget(cohort: pd.DataFrame, schema: Schema) -> None:
    frame = cohort[["id", "echantillon", "grade", "re", "her2", "ki67"]]
    synth = make_synthesizer(
        "patectgan", schema, epsilon=2.0, seed=0, warmup=20, max_rounds=60, batch_size=50
    ).fit(frame)
    spent = synth.describe()["pate"]
    assert spent["teachers"] == len(frame) // 50  # disjoint: 50 records each
    assert synth.epsilon_spent is not None and synth.epsilon_spent <= 2.0 + 1e-9
    out = synth.sample(100)
    assert len(out) == 100 and set(out["re"].dropna()) <= {"positive", "negative"}


@pytest.mark.slow
def test_generator_learns_the_noisy_frequencies_of_every_column(
    cohort: pd.DataFrame, schema: Schema
) -> None:
    frame = cohort[["id", "echantillon", "grade", "re", "her2", "ki67"]]
    synth = make_synthesizer(
        "patectgan", schema, epsilon=3.0, seed=0, warmup=10, max_rounds=20, polish_steps=300
    ).fit(frame)
    out = synth.sample(400)
    for key in ("re", "her2", "grade"):
        real = frame[key].value_counts(normalize=True)
        fake = out[key].value_counts(normalize=True).reindex(real.index, fill_value=0.0)
        assert (real - fake).abs().sum() / 2 < 0.2, key  # total variation distance
    ki67 = out["ki67"].dropna()
    assert len(ki67) and ki67.between(0, 100).all()


def test_pate_ctgan_options_are_checked(cohort: pd.DataFrame, schema: Schema) -> None:
    from pathsynth.errors import PathsynthError

    with pytest.raises(PathsynthError, match="marginal_weight"):
        make_synthesizer("patectgan", schema, epsilon=3.0, seed=0, marginal_weight=-1.0).fit(
            cohort[["id", "re", "her2"]]
        )
