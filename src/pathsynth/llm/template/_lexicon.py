"""A schema's labels and surface forms in one language, ready for a grammar to draw from."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from pathsynth.schema import Schema


@dataclass(frozen=True)
class Lexicon:
    """A schema's labels and surface forms in one language, as tuples ready to draw from."""

    names: dict[str, tuple[str, ...]]
    surfaces: dict[tuple[str, str], tuple[str, ...]]

    @classmethod
    def build(
        cls, schema: Schema, lang: str, extra: dict[str, Sequence[str]] | None = None
    ) -> Lexicon:
        extra = extra or {}
        names = {
            v.key: (tuple(v.names[lang]) or (v.description[lang],)) + tuple(extra.get(v.key, ()))
            for v in schema.variables
        }
        surfaces = {
            (v.key, c.code): tuple(c.surface[lang]) or (c.label[lang],)
            for v in schema.variables
            for c in v.values
        }
        return cls(names, surfaces)
