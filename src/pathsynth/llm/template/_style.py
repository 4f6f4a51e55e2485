"""Style knobs of the template teacher: what a caller may fix, and how the rest is drawn."""

from __future__ import annotations

import random
from collections.abc import Mapping
from typing import Any, Protocol

from pathsynth.schema import Value

#: Style knobs a caller may fix (``style={"layout": "synoptic"}``); the others are drawn per
#: report from the seed. Unknown keys (style hints meant for LLM prompts) are ignored.
STYLE_KNOBS: dict[str, str] = {
    "family": "report family (breast-13: classic, cap, chu); fixing it draws a layout within it",
    "layout": "one of the grammar's layouts (the breast-13 grammar's: sections, cap_full...)",
    "noise": "OCR-like noise: edits per character of filler text, 0 to 0.1",
    "case": "normal, upper (whole report in capitals) or lower",
    "headers": "upper, title or none (narrative paragraphs): how section titles are written",
    "units": "cm or mm for sizes",
    "decimal": "',' or '.' as decimal separator",
    "accents": "yes or no (no: diacritics dropped, as some systems do)",
    "wrap": "hard line width in characters, 0 for none",
    "distractors": "0 to 1: how much distracting content (DCIS, techniques, addenda...)",
    "flatten": "1: line breaks lost, lines joined by '. ' (the wrap width, or 60-90); 0: kept",
    "ocr": "share of value spans given an OCR slip that keeps them readable, 0 to 0.6",
    "interrupt": "page headers / footers / de-identified fields put mid-sentence, 0 to 4",
}

#: How often a family's reports get each kind of damage, unless the grammar says otherwise.
DEFAULT_DAMAGE = {"flatten": 0.05, "ocr": 0.05, "interrupt": 0.05, "upper": 0.1}


class Families(Protocol):
    """What the style drawing needs of a grammar."""

    families: tuple[str, ...]
    layouts: tuple[str, ...]

    def family_of(self, layout: str) -> str: ...

    def pick_family(self, u: float, lang: str, values: dict[str, Value]) -> str: ...

    def pick_layout(self, u: float, family: str, values: dict[str, Value]) -> str: ...

    def damage(self, family: str, lang: str) -> Mapping[str, float]: ...


def draw_style(
    rng: random.Random,
    lang: str,
    given: Mapping[str, Any],
    grammar: Families | None,
    values: dict[str, Value],
) -> dict[str, str]:
    """The report's style: the caller's valid knobs, the rest drawn from ``rng``.

    Every knob is drawn first, so that fixing one does not shift the others.
    """
    families = grammar.families if grammar is not None else ("generic",)
    u_family, u_layout = rng.random(), rng.random()
    family = _valid("family", given.get("family"), families) or (
        grammar.pick_family(u_family, lang, values) if grammar is not None else "generic"
    )
    layouts = grammar.layouts if grammar is not None else GENERIC_LAYOUTS
    layout = _valid("layout", given.get("layout"), layouts)
    if layout is not None:
        family = grammar.family_of(layout) if grammar is not None else "generic"
    elif grammar is not None:
        layout = grammar.pick_layout(u_layout, family, values)
    else:
        layout = GENERIC_LAYOUTS[int(u_layout * len(GENERIC_LAYOUTS))]
    damage = dict(DEFAULT_DAMAGE)
    if grammar is not None:
        damage.update(grammar.damage(family, lang))
    u = rng.random()
    drawn = {
        "noise": "0"
        if u < 0.6
        else f"{rng.uniform(0.002, 0.02):.4f}"
        if u < 0.9
        else f"{rng.uniform(0.02, 0.05):.4f}",
        "case": "upper"
        if rng.random() < damage["upper"]
        else rng.choices(("normal", "lower"), weights=(96, 4))[0],
        "headers": rng.choices(("upper", "title", "none"), weights=(62, 26, 12))[0],
        "units": "cm" if rng.random() < 0.6 else "mm",
        "decimal": ("," if rng.random() < 0.9 else ".")
        if lang == "fr"
        else ("." if rng.random() < 0.97 else ","),
        "accents": "no" if lang == "fr" and rng.random() < 0.08 else "yes",
        "wrap": "0" if rng.random() < 0.8 else str(rng.randint(60, 100)),
        "distractors": f"{rng.random():.2f}",
        "flatten": "1" if rng.random() < damage["flatten"] else "0",
        "ocr": f"{rng.uniform(0.1, 0.4):.2f}" if rng.random() < damage["ocr"] else "0",
        "interrupt": str(rng.randint(1, 3)) if rng.random() < damage["interrupt"] else "0",
    }
    style = {"family": family, "layout": layout}
    for key, default in drawn.items():
        style[key] = _valid(key, given.get(key), layouts) or default
    return style


#: Layouts of the generic grammar (schemas without a pack grammar).
GENERIC_LAYOUTS = ("lines", "sentences", "sections")


def _valid(key: str, value: Any, choices: tuple[str, ...]) -> str | None:
    if value is None:
        return None
    s = str(value).strip()
    ok = {
        "family": lambda: s in choices,
        "layout": lambda: s in choices,
        "case": lambda: s in ("normal", "upper", "lower"),
        "headers": lambda: s in ("upper", "title", "none"),
        "units": lambda: s in ("cm", "mm"),
        "decimal": lambda: s in (",", "."),
        "accents": lambda: s in ("yes", "no"),
        "noise": lambda: 0.0 <= float(s) <= 0.1,
        "distractors": lambda: 0.0 <= float(s) <= 1.0,
        "wrap": lambda: int(s) == 0 or 30 <= int(s) <= 200,
        "flatten": lambda: s in ("0", "1"),
        "ocr": lambda: 0.0 <= float(s) <= 0.6,
        "interrupt": lambda: 0 <= int(s) <= 4,
    }[key]
    try:
        return s if ok() else None
    except ValueError:
        return None
