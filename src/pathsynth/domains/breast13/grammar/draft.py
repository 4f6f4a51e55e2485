"""One report being written: the case, the phrase bank, the writer, the style and what is done.

Every module of the grammar writes through a :class:`Draft`: ``d.val(key, text)`` records a
value span, ``d.t(text)`` writes filler; ``d.case`` holds the planned facts and ``d.done``
what has been written so far (so a conclusion may restate or skip, and node counts are
written once).
"""

from __future__ import annotations

import random
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import cache
from typing import Any, TypeVar

from pathsynth.domains.breast13.grammar.bank import cap, fmt_num, phrases
from pathsynth.domains.breast13.grammar.case import Case, plan_case
from pathsynth.llm.template._lexicon import Lexicon
from pathsynth.llm.template._writer import Writer
from pathsynth.schema import Value

T = TypeVar("T")
_SLOT = re.compile(r"\{(\w+)\}")


@cache
def _pieces(template: str) -> tuple[tuple[str, str], ...]:
    """``template`` as (literal, slot name) pairs, parsed once."""
    out = []
    pos = 0
    for m in _SLOT.finditer(template):
        out.append((template[pos : m.start()], m.group(1)))
        pos = m.end()
    out.append((template[pos:], ""))
    return tuple(out)


@cache
def slot_names(template: str) -> frozenset[str]:
    """The ``{slot}`` names a template uses."""
    return frozenset(name for _, name in _pieces(template) if name)


@dataclass(frozen=True)
class Style:
    """The knobs the grammar reads, parsed once."""

    layout: str
    comma: bool
    unit: str
    distractors: float
    headers: str
    case: str

    @classmethod
    def parse(cls, style: dict[str, str], lang: str) -> Style:
        return cls(
            layout=style.get("layout", "sections"),
            comma=style.get("decimal", "," if lang == "fr" else ".") == ",",
            unit=style.get("units", "cm"),
            distractors=float(style.get("distractors", "0.5")),
            headers=style.get("headers", "upper"),
            case=style.get("case", "normal"),
        )


@dataclass
class Done:
    """What the report has written so far."""

    written: set[str] = field(default_factory=set)
    nodes: bool = False
    rupture: bool = False
    ihc_later: bool = False


