"""The ``cap`` family: North-American / British multi-part surgical pathology reports.

Parts A, B, C... (sentinel nodes #1..#5, an axillary dissection, the breast, margin
re-excisions, a benign contralateral side, a removed implant); a final diagnosis by part; the
same facts restated in an intraoperative consultation, a microscopic description and a
CAP-style synoptic summary; comments; addenda with HER2 by in situ hybridization or the
receptors reported later; a gross description with cassette keys; de-identified fields.
"""

from __future__ import annotations

from collections.abc import Callable

from pathsynth.domains.breast13.grammar.draft import Draft
from pathsynth.domains.breast13.grammar.gross import section
from pathsynth.domains.breast13.grammar.multipart import cover
from pathsynth.domains.breast13.grammar.parts import Plan, plan_parts
from pathsynth.domains.breast13.grammar.sections import (
    addenda,
    comment,
    final_diagnosis,
    gross,
    header,
    heading,
    history,
    intraop,
    microscopic,
    signature,
    synoptic,
)

LAYOUT_WEIGHTS = {"cap_full": 35, "cap_history_first": 25, "cap_synoptic": 25, "cap_brief": 15}


def _plan(d: Draft, synoptic_rate: float) -> Plan:
    return plan_parts(
        d.case,
        d.rng,
        synoptic_rate=synoptic_rate,
        letters=True,
        margins=tuple(d.words["margin_sides"]),
    )


# ---------------------------------------------------------------------- layouts
def cap_full(d: Draft) -> None:
    """Final diagnosis first, then comment, frozen sections, history, gross, microscopy,
    synoptic, addenda."""
    plan = _plan(d, 0.7)
    header(d)
    section(d, "final")
    final_diagnosis(d, plan)
    comment(d, plan, need_final=plan.margin_story == "reexcised" and not plan.synoptic)
    intraop(d, plan)
    if d.chance(0.7):
        section(d, "history")
        history(d, plan)
    gross(d, plan)
    if d.chance(0.5):
        microscopic(d, plan)
    synoptic(d, plan)
    cover(d, plan)
    signature(d)
    addenda(d, plan)


def cap_history_first(d: Draft) -> None:
    """Older house style: history, specimens, gross, microscopy, then the diagnosis."""
    plan = _plan(d, 0.5)
    header(d)
    section(d, "history")
    history(d, plan)
    section(d, "specimens")
    for part in plan.parts:
        heading(d, plan, part, colon=False)
        d.t("\n")
    intraop(d, plan)
    gross(d, plan)
    if d.chance(0.6):
        microscopic(d, plan)
    section(d, "final")
    final_diagnosis(d, plan)
    comment(d, plan, need_final=plan.margin_story == "reexcised" and not plan.synoptic)
    synoptic(d, plan)
    cover(d, plan)
    signature(d)
    addenda(d, plan)


def cap_synoptic(d: Draft) -> None:
    """A short diagnosis by part pointing to the synoptic summary, which states it all."""
    plan = _plan(d, 1.0)
    header(d)
    section(d, "final")
    final_diagnosis(d, plan, brief=True)
    synoptic(d, plan)
    intraop(d, plan)
    if d.chance(0.5):
        gross(d, plan)
    cover(d, plan)
    signature(d)
    addenda(d, plan)


def cap_brief(d: Draft) -> None:
    """The final diagnosis by part and a comment, nothing else (counts spanned by part)."""
    plan = _plan(d, 0.0)
    if d.chance(0.5):
        header(d)
    section(d, "final")
    final_diagnosis(d, plan, brief=True)
    comment(d, plan, need_final=plan.margin_story == "reexcised")
    cover(d, plan)
    signature(d)
    addenda(d, plan)


LAYOUTS: dict[str, Callable[[Draft], None]] = {
    "cap_full": cap_full,
    "cap_history_first": cap_history_first,
    "cap_synoptic": cap_synoptic,
    "cap_brief": cap_brief,
}
