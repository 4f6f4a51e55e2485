"""Small seeded report / value pairs with evidence spans, for the extraction tests.

Independent of the template teacher so the students' tests do not depend on its wording; a few
phrasings per variable, prose or "Key: value" lines, French or English, one or two node specimens.
"""

from __future__ import annotations

import random
from typing import Any

DIAG = {
    "8500/3": ("carcinome infiltrant de type non spécifique", "invasive ductal carcinoma"),
    "8520/3": ("carcinome lobulaire infiltrant", "invasive lobular carcinoma"),
    "8480/3": ("carcinome mucineux", "mucinous carcinoma"),
}
SPEC = {
    "lumpectomy": ("tumorectomie", "lumpectomy"),
    "mastectomy": ("mastectomie", "mastectomy"),
    "biopsy": ("microbiopsie", "core biopsy"),
}
POSNEG = {"positive": ("positifs", "positive"), "negative": ("négatifs", "negative")}
YESNO = {
    "marges_saines": {
        "yes": ("berges saines", "margins clear"),
        "no": ("berges atteintes", "margins involved"),
    },
    "emboles": {
        "yes": ("présence d'emboles", "lymphovascular invasion present"),
        "no": ("absence d'emboles", "no lymphovascular invasion"),
    },
}


def random_record(rng: random.Random) -> dict[str, Any]:
    prel = rng.randint(1, 20)
    rec = {
        "echantillon": rng.choice(list(SPEC)),
        "diagnostic": rng.choice(list(DIAG)),
        "grade": rng.randint(1, 3),
        "taille": rng.randint(4, 60),
        "marges_saines": rng.choice(["yes", "no", None]),
        "numero_gang_prel": prel if rng.random() < 0.8 else None,
        "numero_gang_att": None,
        "emboles": rng.choice(["yes", "no", None]),
        "rupture_capsulaire": None,
        "re": rng.choice(["positive", "negative"]),
        "rp": rng.choice(["positive", "negative", None]),
        "her2": rng.choice(["positive", "negative"]),
        "ki67": rng.choice([5, 10, 15, 20, 30, 40, None]),
    }
    if rec["numero_gang_prel"] is not None:
        rec["numero_gang_att"] = rng.randint(0, min(prel, 4))
    return rec


class _Builder:
    def __init__(self) -> None:
        self.parts: list[str] = []
        self.pos = 0
        self.spans: dict[str, list[list[int]]] = {}

    def add(self, text: str, key: str | None = None) -> None:
        if key:
            self.spans.setdefault(key, []).append([self.pos, self.pos + len(text)])
        self.parts.append(text)
        self.pos += len(text)


def render(
    rec: dict[str, Any], lang: str, rng: random.Random
) -> tuple[str, dict[str, list[list[int]]]]:
    fr = lang == "fr"
    li = 0 if fr else 1
    b = _Builder()
    synoptic = rng.random() < 0.5
    sep = "\n" if synoptic else " "
    b.add("COMPTE RENDU ANATOMOPATHOLOGIQUE\n" if fr else "SURGICAL PATHOLOGY REPORT\n")
    b.add("Prélèvement : " if fr else "Specimen: ")
    b.add(SPEC[rec["echantillon"]][li], "echantillon")
    b.add("." + sep)
    b.add("Type histologique : " if fr else "Histologic type: ")
    b.add(DIAG[rec["diagnostic"]][li], "diagnostic")
    b.add(", grade SBR " if fr else ", Nottingham grade ")
    b.add(str(rec["grade"]), "grade")
    b.add("." + sep)
    t = rec["taille"]
    if rng.random() < 0.5:
        b.add("Taille : " if fr else "Size: ")
        b.add(f"{t} mm", "taille")
    else:
        b.add("La tumeur mesure " if fr else "The tumour measures ")
        cm = f"{t / 10:.1f}".replace(".", "," if fr else ".")
        b.add(f"{cm} cm", "taille")
    b.add("." + sep)
    for key in ("marges_saines", "emboles"):
        if rec[key] is not None:
            b.add(YESNO[key][rec[key]][li].capitalize(), key)
            b.add("." + sep)
    if rec["numero_gang_prel"] is not None:
        prel, att = rec["numero_gang_prel"], rec["numero_gang_att"]
        if prel > 3 and rng.random() < 0.4:
            s1 = rng.randint(1, 2)
            a1 = min(att, 1)
            b.add("Ganglion sentinelle : " if fr else "Sentinel node: ")
            b.add(str(a1), "numero_gang_att")
            b.add("/")
            b.add(str(s1), "numero_gang_prel")
            b.add("." + sep)
            b.add("Curage axillaire : " if fr else "Axillary dissection: ")
            b.add(str(att - a1), "numero_gang_att")
            b.add("/")
            b.add(str(prel - s1), "numero_gang_prel")
        else:
            b.add("Ganglions : " if fr else "Lymph nodes: ")
            b.add(str(att), "numero_gang_att")
            b.add(" métastatique(s) sur " if fr else " positive out of ")
            b.add(str(prel), "numero_gang_prel")
            b.add(" examinés" if fr else " examined")
        b.add("." + sep)
    for key, name in (("re", "RE" if fr else "ER"), ("rp", "RP" if fr else "PR"), ("her2", "HER2")):
        if rec[key] is not None:
            b.add(f"{name} : " if fr else f"{name}: ")
            b.add(POSNEG[rec[key]][li], key)
            b.add("." + sep)
    if rec["ki67"] is not None:
        b.add("Ki67 : " if fr else "Ki-67: ")
        b.add(f"{rec['ki67']} %", "ki67")
        b.add(".")
    return "".join(b.parts), b.spans


def make_pairs(n: int, seed: int = 0, lang: str | None = None) -> list[dict[str, Any]]:
    """``n`` report lines ``{"id","text","record","lang","evidence"}``."""
    rng = random.Random(seed)
    rows = []
    for i in range(n):
        rec = random_record(rng)
        lg = lang or rng.choice(["fr", "en"])
        text, spans = render(rec, lg, rng)
        rows.append({"id": f"r{i}", "text": text, "record": rec, "lang": lg, "evidence": spans})
    return rows
