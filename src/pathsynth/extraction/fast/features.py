"""What the fast student sees of a candidate: where it is (section, part, position), the words
around it, the domain pack's cue flags, how many other candidates agree, and what the rules
extractor chose (stacking: the student learns when to follow the rules and when not to)."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence

from pathsynth.extraction.findings import Candidate, Finding
from pathsynth.schema import Variable
from pathsynth.text.sections import KIND_NAMES

__all__ = ["candidate_features"]

_TOKEN = re.compile(r"[a-z]+|\d+(?:[.,]\d+)?|[%+/<>:#()-]")
#: words of a window that carry no information about a value
_SKIP = frozenset("the a an of de la le les des du et and in is are was were".split())  # noqa: SIM905


def _shape(tok: str) -> str:
    return "N" if tok[0].isdigit() else tok


def _magnitude(x: float) -> str:
    for edge, name in ((1, "<1"), (5, "<5"), (10, "<10"), (20, "<20"), (50, "<50"), (100, "<100")):
        if x < edge:
            return name
    return ">=100"


def _overlaps(a: tuple[int, int], b: tuple[int, int]) -> bool:
    return a[0] < b[1] and b[0] < a[1]


def candidate_features(
    var: Variable,
    cands: Sequence[Candidate],
    doc_len: int,
    rules: Sequence[Finding],
) -> list[list[str]]:
    """One list of feature strings per candidate of one key."""
    rule_value = rules[0].value if rules else None
    rule_spans = [f.span for f in rules]
    votes = Counter(str(c.value) for c in cands)
    top_votes = max(votes.values(), default=0)
    rows = []
    for i, c in enumerate(cands):
        s = c.statement
        text = s.text
        a, b = c.span[0] - s.start, c.span[1] - s.start
        before = [_shape(t) for t in _TOKEN.findall(text[max(0, a - 70) : a])][-6:]
        after = [_shape(t) for t in _TOKEN.findall(text[b : b + 60])][:6]
        inside = [_shape(t) for t in _TOKEN.findall(text[a:b])][:6]
        head = [_shape(t) for t in _TOKEN.findall(text[:40])][:3]
        kind = KIND_NAMES[s.kind]
        value = (
            f"mag={_magnitude(float(c.value))}"  # type: ignore[arg-type]
            if var.type == "number"
            else f"val={c.value}"
        )
        same_rule = rule_value is not None and var.equal(c.value, rule_value)
        on_rule = any(_overlaps(c.span, sp) for sp in rule_spans)
        rule = "rule_none" if rule_value is None else ("rule_same" if same_rule else "rule_other")
        f = [
            "bias",
            f"sec={kind}",
            f"pk={s.part_kind or 'none'}",
            value,
            rule,
            f"{rule}|sec={kind}",
            "on_rule" if on_rule else "off_rule",
            f"votes={min(votes[str(c.value)], 3)}",
            "top_vote" if votes[str(c.value)] == top_votes else "minor_vote",
            f"order={'first' if i == 0 else 'last' if i == len(cands) - 1 else 'mid'}",
            f"pos={min(2, 3 * c.span[0] // max(doc_len, 1))}",
            f"{value}|sec={kind}",
        ]
        f += [f"flag={x}" for x in c.flags if x]
        f += [f"flag={x}|sec={kind}" for x in c.flags if x]
        f += [f"b{j}={t}" for j, t in enumerate(reversed(before[-3:]), 1)]
        f += [f"a{j}={t}" for j, t in enumerate(after[:3], 1)]
        f += [f"bb={t}" for t in before if t not in _SKIP]
        f += [f"ab={t}" for t in after if t not in _SKIP]
        f += [f"in={t}" for t in inside]
        f += [f"h={t}" for t in head]
        if before:
            f.append(f"b1={before[-1]}|{value}")
        rows.append(f)
    return rows
