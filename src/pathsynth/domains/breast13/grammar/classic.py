"""The classic layouts: tidy one-specimen reports (sections, synoptic checklists, tables, one
paragraph, telegraphic notes, numbered specimens, core biopsies)."""

from __future__ import annotations

from collections.abc import Callable
from functools import partial

from pathsynth.domains.breast13.grammar.bank import MARKERS, cap
from pathsynth.domains.breast13.grammar.blocks import (
    benign_extra,
    dcis,
    gross,
    header,
    history,
    page_break,
    section,
    signature,
    technique,
)
from pathsynth.domains.breast13.grammar.case import NodeSpecimen
from pathsynth.domains.breast13.grammar.content import (
    FIELD_KEYS,
    checklist,
    conclusion_paragraph,
    emboles_margins,
    fields,
    ihc_compact_sentence,
    ihc_lines,
    ihc_prose,
    prose_value,
    specimen_line,
    tumour_sentence,
)
from pathsynth.domains.breast13.grammar.draft import Draft
from pathsynth.domains.breast13.grammar.nodes import (
    frozen_section,
    node_counts,
    node_kind_label,
    node_rows,
    nodes_block,
    ptnm,
    rupture_after,
    rupture_alone,
)
from pathsynth.domains.breast13.grammar.phrasing import (
    grade_text,
    margin_tail,
    margin_text,
    size_text,
    value_text,
    yesno_text,
)

#: The classic layouts and how often each is drawn ("biopsy": only for core biopsies).
LAYOUT_WEIGHTS = {
    "sections": 22,
    "sections_synoptic": 14,
    "synoptic": 16,
    "table": 10,
    "paragraph": 14,
    "compact": 10,
    "specimens": 14,
    "biopsy": 0,
}


def sections(d: Draft, synoptic: bool = False) -> None:
    """Clinical history / gross / microscopy / (IHC) / conclusion (/ synoptic)."""
    header(d)
    if d.chance(0.35):
        specimen_line(d)
    if d.chance(0.75):
        section(d, "clinical")
        history(d)
    section(d, "gross")
    gross(d)
    frozen_section(d)
    section(d, "micro")
    if d.chance(0.3):
        fields(d, ("diagnostic", "grade", "taille", "emboles", "marges_saines"))
    else:
        tumour_sentence(d)
        emboles_margins(d)
    dcis(d)
    benign_extra(d)
    page_break(d)
    if not synoptic and d.chance(0.6):
        d.t("\n")
        nodes_block(d, "prose")
    # Markers often come later, in an addendum: the conclusion then leaves them out.
    d.done.ihc_later = not synoptic and any(d.known(k) for k in MARKERS) and d.chance(0.1)
    separate_ihc = d.chance(0.5)
    if separate_ihc and not d.done.ihc_later:
        section(d, "ihc")
        technique(d)
        if d.chance(0.5):
            ihc_lines(d)
        else:
            ihc_prose(d)
    elif not synoptic and not d.done.ihc_later:
        d.t("\n")
        ihc_prose(d)
    section(d, "conclusion")
    # Conclusions are often typed in capitals inside an otherwise normal report.
    shout = d.style.case == "normal" and d.chance(0.15)
    if shout:
        d.out.set_case("upper")
    conclusion_paragraph(d, with_nodes=not synoptic)
    if shout:
        d.out.set_case("normal")
    if synoptic:
        section(d, "synoptic")
        checklist(d)
    signature(d)
    if d.done.ihc_later:
        d.t("\n" + d.say(d.words["ihc_addendum"], date=d.date()) + "\n")
        technique(d)
        ihc_lines(d, d.pick(("", "- ")))


def sections_synoptic(d: Draft) -> None:
    """Sections, then a synoptic checklist that restates the values."""
    sections(d, synoptic=True)


def synoptic(d: Draft) -> None:
    """A checklist of ``Label : value`` lines, with optional history and comment."""
    header(d)
    if d.chance(0.4):
        history(d)
        d.t("\n\n")
    checklist(d)
    if d.chance(0.3):
        mark = d.out.checkpoint()
        d.t("\n" + d.pick(d.words["comment"]))
        if not (dcis(d) | benign_extra(d)):
            d.out.rollback(mark)
    signature(d)


