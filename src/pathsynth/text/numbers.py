"""Numbers as reports write them: digits with a decimal comma or point, words ("vingt-trois",
"TWENTY-THREE", "aucun"), roman numerals ("grade III/III"), in French and English.

Both directions live here: readers parse, the template teacher writes with the same tables.
Parsing is strict: a sign, a hexadecimal or an underscore-grouped number is not a measurement.
"""

from __future__ import annotations

import re

from pathsynth.text.patterns import word_union

__all__ = [
    "NUM",
    "NUMBER_WORD",
    "count_value",
    "number_words",
    "parse_decimal",
    "roman",
    "roman_value",
    "to_float",
]

# A decimal comma or point; OCR's stray space around it only before centimetres ("2, 5 cm").
NUM = r"\d+(?:[.,]\d+|\s?[.,]\s?\d(?=\s?cm\b))?"

# fmt: off
_UNITS_FR = ["zero", "un", "deux", "trois", "quatre", "cinq", "six", "sept", "huit", "neuf", "dix",
             "onze", "douze", "treize", "quatorze", "quinze", "seize"]
_UNITS_EN = ["zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten",
             "eleven", "twelve", "thirteen", "fourteen", "fifteen", "sixteen", "seventeen",
             "eighteen", "nineteen"]
# fmt: on
_TENS_FR = {20: "vingt", 30: "trente", 40: "quarante", 50: "cinquante", 60: "soixante"}
_TENS_EN = {20: "twenty", 30: "thirty", 40: "forty", 50: "fifty", 60: "sixty", 70: "seventy",
            80: "eighty", 90: "ninety"}  # fmt: skip


def _fr(n: int) -> str:
    if n < 17:
        return _UNITS_FR[n]
    if n < 20:
        return "dix-" + _UNITS_FR[n - 10]
    if n < 70:
        tens, unit = divmod(n, 10)
        word = _TENS_FR[tens * 10]
        if unit == 0:
            return word
        return f"{word} et un" if unit == 1 else f"{word}-{_UNITS_FR[unit]}"
    if n < 80:
        return "soixante et onze" if n == 71 else "soixante-" + _fr(n - 60)
    if n == 80:
        return "quatre-vingts"
    return "quatre-vingt-" + _fr(n - 80)


def _en(n: int) -> str:
    if n < 20:
        return _UNITS_EN[n]
    tens, unit = divmod(n, 10)
    word = _TENS_EN[tens * 10]
    return word if unit == 0 else f"{word}-{_UNITS_EN[unit]}"


def number_words(n: int, lang: str) -> str:
    """``n`` (0-99) in words: ``number_words(23, "en") == "twenty-three"``."""
    if not 0 <= n < 100:
        raise ValueError(f"no words for {n}")
    return _fr(n) if lang == "fr" else _en(n)


def _word_table() -> dict[str, int]:
    table: dict[str, int] = {}
    for n in range(100):
        for lang in ("fr", "en"):
            w = number_words(n, lang)
            table[w] = n
            table[w.replace("-", " ")] = n
    extra = {"aucun": 0, "aucune": 0, "none": 0, "no": 0, "une": 1, "single": 1}
    table.update(extra)
    return table


_WORDS = _word_table()
#: A regex alternative matching any count written in words (longest first).
NUMBER_WORD = word_union(_WORDS)


def count_value(token: str) -> int | None:
    """An integer written in digits or in (folded) words ("deux", "twenty-three", "aucun")."""
    token = token.strip()
    if token.isdigit():
        return int(token)
    return _WORDS.get(re.sub(r"\s+", " ", token))


_ROMAN = {"i": 1, "ii": 2, "iii": 3, "iv": 4, "v": 5, "vi": 6, "vii": 7, "viii": 8, "ix": 9,
          "x": 10}  # fmt: skip
_ROMAN_OUT = {v: k.upper() for k, v in _ROMAN.items()}


def roman(n: int) -> str:
    """``n`` (1-10) as a roman numeral: ``roman(3) == "III"``."""
    return _ROMAN_OUT[n]


def roman_value(token: str) -> int | None:
    """A small roman numeral (folded), a digit, or an OCR'd "ll"/"1l" (1-10), else ``None``."""
    t = token.strip().lower()
    if t.isdigit():
        return int(t)
    if t in _ROMAN:
        return _ROMAN[t]
    if t and set(t) <= set("il1|"):  # "ll", "1I", "|||": OCR's ones and l's for i's
        return len(t)
    return None


def to_float(token: str) -> float:
    """A number written with a comma or a point as decimal mark, stray spaces allowed."""
    return float(re.sub(r"\s", "", token).replace(",", "."))


_STRICT = re.compile(r"\s*(\d+(?:[.,]\d+)?)\s*")


def parse_decimal(text: str) -> float | None:
    """A plain unsigned decimal ("2,8", "12", "0.5"), else ``None``: no sign, no exponent, no
    hexadecimal, no digit grouping ("-3", "1e3", "0x10", "1_000", "1 000" are refused)."""
    m = _STRICT.fullmatch(text)
    return to_float(m.group(1)) if m else None
