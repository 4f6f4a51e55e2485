"""Domain packs: everything pathsynth knows about one kind of report, in one folder.

A pack (``pathsynth/domains/<name>/``, spaCy's language data is the model) holds a schema
(``schema.yaml``) and may hold value readers (registered by name on import), document finders
for the rules extractor and the students' candidates, a report grammar for the template teacher
(``grammar/``), a clinical prior (``prior.yaml``) and prompt packs (``prompts/fr``,
``prompts/en``). The engines — normaliser, rules extractor, fast student, template teacher,
filter, clinical prior — are generic: they ask the schema's pack for its knowledge and fall back
on generic behaviour when it has none, so a user's schema works end to end.
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass
from importlib import resources
from importlib.resources.abc import Traversable
from types import ModuleType
from typing import Any

from pathsynth.errors import PathsynthError

__all__ = ["BUILTIN_PACKS", "DomainPack", "builtin_schema_text", "load_pack"]

BUILTIN_PACKS = ("breast13",)


@dataclass(frozen=True)
class DomainPack:
    """One domain pack: its folder and the knowledge its module exposes."""

    name: str
    module: ModuleType

    @property
    def root(self) -> Traversable:
        return resources.files(self.module)

    def resource(self, *parts: str) -> Traversable | None:
        """A file or folder of the pack, or ``None`` when the pack has none."""
        node = self.root
        for p in parts:
            node = node.joinpath(p)
        return node if node.is_file() or node.is_dir() else None

    def knowledge(self, name: str) -> Any:
        """An optional piece of knowledge the pack's module offers (``document_finders``,
        ``report_grammar``, ``clinical_prior``...), loaded on first use; ``None`` when absent."""
        getter = getattr(self.module, name, None)
        return getter() if callable(getter) else getter


def load_pack(name: str) -> DomainPack:
    """The built-in domain pack ``name``."""
    if name not in BUILTIN_PACKS:
        raise PathsynthError(f"unknown domain pack {name!r}: built-in packs are {BUILTIN_PACKS}")
    return DomainPack(name, importlib.import_module(f"pathsynth.domains.{name}"))


def builtin_schema_text(name: str) -> str | None:
    """The schema YAML of built-in pack ``name``, or ``None`` when there is no such pack."""
    if name not in BUILTIN_PACKS:
        return None
    return load_pack(name).root.joinpath("schema.yaml").read_text("utf-8")