class Draft:
    """The state of one report being written, and the small helpers every block uses."""

    __slots__ = (
        "case",
        "done",
        "fam",
        "fr",
        "lang",
        "lex",
        "node_words",
        "out",
        "random",
        "raw",
        "rec",
        "rng",
        "style",
        "t",
        "vals",
        "words",
    )

    def __init__(
        self,
        lexicon: Lexicon,
        record: dict[str, Value],
        lang: str,
        rng: random.Random,
        writer: Writer,
        style: dict[str, str],
        *,
        family: str = "classic",
        split_nodes: bool = False,
    ) -> None:
        self.lex = lexicon
        self.rec = record
        self.lang = lang
        self.fr = lang == "fr"
        bank = phrases(lang, family)
        #: The family's whole bank; value statements, node phrases and other words.
        self.fam: dict[str, Any] = bank
        self.vals: dict[str, Any] = bank["values"]
        self.node_words: dict[str, Any] = bank["nodes"]
        self.words: dict[str, Any] = bank["text"]
        self.rng = rng
        self.random = rng.random
        self.out = writer
        #: Filler text (noised when the report has a noise rate) / intact filler.
        self.t = writer.text
        self.raw = writer.raw
        self.style = Style.parse(style, lang)
        self.done = Done()
        self.case: Case = plan_case(
            record,
            rng,
            sides=tuple(self.words["sides"]),
            margin_sides=tuple(self.words["margin_sides"]),
            comma=self.style.comma,
            split_nodes=split_nodes,
        )

    # ------------------------------------------------------------------ drawing
    def pick(self, seq: Sequence[T]) -> T:
        return seq[int(self.random() * len(seq))]  # faster than rng.choice

    def say(self, seq: Sequence[str], **kw: object) -> str:
        """A variant of ``seq`` with its ``{fields}`` filled."""
        s = self.pick(seq)
        return s.format(**kw) if kw else s

    def chance(self, p: float) -> bool:
        return self.random() < p

    def between(self, a: int, b: int) -> int:
        """An integer from ``a`` to ``b`` inclusive (cheaper than ``rng.randint``)."""
        return a + int(self.random() * (b - a + 1))

    # ------------------------------------------------------------------ writing
    def val(self, key: str, s: str) -> None:
        self.out.value(key, s)
        self.done.written.add(key)

    def fill(self, template: str, **slots: str | tuple[str, str]) -> None:
        """Write ``template``, its ``{slot}`` fields from ``slots``: a ``(key, text)`` pair is a
        value (spanned), a string is filler."""
        for literal, name in _pieces(template):
            if literal:
                self.out.text(literal)
            if name:
                slot = slots[name]
                if isinstance(slot, tuple):
                    self.val(*slot)
                else:
                    self.out.text(slot)

    def shout(self, on: bool) -> str:
        """Write in capitals from now on when ``on``; returns the case to restore."""
        before = self.out.case
        if on:
            self.out.set_case("upper")
        return before

    def known(self, key: str) -> bool:
        return self.rec.get(key) is not None

    def says(self, key: str, repeat: float = 1.0) -> bool:
        """Whether to state ``key`` here: known, and not yet written or restated by chance."""
        return self.rec.get(key) is not None and (
            key not in self.done.written or self.rng.random() < repeat
        )

    def at_start(self) -> bool:
        """Whether the next word starts a sentence or a line."""
        tail = self.out.tail(3).rstrip(" ")
        return not tail or tail[-1] in ".:\n-"

    def sep(self) -> str:
        if self.fr:
            return self.pick((" : ", " : ", ": ", " - ", " = "))
        return self.pick((": ", ": ", " - ", ": "))

    def label(self, key: str, extra: Sequence[str] = ()) -> str:
        names = self.lex.names[key]
        s = self.pick(names + tuple(extra)) if extra else self.pick(names)
        return cap(s) if self.rng.random() < 0.8 else s

    def surface(self, key: str) -> str:
        return self.pick(self.lex.surfaces[(key, str(self.rec[key]))])

    @property
    def side(self) -> str:
        return self.case.side

    def side_after(self, noun: str = "") -> str:
        """The breast side written after a specimen name (agreeing with it in French)."""
        side = self.case.side
        if self.fr:
            masculine = noun.split(" ", 1)[0].lower() in ("curage", "évidement", "prélèvement")
            return f" {side}" if masculine or side == "gauche" else " droite"
        return self.pick((f", {side}", f" ({side})", f", {side} breast"))

    def date(self) -> str:
        """A date as de-identified corpora write it: a placeholder, or month and year only.

        Full dates would read as identifiers (the filter drops such reports) and real
        evaluation reports are de-identified the same way.
        """
        _, m, y = self.case.day
        if self.case.date_style == "partial":
            return f"{m:02d}/{y}" if self.rng.random() < 0.7 else str(y)
        return self.case.date_style

    def initials(self) -> str:
        letters = "ABCDEFGHJKLMNPRSTV"
        return f"{self.rng.choice(letters)}. {self.rng.choice(letters)}."

    def case_number(self) -> str:
        prefix = self.rng.choice(("H", "B", "S", "P", "AP"))
        return f"{prefix}{self.rng.randint(12, 25)}-{self.rng.randint(1, 99999):05d}"

    # ------------------------------------------------------------------ numbers
    def num(self, x: float, digits: int = 2) -> str:
        return fmt_num(x, self.style.comma, digits)

    def mm_text(self, mm: float, unit: str | None = None) -> str:
        unit = unit or self.style.unit
        sp = " " if self.rng.random() < 0.8 else ""
        if unit == "cm" and float(mm).is_integer():
            return f"{self.num(mm / 10)}{sp}cm"
        return f"{self.num(mm, 1)}{sp}mm"

    def small_mm(self, lo: float, hi: float) -> str:
        return self.num(round(self.rng.uniform(lo, hi), 1))

    def dims_cm(self, a: float, b: float, c: float | None = None) -> str:
        """Specimen dimensions in centimetres (``6,5 x 4 x 2,2 cm``), a distractor."""
        x = self.pick((" x ", " x ", " x ", " X ", "x"))
        parts = [a, b] if c is None else [a, b, c]
        return x.join(self.num(round(p, 1), 1) for p in parts) + " cm"
