"""The filter's judges: what reads a report back to tell whether it states its record.

* ``spans`` — the teacher said where it wrote each value (the template teacher does): each span
  is read back with the schema's value reader (:func:`pathsynth.schema.normalize.normalize_value`)
  and count spans are added up. A faithful-by-construction report is then kept even when its
  phrasing is beyond what an extractor reads (multi-part reports, OCR slips, lost line breaks),
  while a span that states something else still rejects it.
* ``rules``, a trained student directory or an LLM SPEC — an extractor reads the text.
* ``auto`` (the default) — ``spans`` for reports that carry spans, ``rules`` for the others.

A judge may be set per teacher (``judges={"gemma": "rules"}``), overriding the default.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Mapping
from typing import Any

from pathsynth.extraction.base import Extraction, Extractor, Span
from pathsynth.schema import Schema, Value
from pathsynth.schema.normalize import normalize_value

AUTO = "auto"
SPANS = "spans"
#: Names of the judges that are not extractor specs.
BUILTIN_JUDGES = (AUTO, SPANS)


def summed_keys(schema: Schema) -> tuple[str, ...]:
    """Keys whose spans add up to the record (node counts over specimens), per the schema's
    report grammar; none for a schema without one."""
    from pathsynth.llm.template import summed_keys as grammar_summed

    return grammar_summed(schema)


def read_spans(
    text: str,
    spans: Mapping[str, Any],
    schema: Schema,
    *,
    summed: tuple[str, ...] = (),
    lang: str | None = None,
    record: Mapping[str, Value] | None = None,
    tally: Counter[str] | None = None,
) -> Extraction:
    """What the spans of a report state, read back with the schema's value readers.

    Summed keys add their spans' values (any unreadable one leaves the sum unknown); other keys
    take the value their readable spans agree on, or, when one disagrees with ``record``, that
    one (so the check finds it different). Unreadable spans (``tally["unreadable"]``) are
    ignored when another span of the key reads.
    """
    values: dict[str, Value] = {key: None for key in schema.keys}
    evidence: dict[str, list[Span]] = {}
    for key, raw in spans.items():
        if key not in values or not isinstance(raw, list):
            continue
        var = schema[key]
        ranges = [
            (int(a), int(b))
            for a, b in (s for s in raw if isinstance(s, list | tuple) and len(s) == 2)
            if isinstance(a, int) and isinstance(b, int) and 0 <= a < b <= len(text)
        ]
        if not ranges:
            continue
        readings = [normalize_value(var, text[a:b], lang) for a, b in ranges]  # type: ignore[arg-type]
        unreadable = sum(r is None for r in readings)
        if tally is not None and unreadable:
            tally["unreadable"] += unreadable
        if key in summed:
            if unreadable:
                continue
            total = sum(float(r) for r in readings if r is not None and not isinstance(r, str))
            values[key] = var.canonical(total)
        else:
            read = [r for r in readings if r is not None]
            if not read:
                continue
            want = None if record is None else record.get(key)
            other = [r for r in read if want is not None and not var.equal(r, want)]
            values[key] = other[0] if other else read[0]
        evidence[key] = ranges
    return Extraction(values, evidence)


class Judges:
    """The judge of each report: the default, or its teacher's own, ``auto`` resolved."""

    def __init__(
        self,
        default: str | Extractor,
        per_teacher: Mapping[str, str],
        make: Callable[[str], Extractor],
    ) -> None:
        self.default = default
        self.per_teacher = dict(per_teacher)
        self._make = make
        self._cache: dict[str, Extractor] = {}

    def spec_for(self, teacher: str, has_spans: bool) -> str:
        """``spans`` or the spec of the extractor that reads this teacher's report."""
        spec = self.per_teacher.get(teacher, self.default)
        if not isinstance(spec, str):
            return "<object>"
        if spec == AUTO:
            return SPANS if has_spans else "rules"
        return spec

    def extractor(self, spec: str) -> Extractor:
        if spec == "<object>":
            assert not isinstance(self.default, str)
            return self.default
        if spec not in self._cache:
            self._cache[spec] = self._make(spec)
        return self._cache[spec]

    def name(self, spec: str) -> str:
        """How the summary names a judge."""
        if spec == SPANS:
            return SPANS
        if spec == "<object>":
            return str(getattr(self.default, "name", type(self.default).__name__))
        return str(getattr(self._cache.get(spec), "name", spec))
