"""Checklists of multi-part reports: the CAP-style synoptic summary (``cap``), the INCa
minimal data / minimum dataset table (``chu``). One writer, the family's bank gives the items'
order, labels and wording.

A checklist restates the values (spanned) among items that are not values (laterality, site,
Nottingham component scores, DCIS, distances, stage). Its node lines count all nodes of the
case: when a report has a checklist, they are the counted mention (see :mod:`multipart`).
"""

from __future__ import annotations

from collections.abc import Callable

from pathsynth.domains.breast13.grammar.bank import MARKERS
from pathsynth.domains.breast13.grammar.draft import Draft
from pathsynth.domains.breast13.grammar.multipart import (
    ATT,
    PREL,
    legend,
    margin_statement,
    markers_pending,
    states_here,
)
from pathsynth.domains.breast13.grammar.nodes import ptnm
from pathsynth.domains.breast13.grammar.parts import Plan
from pathsynth.domains.breast13.grammar.phrasing import (
    grade_text,
    her2_text,
    ki67_text,
    receptor_text,
    size_text,
    yesno_text,
)


def checklist(d: Draft, plan: Plan, bullet: str = "") -> None:
    """The family's checklist items, in its house order."""
    C = d.fam["checklist"]
    sep = d.pick(C["seps"])
    for item in d.pick(C["orders"]).split():
        _ITEMS[item](d, plan, _Line(d, bullet, sep))


class _Line:
    """Writes ``Label: value`` lines of one checklist."""

    __slots__ = ("bullet", "d", "labels", "sep")

    def __init__(self, d: Draft, bullet: str, sep: str) -> None:
        self.d = d
        self.bullet = bullet
        self.sep = sep
        self.labels = d.fam["checklist"]["labels"]

    def head(self, item: str, **kw: object) -> None:
        self.d.t(self.bullet + self.d.say(self.labels[item], **kw) + self.sep)

    def value(self, item: str, key: str, text: str) -> None:
        self.head(item)
        self.d.val(key, text)
        self.d.t("\n")

    def filler(self, item: str, text: str) -> None:
        self.head(item)
        self.d.t(text + "\n")


def _procedure(d: Draft, plan: Plan, line: _Line) -> None:
    if d.known("echantillon"):
        line.value("procedure", "echantillon", d.surface("echantillon"))


def _laterality(d: Draft, plan: Plan, line: _Line) -> None:
    line.filler("laterality", d.case.side)


def _site(d: Draft, plan: Plan, line: _Line) -> None:
    if d.chance(0.6):
        line.filler("site", d.say(d.words["quadrants"], h=d.between(1, 12), d=d.between(1, 6)))


def _histology(d: Draft, plan: Plan, line: _Line) -> None:
    if d.known("diagnostic"):
        line.value("histology", "diagnostic", d.surface("diagnostic"))


def _grade(d: Draft, plan: Plan, line: _Line) -> None:
    if not d.known("grade"):
        return
    C = d.fam["checklist"]
    a, b, c = d.case.triple or (1, 1, 1)
    if d.chance(0.7):
        d.t(line.bullet + d.pick(C["grade_head"]) + "\n")
        for label, score in zip(C["components"], (a, b, c), strict=True):
            d.t(line.bullet + d.pick(label) + line.sep + d.say(C["score"], s=score) + "\n")
    line.value("grade", "grade", grade_text(d, "overall"))
    legend(d, "grade")


def _size(d: Draft, plan: Plan, line: _Line) -> None:
    if not d.known("taille"):
        return
    line.value("size", "taille", size_text(d))
    t = float(d.rec["taille"])  # type: ignore[arg-type]
    if t >= 5 and d.chance(0.35):
        # Additional dimensions: smaller than the greatest one, never the value.
        dims = [max(1.0, round(t * d.rng.uniform(0.4, 0.9))) for _ in range(2)]
        line.filler(
            "dimensions", " x ".join(d.num(x, 0) for x in sorted(dims, reverse=True)) + " mm"
        )


def _focality(d: Draft, plan: Plan, line: _Line) -> None:
    C = d.fam["checklist"]
    if plan.other_foci:
        others = ", ".join(d.mm_text(x) for x in plan.other_foci)
        line.filler("focality", d.say(C["multifocal"], n=len(plan.other_foci) + 1, others=others))
    elif d.chance(0.5):
        line.filler("focality", d.pick(C["unifocal"]))


def _dcis(d: Draft, plan: Plan, line: _Line) -> None:
    C = d.fam["checklist"]
    if plan.dcis is None:
        if d.known("diagnostic") and d.chance(0.3):
            line.filler("dcis", d.pick(C["dcis_absent"]))
        return
    ng, ext = plan.dcis
    line.filler("dcis", d.pick(C["dcis_present"]))
    d.t(line.bullet + d.say(C["dcis_details"], ng=ng, ext=d.mm_text(float(ext))) + "\n")


