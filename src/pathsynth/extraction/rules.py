"""The ``rules`` extractor: a section-aware pattern reader of whole pathology reports.

It cuts a report into statements tagged with their section (:mod:`pathsynth.text.sections`)
and reads each variable with a document finder: the schema's domain pack supplies finders for
the variables it knows (breast-13: specimen ranking, node counts summed over specimens, tumour
size among distractors...), and every other variable is read generically — a statement naming
the variable (its names in the schema) or one of its values (its surface forms), read in the
clause that names it with the variable's value reader. When statements disagree the conclusion
wins over the microscopy, which wins over the gross description; the clinical history
(previous biopsies, imaging) is never read. Every value comes with the character span of the
statement that gives it.

It is the project's baseline and the filter's default judge, so it prefers ``None`` to a
guess: a variable is only filled when a statement states it.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from pathsynth.extraction.base import Extraction, Span
from pathsynth.extraction.findings import Candidate, Document, FinderSet, Finding, best
from pathsynth.schema import Lang, Schema, Value, Variable, load_schema
from pathsynth.schema.normalize import normalize_folded
from pathsynth.text import fold, word_union
from pathsynth.text.sections import Statement

__all__ = ["RulesExtractor", "document_findings", "pack_finders", "report_candidates"]


def pack_finders(schema: Schema) -> FinderSet | None:
    """The document finders of the schema's domain pack (``None`` when it has none)."""
    if schema.domain is None:
        return None
    from pathsynth.domains import load_pack

    finders = load_pack(schema.domain).knowledge("document_finders")
    return finders if isinstance(finders, FinderSet) else None


class _GenericFinder:
    """Reads one variable of any schema from prose or ``Name: value`` lines: a statement that
    names the variable, or (for categories) one of its values, is read with the value reader."""

    def __init__(self, var: Variable) -> None:
        self.var = var
        names = {fold(n).strip() for n in (*var.names.all(), var.key, var.key.replace("_", " "))}
        self.names = re.compile(rf"(?<![a-z0-9]){word_union(n for n in names if n)}(?![a-z0-9])")
        forms: set[str] = set()
        for v in var.values:
            forms.update(fold(f).strip() for f in (*v.surface.all(), *v.label.all()))
        usable = {f for f in forms if len(f) >= 4}
        self.forms = (
            re.compile(rf"(?<![a-z0-9]){word_union(usable)}(?![a-z0-9])") if usable else None
        )

    def __call__(self, doc: Document) -> list[Finding]:
        return best(self.findings(doc))[:1]

    def candidates(self, doc: Document) -> list[Candidate]:
        """Every statement the variable may be read from, the clinical history included."""
        return [
            Candidate(self.var.key, f.value, f.span, s)
            for s in doc.statements
            for f in self.findings(doc, [s])
        ]

    def findings(self, doc: Document, stmts: list[Statement] | None = None) -> list[Finding]:
        out = []
        for s in doc.readable if stmts is None else stmts:
            found = self._named(s)
            if found is None and self.forms is not None:
                # "invasion périneurale présente": a value's own words state it without the name
                for m in self.forms.finditer(s.text):
                    a, b = _sentence(s.text, m.start(), m.end())
                    value = normalize_folded(self.var, s.text[a:b])
                    if value is not None:
                        found = Finding(value, (s.start + a, s.start + b), s.kind)
                        break
            if found is not None:
                out.append(found)
        return out

    def _named(self, s: Statement) -> Finding | None:
        """The value read where the statement names the variable: after the name, else in
        the name's sentence ("17 ganglions examinés"), never across a sentence end."""
        for m in self.names.finditer(s.text):
            a, b = _sentence(s.text, m.start(), m.end())
            value = normalize_folded(self.var, s.text[m.end() : b].lstrip(" :=|-"))
            if value is None:
                value = normalize_folded(self.var, s.text[a:b])
            if value is not None:
                return Finding(value, (s.start + a, s.start + b), s.kind)
        return None


_SENTENCE_END = re.compile(r"[.;!?](?=\s|$)|\n")


def _sentence(text: str, start: int, end: int) -> tuple[int, int]:
    """The bounds of the sentence (or line) of ``text`` holding ``start:end``."""
    a = 0
    for m in _SENTENCE_END.finditer(text, 0, start):
        a = m.end()
    m2 = _SENTENCE_END.search(text, end)
    return a, m2.start() if m2 else len(text)


def document_findings(doc: Document, finders: FinderSet | None) -> dict[str, list[Finding]]:
    """Every key's findings in ``doc``: the pack's finders, then the generic ones."""
    schema = doc.schema
    found: dict[str, list[Finding]] = {}
    if finders is not None:
        for keys, joint in finders.joint:
            if all(k in schema for k in keys):
                for key, hits in zip(keys, joint(doc), strict=True):
                    found[key] = hits
        for key, finder in finders.single.items():
            if key in schema:
                found[key] = finder(doc)
    for key in schema.keys:
        if key not in found:
            found[key] = _GenericFinder(schema[key])(doc)
    if finders is not None and finders.post is not None:
        finders.post(found)
    return found


def report_candidates(doc: Document, finders: FinderSet | None) -> dict[str, list[Candidate]]:
    """Every key's candidates in ``doc``: the pack's, then the generic ones."""
    found = finders.candidates(doc) if finders is not None and finders.candidates else {}
    out = {k: list(found.get(k, [])) for k in doc.schema.keys}
    for key in doc.schema.keys:
        if key not in found:
            out[key] = _GenericFinder(doc.schema[key]).candidates(doc)
    return out


class RulesExtractor:
    """Section-aware pattern extractor of pathology reports (French, English), for any schema:
    the schema's domain pack gives the finders it knows; the others are generic."""

    name = "rules"

    def __init__(self, schema: Schema | str | None = None) -> None:
        if schema is None:
            schema = "breast13"
        self.schema = load_schema(schema) if isinstance(schema, str) else schema
        self.finders = pack_finders(self.schema)

    def extract(self, texts: Sequence[str], *, lang: Lang | None = None) -> list[Extraction]:
        """One :class:`Extraction` per report; ``None`` where the report states nothing."""
        return [self.extract_one(text, lang=lang) for text in texts]

    def extract_one(self, text: str, *, lang: Lang | None = None) -> Extraction:
        """Values and evidence spans for one report."""
        text = text or ""
        doc = Document(text, self.schema)
        found = document_findings(doc, self.finders)
        values: dict[str, Value] = {}
        evidence: dict[str, list[Span]] = {}
        for key in self.schema.keys:
            values[key], spans = rules_value(self.schema[key], found.get(key, []), text)
            if values[key] is not None:
                evidence[key] = spans
        return Extraction(values=values, evidence=evidence)


def rules_value(var: Variable, hits: Sequence[Finding], text: str) -> tuple[Value, list[Span]]:
    """What the rules extractor says of one key from its findings in ``text``: the first
    finding's value (canonical; ``None`` when absent or invalid) and the spans of the findings."""
    value = hits[0].value if hits else None
    if value is None or not var.is_valid(value):
        return None, []
    spans = {_trim(text, f.span) for f in hits}
    return var.canonical(value), sorted(sp for sp in spans if sp[0] < sp[1]) or [hits[0].span]


def _trim(text: str, span: Span) -> Span:
    """The span without white space, list marks and trailing separators at either end."""
    a, b = span
    while a < b and (text[a].isspace() or text[a] in "-*•|+"):
        a += 1
    while b > a and (text[b - 1].isspace() or text[b - 1] in ",;|"):
        b -= 1
    return a, b
