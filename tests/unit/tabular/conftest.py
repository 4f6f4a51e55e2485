"""Small cohorts for the tabular tests (a few hundred rows drawn from the built-in prior)."""

from __future__ import annotations

import pandas as pd
import pytest

from pathsynth.cohort import simulate_cohort


@pytest.fixture(scope="session")
def cohort() -> pd.DataFrame:
    """300 simulated records, every schema key, with the prior's unknown cells."""
    return simulate_cohort(300, 7)


@pytest.fixture(scope="session")
def small_cohort(cohort: pd.DataFrame) -> pd.DataFrame:
    """Four low-cardinality columns, for the fits that grow with the domain (MST, GANs)."""
    return cohort[["id", "echantillon", "grade", "re", "her2"]].copy()