def _lvi(d: Draft, plan: Plan, line: _Line) -> None:
    if d.known("emboles"):
        line.value("lvi", "emboles", yesno_text(d, "emboles", "field"))


def _treatment(d: Draft, plan: Plan, line: _Line) -> None:
    C = d.fam["checklist"]
    if plan.neoadjuvant:
        bed = d.mm_text(float(d.rec.get("taille") or 10) + d.between(8, 30))
        line.filler("treatment", d.say(C["treated"], bed=bed))
    elif d.chance(0.4):
        line.filler("treatment", d.pick(C["untreated"]))


def _margins(d: Draft, plan: Plan, line: _Line) -> None:
    if not d.known("marges_saines"):
        return
    line.head("margins")
    margin_statement(d, plan, "field")
    d.t("\n")
    C = d.fam["checklist"]
    if d.rec["marges_saines"] == "yes" and plan.margin_story != "close" and d.chance(0.6):
        mm = d.mm_text(float(d.case.margin_mm))
        d.t(line.bullet + d.say(C["distance"], d=mm, side=d.case.margin_side))
        d.t("\n")


def _nodes(d: Draft, plan: Plan, line: _Line) -> None:
    """The node totals: the counted mention of the report when it has a checklist."""
    prel, att = d.case.int(PREL), d.case.int(ATT)
    if prel is None and att is None:
        return
    d.done.nodes = True
    counted = plan.counted == "total"
    specs = d.case.nodes
    C = d.fam["checklist"]
    sn = sum(s.prel or 0 for s in specs if s.kind == "sn")
    if prel == 0:
        line.head("nodes_examined")
        _count(d, PREL, 0, counted)
        d.t(d.pick(C["no_nodes"]) + "\n")
        if att is not None:
            line.head("nodes_macro")
            _count(d, ATT, 0, counted)
            d.t("\n")
        return
    if sn and any(s.kind != "sn" for s in specs) and d.chance(0.6):
        line.filler("nodes_sentinel", str(sn))
    if att is not None:
        micro = sum(s.micro for s in specs)
        items = [("nodes_macro", att - micro)]
        if micro or d.chance(0.5):
            items.append(("nodes_micro", micro))
        if d.chance(0.3):
            items = [("nodes_positive", att)]
        for item, x in items:
            line.head(item)
            _count(d, ATT, x, counted)
            d.t("\n")
        itc = sum(s.itc for s in specs)
        if itc or d.chance(0.3):
            line.filler("nodes_itc", str(itc))
        if att and d.chance(0.4):
            line.filler("deposit", d.mm_text(float(d.between(2, 25))))
    if prel is not None:
        line.head("nodes_examined")
        _count(d, PREL, prel, counted)
        others = prel - sn
        if sn and others > 0 and d.chance(0.3):
            d.t(d.say(C["breakdown"], s=sn, o=others))
        d.t("\n")


def _count(d: Draft, key: str, x: int, counted: bool) -> None:
    if counted:
        d.val(key, str(x))
    else:
        d.raw(str(x))


def _ene(d: Draft, plan: Plan, line: _Line) -> None:
    if d.known("rupture_capsulaire") and not d.done.rupture:
        d.done.rupture = True
        line.value("ene", "rupture_capsulaire", yesno_text(d, "rupture_capsulaire", "field"))
    elif not d.known("rupture_capsulaire") and d.rec.get(ATT) == 0 and d.chance(0.3):
        d.raw(line.bullet + d.pick(d.fam["checklist"]["ene_na"]))
        d.t("\n")


def _markers(d: Draft, plan: Plan, line: _Line) -> None:
    known = [k for k in d.case.markers if d.known(k)]
    if not known:
        return
    if plan.markers == "addendum":
        markers_pending(d)
        d.t("\n")
        return
    for key in known:
        if not states_here(d, plan, key):
            line.filler(key, d.pick(d.fam["addenda"]["her2_field"]))
            continue
        line.head(key)
        if key == "ki67":
            d.val(key, ki67_text(d))
        elif key == "her2":
            d.val(key, her2_text(d, "field"))
        else:
            d.val(key, receptor_text(d, key, "field"))
        d.t("\n")
        if key in MARKERS:
            legend(d, key)


def _stage(d: Draft, plan: Plan, line: _Line) -> None:
    p = ptnm(d)
    if p and d.chance(0.7):
        line.filler("stage", ("y" + p.replace(" pN", " ypN")) if plan.neoadjuvant else p)


_ITEMS: dict[str, Callable[[Draft, Plan, _Line], None]] = {
    "procedure": _procedure,
    "laterality": _laterality,
    "site": _site,
    "histology": _histology,
    "grade": _grade,
    "size": _size,
    "focality": _focality,
    "dcis": _dcis,
    "lvi": _lvi,
    "treatment": _treatment,
    "margins": _margins,
    "nodes": _nodes,
    "ene": _ene,
    "markers": _markers,
    "stage": _stage,
}
