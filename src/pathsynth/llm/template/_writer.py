"""A text builder that records the character span of every value it writes.

Filler text (headers, context, distractors) may get OCR-like noise; value text never does, so
a span always holds exactly the words that state the value. Case changes are applied piece by
piece before the offsets are taken, so spans stay exact whatever the style.
"""

from __future__ import annotations

import bisect
import random
import re
import unicodedata

Span = tuple[int, int]
_LONG_WORD = re.compile(r"[^\W\d_]{8,}")

# Letter confusions of OCR engines and hurried typing; letters only, so noise never creates a
# digit a reader could take for a value.
_CONFUSIONS = {
    "é": "e",
    "è": "e",
    "ê": "e",
    "à": "a",
    "ç": "c",
    "ô": "o",
    "î": "i",
    "l": "I",
    "I": "l",
    "e": "c",
    "c": "e",
    "u": "n",
    "n": "u",
    "m": "rn",
    "h": "b",
    "a": "o",
    "i": "l",
    "t": "f",
}


def strip_accents(text: str) -> str:
    """``text`` without diacritics, one character for one (offsets are unchanged)."""
    out = []
    for ch in text:
        if ord(ch) < 128:
            out.append(ch)
            continue
        base = unicodedata.normalize("NFD", ch)[0]
        out.append(base if len(base) == 1 else ch)
    return "".join(out)


def add_noise(text: str, rate: float, rng: random.Random) -> str:
    """``text`` with about ``rate`` edits per character: confusions, drops, doubles, swaps."""
    k = int(rate * len(text) + rng.random())
    if k == 0:
        return text
    chars = list(text)
    n = len(chars)
    for _ in range(k):
        i = rng.randrange(n)
        c = chars[i]
        if len(c) != 1 or not c.isalpha():
            continue
        op = rng.random()
        if op < 0.4 and c in _CONFUSIONS:
            chars[i] = _CONFUSIONS[c]
        elif op < 0.6:
            chars[i] = ""
        elif op < 0.72:
            chars[i] = c + c
        elif op < 0.88 and i + 1 < n and len(chars[i + 1]) == 1 and chars[i + 1].isalpha():
            chars[i], chars[i + 1] = chars[i + 1], c
        else:
            chars[i] = c + " "
    return "".join(chars)


