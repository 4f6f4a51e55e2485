"""The specimen (``echantillon``): which procedure produced the main breast specimen.

Procedure names in French and English, a value reader (``specimen_procedure``) for a phrase or a
cell, and the document finder: breast specimens outrank node specimens, a previous biopsy named
in passing or the traces of an earlier procedure ("biopsy site changes") are not this report's
specimen, and "limites d'exérèse" is a margin, not a procedure.
"""

from __future__ import annotations

import re
from functools import lru_cache

from pathsynth.domains.breast13.context import PRIOR
from pathsynth.extraction.findings import Document, Finding
from pathsynth.schema import Value, Variable
from pathsynth.schema.readers import register_reader

_SPECIMEN = [
    (
        "lymph_node_dissection",
        re.compile(
            r"(?:biopsie|exerese|prelevement)s?\s+(?:du |des |de |d'un |d'une )?(?:\w+\s+)?"
            r"(?:ganglions?\s+)?sentinel\w*|sentinel (?:lymph )?nodes? (?:biopsy|excision)|"
            r"\bslnb\b|\bgs\b"
        ),
    ),
    (
        "surgical_excision",
        re.compile(
            r"biopsie\W*exerese|excision(?:al)? biopsy|surgical (?:excision|biopsy)|"
            r"biopsie chirurgicale|exerese (?:chirurgicale|de (?:la )?lesion|simple|sur harpon)|"
            r"(?:wire|needle)[- ]?(?:guided|localized|localization) (?:excision|biopsy)"
        ),
    ),
    (
        "lumpectomy",
        re.compile(
            r"tumorectom[il1]e|zonectom[il1]e|quadrantectom[il1]e|segmentectom[il1]e|"
            r"mastectom[il1]e partielle|"
            r"pyramidectomie|exerese large|partial mastectomy|lumpectomy|wide (?:local )?excision|"
            r"breast[- ]conserving|segmental (?:mastectomy|excision|resection)|quadrantectomy|"
            r"\bwle\b|segmentectomy|conservative surgery|chirurgie conservatrice|tumou?rectomy"
        ),
    ),
    ("mastectomy", re.compile(r"mastectom\w*|mammectom\w*|ablation du sein|amputation du sein")),
    (
        "biopsy",
        re.compile(
            r"micro\W?biopsie\w*|macro\W?biopsie\w*|biopsie\w*|biopsy|biopsies|\bcores?\b|"
            r"tru\W?cut|trocart|\bneedle\b(?!\W?locali)|vacuum|mammotome|\bbmv\b|\bcnb\b"
        ),
    ),
    (
        "lymph_node_dissection",
        re.compile(
            r"curage\w*|evidement\w*|(?:lymph node|axillary)\s+dissection|axillary clearance|"
            r"dissection axillaire|lymphadenectomy|lymphadenectomie"
        ),
    ),
    ("surgical_excision", re.compile(r"\bexerese\b|\bexcision\b|\bresection\b")),
]


# Breast specimens outrank node specimens: the main specimen is the breast one.
_SPECIMEN_RANK = [
    "mastectomy",
    "lumpectomy",
    "surgical_excision",
    "biopsy",
    "lymph_node_dissection",
]


@lru_cache(maxsize=8192)
def specimen_matches(t: str) -> tuple[tuple[str, int, int], ...]:
    """Every procedure named in folded text ``t``: (code, start, end), overlaps resolved."""
    taken: list[tuple[int, int]] = []
    out = []
    for code, rx in _SPECIMEN:
        for m in rx.finditer(t):
            if code == "mastectomy" and re.match(r"\W*(?:partielle|partial)", t[m.end() :]):
                continue
            if any(m.start() < e and s < m.end() for s, e in taken):
                continue
            taken.append((m.start(), m.end()))
            out.append((code, m.start(), m.end()))
    return tuple(sorted(out, key=lambda x: x[1]))


@register_reader("specimen_procedure")
def read_specimen(var: Variable, t: str) -> Value:
    """The procedure a phrase names, breast specimens first."""
    found = {code for code, _, _ in specimen_matches(t)}
    for code in _SPECIMEN_RANK:
        if code in found:
            return code
    return None


def find_specimen(doc: Document) -> list[Finding]:
    """The main specimen: the best-ranked procedure the report names as its own."""
    out = []
    rank = ["mastectomy", "lumpectomy", "surgical_excision", "biopsy", "lymph_node_dissection"]
    for s in doc.readable:
        for code, a, b in specimen_matches(s.text):
            # a previous biopsy mentioned in passing is not the specimen of this report
            before = s.text[max(0, a - 40) : a]
            after = s.text[b : b + 40]
            if PRIOR.search(before + " " + after):
                continue
            # "biopsy site changes", "cicatrice de tumorectomie": traces of an earlier procedure
            if re.match(r"\W*(?:site|scar|cavity|bed|clip|changes|tract)\b", after) or re.search(
                r"(?:cicatrice|lit|remaniements?|cavite|site|scar|changes?|tract)\s+"
                r"(?:de\s+(?:la\s+)?|d'|du\s+|post\W?|after\s+|from\s+(?:the\s+)?)?$",
                before,
            ):
                continue
            # "may differ on the excision": a bare "excision" is only a last resort
            weak = s.text[a:b] in {"exerese", "excision", "resection"}
            if re.search(r"\b(?:sans|no|pas de|absence de)\W*$", before):
                continue
            # "limites d'exérèse", "excision margins": a margin, not a procedure
            if weak and re.search(r"(?:limites?|berges?|marges?|plan|tranches?) d'$", before):
                continue
            if weak and re.match(r"\s+margins?\b", after):
                continue
            # an excision of a lymph node is a node specimen, not a breast one
            node_only = re.search(
                r"lymph node|ganglion|\baxilla(?:ry)?\b", s.text
            ) and not re.search(r"breast|\bsein\b|mammaire", s.text)
            if node_only and code in ("surgical_excision", "biopsy"):
                code = "lymph_node_dissection"
            order = rank.index(code) + (len(rank) if weak else 0)
            out.append((order, Finding(code, (s.start + a, s.start + b), s.kind)))
    if not out:
        return []
    out.sort(key=lambda x: (x[0], x[1].kind, x[1].span))
    return [out[0][1]]
