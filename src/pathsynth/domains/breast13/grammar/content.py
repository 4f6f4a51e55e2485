"""Content of the classic layouts: the tumour sentence, invasion and margins, the markers,
checklist lines and the one-paragraph conclusion."""

from __future__ import annotations

from collections.abc import Sequence

from pathsynth.domains.breast13.grammar.bank import MARKERS, cap, fmt_num, no_ductal
from pathsynth.domains.breast13.grammar.blocks import dcis
from pathsynth.domains.breast13.grammar.draft import Draft
from pathsynth.domains.breast13.grammar.nodes import node_fields, nodes_block, ptnm
from pathsynth.domains.breast13.grammar.phrasing import (
    grade_text,
    her2_text,
    hot_spot,
    ki67_text,
    margin_tail,
    margin_text,
    receptor_text,
    size_text,
    value_text,
    yesno_text,
)

#: Checklist order of the classic layouts; NODES stands for the node lines.
FIELD_KEYS = (
    "echantillon",
    "diagnostic",
    "grade",
    "taille",
    "emboles",
    "marges_saines",
    "NODES",
    "re",
    "rp",
    "her2",
    "ki67",
)


def tumour_sentence(d: Draft, repeat: float = 1.0) -> bool:
    """Diagnostic, grade and size in one sentence (what is known of them).

    A value already written elsewhere is restated with probability ``repeat``.
    """
    T = d.words
    say = {k for k in ("diagnostic", "grade", "taille") if d.says(k, repeat)}
    if not say:
        return False
    if "diagnostic" in say:
        intro = d.pick(T["tumour_intro"])
        d.t(cap(intro) if d.at_start() else intro)
        s = d.surface("diagnostic")
        d.val("diagnostic", cap(s) if d.at_start() else s)
        if d.rec["diagnostic"] == "8500/3" and d.chance(0.1) and no_ductal(s):
            d.t(d.pick(T["nst_tail"]))
    else:
        d.t(d.pick(T["tumour_none"]))
    size_first = d.chance(0.3)
    if "grade" in say and not size_first:
        tumour_grade(d)
    if "taille" in say:
        t = float(d.rec["taille"])  # type: ignore[arg-type]
        if t >= 8 and d.chance(0.05):
            # Several foci: the record holds the largest; the others are distractors.
            d.t(", " + d.say(T["multifocal"], n=d.between(2, 3)).lower())
            d.val("taille", size_text(d))
            other = d.mm_text(max(1.0, round(t * d.rng.uniform(0.2, 0.7))))
            d.t(d.say(T["multifocal_tail"], other=other))
        else:
            d.t(d.pick(T["before_size"]))
            d.val("taille", size_text(d))
            if d.chance(0.3):
                d.t(d.pick(T["size_tail"]))
    if "grade" in say and size_first:
        tumour_grade(d)
    d.t(". ")
    return True


def tumour_grade(d: Draft) -> None:
    d.t(d.pick(d.words["before_grade"]))
    g = grade_text(d, "prose")
    if d.fr and d.out.tail(4) == " de " and not g.startswith("grade"):
        g = "grade " + g
    d.val("grade", g)


def emboles_margins(d: Draft, repeat: float = 1.0) -> None:
    margins = d.says("marges_saines", repeat)
    if d.says("emboles", repeat):
        d.val("emboles", cap(yesno_text(d, "emboles", "prose")))
        joined = margins and d.chance(0.25)
        d.t(d.pick((", ", "; ")) if joined else ". ")
        if joined:
            d.val("marges_saines", margin_text(d, "prose"))
            d.t(margin_tail(d) + ". ")
            return
    if margins:
        d.val("marges_saines", cap(margin_text(d, "prose")))
        d.t(margin_tail(d) + ". ")


def prose_value(d: Draft, key: str) -> bool:
    """A yes/no value as a short sentence (``Absence d'emboles.``, ``Margins clear.``)."""
    if key == "marges_saines":
        d.val(key, cap(margin_text(d, "prose")))
        d.t(margin_tail(d) + ".")
    else:
        d.val(key, cap(yesno_text(d, key, "prose")))
        d.t(".")
    return True


def marker_statement(d: Draft, key: str, style: str) -> None:
    """One marker as ``Label : value`` (``style`` field) or compact (``RE+ 90%``)."""
    if key == "ki67":
        K = d.vals["ki67"]
        d.t(d.pick(K["intro"] if style == "field" else K["compact"]))
        d.val(key, ki67_text(d))
        hot_spot(d)
    elif style == "compact" and d.chance(0.6):
        d.val(key, receptor_text(d, key, "compact") if key != "her2" else her2_text(d, "compact"))
    else:
        if key == "her2":
            d.t(d.label("her2") + d.pick((" : ", " ", " - ") if d.fr else (": ", " ")))
        elif style == "compact":
            d.t(d.pick(d.vals["receptor"]["short"][key]) + " ")
        else:
            d.t(d.label(key) + d.sep())
        d.val(key, value_text(d, key, "field"))


def ihc_prose(d: Draft) -> None:
    for key in d.case.markers:
        if d.known(key):
            marker_statement(d, key, "compact" if d.chance(0.2) else "field")
            d.t(d.pick((". ", ". ", "; ", ".\n")))


def ihc_lines(d: Draft, bullet: str = "") -> None:
    for key in d.case.markers:
        if d.known(key):
            d.t(bullet + d.label(key) + d.sep())
            d.val(key, value_text(d, key, "field"))
            d.t("\n")


