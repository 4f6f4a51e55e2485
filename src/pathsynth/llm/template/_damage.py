"""The damage real exports do to reports, applied after writing with spans kept exact.

* :func:`damage_values` — OCR slips in the words that state values ("carcinorna", "1O mm"),
  kept only where the schema's reader still reads the same value;
* :func:`interrupt` — page headers, footers and de-identified fields dropped in the middle of
  a sentence, as multi-page scans have them;
* :func:`flatten` — line breaks lost: the text is hard-wrapped, then every line end becomes
  ". " (``DIAGNOSIS. (A) SENTINEL LYMPH NODE #1...``, ``1.7. X 0.6 x 0.4 cm``).

Every function takes and returns ``(text, spans)``; a span always covers the same value words.
"""

from __future__ import annotations

import bisect
import random
import re
from collections.abc import Callable, Sequence

Span = tuple[int, int]
Spans = dict[str, list[Span]]
#: ``reads(key, text)``: the value the schema's reader finds in ``text`` (``None``: none).
Reader = Callable[[str, str], object]
Edit = tuple[int, int, str]

_SPACE = re.compile(r" ")
_LINE_END = re.compile(r"[ \t]*\n[ \t\n]*")
# Never between a title and the name it introduces ("Dr [NAME]", "Mme [NOM]").
_TITLE = re.compile(r"(?:\b(?:dr|mme|mr|ms|mrs|pr)\.?)$", re.IGNORECASE)

# OCR slips on value words: (pattern, replacement) pairs tried in a random order.
_SLIPS: tuple[tuple[str, str], ...] = (
    ("m", "rn"),
    ("M", "RN"),
    ("rn", "m"),
    ("l", "1"),
    ("l", "I"),
    ("I", "l"),
    ("i", "l"),
    ("0", "O"),
    ("O", "0"),
    ("o", "0"),
    ("1", "l"),
    ("u", "o"),
    ("U", "O"),
    ("e", "c"),
    ("c", "e"),
    ("h", "b"),
    ("n", "u"),
    ("cl", "d"),
    ("a", "o"),
    ("ar", "ary"),
    ("AR", "ARY"),
    ("in", "ln"),
)

#: Page furniture of multi-page exports, per language ({i}, {n}: page numbers).
INTERRUPTIONS = {
    "en": (
        ("Page {i} of {n}",),
        ("RUN DATE: [DATE]", "RUN TIME: [TIME]"),
        ("RUN DATE. RUN TIME.",),
        ("[NAME]   MRN ******   DOB [DATE]",),
        ("Patient: [NAME]", "Accession: ******"),
        ("(continued)",),
        ("*** CONTINUED ON NEXT PAGE ***", "Page {i} of {n}"),
        ("SURGICAL PATHOLOGY REPORT", "Page {i}"),
        ("Printed by: [NAME]",),
        ("Dr. [NAME]",),
        ("[NAME], M.D.", "Page {i} of {n}"),
    ),
    "fr": (
        ("Page {i}/{n}",),
        ("Page {i} sur {n}",),
        ("Édité le [DATE] à [HEURE]",),
        ("[NOM] [PRÉNOM] - IPP ******",),
        ("Patient(e) : [NOM]", "N° examen : ******"),
        ("(suite)",),
        ("... / ...", "Page {i}/{n}"),
        ("Compte rendu (suite)",),
        ("Dr [NOM]",),
        ("Service d'anatomie pathologique - [HÔPITAL]", "Page {i}/{n}"),
    ),
}


def apply_edits(text: str, spans: Spans, edits: Sequence[Edit]) -> tuple[str, Spans]:
    """``text`` with ``edits`` (``(start, end, replacement)``, non-overlapping) applied.

    A span moves with the text around it and grows or shrinks with an edit inside it; an
    insertion at a span's start goes before it, one at its end after it.
    """
    if not edits:
        return text, spans
    edits = sorted(edits)
    pieces: list[str] = []
    pos = 0
    ends: list[int] = []
    starts: list[int] = []
    cum: list[int] = []
    delta = 0
    for start, end, repl in edits:
        pieces.append(text[pos:start])
        pieces.append(repl)
        pos = end
        delta += len(repl) - (end - start)
        ends.append(end)
        starts.append(start)
        cum.append(delta)
    pieces.append(text[pos:])

    def moved(p: int, closing: bool) -> int:
        # Edits that end at or before p count; at a span's end, not those starting at p.
        k = bisect.bisect_right(ends, p)
        if closing:
            while k and starts[k - 1] >= p and ends[k - 1] == p:
                k -= 1
        return p + (cum[k - 1] if k else 0)

    out = {
        key: [(moved(a, False), moved(b, True)) for a, b in ranges] for key, ranges in spans.items()
    }
    return "".join(pieces), out


def _inside(spans: Spans) -> tuple[list[int], list[int]]:
    """Sorted span starts and their ends, to tell whether a position falls inside one."""
    pairs = sorted((a, b) for ranges in spans.values() for a, b in ranges)
    return [a for a, _ in pairs], [b for _, b in pairs]


