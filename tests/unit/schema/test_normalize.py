"""Normalisers: the phrase tables, the issue's examples, and properties that must always hold."""

from __future__ import annotations

import csv
import json
import unicodedata
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pathsynth.schema import Change, Schema, load_schema, normalize_record, normalize_value

DATA = Path(__file__).resolve().parents[2] / "data"


def _expected(schema: Schema, key: str, raw: str) -> object:
    if raw in {"", "null", "None"}:
        return None
    var = schema[key]
    if var.type == "categorical":
        return raw
    return var.canonical(float(raw))


def _table(lang: str) -> list[tuple[str, str, str]]:
    path = DATA / f"phrases_{lang}.tsv"
    with path.open(encoding="utf-8", newline="") as f:
        rows = [r for r in csv.reader(f, delimiter="\t") if r and not r[0].startswith("#")]
    return [(r[0], r[1], r[2] if len(r) > 2 else "") for r in rows]


@pytest.mark.parametrize("lang", ["fr", "en"])
def test_phrase_tables(schema: Schema, lang: str) -> None:
    rows = _table(lang)
    assert len(rows) >= 200
    wrong = []
    for key, phrase, raw in rows:
        got = normalize_value(schema[key], phrase, lang)  # type: ignore[arg-type]
        if got != _expected(schema, key, raw):
            wrong.append(f"{key}\t{phrase}\t{raw}\tgot {got!r}")
    # every phrase of the tables is understood; a failure lists them all
    assert not wrong, "\n".join(wrong)


@pytest.mark.parametrize(
    ("key", "phrase", "expected"),
    [
        ("taille", "2,8 cm", 28),
        ("taille", "28 mm", 28),
        ("taille", "1.5 x 1.2 x 0.9 cm", 15),
        ("grade", "SBR II (3-2-3)", 2),
        ("grade", "grade de Elston-Ellis 2", 2),
        ("grade", "Nottingham score 7/9", 2),
        ("re", "RE positif (90 %)", "positive"),
        ("re", "ER: Negative (0%)", "negative"),
        ("re", "RE 0 %", "negative"),
        ("her2", "HER2 2+ non amplifié", "negative"),
        ("her2", "HER2 score 3+", "positive"),
        ("her2", "HER2 2+", None),
        ("numero_gang_att", "pN1a (2/14)", 2),
        ("numero_gang_prel", "pN1a (2/14)", 14),
        ("numero_gang_prel", "0/3 ganglions", 3),
        ("emboles", "emboles vasculaires présents", "yes"),
        ("emboles", "no lymphovascular invasion identified", "no"),
        ("marges_saines", "marges saines", "yes"),
        ("marges_saines", "tumor extends to inked margin", "no"),
        ("diagnostic", "carcinome canalaire infiltrant", "8500/3"),
        ("diagnostic", "carcinome infiltrant de type non spécifique", "8500/3"),
        ("diagnostic", "invasive lobular carcinoma", "8520/3"),
        ("diagnostic", "invasive carcinoma with ductal and lobular features", "8522/3"),
    ],
)
def test_issue_examples(schema: Schema, key: str, phrase: str, expected: object) -> None:
    assert normalize_value(schema[key], phrase) == expected


def test_canonical_values_pass_through(schema: Schema) -> None:
    for var in schema.variables:
        for code in var.codes:
            assert normalize_value(var, code) == code
    assert normalize_value(schema["taille"], 12.5) == 12.5
    assert normalize_value(schema["grade"], 4) is None
    assert normalize_value(schema["ki67"], float("nan")) is None


def test_normalize_record_lists_changes(schema: Schema) -> None:
    values, changes = normalize_record(
        schema, {"re": "positif", "taille": "2,8 cm", "her2": "negative", "grade": "IV"}
    )
    assert values == {"re": "positive", "taille": 28, "her2": "negative", "grade": "IV"}
    assert Change("re", "positif", "positive") in changes
    assert Change("taille", "2,8 cm", 28) in changes
    assert Change("grade", "IV", None) in changes
    assert len(changes) == 3


