"""The ``chu`` family: comptes rendus of French CHU / CLCC departments (and, in English, the
European style with a minimum dataset).

Renseignements cliniques (an earlier microbiopsy's results as distractor), macroscopie by
prélèvement (1, 2, 3... or A, B...), microscopie by prélèvement, immunohistochimie with its
technique and scoring legends, conclusion by prélèvement, the INCa minimal data table, a
relecture of an outside case, an IHC / in situ hybridization complement in an addendum.
"""

from __future__ import annotations

from collections.abc import Callable

from pathsynth.domains.breast13.grammar.draft import Draft
from pathsynth.domains.breast13.grammar.gross import section
from pathsynth.domains.breast13.grammar.multipart import (
    cover,
    dcis_line,
    legend,
    lvi_statement,
    margin_statement,
    marker_items,
    node_statement,
    prior_biopsy,
    states_here,
    tumour_description,
)
from pathsynth.domains.breast13.grammar.parts import Plan, plan_parts
from pathsynth.domains.breast13.grammar.phrasing import grade_text, size_text
from pathsynth.domains.breast13.grammar.sections import (
    addenda,
    final_diagnosis,
    gross,
    header,
    heading,
    signature,
    synoptic,
)

LAYOUT_WEIGHTS = {"chu_full": 45, "chu_conclusion": 22, "chu_relecture": 13, "chu_sections": 20}


def _plan(d: Draft, synoptic_rate: float) -> Plan:
    return plan_parts(
        d.case,
        d.rng,
        synoptic_rate=synoptic_rate,
        letters=d.chance(0.25),
        margins=tuple(d.words["margin_sides"]),
    )


def clinical(d: Draft, plan: Plan) -> None:
    """Renseignements cliniques: age, side, the earlier microbiopsy (a distractor)."""
    H = d.fam["history"]
    q = d.say(d.words["quadrants"], h=d.between(1, 12), d=d.between(1, 6))
    d.t(d.say(H["who"], age=d.between(30, 89), side=d.case.side, q=q))
    if d.chance(0.65):
        d.t(" ")
        prior_biopsy(d, plan)
    if plan.neoadjuvant:
        d.t(" " + d.pick(H["neoadjuvant"]))
    d.t("\n")


def microscopy(d: Draft, plan: Plan) -> None:
    """Microscopy by prélèvement: the breast in detail (values spanned), nodes restated."""
    section(d, "micro")
    M = d.fam["micro"]
    for part in plan.parts:
        heading(d, plan, part)
        d.t(" ")
        if part.nodes is not None and part.nodes.prel:
            node_statement(d, part.nodes, counted=False, pool="micro")
        elif part.kind == "breast":
            _breast_micro(d, plan)
        else:
            d.t(d.pick(M["other"]))
        d.t("\n")


def _breast_micro(d: Draft, plan: Plan) -> None:
    M = d.fam["micro"]
    if d.known("diagnostic"):
        d.t(d.pick(M["type_intro"]))
        d.val("diagnostic", d.surface("diagnostic"))
        d.t(". ")
    d.t(tumour_description(d) + " ")
    if d.known("grade"):
        a, b, c = d.case.triple or (1, 1, 1)
        d.t(d.pick(M["grade_intro"]))
        d.val("grade", grade_text(d, "micro"))
        d.t(d.say(M["grade_tail"], a=a, b=b, c=c, m=d.between(1, 30)))
    if d.known("taille"):
        d.fill(d.pick(M["size"]), size=("taille", size_text(d)))
        d.t(" ")
    if dcis_line(d, plan):
        d.t(". ")
    if d.known("emboles"):
        lvi_statement(d)
        d.t(". ")
    if d.known("marges_saines"):
        d.t(d.pick(M["margins_intro"]))
        margin_statement(d, plan, "breast")
        d.t(". ")
        if d.chance(0.5):
            m1, m2 = d.rng.sample(list(d.words["margin_sides"]), 2)
            d.t(d.say(M["distances"], m1=m1, m2=m2, d1=d.between(2, 25), d2=d.between(2, 25)))


def ihc(d: Draft, plan: Plan) -> None:
    """Immunohistochemistry: technique and controls, results, scoring legends."""
    items = marker_items(d, plan)
    if not items:
        return
    section(d, "ihc")
    if d.chance(0.3 + 0.5 * d.style.distractors):
        clones = ", ".join(d.pick(d.fam["ihc"]["clones"][k]) for k in d.case.markers if d.known(k))
        block = f"{d.pick('ABC')}{d.between(1, 9)}"
        d.t(d.say(d.fam["ihc"]["technique"], block=block, clones=clones) + "\n")
    for key, text in items:
        d.t(d.pick(d.fam["marker_labels"][key]))
        d.val(key, text)
        d.t("\n")
        legend(d, key)
    if plan.markers == "fish":
        d.t(d.pick(d.fam["addenda"]["her2_equivocal"]) + "\n")


def conclusion(d: Draft, plan: Plan, brief: bool = False) -> None:
    section(d, "final")
    final_diagnosis(d, plan, brief=brief)


def table(d: Draft, plan: Plan) -> None:
    """Données minimales (INCa) / minimum dataset: the checklist of the family."""
    synoptic(d, plan)


def chu_full(d: Draft) -> None:
    plan = _plan(d, 0.45)
    header(d)
    section(d, "history")
    clinical(d, plan)
    gross(d, plan)
    microscopy(d, plan)
    ihc(d, plan)
    conclusion(d, plan)
    table(d, plan)
    cover(d, plan)
    signature(d)
    addenda(d, plan)


def chu_conclusion(d: Draft) -> None:
    plan = _plan(d, 0.6)
    header(d)
    if d.chance(0.6):
        section(d, "history")
        clinical(d, plan)
    conclusion(d, plan)
    table(d, plan)
    cover(d, plan)
    signature(d)
    addenda(d, plan)


def chu_relecture(d: Draft) -> None:
    """Second opinion on an outside case: the material received, then our conclusion."""
    plan = _plan(d, 0.3)
    R = d.fam["review"]
    header(d)
    section(d, "review")
    d.t(d.say(R["received"], n=d.between(3, 24), b=d.between(1, 6), num=d.case_number()))
    d.t(d.pick(R["outside"]) + "\n")
    if d.chance(0.5):
        section(d, "history")
        clinical(d, plan)
    conclusion(d, plan, brief=True)
    d.t(d.pick(R["agree"]) + "\n")
    table(d, plan)
    cover(d, plan)
    signature(d)
    addenda(d, plan)


def chu_sections(d: Draft) -> None:
    """Each prélèvement with its own macroscopy and microscopy, then the conclusion."""
    plan = _plan(d, 0.4)
    header(d)
    if d.chance(0.7):
        section(d, "history")
        clinical(d, plan)
    gross(d, plan)
    microscopy(d, plan)
    if any(states_here(d, plan, k) and d.known(k) for k in d.case.markers):
        ihc(d, plan)
    conclusion(d, plan, brief=True)
    table(d, plan)
    cover(d, plan)
    signature(d)
    addenda(d, plan)


LAYOUTS: dict[str, Callable[[Draft], None]] = {
    "chu_full": chu_full,
    "chu_conclusion": chu_conclusion,
    "chu_relecture": chu_relecture,
    "chu_sections": chu_sections,
}
