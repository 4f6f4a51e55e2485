"""Value phrasing: the words that state one record value (they become the value's span).

Each function returns the text of one statement drawn from the phrase bank, in the facts of
the case (one HER2 class, one stained-cell share, one set of Nottingham scores per report).
"""

from __future__ import annotations

from pathsynth.domains.breast13.grammar.bank import GRADE_RANGES, ROMAN, fmt_num
from pathsynth.domains.breast13.grammar.draft import Draft


def size_text(d: Draft) -> str:
    """The tumour size, sometimes as two or three dimensions with the largest first."""
    t = float(d.rec["taille"])  # type: ignore[arg-type]
    unit = d.style.unit if t.is_integer() else "mm"
    if t >= 4 and d.chance(0.2):
        scale = 10.0 if unit == "cm" else 1.0
        digits = 1 if unit == "cm" else 0
        big = t / scale
        d2 = max(1 / scale, round(big * d.rng.uniform(0.45, 0.9), digits))
        d3 = max(1 / scale, round(d2 * d.rng.uniform(0.5, 0.95), digits))
        x = d.pick((" x ", " x ", "x", " × "))
        sp = " " if d.chance(0.8) else ""
        dims = [d.num(big), d.num(d2), d.num(d3)]
        if d.chance(0.5):
            dims = dims[:2]
        return x.join(dims) + sp + unit
    return d.mm_text(t, unit)


def grade_text(d: Draft, ctx: str, bank: dict | None = None) -> str:
    """The grade as ``ctx`` (``prose``, ``field``, ``compact``...) of ``bank`` writes it."""
    g = int(d.rec["grade"])  # type: ignore[arg-type]
    a, b, c = d.case.triple or (1, 1, 1)
    forms = (bank or d.vals["grade"])[ctx]
    return d.say(forms, g=g, rn=ROMAN[g], a=a, b=b, c=c, s=a + b + c, range=GRADE_RANGES[g])


def receptor_text(d: Draft, key: str, ctx: str) -> str:
    """A hormone-receptor status; compact forms carry their label (``RE+ 90%``)."""
    R = d.vals["receptor"]
    pos = d.rec[key] == "positive"
    p = d.case.pct.get(key, 0)
    ps = f"{p}{' ' if d.chance(0.6) else ''}%"
    if not pos:
        if ctx == "compact":
            return d.say(R["neg_compact"], lab=d.pick(R["short"][key]))
        return d.pick(R["neg"])
    intens = d.case.intensity.get(key, 1)
    score = (2 if p <= 10 else 3 if p <= 33 else 4 if p <= 66 else 5) + intens
    kw = {"p": ps, "iw": R["intensity"][intens - 1], "x": R["crosses"][intens - 1]}
    if ctx == "compact":
        return d.say(R["pos_compact"], lab=d.pick(R["short"][key]), **kw)
    if p <= 10 and d.chance(0.5):
        return d.say(R["low_pos"], **kw)
    return d.say(R["pos"], score=score, **kw)


def her2_text(d: Draft, ctx: str) -> str:
    H = d.vals["her2"]
    h = d.case.her2
    assert h is not None
    if ctx == "compact":
        return d.pick(H["compact_" + h.cls])
    if d.chance(0.15):
        return d.pick(H[h.cls[:3] + "_any"])
    return d.say(H[h.cls], ratio=h.ratio, ratio_neg=h.ratio)


def ki67_text(d: Draft) -> str:
    k = float(d.rec["ki67"])  # type: ignore[arg-type]
    return f"{fmt_num(k, d.style.comma, 1)}{' ' if d.chance(0.6) else ''}%"


def hot_spot(d: Draft) -> None:
    """A second, higher Ki-67 figure for hot spots (not the value of the record)."""
    k = float(d.rec["ki67"])  # type: ignore[arg-type]
    if k <= 80 and d.chance(0.08):
        h = int(min(100, round(k + d.between(10, 30), -1)))
        d.t(d.say(d.words["hot_spot"], h=h))
    elif (k < 15 or k >= 30) and d.chance(0.1):
        d.t(d.pick(d.words["ki67_level"]["low" if k < 15 else "high"]))


def margin_text(d: Draft, ctx: str) -> str:
    M = d.vals["margins"]
    yes = d.rec["marges_saines"] == "yes"
    if ctx == "field":
        return d.pick(M["yes_field" if yes else "no_field"])
    if d.chance(0.5):
        return d.pick(M["yes_prose" if yes else "no_prose"])
    return d.surface("marges_saines")


def margin_tail(d: Draft) -> str:
    """Filler after a margin status: the closest margin (clear) or which one (involved)."""
    M = d.vals["margins"]
    yes = d.rec["marges_saines"] == "yes"
    if not d.chance(0.45 if yes else 0.5):
        return ""
    mm = d.case.margin_mm
    dd = f"{mm} mm" if d.chance(0.7) else f"{fmt_num(mm / 10, d.style.comma)} cm"
    return d.say(M["yes_tail" if yes else "no_tail"], d=dd, side=d.case.margin_side)


def yesno_text(d: Draft, key: str, ctx: str) -> str:
    Y = d.vals["emboles" if key == "emboles" else "rupture"]
    yes = d.rec[key] == "yes"
    if ctx == "field":
        return d.pick(Y["yes_field" if yes else "no_field"])
    if d.chance(0.5):
        return d.pick(Y["yes_prose" if yes else "no_prose"])
    return d.surface(key)


def value_text(d: Draft, key: str, ctx: str = "field") -> str:
    """The text stating ``key``'s value in a checklist line or a table cell."""
    if key in ("echantillon", "diagnostic"):
        return d.surface(key)
    if key == "grade":
        return grade_text(d, ctx)
    if key == "taille":
        return size_text(d)
    if key == "marges_saines":
        return margin_text(d, ctx)
    if key in ("emboles", "rupture_capsulaire"):
        return yesno_text(d, key, ctx)
    if key in ("re", "rp"):
        return receptor_text(d, key, ctx)
    if key == "her2":
        return her2_text(d, ctx)
    return ki67_text(d)
