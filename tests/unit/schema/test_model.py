from pathlib import Path

import pytest

from pathsynth.errors import PathsynthError
from pathsynth.schema import load_schema


def test_breast13_has_the_study_keys(schema):
    assert schema.keys == [
        "echantillon", "diagnostic", "grade", "taille", "marges_saines", "numero_gang_prel",
        "numero_gang_att", "emboles", "rupture_capsulaire", "re", "rp", "her2", "ki67",
    ]  # fmt: skip
    assert schema["her2"].codes == ["positive", "negative"]
    assert "8500/3" in schema["diagnostic"].codes


def test_validity_and_constraint(schema):
    assert schema["grade"].is_valid(2)
    assert not schema["grade"].is_valid(4)
    assert not schema["grade"].is_valid(2.5)
    assert schema["ki67"].is_valid(12.5)
    assert not schema["re"].is_valid("positif")
    assert schema.check_record({"numero_gang_prel": 3, "numero_gang_att": 5})


def test_other_schema_loads_from_file(tmp_path: Path):
    path = tmp_path / "tiny.yaml"
    path.write_text(
        "name: tiny\ndescription: {fr: petit, en: tiny}\nvariables:\n"
        "  - {key: size, type: number, unit: mm, description: {fr: taille, en: size}}\n",
        encoding="utf-8",
    )
    assert load_schema(path).keys == ["size"]


def test_bad_schema_is_one_line_error(tmp_path: Path):
    path = tmp_path / "bad.yaml"
    path.write_text("name: x\n", encoding="utf-8")
    with pytest.raises(PathsynthError):
        load_schema(path)
    with pytest.raises(PathsynthError, match="unknown schema"):
        load_schema("nope")
