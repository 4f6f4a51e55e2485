"""Gross descriptions of multi-part reports, part by part: containers, dimensions, skin,
inks, the mass and its distances to each margin, nodes found, cassette keys.

Everything here is a distractor (never spanned) except the procedure, when the breast part
names it. The gross mass is measured larger than the invasive size; node counts in cassette
keys agree with the part's count but are restatements.
"""

from __future__ import annotations

from pathsynth.domains.breast13.grammar.bank import cap, count_words
from pathsynth.domains.breast13.grammar.draft import Draft
from pathsynth.domains.breast13.grammar.parts import Part, Plan


def section(d: Draft, name: str) -> None:
    """A section title of the family (``FINAL DIAGNOSIS:``, ``MACROSCOPIE :``...)."""
    title = d.pick(d.fam["sections"][name])
    if d.style.headers == "title":
        title = title.title() if not d.fr else title.capitalize()
    tail = d.out.tail(2)
    if tail and tail != "\n\n":
        d.t("\n\n" if not tail.endswith("\n") else "\n")
    d.t(title + d.pick(d.fam["title_ends"]))


def _dims(d: Draft, big: float) -> tuple[float, float, float]:
    a = round(big, 1)
    b = round(a * d.rng.uniform(0.5, 0.9), 1)
    c = round(b * d.rng.uniform(0.3, 0.8), 1)
    return a, b, max(c, 0.2)


def gross_part(d: Draft, plan: Plan, part: Part) -> None:
    """One part's gross description, then its cassette key."""
    G = d.fam["gross"]
    tag = part.tag
    label = d.say(
        G["labels"][part.kind],
        side=d.case.side,
        other=d.case.other_side,
        margin=part.margin,
        i=part.nodes.number if part.nodes else 1,
    )
    d.t(d.say(G["intro"], tag=tag, label=label))
    if part.nodes is not None:
        _gross_nodes(d, part)
    elif part.kind == "breast":
        _gross_breast(d, plan, part)
    elif part.kind == "reexcision":
        a, b, c = _dims(d, d.rng.uniform(2.0, 6.0))
        d.t(d.say(G["reexcision"], dims=d.dims_cm(a, b, c), color=d.pick(G["colors"])))
        _submitted(d, tag, d.between(2, 6))
    elif part.kind == "contra":
        a, b, c = _dims(d, d.rng.uniform(14.0, 22.0))
        d.t(d.say(G["contra"], dims=d.dims_cm(a, b, c), w=d.between(250, 900)))
        last = block(tag, d.between(4, 10))
        d.t(d.say(G["representative"], first=block(tag, 1), last=last))
    else:
        d.t(d.say(G["implant"], cc=d.pick((250, 300, 350, 400, 450, 500))))
    d.t("\n")


def _gross_nodes(d: Draft, part: Part) -> None:
    G = d.fam["gross"]
    spec = part.nodes
    assert spec is not None
    n = spec.prel if spec.prel is not None else d.between(1, 4)
    a, b, c = _dims(d, d.rng.uniform(1.5, 4.0) if spec.kind == "sn" else d.rng.uniform(5.0, 14.0))
    d.t(d.say(G["node_tissue"], dims=d.dims_cm(a, b, c)))
    if n == 0:
        d.t(d.pick(G["no_node"]))
        return
    words = count_words(d.lang)
    big = d.num(round(d.rng.uniform(0.6, 2.6), 1))
    found = d.say(G["nodes_found_one" if n == 1 else "nodes_found"], nw=words[min(n, 99)], big=big)
    d.t(cap(found))
    tag = part.tag
    if n <= 3 or n > 30 or d.chance(0.4):
        _submitted(d, tag, max(1, min(n, 8)))
        return
    # A cassette key whose node counts add up to the part's count (a restatement).
    d.t(d.pick(G["key_intro"]))
    left, cassette, lines = n, 1, []
    while left > 0 and cassette <= 12:
        take = 1 if cassette == 1 else min(left, d.between(1, 5))
        if cassette == 12:
            take = left
        key = G["key_one"] if take == 1 else G["key_many"]
        if cassette == 1 and d.chance(0.5):
            key = G["key_first"]
        lines.append(d.say(key, c=block(tag, cassette), nw=words[take]))
        left -= take
        cassette += 1
    d.t(d.pick(G["key_sep"]).join(lines) + ". ")