class Writer:
    """Accumulates a report; ``value`` pieces are recorded as spans under their key.

    Filler is buffered and noised / reshaped a run at a time (a run ends at the next value, a
    change of case or the end), which costs far less than doing it piece by piece.
    """

    __slots__ = (
        "_accents",
        "_case",
        "_noise",
        "_parts",
        "_pending",
        "_plain",
        "_pos",
        "_raw",
        "_rng",
        "spans",
    )

    def __init__(
        self, rng: random.Random, *, noise: float = 0.0, case: str = "normal", accents: bool = True
    ) -> None:
        self._rng = rng
        self._noise = noise
        self._case = case
        self._accents = accents
        # Nothing to reshape: the common case takes the short path.
        self._plain = accents and case == "normal"
        self._parts: list[str] = []
        self._pending: list[str] = []
        #: For each pending piece, whether it must stay intact (no noise).
        self._raw: list[bool] = []
        self._pos = 0
        self.spans: dict[str, list[Span]] = {}

    def _shape(self, s: str) -> str:
        if self._plain:
            return s
        if not self._accents:
            s = strip_accents(s)
        if self._case == "upper":
            s = s.upper()
        elif self._case == "lower":
            s = s.lower()
        return s

    def _flush(self) -> None:
        """Noise and shape the pending filler, then append it."""
        if not self._pending:
            return
        if self._noise:
            out: list[str] = []
            run: list[str] = []
            for piece, raw in zip(self._pending, self._raw, strict=True):
                if raw:
                    if run:
                        out.append(add_noise("".join(run), self._noise, self._rng))
                        run = []
                    out.append(piece)
                else:
                    run.append(piece)
            if run:
                out.append(add_noise("".join(run), self._noise, self._rng))
            s = "".join(out)
            self._raw.clear()
        else:
            s = "".join(self._pending)
        self._pending.clear()
        s = self._shape(s)
        self._parts.append(s)
        self._pos += len(s)

    @property
    def case(self) -> str:
        """The case applied to what is written next."""
        return self._case

    def set_case(self, case: str) -> None:
        """Switch case (``normal``, ``upper``, ``lower``) for what is written next."""
        self._flush()
        self._case = case
        self._plain = self._accents and case == "normal"

    def text(self, s: str) -> None:
        """Append filler text (noised when the report has a noise rate)."""
        if not s:
            return
        if self._noise:
            self._pending.append(s)
            self._raw.append(False)
        elif self._plain:
            # Nothing to do to the text: straight in (``_pending`` is empty then).
            self._parts.append(s)
            self._pos += len(s)
        else:
            self._pending.append(s)

    def raw(self, s: str) -> None:
        """Append filler text that must stay intact (numbers that are not values, separators)."""
        if not s:
            return
        if self._noise:
            self._pending.append(s)
            self._raw.append(True)
        elif self._plain:
            self._parts.append(s)
            self._pos += len(s)
        else:
            self._pending.append(s)

    def value(self, key: str, s: str) -> None:
        """Append the text that states ``key``'s value and record its span."""
        self._flush()
        s = self._shape(s)
        start = self._pos
        self._parts.append(s)
        self._pos += len(s)
        self.spans.setdefault(key, []).append((start, self._pos))

    def tail(self, n: int) -> str:
        """The last ``n`` characters written (to decide on separators; filler not yet noised
        is seen as written)."""
        out = "".join(self._pending)
        for part in reversed(self._parts):
            if len(out) >= n:
                break
            out = part + out
        return out[-n:]

    def checkpoint(self) -> tuple[int, int, int]:
        """A point to ``rollback`` to (filler only: no value may be written in between)."""
        self._flush()
        return len(self._parts), self._pos, sum(len(v) for v in self.spans.values())

    def rollback(self, mark: tuple[int, int, int]) -> None:
        """Forget the filler written since ``mark``."""
        n, pos, nspans = mark
        if sum(len(v) for v in self.spans.values()) != nspans:
            raise RuntimeError("rollback over a value span")
        self._pending.clear()
        self._raw.clear()
        del self._parts[n:]
        self._pos = pos

    def getvalue(self) -> str:
        self._flush()
        return "".join(self._parts)


def wrap_lines(text: str, spans: dict[str, list[Span]], width: int) -> str:
    """Hard-wrap long lines at ``width`` columns, never inside a span (offsets are unchanged)."""
    pairs = sorted((a, b) for ranges in spans.values() for a, b in ranges)
    starts = [a for a, _ in pairs]
    ends = [b for _, b in pairs]

    def inside(i: int) -> bool:
        k = bisect.bisect_right(starts, i) - 1
        return k >= 0 and ends[k] > i

    chars = list(text)
    line_start = 0
    n = len(text)
    while line_start < n:
        line_end = text.find("\n", line_start)
        if line_end < 0:
            line_end = n
        col0 = line_start
        while line_end - col0 > width:
            cut = text.rfind(" ", col0 + 1, col0 + width + 1)
            while cut > col0 and inside(cut):
                cut = text.rfind(" ", col0 + 1, cut)
            if cut <= col0:
                # No room before the limit: break at the first free space after it.
                cut = text.find(" ", col0 + width, line_end)
                while cut >= 0 and inside(cut):
                    cut = text.find(" ", cut + 1, line_end)
                if cut < 0:
                    break
            chars[cut] = "\n"
            col0 = cut + 1
        line_start = line_end + 1
    return "".join(chars)


def hyphenate(
    text: str, spans: dict[str, list[Span]], rng: random.Random, n: int
) -> tuple[str, dict[str, list[Span]]]:
    """Break up to ``n`` long filler words across lines (``carci-\\nnome``), shifting spans."""
    inside = bytearray(len(text))
    for ranges in spans.values():
        for a, b in ranges:
            inside[a:b] = b"\x01" * (b - a)
    words = [m for m in _LONG_WORD.finditer(text) if not any(inside[m.start() : m.end()])]
    if not words:
        return text, spans
    cuts = sorted(
        (
            m.start() + rng.randint(3, m.end() - m.start() - 3)
            for m in rng.sample(words, min(n, len(words)))
        ),
        reverse=True,
    )
    for cut in cuts:
        text = text[:cut] + "-\n" + text[cut:]
        spans = {
            k: [(a + 2, b + 2) if a >= cut else (a, b) for a, b in v] for k, v in spans.items()
        }
    return text, spans
