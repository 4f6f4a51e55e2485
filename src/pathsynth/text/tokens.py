"""Tokens with character offsets, and the language of a report guessed from its words."""

from __future__ import annotations

import re

__all__ = ["TOKEN_RE", "guess_lang", "tokenize"]

# Numbers (with a decimal comma or point), words (letters incl. accents), single symbols.
TOKEN_RE = re.compile(r"\d+(?:[.,]\d+)?|[^\W\d_]+|[^\w\s]")


def tokenize(text: str) -> list[tuple[str, int, int]]:
    """Tokens of ``text`` with their character offsets."""
    return [(m.group(), *m.span()) for m in TOKEN_RE.finditer(text)]


# fmt: off
_FR_MARKERS = frozenset(["le", "la", "les", "des", "du", "une", "est", "sont", "avec", "sans",
    "absence", "présence", "prélèvement", "ganglions", "récepteurs", "carcinome", "infiltrant",
    "taille", "marges", "berges"])
_EN_MARKERS = frozenset(["the", "of", "and", "with", "without", "is", "are", "no", "present",
    "absent", "specimen", "nodes", "receptor", "carcinoma", "invasive", "size", "margins"])
# fmt: on


def guess_lang(text: str) -> str:
    """``fr`` or ``en`` from frequent words (reports carry no language tag)."""
    words = re.findall(r"[^\W\d_]+", text[:4000].lower())
    fr = sum(w in _FR_MARKERS for w in words)
    en = sum(w in _EN_MARKERS for w in words)
    return "en" if en > fr else "fr"
