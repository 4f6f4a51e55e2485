"""Normalisers: free text in French or English ("2,8 cm", "SBR II (3-2-3)", "HER2 2+ non
amplifié") to the canonical value of a schema variable.

Each breast-13 variable has a dedicated reader written for the way reports state it; any other
variable (or a breast-13 phrase the dedicated reader does not understand) goes through the
generic path: categorical values matched by their surface forms, labels and codes from the
schema YAML, numbers read with their unit. Every reader works on :func:`fold`-ed text, so
capitals, missing accents and common OCR slips do not change the result. The answer is
``None`` whenever the text does not state a value clearly: downstream, a wrong value costs
more than an unknown one.
"""

from __future__ import annotations

import bisect
import math
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from pathsynth.schema._text import NUMBER_WORD, count_value, fold, repair_breaks, squash
from pathsynth.schema.model import Lang, Schema, Value, Variable

__all__ = ["Change", "normalize_record", "normalize_value"]

# a decimal comma or point; OCR's stray space around it only before centimetres ("2, 5 cm")
NUM = r"\d+(?:[.,]\d+|\s?[.,]\s?\d(?=\s?cm\b))?"
_LEN_UNITS = {
    "mm": 1.0,
    "millimetre": 1.0,
    "millimetres": 1.0,
    "millimeter": 1.0,
    "millimeters": 1.0,
    "cm": 10.0,
    "centimetre": 10.0,
    "centimetres": 10.0,
    "centimeter": 10.0,
    "centimeters": 10.0,
}
LEN_UNIT = r"(?:millimet(?:re|er)s?|centimet(?:re|er)s?|mm|cm)\b"


def to_float(token: str) -> float:
    """A number written with a comma or a point as decimal mark, stray spaces allowed."""
    return float(re.sub(r"\s", "", token).replace(",", "."))


# --- numbers -------------------------------------------------------------------------------

_CHAIN_ALL = re.compile(
    rf"((?:{NUM})\s*(?:{LEN_UNIT})?(?:\s*(?:x|\*|by|par)\s*{NUM}\s*(?:{LEN_UNIT})?)*)"
)
_ONE_DIM = re.compile(rf"({NUM})\s*({LEN_UNIT})?")
_BARE = re.compile(rf"^\s*[<>~=]?\s*({NUM})\s*$")


_LIST_OF_SIZES = re.compile(rf"((?:{NUM})(?:\s*,\s*{NUM})*\s*(?:et|and|&)\s*{NUM})\s*({LEN_UNIT})")


def sizes_mm(t: str) -> list[tuple[float, int, int]]:
    """Every measurement with a length unit in folded text ``t``, in millimetres, with its span.

    A chain such as "1.5 x 1.2 x 0.9 cm" gives its largest dimension; the unit written last
    applies to the numbers written without one.
    """
    out = []
    # "3 foyers de 12, 8 et 5 mm": the largest of a list sharing one unit
    for m in _LIST_OF_SIZES.finditer(t):
        values = [to_float(x) for x in re.findall(NUM, m.group(1))]
        out.append((max(values) * _LEN_UNITS[m.group(2)], m.start(), m.end()))
    # the lists come in order and never overlap: a bisection finds the one a chain starts in
    lists = [(a, b) for _, a, b in out]
    for m in _CHAIN_ALL.finditer(t):
        i = bisect.bisect_right(lists, (m.start(1), math.inf)) - 1
        if i >= 0 and m.start(1) < lists[i][1]:
            continue
        dims = list(_ONE_DIM.finditer(m.group(1)))
        units = [d.group(2) for d in dims if d.group(2)]
        if not units:
            continue
        # a chain of dimensions is only trusted when its last number carries the unit
        if dims[-1].group(2) is None:
            continue
        last = units[-1]
        values = [to_float(d.group(1)) * _LEN_UNITS[d.group(2) or last] for d in dims]
        out.append((max(values), m.start(1), m.end(1)))
    return sorted(out, key=lambda x: x[1])


def _read_size(var: Variable, t: str) -> Value:
    found = sizes_mm(t)
    if found:
        return found[0][0]
    m = _BARE.match(t)
    return to_float(m.group(1)) if m else None


_PCT = re.compile(
    r"([<>]|inf\w*\s+a|sup\w*\s+a|less than|greater than|moins de|plus de)?"
    rf"\s*(?<![\w.,])(?<![a-z]-)({NUM})\s*(?:(?:-|a|to)\s*({NUM})\s*)?"
    r"(?:%|pour\s?cents?\b|percent\b|per cent\b)"
)


def percents(t: str) -> list[tuple[str, float, float, int, int]]:
    """Percentages in folded text: (comparator, low, high, start, end); ranges keep both ends."""
    out = []
    for m in _PCT.finditer(t):
        low = to_float(m.group(2))
        high = to_float(m.group(3)) if m.group(3) else low
        cmp_ = (m.group(1) or "").strip()
        if cmp_.startswith(("inf", "less", "moins")):
            cmp_ = "<"
        elif cmp_.startswith(("sup", "greater", "plus")):
            cmp_ = ">"
        out.append((cmp_, low, high, m.start(), m.end()))
    return out


_KI67_KEY = re.compile(
    r"(?:ki\W{0,2}67|mib\W?1|index de proliferation|indice de proliferation|proliferation index)"
)