def table(d: Draft) -> None:
    """A two-column table: ``|`` pipes, tabs, dotted leaders, or OCR-split columns."""
    header(d)
    kind = d.pick(("pipe", "pipe", "tab", "tab", "dots", "dots", "columns"))
    rows: list[tuple[str, Callable[[], None]]] = []
    for key in FIELD_KEYS:
        if key == "NODES":
            rows.extend(node_rows(d))
        elif d.known(key):
            rows.append((d.label(key), partial(_cell, d, key)))
    if kind == "pipe":
        d.t(d.pick(d.words["table_head"]))
    if kind == "columns":
        # A table read column by column, as OCR often does: labels first, then values.
        for lab, _ in rows:
            d.t(lab + "\n")
        d.t("\n")
        for _, fn in rows:
            fn()
            d.t("\n")
    else:
        for lab, fn in rows:
            _row(d, kind, lab, fn)
    if d.chance(0.4):
        p = ptnm(d)
        if p:
            d.t("\n" + p + "\n")
    signature(d)


def _row(d: Draft, kind: str, lab: str, fn: Callable[[], None]) -> None:
    if kind == "pipe":
        d.t(f"| {lab} | ")
        fn()
        d.t(" |\n")
    elif kind == "tab":
        d.t(f"{lab}\t")
        fn()
        d.t("\n")
    else:
        d.t(lab + " " + "." * max(3, 28 - len(lab)) + " ")
        fn()
        d.t("\n")


def _cell(d: Draft, key: str) -> None:
    d.val(key, value_text(d, key, "field"))


def paragraph(d: Draft) -> None:
    """One paragraph of conclusion, possibly under a heading."""
    if d.chance(0.5):
        heads = ("CONCLUSION :\n", "Conclusion\n", "Diagnostic : ", "CONCLUSION : ")
        if not d.fr:
            heads = ("DIAGNOSIS:\n", "Final diagnosis: ", "IMPRESSION:\n", "DIAGNOSIS: ")
        d.t(d.pick(heads))
    conclusion_paragraph(d)
    if d.chance(0.3):
        d.t("\n")
        technique(d)
    signature(d)


def compact(d: Draft) -> None:
    """Telegraphic: abbreviations, few verbs, everything on a few lines."""
    if d.known("echantillon"):
        s = d.surface("echantillon")
        d.val("echantillon", cap(s))
        if d.chance(0.5):
            side = d.side[0].upper() if d.chance(0.5) else d.side_after(s).strip(" ,")
            d.t(" " + side)
        d.t(d.pick((" : ", " - ", ": ") if d.fr else (": ", " - ", ": ")))
    tumour = [k for k in ("diagnostic", "grade", "taille") if d.known(k)]
    for i, key in enumerate(tumour):
        if i:
            d.t(d.pick((" ", ", ")) if key == "grade" else d.pick((", ", " ")))
        if key == "diagnostic":
            d.val(key, d.surface(key))
        elif key == "grade":
            d.val(key, grade_text(d, "compact"))
        else:
            d.val(key, size_text(d))
    if tumour:
        d.t(". ")
    if d.known("emboles"):
        if d.chance(0.5):
            d.t("Emboles : " if d.fr else "LVI: ")
            d.val("emboles", yesno_text(d, "emboles", "field"))
        else:
            d.val("emboles", cap(yesno_text(d, "emboles", "prose")))
        d.t(". ")
    if d.known("marges_saines"):
        d.val("marges_saines", cap(margin_text(d, "prose")))
        d.t(margin_tail(d) + ". ")
    d.t("\n")
    nodes_block(d, "prose")
    d.t("\n")
    ihc_compact_sentence(d)
    if d.chance(0.6):
        p = ptnm(d)
        if p:
            d.t("\n" + p)