def _gross_breast(d: Draft, plan: Plan, part: Part) -> None:
    G = d.fam["gross"]
    kind = d.rec.get("echantillon")
    t = float(d.rec["taille"]) if d.known("taille") else float(d.between(8, 30))  # type: ignore[arg-type]
    mastectomy = kind == "mastectomy"
    big = t / 10 + (d.rng.uniform(12.0, 20.0) if mastectomy else d.rng.uniform(3.0, 8.0))
    if kind == "biopsy":
        d.t(d.say(G["cores"], n=d.between(2, 6), l=d.num(round(d.rng.uniform(0.8, 2.0), 1))))
        _submitted(d, part.tag, 1)
        return
    a, b, c = _dims(d, big)
    if d.known("echantillon") and d.chance(0.4):
        d.t(d.pick(G["breast_named"]))
        d.val("echantillon", d.surface("echantillon"))
    else:
        d.t(d.pick(G["breast_unnamed"]))
    d.t(d.say(G["breast_dims"], dims=d.dims_cm(a, b, c), w=max(5, round(a * b * c * 0.8))))
    if mastectomy:
        s1 = round(a * d.rng.uniform(0.6, 0.9), 1)
        s2 = round(s1 * d.rng.uniform(0.25, 0.5), 1)
        d.t(d.say(G["skin"], dims=d.dims_cm(s1, s2), n=d.num(round(d.rng.uniform(0.8, 2.0), 1))))
    d.t(d.pick(G["inks"]))
    # The gross mass: larger than the invasive size on slides, never the value.
    g1 = max(t + 2.0, t * d.rng.uniform(1.1, 1.5)) / 10
    g2, g3 = round(g1 * d.rng.uniform(0.6, 0.9), 1), round(g1 * d.rng.uniform(0.4, 0.7), 1)
    d.t(d.say(G["mass"], dims=d.dims_cm(round(g1, 1), g2, g3)))
    m1, m2 = d.rng.sample(list(d.words["margin_sides"]), 2)
    d.t(
        d.say(
            G["distances"],
            d1=d.num(round(d.rng.uniform(0.1, 2.5), 1)),
            m1=m1,
            d2=d.num(round(d.rng.uniform(0.5, 4.0), 1)),
            m2=m2,
        )
    )
    if d.chance(0.5):
        d.t(d.pick(G["clip"]))
    if plan.neoadjuvant or d.chance(0.15):
        d.t(d.say(G["cavity"], x=d.num(round(d.rng.uniform(0.8, 3.0), 1))))
    tag = part.tag
    parts = [d.say(G["key_tumor"], a=block(tag, 1), b=block(tag, d.between(2, 4)))]
    n = 5
    for item in d.rng.sample(list(G["key_breast"]), d.between(2, 4)):
        parts.append(item.format(c=block(tag, n), m=d.pick(d.words["margin_sides"])))
        n += 1
    d.t(d.pick(G["key_intro"]) + d.pick(G["key_sep"]).join(parts) + ". ")


def block(tag: str, i: int) -> str:
    """Cassette ``i`` of part ``tag``: ``C4`` after a letter, ``3D`` after a number."""
    return f"{tag}{i}" if tag.isalpha() else f"{tag}{'ABCDEFGHIJKLMNOP'[i - 1]}"


def _submitted(d: Draft, tag: str, k: int) -> None:
    G = d.fam["gross"]
    first, last = block(tag, 1), block(tag, k)
    d.t(d.say(G["submitted"] if k > 1 else G["submitted_one"], first=first, last=last))
