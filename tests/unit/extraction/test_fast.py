"""The fast student: learns from report / value pairs with evidence, generalises past casing
and layout, sums node counts over specimens (fractions included), reads the specimen type,
saves and loads safely."""

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
    assert text[start:end] == "23"
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
    assert (a.tagger_coef == b.tagger_coef).all()


def test_node_mentions_are_combined_like_a_reader_would() -> None:
    from pathsynth.extraction.fast import _Doc, _sum_mentions

    def combine(text: str, values: list[float]) -> float:
        doc = _Doc(text)
        idx = [i for i, n in enumerate(doc.norms) if doc.nums[i] in values]
        cands = [(0.9, i, doc.nums[i]) for i in idx]
        return _sum_mentions(doc, cands)[0]

    recap = "MICROSCOPIE :\nCurage : 21 ganglions.\n\nCONCLUSION :\n21 ganglions examinés."
    assert combine(recap, [21]) == 21
    specimens = "GS : 2 ganglions.\nCurage : 12 ganglions."
    assert combine(specimens, [2, 12]) == 14
    total = "GS : 2 ganglions.\nCurage : 12 ganglions.\nSoit 14 ganglions."
    assert combine(total, [2, 12, 14]) == 14


def test_node_fractions_total_repeat_and_specimens() -> None:
    from pathsynth.extraction.fast import _Doc, _node_fractions

    def read(text: str) -> tuple[int, int] | None:
        found = _node_fractions(_Doc(text))
        return None if found is None else (found[0], found[1])

    total = (
        "MICROSCOPIE :\nGS1 : métastase (1/1).\nGS2 : ganglion indemne (0/1).\n"
        "Curage : 1 ganglion métastatique sur 12.\nCONCLUSION : pN1a (2/14)."
    )
    assert read(total) == (2, 14)
    repeat = "Curage : 4 ganglions sur 19.\nCONCLUSION :\nCurage axillaire : 4/19 ganglions."
    assert read(repeat) == (4, 19)
    specimens = "Sentinel node: 1N+/2N.\nAxillary dissection: 2 of 10 lymph nodes involved."
    assert read(specimens) == (3, 12)
    assert read("ER 8/8, PR 7/8, HER2 1+. Biopsie du 12/03/2024.") is None


def test_specimen_type_from_procedure_words(student) -> None:
    from pathsynth.extraction.fast import _Doc

    def match(text: str) -> str | None:
        found = student._surface_match(_Doc(text), "echantillon")
        return None if found is None else found[0]

    assert match("Macrobiopsies sous stéréotaxie, sein gauche.") == "biopsy"
    assert match("BIOPSIE EXERESE du sein droit") == "surgical_excision"
    assert match("Left WLE + SLNB.") == "lumpectomy"
    assert match("Carcinome infiltrant.") is None


def test_emboli_read_from_the_key_names(student) -> None:
    from pathsynth.extraction.fast import _Doc

    doc = _Doc("Carcinome de 2,4 cm, grade III, sans embole vasculaire. Emboles : +")
    runs = student._name_runs(doc, "emboles")
    assert [doc.text[doc.toks[a][1] : doc.toks[b][2]] for a, b in runs] == [
        "embole vasculaire",
        "Emboles",
    ]
