"""Privacy by attack: a release that copies training records is caught, a fresh one is not."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from pathsynth.cohort import simulate_cohort
from pathsynth.schema import Schema
from pathsynth.tabular._codec import RecordCodec
from pathsynth.tabular.attacks import attack, attack_setup, holdout_reference
from pathsynth.tabular.compare import split_holdout

pytest.importorskip("sdmetrics")
pytest.importorskip("sklearn")


@pytest.fixture(scope="module")
def halves(schema: Schema) -> tuple[pd.DataFrame, pd.DataFrame, list[str]]:
    frame = simulate_cohort(800, 11)
    codec = RecordCodec.for_frame(schema, frame)
    clean, _ = codec.clean(frame)
    training, holdout = split_holdout(clean, 0)
    return training, holdout, codec.keys


def test_copied_training_records_are_caught_and_fresh_records_are_not(
    halves: tuple[pd.DataFrame, pd.DataFrame, list[str]], schema: Schema
) -> None:
    training, holdout, keys = halves
    setup = attack_setup(training, holdout, schema, keys, seed=0)
    assert setup.known == ["echantillon", "diagnostic", "taille", "grade"]
    assert "her2" in setup.sensitive and "taille" not in setup.sensitive
    copied = attack(training, setup, schema)
    fresh = attack(simulate_cohort(len(training), 99), setup, schema)
    reference = holdout_reference(setup, holdout, schema)
    assert copied.membership_auc is not None and copied.membership_auc > 0.9
    assert fresh.membership_auc is not None and abs(fresh.membership_auc - 0.5) < 0.08
    assert reference.membership_auc is not None and abs(reference.membership_auc - 0.5) < 0.08
    # copying the records tells the attacker more than records of other patients do
    assert copied.disclosure_protection is not None and reference.disclosure_protection
    assert copied.disclosure_protection < reference.disclosure_protection - 0.1
    assert set(copied.per_column) <= set(setup.sensitive)


def test_attacks_are_seeded(
    halves: tuple[pd.DataFrame, pd.DataFrame, list[str]], schema: Schema
) -> None:
    training, holdout, keys = halves
    one = attack_setup(training, holdout, schema, keys, seed=3)
    two = attack_setup(training, holdout, schema, keys, seed=3)
    pd.testing.assert_frame_equal(one.members, two.members)
    released = holdout.sample(frac=1.0, random_state=1)
    a = attack(released, one, schema, max_rows=150)
    b = attack(released, two, schema, max_rows=150)
    assert a == b and np.isfinite(a.disclosure_protection or np.nan)


def test_other_columns_fall_back_to_a_split(schema: Schema) -> None:
    frame = simulate_cohort(200, 2)[["id", "re", "rp", "her2"]]
    codec = RecordCodec.for_frame(schema, frame)
    clean, _ = codec.clean(frame)
    training, holdout = split_holdout(clean, 0)
    setup = attack_setup(training, holdout, schema, codec.keys, seed=0)
    assert setup.known == ["re"] and setup.sensitive == ["rp", "her2"]
