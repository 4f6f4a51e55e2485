"""Filler and distractor blocks of the classic layouts: header, clinical history, gross
description, DCIS, benign findings, techniques, page footers, signatures.

Nothing here is a value except the specimen name and, sometimes, the gross size, both spanned;
every other number (age, dimensions, weight, blocks, DCIS extent) is a distractor.
"""

from __future__ import annotations

from pathsynth.domains.breast13.grammar.bank import MARKERS, cap, count_words
from pathsynth.domains.breast13.grammar.draft import Draft
from pathsynth.domains.breast13.grammar.phrasing import size_text


def section(d: Draft, name: str) -> None:
    """A section title (or, for narrative reports, only a paragraph break)."""
    title = d.pick(d.words["sections"][name])
    headers = d.style.headers
    if headers == "upper":
        title = title.upper()
    if d.out.tail(2) not in ("", "\n\n"):
        d.t("\n\n" if d.out.tail(1) != "\n" else "\n")
    if headers == "none":
        return
    colon = (" :\n", ":\n") if d.fr else (":\n",)
    d.t(title + d.pick(("\n", "\n", *colon)))


def history(d: Draft) -> None:
    H = d.words["history"]
    q = d.say(d.words["quadrants"], h=d.between(1, 12), d=d.between(1, 6))
    bits = [
        d.say(H["who"], age=d.between(32, 88)),
        d.say(H["lesion"], q=q, side=d.side, acr=d.pick((4, 5))),
    ]
    if d.rec.get("echantillon") not in ("biopsy", None) and d.chance(0.6):
        bits.append(d.say(H["prior"], date=d.date()))
    if d.chance(0.2):
        bits.append(d.say(H["past"], year=d.between(1995, 2015)))
    if d.chance(0.3):
        bits.append(d.pick(H["neo"]))
    if d.chance(0.4):
        d.t(cap("; ".join(bits)) + ".")
    else:
        d.t(". ".join(cap(b) for b in bits) + ".")


def gross(d: Draft) -> None:
    """Gross description: specimen named (the echantillon value), dimensions and weight."""
    G = d.words["gross"]
    t = float(d.rec["taille"]) if d.known("taille") else 20.0  # type: ignore[arg-type]
    kind = d.rec.get("echantillon")
    if kind == "biopsy":
        a, b, c = round(d.rng.uniform(0.8, 2.0), 1), 0.1, 0.1
    else:
        # A mastectomy is much larger than the tumour; an excision a little larger.
        extra = d.rng.uniform(10.0, 16.0) if kind == "mastectomy" else d.rng.uniform(2.0, 8.0)
        a = round(t / 10 + extra, 1)
        b = round(a * d.rng.uniform(0.5, 0.9), 1)
        c = round(b * d.rng.uniform(0.3, 0.8), 1)
    dims = " x ".join(d.num(x) for x in (a, b, c)) + " cm"
    weight: int | str = max(3, round(a * b * c * d.rng.uniform(0.7, 1.0)))
    if kind == "biopsy":
        weight = "< 1"
    if d.case.nodes and d.chance(0.3):
        # "Received in three parts": a number that counts containers, not nodes.
        parts = count_words(d.lang)[min(len(d.case.nodes) + 1, 10)]
        d.t(d.say(G["parts"], n=parts))
    if d.known("echantillon"):
        intro = d.pick(G["intro"])
        s = d.surface("echantillon")
        if d.fr and intro.endswith(" de ") and s[:1].lower() in "aeéèêiouyh":
            intro = intro[:-3] + "d'"
        d.t(intro)
        d.val("echantillon", cap(s) if d.at_start() else s)
        d.t(d.side_after("pièce" if intro else s) if d.chance(0.5) else "")
        d.t(d.pick(G["orientation"]))
        d.t(d.say(G["measures"], dims=dims, w=weight))
    else:
        d.t(d.say(G["intro_unknown"], dims=dims, w=weight))
    if d.known("taille") and d.chance(0.4):
        d.t(d.pick(G["lesion"]))
        if d.chance(0.25):
            # Gross size: rounded, larger than the invasive size measured on slides.
            gross_mm = max(t + 2.0, 5.0 * round(t * d.rng.uniform(1.1, 1.4) / 5.0))
            d.raw(d.mm_text(gross_mm))
        else:
            d.val("taille", size_text(d))
        d.t(". ")
    elif d.chance(0.5):
        d.t(d.pick(G["no_size"]))
    if d.known("marges_saines") and d.chance(0.4):
        d.t(d.pick(G["ink"]))
    if d.chance(d.style.distractors * 0.6):
        d.t(d.pick(G["extra"]))
    if d.chance(0.5):
        d.t(d.say(G["blocks"], n=d.between(3, 24)))
    if d.case.nodes and d.chance(0.5):
        d.t(d.pick(G["nodes"]))


def dcis(d: Draft) -> bool:
    """A DCIS component with its own grade, extent and share (a distractor)."""
    if d.rec.get("diagnostic") in ("8500/2", None):
        return False
    if not d.chance(0.3 + 0.3 * d.style.distractors):
        return False
    D = d.words["dcis"]
    if d.rec.get("diagnostic") == "8520/3" and d.chance(0.6):
        # Lobular carcinomas come with lobular, not ductal, in situ neoplasia.
        d.t(d.pick(D["lobular"]) + ". ")
        return True
    ng = d.between(1, 3)
    d.t(
        d.say(
            D["forms"],
            ng=ng,
            ngw=D["grade_words"][ng - 1],
            ext=d.between(2, 40),
            share=d.pick((5, 10, 15, 20, 30, 40)),
            pattern=d.pick(D["patterns"]),
        )
    )
    if d.chance(0.4):
        d.t(d.pick(D["calcs"]))
    d.t(". ")
    return True


def benign_extra(d: Draft) -> bool:
    if d.chance(d.style.distractors * 0.5):
        d.t(d.pick(d.words["benign"]))
        return True
    return False


def technique(d: Draft) -> None:
    """Antibody clones and controls; only for markers the report states."""
    if not d.chance(d.style.distractors * 0.6):
        return
    clones = [d.pick(d.words["clones"][k]) for k in MARKERS if d.known(k)]
    if clones:
        block = f"A{d.between(1, 9)}"
        d.t(d.say(d.words["technique"], clones=", ".join(clones), block=block) + "\n")


def header(d: Draft) -> None:
    if not d.chance(0.75):
        return
    T = d.words
    d.t(d.pick(T["titles"]) + "\n")
    if d.chance(0.6):
        line = d.say(
            T["exam_line"], num=d.case_number(), d1=d.date(), d2=d.date(), anon=d.case.anon
        )
        d.t(line + "\n")
    if d.chance(0.3):
        d.t(d.say(T["prescriber"], ini=d.initials()) + "\n")
    d.t("\n")


def page_break(d: Draft) -> None:
    """A page footer in the middle of the text, as in scanned multi-page reports."""
    if d.chance(0.06):
        d.t("\n" + d.pick(d.words["page"]) + "\n")


def signature(d: Draft) -> None:
    if d.chance(0.5):
        d.t("\n" + d.say(d.words["signature"], ini=d.initials(), date=d.date()) + "\n")
    if d.chance(d.style.distractors * 0.15):
        d.t("\n" + d.say(d.words["addendum"], date=d.date()) + "\n")
