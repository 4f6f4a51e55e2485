"""The margins (``marges_saines``): all resection margins free of tumour, or not.

"Free", "negative", "uninvolved", "in sano", "at 2 mm" are clear; "involved", "at ink",
"tumour extends to the inked margin", "R1" are not; "no tumour at the margins" is clear.
"""

from __future__ import annotations

import itertools
import re

from pathsynth.extraction.findings import GROSS, Document, Finding, best
from pathsynth.schema import Value, Variable
from pathsynth.schema.readers import register_reader
from pathsynth.text import UNCERTAIN

_MARGIN = re.compile(
    r"marge\w*|berge\w*|limite\w*|recoupe\w*|margin\w*|\bedges?\b|\br[01]\b|exerese|excision"
)


_CLEAR_NEGATED_INVOLVED = re.compile(
    r"\b(?:non|not|un|pas|no|sans|aucune?)\W*(?:\w+\W+){0,3}?(?:atteinte?s?|envahie?s?|involved|"
    r"touchee?s?|infiltree?s?|au contact|contact)|"
    r"\bno (?:\w+\W+){0,4}?(?:tumou?r|carcinoma|cancer|malignancy|invasive)\b\W+(?:\w+\W+){0,3}?"
    r"(?:at|on|in|to|involving)\b|"
    r"\bpas de (?:\w+\W+){0,3}?(?:tumeur|carcinome|cancer|lesion)\b|"
    r"\buninvolved\b|\bnegative for\b|"
    r"(?:involvement|atteinte|envahissement)(?: (?:des|of|de la|du) \w+)?\W{0,3}"
    r"(?:none|absente?|non|no|nulle?|aucune?)\b|"
    r"(?<!in)(?:completely|entirely|fully) (?:excised|removed|resected)|(?<!in)complete excision|"
    r"excision (?:is )?complete"
)


_INVOLVED = re.compile(
    r"\b(?:atteinte?s?|envahie?s?|involved|involvement|involving|positive?s?|touchee?s?|"
    r"infiltree?s?|au contact|affleur\w*|incomplete?|transect\w*|r1|abut\w*|touch\w*|a ras|"
    r"tangent\w*|incompletely (?:excised|removed)|"
    r"(?:extends?|extending|present|presente|is|est) (?:\w+\W+){0,2}?(?:to|at|a|on) "
    r"(?:the |la |l')?"
    r"(?:\w+\W+){0,2}?(?:inked )?(?:marg|berg|limit|encr)\w*|ink on tumou?r|tumou?r on ink|"
    r"tumou?r at (?:the )?(?:inked )?margin)\b"
)


_CLEAR = re.compile(
    r"\b(?:saine?s?|in sano|sains?|libres?|free|clear|negative|uninvolved|r0|complete|"
    r"indemnes?|tissu sain|zone saine|a distance|distant|away from|"
    r"(?:a|at) \d+(?:[.,]\d+)? ?(?:mm|cm)|[>=]\s*\d)"
)


_NEGATED_CLEAR = re.compile(
    r"\b(?:non|not|pas|ne sont pas)\s+(?:in sano|saines?|free|clear|complete|negative)\b|"
    r"\bnon-?in sano"
)


@register_reader("margin_status")
def read_margins(var: Variable, t: str) -> Value:
    """``yes`` when a phrase says the margins are free, ``no`` when involved."""
    if UNCERTAIN.search(t) and not re.search(r"\b(?:saine|free|clear|involved|atteinte)", t):
        return None
    if _NEGATED_CLEAR.search(t):
        return "no"
    if _CLEAR_NEGATED_INVOLVED.search(t):
        return "yes"
    if re.search(r"(?:a|at|of) 0(?:[.,]0)? ?mm\b|\b0 ?mm\b", t):
        return "no"
    if _INVOLVED.search(t):
        return "no"
    if _CLEAR.search(t):
        return "yes"
    # "closest margin: 4 mm", "2 mm from the nearest margin": a distance above zero is clear
    if _MARGIN.search(t) and re.search(r"\b\d+(?:[.,]\d+)? ?(?:mm|cm)\b", t):
        return "yes"
    return None


_MARGIN_CUE = re.compile(
    r"\bmarges?\b|\bberges?\b|limites? (?:d'exerese|chirurgicales?|de resection)|"
    r"\bmargins?\b|\brecoupes?\b|\bin sano\b|\br[01]\b|exerese (?:in)?complete|"
    r"\blimites? (?:\w+ )?(?:non |pas )?(?:saines?|atteintes?|envahies?|indemnes?|libres?)|"
    r"(?:complete|incomplete) excision|inked (?:surface|margin)|\bencr\w*|qualite d'exerese|"
    r"(?:completely|incompletely|entirely) (?:excised|removed)|excision (?:is )?(?:in)?complete"
)


_CLAUSE = re.compile(r",(?!\d)|;|\s-\s|\bmais\b|\bbut\b|\bwhereas\b|\balors que\b")


def find_margins(doc: Document) -> list[Finding]:
    """The margin status; one involved margin makes them all not clear."""
    var_ok = []
    for s in doc.readable:
        if not _MARGIN_CUE.search(s.text) or s.kind == GROSS:
            continue
        # read the clauses that speak of margins, not "margins negative, 3 nodes positive"
        bounds = [0, *(m.end() for m in _CLAUSE.finditer(s.text)), len(s.text)]
        for i, (a, b) in enumerate(itertools.pairwise(bounds)):
            clause = s.text[a:b]
            if not _MARGIN_CUE.search(clause):
                continue
            value = doc.read("marges_saines", clause)
            if value is None and i + 2 < len(bounds):
                # "Resection margins - negative": the label and its value in two clauses
                b = bounds[i + 2]
                value = doc.read("marges_saines", s.text[a:b])
            if value is not None:
                var_ok.append(Finding(value, (s.start + a, s.start + b), s.kind))
    top = best(var_ok)
    involved = [f for f in top if f.value == "no"]
    return involved[:1] or top[:1]
