"""Measurements as reports write them: lengths with their unit ("2,8 cm", "1.5 x 1.2 x 0.9 cm",
"3 foyers de 12, 8 et 5 mm") and percentages ("90 %", "10-20%", "< 1 %"), on folded text."""

from __future__ import annotations

import re

from pathsynth.text.numbers import NUM, to_float

__all__ = ["LENGTH_UNITS", "LEN_UNIT", "lengths_mm", "percents"]

#: Millimetres per unit, by every way a unit is written (folded).
LENGTH_UNITS = {
    "mm": 1.0,
    "millimetre": 1.0,
    "millimetres": 1.0,
    "millimeter": 1.0,
    "millimeters": 1.0,
    "cm": 10.0,
    "centimetre": 10.0,
    "centimetres": 10.0,
    "centimeter": 10.0,
    "centimeters": 10.0,
}
LEN_UNIT = r"(?:millimet(?:re|er)s?|centimet(?:re|er)s?|mm|cm)\b"
# a sign or a digit group glued before the number is no measurement ("-3 cm", "1_000 mm")
_NO_SIGN = r"(?<![-+\w.,])"
_CHAIN_ALL = re.compile(
    rf"{_NO_SIGN}((?:{NUM})\s*(?:{LEN_UNIT})?(?:\s*(?:x|\*|by|par)\s*{NUM}\s*(?:{LEN_UNIT})?)*)"
)
_ONE_DIM = re.compile(rf"({NUM})\s*({LEN_UNIT})?")
_LIST_OF_SIZES = re.compile(
    rf"{_NO_SIGN}((?:{NUM})(?:\s*,\s*{NUM})*\s*(?:et|and|&)\s*{NUM})\s*({LEN_UNIT})"
)


def lengths_mm(t: str) -> list[tuple[float, int, int]]:
    """Every length with a unit in folded text ``t``, in millimetres, with its span, in order.

    A chain such as "1.5 x 1.2 x 0.9 cm" gives its largest dimension; the unit written last
    applies to the numbers written without one; a list sharing one unit gives its largest.
    """
    out = []
    for m in _LIST_OF_SIZES.finditer(t):
        values = [to_float(x) for x in re.findall(NUM, m.group(1))]
        out.append((max(values) * LENGTH_UNITS[m.group(2)], m.start(), m.end()))
    for m in _CHAIN_ALL.finditer(t):
        if any(a <= m.start(1) < b for _, a, b in out):
            continue
        dims = list(_ONE_DIM.finditer(m.group(1)))
        units = [d.group(2) for d in dims if d.group(2)]
        # a chain of dimensions is only trusted when its last number carries the unit
        if not units or dims[-1].group(2) is None:
            continue
        last = units[-1]
        values = [to_float(d.group(1)) * LENGTH_UNITS[d.group(2) or last] for d in dims]
        # "0x10 mm" is a hexadecimal number, not a 0-by-10 measurement
        if len(values) > 1 and min(values) == 0:
            continue
        out.append((max(values), m.start(1), m.end(1)))
    return sorted(out, key=lambda x: x[1])


_PCT = re.compile(
    r"([<>]|inf\w*\s+a|sup\w*\s+a|less than|greater than|moins de|plus de)?"
    rf"\s*(?<![\w.,])(?<![a-z]-)(?<![-+])({NUM})\s*(?:(?:-|a|to)\s*({NUM})\s*)?"
    r"(?:%|pour\s?cents?\b|percent\b|per cent\b)"
)


def percents(t: str) -> list[tuple[str, float, float, int, int]]:
    """Percentages in folded text: (comparator, low, high, start, end); ranges keep both ends."""
    out = []
    for m in _PCT.finditer(t):
        low = to_float(m.group(2))
        high = to_float(m.group(3)) if m.group(3) else low
        cmp_ = (m.group(1) or "").strip()
        if cmp_.startswith(("inf", "less", "moins")):
            cmp_ = "<"
        elif cmp_.startswith(("sup", "greater", "plus")):
            cmp_ = ">"
        out.append((cmp_, low, high, m.start(), m.end()))
    return out
