"""Lymph-node counts of a whole report: every count mention, then one total.

A report states node counts many times: per part of the final diagnosis ("A. Sentinel lymph
node #1: one lymph node, no tumor present (0/1)"), again in the microscopy, the frozen section,
the comment and a synoptic summary ("Total number of lymph nodes examined: 18", "Number of lymph
nodes with macrometastases: 5"), sometimes with a total ("overall, 21/24"). This module reads
each mention (:func:`mentions`) and settles one count (:func:`settle`): a stated total wins;
otherwise each part's count is taken once, from the best section that states it, and the parts
add up; a report without parts adds its distinct node groups.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from pathsynth.extraction.findings import (
    CLINICAL,
    FROZEN,
    GROSS,
    SYNOPTIC,
    Document,
    Finding,
    Span,
)
from pathsynth.text import NUMBER_WORD, count_value
from pathsynth.text.sections import Statement

_N = rf"(\d+|{NUMBER_WORD})"
_NODE = r"(?:lymph\s*nodes?|lymphnodes?|nodes?|ganglions?|\bgg\b|\bln\b|\blns\b|\bslns?\b)"
# up to five words between a count and the node noun ("three left axillary sentinel lymph nodes"),
# but not "three other regions of the lymph node"
_FILLER = (
    r"(?:(?!(?:of|in|from|per|with|regions?|areas?|sections?|levels?|foci|fragments?|pieces?|"
    r"slides?|blocks?|des|du|de|sur|x|cm|mm)\b)(?:[a-z'/#-]+\.?\s+|\([a-z]+\)\s+)){0,5}?"
)

_NEG = re.compile(
    r"negati\w*|no (?:\w+ ){0,2}(?:tumou?r|malignan\w*|carcinoma|metasta\w*|evidence|cancer)|"
    r"benign|free of|without (?:\w+ )?(?:tumou?r|metasta\w*|carcinoma)|indemnes?|sains?|"
    r"non metasta\w*|sans (?:metasta|envahissement|tumeur)|no tumou?r|reactive"
)
_POS = re.compile(
    r"positi\w*|metasta\w*|involv\w*|envahi\w*|atteints?|carcinoma|tumou?r deposit|"
    r"micrometasta\w*|macrometasta\w*"
)
_ITC = re.compile(
    r"isolated tumou?r cells?|\bitcs?\b|\(i\+\)|cellules tumorales isolees|single (?:\w+ )?cells?"
    r"(?: \w+)? (?:suspicious|positive)"
)
_FRACTION = re.compile(
    rf"(?<![\d/.,])\(?\s*{_N}\s*(?:\(\s*)?(?:n?\s*\+\s*)?(?:/|\bof\b|\bout of\b|\bsur\b|\bparmi\b)"
    rf"\s*{_N}(?!\s*[/%])(?![\d.,]\d)\s*\)?"
)
# "1 ganglion métastatique sur 2", "two lymph nodes positive out of 14"
_LONG_FRACTION = re.compile(
    rf"(?<![\w/.,]){_N}\s+((?:[a-z'-]+\s+){{1,4}}?)(?:sur|of|out of|parmi)\s+{_N}\b(?!\s*[/%])"
)
_SINGLE_OF = re.compile(rf"\b(?:a |one )?single\.?\s*\(\s*of\s+{_N}\s*\)|^\(\s*of\s+{_N}\s*\)")
_GROUP = re.compile(
    rf"(?:\b(?:multiple|several)\s*\(\s*{_N}\s*\)|\b(?:a\s+)?(single)\b|(?<![\w/.,-]){_N}\b)"
    rf"\s*{_FILLER}{_NODE}"
)
_NO_NODE = re.compile(
    r"no (?:lymph node|lymphoid tissue|node)s? (?:\w+ )?(?:seen|identified|found|present)|"
    r"no lymphoid tissue|aucun ganglion (?:n'a ete )?(?:retrouve|identifie|isole)"
)
_TOTAL_EXAMINED = re.compile(
    r"total (?:number of )?(?:lymph )?nodes?(?: examined| retrieved| removed)?[^:]{0,40}?[:=-]\s*"
    rf"{_N}\b|(?:nombre|nb) total de ganglions[^:]{{0,30}}[:=-]\s*{_N}\b"
)
_SUB_EXAMINED = re.compile(r"number of (?:sentinel|non-?sentinel) (?:lymph )?nodes")
_LABEL_EXAMINED = re.compile(
    r"(?:number of (?:lymph )?nodes (?:examined|retrieved)|(?:lymph )?nodes (?:examined|retrieved)"
    rf"|ganglions? (?:preleves|examines|analyses))[^:]{{0,30}}?\s*[:=-]\s*{_N}\b(?!\s*/)"
)
_LABEL_MACRO = re.compile(
    rf"(?:number (?:of (?:lymph )?nodes )?with )?macro\W?metasta\w*[^:]{{0,40}}:?\s*{_N}\b"
)
_LABEL_MICRO = re.compile(
    rf"(?:number (?:of (?:lymph )?nodes )?with )?micro\W?metasta\w*[^:]{{0,60}}:\s*{_N}\b"
)
_LABEL_POSITIVE = re.compile(
    r"(?:total number (?:of (?:lymph )?nodes )?with metasta\w*|number of (?:positive|involved|"
    r"metastatic) (?:lymph )?nodes|(?:lymph )?nodes? (?:positive|involved)|"
    r"ganglions? (?:metastatiques|envahis|atteints|positifs))"
    rf"[^:]{{0,50}}?\s*[:=-]\s*{_N}\b(?!\s*/)"
)
# "12 ganglions, dont 2 métastatiques", "2 examined, 0 metastatic", "three nodes; none positive"
_AMONG = re.compile(
    rf"[^.;]{{0,40}}?(?:dont|including|of which|among which|,|;|-)\s*(?:{_N}|(none|aucun\w*|no))\s+"
    r"(?:\w+\s+){0,2}?(?:(?:micro|macro)?\W?metasta\w*|positi\w*|envahi\w*|atteints?|involved|"
    r"n\s*\+|posit\w*)"
)
_TOTAL_CUE = re.compile(
    r"\boverall\b|\bin total\b|\btotal\b|\bau total\b|\bsoit\b|\bin all\b|\ben tout\b|"
    r"\bcombined\b|\bin combination\b|\bcumulative\b|\bsummary\b"
)
_REMAINING = re.compile(r"\b(?:remaining|other|autres?|restants?)\s+(?:\d+|" + NUMBER_WORD + ")")
_NOT_A_COUNT = re.compile(
    r"allred|score|ratio|cep17|copies|her\W?2|\bpt\d|x\s*\d|grade|\d\s*(?:mm|cm)|block|"
    r"cassette|levels?\b|slides?|o'clock|\bh\b|\bheures?\b|page"
)
_CUE = re.compile(
    r"lymph|\bnodes?\b|ganglion|\bgg\b|\bsln|axill\w*|sentinel|curage|\bgs\b|\bca\s*:\s*\d"
)


@dataclass(frozen=True)
class Count:
    """One node count a statement gives: examined and affected (``None`` when not said)."""

    examined: int | None
    affected: int | None
    #: "total": the report's total; "part": one specimen's count; "label": a synoptic count of
    #: one category ("with macrometastases: 5"), added to the other labels; "sub": a subset
    #: ("the remaining 11"), never added
    role: str
    statement: Statement
    span: Span
    #: the part of the report counted: the statement's, or the one it names ("in part D")
    part: str = ""
    #: how it was written: "fraction" (2/14), "group" (three lymph nodes, negative), "label"
    form: str = "fraction"

    @property
    def kind(self) -> int:
        return self.statement.kind


def _n(token: str | None) -> int | None:
    return None if token is None else count_value(token)


def _clause_start(t: str, start: int) -> int:
    return max(t.rfind(";", 0, start), t.rfind(" - ", 0, start)) + 1


def _clause(t: str, start: int, end: int) -> str:
    """The clause around ``t[start:end]``, stopped at semicolons and dashes between items."""
    a = max(t.rfind(";", 0, start), t.rfind(" - ", 0, start))
    b_candidates = [i for i in (t.find(";", end), t.find(" - ", end)) if i >= 0]
    b = min(b_candidates) if b_candidates else len(t)
    return t[a + 1 : b]


_PART_REF = re.compile(
    r"\b(?:as per |see |in |from )?parts?\s+([a-l])\b(?!\s*(?:,|&|and|-)\s*[a-l]\b)"
)


def _local(c: Count, s: Statement) -> tuple[int, int]:
    return c.span[0] - s.start, c.span[1] - s.start


def _polarity(clause: str) -> int | None:
    """Affected nodes a phrase implies for its group: 0 (negative / ITC only), ``None`` (all
    involved is only said with an explicit count), or -1 when it says they are positive."""
    if _ITC.search(clause) and not re.search(r"micro\W?metasta|macro\W?metasta", clause):
        return 0
    if _NEG.search(clause):
        return 0
    if _POS.search(clause):
        return -1
    return None


def mentions(s: Statement) -> list[Count]:
    """The node counts statement ``s`` gives (several groups, a total, synoptic labels)."""
    t = s.text
    if not _CUE.search(t) and not re.search(r"metasta|\bpn\d|\btotal\b.{0,12}\d\s*\+?\s*/", t):
        return []
    out: list[Count] = []
    taken: list[tuple[int, int]] = []

    def add(
        examined: int | None, affected: int | None, role: str, a: int, b: int, form: str
    ) -> None:
        if examined is not None and affected is not None and affected > examined:
            return
        # one group said twice in a statement ("fourteen nodes, negative (0/14)"): once
        for c in out:
            if c.examined == examined and c.affected in (affected, None) and examined is not None:
                return
        # "1/23 (sentinel 1/3; dissection 0/20)": a breakdown in brackets after a count
        if out and t.count("(", 0, a) > t.count(")", 0, a) and role == "part":
            role = "sub"
        taken.append((a, b))
        # a count in a synoptic summary is the report's total ("Axillary lymph nodes: 13/15")
        if s.kind == SYNOPTIC and role == "part" and examined is not None:
            role = "total"
        ref = _PART_REF.search(_clause(t, a, b))
        part = ref.group(1) if ref else s.part
        out.append(Count(examined, affected, role, s, (s.start + a, s.start + b), part, form))

    def free(a: int, b: int) -> bool:
        return not any(a < e and s_ < b for s_, e in taken)

    # synoptic labels first: they say exactly what they count
    for rx, role in ((_TOTAL_EXAMINED, "total"), (_LABEL_EXAMINED, "part")):
        for m in rx.finditer(t):
            if free(m.start(), m.end()) and not _SUB_EXAMINED.search(t[: m.end()][-80:]):
                value = _n(m.group(1) or m.group(m.lastindex or 1))
                add(value, None, role, m.start(), m.end(), "label")
    macro = [(m, _n(m.group(1))) for m in _LABEL_MACRO.finditer(t) if ":" in m.group(0)]
    micro = [(m, _n(m.group(1))) for m in _LABEL_MICRO.finditer(t)]
    for m, value in macro + micro:
        if free(m.start(), m.end()):
            add(None, value, "label", m.start(), m.end(), "label")
    for m in _LABEL_POSITIVE.finditer(t):
        if free(m.start(), m.end()):
            role = "total" if re.search(r"total", m.group(0)) else "label"
            add(None, _n(m.group(1)), role, m.start(), m.end(), "label")
    if out:
        return out
    total = _TOTAL_CUE.search(t)
    # fractions: "(0/3)", "two of two (2/2)", "ONE OF TWENTY-THREE", "four (out of fourteen)"
    long_ones = [
        m
        for m in _LONG_FRACTION.finditer(t)
        if _CUE.search(m.group(2))
        and re.search(r"metasta|positi|envahi|atteint|involv", m.group(2))
    ]
    for m in [*_FRACTION.finditer(t), *long_ones]:
        a, b = _n(m.group(1)), _n(m.group(m.lastindex or 2))
        if a is None or b is None or a > b or b > 99:
            continue
        near = t[max(0, m.start() - 30) : m.end() + 40]
        if _NOT_A_COUNT.search(t[max(0, m.start() - 12) : m.start()]) or re.match(
            r"\s*(?:mm|cm|%)", t[m.end() :]
        ):
            continue
        if not (_CUE.search(near) or re.search(r"metasta|\bn\s*\+|positi|negati|total", near)):
            continue
        if not free(m.start(), m.end()):
            continue
        clause = _clause(t, m.start(), m.end())
        if _ITC.search(clause) and not re.search(r"micro\W?metasta|macro\W?metasta", clause):
            a = 0
        role = "total" if total and total.start() < m.start() else "part"
        add(b, a, role, m.start(), m.end(), "fraction")
    for m in _SINGLE_OF.finditer(t):
        b = _n(m.group(1) or m.group(2))
        if b is not None and free(m.start(), m.end()):
            pol = _polarity(_clause(t, m.start(), m.end() + 80))
            affected = 1 if pol == -1 else 0 if pol == 0 else None
            add(b, affected, "part", m.start(), m.end(), "fraction")
    # groups of nodes: "one lymph node, no tumor present", "multiple (22) ... are negative"
    for m in _GROUP.finditer(t):
        if not free(m.start(), m.end()):
            continue
        token = next((g for g in m.groups() if g is not None), None)
        n = 1 if token == "single" else _n(token)
        if n is None or n > 99 or n == 0:
            continue
        before = t[max(0, m.start() - 25) : m.start()]
        if re.search(r"(?:#|\bno\.?|number|\blevels?|n°)\s*$", before):
            continue  # "sentinel lymph node #2", "level 2 nodes"
        # "fourteen candidate lymph nodes", "two palpable nodes": what the gross saw
        if re.search(r"candidate|possible|presum\w*|palpable|grossly|probable", m.group(0)):
            continue
        role = "sub" if _REMAINING.search(t[max(0, m.start() - 12) : m.end()]) else "part"
        # "0/2 (one node with isolated tumour cells)": a detail of the count beside it
        if any(c.form == "fraction" for c in out) and (
            t.count("(", 0, m.start()) > t.count(")", 0, m.start())
            or any(
                c.form == "fraction"
                for c in out
                if _clause(t, *_local(c, s)) == _clause(t, m.start(), m.end())
            )
        ):
            continue
        among = _AMONG.match(t, m.end())
        if among:
            k = 0 if among.group(2) else _n(among.group(1))
            add(n, k, role, m.start(), among.end(), "group")
            continue
        # what is said of the group, not of a label before it ("nodes (positive/total): ...")
        said = _clause(t, m.start(), m.end())[m.start() - _clause_start(t, m.start()) :]
        pol = _polarity(said)
        if pol is None:
            continue  # "a single lymph node is identified": gross, not a result
        add(n, n if pol == -1 else 0, role, m.start(), m.end(), "group")
    none_seen = _NO_NODE.search(t) if not out else None
    if none_seen is not None:
        add(0, 0, "part", none_seen.start(), none_seen.end(), "group")
    return out


def _best_kind(counts: Iterable[Count]) -> list[Count]:
    """Counts of the best section kind present, the gross description and frozen sections
    only when nothing else counts."""
    pool = list(counts)
    good = [c for c in pool if c.kind not in (GROSS, FROZEN, CLINICAL)]
    pool = good or pool
    if not pool:
        return []
    top = min(c.kind for c in pool)
    return [c for c in pool if c.kind == top]


def _sum(counts: list[Count], field: str) -> int | None:
    """The parts' counts added; a group that repeats another of its part counts once."""
    seen: set[tuple[str, int | None, int | None]] = set()
    total = 0
    got = False
    for c in counts:
        value = getattr(c, field)
        if value is None or c.role == "sub":
            continue
        # a part's count said twice counts once
        key = (c.part, c.examined, c.affected)
        if c.part and key in seen:
            continue
        seen.add(key)
        total += value
        got = True
    return total if got else None


