"""`pathsynth tabular synthesize` from the command line."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from pathsynth.cli import main
from pathsynth.cohort import write_records

pytest.importorskip("sdv")


def test_synthesize_writes_records_and_a_checked_model(
    cohort: pd.DataFrame, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    data = write_records(cohort, tmp_path / "cohort.csv")
    out, model = tmp_path / "syn.csv", tmp_path / "model.pkl"
    argv = ["tabular", "synthesize", "--data", str(data), "--synthesizer", "gaussian_copula"]
    main([*argv, "--n", "40", "--out", str(out), "--save-model", str(model)])
    synthetic = pd.read_csv(out)
    assert len(synthetic) == 40 and list(synthetic.columns) == list(cohort.columns)
    assert (tmp_path / "model.pkl.sha256").is_file()
    assert "loading one runs code" in capsys.readouterr().out


def test_bad_synthesizer_is_a_one_line_error(
    cohort: pd.DataFrame, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    data = write_records(cohort, tmp_path / "cohort.csv")
    argv = ["tabular", "synthesize", "--data", str(data), "--synthesizer", "mst", "--n", "5"]
    with pytest.raises(SystemExit) as done:
        main([*argv, "--out", str(tmp_path / "syn.csv")])
    assert done.value.code == 2
    assert "give --epsilon" in capsys.readouterr().err
    assert not (tmp_path / "syn.csv").exists()
