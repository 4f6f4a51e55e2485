"""Shared fixtures: the built-in schema and the optional real cohort in ../shared/data."""

from __future__ import annotations

from pathlib import Path

import pytest

from pathsynth.schema import Schema, load_schema

SHARED_DATA = Path(__file__).resolve().parents[1].parent / "shared" / "data"
TCGA = SHARED_DATA / "tcga_brca_cohort.csv"


@pytest.fixture(scope="session")
def schema() -> Schema:
    return load_schema("breast13")


@pytest.fixture(scope="session")
def tcga_path() -> Path:
    if not TCGA.is_file():
        pytest.skip("../shared/data/tcga_brca_cohort.csv is absent")
    return TCGA
