"""Records files: typed reading, round trips, tolerated spellings of unknown and separators."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from pathsynth.cohort import read_records, simulate_cohort, write_records
from pathsynth.errors import PathsynthError
from pathsynth.schema import Schema


def test_types_and_absent_keys(tmp_path: Path, schema: Schema) -> None:
    src = tmp_path / "r.csv"
    src.write_text("id,grade,taille,re,numero_gang_prel\n007,2,12.5,positive,3\n8,,NA,,\n")
    rec = read_records(src, schema)
    frame = rec.frame
    assert list(frame.columns) == ["id", *schema.keys]
    assert frame["id"].tolist() == ["007", "8"]  # ids stay text: leading zeros kept
    assert str(frame["grade"].dtype) == "Int64" and frame["grade"].iat[0] == 2
    assert frame["taille"].dtype == float and pd.isna(frame["taille"].iat[1])
    assert frame["re"].iat[1] is None and frame["her2"].isna().all()
    assert "her2" in rec.absent and "grade" not in rec.absent
    assert rec.changes == []


@pytest.mark.parametrize("suffix", [".csv", ".parquet"])
def test_round_trip(tmp_path: Path, schema: Schema, suffix: str) -> None:
    cohort = simulate_cohort(500, seed=4)
    path = write_records(cohort, tmp_path / f"c{suffix}")
    pd.testing.assert_frame_equal(read_records(path, schema).frame, cohort)


def test_csv_numbers_are_written_plainly(tmp_path: Path) -> None:
    cohort = simulate_cohort(50, seed=1)
    text = write_records(cohort, tmp_path / "c.csv").read_text()
    assert ".0," not in text and "<NA>" not in text and "nan" not in text


def test_semicolons_bom_and_integral_floats(tmp_path: Path, schema: Schema) -> None:
    src = tmp_path / "excel.csv"
    src.write_bytes("\ufeffid;grade;numero_gang_prel\nA;3.0;12\n".encode())
    frame = read_records(src, schema).frame
    assert frame["grade"].iat[0] == 3 and frame["numero_gang_prel"].iat[0] == 12


def test_many_problems_are_counted_in_one_line(tmp_path: Path, schema: Schema) -> None:
    src = tmp_path / "r.csv"
    src.write_text("id,re\nA,positif\nB,negatif\nC,oui\n")
    with pytest.raises(PathsynthError) as err:
        read_records(src, schema)
    message = str(err.value)
    assert "\n" not in message and "row 'A'" in message and "(and 2 more problems)" in message


def test_blank_invalid_lists_what_it_blanked(tmp_path: Path, schema: Schema) -> None:
    src = tmp_path / "r.csv"
    src.write_text("id,diagnostic\nA,8523/9\nB,8500/3\n")
    rec = read_records(src, schema, blank_invalid=True)
    assert rec.frame["diagnostic"].tolist() == [None, "8500/3"]
    assert rec.changes == ["row 'A', column 'diagnostic': '8523/9' → unknown"]


def test_any_well_formed_icdo_morphology_is_read(tmp_path: Path, schema: Schema) -> None:
    src = tmp_path / "r.csv"
    src.write_text("id,diagnostic\nA,8523/3\nB,9020/3\nC,8500/3\n")
    rec = read_records(src, schema)
    assert rec.frame["diagnostic"].tolist() == ["8523/3", "9020/3", "8500/3"]


def test_missing_file_and_missing_id_column(tmp_path: Path, schema: Schema) -> None:
    with pytest.raises(PathsynthError, match="not found"):
        read_records(tmp_path / "nope.csv", schema)
    with pytest.raises(PathsynthError, match="no 'id' column"):
        write_records(pd.DataFrame({"re": ["positive"]}), tmp_path / "x.csv")
    assert not (tmp_path / "x.csv").exists()


@pytest.mark.parametrize("cell", ["1_0", "1e1", "inf", "0x10", " 1 0 "])
def test_a_number_cell_is_plain_digits(tmp_path: Path, schema: Schema, cell: str) -> None:
    src = tmp_path / "r.csv"
    src.write_text(f"id,taille\nA,{cell}\n")
    before = src.read_bytes()
    with pytest.raises(PathsynthError, match="is not a number"):
        read_records(src, schema)
    assert src.read_bytes() == before