def ihc_compact_sentence(d: Draft) -> bool:
    """Markers in one sentence (``RE+ 90%, RP 0%, HER2 1+, Ki67 20%``)."""
    keys = [k for k in d.case.markers if d.known(k)]
    if not keys:
        return False
    d.t(d.pick(d.words["ihc_intro"]))
    if d.known("re") and d.known("rp") and d.chance(0.12):
        # "ER/PR: +/-": one label, two values.
        d.t("RE/RP : " if d.fr else d.pick(("ER/PR: ", "ER/PgR: ")))
        for i, key in enumerate(("re", "rp")):
            if i:
                d.raw("/")
            d.val(key, "+" if d.rec[key] == "positive" else "-")
        keys = [k for k in keys if k not in ("re", "rp")]
        if keys:
            d.raw(", ")
    grouped = d.known("re") and d.known("rp") and d.chance(0.2) and "re" in keys
    for i, key in enumerate(keys):
        if i:
            d.raw(", " if not (grouped and key == "her2") else " ; " if d.fr else "; ")
        if grouped and key == "re":
            d.t(d.pick(d.words["hormone_group"]))
        marker_statement(d, key, "compact")
    d.t(". ")
    return True


def field(d: Draft, key: str, bullet: str = "") -> None:
    """One ``Label : value`` line of a checklist."""
    if key in ("numero_gang_prel", "numero_gang_att", "rupture_capsulaire") or not d.known(key):
        return
    if key == "grade" and d.chance(0.2):
        a, b, c = d.case.triple or (1, 1, 1)
        d.t(bullet + d.say(d.words["cap_components"], a=a, b=b, c=c) + "\n")
    if key in ("taille", "ki67") and d.chance(0.12):
        # The unit in the label, a bare number as the value: "Taille (mm) : 28".
        x = float(d.rec[key])  # type: ignore[arg-type]
        unit = " (mm)" if key == "taille" else " (%)"
        d.t(bullet + d.label(key) + unit + d.sep())
        d.val(key, fmt_num(x, d.style.comma, 1))
        d.t("\n")
        return
    d.t(bullet + d.label(key) + d.sep())
    text = value_text(d, key, "field")
    d.val(key, text)
    if key == "diagnostic" and d.rec[key] == "8500/3" and d.chance(0.15) and no_ductal(text):
        d.t(d.pick(d.words["nst_tail"]))
    if key == "echantillon" and d.chance(0.4):
        d.t(d.side_after(text))
    elif key == "marges_saines":
        d.t(margin_tail(d))
    d.t("\n")


def fields(d: Draft, keys: Sequence[str], bullet: str = "") -> None:
    """Checklist lines for ``keys`` (inside a section written as prose otherwise)."""
    if d.out.tail(1) not in ("", "\n"):
        d.t("\n")
    for key in keys:
        field(d, key, bullet)


def specimen_line(d: Draft) -> None:
    """``Nature du prélèvement : tumorectomie gauche + ganglion sentinelle``."""
    if not d.known("echantillon"):
        return
    d.t(d.pick(d.words["specimen_line"]))
    s = d.surface("echantillon")
    d.val("echantillon", s)
    d.t(d.side_after(s))
    kinds = [spec.kind for spec in d.case.nodes]
    if kinds and d.chance(0.8):
        d.t(d.pick(d.words["specimen_nodes"][kinds[0]]))
    d.t("\n\n")


def checklist(d: Draft, bullet: str | None = None) -> None:
    """``Label : value`` lines in a partly shuffled order."""
    if bullet is None:
        bullet = d.pick(("", "", "- ", "* ", "• ", "+ ", "[x] "))
    keys = list(FIELD_KEYS)
    if d.chance(0.4):
        # Local swaps: real checklists follow a house order, rarely a random one.
        for _ in range(3):
            i = d.rng.randrange(len(keys) - 1)
            keys[i], keys[i + 1] = keys[i + 1], keys[i]
    for _ in range(int(d.style.distractors * 4 * d.rng.random())):
        # Checklist items that are not values: laterality, focality, skin, calcifications.
        keys.insert(d.rng.randrange(len(keys) + 1), "EXTRA")
    extras = list(d.words["synoptic_extra"])
    for key in keys:
        if key == "NODES":
            node_fields(d, bullet)
        elif key == "EXTRA":
            item = extras.pop(int(d.rng.random() * len(extras)))
            q = d.say(d.words["quadrants"], h=d.between(1, 12), d=d.between(1, 6))
            d.t(bullet + item.format(side=d.side, q=q) + "\n")
        else:
            field(d, key, bullet)
    if d.chance(0.5):
        p = ptnm(d)
        if p:
            d.t(bullet + d.pick(d.words["stage_label"]) + d.sep() + p + "\n")


def conclusion_paragraph(d: Draft, with_nodes: bool = True) -> None:
    """A one-paragraph conclusion: specimen, tumour, margins, nodes, markers, pTNM."""
    if d.known("echantillon"):
        s = d.surface("echantillon")
        d.val("echantillon", cap(s))
        d.t(d.side_after(s) if d.chance(0.5) else "")
        d.t(d.pick((" : ", ". ", " - ") if d.fr else (": ", ". ", " - ")))
    # Conclusions summarise: values stated above are not always restated.
    tumour_sentence(d, repeat=0.75)
    if d.chance(0.5):
        dcis(d)
    emboles_margins(d, repeat=0.6)
    if with_nodes:
        nodes_block(d, "prose")
    unwritten = any(d.known(k) and k not in d.done.written for k in MARKERS)
    if not d.done.ihc_later and (d.chance(0.5) or unwritten):
        ihc_compact_sentence(d)
    if d.chance(0.5):
        p = ptnm(d)
        if p:
            d.t(p + ". ")
