"""Lymph-node counts as the classic layouts write them.

One rule holds in every report: the values of a count key's spans add up to the record.
Either each node specimen's counts are spanned once (``parts``), or one total is spanned and
the per-specimen counts, when written, are not (``total``).
"""

from __future__ import annotations

from collections.abc import Callable
from functools import partial

from pathsynth.domains.breast13.grammar.bank import cap, count_words
from pathsynth.domains.breast13.grammar.case import NodeSpecimen
from pathsynth.domains.breast13.grammar.draft import Draft
from pathsynth.domains.breast13.grammar.phrasing import value_text, yesno_text

ATT, PREL = "numero_gang_att", "numero_gang_prel"


def node_kind_label(d: Draft, spec: NodeSpecimen, upper: bool = False) -> str:
    if spec.kind == "sn" and spec.number:
        s = d.say(d.node_words["sn_num"], i=spec.number)
    else:
        side = d.case.side
        sides = ("gauches" if side == "gauche" else "droits") if d.fr else side
        s = d.say(d.node_words[spec.kind], side=side, sides=sides)
    return s.upper() if upper else s


def count(d: Draft, key: str, x: int, spanned: bool, words: bool = False) -> None:
    """A count in digits (or in words up to ten), spanned or plain."""
    text = count_words(d.lang)[x] if words and x <= 10 else str(x)
    if spanned:
        d.val(key, text)
    else:
        d.raw(text)


def node_counts(d: Draft, spec: NodeSpecimen, spanned: bool) -> None:
    """One specimen's counts (``k/n``, ``k of n``...), spanned or plain."""
    n, k = spec.prel, spec.att
    N, fr = d.node_words, d.fr
    if n == 0:
        # No node found: "aucun ganglion identifié (0/0)".
        d.t(d.pick(N["none_found"]))
        d.raw(" (")
        if k is not None:
            count(d, ATT, k, spanned)
            d.raw("/")
        count(d, PREL, 0, spanned)
        d.raw(")")
    elif n is not None and k is not None:
        form = d.between(0, 5)
        if form == 0:
            count(d, ATT, k, spanned)
            d.raw("/")
            count(d, PREL, n, spanned)
        elif form == 1:
            count(d, ATT, k, spanned)
            d.raw("N+/" if fr else "+/")
            count(d, PREL, n, spanned)
            d.raw("N" if fr else "")
        elif form == 2 and k > 0:
            count(d, ATT, k, spanned)
            d.t(f" {N['meta_one'] if k == 1 else N['meta_many']} sur " if fr else " of ")
            count(d, PREL, n, spanned)
            if not fr:
                d.t(f" {'lymph node' if n == 1 else 'lymph nodes'} positive for metastasis")
        elif form == 3:
            count(d, PREL, n, spanned)
            d.t(f" {N['examined_one'] if n == 1 else N['examined_many']}, ")
            count(d, ATT, k, spanned)
            if fr:
                d.t(" métastatiques" if k > 1 else " métastatique")
            else:
                d.t(" with metastasis" if k else " positive")
        elif form == 4 and n <= 10 and k <= 10:
            # Numbers in words: "deux ganglions, aucun métastatique".
            count(d, PREL, n, spanned, words=True)
            if fr:
                d.t(" ganglion" if n == 1 else " ganglions")
                d.t(d.pick((", ", " dont ")))
                count(d, ATT, k, spanned, words=True)
                d.t(" métastatique" if k <= 1 else " métastatiques")
            else:
                d.t(" lymph node" if n == 1 else " lymph nodes")
                d.t(d.pick((", ", "; ")))
                count(d, ATT, k, spanned, words=True)
                d.t(" with metastasis" if k else " positive")
        else:
            if k == 0:
                d.t(d.pick(N["neg_one"] if n == 1 else N["neg_many"]))
            else:
                d.t(d.pick(N["pos_one"] if k == 1 else N["pos_many"]))
            d.raw(" (")
            count(d, ATT, k, spanned)
            d.raw("/")
            count(d, PREL, n, spanned)
            d.raw(")")
    elif n is not None:
        count(d, PREL, n, spanned)
        d.t(f" {N['examined_one'] if n == 1 else N['examined_many']}")
    elif k is not None:
        count(d, ATT, k, spanned)
        d.t(f" {N['meta_one'] if k == 1 else N['meta_many']}")
    if spec.micro:
        d.t(d.say(N["micro"], mm=d.small_mm(0.3, 1.9)))
    if spec.itc:
        d.t(d.pick(N["itc"]))


def total_spec(d: Draft) -> NodeSpecimen:
    return NodeSpecimen("ln", d.case.int(PREL), d.case.int(ATT))


def node_lines(d: Draft, spanned: bool, bullet: str = "") -> None:
    """One line per node specimen, ``Label : k/n``."""
    for spec in d.case.nodes:
        d.t(bullet + cap(node_kind_label(d, spec)) + d.sep())
        node_counts(d, spec, spanned)
        rupture_after(d, spec)
        d.t("\n")


def node_prose(d: Draft, spanned: bool) -> None:
    """Node specimens as sentences."""
    for spec in d.case.nodes:
        d.t(cap(node_kind_label(d, spec)) + (" : " if d.fr else ": "))
        node_counts(d, spec, spanned)
        rupture_after(d, spec)
        d.t(". ")


def rupture_after(d: Draft, spec: NodeSpecimen) -> None:
    if d.done.rupture or not d.known("rupture_capsulaire"):
        return
    if spec.att:
        d.t(", ")
        d.val("rupture_capsulaire", yesno_text(d, "rupture_capsulaire", "prose"))
        d.done.rupture = True


