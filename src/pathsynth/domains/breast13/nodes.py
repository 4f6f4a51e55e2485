"""Lymph nodes: how many were examined (``numero_gang_prel``) and how many hold a metastasis
(``numero_gang_att``), over all node specimens of the report.

Counts are read from fractions ("2/14", "0 sur 3", "ONE OF TWENTY-THREE"), labels ("nodes
examined: 12") and phrases ("12 ganglions dont 2 métastatiques"); isolated tumour cells alone do
not count; per-specimen counts add up unless a total is stated.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from pathsynth.extraction.findings import Document, Span
from pathsynth.schema import Value, Variable
from pathsynth.schema.readers import register_reader
from pathsynth.text import NUMBER_WORD, count_value
from pathsynth.text.sections import Statement

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


@register_reader("nodes_examined")
def read_examined(var: Variable, t: str) -> Value:
    """The number of nodes examined a phrase states."""
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


@register_reader("nodes_positive")
def read_positive(var: Variable, t: str) -> Value:
    """The number of nodes with a metastasis a phrase states."""
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


_NODE_CUE = re.compile(
    r"ganglion\w*|\bnodes?\b|\bnodal\b|(?:macro|micro)\W?metasta\w*|\bgg\b|\bgs\d*\b|\bslnb?\b|\balnd\b|\d\s*n\s*\+|\bn\s*\+|\bp?n[0-3][abc]?\b|curage|sentinel\w*|"
    r"\blns?\b|lymph|axillai\w*|axillary"
)


# a statement of the total count, which is not to be added to per-specimen counts
_TOTAL = re.compile(
    r"\bau total\b|\btotal\b|\bsoit\b|\bin total\b|\boverall\b|\bsummary\b|\bsynthese\b|"
    r"\ben tout\b|\bin all\b|statut ganglionnaire|(?:lymph )?node status|nodal status|"
    r"\bp?n[0-3][a-z]*(?:\s*\((?:i|sn|mol)[+-]?\))?\s*\(\s*\d+\s*(?:n\s*\+?\s*)?/"
)


_ITC = re.compile(r"cellules tumorales isolees|isolated tumou?r cells|\bitc\b|\(i\+\)")


_ALL_FREE = re.compile(
    r"indemnes?|sains?|negati\w*|non metasta\w*|free of|benign|reactionn\w*|"
    r"sans (?:metasta|envahissement)|without metasta|no metasta\w*|no (?:tumou?r|carcinoma)"
)


_ENE_COUNT = re.compile(
    r"(?:rupture|effraction|extension|\bene\b|\bece\b|extracapsul\w*)\s+(?:[\w'-]+\s+){0,3}?"
    r"(?:sur|dans|in|on|of|de)\s+(?:\d+|un|une|deux|trois|one|two|three)\s+"
    r"(?:des\s+|of\s+the\s+)?(?:ganglions?|nodes?|lymph nodes?)"
)


@dataclass(frozen=True)
class _NodeCount:
    examined: int | None
    affected: int | None
    total: bool
    span: Span
    kind: int


def statement_count(doc: Document, s: Statement) -> _NodeCount | None:
    """The one node count a statement gives, read with the phrase readers."""
    t = s.text
    # "Total : sans métastase (0/4)" names no node but counts them
    if not _NODE_CUE.search(t) and not (_TOTAL.search(t) and re.search(r"metasta", t)):
        return None
    if re.search(
        r"\b(?:non|not|pas|aucun|no)\s+(?:\w+\s+){0,2}?(?:preleve|examine|submitted|recu|received|"
        r"prelevement ganglionnaire)|pas de prelevement ganglionnaire",
        t,
    ):
        return None
    total_cue = _TOTAL.search(t)
    total = bool(total_cue)
    # "0/2 (GS) + 3/11 (curage), soit 3N+/13": the ratio after the total cue is the total
    ratio = (node_ratio(t[total_cue.start() :]) if total_cue else None) or node_ratio(t)
    # "rupture capsulaire sur 3 ganglions" counts nodes with extension, not examined ones
    if not ratio and _ENE_COUNT.search(t):
        return None
    if ratio:
        with_itc = _ITC.search(t) and not re.search(r"macro|micro|metasta\w* (?!\w*isol)", t)
        return _NodeCount(ratio[1], 0 if with_itc else ratio[0], total, (s.start, s.end), s.kind)
    read_examined = doc.read("numero_gang_prel", t)
    read_affected = doc.read("numero_gang_att", t)
    examined = read_examined if isinstance(read_examined, int) else None
    affected = read_affected if isinstance(read_affected, int) else None
    if examined is None and affected is None:
        return None
    if not _NODE_CUE.search(t):
        return None
    itc_only = not re.search(r"macro|micrometa|micro-meta|metastases? (?:de|of) \d", t)
    if _ITC.search(t) and affected and itc_only:
        affected = 0
    # an explicit count of examined nodes that are all free of tumour
    if affected is None and examined is not None and _ALL_FREE.search(t):
        affected = 0
    return _NodeCount(examined, affected, total, (s.start, s.end), s.kind)
