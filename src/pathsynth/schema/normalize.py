"""The normaliser: free text in French or English ("2,8 cm", "SBR II (3-2-3)", "HER2 2+ non
amplifié") to the canonical value of a schema variable, through the variable's value reader
(:mod:`pathsynth.schema.readers`).

Every reader works on folded text (:func:`pathsynth.text.fold`), so capitals, missing accents
and common OCR slips do not change the result. The answer is ``None`` whenever the text does
not state a value clearly: downstream, a wrong value costs more than an unknown one.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from pathsynth.schema.model import Lang, Schema, Value, Variable
from pathsynth.schema.readers import read_forms, reader_for
from pathsynth.schema.vocabulary import variable_vocabulary
from pathsynth.text import NOT_DONE, UNCERTAIN, fold

__all__ = ["Change", "normalize_folded", "normalize_record", "normalize_value"]

#: Longer text is no cell or phrase: the normaliser refuses it rather than scan a report.
MAX_PHRASE = 20_000


def _direct(var: Variable, value: Any) -> tuple[bool, Value]:
    """Values that are already canonical (or plain numbers) need no reading."""
    if value is None:
        return True, None
    if isinstance(value, float) and math.isnan(value):
        return True, None
    if isinstance(value, bool):
        return False, None
    if isinstance(value, int | float) and var.type != "categorical":
        return True, var.canonical(value) if var.is_valid(value) else None
    if isinstance(value, str) and var.type == "categorical" and value in var.codes:
        return True, value
    return False, None


def normalize_value(var: Variable, text: Any, lang: Lang | None = None) -> Value:
    """The canonical value of ``var`` stated by ``text`` (a phrase or a cell), else ``None``.

    ``lang`` ("fr" / "en") is a hint only: both languages are understood either way. Never
    raises on arbitrary text; returns ``None`` when the text is empty, unclear, hedged
    ("suspicion d'emboles") or out of the variable's range.
    """
    done, value = _direct(var, text)
    if done:
        return value
    raw = str(text).strip()
    if not raw or len(raw) > MAX_PHRASE:
        return None
    return normalize_folded(var, variable_vocabulary(var).repair(fold(raw)))


def normalize_folded(var: Variable, t: str) -> Value:
    """:func:`normalize_value` for text already folded (the rules extractor folds once)."""
    if len(t) < 30 and NOT_DONE.search(t):  # a cell or an answer: "unknown", "non précisé"
        return None
    reader, fallback = reader_for(var)
    candidates = [reader(var, t)]
    if fallback and not (UNCERTAIN.search(t) or NOT_DONE.search(t)):
        candidates.append(read_forms(var, t))
    for value in candidates:
        if value is not None and var.is_valid(value):
            return var.canonical(value)
    return None


@dataclass(frozen=True)
class Change:
    """One value rewritten by :func:`normalize_record` (``after`` is ``None`` when unreadable)."""

    key: str
    before: Any
    after: Value


def normalize_record(
    schema: Schema, values: Mapping[str, Any], lang: Lang | None = None
) -> tuple[dict[str, Value], list[Change]]:
    """Canonical values for one record, and the list of values that had to be rewritten.

    Keys not in the schema are kept as they are (validation reports them). A value that
    cannot be read is kept unchanged, so validation can point at it, and listed as a change
    with ``after=None``.
    """
    out: dict[str, Value] = {}
    changes: list[Change] = []
    for key, before in values.items():
        if key not in schema:
            out[key] = before
            continue
        var = schema[key]
        if isinstance(before, str) and not before.strip():
            out[key] = None
            continue
        done, direct = _direct(var, before)
        if done:
            if direct is None and before is not None and not _is_nan(before):
                out[key] = before
                changes.append(Change(key, before, None))
            else:
                out[key] = direct
            continue
        after = normalize_value(var, before, lang)
        if after is None:
            out[key] = before
            changes.append(Change(key, before, None))
        else:
            out[key] = after
            if after != before:
                changes.append(Change(key, before, after))
    return out, changes


def _is_nan(value: Any) -> bool:
    return isinstance(value, float) and math.isnan(value)
