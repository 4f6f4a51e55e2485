"""The morphology (``diagnostic``): the ICD-O-3 code of the main tumour.

Invasive carcinoma outranks carcinoma in situ; ductal and lobular named together give mixed
(8522/3); a special type named in an invasive clause gives its own code; any well-formed ICD-O-3
morphology code written in the report is taken as it is.
"""

from __future__ import annotations

import re
from functools import lru_cache

from pathsynth.domains.breast13.context import PRIOR
from pathsynth.extraction.findings import CONCLUSION, Document, Finding, best
from pathsynth.schema import Value, Variable
from pathsynth.schema.readers import register_reader

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


@lru_cache(maxsize=8192)
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


@register_reader("icdo_morphology")
def read_histology(var: Variable, t: str) -> Value:
    """The ICD-O-3 morphology a phrase names."""
    found = histology_in(t)
    return found[0] if found else None


def find_histology(doc: Document) -> list[Finding]:
    """The main tumour's morphology."""
    # a named type anywhere beats "invasive carcinoma" of unnamed type (synoptic titles),
    # which still beats carcinoma in situ
    named = _histology_pass(doc, generic=False)
    if named and named[0].value != "8500/2":
        return named
    generic = _histology_pass(doc, generic=True)
    if generic and generic[0].value != "8500/2":
        return generic
    return named or generic


def _histology_pass(doc: Document, *, generic: bool) -> list[Finding]:
    out = []
    for s in doc.readable:
        if PRIOR.search(s.text) and s.kind != CONCLUSION:
            continue
        # "INVASIVE CARCINOMA OF THE BREAST: SYNOPTIC SUMMARY" is a form's title
        if generic and re.search(r"synoptic|checklist|protocol|template|summary", s.text):
            continue
        found = histology_in(s.text, generic=generic)
        if found:
            code, a, b = found
            out.append(Finding(code, (s.start + a, s.start + b), s.kind))
    top = best(out)
    invasive = [f for f in top if f.value != "8500/2"]
    if invasive:
        return invasive[:1]
    # in situ carcinoma with a focus of micro-invasion stated apart is invasive (pT1mi)
    for s in doc.readable:
        micro = re.search(r"micro\W?(?:invasi|infiltr)\w*", s.text)
        if (
            micro
            and top
            and not re.search(
                r"\b(?:pas|absence|sans|no|not|without|ni)\b(?:\W+\w+){0,3}\W*$",
                s.text[: micro.start()],
            )
        ):
            return [Finding("8500/3", (s.start + micro.start(), s.start + micro.end()), s.kind)]
    # an invasive carcinoma named anywhere outranks in situ named in the best section
    anywhere = [f for f in out if f.value != "8500/2"]
    if anywhere:
        return sorted(anywhere, key=lambda f: f.kind)[:1]
    return top[:1]