def nodes_total(d: Draft, ctx: str) -> None:
    """The node totals as one statement (spanned)."""
    if ctx != "field":
        d.t(d.pick(d.node_words["total_intro"]))
    node_counts(d, total_spec(d), spanned=True)
    if d.known("rupture_capsulaire") and not d.done.rupture:
        d.t(", ")
        d.val("rupture_capsulaire", yesno_text(d, "rupture_capsulaire", "prose"))
        d.done.rupture = True


def nodes_block(d: Draft, where: str) -> None:
    """Write the node counts once, as sentences (``prose``) or lines (``lines``)."""
    if d.done.nodes:
        return
    d.done.nodes = True
    end = ".\n" if where == "lines" else ". "
    if d.case.nodes and d.case.node_mode == "total":
        if d.chance(0.6):
            if where == "lines":
                node_lines(d, spanned=False)
            else:
                node_prose(d, spanned=False)
        nodes_total(d, "prose")
        d.t(end)
    elif where == "lines":
        node_lines(d, spanned=True)
    else:
        node_prose(d, spanned=True)
    rupture_alone(d, where)


def rupture_alone(d: Draft, where: str, bullet: str = "") -> None:
    if d.done.rupture:
        return
    if d.known("rupture_capsulaire"):
        d.done.rupture = True
        if where == "lines":
            d.t(bullet + d.label("rupture_capsulaire") + d.sep())
            d.val("rupture_capsulaire", yesno_text(d, "rupture_capsulaire", "field"))
            d.t("\n")
        else:
            d.val("rupture_capsulaire", cap(yesno_text(d, "rupture_capsulaire", "prose")))
            d.t(". ")
    elif d.case.nodes and d.rec.get(ATT) == 0 and d.chance(0.15):
        # What real reports say when no node is metastatic; written intact so that noise
        # cannot turn "not applicable" into anything else.
        d.raw((bullet if where == "lines" else "") + d.pick(d.node_words["not_applicable"]))
        d.t("\n" if where == "lines" else ". ")


def frozen_section(d: Draft) -> None:
    """An intra-operative sentinel node result (no counts: they are written once)."""
    sn = [s for s in d.case.nodes if s.kind == "sn"]
    if not sn or not d.chance(0.2):
        return
    forms = d.node_words["frozen"]
    all_negative = all(s.att == 0 for s in sn)
    d.t((d.pick(forms) if all_negative else d.pick(forms[1:])) + "\n")


def node_fields(d: Draft, bullet: str = "") -> None:
    """Node counts as checklist lines (totals in separate lines, or per specimen)."""
    if d.done.nodes:
        return
    d.done.nodes = True
    N = d.node_words
    specs = d.case.nodes
    if specs and (d.case.node_mode == "total" or len(specs) == 1):
        prel, att = d.case.int(PREL), d.case.int(ATT)
        if d.chance(0.5):
            if prel is not None:
                d.t(bullet + d.label(PREL, N["label_examined"]) + d.sep())
                d.val(PREL, str(prel))
                d.t("\n")
            if att is not None:
                d.t(bullet + d.label(ATT, N["label_positive"]) + d.sep())
                d.val(ATT, str(att))
                d.t("\n")
        else:
            d.t(bullet + d.pick(N["label_combined"]) + d.sep())
            nodes_total(d, "field")
            if len(specs) > 1 and d.chance(0.5):
                d.raw(" (")
                for i, spec in enumerate(specs):
                    if i:
                        d.raw(" ; " if d.fr else "; ")
                    d.t(node_kind_label(d, spec) + " ")
                    node_counts(d, NodeSpecimen(spec.kind, spec.prel, spec.att), False)
                d.raw(")")
            d.t("\n")
    elif specs:
        node_lines(d, spanned=True, bullet=bullet)
    rupture_alone(d, "lines", bullet)


def node_rows(d: Draft) -> list[tuple[str, Callable[[], None]]]:
    """Table rows for the node counts (per specimen or total) and extranodal extension."""
    d.done.nodes = True
    rows: list[tuple[str, Callable[[], None]]] = []
    if d.case.node_mode == "parts":
        for spec in d.case.nodes:
            rows.append((cap(node_kind_label(d, spec)), partial(node_counts, d, spec, True)))
    elif d.case.nodes:
        label = d.pick(d.node_words["label_combined"])
        rows.append((label, partial(node_counts, d, total_spec(d), True)))
    if d.known("rupture_capsulaire"):
        d.done.rupture = True
        rows.append(
            (
                d.label("rupture_capsulaire"),
                lambda: d.val("rupture_capsulaire", value_text(d, "rupture_capsulaire")),
            )
        )
    return rows


def ptnm(d: Draft) -> str:
    """pT / pN derived from the record (a distractor: it restates no value exactly)."""
    parts = []
    if d.known("taille"):
        t = float(d.rec["taille"])  # type: ignore[arg-type]
        parts.append(
            "pT1mi"
            if t <= 1
            else "pT1a"
            if t <= 5
            else "pT1b"
            if t <= 10
            else "pT1c"
            if t <= 20
            else "pT2"
            if t <= 50
            else "pT3"
        )
    att = d.case.int(ATT)
    if d.case.int(PREL) == 0:
        parts.append("pNx")
    elif att is not None and d.case.nodes:
        itc = any(s.itc for s in d.case.nodes)
        pn = (
            ("pN0(i+)" if itc else "pN0")
            if att == 0
            else "pN1a"
            if att <= 3
            else "pN2a"
            if att <= 9
            else "pN3a"
        )
        if all(s.kind == "sn" for s in d.case.nodes) and att <= 3:
            pn += "(sn)"
        parts.append(pn)
    if not parts:
        return ""
    if d.chance(0.3):
        parts.append("pMx" if d.chance(0.5) else "cM0")
    text = " ".join(parts)
    if d.chance(0.4):
        text += d.pick(d.words["stage_editions"])
    return text
