"""The histological grade (``grade``): Nottingham / SBR / Elston-Ellis, 1 to 3.

Read from "grade II", "SBR 3", "G2", roman numerals (OCR's "ll" too), the Nottingham total
("score 7/9": 3-5 → 1, 6-7 → 2, 8-9 → 3) or its three components ("3+2+2"); never from a
nuclear grade, an Allred score or an IHC score.
"""

from __future__ import annotations

import re

from pathsynth.extraction.findings import GROSS, Document, Finding, best
from pathsynth.schema import Value, Variable
from pathsynth.schema.readers import register_reader
from pathsynth.text import roman_value

# "G2", not a cassette key "G1-G6"
_GRADE_KEY = re.compile(
    r"\b(?:grade|sbr|ee|elston|nottingham|bloom|nhg|g(?=[123]\b(?!\s*[-,;]\s*g?\d)))"
)


_GRADE_TOKEN = re.compile(
    r"\s*[:=(]?\s*(?:\b|(?<=[a-z])(?=[123]))(iii|ii|i|[il1|]{1,3}|[123])\b(?!\s*[+-]\s*\d)(?!\s*(?:mm|cm|%|[.,]\d))"
)


_COMPONENTS = re.compile(r"(?<![\d/.,])([123])\s*[-+,]\s*([123])\s*[-+,]\s*([123])(?![\d/.,])")


_SCORE = re.compile(
    r"(?:score|total|somme|sum)\D{0,20}?\b([3-9])\b(?:\s*/\s*9)?|\b([3-9])\s*/\s*9\b"
)


def _grade_token(token: str) -> int | None:
    value = roman_value(token)
    return value if value is not None and 1 <= value <= 3 else None


def score_to_grade(score: int) -> int | None:
    """Nottingham score (3-9) to grade: 3-5 gives 1, 6-7 gives 2, 8-9 gives 3."""
    if 3 <= score <= 5:
        return 1
    if score in (6, 7):
        return 2
    if score in (8, 9):
        return 3
    return None


# The grade in words: "moderately differentiated", "high combined histologic grade",
# "bien différencié" — read only where no grade number is written.
_GRADE_WORDS = re.compile(
    r"\b(well|moderately|poorly|bien|moyennement|peu)[\s-]+(?:differencie\w*|differentiated)|"
    r"\b(low|intermediate|high|bas|intermediaire|haut)(?:\s+combined)?\s+(?:nottingham\s+|"
    r"histologic(?:al)?\s+|histopronostique\s+)grade|"
    r"\bgrade\s+(?:histologique\s+)?(bas|intermediaire|haut|eleve)\b"
)
_LEVEL = {"well": 1, "bien": 1, "low": 1, "bas": 1, "moderately": 2, "moyennement": 2,
          "intermediate": 2, "intermediaire": 2, "poorly": 3, "peu": 3, "high": 3, "haut": 3,
          "eleve": 3}  # fmt: skip


def grade_in_words(t: str) -> tuple[int, int, int] | None:
    """A grade said in words, not of the nuclei or of an in situ component."""
    for m in _GRADE_WORDS.finditer(t):
        around = t[max(0, m.start() - 40) : m.end() + 10]
        if re.search(r"nucl\w*|noyau\w*|in situ|\bdcis\b|\bccis\b|\blcis\b", around):
            continue
        word = next(g for g in m.groups() if g)
        return _LEVEL[word], m.start(), m.end()
    return None


def grade_in(t: str) -> tuple[int, int, int] | None:
    """The histological grade stated in folded text, with the span that states it."""
    for m in _GRADE_KEY.finditer(t):
        if re.search(r"nucl\w*\W*(?:grade\W*)?$", t[max(0, m.start() - 25) : m.start()]):
            continue
        rest = t[m.end() : m.end() + 45]
        gap = re.match(
            r"[^0-9\n;]*?(?=\s*[:=(]?\s*(?:\b|(?<=[a-z])(?=[123]))(?:iii|ii|i|[il1|]{1,3}|[123])\b)",
            rest,
        )
        if not gap:
            continue
        if re.search(r"score|total|nucl|mitos|architect|pleomorph|tubul|[<>]", gap.group(0)):
            continue
        if len(gap.group(0)) > 35:
            continue
        tok = _GRADE_TOKEN.match(rest, gap.end())
        if not tok:
            continue
        value = _grade_token(tok.group(1))
        if value is not None and 1 <= value <= 3:
            return value, m.start(), m.end() + tok.end()
    sc = next((m for m in _SCORE.finditer(t) if _is_nottingham_total(m, t)), None)
    if sc:
        g = score_to_grade(int(sc.group(1) or sc.group(2)))
        if g is not None:
            return g, sc.start(), sc.end()
    comp = _COMPONENTS.search(t)
    if comp:
        g = score_to_grade(sum(int(x) for x in comp.groups()))
        if g is not None:
            return g, comp.start(), comp.end()
    return None


def _is_nottingham_total(m: re.Match[str], t: str) -> bool:
    """Whether a "score N" match is the Nottingham total, not an Allred score or a component."""
    if re.search(
        r"allred|quick|h-?score|her\W?2|erb|ihc|ki\W?67", t[max(0, m.start() - 25) : m.end()]
    ):
        return False
    if re.match(r"\s*\+", t[m.end() :]):  # "score 3+" is an IHC score
        return False
    if re.match(r"\s*/\s*8", t[m.end() :]):
        return False
    # "tubules: score 3; pleomorphism: score 3" are components of the total
    component = re.search(
        r"tubul|glandul|pleomorph|nucl|noyau|mitos|mitot|architect|acin",
        t[max(0, m.start() - 30) : m.start()],
    )
    return not (m.group(0).startswith("score") and component)


@register_reader("nottingham_grade")
def read_grade(var: Variable, t: str) -> Value:
    """The grade (1-3) a phrase states."""
    found = grade_in(t)
    if found:
        return found[0]
    m = re.match(r"^\s*(iii|ii|i|[123])\s*$", t)
    return _grade_token(m.group(1)) if m else None


_GRADE_CUE = re.compile(r"grade|sbr|elston|nottingham|bloom|\bnhg|\bg[123]\b|\bee\s*[123il]|score")


def find_grade(doc: Document) -> list[Finding]:
    """The invasive tumour's grade (not the in situ component's)."""
    out = []
    for s in doc.readable:
        # the grade is a microscopic finding: the gross description has none (cassette "G1")
        if s.kind == GROSS or not _GRADE_CUE.search(s.text):
            continue
        if re.search(r"in situ|\bccis\b|\bdcis\b|intracanal|intraduct", s.text) and not re.search(
            r"infiltr|invasi|sbr|elston|nottingham", s.text
        ):
            continue
        found = grade_in(s.text)
        if found:
            g, a, b = found
            out.append(Finding(g, (s.start + a, s.start + b), s.kind))
    if not out:
        for s in doc.readable:
            said = grade_in_words(s.text) if _GRADE_WORDS.search(s.text) else None
            if said:
                out.append(Finding(said[0], (s.start + said[1], s.start + said[2]), s.kind))
    return best(out)[:1]