def specimens(d: Draft) -> None:
    """Numbered specimens (nodes first or last), each with its own findings."""
    header(d)
    if d.chance(0.5):
        section(d, "clinical")
        history(d)
        d.t("\n\n")
    upper = not d.fr and d.chance(0.6)
    section(d, "results")
    d.done.nodes = True
    parts: list[Callable[[str], None]] = [
        partial(_node_part, d, spec=spec, upper=upper) for spec in d.case.nodes
    ]
    parts.append(partial(_breast_part, d, upper=upper))
    if d.chance(0.3):
        parts.reverse()
    tags = d.pick(("letter", "paren", "dot", "word", "slash"))
    for i, part in enumerate(parts):
        tag = {
            "letter": "ABCDEFGH"[i] + ". ",
            "paren": f"{i + 1}) ",
            "dot": f"{i + 1}. ",
            "word": d.words["specimen_word"].format(i=i + 1),
            "slash": f"{i + 1}/ ",
        }[tags]
        part(tag)
        d.t("\n")
    rupture_alone(d, "prose")
    signature(d)


def biopsy(d: Draft) -> None:
    """A core-biopsy report: the cores, the tumour "on this material", the markers."""
    B = d.words["biopsy"]
    header(d)
    if d.chance(0.5):
        section(d, "clinical")
        history(d)
    section(d, "micro")
    if d.known("echantillon"):
        spec = d.surface("echantillon")
        head = d.pick(B["head"])
        before, after = head.split("{spec}")
        fill = {"side": d.side, "n": d.between(2, 6)}
        d.t(cap(before.format(**fill)))
        d.val("echantillon", spec if before else cap(spec))
        d.t(after.format(**fill) + (" :\n" if d.fr else ":\n"))
    tumour_sentence(d)
    if d.known("grade") and d.chance(0.4):
        d.t(d.pick(B["grade_note"]))
    dcis(d)
    if d.known("emboles"):
        d.val("emboles", cap(yesno_text(d, "emboles", "prose")))
        d.t(d.pick(B["material"]) + ". ")
    if d.known("marges_saines"):
        prose_value(d, "marges_saines")
        d.t(" ")
    benign_extra(d)
    if d.case.nodes or d.known("rupture_capsulaire"):
        d.t("\n")
        nodes_block(d, "prose")
    if any(d.known(k) for k in MARKERS):
        section(d, "ihc")
        technique(d)
        ihc_lines(d, d.pick(("", "- ")))
    if d.chance(0.5):
        section(d, "conclusion")
        conclusion_paragraph(d)
    signature(d)


def _node_part(d: Draft, tag: str, spec: NodeSpecimen, upper: bool) -> None:
    d.t(tag + cap(node_kind_label(d, spec, upper)))
    if d.fr:
        d.t(" (exérèse) :\n   - " if d.chance(0.3) else " : ")
    else:
        d.t(", EXCISION:\n   - " if upper else ", excision: ")
    node_counts(d, spec, spanned=True)
    rupture_after(d, spec)
    d.t(".")


def _breast_part(d: Draft, tag: str, upper: bool) -> None:
    bullet = "\n   - "
    head = d.words["breast"].format(side=d.side)
    d.t(tag + (head.upper() if upper else head))
    if d.known("echantillon"):
        d.t(", ")
        s = d.surface("echantillon")
        d.val("echantillon", s.upper() if upper else s)
    d.t(" :" if d.fr else ":")
    items: list[Callable[[], bool]] = []
    if any(d.known(k) for k in ("diagnostic", "grade", "taille")):
        items.append(partial(tumour_sentence, d))
    if d.known("emboles"):
        items.append(partial(prose_value, d, "emboles"))
    if d.known("marges_saines"):
        items.append(partial(prose_value, d, "marges_saines"))
    if any(d.known(k) for k in MARKERS):
        items.append(partial(ihc_compact_sentence, d))
    if d.chance(0.5):
        items.insert(min(1, len(items)), partial(dcis, d))
    p = ptnm(d) if d.chance(0.5) else ""
    if p:
        items.append(partial(_filler, d, p))
    for item in items:
        mark = d.out.checkpoint()
        d.t(bullet)
        if not item():
            d.out.rollback(mark)


def _filler(d: Draft, text: str) -> bool:
    d.t(text)
    return True


#: Layout name -> writer function.
LAYOUTS: dict[str, Callable[[Draft], None]] = {
    "sections": sections,
    "sections_synoptic": sections_synoptic,
    "synoptic": synoptic,
    "table": table,
    "paragraph": paragraph,
    "compact": compact,
    "specimens": specimens,
    "biopsy": biopsy,
}