def test_other_schema_uses_generic_path(tmp_path: Path) -> None:
    spec = {
        "name": "tiny",
        "description": {"fr": "petit", "en": "tiny"},
        "variables": [
            {"key": "depth", "type": "number", "unit": "mm", "description": {"fr": "p", "en": "d"}},
            {"key": "count", "type": "integer", "description": {"fr": "n", "en": "n"}},
            {
                "key": "smoker",
                "type": "categorical",
                "description": {"fr": "fumeur", "en": "smoker"},
                "values": [
                    {"code": "y", "label": {"fr": "fumeur", "en": "smoker"},
                     "surface": {"fr": ["tabagisme actif"], "en": ["current smoker"]}},
                    {"code": "n", "label": {"fr": "non fumeur", "en": "non-smoker"}},
                ],
            },
        ],
    }  # fmt: skip
    path = tmp_path / "tiny.yaml"
    path.write_text(json.dumps(spec), encoding="utf-8")
    tiny = load_schema(path)
    assert normalize_value(tiny["depth"], "1,2 cm") == 12
    assert normalize_value(tiny["count"], "trois") == 3
    assert normalize_value(tiny["smoker"], "TABAGISME ACTIF") == "y"
    assert normalize_value(tiny["smoker"], "Non-fumeur") == "n"
    assert normalize_value(tiny["smoker"], "inconnu") is None


def _strip_accents(text: str) -> str:
    return "".join(c for c in unicodedata.normalize("NFD", text) if unicodedata.category(c) != "Mn")


@settings(max_examples=150, deadline=None)
@given(
    mm=st.integers(min_value=1, max_value=2000),
    unit=st.sampled_from(["mm", "cm"]),
    mark=st.sampled_from([",", "."]),
    space=st.sampled_from(["", " "]),
)
def test_sizes_round_trip(schema: Schema, mm: int, unit: str, mark: str, space: str) -> None:
    value = mm / 10  # millimetres with one decimal, up to 200 mm
    if unit == "mm":
        text = f"{value:.1f}".replace(".", mark)
    else:
        text = f"{value / 10:.2f}".replace(".", mark)
    assert normalize_value(schema["taille"], f"{text}{space}{unit}") == pytest.approx(value)


@settings(max_examples=150, deadline=None)
@given(row=st.sampled_from(_table("fr") + _table("en")), upper=st.booleans())
def test_capitals_and_accents_never_change_the_result(
    schema: Schema, row: tuple[str, str, str], upper: bool
) -> None:
    key, phrase, _ = row
    var = schema[key]
    base = normalize_value(var, phrase)
    variant = phrase.upper() if upper else _strip_accents(phrase)
    assert normalize_value(var, variant) == base


@settings(max_examples=300, deadline=None)
@given(text=st.text(max_size=200), key=st.sampled_from(load_schema("breast13").keys))
def test_never_raises_and_is_canonical(schema: Schema, text: str, key: str) -> None:
    value = normalize_value(schema[key], text)
    assert schema[key].is_valid(value)


def test_subset_counts_do_not_replace_the_affected_count(schema: Schema) -> None:
    att = schema["numero_gang_att"]
    assert (
        normalize_value(att, "10 ganglions examinés, 10 métastatiques, dont une micrométastase")
        == 10
    )
    assert normalize_value(att, "12 ganglions dont 2 métastatiques") == 2
    assert normalize_value(att, "one lymph node, none positive") == 0


@pytest.mark.parametrize("answer", ["not stated", "unknown", "null", "Non précisé", "inconnu"])
def test_unknown_answers_are_none(schema: Schema, answer: str) -> None:
    for var in schema.variables:
        assert normalize_value(var, answer) is None, var.key


@pytest.mark.parametrize(
    ("key", "text"),
    [
        ("taille", "-3 cm"),
        ("ki67", "-5 %"),
        ("taille", "0x10 mm"),
        ("taille", "1_000 mm"),
        ("taille", "1_0"),
        ("taille", "1e3 mm"),
        ("ki67", "-5"),
    ],
)
def test_signed_hex_and_grouped_numbers_are_no_values(schema: Schema, key: str, text: str) -> None:
    assert normalize_value(schema[key], text) is None
