"""Immunohistochemistry markers: oestrogen and progesterone receptors (``re``, ``rp``), HER2
(``her2``) and Ki-67 (``ki67``).

A receptor is positive from 1 % of stained cells (or an Allred score of 3); HER2 is positive at
IHC 3+ or when amplified (ISH ratio ≥ 2), negative at 0 / 1+ or 2+ not amplified, and unknown at
2+ without an ISH result. When one phrase names several markers, each reads only its own part.
"""

from __future__ import annotations

import re

from pathsynth.domains.breast13.context import PRIOR
from pathsynth.extraction.findings import Document, Finder, Finding, best
from pathsynth.schema import Value, Variable
from pathsynth.schema.readers import read_forms, register_reader
from pathsynth.text import NOT_DONE, NUM, UNCERTAIN, to_float
from pathsynth.text.sections import Statement
from pathsynth.text.units import percents

MARKERS = {
    "re": (
        r"(?:\br[eo]\b(?!-[a-z])|\ber\b|\bre\s*[+-](?![a-z])|\ber\s*[+-]|o?estrog\w*|"
        r"recepteurs? (?:aux |a l')?o?estrog\w*|\b(?:oe|e)s+tro\w*|\boe?s*tro?gen\w*)"
    ),
    "rp": r"(?:\brp\b|\bpr\b|\bpgr\d*\b|\brp\s*[+-]|\bpr\s*[+-]|progest\w*)",
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


@register_reader("receptor_status", forms_fallback=False)
def read_receptor(var: Variable, t: str) -> Value:
    """``positive`` / ``negative`` for the receptor a phrase is about."""
    return _read_receptor(var, t) or _forms_of_own_part(var, t)


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


@register_reader("her2_status", forms_fallback=False)
def read_her2(var: Variable, t: str) -> Value:
    """HER2 ``positive`` / ``negative`` from IHC and ISH results; 2+ alone is unknown."""
    found = _read_her2(var, t)
    if found == _EQUIVOCAL_RESULT:
        return None  # 2+ without an ISH result: not "overexpression" = positive
    return found or _forms_of_own_part(var, t)


_EQUIVOCAL_RESULT = "equivocal"


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
        return _EQUIVOCAL_RESULT
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


_BARE = re.compile(rf"^\s*[<>~=]?\s*({NUM})\s*$")
_KI67_KEY = re.compile(
    r"(?:ki\W{0,2}67|mib\W?1|index de proliferation|indice de proliferation|proliferation index)"
)


@register_reader("ki67_percent")
def read_ki67(var: Variable, t: str) -> Value:
    """The Ki-67 index in percent."""
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


# A scoring legend printed with a result says nothing of this tumour ("0 and 1+: negative;
# 2+: equivocal; 3+: positive", "Allred 0-2 negative, 3-8 positive").
_LEGEND = re.compile(
    r"(?:score\s*)?(?:0|1\+?)[^.;]{0,25}?negati\w*[^.]{0,60}?2\+[^.;]{0,25}?(?:equivo|douteu|"
    r"borderline|limite)\w*[^.]{0,60}?3\+[^.;]{0,25}?positi\w*|"
    r"(?:allred|score)[^.;]{0,20}?\b0\s*-\s*2\b[^.;]{0,20}?negati\w*[^.;]{0,30}?3\s*-\s*8\b[^.;]{0,20}?"
    r"positi\w*|(?:<|less than|inferieur a)\s*1\s*%[^.;]{0,15}negati\w*[^.;]{0,30}?"
    r"(?:>=?|greater than|superieur a)?\s*1\s*%[^.;]{0,15}positi\w*|"
    # ISH thresholds: "amplified HER-2/neu levels: > 2.20", "equivocal ...: 1.80 - 2.20"
    r"(?:normal|amplified|equivocal|non-?amplified|amplifie|non amplifie)[^.;:]{0,30}?"
    r"(?:levels?|ratio|rapport)\W{0,4}(?:[<>]|\d[.,]\d+\s*-\s*\d)[^.;]{0,12}"
)
# "negative for ER and PR", "positifs pour RE et RP": one status for both receptors
_BOTH = re.compile(
    r"(positi\w*|negati\w*)\s+(?:for|pour)\s+(?:both\s+)?(?:the\s+)?"
    r"(?:er|re|estrogen\w*|oestrogen\w*|estrogen receptor)\s*(?:,|and|et|&)\s*(?:the\s+)?"
    r"(?:pr|rp|pgr|progesteron\w*)"
)
_NAME_ONLY = re.compile(r"^\W*(?:[a-z-]+\W+){0,4}\W*$")


def marker_texts(doc: Document, key: str) -> list[tuple[Statement, str]]:
    """Each statement naming the marker, with what to read: the statement, or for a table
    flattened into one cell a statement ("Estrogen Receptor. Positive. 100 %.") the name and
    the cells after it, up to the next marker's name."""
    memo = ("marker_texts", key)
    if memo in doc.cache:
        return doc.cache[memo]  # type: ignore[return-value]
    rx = _MARKER_RE[key]
    stmts = doc.readable
    out = []
    for i, s in enumerate(stmts):
        if not rx.search(s.text):
            continue
        text = _LEGEND.sub(" ", s.text)
        if _NAME_ONLY.match(text) and len(text) < 60:
            cells = []
            for nxt in stmts[i + 1 : i + 5]:
                if any(r.search(nxt.text) for r in _MARKER_RE.values()) or len(nxt.text) > 60:
                    break
                cells.append(nxt.text)
            text = " ".join([text, *cells])
        out.append((s, text))
    doc.cache[memo] = out
    return out


def read_marker(doc: Document, key: str, text: str) -> Value:
    """The value of marker ``key`` that ``text`` (a statement or a table row) states."""
    value = doc.read(key, text)
    if value is None and key in ("re", "rp"):
        both = _BOTH.search(text)
        if both:
            value = "positive" if both.group(1).startswith("positi") else "negative"
    return value


def marker_finder(key: str) -> Finder:
    """A document finder of one marker's status. A result reported from an earlier biopsy of
    the same tumour counts when the report gives no result of its own."""

    def read(doc: Document) -> list[Finding]:
        own: list[Finding] = []
        prior: list[Finding] = []
        for s, text in marker_texts(doc, key):
            value = read_marker(doc, key, text)
            if value is None:
                continue
            # the evidence is the part of the statement about this marker
            a, b = marker_span(key, s.text) or (0, len(s.text))
            found = Finding(value, (s.start + a, s.start + b), s.kind)
            is_prior = PRIOR.search(text)
            (prior if is_prior else own).append(found)
        out = own or prior
        if not out and key in ("re", "rp", "her2"):
            # "triple négatif"; for the receptors also "récepteurs hormonaux négatifs"
            pattern = r"triple\W?negati\w*"
            if key != "her2":
                pattern += r"|" + _HORMONE_NEGATIVE
            for s in doc.readable:
                m = re.search(pattern, s.text)
                if m:
                    out.append(
                        Finding("negative", (s.start + m.start(), s.start + m.end()), s.kind)
                    )
        return best(out)[:1]

    return read


_ISH_CUE = re.compile(r"\b(?:fish|sish|cish|ddish|ish|hybridation|hybridization)\b|amplifi")
_HORMONE_NEGATIVE = (
    r"(?:recepteurs hormonaux|\brh\b|hormone receptors?|hormonal receptors?)\s*:?\s*"
    r"(?:sont\s+|are\s+)?(?:negati\w*|neg\b|-(?!\w))"
)


def find_her2(doc: Document) -> list[Finding]:
    """HER2 status, with a 2+ settled by an ISH result stated apart."""
    found = _find_her2_status(doc)
    if found:
        return found
    # "HER2 2+ (équivoque)" then a separate ISH statement settles it
    equivocal = []
    for s in doc.readable:
        m = _MARKER_RE["her2"].search(s.text)
        if m and her2_ihc(s.text[m.end() :]) == 2:
            equivocal.append(Finding(None, (s.start, s.end), s.kind))
    if not equivocal:
        return []
    out = []
    for s in doc.readable:
        if _ISH_CUE.search(s.text) and not _MARKER_RE["re"].search(s.text):
            value = doc.read("her2", "her2 " + s.text)
            if value is not None:
                out.append(Finding(value, (s.start, s.end), s.kind))
    top = best(out)[:1]
    # the evidence is the IHC statement and the ISH statement that settles it
    return top + [Finding(top[0].value, f.span, f.kind) for f in equivocal[:1]] if top else []


_find_her2_status = marker_finder("her2")
find_re = marker_finder("re")
find_rp = marker_finder("rp")
find_ki67 = marker_finder("ki67")


def _forms_of_own_part(var: Variable, t: str) -> Value:
    """The surface forms of ``var`` read in the part of ``t`` about this marker, unless hedged."""
    if UNCERTAIN.search(t) or NOT_DONE.search(t):
        return None
    part = focus_marker(var.key, t) if var.key in MARKERS else t
    return read_forms(var, part) if part is not None else None
