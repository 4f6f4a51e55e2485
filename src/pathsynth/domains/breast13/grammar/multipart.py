"""Statements multi-part reports share (``cap`` and ``chu`` families): node counts of one
part, the tumour line, margins told by the case's story, markers, legends, addenda.

Node counts follow one rule per report, decidable from the text: when the report has a
checklist (synoptic / minimal data) its totals are the counted mentions; otherwise each node
part's counts in the final diagnosis / conclusion are. Any other mention (frozen section,
microscopy, gross, restatements in words next to a fraction) is written unspanned.
"""

from __future__ import annotations

from pathsynth.domains.breast13.grammar.bank import BREAST_KEYS, COUNT_KEYS, ROMAN, cap, count_words
from pathsynth.domains.breast13.grammar.case import NodeSpecimen
from pathsynth.domains.breast13.grammar.draft import Draft, slot_names
from pathsynth.domains.breast13.grammar.gross import section
from pathsynth.domains.breast13.grammar.parts import Plan
from pathsynth.domains.breast13.grammar.phrasing import (
    grade_text,
    her2_text,
    ki67_text,
    receptor_text,
    size_text,
    value_text,
    yesno_text,
)

ATT, PREL = "numero_gang_att", "numero_gang_prel"


def _word(d: Draft, x: int) -> str:
    return count_words(d.lang)[x] if x < 100 else str(x)


def node_statement(d: Draft, spec: NodeSpecimen, counted: bool, pool: str = "") -> None:
    """One node part's counts from the family's ``node_lines`` templates.

    Slots ``k``/``n``/``kw``/``nw`` (digits or words), ``mac``/``mic`` (macro- and
    micrometastases) are the counted mention, spanned when ``counted``; ``k_``, ``n_``,
    ``kw_``, ``nw_`` restate them and are never spanned.
    """
    L = d.fam["node_lines"]
    n, k = spec.prel, spec.att
    if not pool:
        if n == 0:
            pool = "none_found"
        elif n is not None and k is not None:
            if k == 0:
                pool = "neg_one" if n == 1 else "neg"
            elif spec.micro and k > spec.micro:
                pool = "pos_micro"
            else:
                pool = "pos_one" if n == 1 else "pos_all" if k == n else "pos"
        else:
            pool = "n_only" if n is not None else "k_only"
    slots: dict[str, str | tuple[str, str]] = {}
    for name, key, x in (("k", ATT, k), ("n", PREL, n)):
        if x is None:
            continue
        digits, words = str(x), _word(d, x)
        slots[name] = (key, digits) if counted else digits
        slots[name + "w"] = (key, words) if counted else words
        slots[name + "_"] = digits
        slots[name + "w_"] = words
    if k:
        mic = spec.micro
        slots["mac"] = (ATT, str(k - mic)) if counted else str(k - mic)
        slots["mic"] = (ATT, str(mic)) if counted else str(mic)
        slots["macw"] = (ATT, _word(d, k - mic)) if counted else _word(d, k - mic)
        slots["micw"] = (ATT, _word(d, mic)) if counted else _word(d, mic)
    slots["mm"] = d.num(round(d.rng.uniform(0.3, 1.9), 1))
    slots["cm"] = d.num(round(d.rng.uniform(0.3, 2.5), 1))
    # A template fits when it has every slot it uses and, for a counted mention, states
    # every count this part has (so the spans add up).
    need = {name for name, x in (("k", k), ("n", n)) if x is not None} if counted else set()
    fits = [t for t in L[pool] if _fits(t, slots.keys(), need)]
    if not fits:
        fits = [
            t for t in L["n_only" if n is not None else "k_only"] if _fits(t, slots.keys(), set())
        ]
    d.fill(d.pick(fits), **slots)
    if spec.itc:
        d.t(d.pick(L["itc"]))


def _fits(template: str, have: object, need: set[str]) -> bool:
    names = slot_names(template)
    if not names <= have:  # type: ignore[operator]
        return False
    if "k" in need and not names & {"k", "kw", "mac"}:
        return False
    return not ("n" in need and not names & {"n", "nw"})


def ene_after(d: Draft, spec: NodeSpecimen, ctx: str = "prose") -> None:
    """Extranodal extension after a positive part, once per report (spanned)."""
    if d.done.rupture or not d.known("rupture_capsulaire") or not spec.att:
        return
    d.t(d.pick(d.fam["joints"]["ene"]))
    d.val("rupture_capsulaire", yesno_text(d, "rupture_capsulaire", ctx))
    d.done.rupture = True


