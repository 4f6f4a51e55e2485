"""The phrase banks of the breast-13 grammar and the small constants every module shares.

The words live in ``phrases/*.yaml`` (one bank per family and language, read once per
process); the structure lives in the Python modules. Lists under ``values`` are value
statements (the drawn phrase becomes the span); every other list is filler or distractor.
"""

from __future__ import annotations

from functools import cache
from importlib import resources
from typing import Any

import yaml

from pathsynth.schema import load_schema
from pathsynth.text import number_words, roman

# The variables this grammar is written for: those of the built-in breast-13 schema.
BREAST_KEYS = tuple(load_schema("breast13").keys)
#: Keys whose spans add up to the record (one count per node specimen, or one total).
COUNT_KEYS = ("numero_gang_prel", "numero_gang_att")
MARKERS = ("re", "rp", "her2", "ki67")
MARKER_ORDERS = (
    ("her2", "re", "rp", "ki67"),
    ("re", "rp", "ki67", "her2"),
    ("ki67", "re", "rp", "her2"),
    ("her2", "ki67", "re", "rp"),
)
ROMAN = {g: roman(g) for g in (1, 2, 3)}
GRADE_RANGES = {1: "3-5", 2: "6 or 7", 3: "8 or 9"}
#: Nottingham component triples (tubules, nuclei, mitoses) whose sum gives each grade.
TRIPLES = {
    g: tuple(
        (a, b, c)
        for a in (1, 2, 3)
        for b in (1, 2, 3)
        for c in (1, 2, 3)
        if (3 <= a + b + c <= 5, 6 <= a + b + c <= 7, a + b + c >= 8)[g - 1]
    )
    for g in (1, 2, 3)
}
# De-identified dates and record numbers, as in shared clinical corpora.
DATE_STYLES = ("[DATE]", "XX/XX/XXXX", "**/**/****", "<DATE>", "__/__/____", "partial", "partial")
ANON_IDS = ("[ID]", "XXXXXXXX", "********", "<NUM>", "[NUMÉRO]")


def _freeze(x: Any) -> Any:
    if isinstance(x, list):
        return tuple(_freeze(v) for v in x)
    if isinstance(x, dict):
        return {k: _freeze(v) for k, v in x.items()}
    return x


@cache
def bank(name: str) -> dict[str, Any]:
    """The phrase bank ``phrases/<name>.yaml`` (``fr``, ``en``, ``cap_fr``...), read once."""
    text = (
        resources.files("pathsynth.domains.breast13.grammar")
        .joinpath(f"phrases/{name}.yaml")
        .read_text("utf-8")
    )
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    return dict(_freeze(yaml.load(text, Loader=loader)))


def phrases(lang: str, family: str = "classic") -> dict[str, Any]:
    """The phrase bank of ``family`` in ``lang``: the shared bank (values, nodes, text,
    labels) with the family's own entries laid over it (``phrases/<family>_<lang>.yaml``)."""
    if family == "classic":
        return bank(lang)
    return _merged(lang, family)


@cache
def _merged(lang: str, family: str) -> dict[str, Any]:
    return _overlay(bank(lang), bank(f"{family}_{lang}"))


def _overlay(base: dict[str, Any], top: dict[str, Any]) -> dict[str, Any]:
    """``base`` with ``top`` laid over it: nested mappings merged, other entries replaced."""
    out = dict(base)
    for key, value in top.items():
        if isinstance(value, dict) and isinstance(out.get(key), dict):
            out[key] = _overlay(out[key], value)
        else:
            out[key] = value
    return out


@cache
def count_words(lang: str) -> tuple[str, ...]:
    """Counts 0-99 in words (French ``aucun`` for 0, English ``none``), from the text toolkit."""
    zero = "aucun" if lang == "fr" else "none"
    return (zero, *(number_words(n, lang) for n in range(1, 100)))


def fmt_num(x: float, comma: bool, digits: int = 2) -> str:
    """``x`` with at most ``digits`` decimals, a decimal comma when ``comma``."""
    s = f"{x:.{digits}f}"
    if "." in s:
        s = s.rstrip("0").rstrip(".")
    return s.replace(".", ",") if comma else s


def cap(s: str) -> str:
    """``s`` with its first letter in capitals."""
    return s[:1].upper() + s[1:]


def no_ductal(name: str) -> bool:
    """Whether a histology name leaves "ductal" unsaid (so a "(canalaire)" tail may follow)."""
    low = name.lower()
    return not any(w in low for w in ("canal", "ductal", "idc", "cci"))
