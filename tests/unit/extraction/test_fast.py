"""The fast student: learns from report / value pairs with evidence which candidate states each
value, generalises past casing and layout, adds node counts over specimens, abstains when a
report states nothing, saves and loads safely, and trains the same twice from one seed."""

from __future__ import annotations

import json

import pytest

from pathsynth.errors import PathsynthError
from pathsynth.evaluation import evaluate
from pathsynth.extraction._text import TrainingExample, example_from_row
from pathsynth.extraction.fast import FastConfig, FastStudent, train_fast

from ._pairs import make_pairs


@pytest.fixture(scope="module")
def student(schema) -> FastStudent:
    rows = make_pairs(160, seed=0)
    examples = [example_from_row(r, schema) for r in rows]
    return train_fast([e for e in examples if e], schema, FastConfig(seed=0, epochs=4))


@pytest.fixture(scope="module")
def held_out() -> list[dict]:
    return make_pairs(60, seed=123)


def _score(student, rows, schema, transform=lambda t: t):
    found = student.extract([transform(r["text"]) for r in rows])
    preds = [f.to_prediction(r["id"]) for f, r in zip(found, rows, strict=True)]
    gold = [{"id": r["id"], "values": r["record"]} for r in rows]
    return evaluate(gold, {"fast": preds}, schema).system("fast").total


def test_learns_held_out_reports(student, held_out, schema) -> None:
    assert _score(student, held_out, schema).accuracy >= 0.95


def test_robust_to_capitals_and_flattened_lines(student, held_out, schema) -> None:
    total = _score(student, held_out, schema, lambda t: t.upper().replace("\n", " "))
    assert total.accuracy >= 0.9


def test_evidence_points_at_the_value(student, schema) -> None:
    text = "COMPTE RENDU ANATOMOPATHOLOGIQUE\nTaille : 23 mm.\nRE : positifs.\nKi67 : 30 %."
    ex = student.extract([text])[0]
    assert ex.values["taille"] == 23
    assert ex.values["ki67"] == 30
    start, end = ex.evidence["taille"][0]
    assert text[start:end].startswith("23")
    assert all(ex.values[k] is None for k in ("grade", "numero_gang_prel", "emboles"))


def test_sums_nodes_over_specimens(student) -> None:
    text = (
        "COMPTE RENDU ANATOMOPATHOLOGIQUE\nGanglion sentinelle : 1/2.\nCurage axillaire : 2/9.\n"
        "RE : positifs.\nHER2 : négatifs."
    )
    ex = student.extract([text])[0]
    assert ex.values["numero_gang_prel"] == 11
    assert ex.values["numero_gang_att"] == 3


def test_empty_text_gives_all_unknown(student, schema) -> None:
    assert student.extract([""])[0].values == schema.empty_values()


def test_save_load_roundtrip_and_checksum(student, held_out, tmp_path) -> None:
    student.save(tmp_path / "m", manifest_extra={"training_data_sha256": "x"})
    manifest = json.loads((tmp_path / "m" / "manifest.json").read_text())
    assert manifest["kind"] == "fast" and manifest["training_data_sha256"] == "x"
    loaded = FastStudent.load(tmp_path / "m")
    texts = [r["text"] for r in held_out[:10]]
    assert [e.values for e in loaded.extract(texts)] == [e.values for e in student.extract(texts)]
    weights = tmp_path / "m" / "weights.npz"
    weights.write_bytes(weights.read_bytes()[:-10] + b"0123456789")
    with pytest.raises(PathsynthError, match="checksum"):
        FastStudent.load(tmp_path / "m")


def test_training_needs_evidence(schema) -> None:
    ex = TrainingExample("a", "RE positifs", {"re": "positive"})
    with pytest.raises(PathsynthError, match="evidence"):
        train_fast([ex], schema)


def test_training_is_seeded(schema) -> None:
    rows = [example_from_row(r, schema) for r in make_pairs(30, seed=5)]
    cfg = FastConfig(seed=3, epochs=2)
    a = train_fast([r for r in rows if r], schema, cfg)
    b = train_fast([r for r in rows if r], schema, cfg)
    assert a.vocab.names() == b.vocab.names()
    assert all((a.scorers[k].coef == b.scorers[k].coef).all() for k in a.scorers)
    assert {k: s.threshold for k, s in a.scorers.items()} == {
        k: s.threshold for k, s in b.scorers.items()
    }


def test_a_student_reads_a_schema_without_domain_pack(tmp_path) -> None:
    from pathsynth.schema import load_schema

    path = tmp_path / "mini.yaml"
    path.write_text(
        "name: mini\nlanguages: [en]\ndescription: {en: mini}\nvariables:\n"
        "  - key: budding\n    type: categorical\n    description: {en: tumour budding}\n"
        "    names: {en: [tumour budding, budding]}\n"
        "    values:\n"
        "      - {code: high, label: {en: high}}\n"
        "      - {code: low, label: {en: low}}\n",
        encoding="utf-8",
    )
    schema = load_schema(path)
    rows = []
    for i in range(40):
        value = "high" if i % 2 else "low"
        text = f"Report {i}. Margins clear. Tumour budding: {value}. Signed."
        start = text.index(value)
        rows.append(
            TrainingExample(
                f"r{i}", text, {"budding": value}, {"budding": [(start, start + len(value))]}
            )
        )
    student = train_fast(rows, schema, FastConfig(seed=0, epochs=1))
    got = student.extract(["Tumour budding: high.", "Nothing about it."])
    assert [g.values["budding"] for g in got] == ["high", None]


def test_where_the_student_abstains_the_rules_speak_unless_backoff_is_off(student) -> None:
    import dataclasses

    from pathsynth.extraction.fast.model import KeyScorer
    from pathsynth.extraction.rules import RulesExtractor

    text = "COMPTE RENDU ANATOMOPATHOLOGIQUE\nTaille : 23 mm.\nRE : positifs.\nGrade SBR II."
    # thresholds no candidate can pass: the student abstains on every key
    mute = {k: KeyScorer(s.coef, s.intercept, threshold=1.01) for k, s in student.scorers.items()}
    rules = RulesExtractor(student.schema).extract_one(text)
    on = dataclasses.replace(student, scorers=mute).extract([text])[0]
    assert on.values == rules.values and on.values["taille"] == 23
    assert on.evidence["taille"] == rules.evidence["taille"]
    off_config = dataclasses.replace(student.config, backoff=False)
    off = dataclasses.replace(student, scorers=mute, config=off_config).extract([text])[0]
    assert all(v is None for v in off.values.values())