def tumour_line(d: Draft, plan: Plan, *, repeat: float = 1.0) -> bool:
    """Histologic type, grade and size of the invasive tumour in one line (what is known)."""
    B = d.fam["tumour"]
    keys = [k for k in ("diagnostic", "grade", "taille") if d.says(k, repeat)]
    if not keys:
        return False
    if "diagnostic" in keys:
        s = d.surface("diagnostic")
        d.val("diagnostic", cap(s) if d.at_start() else s)
    else:
        d.t(d.pick(B["no_type"]))
    order = ["grade", "taille"] if d.chance(0.7) else ["taille", "grade"]
    for key in order:
        if key not in keys:
            continue
        if key == "grade":
            d.t(d.pick(B["before_grade"]))
            d.val("grade", grade_text(d, "prose"))
            g = int(d.rec["grade"])  # type: ignore[arg-type]
            if d.chance(0.25):
                d.t(d.pick(B["differentiation"][g - 1]))
        else:
            d.t(d.pick(B["before_size"]))
            d.val("taille", size_text(d))
            if plan.other_foci:
                others = ", ".join(d.mm_text(x) for x in plan.other_foci)
                d.t(d.say(B["foci"], n=len(plan.other_foci) + 1, others=others))
            elif d.chance(0.3):
                d.t(d.pick(B["size_tail"]))
    return True


def margin_statement(d: Draft, plan: Plan, where: str) -> bool:
    """The margins as the case's story tells them in ``where``: ``breast`` (the breast part
    of a final diagnosis), ``final`` (a comment) or ``field`` (a checklist cell). A breast-part
    statement superseded by a re-excision is written unspanned."""
    if not d.known("marges_saines"):
        return False
    M = d.vals["margins"]
    fill = {
        "side": d.case.margin_side,
        "d": f"{d.case.margin_mm} mm",
        "close": d.num(plan.close_mm),
    }
    story = plan.margin_story
    if where == "breast" and story == "reexcised":
        pool = "superseded_involved" if plan.first_involved else "superseded_close"
        d.t(d.say(M[pool], **fill))
        return True
    if story == "reexcised":
        pool = "final_clear" if d.rec["marges_saines"] == "yes" else "final_involved"
    else:
        pool = story
    if where == "field":
        pool += "_field"
    text = d.say(M[pool], **fill)
    d.val("marges_saines", cap(text) if d.at_start() else text)
    if where != "field" and story in ("clear", "involved") and d.chance(0.4):
        d.t(d.say(M["clear_tail" if story == "clear" else "involved_tail"], **fill))
    return True


def lvi_statement(d: Draft) -> bool:
    if not d.known("emboles"):
        return False
    text = yesno_text(d, "emboles", "prose")
    d.val("emboles", cap(text) if d.at_start() else text)
    return True


def marker_items(d: Draft, plan: Plan, ctx: str = "field") -> list[tuple[str, str]]:
    """``(key, value text)`` of the markers stated with the diagnosis (not in addenda)."""
    out = []
    for key in d.case.markers:
        if not d.known(key) or not states_here(d, plan, key):
            continue
        if key == "ki67":
            out.append((key, ki67_text(d)))
        elif key == "her2":
            out.append((key, her2_text(d, ctx)))
        else:
            out.append((key, receptor_text(d, key, ctx)))
    return out


def states_here(d: Draft, plan: Plan, key: str) -> bool:
    """Whether marker ``key`` is reported in the body (not only in a later addendum)."""
    if plan.markers == "addendum":
        return False
    return not (plan.markers == "fish" and key == "her2")


def legend(d: Draft, key: str) -> None:
    """A scoring legend printed with a result (a distractor full of scores and classes)."""
    if d.known(key) and d.chance(0.08 + 0.25 * d.style.distractors):
        d.t(d.pick(d.fam["legends"][key]))


def tumour_description(d: Draft) -> str:
    """A microscopic description of the tumour's look, from the bank's pieces (no value)."""
    B = d.fam["micro_bits"]
    return " ".join(d.pick(B[part]) for part in ("arch", "cells", "stroma") if d.chance(0.85))