def _span_at(starts: list[int], ends: list[int], i: int) -> int:
    """Index of the span strictly containing position ``i`` (``start < i < end``), or -1."""
    k = bisect.bisect_left(starts, i) - 1
    if k >= 0 and ends[k] > i:
        return k
    return -1


def _occurrences(text: str, sub: str) -> list[int]:
    out = []
    i = text.find(sub)
    while i >= 0:
        out.append(i)
        i = text.find(sub, i + 1)
    return out


def damage_values(
    text: str, spans: Spans, rng: random.Random, rate: float, reads: Reader
) -> tuple[str, Spans]:
    """OCR slips in about ``rate`` of the value spans, where the value stays readable."""
    edits: list[Edit] = []
    for key, ranges in spans.items():
        for a, b in ranges:
            if rng.random() >= rate:
                continue
            piece = text[a:b]
            want = reads(key, piece)
            if want is None:
                continue
            for old, new in rng.sample(_SLIPS, 3):
                hits = _occurrences(piece, old)
                if not hits:
                    continue
                i = rng.choice(hits)
                candidate = piece[:i] + new + piece[i + len(old) :]
                if reads(key, candidate) == want:
                    edits.append((a, b, candidate))
                    break
    return apply_edits(text, spans, edits)


def interrupt(
    text: str, spans: Spans, rng: random.Random, n: int, lang: str, upper: bool = False
) -> tuple[str, Spans]:
    """``n`` blocks of page furniture inserted between two words of running text (in
    capitals when ``upper``)."""
    starts, ends = _inside(spans)
    chosen: set[int] = set()
    for _ in range(4 * n):
        if len(chosen) >= n:
            break
        # A random point, then the next space between two words outside every span.
        pos = text.find(" ", rng.randrange(max(1, len(text))))
        while pos > 0 and (
            _span_at(starts, ends, pos) >= 0
            or not text[pos - 1].isalnum()
            or _TITLE.search(text, max(0, pos - 4), pos)
        ):
            pos = text.find(" ", pos + 1)
        if pos > 0:
            chosen.add(pos)
    if not chosen:
        return text, spans
    blocks = INTERRUPTIONS.get(lang, INTERRUPTIONS["en"])
    pages = n + 1 + rng.randrange(2)
    edits = []
    for i, pos in enumerate(sorted(chosen)):
        block = "\n".join(line.format(i=i + 2, n=pages) for line in rng.choice(blocks))
        edits.append((pos, pos + 1, "\n" + (block.upper() if upper else block) + "\n"))
    return apply_edits(text, spans, edits)


def flatten(
    text: str,
    spans: Spans,
    rng: random.Random,
    width: int,
    reads: Reader,
    joiner: str = ". ",
) -> tuple[str, Spans]:
    """The text as exports without line breaks have it: wrapped at ``width``, then each line
    end replaced by ``joiner`` (``". "``, or ``" "`` after a full stop).

    A break may fall inside a value span only where the value still reads the same
    ("Nottingham grade. 2"); otherwise it moves before the span.
    """
    starts, ends = _inside(spans)
    span_keys = {(a, b): key for key, ranges in spans.items() for a, b in ranges}
    edits: list[Edit] = []
    line_start = 0
    for m in [*_LINE_END.finditer(text), None]:
        line_end = m.start() if m is not None else len(text)
        _wrap_line(
            text, line_start, line_end, width, starts, ends, span_keys, reads, edits, joiner, rng
        )
        if m is not None:
            edits.append((m.start(), m.end(), _joint(text, m.start(), joiner)))
            line_start = m.end()
    return apply_edits(text, spans, edits)


def _joint(text: str, at: int, joiner: str) -> str:
    """What replaces a line end at ``at``: a space after a full stop or a colon, else joiner."""
    i = at - 1
    while i >= 0 and text[i] == " ":
        i -= 1
    prev = text[i] if i >= 0 else ""
    if joiner == " " or prev in (".", ":", ""):
        return " "
    return joiner


def _wrap_line(
    text: str,
    start: int,
    end: int,
    width: int,
    starts: list[int],
    ends: list[int],
    span_keys: dict[Span, str],
    reads: Reader,
    edits: list[Edit],
    joiner: str,
    rng: random.Random,
) -> None:
    """Break the line ``text[start:end]`` at spaces so no piece is much over ``width``; a break
    that falls in a value is tried there a third of the time (reading it back costs)."""
    col0 = start
    while end - col0 > width:
        cut = text.rfind(" ", col0 + 1, col0 + width + 1)
        if cut < 0:
            cut = text.find(" ", col0 + width, end)
            if cut < 0:
                return
        k = _span_at(starts, ends, cut)
        if k >= 0:
            a, b = starts[k], ends[k]
            key = span_keys.get((a, b))
            piece = text[a:b]
            broken = piece[: cut - a] + _joint(text, cut, joiner) + piece[cut - a + 1 :]
            if key is None or rng.random() > 0.35 or reads(key, broken) != reads(key, piece):
                # The value would not survive the break: break before it instead.
                before = text.rfind(" ", col0 + 1, a)
                if before < 0:
                    col0 = b
                    continue
                cut = before
        edits.append((cut, cut + 1, _joint(text, cut, joiner)))
        col0 = cut + 1