def _read_ki67(var: Variable, t: str) -> Value:
    part = focus_marker("ki67", t)
    if part is None:
        return None
    t = part
    pcts = percents(t)
    if pcts:
        _, low, high, _, _ = pcts[0]
        return (low + high) / 2
    m = _KI67_KEY.search(t)
    if m:
        # "Ki67 : 15", not the antibody clone of "Ki-67 (30-9)"
        after = re.match(
            rf"\s*(?:\(%\))?\s*(?:[:=-]|a|de|of|at)?\s*({NUM})\b(?!\s*[-/)])", t[m.end() :]
        )
        if after:
            return to_float(after.group(1))
        return None
    m = _BARE.match(t)
    return to_float(m.group(1)) if m else None


# --- grade ---------------------------------------------------------------------------------

_GRADE_KEY = re.compile(r"\b(?:grade|sbr|ee|elston|nottingham|bloom|nhg|g(?=[123]\b))")
_GRADE_TOKEN = re.compile(
    r"\s*[:=(]?\s*(?:\b|(?<=[a-z])(?=[123]))(iii|ii|i|[il1|]{1,3}|[123])\b(?!\s*[+-]\s*\d)(?!\s*(?:mm|cm|%|[.,]\d))"
)
_COMPONENTS = re.compile(r"(?<![\d/.,])([123])\s*[-+,]\s*([123])\s*[-+,]\s*([123])(?![\d/.,])")
_SCORE = re.compile(
    r"(?:score|total|somme|sum)\D{0,20}?\b([3-9])\b(?:\s*/\s*9)?|\b([3-9])\s*/\s*9\b"
)


def score_to_grade(score: int) -> int | None:
    """Nottingham score (3-9) to grade: 3-5 gives 1, 6-7 gives 2, 8-9 gives 3."""
    if 3 <= score <= 5:
        return 1
    if score in (6, 7):
        return 2
    if score in (8, 9):
        return 3
    return None


def _roman(token: str) -> int | None:
    if token in {"1", "2", "3"}:
        return int(token)
    if set(token) <= set("il1|"):
        return len(token)
    return None


def grade_in(t: str) -> tuple[int, int, int] | None:
    """The histological grade stated in folded text, with the span that states it."""
    for m in _GRADE_KEY.finditer(t):
        if re.search(r"nucl\w*\W*$", t[max(0, m.start() - 12) : m.start()]):
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
        value = _roman(tok.group(1))
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


def _read_grade(var: Variable, t: str) -> Value:
    found = grade_in(t)
    if found:
        return found[0]
    m = re.match(r"^\s*(iii|ii|i|[123])\s*$", t)
    return _roman(m.group(1)) if m else None


# --- receptors -----------------------------------------------------------------------------

MARKERS = {
    "re": (
        r"(?:\br[eo]\b(?!-[a-z])|\ber\b|\bre\s*[+-](?![a-z])|\ber\s*[+-]|o?estrog\w*|"
        r"recepteurs? (?:aux |a l')?o?estrog\w*|\b(?:oe|e)s+tro\w*|\boe?s*tro?gen\w*)"
    ),
    "rp": r"(?:\brp\b|\bpr\b|\bpgr\b|\brp\s*[+-]|\bpr\s*[+-]|progest\w*)",
    "her2": r"(?:her\W?2(?:\W?neu)?|c\W?erb\W?b\W?2|erbb2|\bneu\b|hercep\w*)",
    "ki67": r"(?:ki\W{0,2}67|mib\W?1|ind(?:ex|ice) de proliferation|proliferation index)",
}
_MARKER_RE = {k: re.compile(v) for k, v in MARKERS.items()}


def focus_marker(key: str, t: str) -> str | None:
    """The part of ``t`` about marker ``key`` when several markers share one phrase.

    ``None`` when the phrase names other markers but not this one.
    """
    own = _MARKER_RE[key].search(t)
    others = [m.span() for k, rx in _MARKER_RE.items() if k != key for m in rx.finditer(t)]
    if not own:
        return None if others else t
    # text before the name belongs to it only when no other marker comes first
    start = own.start() if any(e <= own.start() for _, e in others) else 0
    end = min((s for s, e in others if s >= own.end()), default=len(t))
    return t[start:end]


_POS_WORD = re.compile(
    r"\bpositi\w*|\bexprim\w*|\bexpressed\b|\boui\b|\byes\b|\(\s*\+\s*\)|\bpos\b"
)
_NEG_WORD = re.compile(
    r"\bnegati\w*|\bnon exprim\w*|\bnot expressed\b|\babsence de marquage|\bno staining|"
    r"\bnon\b|\bno\b|\(\s*-\s*\)|\bneg\b|\babsent\w*|\bnul\w*"
)
_ALLRED = re.compile(
    r"allred\D{0,20}?\b([0-8])\b|\b([0-8])\s*/\s*8\b|\b([0-8])\s*\(?\s*(?:score d')?allred"
)


NOT_DONE = re.compile(
    r"non fait|non realise\w*|non effectue\w*|not performed|not done|pending|en cours|a suivre|"
    r"a venir|non interpretable|not interpretable|non contributi\w*|to follow|will be reported|"
    r"ulterieur\w*|en attente|awaited|not stated|not mentioned|not reported|not specified|"
    r"not available|unknown|inconnue?s?|non mentionne\w*|non renseigne\w*|non disponible\w*|"
    r"non precise\w*|non communique\w*|\bnull\b|\bnan\b"
)


