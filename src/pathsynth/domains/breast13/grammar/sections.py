"""Sections of multi-part reports, written from the family's bank (``cap`` and ``chu``):
part headings, the diagnosis / conclusion by part, frozen sections, comments, history,
microscopy, gross description, the checklist, addenda, signature."""

from __future__ import annotations

from collections.abc import Callable

from pathsynth.domains.breast13.grammar.bank import cap
from pathsynth.domains.breast13.grammar.checklist import checklist
from pathsynth.domains.breast13.grammar.draft import Draft
from pathsynth.domains.breast13.grammar.gross import gross_part, section
from pathsynth.domains.breast13.grammar.multipart import (
    dcis_line,
    ene_after,
    fish_addendum,
    her2_pending,
    legend,
    lvi_statement,
    margin_statement,
    marker_items,
    markers_pending,
    node_statement,
    prior_biopsy,
    receptors_addendum,
    tumour_description,
    tumour_line,
)
from pathsynth.domains.breast13.grammar.nodes import ptnm
from pathsynth.domains.breast13.grammar.parts import Part, Plan, node_parts
from pathsynth.domains.breast13.grammar.phrasing import yesno_text


# ---------------------------------------------------------------------- part headings
def heading(d: Draft, plan: Plan, part: Part, colon: bool = True) -> None:
    """``C. BREAST, LEFT, MODIFIED RADICAL MASTECTOMY:`` (the procedure is a value)."""
    H = d.fam["part_heads"]
    side, other = d.case.side, d.case.other_side
    d.t(d.pick(d.fam["tags"]).format(tag=part.tag))
    spec = part.nodes
    num = ""
    if spec is not None and spec.number:
        num = d.say(H["num"], i=spec.number)
    main = part is plan.main
    if part.kind == "breast" or (main and part.kind in ("ax", "ln")):
        pool = "breast" if part.kind == "breast" else "ax_main"
        if d.known("echantillon"):
            proc = d.surface("echantillon")
            template = d.pick(H[pool])
            # The side agrees with the procedure's gender in French ("tumorectomie droite").
            sidef = d.side_after(proc).strip(" ,()") if d.fr else side
            if template.startswith("{proc}"):
                proc = cap(proc)
            d.fill(template, side=side, sidef=sidef, proc=("echantillon", proc))
        else:
            sidef = d.side_after("pièce").strip() if d.fr else side
            d.t(d.say(H[pool + "_unknown"], side=side, sidef=sidef))
    else:
        d.t(d.say(H[part.kind], side=side, other=other, num=num, margin=part.margin))
    if colon:
        d.t(":" if not d.fr else " :")


# ---------------------------------------------------------------------- final diagnosis
def final_diagnosis(d: Draft, plan: Plan, *, brief: bool = False) -> None:
    """The diagnosis by part; node counts spanned here when the report has no checklist."""
    before = d.shout(d.chance(0.55))
    bullet = d.pick(d.fam["bullets"])
    counted = plan.counted == "parts"
    with_nodes = node_parts(plan)
    last = with_nodes[-1] if with_nodes else None
    for part in plan.parts:
        heading(d, plan, part)
        if part.nodes is not None and part in with_nodes:
            d.t(bullet)
            node_statement(d, part.nodes, counted)
            ene_after(d, part.nodes)
            d.t(".")
            if part.nodes.att == 0 and d.chance(0.3):
                d.t(bullet + d.pick(d.fam["node_extra"]["ihc_negative"]))
            if part is last and d.known("rupture_capsulaire") and not d.done.rupture:
                # No positive part took it: extranodal extension as its own line.
                d.t(bullet + d.pick(d.fam["marker_labels"]["ene"]))
                d.val("rupture_capsulaire", yesno_text(d, "rupture_capsulaire", "field"))
                d.done.rupture = True
        elif part.kind == "breast":
            _breast_lines(d, plan, bullet, brief)
        elif part.kind == "reexcision":
            _reexcision_lines(d, plan, part, bullet)
        elif part.kind in ("contra", "implant"):
            for line in d.pick(d.fam["benign_parts"][part.kind]).split(" | "):
                d.t(bullet + line)
        else:
            d.t(bullet + d.pick(d.fam["node_extra"]["no_counts"]))
        d.t("\n")
    if counted:
        d.done.nodes = True
    d.out.set_case(before)


def _breast_lines(d: Draft, plan: Plan, bullet: str, brief: bool) -> None:
    F = d.fam
    items: list[Callable[[], bool]] = [lambda: tumour_line(d, plan)]
    if not brief or d.chance(0.5):
        items.append(lambda: dcis_line(d, plan))
    items.append(lambda: lvi_statement(d))
    items.append(lambda: margin_statement(d, plan, "breast"))
    if plan.dcis and d.chance(0.3):
        ng = plan.dcis[0]
        items.append(lambda: _filler(d, d.say(F["nuclear_grade"], ng=ng)))
    no_nodes = [s for s in d.case.nodes if s.prel == 0]
    if no_nodes:
        counted = plan.counted == "parts"
        items.append(lambda: _node_none(d, no_nodes[0], counted))
    if not plan.synoptic or d.chance(0.5):
        items.append(lambda: _markers_line(d, plan))
    if d.chance(0.3):
        items.append(lambda: _filler(d, d.pick(d.words["benign"]).strip().rstrip(".")))
    if d.chance(0.35):
        p = ptnm(d)
        if p:
            items.append(lambda: _filler(d, f"({p})"))
    if plan.synoptic and d.chance(0.6):
        items.append(lambda: _filler(d, d.pick(F["see_synoptic"])))
    for item in items:
        mark = d.out.checkpoint()
        d.t(bullet)
        if item():
            d.t(".")
        else:
            d.out.rollback(mark)


