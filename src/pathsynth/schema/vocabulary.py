"""The words a schema's reports are written with, for OCR repair (:mod:`pathsynth.text.spelling`):
every word of the variables' names, labels and surface forms, plus the word list of the
schema's domain pack (``vocabulary.txt``: the words of its reports that are no value)."""

from __future__ import annotations

import re
from collections.abc import Iterable

from pathsynth.schema.model import Schema, Variable
from pathsynth.text import Vocabulary, fold

__all__ = ["schema_vocabulary", "variable_vocabulary"]

_CACHE: dict[int, tuple[object, Vocabulary]] = {}


def _words(texts: Iterable[str]) -> set[str]:
    return {w for t in texts for w in re.findall(r"[a-z]+", fold(t)) if len(w) >= 5}


def _variable_texts(var: Variable) -> list[str]:
    texts = [*var.names.all(), *var.description.all()]
    for v in var.values:
        texts += [*v.label.all(), *v.surface.all()]
    return texts


def variable_vocabulary(var: Variable) -> Vocabulary:
    """The words of one variable (used when a phrase is normalised on its own)."""
    hit = _CACHE.get(id(var))
    if hit is None or hit[0] is not var:
        hit = (var, Vocabulary(_words(_variable_texts(var))))
        _CACHE[id(var)] = hit
    return hit[1]


def schema_vocabulary(schema: Schema) -> Vocabulary:
    """The words of a schema and of its domain pack's word list."""
    hit = _CACHE.get(id(schema))
    if hit is None or hit[0] is not schema:
        words = _words(t for v in schema.variables for t in _variable_texts(v))
        if schema.domain is not None:
            from pathsynth.domains import load_pack

            listed = load_pack(schema.domain).resource("vocabulary.txt")
            if listed is not None:
                lines = listed.read_text("utf-8").splitlines()
                words |= _words(line for line in lines if not line.startswith("#"))
        hit = (schema, Vocabulary(words))
        _CACHE[id(schema)] = hit
    return hit[1]