_PAIR_NAMES = r"\b(?:re|er|ro)\s*(?:/|et|and|&)\s*(?:rp|pr|pgr)\b\s*[:=|]?\s*"
_STATUS = r"(\+|-|positi\w*|pos\b|negati\w*|neg\b)"
_RECEPTOR_PAIR = re.compile(_PAIR_NAMES + rf"{_STATUS}\s*/\s*{_STATUS}")
_RECEPTOR_PAIR_PCT = re.compile(
    _PAIR_NAMES + rf"(?:{_STATUS}\s*)?\(?\s*({NUM})\s*%?\s*/\s*({NUM})\s*%"
)
_RECEPTOR_PAIR_SAME = re.compile(_PAIR_NAMES + _STATUS)


def _pair_status(var: Variable, t: str) -> Value:
    """ "RE/RP : +/-", "RE / RP : positifs (90 % / 40 %)", "RE et RP négatifs"."""
    m = _RECEPTOR_PAIR.search(t)
    if m:
        sign = m.group(1) if var.key == "re" else m.group(2)
        return "positive" if sign.startswith(("+", "pos")) else "negative"
    m = _RECEPTOR_PAIR_PCT.search(t)
    if m:
        return "positive" if to_float(m.group(2 if var.key == "re" else 3)) >= 1 else "negative"
    m = _RECEPTOR_PAIR_SAME.search(t)
    if m:
        return "positive" if m.group(1).startswith(("+", "pos")) else "negative"
    return None


def marker_span(key: str, t: str) -> tuple[int, int] | None:
    """Where folded text ``t`` speaks of marker ``key`` (re, rp, her2, ki67): its evidence span."""
    if key in ("re", "rp"):
        for rx in (_RECEPTOR_PAIR, _RECEPTOR_PAIR_PCT, _RECEPTOR_PAIR_SAME):
            m = rx.search(t)
            if m:
                return m.start(), m.end()
    own = _MARKER_RE[key].search(t)
    if not own:
        return None
    others = [m.start() for k, rx in _MARKER_RE.items() if k != key for m in rx.finditer(t)]
    end = min((p for p in others if p >= own.end()), default=len(t))
    return own.start(), end


def _read_receptor(var: Variable, t: str) -> Value:
    paired = _pair_status(var, t) if var.key in ("re", "rp") else None
    if paired:
        return paired
    part = focus_marker(var.key, t) if var.key in MARKERS else t
    if part is None or NOT_DONE.search(part):
        return None
    for cmp_, _low, high, _, _ in percents(part):
        if cmp_ == "<":
            if high <= 1:
                return "negative"
            continue
        return "positive" if high >= 1 else "negative"
    m = _ALLRED.search(part)
    if m:
        return "positive" if int(m.group(1) or m.group(2) or m.group(3)) >= 3 else "negative"
    name = _MARKER_RE[var.key].search(part) if var.key in MARKERS else None
    # "RE 0, RP 0": a bare zero after the name (a bare non-zero could be an Allred score)
    if name and re.match(r"\W{0,3}0\b(?![.,]\d)(?!\s*/)", part[name.end() :]):
        return "negative"
    if _NEG_WORD.search(part):
        return "negative"
    if _POS_WORD.search(part):
        return "positive"
    name = _MARKER_RE[var.key].search(part) if var.key in MARKERS else None
    tail = part[name.end() :] if name else part
    if re.match(r"^\W{0,3}\+", tail) or re.fullmatch(r"\s*\+\s*", part):
        return "positive"
    if re.match(r"^\s*\(?\s*-(?!\d)", tail) or re.fullmatch(r"\s*-\s*", part):
        return "negative"
    return None


# --- HER2 ----------------------------------------------------------------------------------

_ISH = re.compile(r"\b(?:fish|sish|cish|ddish|ish|hybridation|hybridization|amplif\w*)")
_AMP_NEG = re.compile(
    r"(?:\bnon\b|\bnot\b|\bpas d'|\babsence d'|\bno\b|\bsans\b|\bwithout\b|\bne\b)\W*"
    r"(?:\w+\W+){0,2}?amplifi\w*|"
    r"amplification\W{0,4}(?:negative|absente?|non|no|not)\b|\bnon-?amplifi\w*|\bunamplified|"
    r"\b(?:fish|sish|cish|ish)\s*(?:-(?![\w])|:?\s*neg\w*)"
)
_AMP_POS = re.compile(
    r"\bamplifi\w*|amplification\W{0,4}(?:positive|presente?|oui|yes)|"
    r"\b(?:fish|sish|cish|ish)\s*(?:\+|:?\s*pos\w*)"
)
_RATIO = re.compile(rf"ratio\D{{0,25}}?({NUM})")
_IHC = re.compile(
    r"(?<![\d.,])([0-3])\s*\+|\+\+\+|\+\+|score\W{0,4}([0-3])\b|\(\s*([0-3])\s*\)|^\s*([0-3])\s*$|"
    r"[:=]\s*([0-3])\b(?!\s*[.,]?\d)(?!\s*%)|^\W{0,3}([0-3])\b(?![.,]\d)(?!\s*%)"
)
_OVER_NEG = re.compile(
    r"(?:\bnon\b|\bnot\b|\bpas de\b|\babsence de\b|\bno\b|\bsans\b|\bwithout\b)\W*"
    r"(?:\w+\W+){0,1}?(?:surexpr\w*|overexpr\w*)"
)
_OVER_POS = re.compile(r"\bsurexpr\w*|\boverexpr\w*")
_EQUIVOCAL = re.compile(r"equivo\w*|indetermin\w*|douteu\w*|borderline|limite")


