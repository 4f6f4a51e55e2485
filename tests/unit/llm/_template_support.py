"""Helpers the template-teacher tests share: random records, counts, distractor sections."""

from __future__ import annotations

import random
import re
import unicodedata
from typing import Any

from pathsynth.domains.breast13.grammar.bank import phrases
from pathsynth.schema import Schema
from pathsynth.text import count_value as text_count
from pathsynth.text import fold as text_fold

COUNT_KEYS = ("numero_gang_prel", "numero_gang_att")
FAMILIES = ("classic", "cap", "chu")


def count_value(piece: str) -> int:
    """A node count written in digits or in words (OCR's "1O" for 10 included)."""
    value = text_count(text_fold(piece))
    assert value is not None, piece
    return value


def random_record(schema: Schema, rng: random.Random, p_unknown: float = 0.2) -> dict[str, Any]:
    """A canonical record with each value unknown with probability ``p_unknown``."""
    rec: dict[str, Any] = {}
    for var in schema.variables:
        if rng.random() < p_unknown:
            rec[var.key] = None
        elif var.type == "categorical":
            rec[var.key] = rng.choice(var.codes)
        elif var.key == "taille":
            rec[var.key] = rng.choice((float(rng.randint(1, 120)), rng.randint(10, 800) / 10))
        elif var.key == "ki67":
            rec[var.key] = rng.choice((float(rng.randint(0, 95)), rng.randint(0, 190) / 2))
        elif var.type == "integer":
            lo, hi = int(var.min or 0), int(var.max or 10)
            rec[var.key] = rng.randint(lo, min(hi, 40))
        else:
            rec[var.key] = rng.uniform(var.min or 0, var.max or 100)
    prel, att = rec.get("numero_gang_prel"), rec.get("numero_gang_att")
    if prel is not None and att is not None and att > prel:
        rec["numero_gang_att"] = rng.randint(0, prel)
    return rec


def fold(s: str) -> str:
    s = unicodedata.normalize("NFD", s.lower())
    return "".join(c for c in s if unicodedata.category(c) != "Mn")


def _titles(family: str, lang: str) -> dict[str, tuple[str, ...]]:
    bank = phrases(lang, family)
    sections = bank["sections"] if family != "classic" else bank["text"]["sections"]
    return {name: tuple(titles) for name, titles in sections.items()}


def section_bounds(text: str, family: str, lang: str) -> list[tuple[str, int]]:
    """``(section name, start)`` of the section titles found at line starts, in order."""
    found = []
    low = fold(text)  # one character for one: offsets stay those of ``text``
    for name, titles in _titles(family, lang).items():
        alt = "|".join(re.escape(fold(t)) for t in sorted(titles, key=len, reverse=True))
        for m in re.finditer(rf"(?im)^(?:{alt})(?= ?:|\n|$)", low):
            found.append((m.start(), name))
    return [(name, start) for start, name in sorted(found)]


def without_gross(text: str, family: str, lang: str) -> str:
    """``text`` with its gross-description sections cut out (they measure every margin)."""
    bounds = section_bounds(text, family, lang)
    keep, pos = [], 0
    for i, (name, start) in enumerate(bounds):
        if name != "gross":
            continue
        keep.append(text[pos:start])
        nxt = [s for n, s in bounds[i + 1 :] if n != "gross"]
        pos = nxt[0] if nxt else len(text)
    keep.append(text[pos:])
    return "".join(keep)


def section_of(bounds: list[tuple[str, int]], offset: int) -> str | None:
    """The section (of ``section_bounds``) ``offset`` falls in (``None`` before the first)."""
    current = None
    for name, start in bounds:
        if start > offset:
            break
        current = name
    return current
