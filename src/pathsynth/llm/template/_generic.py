"""Reports for any schema, built only from its names and value forms (no pack grammar).

Three layouts, so a user's own schema still gets varied reports:

* ``lines`` — a checklist, one ``Name : value`` line per known value (bullets, separators);
* ``sentences`` — one paragraph of sentences made from the variables' names
  ("The weight is 12.5 g.", "Concernant le stade : avancé.");
* ``sections`` — findings (lines or sentences), then a conclusion restating part of them.

Values are the schema's surface forms (categories) or numbers with their unit, written through
``Writer.value`` so their spans are exact.
"""

from __future__ import annotations

import random
from collections.abc import Sequence

from pathsynth.llm.template._writer import Writer
from pathsynth.schema import Schema, Value, Variable

# Sentence frames per language: {Name} / {name} is the variable's name, {value} its value.
_SENTENCES = {
    "fr": (
        "{Name} : {value}.",
        "{Name} : {value}.",
        "Concernant {name} : {value}.",
        "En ce qui concerne {name}, {value}.",
        "{Name} retrouvé(e) : {value}.",
        "On note, pour {name}, {value}.",
    ),
    "en": (
        "{Name}: {value}.",
        "{Name}: {value}.",
        "The {name} is {value}.",
        "{Name} was {value}.",
        "As for the {name}, {value}.",
        "Findings: {name} {value}.",
    ),
}
# Frames for numbers only ("measured at 12 g").
_NUMBER_SENTENCES = {
    "fr": ("{Name} mesuré(e) à {value}.", "{Name} évalué(e) à {value}.", "{Name} de {value}."),
    "en": (
        "{Name} measured {value}.",
        "{Name} of {value}.",
        "The {name} was estimated at {value}.",
    ),
}
_SECTIONS = {
    "fr": (("Résultats", "Observations", "Description"), ("Conclusion", "En résumé", "Synthèse")),
    "en": (("Findings", "Results", "Description"), ("Conclusion", "Summary", "Impression")),
}
_SEPS = {"fr": (" : ", " : ", " - ", " = "), "en": (": ", ": ", " - ", ": ")}
_BULLETS = ("", "", "- ", "* ", "• ")


def _number(x: float, comma: bool) -> str:
    s = f"{x:.3f}".rstrip("0").rstrip(".")
    return s.replace(".", ",") if comma else s


def _value_text(var: Variable, x: Value, lang: str, rng: random.Random, comma: bool) -> str:
    if var.type == "categorical":
        cat = var.category(str(x))
        forms = cat.surface[lang] or [cat.label[lang]]
        return rng.choice(forms)
    text = str(int(x)) if var.type == "integer" else _number(float(x), comma)  # type: ignore[arg-type]
    if var.unit:
        text += ("" if var.unit == "%" and rng.random() < 0.5 else " ") + var.unit
    return text


def _name(var: Variable, lang: str, rng: random.Random) -> str:
    names = var.names[lang] or [var.description[lang]]
    return rng.choice(names)


def _line(
    var: Variable, x: Value, lang: str, rng: random.Random, w: Writer, bullet: str, comma: bool
) -> None:
    name = _name(var, lang, rng)
    w.text(bullet + name[:1].upper() + name[1:] + rng.choice(_SEPS[lang]))
    w.value(var.key, _value_text(var, x, lang, rng, comma))
    w.text("\n")


def _sentence(
    var: Variable, x: Value, lang: str, rng: random.Random, w: Writer, comma: bool
) -> None:
    name = _name(var, lang, rng)
    frames: tuple[str, ...] = _SENTENCES[lang]
    if var.type != "categorical" and rng.random() < 0.4:
        frames = _NUMBER_SENTENCES[lang]
    frame = rng.choice(frames)
    before, after = frame.split("{value}")
    w.text(before.format(Name=name[:1].upper() + name[1:], name=name))
    w.value(var.key, _value_text(var, x, lang, rng, comma))
    w.text(after + " ")


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
    comma: bool | None = None,
) -> None:
    """A report of the known values of ``keys`` (default: all schema keys) in ``layout``."""
    comma = lang == "fr" if comma is None else comma
    known = [(schema[k], values[k]) for k in (keys if keys is not None else schema.keys)]
    known = [(var, x) for var, x in known if x is not None]
    if title:
        head = schema.description[lang]
        writer.text((head.upper() if rng.random() < 0.4 else head) + "\n\n")
    if layout == "lines" or not known:
        bullet = rng.choice(_BULLETS)
        for var, x in known:
            _line(var, x, lang, rng, writer, bullet, comma)
        return
    if layout == "sentences":
        order = list(known)
        if len(order) > 2 and rng.random() < 0.5:
            # A local swap: prose follows the writer's order, rarely a random one.
            i = rng.randrange(len(order) - 1)
            order[i], order[i + 1] = order[i + 1], order[i]
        for var, x in order:
            _sentence(var, x, lang, rng, writer, comma)
        writer.text("\n")
        return
    findings, conclusions = _SECTIONS[lang]
    writer.text(rng.choice(findings) + (" :\n" if lang == "fr" else ":\n"))
    prose = rng.random() < 0.5
    bullet = rng.choice(_BULLETS)
    for var, x in known:
        if prose:
            _sentence(var, x, lang, rng, writer, comma)
        else:
            _line(var, x, lang, rng, writer, bullet, comma)
    writer.text("\n\n" + rng.choice(conclusions) + (" :\n" if lang == "fr" else ":\n"))
    # The conclusion restates some of the findings (each restatement is spanned too).
    for var, x in known:
        if rng.random() < 0.6:
            _sentence(var, x, lang, rng, writer, comma)
    writer.text("\n")