def _part_counts(counts: list[Count]) -> list[Count]:
    """One part's counts: its fractions when it gives any ("8/17" says it all; "in one lymph
    node, the focus measures 0.2 mm" is a detail), else its node groups."""
    fractions = [c for c in counts if c.form == "fraction"]
    return fractions or counts


def settle(counts: list[Count], field: str) -> tuple[int | None, list[Count]]:
    """One count (``examined`` or ``affected``) for the report, and the mentions behind it."""
    stated = [c for c in counts if getattr(c, field) is not None]
    if not stated:
        return None, []
    totals = [c for c in stated if c.role == "total" and c.kind not in (GROSS, FROZEN)]
    if totals:
        # the largest count of the best section: a total is never below its parts
        top = min(c.kind for c in totals)
        best = max(
            (c for c in totals if c.kind == top), key=lambda c: (c.examined or 0, -c.span[0])
        )
        return getattr(best, field), [best]
    if field == "affected":
        # a synoptic summary's macro- and micrometastasis counts add up, for the whole report
        labels = [c for c in stated if c.role == "label" and c.kind not in (GROSS, FROZEN)]
        if labels:
            top = min(c.kind for c in labels)
            chosen = [c for c in labels if c.kind == top]
            return sum(getattr(c, field) for c in chosen), chosen
    if field == "examined":
        labels = [c for c in stated if c.affected is None and c.role == "part" and c.kind < GROSS]
        if labels and not any(c.part for c in stated):
            best = min(labels, key=lambda c: c.kind)
            return best.examined, [best]
    parted = [c for c in stated if c.part]
    if parted:
        # each part's count from the best section stating that part, the parts added
        by_part: dict[str, list[Count]] = {}
        for c in parted:
            by_part.setdefault(c.part, []).append(c)
        chosen = [c for part in by_part.values() for c in _part_counts(_best_kind(part))]
        return _sum(chosen, field), chosen
    chosen = _best_kind(stated)
    return _sum(chosen, field), chosen


