"""The schema-driven encoding: levels, unknown cells, repairs and constraints."""

from __future__ import annotations

import numpy as np
import pandas as pd

from pathsynth.schema import Schema
from pathsynth.tabular._codec import MISSING_SUFFIX, RecordCodec


def test_clean_blanks_values_outside_the_schema(schema: Schema) -> None:
    frame = pd.DataFrame(
        {
            "diagnostic": ["8500/3", "8523/3", None],
            "grade": [1, 4, None],
            "ki67": [10.0, 130.0, np.nan],
        }
    )
    codec = RecordCodec.for_frame(schema, frame)
    clean, report = codec.clean(frame)
    assert list(clean.columns) == ["diagnostic", "grade", "ki67"]
    assert clean["diagnostic"].tolist() == ["8500/3", None, None]
    assert str(clean["grade"].dtype) == "Int64" and clean["grade"].isna().tolist() == [
        False,
        True,
        True,
    ]
    assert report.invalid_cells == {"diagnostic": 1, "grade": 1, "ki67": 1}


def test_levels_round_trip_keeps_integers_and_unknown(schema: Schema) -> None:
    frame = pd.DataFrame(
        {
            "re": ["positive", None, "negative"],
            "numero_gang_prel": pd.array([0, 80, None], dtype="Int64"),
            "taille": [12.0, np.nan, 249.0],
        }
    )
    codec = RecordCodec.for_frame(schema, frame)
    levels = codec.to_levels(frame)
    assert levels["re"].tolist() == [0, 2, 1]  # unknown is the last level
    assert levels["numero_gang_prel"].tolist() == [0, 80, 81]  # one level per value, no bins
    back = codec.from_levels(levels, np.random.default_rng(0))
    assert back["re"].tolist() == ["positive", None, "negative"]
    assert back["numero_gang_prel"].tolist()[:2] == [0, 80]
    assert back["numero_gang_prel"].isna().tolist() == [False, False, True]
    assert np.isnan(back["taille"][1])
    assert abs(back["taille"][0] - 12.0) <= codec.specs["taille"].bin_width


def test_mixed_encoding_has_a_missing_indicator(schema: Schema) -> None:
    frame = pd.DataFrame({"ki67": [5.0, np.nan, 60.0], "grade": pd.array([1, 3, None], "Int64")})
    codec = RecordCodec.for_frame(schema, frame)
    mixed = codec.to_mixed(frame)
    assert mixed["ki67" + MISSING_SUFFIX].tolist() == [0, 1, 0]
    back = codec.from_mixed(mixed, np.random.default_rng(0))
    assert back["ki67"].isna().tolist() == [False, True, False]
    assert back["grade"].tolist()[:2] == [1, 3] and back["grade"].isna()[2]


def test_repairs_and_constraints_are_counted(schema: Schema) -> None:
    frame = pd.DataFrame(
        {
            "ki67": [101.5, 50.0],
            "numero_gang_prel": [3, 10],
            "numero_gang_att": [5, 2],
        }
    )
    codec = RecordCodec.for_frame(schema, frame)
    repaired, counts = codec.repair(frame)
    assert repaired["ki67"].tolist() == [100.0, 50.0] and counts == {"ki67": 1}
    assert codec.violations(repaired).tolist() == [True, False]
    forced, n = codec.force_constraints(repaired)
    assert n == 1 and forced["numero_gang_att"].tolist() == [3, 2]
