"""Findings present or absent: lymphovascular invasion (``emboles``) and extracapsular /
extranodal extension (``rupture_capsulaire``).

One concept pattern per finding serves the value readers and the document finders alike; the
polarity comes from the clause's negation and hedge cues (:func:`pathsynth.text.polarity`):
"suspicious for LVI" is no value at all.
"""

from __future__ import annotations

import re

from pathsynth.extraction.findings import Document, Finder, Finding, best, clause_around
from pathsynth.schema import Value, Variable
from pathsynth.schema.readers import register_reader
from pathsynth.text import polarity

#: Lymphovascular invasion, however it is written (French nouns, English phrases, OCR'd).
LVI = re.compile(
    r"embol\w*|\blvi\b|lympho\W?vasc\w*|lympho\W?v?ascular|\w*ascular invasion|angio\W?lymph\w*|"
    r"(?:lymphatic|vascular|venous|lymph-vascular|vessel|blood vessel)(?: space)? invasion|"
    r"venous/lymphatic \([^)]{0,30}\) invasion|"
    r"(?:invasion|envahissement) (?:lympho)?vasculaire|vasculaires? (?:ou|et|/) ?lymphatiques?|"
    r"permeation\w*|\bilv\b|\blv invasion"
)
#: Extracapsular / extranodal extension of a nodal metastasis.
ENE = re.compile(
    r"rupture\w*\s+capsul\w*|effraction\w*\s+capsul\w*|extra\W?capsul\w*|extra\W?nodal\w*|"
    r"extra\W?ganglionnaire\w*|\bene\b|\bece\b|depassement\w*\s+capsul\w*|"
    r"franchissement\w*\s+capsul\w*|capsul\w* (?:breach|rupture|invasion|extension)|"
    r"peri\W?nodal (?:extension|spread|fat)|peri\W?ganglionnaire"
)
# In a cell or a short phrase the finding's name may be shortened ("vascular: yes").
_LVI_PHRASE = re.compile(LVI.pattern + r"|vascular|vasculaire|lymphatic\w*|lymphatiques?")
_ENE_PHRASE = re.compile(ENE.pattern + r"|peri\W?nodal|capsul\w*")


@register_reader("lymphovascular_invasion")
def read_lvi(var: Variable, t: str) -> Value:
    """``yes`` / ``no`` from a phrase about lymphovascular invasion ("emboles présents")."""
    return polarity(_LVI_PHRASE, t, alone="yes")


@register_reader("extranodal_extension")
def read_ene(var: Variable, t: str) -> Value:
    """``yes`` / ``no`` from a phrase about extracapsular extension ("sans rupture capsulaire")."""
    return polarity(_ENE_PHRASE, t, alone="yes")


def statement_polarity(concept: re.Pattern[str], t: str, m: re.Match[str]) -> str | None:
    """``yes`` / ``no`` for the finding ``m`` names in statement ``t`` (``None``: not said)."""
    # the French noun alone states a finding ("Emboles péri-ganglionnaires.")
    alone = "yes" if m.group(0).startswith("embol") and t[m.end() :].strip(" .") else None
    value = polarity(concept, t, alone=alone)
    if value is None:
        # a bare label line ("Emboles :") followed by a plain answer
        tail = t[m.end() :]
        if re.match(r"\W*(?:oui|yes|present\w*|\+)\W*$", tail):
            value = "yes"
        elif re.match(r"\W*(?:non|no|absent\w*|-|none|not identified)\W*$", tail):
            value = "no"
    return value


def clause_span(t: str, m: re.Match[str]) -> tuple[int, int]:
    """The clause of ``t`` around the finding's name: its evidence."""
    return clause_around(t, m.start(), m.end())


def presence_finder(concept: re.Pattern[str]) -> Finder:
    """A document finder of a present / absent finding named by ``concept``."""

    def find(doc: Document) -> list[Finding]:
        out = []
        for s in doc.readable:
            m = concept.search(s.text)
            if not m:
                continue
            value = statement_polarity(concept, s.text, m)
            if value is not None:
                a, b = clause_span(s.text, m)
                out.append(Finding(value, (s.start + a, s.start + b), s.kind))
        top = best(out)
        positive = [f for f in top if f.value == "yes"]
        return positive[:1] or top[:1]

    return find


find_lvi = presence_finder(LVI)
find_ene = presence_finder(ENE)