def her2_ihc(t: str) -> int | None:
    """The HER2 immunohistochemistry score (0-3) written in folded text, if any."""
    for m in _IHC.finditer(t):
        if m.group(0) == "+++":
            return 3
        if m.group(0) == "++":
            return 2
        tok = next((g for g in m.groups() if g is not None), None)
        if tok is not None:
            return int(tok)
    return None


def _read_her2(var: Variable, t: str) -> Value:
    part = focus_marker("her2", t)
    if part is None:
        return None
    if NOT_DONE.search(part) and not re.search(r"[0-3]\s*\+|score", part):
        return None
    if _AMP_NEG.search(part):
        return "negative"
    ratio = _RATIO.search(part)
    if ratio:
        return "positive" if to_float(ratio.group(1)) >= 2.0 else "negative"
    if _AMP_POS.search(part):
        return "positive"
    name = _MARKER_RE["her2"].search(part)
    # "HER2" itself ends with a digit: read the score after the name
    score = her2_ihc(part[name.end() :] if name else part)
    if score == 3:
        return "positive"
    if score in (0, 1):
        return "negative"
    if score == 2 or _EQUIVOCAL.search(part):
        return None
    tail = part[name.end() :] if name else ""
    if re.match(r"\s*\(?\s*-(?!\s*\d)", tail):
        return "negative"
    if re.match(r"\s*\(?\s*\+(?!\s*\d)", tail):
        return "positive"
    if re.search(r"her\W?2\W?low|\blow\b|\bfaible", part):
        return "negative"
    if _OVER_NEG.search(part) or re.search(r"\bnegati\w*|\bneg\b|\(\s*-\s*\)", part):
        return "negative"
    if _OVER_POS.search(part) or re.search(r"\bpositi\w*|\bpos\b|\(\s*\+\s*\)", part):
        return "positive"
    return None


# --- presence / absence --------------------------------------------------------------------

NEGATION = re.compile(
    r"\b(?:absence|absente?s?|pas|aucune?s?|sans|non|no|not|none|negati\w*|neg|without|ni|"
    r"nulle?s?|indemnes?|free|neither|nor|ne|n'|exclude\w*|exclue?s?)\b|\bn'"
)
UNCERTAIN = re.compile(
    r"\b(?:suspect\w*|douteu\w*|possible|possibly|probable|probably|indetermin\w*|equivo\w*|"
    r"cannot be (?:excluded|assessed|determined|evaluated)|non evaluable|not assessable|"
    r"questionable|doubtful|uncertain|incertaine?s?|suspicious|suspicion|a confirmer|"
    r"non determinable|not determined|n/a|na|nd|non precise\w*|not applicable|sans objet|"
    r"non applicables?|inapplicable)\b|\?"
)
_PRESENT = re.compile(
    r"\b(?:presence|presente?s?|present|identified|identifiee?s?|seen|vue?s?|observee?s?|"
    r"noted|notee?s?|focal\w*|nombreu\w*|multiples?|oui|yes|positi\w*|extensive|"
    r"massive|avec|with|retrouvee?s?|mise?s? en evidence|visibles?|there (?:is|are)|il existe|"
    r"on (?:note|observe))\b|\(\s*\+\s*\)"
)
_LVI = re.compile(
    r"embol\w*|\blvi\b|lympho\W?vasc\w*|angio\W?lymph\w*|lymphatic\w*|vascular invasion|"
    r"invasion (?:lympho)?vasculaire|vasculaires? (?:ou|et|/) ?lymphatiques?|permeation\w*|"
    r"\bilv\b|\blv invasion|vascular|vasculaire|lymphatiques?"
)
_ENE = re.compile(
    r"rupture\w*\s+capsul\w*|effraction\w*\s+capsul\w*|extra\W?capsul\w*|extra\W?nodal\w*|"
    r"extra\W?ganglionnaire\w*|\bene\b|\bece\b|depassement\w*\s+capsul\w*|franchissement\w*\s+capsul\w*|"
    r"capsul\w* (?:breach|rupture|invasion|extension)|peri\W?nodal|peri\W?ganglionnaire|"
    r"capsul\w*"
)


def _clause_with(concept: re.Pattern[str], t: str) -> str:
    """The clause of ``t`` that names ``concept`` (the whole text when none does)."""
    for clause in re.split(r"[.;]|,(?!\d)|\bmais\b|\bbut\b|\bwhereas\b|\balors que\b", t):
        if concept.search(clause):
            return clause
    return t


def presence(concept: re.Pattern[str], t: str, *, alone: str | None) -> str | None:
    """``yes`` / ``no`` for a finding that is present or absent; ``alone`` when only named."""
    clause = _clause_with(concept, t)
    if UNCERTAIN.search(clause) or NOT_DONE.search(clause):
        return None
    if NEGATION.search(clause):
        return "no"
    if _PRESENT.search(clause):
        return "yes"
    named = concept.search(clause)
    if named and re.match(r"\s*\+", clause[named.end() :]):
        return "yes"
    if named:
        return alone
    return None


def _read_emboles(var: Variable, t: str) -> Value:
    return presence(_LVI, t, alone="yes")


def _read_rupture(var: Variable, t: str) -> Value:
    return presence(_ENE, t, alone="yes")


# --- margins -------------------------------------------------------------------------------

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


def _read_margins(var: Variable, t: str) -> Value:
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


# --- nodes ---------------------------------------------------------------------------------

