"""Value readers: folded text to one variable's canonical value, registered by name.

A schema names its variables' readers (``reader: nottingham_grade``); a variable that names
none is read by type and unit, never by its key: categories by their surface forms, lengths in
the variable's unit (``mm`` or ``cm``), percentages, counts (digits or words), plain numbers.
Domain packs register their own readers (``pathsynth.domains.breast13`` registers the breast
ones) and every engine — normaliser, rules extractor, students, filter — reads through here.
"""

from __future__ import annotations

import importlib
import re
from collections.abc import Callable
from dataclasses import dataclass

from pathsynth.schema.model import Value, Variable
from pathsynth.text import NUM, NUMBER_WORD, UNCERTAIN, count_value, squash, to_float
from pathsynth.text.units import LENGTH_UNITS, lengths_mm, percents

__all__ = [
    "ReaderFn",
    "default_reader_name",
    "get_reader",
    "has_reader",
    "read_categorical",
    "read_forms",
    "reader_for",
    "register_reader",
]

ReaderFn = Callable[[Variable, str], Value]


@dataclass(frozen=True)
class _Entry:
    fn: ReaderFn
    #: when the reader finds nothing, try the variable's surface forms (categorical only)
    forms_fallback: bool


_REGISTRY: dict[str, _Entry] = {}
_BUILTIN_PACKS = ("pathsynth.domains.breast13",)


def register_reader(name: str, *, forms_fallback: bool = True) -> Callable[[ReaderFn], ReaderFn]:
    """Register ``fn(variable, folded_text) -> value | None`` under ``name``."""

    def deco(fn: ReaderFn) -> ReaderFn:
        _REGISTRY[name] = _Entry(fn, forms_fallback)
        return fn

    return deco


def _lookup(name: str) -> _Entry | None:
    if name not in _REGISTRY:
        # a schema file may name a built-in pack's reader without naming the pack
        for module in _BUILTIN_PACKS:
            importlib.import_module(module)
    return _REGISTRY.get(name)


def has_reader(name: str) -> bool:
    return _lookup(name) is not None


def get_reader(name: str) -> ReaderFn:
    entry = _lookup(name)
    if entry is None:
        raise KeyError(name)
    return entry.fn


def default_reader_name(var: Variable) -> str:
    """The reader of a variable that names none: by type and unit."""
    if var.type == "categorical":
        return "categorical"
    unit = (var.unit or "").lower()
    if unit in LENGTH_UNITS:
        return "length"
    if unit == "%":
        return "percent"
    return "count" if var.type == "integer" else "number"


def reader_for(var: Variable) -> tuple[ReaderFn, bool]:
    """The reader of ``var`` and whether surface forms back it up."""
    entry = _lookup(var.reader or default_reader_name(var))
    if entry is None:
        raise KeyError(var.reader)
    return entry.fn, entry.forms_fallback and var.type == "categorical" and var.reader is not None


# --- generic readers -------------------------------------------------------------------------


@dataclass(frozen=True)
class _Form:
    text: str  # folded, punctuation turned into spaces
    code: str
    pattern: re.Pattern[str] | None  # None for forms made only of symbols ("+", "-")
    squashed: str  # without spaces, to survive broken words


_FORMS_CACHE: dict[int, tuple[Variable, list[_Form]]] = {}


def _spaced(t: str) -> str:
    return re.sub(r"[^0-9a-z+%/<>]+", " ", t).strip()


def _forms(var: Variable) -> list[_Form]:
    """Every way of writing each value of ``var``, longest first (built once per variable)."""
    from pathsynth.text import fold

    cached = _FORMS_CACHE.get(id(var))
    if cached is not None and cached[0] is var:
        return cached[1]
    pairs = set()
    for v in var.values:
        for text in (v.code, *v.label.all(), *v.surface.all()):
            f = _spaced(fold(text)) or fold(text).strip()
            if f:
                pairs.add((f, v.code))
    result = [
        _Form(
            f,
            code,
            None
            if re.fullmatch(r"\W+", f)
            else re.compile(rf"(?<![0-9a-z]){re.escape(f)}(?![0-9a-z])"),
            squash(f),
        )
        for f, code in sorted(pairs, key=lambda x: (-len(x[0]), x[0]))
    ]
    _FORMS_CACHE[id(var)] = (var, result)
    return result


_OPEN_CACHE: dict[str, re.Pattern[str]] = {}


def _open_code(var: Variable, t: str) -> str | None:
    """A code of the variable's open code system written as such ("8263/3")."""
    if var.open_codes is None:
        return None
    rx = _OPEN_CACHE.get(var.open_codes)
    if rx is None:
        # codes are matched as whole tokens, in the folded (lower-case) text
        rx = re.compile(rf"(?<![\w/.,])(?:{var.open_codes})(?![\w/]|[.,]\d)", re.IGNORECASE)
        _OPEN_CACHE[var.open_codes] = rx
    m = rx.search(t)
    return m.group(0) if m else None


@register_reader("categorical")
def read_categorical(var: Variable, t: str) -> Value:
    """A category by its surface forms (:func:`read_forms`), or a code of an open code system
    written as such; hedged text ("suspicion de", "cannot be excluded") states none."""
    if UNCERTAIN.search(t):
        return None
    code = _open_code(var, t)
    if code is not None and (code in var.codes or var.is_valid(code)):
        return code
    return read_forms(var, t)


def read_forms(var: Variable, t: str) -> Value:
    """The value whose code, label or surface form ``t`` contains (longest form first)."""
    t1 = _spaced(t) or t.strip()
    forms = _forms(var)
    for form in forms:
        if form.pattern is None:
            if t1 == form.text:
                return form.code
        elif form.pattern.search(t1):
            return form.code
    sq = re.sub(r"[^0-9a-z+]", "", t)
    for form in forms:
        if len(form.squashed) >= 6 and form.squashed in sq:
            return form.code
    return None


_BARE = re.compile(rf"^\s*[<>~=]?\s*({NUM})\s*$")


@register_reader("length")
def read_length(var: Variable, t: str) -> Value:
    """A length with its unit, in the variable's unit (mm or cm); a bare number is taken as
    already in that unit."""
    unit = LENGTH_UNITS.get((var.unit or "mm").lower(), 1.0)
    found = lengths_mm(t)
    if found:
        return found[0][0] / unit
    m = _BARE.match(t)
    return to_float(m.group(1)) if m else None


@register_reader("percent")
def read_percent(var: Variable, t: str) -> Value:
    """A percentage ("15 %", "10-20 %": the middle); a bare number is taken as a percentage."""
    pcts = percents(t)
    if pcts:
        return (pcts[0][1] + pcts[0][2]) / 2
    m = _BARE.match(t)
    return to_float(m.group(1)) if m else None


@register_reader("count")
def read_count(var: Variable, t: str) -> Value:
    """A whole count in digits or words ("3", "trois", "twenty-three")."""
    m = re.search(rf"(?<![\d.,\-+_])(\d+)(?!\d|[.,_]\d)|\b({NUMBER_WORD})\b", t)
    if not m:
        return None
    return count_value(m.group(1) or m.group(2))


@register_reader("number")
def read_number(var: Variable, t: str) -> Value:
    """The first plain unsigned number."""
    m = re.search(rf"(?<![\d.,\-+_])({NUM})(?![\d_])", t)
    return to_float(m.group(1)) if m else None
