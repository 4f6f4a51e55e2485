"""Saved synthesizers: a pickle with its checksum beside it; a mismatch is refused."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from pathsynth.errors import PathsynthError
from pathsynth.schema import Schema
from pathsynth.tabular import Synthesizer, checksum_path, load_synthesizer, make_synthesizer

pytest.importorskip("sdv")


@pytest.fixture(scope="module")
def saved(tmp_path_factory: pytest.TempPathFactory, cohort: pd.DataFrame, schema: Schema) -> Path:
    path = tmp_path_factory.mktemp("model") / "copula.pkl"
    make_synthesizer("gaussian_copula", schema, seed=2).fit(cohort).save(path)
    return path


def test_load_gives_the_same_samples(saved: Path, cohort: pd.DataFrame, schema: Schema) -> None:
    fresh = make_synthesizer("gaussian_copula", schema, seed=2).fit(cohort)
    loaded = load_synthesizer(str(saved))
    assert loaded.name == "gaussian_copula"
    pd.testing.assert_frame_equal(loaded.sample(50), fresh.sample(50))
    assert checksum_path(saved).read_text().split()[1] == saved.name


def test_tampered_file_is_refused(saved: Path, tmp_path: Path) -> None:
    copy = tmp_path / "copula.pkl"
    copy.write_bytes(saved.read_bytes() + b"\x00")
    checksum_path(copy).write_text(checksum_path(saved).read_text())
    with pytest.raises(PathsynthError, match="checksum does not match"):
        Synthesizer.load(copy)


def test_file_without_checksum_is_refused(saved: Path, tmp_path: Path) -> None:
    copy = tmp_path / "copula.pkl"
    copy.write_bytes(saved.read_bytes())
    with pytest.raises(PathsynthError, match="no checksum file"):
        Synthesizer.load(copy)
    with pytest.raises(PathsynthError, match="not found"):
        Synthesizer.load(tmp_path / "absent.pkl")
