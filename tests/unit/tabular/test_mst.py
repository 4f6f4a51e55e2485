"""MST's coding of counts, its budget split and its extra two-way marginals."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from pathsynth.errors import PathsynthError
from pathsynth.schema import Schema
from pathsynth.tabular import make_synthesizer
from pathsynth.tabular._codec import RecordCodec
from pathsynth.tabular.marginal import count_cuts


def test_count_cuts_exact_then_wider() -> None:
    cuts = count_cuts(0, 80, 16)
    assert cuts[:17] == [float(v) for v in range(17)]
    assert cuts[-1] == 81.0
    widths = np.diff(cuts)
    assert (widths[16:] > 1).all() and (np.diff(widths[16:]) >= 0).all()
    # a narrow range keeps one level per value
    assert count_cuts(1, 3, 16) == [1.0, 2.0, 3.0, 4.0]
    assert count_cuts(0, 80, 0) == [float(v) for v in range(82)]


def test_integer_cuts_round_trip_whole_values_inside_their_bin(schema: Schema) -> None:
    frame = pd.DataFrame({"numero_gang_prel": [0, 5, 15, 16, 23, 40, 80, None]})
    codec = RecordCodec.for_frame(schema, frame)
    spec = codec.specs["numero_gang_prel"]
    spec.set_cuts(count_cuts(0, 80, 16))
    clean, _ = codec.clean(frame)
    levels = codec.to_levels(clean)
    assert levels["numero_gang_prel"].tolist() == [0, 5, 15, 16, 16, 18, 19, spec.unknown_level]
    rng = np.random.default_rng(0)
    many = pd.DataFrame({"numero_gang_prel": np.repeat(levels["numero_gang_prel"], 200)})
    out = codec.from_levels(many.reset_index(drop=True), rng)["numero_gang_prel"]
    back = codec.to_levels(pd.DataFrame({"numero_gang_prel": out}))["numero_gang_prel"]
    assert (back.to_numpy() == many["numero_gang_prel"].to_numpy()).all()
    drawn = out.dropna()
    assert (drawn == drawn.round()).all() and drawn.min() >= 0 and drawn.max() <= 80


def test_bad_split_is_refused(small_cohort: pd.DataFrame, schema: Schema) -> None:
    with pytest.raises(PathsynthError, match="split"):
        make_synthesizer("mst", schema, epsilon=1.0, split="1,2").fit(small_cohort)


@pytest.mark.slow
def test_mst_with_binned_counts_and_extra_edges(cohort: pd.DataFrame, schema: Schema) -> None:
    frame = cohort[["id", "echantillon", "grade", "numero_gang_prel", "numero_gang_att", "re"]]
    synth = make_synthesizer(
        "mst", schema, epsilon=3.0, seed=0, count_exact=8, extra_edges=2, split="1,0.5,3"
    ).fit(frame)
    out = synth.sample(300)
    prel = out["numero_gang_prel"]
    assert str(prel.dtype) == "Int64" and prel.notna().any() and prel.isna().any()
    assert (out["numero_gang_att"].dropna() <= 80).all()
    ok = out[["numero_gang_prel", "numero_gang_att"]].dropna()
    assert (ok["numero_gang_att"] <= ok["numero_gang_prel"]).all()
    assert synth.epsilon_spent == pytest.approx(3.0)