def _node_none(d: Draft, spec: object, counted: bool) -> bool:
    node_statement(d, spec, counted)  # type: ignore[arg-type]
    return True


def _filler(d: Draft, text: str) -> bool:
    d.t(text)
    return True


def _markers_line(d: Draft, plan: Plan) -> bool:
    items = marker_items(d, plan)
    if not items:
        if plan.markers == "addendum":
            markers_pending(d)
            return True
        return False
    labels = d.fam["marker_labels"]
    for i, (key, text) in enumerate(items):
        if i:
            d.t(d.pick(("; ", ", ")))
        d.t(d.pick(labels[key]))
        d.val(key, text)
    if plan.markers == "fish":
        d.t("; ")
        her2_pending(d)
    return True


def _reexcision_lines(d: Draft, plan: Plan, part: Part, bullet: str) -> None:
    R = d.fam["reexcision"]
    if part.involved:
        d.t(bullet + d.pick(R["residual"]))
        d.t(bullet)
        d.val("marges_saines", d.pick(d.vals["margins"]["new_involved"]))
        d.t(".")
        return
    d.t(bullet + d.pick(R["residual" if part.residual else "benign"]))
    if d.chance(0.5):
        d.t(bullet + d.pick(R["new_margin_clear"]))


# ---------------------------------------------------------------------- other sections
def header(d: Draft) -> None:
    """Title and de-identified fields, a few per line, in a house order of their own."""
    F = d.fam
    d.t(d.pick(F["titles"]) + "\n")
    items = d.rng.sample(list(F["header_items"]), d.between(2, 6))
    joint = d.pick(("   ", "  ", "\n", "\n", " | "))
    fill = {"date": "", "age": d.between(30, 89), "num": d.case.anon}
    for i, item in enumerate(items):
        fill["date"] = d.date()
        d.t(item.format(**fill) + ("\n" if i == len(items) - 1 or d.chance(0.5) else joint))
    d.t("\n")


def history(d: Draft, plan: Plan) -> None:
    H = d.fam["history"]
    q = d.say(d.words["quadrants"], h=d.between(1, 12), d=d.between(1, 6))
    d.t(d.say(H["who"], age=d.between(30, 89), side=d.case.side, q=q))
    if d.chance(0.6):
        d.t(" ")
        prior_biopsy(d, plan)
    if plan.neoadjuvant:
        d.t(" " + d.pick(H["neoadjuvant"]))
    d.t("\n")


def intraop(d: Draft, plan: Plan) -> None:
    """Frozen-section results: the node counts restated, never spanned."""
    if not plan.frozen:
        return
    section(d, "intraop")
    fs = d.fam["intraop"]
    for part in node_parts(plan):
        spec = part.nodes
        if spec is None or spec.kind != "sn" or spec.prel is None:
            continue
        d.t(d.pick(d.fam["tags"]).format(tag=part.tag) + d.pick(fs["sn"]))
        if spec.att:
            d.t(d.pick(fs["positive"]))
        else:
            node_statement(d, spec, counted=False, pool="frozen_neg")
        d.t("\n")
    if plan.margin_story == "reexcised" and d.chance(0.6):
        d.t(d.say(fs["margin"], margin=d.case.margin_side) + "\n")
    d.t(d.say(fs["by"], date=d.date()) + "\n")


def comment(d: Draft, plan: Plan, need_final: bool) -> None:
    C = d.fam["comment"]
    bits = []
    if need_final or (plan.margin_story == "reexcised" and d.chance(0.5)):
        bits.append("margins")
    if d.chance(0.35):
        bits.append("prior")
    if plan.neoadjuvant:
        bits.append("treated")
    if not bits:
        return
    section(d, "comment")
    for bit in bits:
        if bit == "margins":
            d.t(d.pick(C["margins_intro"]))
            margin_statement(d, plan, "final")
            d.t(". ")
        elif bit == "prior":
            prior_biopsy(d, plan)
            d.t(" ")
        else:
            d.t(d.pick(C["treated"]) + " ")
    d.t("\n")


def microscopic(d: Draft, plan: Plan) -> None:
    """Per-part microscopy: restates findings (values spanned, node counts not)."""
    section(d, "micro")
    M = d.fam["micro"]
    for part in plan.parts:
        d.t(d.pick(d.fam["tags"]).format(tag=part.tag))
        if part.nodes is not None and part.nodes.prel:
            node_statement(d, part.nodes, counted=False, pool="micro")
        elif part.kind == "breast":
            d.t(tumour_description(d))
            if d.known("emboles") and d.chance(0.5):
                d.t(" ")
                lvi_statement(d)
                d.t(".")
        else:
            d.t(d.pick(M["other"]))
        d.t("\n")
        if part.nodes is not None and part.nodes.prel and d.chance(0.3):
            d.t(d.pick(M["ihc"]) + "\n")


def gross(d: Draft, plan: Plan) -> None:
    section(d, "gross")
    for part in plan.parts:
        gross_part(d, plan, part)


def synoptic(d: Draft, plan: Plan) -> None:
    if not plan.synoptic:
        return
    section(d, "synoptic")
    checklist(d, plan, d.pick(("", "", "- ", "* ")))


def addenda(d: Draft, plan: Plan) -> None:
    if plan.markers == "fish":
        section(d, "addendum")
        fish_addendum(d)
        d.t("\n")
        if plan.markers == "fish" and any(d.known(k) for k in ("re", "rp")) and d.chance(0.2):
            legend(d, "re")
    elif plan.markers == "addendum":
        section(d, "addendum")
        receptors_addendum(d, plan)


def signature(d: Draft) -> None:
    d.t("\n" + d.say(d.fam["signature"], date=d.date()) + "\n")