def _statement_counts(doc: Document, s: Statement) -> list[Count]:
    found = mentions(s)
    if found or len(s.text) > 250 or re.search(r"number of|total", s.text):
        return found
    if not _CUE.search(s.text):
        return []
    # the phrase readers know the French and telegraphic forms ("18 ganglions dont 2 N+")
    from pathsynth.domains.breast13.nodes import statement_count

    old = statement_count(doc, s)
    if old is None:
        return []
    if old.examined is None and old.total:
        return []
    role = "total" if old.total or s.kind == SYNOPTIC else "part"
    return [Count(old.examined, old.affected, role, s, old.span, s.part, "legacy")]


def report_counts(doc: Document) -> list[Count]:
    """Every node count mention of the report (the clinical history left out)."""
    memo = "node_counts"
    if memo not in doc.cache:
        doc.cache[memo] = [c for s in doc.readable for c in _statement_counts(doc, s)]
    return doc.cache[memo]  # type: ignore[return-value]


def hypotheses(counts: list[Count], field: str) -> dict[int, tuple[list[str], list[Count]]]:
    """The report-level counts that several ways of settling the mentions give, each with the
    names of the ways that give it and the mentions behind it: what the student chooses from
    (``settle`` is the rules extractor's way)."""
    out: dict[int, tuple[list[str], list[Count]]] = {}

    def put(name: str, value: int | None, behind: list[Count]) -> None:
        if value is None:
            return
        names, evidence = out.setdefault(value, ([], []))
        names.append(name)
        evidence.extend(c for c in behind if c not in evidence)

    stated = [c for c in counts if getattr(c, field) is not None]
    if not stated:
        return out
    put("settle", *settle(counts, field))
    totals = [c for c in stated if c.role == "total"]
    if totals:
        top = max(totals, key=lambda c: getattr(c, field) or 0)
        put("largest_total", getattr(top, field), [top])
    for kind in sorted({c.kind for c in stated}):
        tier = [c for c in stated if c.kind == kind and c.role in ("part", "label")]
        name = f"sum_{kind}"
        put(name, _sum(tier, field), tier)
        fractions = [c for c in tier if c.form == "fraction"]
        put(f"fractions_{kind}", _sum(fractions, field), fractions)
    for c in stated:
        put(f"one_{c.role}_{c.form}", getattr(c, field), [c])
    return out


def find_node_counts(doc: Document) -> tuple[list[Finding], list[Finding]]:
    """Nodes examined and nodes affected over all node specimens of the report."""
    counts = report_counts(doc)
    if not counts:
        return [], []
    examined, ev_e = settle(counts, "examined")
    affected, ev_a = settle(counts, "affected")
    # every examined node group says whether it is involved: a missing affected count is 0
    if affected is None and examined is not None:
        affected, ev_a = 0, ev_e
    if examined is not None and affected is not None and affected > examined:
        return [], []
    prel = [Finding(examined, c.span, c.kind) for c in ev_e] if examined is not None else []
    att = [Finding(affected, c.span, c.kind) for c in ev_a] if affected is not None else []
    return prel, att
