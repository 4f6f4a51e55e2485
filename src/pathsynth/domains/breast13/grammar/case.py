"""The case behind a report: the facts a report states beside the record, planned once.

A record holds 13 values; a report says much more (which breast, which node specimens and how
many nodes each, the Nottingham components, the stained-cell share, the HER2 class and ratio,
the closest margin...). :func:`plan_case` draws these facts once per report from the seed, so
every mention within one report agrees with every other one and with the record.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TypeVar

from pathsynth.domains.breast13.grammar.bank import (
    ANON_IDS,
    DATE_STYLES,
    MARKER_ORDERS,
    MARKERS,
    TRIPLES,
    fmt_num,
)
from pathsynth.schema import Value

T = TypeVar("T")


def pick_one(rng: random.Random, seq: Sequence[T]) -> T:
    """One element of ``seq`` (cheaper than ``rng.choice``)."""
    return seq[int(rng.random() * len(seq))]


def between(rng: random.Random, a: int, b: int) -> int:
    """An integer from ``a`` to ``b`` inclusive (cheaper than ``rng.randint``)."""
    return a + int(rng.random() * (b - a + 1))


@dataclass
class NodeSpecimen:
    """One lymph-node specimen: its kind (``sn`` sentinel, ``ax`` dissection, ``ln``) and counts."""

    kind: str
    prel: int | None
    att: int | None
    itc: int = 0
    micro: int = 0
    number: int = 0

    @property
    def macro(self) -> int:
        """Metastatic nodes holding a macrometastasis (the others hold a micrometastasis)."""
        return (self.att or 0) - self.micro


@dataclass
class Her2:
    """The HER2 result behind the status: IHC class, and an ISH ratio with copy numbers."""

    cls: str  # pos_3, pos_2 (2+ amplified), neg_0, neg_1, neg_2 (2+ not amplified)
    ratio: str
    copies: str
    cep17: str


@dataclass
class Case:
    """Everything one report states, beside the record values, drawn once (see module doc)."""

    values: dict[str, Value]
    side: str
    other_side: str
    markers: tuple[str, ...]
    date_style: str
    anon: str
    day: tuple[int, int, int]
    nodes: list[NodeSpecimen]
    #: "parts": each specimen's counts spanned; "total": one spanned total, parts unspanned.
    node_mode: str
    triple: tuple[int, int, int] | None = None
    pct: dict[str, int] = field(default_factory=dict)
    intensity: dict[str, int] = field(default_factory=dict)
    her2: Her2 | None = None
    #: Closest margin: distance in mm and which one (clear), or the involved one.
    margin_mm: int = 3
    margin_side: str = ""

    def known(self, key: str) -> bool:
        return self.values.get(key) is not None

    def int(self, key: str) -> int | None:
        x = self.values.get(key)
        return None if x is None else int(x)


def plan_case(
    values: dict[str, Value],
    rng: random.Random,
    *,
    sides: tuple[str, str],
    margin_sides: tuple[str, ...],
    comma: bool,
    split_nodes: bool = False,
) -> Case:
    """Draw the facts of one report from ``rng`` (``sides``: the bank's words for left, right).

    ``split_nodes``: node specimens as multi-part reports have them (several sentinel node
    parts, then a dissection).
    """
    i = rng.randrange(2)
    side, other = sides[i], sides[1 - i]
    markers = MARKERS if rng.random() < 0.7 else pick_one(rng, MARKER_ORDERS)
    date_style = pick_one(rng, DATE_STYLES)
    anon = pick_one(rng, ANON_IDS)
    day = (between(rng, 1, 20), between(rng, 1, 12), between(rng, 2012, 2025))
    nodes = plan_nodes(values, rng, split=split_nodes)
    multi = len(nodes) > 1
    node_mode = "total" if multi and rng.random() < 0.35 else "parts"
    case = Case(values, side, other, markers, date_style, anon, day, nodes, node_mode)
    grade = values.get("grade")
    if grade is not None:
        case.triple = pick_one(rng, TRIPLES[int(grade)])
    for key in ("re", "rp"):
        if values.get(key) is not None:
            _plan_receptor(case, key, rng)
    if values.get("her2") is not None:
        case.her2 = _plan_her2(values["her2"] == "positive", rng, comma)
    case.margin_mm = pick_one(rng, (1, 2, 3, 4, 5, 6, 8, 10, 12, 15))
    case.margin_side = pick_one(rng, margin_sides)
    return case


def _plan_receptor(case: Case, key: str, rng: random.Random) -> None:
    """The stained-cell share and intensity behind a receptor status."""
    if case.values[key] == "negative":
        case.pct[key] = 0
        return
    u = rng.random()
    if u < 0.7:
        p = pick_one(rng, (60, 70, 75, 80, 85, 90, 95, 100))
    elif u < 0.9:
        p = pick_one(rng, (15, 20, 30, 40, 50))
    else:
        p = pick_one(rng, (1, 2, 5, 8, 10))
    case.pct[key] = p
    # Low-positive tumours stain weakly.
    case.intensity[key] = between(rng, 1, 3) if p > 10 else 1


def _plan_her2(positive: bool, rng: random.Random, comma: bool) -> Her2:
    if positive:
        cls = "pos_3" if rng.random() < 0.75 else "pos_2"
    else:
        cls = pick_one(rng, ("neg_0", "neg_0", "neg_1", "neg_1", "neg_2"))
    amplified = cls == "pos_2" or (cls == "pos_3" and rng.random() < 0.5)
    ratio = rng.uniform(2.2, 6.0) if amplified else rng.uniform(1.0, 1.8)
    cep17 = rng.uniform(1.6, 3.2)
    copies = max(ratio * cep17, 6.2) if amplified else min(ratio * cep17, 3.9)
    return Her2(cls, fmt_num(ratio, comma, 1), fmt_num(copies, comma, 1), fmt_num(cep17, comma, 1))


def plan_nodes(
    values: dict[str, Value], rng: random.Random, split: bool = False
) -> list[NodeSpecimen]:
    """The node specimens behind the counts; their counts add up to the record."""
    prel, att = values.get("numero_gang_prel"), values.get("numero_gang_att")
    r = rng
    if prel is None and att is None:
        return []
    if prel is None:
        return [NodeSpecimen("ln", None, int(att))]  # type: ignore[arg-type]
    n = int(prel)
    k = None if att is None else int(att)
    dissection = values.get("echantillon") == "lymph_node_dissection"
    if n == 0:
        specs = [NodeSpecimen(pick_one(r, ("sn", "ax", "ln")), 0, k)]
    elif split and not dissection and r.random() < 0.8:
        specs = _split_parts(n, r)
    elif n <= 4 and not dissection and r.random() < 0.75:
        if n >= 2 and r.random() < 0.3:
            specs = [NodeSpecimen("sn", 1, None, number=i + 1) for i in range(n)]
        else:
            specs = [NodeSpecimen("sn", n, None)]
    elif n >= 5 and r.random() < 0.5:
        s = between(r, 1, min(3, n - 2))
        specs = [NodeSpecimen("sn", s, None), NodeSpecimen("ax", n - s, None)]
    else:
        specs = [NodeSpecimen("ax" if r.random() < 0.6 else "ln", n, None)]
    if k is not None:
        _place_metastases(specs, k, r)
    return specs


def _split_parts(n: int, r: random.Random) -> list[NodeSpecimen]:
    """Sentinel nodes in 1 to 5 numbered parts, the rest in an axillary dissection."""
    sentinel = n if n <= 5 and r.random() < 0.7 else min(n, between(r, 1, 4))
    parts = min(sentinel, pick_one(r, (1, 1, 2, 2, 3, 4, 5)))
    sizes = [1] * parts
    for _ in range(sentinel - parts):
        sizes[r.randrange(parts)] += 1
    specs = [
        NodeSpecimen("sn", size, None, number=i + 1 if parts > 1 else 0)
        for i, size in enumerate(sizes)
    ]
    if n > sentinel:
        specs.append(NodeSpecimen("ax", n - sentinel, None))
    return specs


def _place_metastases(specs: list[NodeSpecimen], k: int, r: random.Random) -> None:
    """Spread ``k`` metastatic nodes over the specimens (sentinel nodes first, mostly)."""
    for spec in specs:
        spec.att = 0
    for _ in range(k):
        room = [s for s in specs if (s.prel or 0) > (s.att or 0)]
        first = [s for s in room if s.kind == "sn"]
        target = first[0] if first and r.random() < 0.6 else pick_one(r, room)
        target.att = (target.att or 0) + 1
    if r.random() < 0.08:
        free = [s for s in specs if (s.prel or 0) - (s.att or 0) >= 1]
        if free:
            pick_one(r, free).itc = 1
    for spec in specs:
        # Some metastases are micrometastases (they count); keep a macro one so pN holds.
        if (spec.att or 0) >= 2 and r.random() < 0.1:
            spec.micro = 1
