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


CUE = re.compile(
    r"\bmarges?\b|\bberges?\b|limites? (?:d'exerese|chirurgicales?|de resection)|"
    r"\bmargins?\b|\brecoupes?\b|\bin sano\b|\br[01]\b|exerese (?:in)?complete|"
    r"\blimites? (?:\w+ )?(?:non |pas )?(?:saines?|atteintes?|envahies?|indemnes?|libres?)|"
    r"(?:complete|incomplete) excision|inked (?:surface|margin)|\bencr\w*|qualite d'exerese|"
    r"(?:completely|incompletely|entirely) (?:excised|removed)|excision (?:is )?(?:in)?complete"
)


_CLAUSE = re.compile(r",(?!\d)|;|\s-\s|\bmais\b|\bbut\b|\bwhereas\b|\balors que\b")


_IN_SITU = re.compile(r"in situ|\bdcis\b|\blcis\b|\bccis\b|\bclis\b|intracanal\w*|intraductal")
_INVASIVE = re.compile(r"invasi\w*|infiltr\w*|\bidc\b|\bilc\b|\bcci\b|\bcli\b")
# a part that re-excises a margin: its result is the final margin
_NEW_MARGIN = re.compile(
    r"\b(?:new|additional|final|re-?excision|further|shave\w*|reprise|recoupe\w*|"
    r"complement\w*|nouvelle)\b"
)


def about_in_situ(statement: str, clause: str) -> bool:
    """Whether what is at (or away from) the margin is carcinoma in situ only: the guideline
    judges the margins of the invasive tumour."""
    where = clause if (_IN_SITU.search(clause) or _INVASIVE.search(clause)) else statement
    return bool(_IN_SITU.search(where)) and not _INVASIVE.search(where)


def find_margins(doc: Document) -> list[Finding]:
    """The margin status of the invasive tumour: one involved margin makes them not clear,
    unless a later re-excision of the margins is clear."""
    found: list[tuple[Finding, bool]] = []
    for s in doc.readable:
        if not CUE.search(s.text) or s.kind == GROSS:
            continue
        # read the clauses that speak of margins, not "margins negative, 3 nodes positive"
        bounds = [0, *(m.end() for m in _CLAUSE.finditer(s.text)), len(s.text)]
        for i, (a, b) in enumerate(itertools.pairwise(bounds)):
            clause = s.text[a:b]
            if not CUE.search(clause):
                continue
            value = doc.read("marges_saines", clause)
            if value is None and i + 2 < len(bounds):
                # "Resection margins - negative": the label and its value in two clauses
                b = bounds[i + 2]
                value = doc.read("marges_saines", s.text[a:b])
            if value is None or (value == "no" and about_in_situ(s.text, s.text[a:b])):
                continue
            title = s.part_kind == "margin" and bool(_NEW_MARGIN.search(s.text[:120]))
            found.append(
                (
                    Finding(value, (s.start + a, s.start + b), s.kind),
                    title or (s.part_kind == "margin" and s.part != "" and value == "yes"),
                )
            )
    top = best([f for f, _ in found])
    involved = [f for f in top if f.value == "no"]
    if involved:
        # "the new inked margin is free of tumor": a later clear re-excision settles it
        last = involved[-1].span[0]
        cleared = [f for f, new in found if new and f.value == "yes" and f.span[0] > last]
        return cleared[-1:] or involved[:1]
    return top[:1]