_NODE = r"(?:ganglions?|gg|gl|nodes?|ln|lns|sln|slns|lymph nodes?)"
_COUNT = rf"(\d+|{NUMBER_WORD})"
_RATIO_NODES = re.compile(
    rf"(?<![\d/.])(\d+|{NUMBER_WORD})\s*(?:n\s*\+|ln\+?|\+)?\s*(?:/|sur|of|out of|parmi|over)\s*"
    rf"(\d+|{NUMBER_WORD})(?:\s*n)?\b(?!\s*/)(?!\s*%)"
)
_MET_WORD = (
    r"(?:(?:micro|macro)?\W?metasta\w*|envahi\w*|atteints?|positi\w*|involved|n\s*\+|\+|malin\w*|"
    r"tumoraux|tumorale?s?|with (?:metasta\w*|carcinoma|tumou?r)|avec metasta\w*|"
    r"porteurs?\s+\w+\s+metasta\w*|sieges?\s+\w+\s+metasta\w*)"
)
_NEG_NODE_WORD = (
    r"(?:indemnes?|sains?|negati\w*|non metasta\w*|non envahi\w*|free|benign\w*|reactionnel\w*|"
    r"sans metasta\w*|without metasta\w*|non atteints?)"
)
_ATT = re.compile(
    rf"\b{_COUNT}\s*(?:{_NODE}\b)?,?\s*"
    rf"(?:(?!(?:dont|sur|of|including|parmi|among|none|aucune?|no|non|sans|without|ni|not)\b)"
    rf"[a-z'-]+\s+){{0,3}}?{_MET_WORD}(?!\w)"
)
_NODE_QUALIFIER = (
    r"(?:sentinel\w*|axillar\w*|axillaire\w*|lymph|regional|additional|supplementaires?|"
    r"non[- ]sentinel\w*|intramammaires?|intramammary|low|level|i|ii|iii)"
)
_PREL = re.compile(
    rf"\b{_NODE}\s*x\s*(\d+)\b|"
    rf"{_NODE}\s+(?:{_NODE_QUALIFIER}\s+){{0,2}}(?:\w+\s+)?\((\d+)\)|"
    rf"\b{_COUNT}\s*(?:{_NODE_QUALIFIER}\s+){{0,2}}(?:{_NODE})\b(?:\s+{_NODE_QUALIFIER}\b)*|"
    rf"\b(\d+)\s*n\b(?!\s*\+)"
)
_PREL_LABEL = re.compile(
    r"(?:(?:nombre|nb) (?:total )?de ganglions(?: preleves| examines| analyses)?|"
    r"ganglions? (?:preleves|examines|analyses|recus|isoles)|"
    r"(?:lymph )?nodes? (?:examined|retrieved|removed|submitted|identified|recovered)|"
    r"number of (?:lymph )?nodes(?: examined| retrieved)?|number examined|nombre examine|"
    r"total (?:number of )?(?:lymph )?nodes(?: retrieved| examined)?)\s*[:=-]?\s*(\d+)\b(?!\s*/)"
)
_ATT_LABEL = re.compile(
    r"(?:ganglions? (?:metasta\w*|envahis|atteints|positifs)|(?:positive|involved|metastatic) "
    r"(?:lymph )?nodes|(?:lymph )?nodes? (?:with|positive for) (?:macro|micro)?metasta\w*|"
    r"number of (?:positive|involved|metastatic) (?:lymph )?nodes|"
    r"number with (?:macro|micro)?\W?metasta\w*|(?:nombre|nb|number) (?:de |of )?"
    r"(?:lymph )?(?:ganglions?|nodes?) (?:metasta\w*|envahis|atteints|positifs|positive|involved)"
    r"(?:\s*\([^)]{0,12}\))?)\s*[:=-]?\s*(\d+)\b(?!\s*/)"
)
_LONG_RATIO = re.compile(
    rf"(?<![\d/.])(\d+|{NUMBER_WORD})\s+(?:[a-z'-]+\s+){{1,4}}?(?:sur|of|out of|parmi)\s+"
    rf"(\d+|{NUMBER_WORD})\b(?!\s*%)"
)
_ZERO_ATT = re.compile(
    rf"\bp?n0\b|\baucun\w*\s+(?:\w+\s+){{0,3}}?(?:metasta\w*|envahi\w*|atteint\w*)|"
    rf"\bno\s+(?:\w+\s+){{0,3}}?(?:metasta\w*|carcinoma|tumou?r)|{_NEG_NODE_WORD}|"
    rf"\b(?:cellules tumorales isolees|isolated tumou?r cells|itc|\(i\+\)|pn0\s*\(i\+\))|"
    rf"\b(?:absence|pas|sans)\s+de\s+metasta\w*|\bnegative for (?:metasta\w*|carcinoma|tumou?r)"
)


def node_ratio(t: str) -> tuple[int, int, int, int] | None:
    """An "affected / examined" count ("2/14", "0 sur 3", "2 of 14") with its span."""
    for rx in (_RATIO_NODES, _LONG_RATIO):
        for m in rx.finditer(t):
            if rx is _LONG_RATIO and not re.search(r"ganglion|node|\bgg\b|metasta|\bn\+", t):
                continue
            a, b = count_value(m.group(1)), count_value(m.group(2))
            if a is None or b is None or a > b or b == 0:
                continue
            return a, b, m.start(), m.end()
    return None


