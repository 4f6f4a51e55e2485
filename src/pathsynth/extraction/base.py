"""The extractor protocol: report texts in, the schema's values and their evidence out."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Protocol, runtime_checkable

from pathsynth.schema import Lang, Value

Span = tuple[int, int]


@dataclass
class Extraction:
    """Values extracted from one report, with the character spans that support each."""

    values: dict[str, Value]
    evidence: dict[str, list[Span]] = field(default_factory=dict)

    def to_prediction(self, report_id: str) -> dict[str, object]:
        """The prediction line of docs/INTERFACE.md."""
        return {"id": report_id, "values": dict(self.values)}


@runtime_checkable
class Extractor(Protocol):
    """Anything that turns report texts into values: rules, students, prompted LLMs."""

    name: str

    def extract(self, texts: Sequence[str], *, lang: Lang | None = None) -> list[Extraction]:
        """One :class:`Extraction` per text, every schema key present (``None`` = not stated)."""
        ...
