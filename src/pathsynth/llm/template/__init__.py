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
from functools import lru_cache
from typing import Any, Protocol

from pathsynth.errors import PathsynthError
from pathsynth.llm.base import Generation, GenerationRequest, Span
from pathsynth.llm.template._damage import damage_values, flatten, interrupt
from pathsynth.llm.template._generic import render_generic
from pathsynth.llm.template._lexicon import Lexicon
from pathsynth.llm.template._style import STYLE_KNOBS, Families, draw_style
from pathsynth.llm.template._writer import Writer, hyphenate, wrap_lines
from pathsynth.schema import Lang, Schema, Value, load_schema
from pathsynth.schema.normalize import normalize_value

__all__ = [
    "STYLE_KNOBS",
    "Grammar",
    "TemplateReport",
    "TemplateTeacher",
    "grammar_of",
    "summed_keys",
]


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


class Grammar(Families, Protocol):
    """A domain pack's report grammar (``pathsynth.domains.breast13.grammar``)."""

    keys: tuple[str, ...]
    #: Keys whose spans add up to the record value (lymph-node counts over specimens).
    summed_keys: tuple[str, ...]

    def supports(self, schema: Schema) -> bool: ...

    def labels(self, lang: str) -> dict[str, Any]: ...

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


def summed_keys(schema: Schema) -> tuple[str, ...]:
    """Keys of ``schema`` whose template spans add up to the value (none without a grammar)."""
    grammar = grammar_of(schema)
    return tuple(grammar.summed_keys) if grammar is not None else ()


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
        self._checks = [
            (v, v.type, frozenset(v.codes), v.min, v.max) for v in self.schema.variables
        ]
        self._readers: dict[str, Any] = {}

    def _record(self, record: Mapping[str, Any]) -> dict[str, Value]:
        """The record's canonical values (``None`` for unknown); a bad value is an error."""
        values: dict[str, Value] = {}
        for var, kind, codes, lo, hi in self._checks:
            x = record.get(var.key)
            t = type(x)
            # Fast paths for the usual canonical values; the schema decides the rest.
            if x is None or (t is float and x != x):
                values[var.key] = None
                continue
            if kind == "categorical":
                if t is str and x in codes:
                    values[var.key] = x
                    continue
            elif (t is int or t is float) and (lo is None or x >= lo) and (hi is None or x <= hi):
                if kind == "integer" and (t is int or x.is_integer()):
                    values[var.key] = int(x)
                    continue
                if kind == "number":
                    values[var.key] = int(x) if float(x).is_integer() else round(float(x), 3)
                    continue
            if _missing(x):
                values[var.key] = None
                continue
            if hasattr(x, "item"):  # numpy scalars
                x = x.item()
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
        st = draw_style(rng, lang, style or {}, self.grammar, values)
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
                comma = st["decimal"] == ","
                render_generic(
                    self.schema, values, lang, rng, writer, keys=extra, title=False, comma=comma
                )
        else:
            render_generic(
                self.schema,
                values,
                lang,
                rng,
                writer,
                layout=st["layout"],
                comma=st["decimal"] == ",",
            )
        text, spans = _tidy(writer.getvalue(), writer.spans)
        text, spans = self._damage(text, spans, lang, rng, st)
        return TemplateReport(text, spans, st)

    def _reads(self, lang: str) -> Any:
        """The value the schema's reader finds in a piece of text, for one language (memoised:
        value phrases repeat from report to report)."""
        if lang not in self._readers:
            variables = {v.key: v for v in self.schema.variables}

            @lru_cache(maxsize=1 << 16)
            def reads(key: str, text: str) -> object:
                return normalize_value(variables[key], text, lang)  # type: ignore[arg-type]

            self._readers[lang] = reads
        return self._readers[lang]

    def _damage(
        self,
        text: str,
        spans: dict[str, list[Span]],
        lang: str,
        rng: random.Random,
        st: dict[str, str],
    ) -> tuple[str, dict[str, list[Span]]]:
        """What exports do to reports: OCR slips in value words, page furniture mid-sentence,
        lost line breaks or hard wrapping (each a style knob)."""
        rate, cuts, width = float(st["ocr"]), int(st["interrupt"]), int(st["wrap"])
        if rate or st["flatten"] == "1":
            reads = self._reads(lang)
        if rate:
            text, spans = damage_values(text, spans, rng, rate, reads)
        if cuts:
            text, spans = interrupt(text, spans, rng, cuts, lang, st["case"] == "upper")
        if st["flatten"] == "1":
            joiner = ". " if rng.random() < 0.85 else " "
            text, spans = flatten(text, spans, rng, width or rng.randint(60, 90), reads, joiner)
            return text.rstrip() + "\n", spans
        if width:
            if rng.random() < 0.5:
                text, spans = hyphenate(text, spans, rng, rng.randint(1, 3))
            text = wrap_lines(text, spans, width)
        return text, spans

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