def _read_prel(var: Variable, t: str) -> Value:
    ratio = node_ratio(t)
    if ratio:
        return ratio[1]
    label = _PREL_LABEL.search(t)
    if label:
        return int(label.group(1))
    if re.search(
        r"\b(?:non|not|pas|no|aucun)\s+(?:\w+\s+){0,2}?(?:preleve|examine|submitted|identified|recu|"
        r"found|retrouve|received|sampled|present)",
        t,
    ):
        return None
    for m in _PREL.finditer(t):
        after = t[m.end() : m.end() + 40]
        # "2 ganglions métastatiques" is a count of affected nodes, not of examined ones
        if (
            re.match(rf"\s*(?:[\w'-]+\s+){{0,2}}?{_MET_WORD}(?!\w)", after)
            and not re.match(
                r"\s*,?\s*(?:dont|including|of which|among which|parmi lesquels)\b", after
            )
            and not re.match(rf"\s*(?:[\w'-]+\s+){{0,2}}?{_NEG_NODE_WORD}", after)
        ):
            continue
        value = count_value(next(g for g in m.groups() if g is not None))
        if value is not None:
            return value
    bare = re.match(rf"^\s*{_COUNT}\s*$", t)
    return count_value(bare.group(1)) if bare else None


def _read_att(var: Variable, t: str) -> Value:
    ratio = node_ratio(t)
    if ratio:
        return ratio[0]
    label = _ATT_LABEL.search(t)
    if label:
        return int(label.group(1))
    among = re.search(rf"\b(?:dont|including|of which|among which)\s+{_COUNT}\b", t)
    if among and re.match(rf"\s*{_NEG_NODE_WORD}", t[among.end() :]):
        among = None
    for m in _ATT.finditer(t):
        # "12 ganglions dont 2 métastatiques" but "10 métastatiques, dont une micrométastase"
        if among and among.start() < m.start():
            break
        token = m.group(1)
        seg = m.group(0)
        if re.search(_NEG_NODE_WORD, seg) or re.search(r"\bnon\s+\w*$", seg[:-8]):
            continue
        value = count_value(token)
        if value is not None:
            return value
    if among:
        return count_value(among.group(1))
    if _ZERO_ATT.search(t):
        return 0
    bare = re.match(rf"^\s*{_COUNT}\s*$", t)
    return count_value(bare.group(1)) if bare else None


# --- specimen ------------------------------------------------------------------------------

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


_PARTIAL = re.compile(r"\W*(?:partielle|partial)")


def specimen_matches(t: str) -> list[tuple[str, int, int]]:
    """Every procedure named in folded text ``t``: (code, start, end), overlaps resolved."""
    # the spans taken never overlap, so sorted starts have sorted ends: bisection finds overlaps
    starts: list[int] = []
    ends: list[int] = []
    out = []
    for code, rx in _SPECIMEN:
        for m in rx.finditer(t):
            if code == "mastectomy" and _PARTIAL.match(t, m.end()):
                continue
            i = bisect.bisect_left(starts, m.end())
            if i and ends[i - 1] > m.start():
                continue
            j = bisect.bisect_left(starts, m.start())
            starts.insert(j, m.start())
            ends.insert(j, m.end())
            out.append((code, m.start(), m.end()))
    return sorted(out, key=lambda x: x[1])


def _read_specimen(var: Variable, t: str) -> Value:
    found = {code for code, _, _ in specimen_matches(t)}
    for code in _SPECIMEN_RANK:
        if code in found:
            return code
    return None


# --- histology -----------------------------------------------------------------------------

_INSITU = re.compile(
    r"in\W?situ|intra\W?canalaire|intra\W?ductal|\bccis\b|\bdcis\b|\bcclis\b|\blcis\b|\bclis\b|"
    r"\bdin\b|neoplasie lobulaire|lobular neoplasia"
)
_INVASIVE = re.compile(
    r"infi[li1]tr\w*|invasi\w*|\bcci\b|\bcli\b|\bidc\b|\bilc\b|\bnst\b|non specifique|"
    r"no special type|not otherwise specified|\bnos\b|\bsai\b|sans autre indication|non special"
)
_TYPES = [
    ("8507/3", re.compile(r"micro\W?papill\w*")),
    ("8480/3", re.compile(r"mucineu\w*|mucinous|colloid\w*|mucoid\w*|mucosecretant")),
    ("8211/3", re.compile(r"\btubul(?:eux|euse|aire|ar)\b")),
    ("8510/3", re.compile(r"medullai\w*|medullary|a stroma lymphoide")),
    ("8575/3", re.compile(r"metaplasi\w*|metaplastic")),
    ("8201/3", re.compile(r"cribrif\w*")),
    ("8503/3", re.compile(r"papill\w*")),
]
_LOBULAR = re.compile(r"lobulai\w*|lobular\w*|\bcli\b|\bilc\b")
_DUCTAL = re.compile(
    r"canalai\w*|ductal\w*|\bcci\b|\bidc\b|\bnst\b|non specifique|no special type|\bnos\b|\bsai\b|"
    r"sans autre indication|not otherwise specified|non special"
)
_MIXED = re.compile(
    r"\bmixte?s?\b|\bmixed\b|ductal and lobular|canalaire et lobulaire|ductolobul\w*"
)
_CARCINOMA = re.compile(
    r"carcinom\w*|\bcci\b|\bcli\b|\bidc\b|\bilc\b|\bdcis\b|\bccis\b|adeno\W?carcinom\w*|\bcancer\b"
)
_ICDO = re.compile(r"\b(8\d{3})\s*/\s*([0-3])\b")


