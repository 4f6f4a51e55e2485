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
from typing import Any

from pathsynth.errors import PathsynthError
from pathsynth.llm.base import Generation, GenerationRequest, Span
from pathsynth.llm.template._breast import (
    BREAST_KEYS,
    LAYOUT_WEIGHTS,
    LAYOUTS,
    BreastReport,
    Lexicon,
    phrases,
)
from pathsynth.llm.template._generic import render_generic
from pathsynth.llm.template._writer import Writer, hyphenate, wrap_lines
from pathsynth.schema import LANGS, Lang, Schema, Value, load_schema

__all__ = ["LAYOUTS", "STYLE_KNOBS", "TemplateReport", "TemplateTeacher"]

#: Style knobs a caller may fix (``style={"layout": "synoptic"}``); the others are drawn per
#: report from the seed. Unknown keys (style hints meant for LLM prompts) are ignored.
STYLE_KNOBS: dict[str, str] = {
    "layout": "one of " + ", ".join(LAYOUTS),
    "noise": "OCR-like noise: edits per character of filler text, 0 to 0.1",
    "case": "normal, upper (whole report in capitals) or lower",
    "headers": "upper, title or none (narrative paragraphs): how section titles are written",
    "units": "cm or mm for sizes",
    "decimal": "',' or '.' as decimal separator",
    "accents": "yes or no (no: diacritics dropped, as some systems do)",
    "wrap": "hard line width in characters, 0 for none",
    "distractors": "0 to 1: how much distracting content (DCIS, techniques, addenda...)",
}

_BREAST_TYPES = {
    "echantillon": "categorical",
    "diagnostic": "categorical",
    "grade": "integer",
    "taille": "number",
    "marges_saines": "categorical",
    "numero_gang_prel": "integer",
    "numero_gang_att": "integer",
    "emboles": "categorical",
    "rupture_capsulaire": "categorical",
    "re": "categorical",
    "rp": "categorical",
    "her2": "categorical",
    "ki67": "number",
}
_CODES = {
    "marges_saines": {"yes", "no"},
    "emboles": {"yes", "no"},
    "rupture_capsulaire": {"yes", "no"},
    "re": {"positive", "negative"},
    "rp": {"positive", "negative"},
    "her2": {"positive", "negative"},
}


@dataclass(frozen=True)
class TemplateReport:
    """One rendered report: text, value spans per key, and the style it was drawn with."""

    text: str
    spans: dict[str, list[Span]]
    style: dict[str, str] = field(default_factory=dict)


def _is_breast(schema: Schema) -> bool:
    """Whether ``schema`` has the breast-13 variables the breast grammar is written for."""
    for key, kind in _BREAST_TYPES.items():
        if key not in schema or schema[key].type != kind:
            return False
        if key in _CODES and set(schema[key].codes) != _CODES[key]:
            return False
    return True


def _missing(x: Any) -> bool:
    """None, NaN, pandas NA / NaT: all mean "unknown" in a record."""
    if x is None:
        return True
    if isinstance(x, float):
        return math.isnan(x)
    return type(x).__name__ in ("NAType", "NaTType")


def _draw_style(
    rng: random.Random, lang: str, given: Mapping[str, Any], breast: bool, biopsy: bool = False
) -> dict[str, str]:
    """The report's style: the caller's valid knobs, the rest drawn from ``rng``."""
    style: dict[str, str] = {}
    # Draw every knob first so that fixing one does not shift the others.
    drawn = {
        "layout": (
            "biopsy"
            if biopsy and rng.random() < 0.5
            else rng.choices(LAYOUTS, weights=LAYOUT_WEIGHTS)[0]
        )
        if breast
        else "synoptic",
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
        style[key] = _valid_knob(key, value) or default
    return style


def _valid_knob(key: str, value: Any) -> str | None:
    if value is None:
        return None
    s = str(value).strip()
    ok = {
        "layout": lambda: s in LAYOUTS,
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
    wrote; the async ``agenerate`` / ``aclose`` pair makes it a :class:`TextGenerator`. With
    the breast-13 schema (or any schema with its variables) the breast grammar is used; any other
    schema gets a plain synoptic report built from its labels and surface forms.
    """

    def __init__(self, schema: Schema | str | None = None, name: str = "template") -> None:
        self.schema = (
            load_schema(schema) if isinstance(schema, str) else (schema or load_schema("breast13"))
        )
        self.name = name
        self._breast = _is_breast(self.schema)
        # The breast grammar adds its own label spellings to the schema's names.
        self._lexicons = {
            lang: Lexicon.build(
                self.schema, lang, phrases(lang)["labels"] if self._breast else None
            )
            for lang in LANGS
        }
        self._checks = [(v, v.type, frozenset(v.codes)) for v in self.schema.variables]
        self._constrained = "numero_gang_att <= numero_gang_prel" in self.schema.constraints

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
        if self._constrained:
            att, prel = values.get("numero_gang_att"), values.get("numero_gang_prel")
            if isinstance(att, int) and isinstance(prel, int) and att > prel:
                raise PathsynthError(
                    f"record rejected: numero_gang_att={att} > numero_gang_prel={prel}"
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
        if lang not in LANGS:
            raise PathsynthError(f"unknown language {lang!r}: use one of {', '.join(LANGS)}")
        values = self._record(record)
        # The record joins the seed so one seed shared by many records still varies the text.
        material = f"{int(seed)}|{lang}|" + "|".join(f"{v}" for v in values.values())
        rng = random.Random(material)
        biopsy = values.get("echantillon") == "biopsy"
        st = _draw_style(rng, lang, style or {}, self._breast, biopsy)
        writer = Writer(
            rng,
            noise=float(st["noise"]),
            case=st["case"],
            accents=st["accents"] == "yes",
        )
        if self._breast:
            BreastReport(self._lexicons[lang], values, lang, rng, writer, st).render()
            extra = [k for k in self.schema.keys if k not in BREAST_KEYS]
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
