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


@pytest.mark.parametrize("value", ["nan", "inf", "-inf", "1e9", "0", "-1"])
@pytest.mark.parametrize("command", ["synthesize", "compare"])
def test_unusable_epsilon_is_refused_before_any_work(
    command: str, value: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # the data file does not even exist: the budget is checked first
    argv = ["tabular", command, "--data", str(tmp_path / "absent.csv"), f"--epsilon={value}"]
    if command == "synthesize":
        argv += ["--synthesizer", "mst", "--n", "5", "--out", str(tmp_path / "syn.csv")]
    else:
        argv += ["--synthesizers", "mst", "--out", str(tmp_path / "cmp")]
    with pytest.raises(SystemExit) as done:
        main(argv)
    err = capsys.readouterr().err
    assert done.value.code == 2
    assert "epsilon must be" in err and len(err.strip().splitlines()) == 1
    assert list(tmp_path.iterdir()) == []


def test_epsilon_in_a_config_is_checked(tmp_path: Path) -> None:
    from pathsynth.errors import PathsynthError
    from pathsynth.pipeline.config import load_config

    for text in (".inf", ".nan", "1.0e9", "-3"):
        path = tmp_path / "run.yaml"
        path.write_text(f"tabular:\n  epsilon: {text}\n", encoding="utf-8")
        with pytest.raises(PathsynthError, match="epsilon must be"):
            load_config(path)
