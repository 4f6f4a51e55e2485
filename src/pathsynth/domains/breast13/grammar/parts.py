"""The parts of a multi-part case (A, B, C... or prélèvements 1, 2, 3...), planned once.

Multi-part reports send each node specimen, the breast, margin re-excisions, a contralateral
prophylactic mastectomy or a removed implant as separate parts. The record stays the truth:
the plan invents a context consistent with it — which margins were re-excised and whether
the final ones are clear, which side is benign, where the nodes come from.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field

from pathsynth.domains.breast13.grammar.case import Case, NodeSpecimen, between, pick_one

LETTERS = "ABCDEFGHIJKL"


@dataclass
class Part:
    """One part of the case."""

    kind: str  # sn, ax, ln, breast, reexcision, contra, implant
    tag: str = ""
    nodes: NodeSpecimen | None = None
    #: For a re-excision: the margin taken again, and whether carcinoma is still at ink.
    margin: str = ""
    residual: bool = False
    involved: bool = False


@dataclass
class Plan:
    """The context a multi-part report invents around the record."""

    parts: list[Part]
    main: Part | None
    #: The breast part's own margin was involved or close, then re-excised.
    first_involved: bool = False
    #: Margins: "clear", "close", "involved" (no re-excision), "reexcised" (the re-excisions
    #: decide: clear when ``final_clear``).
    margin_story: str = "clear"
    #: Distance to the closest margin when it is close (mm, below one), drawn once.
    close_mm: float = 0.5
    synoptic: bool = True
    frozen: bool = False
    #: Markers: "here" (with the diagnosis), "addendum" (reported later), "fish" (HER2 IHC
    #: equivocal in the body, the ISH result in an addendum).
    markers: str = "here"
    neoadjuvant: bool = False
    other_foci: list[float] = field(default_factory=list)
    dcis: tuple[int, int] | None = None  # nuclear grade, extent in mm
    prior_grade: int | None = None
    #: Node counts: "total" (the checklist totals are the counted mention) or "parts".
    counted: str = "parts"


def plan_parts(
    case: Case,
    rng: random.Random,
    *,
    synoptic_rate: float,
    letters: bool,
    margins: tuple[str, ...],
) -> Plan:
    """The parts of one case and the story they tell; ``letters``: A, B... else 1, 2...;
    ``margins``: the bank's margin names (re-excisions take one of them)."""
    v = case.values
    kind = v.get("echantillon")
    dissection = kind == "lymph_node_dissection"
    # A node specimen without nodes is said with the breast, unless nodes are all there is.
    parts: list[Part] = [
        Part(spec.kind, nodes=spec) for spec in case.nodes if spec.prel != 0 or dissection
    ]
    main: Part | None = None
    if dissection:
        ax = [p for p in parts if p.kind in ("ax", "ln")] or parts
        main = ax[-1] if ax else None
        if main is None:
            main = Part("ax", nodes=NodeSpecimen("ax", None, None))
            parts.append(main)
    else:
        main = Part("breast")
        parts.append(main)
    plan = Plan(parts, main)
    plan.synoptic = rng.random() < synoptic_rate
    clear = v.get("marges_saines")
    plan.margin_story = "involved" if clear == "no" else "clear"
    excision = kind in ("lumpectomy", "surgical_excision")
    if clear is not None and main.kind == "breast" and kind != "biopsy":
        u = rng.random()
        if excision and u < 0.3:
            plan.margin_story = "reexcised"
            plan.first_involved = clear == "no" or rng.random() < 0.6
            for _ in range(pick_one(rng, (1, 1, 2))):
                margin = pick_one(rng, margins)
                if any(p.margin == margin for p in parts):
                    continue
                parts.append(Part("reexcision", margin=margin, residual=rng.random() < 0.3))
            rex = [p for p in parts if p.kind == "reexcision"]
            if clear == "no":
                pick_one(rng, rex).involved = True
        elif clear == "yes":
            plan.margin_story = "close" if u < 0.5 else "clear"
        else:
            plan.margin_story = "involved"
    if kind in ("lumpectomy", "mastectomy") and rng.random() < 0.12:
        parts.append(Part("contra"))
    if kind == "mastectomy" and rng.random() < 0.05:
        parts.append(Part("implant"))
    if rng.random() < 0.3:
        # Node parts first (as the surgeon sends them), or the breast first.
        parts.sort(key=lambda p: p.kind not in ("sn",))
    for i, part in enumerate(parts):
        part.tag = LETTERS[i] if letters else str(i + 1)
    plan.close_mm = round(rng.uniform(0.2, 0.9), 1)
    plan.frozen = any(p.kind == "sn" for p in parts) and rng.random() < 0.45
    her2 = case.her2
    u = rng.random()
    if her2 is not None and her2.cls in ("neg_2", "pos_2") and u < 0.6:
        plan.markers = "fish"
    elif any(case.known(k) for k in ("re", "rp", "her2", "ki67")) and u < 0.18:
        plan.markers = "addendum"
    plan.neoadjuvant = rng.random() < 0.06
    t = v.get("taille")
    if t is not None and float(t) >= 8 and rng.random() < 0.12:
        plan.other_foci = [
            max(1.0, round(float(t) * rng.uniform(0.15, 0.7))) for _ in range(between(rng, 1, 3))
        ]
    if v.get("diagnostic") not in (None, "8500/2", "8520/2") and rng.random() < 0.55:
        plan.dcis = (between(rng, 1, 3), between(rng, 2, 45))
    if v.get("grade") is not None and rng.random() < 0.3:
        g = int(v["grade"])  # type: ignore[arg-type]
        plan.prior_grade = g if rng.random() < 0.6 else max(1, min(3, g + pick_one(rng, (-1, 1))))
    has_nodes = bool(case.nodes)
    plan.counted = "total" if plan.synoptic and has_nodes else "parts"
    return plan


def node_parts(plan: Plan) -> list[Part]:
    """The parts that hold lymph nodes, in report order."""
    return [
        p
        for p in plan.parts
        if p.nodes is not None and (p.nodes.prel is not None or p.nodes.att is not None)
    ]
