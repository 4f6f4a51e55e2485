"""Bad records through the CLI: one line on stderr, a non-zero exit, and no output file."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from pathsynth.cli import main

HEADER = "id,echantillon,diagnostic,grade,taille,numero_gang_prel,numero_gang_att,re"
GOOD_ROW = "P1,lumpectomy,8500/3,2,18,2,0,positive"

# name -> (file bytes, text the message must contain)
BAD_INPUTS: dict[str, tuple[bytes, tuple[str, ...]]] = {
    "unknown column": (
        f"{HEADER},couleur\n{GOOD_ROW},rouge\n".encode(),
        ("unknown column 'couleur'",),
    ),
    "value outside the canonical set": (
        f"{HEADER}\nP1,lumpectomy,8500/3,2,18,2,0,positif\n".encode(),
        ("row 'P1'", "column 're'", "'positif'", "--normalize"),
    ),
    "non-numeric size": (
        f"{HEADER}\nP1,lumpectomy,8500/3,2,big,2,0,positive\n".encode(),
        ("row 'P1'", "column 'taille'", "not a number"),
    ),
    "negative count": (
        f"{HEADER}\nP1,lumpectomy,8500/3,2,18,-2,0,positive\n".encode(),
        ("row 'P1'", "column 'numero_gang_prel'", "negative count"),
    ),
    "affected above examined": (
        f"{HEADER}\nP1,lumpectomy,8500/3,2,18,3,5,positive\n".encode(),
        ("row 'P1'", "numero_gang_att", "5 affected nodes > 3 examined"),
    ),
    "duplicate id": (
        f"{HEADER}\n{GOOD_ROW}\n{GOOD_ROW}\n".encode(),
        ("row 'P1'", "duplicate id"),
    ),
    "missing id column": (
        b"re,rp\npositive,positive\n",
        ("no 'id' column",),
    ),
    "empty file": (b"", ("is empty",)),
    "header only": (f"{HEADER}\n".encode(), ("holds no record",)),
    "not UTF-8": (
        f"{HEADER}\n{GOOD_ROW}\n".encode() + "P2,tumorectomie é,8500/3,,,,,\n".encode("latin-1"),
        ("is not UTF-8", "line 3"),
    ),
    "grade not whole": (
        f"{HEADER}\nP1,lumpectomy,8500/3,2.5,18,2,0,positive\n".encode(),
        ("column 'grade'", "not a whole number"),
    ),
    "ragged line": (f"{HEADER}\nP1,lumpectomy\n".encode(), ("line 2 has 2 fields",)),
}


def run_cli(args: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    code = 0
    try:
        main(args)
    except SystemExit as exc:
        code = int(exc.code or 0)
    captured = capsys.readouterr()
    return code, captured.out, captured.err


@pytest.mark.parametrize("command", ["validate", "complete"])
@pytest.mark.parametrize("case", sorted(BAD_INPUTS))
def test_bad_input_one_line_nonzero_no_output(
    case: str, command: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    data, expected = BAD_INPUTS[case]
    src = tmp_path / "records.csv"
    src.write_bytes(data)
    out = tmp_path / "out.csv"
    args = ["cohort", command, "--data", str(src), "--out", str(out)]
    code, _, err = run_cli(args, capsys)
    lines = [line for line in err.splitlines() if line.strip()]
    assert code != 0
    assert len(lines) == 1, err
    assert lines[0].startswith("error: ") and str(src) in lines[0]
    for piece in expected:
        assert piece in lines[0]
    # --normalize is offered only where a surface form could be the problem.
    offers_normalize = case in {"value outside the canonical set", "non-numeric size"}
    assert ("--normalize" in lines[0]) == offers_normalize
    assert not out.exists()
    assert not (tmp_path / "out.flags.csv").exists()
    assert [p.name for p in tmp_path.iterdir()] == ["records.csv"]


def test_bad_parquet_and_suffix(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    bad = tmp_path / "r.parquet"
    bad.write_bytes(b"not parquet at all")
    code, _, err = run_cli(["cohort", "validate", "--data", str(bad)], capsys)
    assert code == 2 and "not a readable Parquet file" in err
    txt = tmp_path / "r.txt"
    txt.write_text("id\nP1\n")
    code, _, err = run_cli(["cohort", "validate", "--data", str(txt)], capsys)
    assert code == 2 and ".csv or .parquet" in err


def test_normalize_maps_surface_forms_and_reports(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    src = tmp_path / "r.csv"
    src.write_text(f'{HEADER}\nP1,Tumorectomie,8500/3,2,"2,8 cm",2,0,positif\n', encoding="utf-8")
    out = tmp_path / "clean.csv"
    code, stdout, _ = run_cli(
        ["cohort", "validate", "--data", str(src), "--normalize", "--out", str(out)], capsys
    )
    assert code == 0
    assert "3 cells changed" in stdout
    assert "'positif' → 'positive'" in stdout and "'2,8 cm' → 28" in stdout
    clean = pd.read_csv(out)
    assert clean.loc[0, "re"] == "positive" and clean.loc[0, "taille"] == 28
    assert clean.loc[0, "echantillon"] == "lumpectomy"


def test_simulate_validate_complete_round(tmp_path: Path, capsys: pytest.CaptureFixture[str]):
    cohort = tmp_path / "cohort.csv"
    code, stdout, _ = run_cli(
        ["cohort", "simulate", "--n", "300", "--seed", "3", "--out", str(cohort)], capsys
    )
    assert code == 0 and "wrote 300 records" in stdout
    code, stdout, _ = run_cli(["cohort", "validate", "--data", str(cohort)], capsys)
    assert code == 0 and "300 records valid" in stdout
    out = tmp_path / "completed.csv"
    code, stdout, _ = run_cli(
        ["cohort", "complete", "--data", str(cohort), "--out", str(out), "--seed", "1"], capsys
    )
    assert code == 0
    flags = pd.read_csv(tmp_path / "completed.flags.csv")
    assert list(flags["id"]) == list(pd.read_csv(out)["id"])
    total = int(flags.drop(columns="id").to_numpy().sum())
    assert f"completed {total} cells in 300 records" in stdout
    assert "ki67" in stdout


def test_complete_keys_and_flags_path(tmp_path: Path, capsys: pytest.CaptureFixture[str]):
    src = tmp_path / "r.csv"
    src.write_text(f"{HEADER}\n{GOOD_ROW}\nP2,mastectomy,8520/3,2,35,14,3,positive\n")
    out = tmp_path / "c.parquet"
    flags = tmp_path / "f.csv"
    args = ["cohort", "complete", "--data", str(src), "--out", str(out), "--flags", str(flags)]
    code, stdout, _ = run_cli([*args, "--keys", "ki67,emboles"], capsys)
    assert code == 0, stdout
    done = pd.read_parquet(out)
    assert done["ki67"].notna().all() and done["emboles"].notna().all()
    assert done["her2"].isna().all()  # not asked for
    assert pd.read_csv(flags)[["ki67", "emboles"]].all().all()
    code, _, err = run_cli([*args, "--keys", "couleur"], capsys)
    assert code == 2 and "cannot complete couleur" in err