_NEGATED_LESION = re.compile(
    r"\b(?:absence|pas|sans|no|not|negative for|free of|aucune?|ni|without|exclu\w*)\b"
    r"(?:\W+\w+){0,3}?\W*$"
)


def _clauses(t: str) -> list[tuple[str, int]]:
    """Clauses split where a second lesion is usually introduced; (text, start)."""
    parts = []
    start = 0
    splitter = re.compile(
        r"[.;\n]|\bassocie\w*|\bavec\b|\bwith(?! (?:ductal|lobular|mixed|mucinous|tubular|"
        r"medullary|micropapillary|papillary|cribriform|metaplastic|features))|\baccompan\w*|"
        r"\badjacent\b|\bet (?:du |de |d')|\band (?:associated|adjacent)|\bplus\b|\+|"
        r"\bcomposante\b|\bcomponent\b|\bfoyers?\b|\bfoci\b|\bsur fond\b|\bbackground\b|"
        r",(?!\s*(?:de type|type|of|no special|non specifique|nst|grade|ductal|lobular|canalaire|"
        r"lobulaire|mixed|mixte|classi\w*|pleomorph\w*))"
    )
    for m in splitter.finditer(t):
        parts.append((t[start : m.start()], start))
        start = m.start()
    parts.append((t[start:], start))
    return [p for p in parts if p[0].strip()]


def histology_in(t: str, *, generic: bool = True) -> tuple[str, int, int] | None:
    """The ICD-O morphology of the main tumour named in folded text, with its clause span.

    An invasive carcinoma outranks carcinoma in situ; mixed ductal + lobular in one clause gives
    8522/3; a special type named in an invasive clause gives its own code. With
    ``generic=False``, an invasive carcinoma of unnamed type ("carcinome infiltrant") is not
    taken for 8500/3.
    """
    m = _ICDO.search(t)
    if m and m.group(2) in "23":
        return f"{m.group(1)}/{m.group(2)}", m.start(), m.end()
    if not (_CARCINOMA.search(t) or _INVASIVE.search(t) or _LOBULAR.search(t)):
        return None
    insitu_only: tuple[int, int] | None = None
    for clause, start in _clauses(t):
        mention = _CARCINOMA.search(clause) or _INVASIVE.search(clause)
        if not mention:
            continue
        first = min(m.start() for m in (_CARCINOMA.search(clause), _INVASIVE.search(clause)) if m)
        # the negation may open the sentence before the clause ("pas de foyer infiltrant")
        lead = re.split(r"[.;\n]", t[max(0, start - 40) : start])[-1]
        if _NEGATED_LESION.search(lead + clause[:first]):
            continue
        is_insitu = bool(_INSITU.search(clause))
        is_invasive = bool(_INVASIVE.search(clause))
        lobular, ductal = _LOBULAR.search(clause), _DUCTAL.search(clause)
        if is_insitu and not is_invasive:
            if re.search(r"canalai|ductal|\bccis\b|\bdcis\b|intra\W?canal|intra\W?duct", clause):
                insitu_only = insitu_only or (start, start + len(clause))
            continue
        special = any(rx.search(clause) for _, rx in _TYPES)
        # "foyer infiltrant", "invasive component": invasion alone does not name a tumour
        if not (_CARCINOMA.search(clause) or lobular or ductal or special):
            continue
        if not is_invasive and not (lobular or ductal or special):
            continue
        span = (start, start + len(clause.rstrip()))
        for code, rx in _TYPES:
            if rx.search(clause):
                return code, *span
        if lobular and (ductal or _MIXED.search(clause)):
            return "8522/3", *span
        # "carcinome infiltrant de type mixte": mixed ductal and lobular
        if not lobular and re.search(r"(?:de type|type) mixte|\bmixed type\b", clause):
            return "8522/3", *span
        if lobular:
            return "8520/3", *span
        if ductal or (is_invasive and generic):
            return "8500/3", *span
    if insitu_only:
        # in situ carcinoma with micro-invasion is an invasive carcinoma (pT1mi)
        micro = re.search(r"micro\W?(?:invasi|infiltr)\w*", t)
        if micro:
            return "8500/3", micro.start(), micro.end()
        return "8500/2", *insitu_only
    return None


def _read_histology(var: Variable, t: str) -> Value:
    found = histology_in(t)
    return found[0] if found else None


# --- generic path --------------------------------------------------------------------------


_FORMS_CACHE: dict[int, tuple[Variable, list[_Form]]] = {}


@dataclass(frozen=True)
class _Form:
    text: str  # folded, punctuation turned into spaces
    code: str
    pattern: re.Pattern[str] | None  # None for forms made only of symbols ("+", "-")
    squashed: str  # without spaces, to survive broken words


def _forms(var: Variable) -> list[_Form]:
    """Every way of writing each value of ``var``, longest first (built once per variable)."""
    cached = _FORMS_CACHE.get(id(var))
    if cached is not None and cached[0] is var:
        return cached[1]
    pairs = set()
    for v in var.values:
        for text in (v.code, v.label.fr, v.label.en, *v.surface.fr, *v.surface.en):
            f = _spaced(fold(text)) or fold(text).strip()
            if f:
                pairs.add((f, v.code))
    result = [
        _Form(
            f,
            code,
            None
            if re.fullmatch(r"\W+", f)
            else re.compile(rf"(?<![0-9a-z]){re.escape(f)}(?![0-9a-z])"),
            squash(f),
        )
        for f, code in sorted(pairs, key=lambda x: (-len(x[0]), x[0]))
    ]
    _FORMS_CACHE[id(var)] = (var, result)
    return result


