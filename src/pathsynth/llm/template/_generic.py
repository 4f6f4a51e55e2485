"""Reports for any schema, built only from its names and value forms (no pack grammar).

Three layouts, so a user's own schema still gets varied reports:

* ``lines`` — a checklist, one ``Name : value`` line per known value (bullets, separators);
* ``sentences`` — one paragraph of sentences made from the variables' names
  ("The weight is 12.5 g.", "Concernant le stade : avancé.", "17 ganglions examinés."), or
  from a value's own words where they state the finding ("Tumeur envahissant la musculeuse.");
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
        "On note, pour {name}, {value}.",
    ),
    "en": (
        "{Name}: {value}.",
        "{Name}: {value}.",
        "The {name} is {value}.",
        "{Name} was {value}.",
        "As for the {name}, {value}.",
    ),
}
# Frames for numbers with a unit ("marge circonférentielle à 8 mm").
_NUMBER_SENTENCES = {
    "fr": ("{Name} à {value}.", "{Name} de {value}.", "{Name} mesurée à {value}."),
    "en": ("{Name} of {value}.", "The {name} measured {value}.", "{Name} at {value}."),
}
# Frames for counts: the number before the name ("17 ganglions examinés").
_COUNT_SENTENCES = {
    "fr": ("{value} {name}.", "Au total, {value} {name}.", "On dénombre {value} {name}."),
    "en": ("{value} {name}.", "In total, {value} {name}.", "There are {value} {name}."),
}
#: Names that cannot follow a number ("17 nombre de ganglions").
_NOT_AFTER_NUMBER = ("nombre", "number", "total", "statut", "status", "type")
_SECTIONS = {
    "fr": (("Résultats", "Observations", "Description"), ("Conclusion", "En résumé", "Synthèse")),
    "en": (("Findings", "Results", "Description"), ("Conclusion", "Summary", "Impression")),
}
_SEPS = {"fr": (" : ", " : ", " - ", " = "), "en": (": ", ": ", " - ", ": ")}
_BULLETS = ("", "", "- ", "* ", "• ")


def _capital(text: str) -> str:
    """Sentence case, leaving "pT3" or "pMMR" as written."""
    return text if text[1:2].isupper() else text[:1].upper() + text[1:]


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
    w.text(bullet + _capital(name) + rng.choice(_SEPS[lang]))
    w.value(var.key, _value_text(var, x, lang, rng, comma))
    w.text("\n")


def _sentence(
    var: Variable, x: Value, lang: str, rng: random.Random, w: Writer, comma: bool
) -> None:
    name = _name(var, lang, rng)
    value = _value_text(var, x, lang, rng, comma)
    if var.type == "categorical" and _speaks_alone(var, value) and rng.random() < 0.5:
        # a form that is a finding in itself ("tumeur envahissant la musculeuse") needs no name
        w.value(var.key, _capital(value))
        w.text(". ")
        return
    frames: tuple[str, ...] = _SENTENCES[lang]
    if var.type == "integer" and not var.unit and name.split()[0].lower() not in _NOT_AFTER_NUMBER:
        if rng.random() < 0.6:
            frames = _COUNT_SENTENCES[lang]
    elif var.type != "categorical" and var.unit and rng.random() < 0.4:
        frames = _NUMBER_SENTENCES[lang]
    frame = rng.choice(frames)
    before, after = frame.split("{value}")
    if frame.startswith("{value}"):
        value = _capital(value)
    w.text(before.format(Name=_capital(name), name=name))
    w.value(var.key, value)
    w.text(after.format(Name=name, name=name) + " ")


def _speaks_alone(var: Variable, form: str) -> bool:
    """Whether a value's form states its variable without the name: three words or more, or
    two sharing a word with one of the variable's names."""
    words = form.lower().split()
    if len(words) >= 3:
        return True
    names = {w for n in var.names.all() for w in n.lower().split() if len(w) > 3}
    return len(words) == 2 and any(w in names for w in words)


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
