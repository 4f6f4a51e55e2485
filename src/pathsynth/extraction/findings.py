"""What the rules extractor's document finders work on and return.

A :class:`Document` is a report folded once and cut into statements by the sectioner; a finder
(one per variable, from the schema's domain pack or the generic one) returns the
:class:`Finding` s it reads, each a value with the span of the statement stating it and the kind
of section that statement lies in.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cached_property

from pathsynth.schema import Schema, Value
from pathsynth.text import fold_report
from pathsynth.text.sections import (
    CLINICAL,
    COMMENT,
    CONCLUSION,
    FROZEN,
    GROSS,
    IHC,
    MICRO,
    OTHER,
    SYNOPTIC,
    Statement,
    mend_soft_breaks,
    statements,
)

__all__ = [
    "CLINICAL",
    "COMMENT",
    "CONCLUSION",
    "FROZEN",
    "GROSS",
    "IHC",
    "MICRO",
    "OTHER",
    "SYNOPTIC",
    "Candidate",
    "Document",
    "Finder",
    "FinderSet",
    "Finding",
    "JointFinder",
    "Span",
    "best",
    "clause_around",
]

Span = tuple[int, int]


@dataclass(frozen=True)
class Finding:
    """A value read from one statement."""

    value: Value
    span: Span
    kind: int


@dataclass(frozen=True)
class Candidate:
    """A place where a report may state a key's value, for the students to choose from:
    the value read there, its span in the report, its statement, and the pack's cue flags."""

    key: str
    value: Value
    span: Span
    statement: Statement
    flags: tuple[str, ...] = ()


@dataclass
class Document:
    """One report as the finders read it: the original text, its folded twin (same length)
    and its statements."""

    text: str
    schema: Schema
    folded: str = field(init=False)
    #: results several finders and the candidates share, computed once per report
    cache: dict[object, object] = field(init=False, default_factory=dict)

    def __post_init__(self) -> None:
        from pathsynth.schema.vocabulary import schema_vocabulary

        folded = fold_report(self.text, schema_vocabulary(self.schema))
        self.folded = mend_soft_breaks(folded, self.text)

    @cached_property
    def statements(self) -> list[Statement]:
        return statements(self.folded, self.text)

    def read(self, key: str, text: str) -> Value:
        """The value of schema key ``key`` that folded ``text`` states (its value reader)."""
        from pathsynth.schema.normalize import normalize_folded

        return normalize_folded(self.schema[key], text)

    @cached_property
    def readable(self) -> list[Statement]:
        """The statements a value may come from: all but the clinical history."""
        return [s for s in self.statements if s.kind != CLINICAL]


Finder = Callable[[Document], list[Finding]]
#: A finder of several keys read together (lymph nodes examined and affected): one list each.
JointFinder = Callable[[Document], tuple[list[Finding], ...]]


@dataclass(frozen=True)
class FinderSet:
    """A domain pack's document finders: one per key, joint ones, and a last pass over all
    findings that applies the rules tying variables together."""

    single: dict[str, Finder]
    joint: tuple[tuple[tuple[str, ...], JointFinder], ...] = ()
    post: Callable[[dict[str, list[Finding]]], None] | None = None
    #: every place each key may be stated, for the students (``None``: the generic ones)
    candidates: Callable[[Document], dict[str, list[Candidate]]] | None = None
    #: keys whose value adds up over several mentions (lymph nodes over node specimens)
    sum_keys: tuple[str, ...] = ()


def best(findings: list[Finding]) -> list[Finding]:
    """The findings of the best section kind present."""
    if not findings:
        return []
    top = min(f.kind for f in findings)
    return [f for f in findings if f.kind == top]


_CLAUSE_BOUND = re.compile(r"[,;|]\s|\s-\s|\bmais\b|\bbut\b|\n")


def clause_around(text: str, start: int, end: int) -> Span:
    """The clause of ``text`` holding ``text[start:end]`` (cut at commas, semicolons, bars)."""
    a = max((m.end() for m in _CLAUSE_BOUND.finditer(text, 0, start)), default=0)
    nxt = _CLAUSE_BOUND.search(text, end)
    return a, nxt.start() if nxt else len(text)