def _spaced(t: str) -> str:
    return re.sub(r"[^0-9a-z+%/<>]+", " ", t).strip()


def _generic_categorical(var: Variable, t: str) -> Value:
    t1 = _spaced(t) or t.strip()
    forms = _forms(var)
    for form in forms:
        if form.pattern is None:
            if t1 == form.text:
                return form.code
        elif form.pattern.search(t1):
            return form.code
    sq = re.sub(r"[^0-9a-z+]", "", t)
    for form in forms:
        if len(form.squashed) >= 6 and form.squashed in sq:
            return form.code
    return None


def _generic_number(var: Variable, t: str) -> Value:
    unit = (var.unit or "").lower()
    if unit in {"mm", "cm"}:
        found = sizes_mm(t)
        if found:
            return found[0][0] / _LEN_UNITS[unit]
    if unit == "%":
        pcts = percents(t)
        if pcts:
            return (pcts[0][1] + pcts[0][2]) / 2
    m = re.search(rf"(?<![\d.,])(-?{NUM})", t)
    if m:
        return to_float(m.group(1))
    if var.type == "integer":
        m = re.search(rf"\b{NUMBER_WORD}\b", t)
        if m:
            return count_value(m.group(0))
    return None


Reader = Callable[[Variable, str], Value]
_READERS: dict[str, Reader] = {
    "echantillon": _read_specimen,
    "diagnostic": _read_histology,
    "grade": _read_grade,
    "taille": _read_size,
    "marges_saines": _read_margins,
    "numero_gang_prel": _read_prel,
    "numero_gang_att": _read_att,
    "emboles": _read_emboles,
    "rupture_capsulaire": _read_rupture,
    "re": _read_receptor,
    "rp": _read_receptor,
    "her2": _read_her2,
    "ki67": _read_ki67,
}


def _direct(var: Variable, value: Any) -> tuple[bool, Value]:
    """Values that are already canonical (or plain numbers) need no reading."""
    if value is None:
        return True, None
    if isinstance(value, float) and math.isnan(value):
        return True, None
    if isinstance(value, bool):
        return False, None
    if isinstance(value, int | float) and var.type != "categorical":
        return True, var.canonical(value) if var.is_valid(value) else None
    if isinstance(value, str) and var.type == "categorical" and value in var.codes:
        return True, value
    return False, None


def normalize_value(var: Variable, text: Any, lang: Lang | None = None) -> Value:
    """The canonical value of ``var`` stated by ``text`` (a phrase or a cell), else ``None``.

    ``lang`` ("fr" / "en") is a hint only: both languages are understood either way. Never
    raises on arbitrary text; returns ``None`` when the text is empty, unclear, hedged
    ("suspicion d'emboles") or out of the variable's range.
    """
    done, value = _direct(var, text)
    if done:
        return value
    raw = str(text).strip()
    if not raw or len(raw) > 20000:
        return None
    return normalize_folded(var, repair_breaks(fold(raw)))


def normalize_folded(var: Variable, t: str) -> Value:
    """:func:`normalize_value` for text already folded (the rules extractor folds once)."""
    if len(t) < 30 and NOT_DONE.search(t):  # a cell or an answer: "unknown", "non précisé"
        return None
    candidates: list[Value] = []
    reader = _READERS.get(var.key)
    if reader is not None:
        candidates.append(reader(var, t))
    hedged = reader is not None and bool(UNCERTAIN.search(t) or NOT_DONE.search(t))
    if var.type == "categorical" and not hedged:
        # a phrase naming several markers: only the part about this one may match forms
        part = focus_marker(var.key, t) if var.key in MARKERS else t
        if part is not None:
            candidates.append(_generic_categorical(var, part))
    elif reader is None:
        candidates.append(_generic_number(var, t))
    for value in candidates:
        if value is not None and var.is_valid(value):
            return var.canonical(value)
    return None


@dataclass(frozen=True)
class Change:
    """One value rewritten by :func:`normalize_record` (``after`` is ``None`` when unreadable)."""

    key: str
    before: Any
    after: Value


def normalize_record(
    schema: Schema, values: Mapping[str, Any], lang: Lang | None = None
) -> tuple[dict[str, Value], list[Change]]:
    """Canonical values for one record, and the list of values that had to be rewritten.

    Keys not in the schema are kept as they are (validation reports them). A value that
    cannot be read is kept unchanged, so validation can point at it, and listed as a change
    with ``after=None``.
    """
    out: dict[str, Value] = {}
    changes: list[Change] = []
    for key, before in values.items():
        if key not in schema:
            out[key] = before
            continue
        var = schema[key]
        if isinstance(before, str) and not before.strip():
            out[key] = None
            continue
        done, direct = _direct(var, before)
        if done:
            if direct is None and before is not None and not _is_nan(before):
                out[key] = before
                changes.append(Change(key, before, None))
            else:
                out[key] = direct
            continue
        after = normalize_value(var, before, lang)
        if after is None:
            out[key] = before
            changes.append(Change(key, before, None))
        else:
            out[key] = after
            if after != before:
                changes.append(Change(key, before, after))
    return out, changes


def _is_nan(value: Any) -> bool:
    return isinstance(value, float) and math.isnan(value)
