"""A plain synoptic report for any schema, built only from its labels and surface forms."""

from __future__ import annotations

import random
from collections.abc import Sequence

from pathsynth.llm.template._writer import Writer
from pathsynth.schema import Schema, Value


def _number(x: float, lang: str) -> str:
    s = f"{x:.3f}".rstrip("0").rstrip(".")
    return s.replace(".", ",") if lang == "fr" else s


def render_generic(
    schema: Schema,
    values: dict[str, Value],
    lang: str,
    rng: random.Random,
    writer: Writer,
    *,
    keys: Sequence[str] | None = None,
    title: bool = True,
    layout: str = "lines",
) -> None:
    """``Name : value`` lines for the known values of ``keys`` (default: all schema keys)."""
    if title:
        writer.text(schema.description[lang] + "\n\n")
    sep = " : " if lang == "fr" else ": "
    for key in keys if keys is not None else schema.keys:
        x = values.get(key)
        if x is None:
            continue
        var = schema[key]
        names = var.names[lang] or [var.description[lang]]
        name = rng.choice(names)
        writer.text(name[:1].upper() + name[1:] + sep)
        if var.type == "categorical":
            cat = var.category(str(x))
            forms = cat.surface[lang] or [cat.label[lang]]
            writer.value(key, rng.choice(forms))
        else:
            text = str(int(x)) if var.type == "integer" else _number(float(x), lang)
            if var.unit:
                text += ("" if var.unit == "%" and rng.random() < 0.5 else " ") + var.unit
            writer.value(key, text)
        writer.text("\n")
