"""The rules extractor on whole reports: sections, specimens, negations, evidence spans."""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest

from pathsynth.extraction.base import Extractor
from pathsynth.extraction.rules import RulesExtractor
from pathsynth.schema import Schema

DATA = Path(__file__).resolve().parents[2] / "data"

FR_REPORT = """COMPTE RENDU ANATOMO-PATHOLOGIQUE

Renseignements cliniques : Patiente de 58 ans. Microbiopsie du 12/03 : carcinome lobulaire
infiltrant, RE 90 %, RP 10 %, HER2 1+. Lésion de 18 mm à l'échographie.

MACROSCOPIE :
1) Pièce de tumorectomie orientée de 8 x 6 x 3 cm. Lésion stellaire de 2,2 x 1,8 cm, située à
5 mm de la berge profonde.
2) Ganglion sentinelle : 2 ganglions.
3) Curage axillaire : 11 ganglions isolés.

MICROSCOPIE :
1) Carcinome canalaire infiltrant de type non spécifique, grade SBR II (3+2+2). Taille
histologique : 21 mm. Composante de carcinome canalaire in situ s'étendant sur 30 mm.
Présence d'emboles lymphovasculaires. Les berges d'exérèse sont saines.
2) Ganglion sentinelle : 1 ganglion métastatique sur 2 (macrométastase de 6 mm), avec rupture
capsulaire.
3) Curage : 0/11.

IMMUNOHISTOCHIMIE :
RE : 95 %, intensité forte
RP : 0 %
HER2 : score 2+ ; FISH : non amplifié
Ki67 : 25 %
"""

EN_REPORT = """FINAL DIAGNOSIS:
A. LEFT BREAST, SIMPLE MASTECTOMY:
 - INVASIVE LOBULAR CARCINOMA, CLASSIC TYPE, NOTTINGHAM GRADE 2 (SCORE 6/9).
 - TUMOR SIZE: 3.4 CM IN GREATEST DIMENSION.
 - No lymphovascular invasion identified.
 - Margins: tumor extends to the inked posterior margin.
B. SENTINEL LYMPH NODES #1 AND #2, EXCISION:
 - Isolated tumor cells in one of two lymph nodes (0/2), pN0(i+).

BIOMARKERS:
ER: Positive (95%), PR: Positive (40%), HER2: Negative (1+), Ki-67: 8%
"""


def test_is_an_extractor() -> None:
    rules = RulesExtractor()
    assert isinstance(rules, Extractor)
    assert rules.name == "rules"


def test_french_report(schema: Schema) -> None:
    got = RulesExtractor(schema).extract([FR_REPORT], lang="fr")[0]
    assert set(got.values) == set(schema.keys)
    assert got.values == {
        "echantillon": "lumpectomy",
        "diagnostic": "8500/3",  # not the lobular carcinoma of the previous biopsy
        "grade": 2,
        "taille": 21,  # not the gross lesion, the specimen nor the DCIS extent
        "marges_saines": "yes",
        "numero_gang_prel": 13,  # sentinel + axillary dissection
        "numero_gang_att": 1,
        "emboles": "yes",
        "rupture_capsulaire": "yes",
        "re": "positive",
        "rp": "negative",
        "her2": "negative",
        "ki67": 25,
    }


def test_english_report_with_itc_and_involved_margin() -> None:
    got = RulesExtractor().extract([EN_REPORT], lang="en")[0].values
    assert got["echantillon"] == "mastectomy"
    assert got["diagnostic"] == "8520/3"
    assert got["grade"] == 2
    assert got["taille"] == 34
    assert got["marges_saines"] == "no"
    assert got["emboles"] == "no"
    assert got["numero_gang_prel"] == 2
    assert got["numero_gang_att"] == 0  # isolated tumour cells are not metastases
    assert (got["re"], got["rp"], got["her2"], got["ki67"]) == (
        "positive",
        "positive",
        "negative",
        8,
    )


def test_evidence_points_at_the_statement() -> None:
    got = RulesExtractor().extract([FR_REPORT])[0]
    for key, spans in got.evidence.items():
        assert got.values[key] is not None
        for a, b in spans:
            assert 0 <= a < b <= len(FR_REPORT)
    (a, b), *_ = got.evidence["ki67"]
    assert "25" in FR_REPORT[a:b]
    (a, b), *_ = got.evidence["grade"]
    assert "SBR" in FR_REPORT[a:b]


def test_unstated_values_are_none() -> None:
    got = RulesExtractor().extract(["Microbiopsie : carcinome canalaire infiltrant."])[0]
    assert got.values["echantillon"] == "biopsy"
    assert got.values["diagnostic"] == "8500/3"
    unknown = {k for k, v in got.values.items() if v is None}
    assert unknown == set(got.values) - {"echantillon", "diagnostic"}
    assert RulesExtractor().extract([""])[0].values == dict.fromkeys(got.values)


def _realistic() -> list[dict]:
    path = DATA / "realistic_reports.jsonl"
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line]


def test_realistic_set_is_well_formed(schema: Schema) -> None:
    rows = _realistic()
    for lang in ("fr", "en"):
        assert sum(r["lang"] == lang for r in rows) >= 30
    assert len({r["id"] for r in rows}) == len(rows)
    for r in rows:
        assert set(r["values"]) == set(schema.keys)
        assert not schema.check_record(r["values"]), r["id"]


@pytest.mark.parametrize("lang", ["fr", "en"])
def test_accuracy_on_realistic_reports(lang: str) -> None:
    rows = [r for r in _realistic() if r["lang"] == lang]
    start = time.perf_counter()
    preds = RulesExtractor().extract([r["text"] for r in rows], lang=lang)  # type: ignore[arg-type]
    seconds = time.perf_counter() - start
    hits = [
        p.values[k] == r["values"][k] for r, p in zip(rows, preds, strict=True) for k in r["values"]
    ]
    accuracy = sum(hits) / len(hits)
    assert accuracy >= 0.95, f"{lang}: accuracy {accuracy:.3f}"
    assert len(rows) / seconds > 10  # reports per second, even on a loaded machine


def test_evidence_of_realistic_reports_holds_the_value(schema: Schema) -> None:
    rows = _realistic()
    preds = RulesExtractor().extract([r["text"] for r in rows])
    for r, p in zip(rows, preds, strict=True):
        for key, spans in p.evidence.items():
            assert spans, (r["id"], key)
            for a, b in spans:
                assert 0 <= a < b <= len(r["text"])
        if p.values["ki67"] is not None:
            a, b = p.evidence["ki67"][0]
            assert any(ch.isdigit() for ch in r["text"][a:b])
