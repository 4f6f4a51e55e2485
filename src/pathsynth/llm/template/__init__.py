"""The ``template`` teacher: French and English pathology reports written by a grammar, no model.

Every value the teacher writes is recorded as a character span, so the reports it produces
carry exact labels. Reports vary in layout (sectioned, synoptic, tables, one paragraph,
telegraphic, numbered specimens, core biopsies), phrasing, units, abbreviations, order,
capitals, noise and distractors; all of it is drawn from the seed, so one (record, language,
seed) gives one text. See docs/template.md.
"""

from __future__ import annotations

import math
import random
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol

from pathsynth.errors import PathsynthError
from pathsynth.llm.base import Generation, GenerationRequest, Span
from pathsynth.llm.template._generic import render_generic
from pathsynth.llm.template._lexicon import Lexicon
from pathsynth.llm.template._writer import Writer, hyphenate, wrap_lines
from pathsynth.schema import Lang, Schema, Value, load_schema

__all__ = ["STYLE_KNOBS", "Grammar", "TemplateReport", "TemplateTeacher", "grammar_of"]

#: Style knobs a caller may fix (``style={"layout": "synoptic"}``); the others are drawn per
#: report from the seed. Unknown keys (style hints meant for LLM prompts) are ignored.
STYLE_KNOBS: dict[str, str] = {
    "layout": "one of the grammar's layouts (the breast-13 grammar's: sections, synoptic...)",
    "noise": "OCR-like noise: edits per character of filler text, 0 to 0.1",
    "case": "normal, upper (whole report in capitals) or lower",
    "headers": "upper, title or none (narrative paragraphs): how section titles are written",
    "units": "cm or mm for sizes",
    "decimal": "',' or '.' as decimal separator",
    "accents": "yes or no (no: diacritics dropped, as some systems do)",
    "wrap": "hard line width in characters, 0 for none",
    "distractors": "0 to 1: how much distracting content (DCIS, techniques, addenda...)",
}


@dataclass(frozen=True)
class TemplateReport:
    """One rendered report: text, value spans per key, and the style it was drawn with."""

    text: str
    spans: dict[str, list[Span]]
    style: dict[str, str] = field(default_factory=dict)


def _missing(x: Any) -> bool:
    """None, NaN, pandas NA / NaT: all mean "unknown" in a record."""
    if x is None:
        return True
    if isinstance(x, float):
        return math.isnan(x)
    return type(x).__name__ in ("NAType", "NaTType")


class Grammar(Protocol):
    """A domain pack's report grammar (``pathsynth.domains.breast13.grammar``)."""

    keys: tuple[str, ...]
    layouts: tuple[str, ...]

    def supports(self, schema: Schema) -> bool: ...

    def labels(self, lang: str) -> dict[str, Any]: ...

    def draw_layout(self, rng: random.Random, values: dict[str, Value]) -> str: ...

    def write(
        self,
        lexicon: Lexicon,
        values: dict[str, Value],
        lang: str,
        rng: random.Random,
        writer: Writer,
        style: dict[str, str],
    ) -> None: ...


def grammar_of(schema: Schema) -> Grammar | None:
    """The report grammar of the schema's domain pack, when it has one that fits the schema."""
    if schema.domain is None:
        return None
    from pathsynth.domains import load_pack

    grammar = load_pack(schema.domain).knowledge("report_grammar")
    return grammar if grammar is not None and grammar.supports(schema) else None


def _draw_style(
    rng: random.Random,
    lang: str,
    given: Mapping[str, Any],
    grammar: Grammar | None,
    values: dict[str, Value],
) -> dict[str, str]:
    """The report's style: the caller's valid knobs, the rest drawn from ``rng``."""
    style: dict[str, str] = {}
    layouts = grammar.layouts if grammar is not None else ("synoptic",)
    # Draw every knob first so that fixing one does not shift the others.
    drawn = {
        "layout": grammar.draw_layout(rng, values) if grammar is not None else "synoptic",
        "noise": "0"
        if (u := rng.random()) < 0.6
        else f"{rng.uniform(0.002, 0.02):.4f}"
        if u < 0.9
        else f"{rng.uniform(0.02, 0.05):.4f}",
        "case": rng.choices(("normal", "upper", "lower"), weights=(86, 10, 4))[0],
        "headers": rng.choices(("upper", "title", "none"), weights=(62, 26, 12))[0],
        "units": "cm" if rng.random() < 0.6 else "mm",
        "decimal": ("," if rng.random() < 0.9 else ".")
        if lang == "fr"
        else ("." if rng.random() < 0.97 else ","),
        "accents": "no" if lang == "fr" and rng.random() < 0.08 else "yes",
        "wrap": "0" if rng.random() < 0.8 else str(rng.randint(60, 100)),
        "distractors": f"{rng.random():.2f}",
    }
    for key, default in drawn.items():
        value = given.get(key)
        style[key] = _valid_knob(key, value, layouts) or default
    return style