def her2_pending(d: Draft) -> None:
    """HER2 by IHC equivocal, the in situ hybridization to follow (not a value)."""
    d.t(d.pick(d.fam["addenda"]["her2_equivocal"]))


def fish_addendum(d: Draft) -> None:
    """The in situ hybridization result of an equivocal HER2 (the value's span)."""
    A = d.fam["addenda"]
    h = d.case.her2
    assert h is not None
    amplified = d.rec["her2"] == "positive"
    block = f"{d.pick('ABC')}{d.between(1, 9)}"
    d.t(d.say(A["fish_intro"], date=d.date(), block=block))
    d.t(d.say(A["fish_numbers"], ratio=h.ratio, copies=h.copies, cep17=h.cep17))
    d.val("her2", d.pick(A["fish_pos" if amplified else "fish_neg"]))
    d.t(". ")
    legend(d, "fish")


def receptors_addendum(d: Draft, plan: Plan) -> None:
    """Markers reported after the main report (the markers' spans)."""
    A = d.fam["addenda"]
    d.t(d.say(A["markers_intro"], date=d.date()))
    for key in d.case.markers:
        if not d.known(key):
            continue
        if key == "her2" and plan.markers == "fish":
            continue
        d.t(d.pick(d.fam["marker_labels"][key]))
        if key == "ki67":
            d.val(key, ki67_text(d))
        elif key == "her2":
            d.val(key, her2_text(d, "field"))
        else:
            d.val(key, receptor_text(d, key, "field"))
        d.t("\n")
        legend(d, key)


def markers_pending(d: Draft) -> None:
    """Markers announced for later (no value: the addendum gives them)."""
    d.t(d.pick(d.fam["addenda"]["pending"]))


def prior_biopsy(d: Draft, plan: Plan) -> None:
    """What an earlier core biopsy showed: a distractor (another specimen, another time)."""
    P = d.fam["prior"]
    bits = [d.say(P["intro"], num=d.case_number(), date=d.date())]
    if plan.prior_grade is not None:
        g = plan.prior_grade
        bits.append(d.say(P["grade"], g=g, rn=ROMAN[g]))
    if all(d.known(k) for k in ("re", "rp", "her2")) and d.chance(0.35):
        # The core's markers: same statuses, other figures (another specimen, another lab).
        figures = {
            k: f"{max(1, min(100, d.case.pct.get(k, 0) + d.pick((-20, -10, 0, 10))))} %"
            if d.rec[k] == "positive"
            else "0 %"
            for k in ("re", "rp")
        }
        her2 = "3+" if d.rec["her2"] == "positive" else d.pick(("0", "1+"))
        bits.append(d.say(P["results"], re=figures["re"], rp=figures["rp"], her2=her2))
    elif d.chance(0.4):
        bits.append(d.pick(P["markers"]))
    d.t(" ".join(bits))


def dcis_line(d: Draft, plan: Plan) -> bool:
    """The in situ component with its own size and nuclear grade (a distractor)."""
    if plan.dcis is None:
        return False
    ng, ext = plan.dcis
    D = d.fam["dcis"]
    if d.rec.get("diagnostic") == "8520/3":
        d.t(d.pick(D["lobular"]))
        return True
    d.t(
        d.say(
            D["forms"],
            ng=ng,
            rn=ROMAN[ng],
            ngw=D["grade_words"][ng - 1],
            ext=d.mm_text(float(ext)),
            pattern=d.pick(D["patterns"]),
            share=d.pick((5, 10, 15, 20, 30)),
        )
    )
    return True


def cover(d: Draft, plan: Plan) -> None:
    """Values no section has stated (short reports, node-only cases): summary lines, so
    every known value has a span. Markers an addendum will give are left to it."""
    later = {"addendum": ("re", "rp", "her2", "ki67"), "fish": ("her2",)}.get(plan.markers, ())
    missing = [
        k
        for k in BREAST_KEYS
        if k not in COUNT_KEYS and k not in later and d.known(k) and k not in d.done.written
    ]
    if not missing:
        return
    section(d, "summary")
    for key in missing:
        d.t(d.label(key) + d.sep())
        if key == "marges_saines":
            margin_statement(d, plan, "field")
        else:
            d.val(key, value_text(d, key, "field"))
        d.t("\n")
    d.done.rupture = True
