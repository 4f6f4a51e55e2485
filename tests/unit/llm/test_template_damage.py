"""Export damage with exact spans: edits, lost line breaks, page furniture, OCR slips."""

from __future__ import annotations

import random
from pathlib import Path

import pytest

from pathsynth.llm.template import TemplateTeacher
from pathsynth.llm.template._damage import apply_edits, damage_values, flatten, interrupt
from pathsynth.llm.template._writer import wrap_lines
from pathsynth.schema import Schema, load_schema
from pathsynth.schema.normalize import normalize_value

from ._template_support import random_record


def _reads(schema: Schema, lang: str = "en"):  # type: ignore[no-untyped-def]
    return lambda key, text: normalize_value(schema[key], text, lang)  # type: ignore[arg-type]


def test_edits_move_and_stretch_spans() -> None:
    text = "Grade: 2. Size: 12 mm."
    spans = {"grade": [(7, 8)], "taille": [(16, 21)]}
    out, moved = apply_edits(text, spans, [(0, 0, ">> "), (18, 18, "  "), (21, 21, "!")])
    assert out == ">> Grade: 2. Size: 12   mm!."
    assert out[slice(*moved["grade"][0])] == "2"
    assert out[slice(*moved["taille"][0])] == "12   mm"


def test_flattened_reports_join_lines_and_keep_values(schema: Schema) -> None:
    text = (
        "FINAL DIAGNOSIS\nA. SENTINEL LYMPH NODE #1, EXCISION:\n - negative (0/2).\n"
        "Grade: Nottingham grade 2\n"
    )
    k, g = text.index("(0/2)") + 1, text.index("Nottingham")
    spans = {
        "numero_gang_att": [(k, k + 1)],
        "numero_gang_prel": [(k + 2, k + 3)],
        "grade": [(g, g + 18)],
    }
    out, moved = flatten(text, spans, random.Random(0), 30, _reads(schema))
    assert "\n" not in out.rstrip("\n")
    assert out.startswith("FINAL DIAGNOSIS. A. SENTINEL LYMPH NODE #1,")
    assert [out[a:b] for a, b in moved["numero_gang_att"]] == ["0"]
    grade = out[slice(*moved["grade"][0])]
    assert normalize_value(schema["grade"], grade) == 2


def test_page_furniture_falls_between_words_outside_values() -> None:
    text = "The tumor measures 23 mm and is poorly differentiated with necrosis.\n"
    spans = {"taille": [(19, 24)]}
    out, moved = interrupt(text, spans, random.Random(3), 2, "en")
    assert len(out) > len(text)
    assert out[slice(*moved["taille"][0])] == "23 mm"
    lines = out.splitlines()
    assert any(
        line.startswith(
            ("Page", "RUN", "[NAME]", "Patient", "(cont", "***", "SURG", "Printed", "Dr.")
        )
        for line in lines
    )


def test_ocr_slips_keep_the_value_readable(schema: Schema) -> None:
    text = "Invasive ductal carcinoma, margins negative for carcinoma, 10 mm."
    spans = {"diagnostic": [(0, 25)], "marges_saines": [(27, 57)], "taille": [(59, 64)]}
    rng = random.Random(1)
    seen = set()
    for _ in range(40):
        out, moved = damage_values(text, spans, rng, 1.0, _reads(schema))
        for key, [(a, b)] in moved.items():
            piece = out[a:b]
            want = normalize_value(schema[key], text[slice(*spans[key][0])])
            assert normalize_value(schema[key], piece) == want, piece
            seen.add(piece)
    assert len(seen) > 6


def test_wrapping_never_breaks_a_value() -> None:
    text = "Lymphovascular invasion not identified in the sections examined here today.\n"
    spans = {"emboles": [(0, 38)]}
    out = wrap_lines(text, spans, 20)
    assert len(out) == len(text)
    assert "\n" not in out[0:38]
    assert max(len(line) for line in out.splitlines()) <= 40


def test_knobs_fixed_by_the_caller_are_obeyed(schema: Schema) -> None:
    teacher = TemplateTeacher()
    rec = random_record(schema, random.Random(2), p_unknown=0)
    flat = teacher.compose(rec, "en", 4, {"family": "cap", "flatten": "1", "interrupt": "2"})
    assert flat.style["flatten"] == "1" and flat.text.count("\n") == 1
    kept = teacher.compose(rec, "en", 4, {"family": "cap", "flatten": "0", "interrupt": "0"})
    assert kept.text.count("\n") > 10
    bad = teacher.compose(rec, "en", 4, {"flatten": "yes", "ocr": "2", "interrupt": "-1"})
    assert bad.style["ocr"] != "2" and bad.style["interrupt"] != "-1"


@pytest.mark.parametrize("layout", ["lines", "sentences", "sections"])
def test_a_user_schema_gets_prose_layouts_with_exact_spans(tmp_path: Path, layout: str) -> None:
    path = tmp_path / "mini.yaml"
    path.write_text(
        """
name: mini
description: {fr: Examen, en: Examination}
variables:
  - key: stade
    type: categorical
    description: {fr: stade, en: stage}
    names: {fr: [stade], en: [stage, disease stage]}
    values:
      - code: early
        label: {fr: précoce, en: early}
        surface: {fr: [précoce, localisé], en: [early, localized]}
      - code: late
        label: {fr: avancé, en: late}
  - key: poids
    type: number
    unit: g
    description: {fr: poids, en: weight}
  - key: lesions
    type: integer
    min: 0
    max: 20
    description: {fr: nombre de lésions, en: number of lesions}
""",
        encoding="utf-8",
    )
    schema = load_schema(path)
    teacher = TemplateTeacher(schema)
    texts = set()
    for i in range(30):
        lang = "fr" if i % 2 else "en"
        rec = {"stade": "late" if i % 3 else "early", "poids": 12.5, "lesions": i % 7}
        style = {"layout": layout, "ocr": "0", "flatten": "0", "interrupt": "0", "wrap": "0"}
        rep = teacher.compose(rec, lang, i, style)
        assert rep.style["layout"] == layout and rep.style["family"] == "generic"
        texts.add(rep.text)
        for key, value in rec.items():
            pieces = [rep.text[a:b] for a, b in rep.spans[key]]
            assert pieces
            for piece in pieces:
                assert normalize_value(schema[key], piece, lang) == value, (key, piece)
        if layout == "sentences":
            assert rep.text.count("\n") <= 4  # one paragraph under the title
        if layout == "sections":
            assert len(rep.spans["poids"]) >= 1 and rep.text.count("\n\n") >= 2
    assert len(texts) == 30