def _valid_knob(key: str, value: Any, layouts: tuple[str, ...]) -> str | None:
    if value is None:
        return None
    s = str(value).strip()
    ok = {
        "layout": lambda: s in layouts,
        "case": lambda: s in ("normal", "upper", "lower"),
        "headers": lambda: s in ("upper", "title", "none"),
        "units": lambda: s in ("cm", "mm"),
        "decimal": lambda: s in (",", "."),
        "accents": lambda: s in ("yes", "no"),
        "noise": lambda: 0.0 <= float(s) <= 0.1,
        "distractors": lambda: 0.0 <= float(s) <= 1.0,
        "wrap": lambda: int(s) == 0 or 30 <= int(s) <= 200,
    }[key]
    try:
        return s if ok() else None
    except ValueError:
        return None


class TemplateTeacher:
    """A teacher with no model: a grammar of French and English pathology report writing.

    ``render(record, lang, seed)`` returns the text and the character spans of every value it
    wrote; the async ``agenerate`` / ``aclose`` pair makes it a :class:`TextGenerator`. The
    schema's domain pack supplies the grammar (breast-13: many layouts); a schema without one
    gets a plain report built from its labels and surface forms.
    """

    def __init__(self, schema: Schema | str | None = None, name: str = "template") -> None:
        self.schema = (
            load_schema(schema) if isinstance(schema, str) else (schema or load_schema("breast13"))
        )
        self.name = name
        self.grammar = grammar_of(self.schema)
        # A grammar adds its own label spellings to the schema's names.
        self._lexicons = {
            lang: Lexicon.build(
                self.schema, lang, self.grammar.labels(lang) if self.grammar else None
            )
            for lang in self.schema.languages
        }
        self._checks = [(v, v.type, frozenset(v.codes)) for v in self.schema.variables]

    def _record(self, record: Mapping[str, Any]) -> dict[str, Value]:
        """The record's canonical values (``None`` for unknown); a bad value is an error."""
        values: dict[str, Value] = {}
        for var, kind, codes in self._checks:
            x = record.get(var.key)
            if _missing(x):
                values[var.key] = None
                continue
            if x is not None and hasattr(x, "item"):  # numpy scalars
                x = x.item()
            # Fast path for the usual canonical values; the schema decides the rest.
            if kind == "categorical" and x in codes:
                values[var.key] = x
                continue
            if not var.is_valid(x):
                raise PathsynthError(
                    f"record value {var.key}={x!r} is not canonical for schema {self.schema.name}"
                )
            values[var.key] = var.canonical(x)
        for c in self.schema.constraints:
            if not c.holds(values):
                raise PathsynthError(
                    f"record rejected ({c}): " + c.breach(values[c.left], values[c.right])
                )
        return values

    def compose(
        self,
        record: Mapping[str, Any],
        lang: Lang | str,
        seed: int,
        style: Mapping[str, Any] | None = None,
    ) -> TemplateReport:
        """Write one report; deterministic given (record, lang, seed, style)."""
        if lang not in self._lexicons:
            raise PathsynthError(
                f"unknown language {lang!r}: schema {self.schema.name} is written in "
                + ", ".join(self._lexicons)
            )
        values = self._record(record)
        # The record joins the seed so one seed shared by many records still varies the text.
        material = f"{int(seed)}|{lang}|" + "|".join(f"{v}" for v in values.values())
        rng = random.Random(material)
        st = _draw_style(rng, lang, style or {}, self.grammar, values)
        writer = Writer(
            rng,
            noise=float(st["noise"]),
            case=st["case"],
            accents=st["accents"] == "yes",
        )
        if self.grammar is not None:
            self.grammar.write(self._lexicons[lang], values, lang, rng, writer, st)
            extra = [k for k in self.schema.keys if k not in self.grammar.keys]
            if extra:
                writer.text("\n")
                render_generic(self.schema, values, lang, rng, writer, keys=extra, title=False)
        else:
            render_generic(self.schema, values, lang, rng, writer)
        text = writer.getvalue()
        spans = writer.spans
        text, spans = _tidy(text, spans)
        width = int(st["wrap"])
        if width:
            if rng.random() < 0.5:
                text, spans = hyphenate(text, spans, rng, rng.randint(1, 3))
            text = wrap_lines(text, spans, width)
        return TemplateReport(text, spans, st)

    def render(
        self,
        record: Mapping[str, Any],
        lang: Lang | str,
        seed: int,
        style: Mapping[str, Any] | None = None,
    ) -> tuple[str, dict[str, list[Span]]]:
        """The report text and ``{key: [(start, end), ...]}`` spans of every value written."""
        rep = self.compose(record, lang, seed, style)
        return rep.text, rep.spans

    async def agenerate(self, request: GenerationRequest) -> Generation:
        """Render from the request's record, lang, seed and style (the prompt is not used)."""
        rep = self.compose(request.record, request.lang, request.seed, request.style)
        return Generation(
            text=rep.text,
            spans=rep.spans,
            completion_tokens=len(rep.text.split()),
            model=self.name,
        )

    async def aclose(self) -> None:
        """Nothing to release."""


def _tidy(text: str, spans: dict[str, list[Span]]) -> tuple[str, dict[str, list[Span]]]:
    """Strip leading / trailing whitespace and shift spans accordingly."""
    lead = len(text) - len(text.lstrip())
    text = text.strip()
    if lead:
        spans = {k: [(a - lead, b - lead) for a, b in v] for k, v in spans.items()}
    return text + "\n", spans
