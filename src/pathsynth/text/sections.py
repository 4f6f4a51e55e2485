"""The sectioner: a report cut into statements (lines, sentences, table rows, synoptic
"Key: value" lines), each tagged with the kind of section it lies in (clinical history, gross,
microscopy, immunohistochemistry, conclusion) from French and English headings.

Spans index the original text (the folded text has the same length), so every statement is
also evidence a user can see.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

__all__ = [
    "CLINICAL",
    "CONCLUSION",
    "GROSS",
    "IHC",
    "MICRO",
    "OTHER",
    "Statement",
    "section_kind",
    "statements",
]

# Section kinds, best first: what the conclusion says beats what the gross description says.
CONCLUSION, IHC, MICRO, OTHER, GROSS, CLINICAL = range(6)

_HEADERS: list[tuple[int, re.Pattern[str]]] = [
    (
        CLINICAL,
        re.compile(
            r"renseignements?(?: cliniques?)?|indications?(?: clinique\w*)?|histoire clinique|"
            r"antecedents?|contexte(?: clinique)?|motif(?: de l'examen)?|clinical (?:history|"
            r"information|data|details|notes?)|history|anamnese|previous history|"
            r"informations? cliniques?"
        ),
    ),
    (
        GROSS,
        re.compile(
            r"(?:examen |description |etude )?macroscopi\w*(?: description| examination)?|"
            r"gross(?: description| examination)?|macroscopy|macro"
        ),
    ),
    (
        MICRO,
        re.compile(
            r"(?:examen |description |etude )?microscopi\w*(?: description| examination)?|"
            r"microscopy|micro|histologie|histopathologie|histology"
        ),
    ),
    (
        IHC,
        re.compile(
            r"(?:etude |examen |resultats? (?:de l')?)?immuno\W?histochimi\w*|"
            r"immuno\W?histochemi\w*(?: studies| results)?|biomarkers?|biomarqueurs?|"
            r"ancillary studies|prognostic (?:and predictive )?(?:markers|factors)|"
            r"marqueurs?(?: pronostiques| predictifs)?|ihc|facteurs (?:pronostiques|predictifs)\w*|"
            r"hormone receptors?|recepteurs hormonaux"
        ),
    ),
    (
        CONCLUSION,
        re.compile(
            r"conclusions?|(?:final |pathologic(?:al)? )?diagnos\w*(?: final)?|synthese|"
            r"summary|resume|synoptic(?: report| summary)?|compte rendu synoptique|en resume|"
            r"diagnostic anatomopathologique|final report|pathology diagnosis"
        ),
    ),
    (
        OTHER,
        re.compile(
            r"specimens?(?: type| received| submitted)?(?:\(s\))?|procedures?|prelevements?|"
            r"(?:nature|type) (?:du|de) prelevement|intervention|piece operatoire|demande|"
            r"examen(?: demande)?|materiel|materiel recu|type of specimen|operation|resultats?|"
            r"results?|findings|description|commentaires?|comments?|remarques?|notes?"
        ),
    ),
]
_HEADER_LINE = re.compile(
    r"^[\s\-*#>•=_+]*(?:\[[x ]?\]\s*)?(?:[0-9ivx]{1,3}[.)]\s*)?([a-z' ]{3,60}?)\s*(?::|\s-\s|-|=|$)"
)


@dataclass(frozen=True)
class Statement:
    """One line, sentence or table row of a report, with its section kind and span."""

    start: int
    end: int
    kind: int
    text: str  # folded text of the span


def _header(line: str) -> tuple[int, int] | None:
    """(section kind, offset of the text after the header) when ``line`` opens a section."""
    m = _HEADER_LINE.match(line)
    if not m:
        return None
    head = m.group(1).strip()
    for kind, rx in _HEADERS:
        if rx.fullmatch(head):
            return kind, m.end()
    return None


def section_kind(line: str) -> int | None:
    """The kind of section a heading line opens, or ``None`` when it is no heading."""
    found = _header(line)
    return found[0] if found else None


_SENTENCE_END = re.compile(r"(?<=[.;])\s+(?=\S)|(?<=[.;])$")


_LIST_ITEM = re.compile(r"^\s*(?:[-*•>+]|\[[x ]?\]|\(?[0-9a-z]{1,2}[.)/]\s|[0-9]{1,2}\s*[-:]|#)")
_KEY_VALUE = re.compile(r"^\s*[\w' /().-]{2,45}\s*[:=]")


def _logical_lines(original: str, folded: str) -> list[tuple[int, int]]:
    """Line spans, with hard-wrapped prose lines joined back into one (newline kept inside)."""
    spans: list[tuple[int, int]] = []
    pos = 0
    for line in folded.split("\n"):
        spans.append((pos, pos + len(line)))
        pos += len(line) + 1
    out: list[tuple[int, int]] = []
    for start, end in spans:
        if out:
            p_start, p_end = out[-1]
            prev = folded[p_start:p_end].rstrip()
            last = prev.rsplit("\n", 1)[-1]  # the previous physical line
            cur = folded[start:end]
            first = original[start:end].lstrip()[:1]
            wrapped = (
                prev
                and cur.strip()
                and (prev[-1] not in ".;:!?|" or (prev[-1] == ":" and len(last) >= 40))
                and not _LIST_ITEM.match(cur)
                and section_kind(cur.strip()) is None
                and "|" not in cur
                and not re.search(r"\t|\S {3,}\S", original[start:end])  # a table row
                and len(last) >= 40
                # a "Key: value" line after another one starts a new field
                and not (_KEY_VALUE.match(cur) and _KEY_VALUE.match(last))
                and (first.islower() or (len(last) >= 50 and not _KEY_VALUE.match(cur)))
            )
            if wrapped:
                out[-1] = (p_start, end)
                continue
        out.append((start, end))
    return out


def statements(folded: str, original: str | None = None) -> list[Statement]:
    """The report cut into statements, each tagged with the kind of section it lies in."""
    out: list[Statement] = []
    kind = OTHER
    pending: tuple[int, int] | None = None  # a "Label:" line whose value is on the next line
    for start, end in _logical_lines(original or folded, folded):
        raw_line = folded[start:end]
        line = raw_line.strip()
        if not line:
            pending = None
            # clinical information is one paragraph: what follows a blank line is not history
            if kind == CLINICAL:
                kind = OTHER
            continue
        header = _header(raw_line)
        if header is not None:
            kind = header[0]
            # "Diagnostic : CCI", "Histologie - carcinome ...": the rest of the line is read
            if not raw_line[header[1] :].strip():
                pending = None
                continue
            start = start + header[1]
        if pending is not None:
            out.append(Statement(pending[0], end, kind, folded[pending[0] : end]))
            pending = None
            continue
        if re.search(r":\s*$", raw_line) and len(line) < 60:
            pending = (start, end)
            continue
        # a table row is one statement; prose is cut at sentence ends
        if "|" in raw_line or re.search(r"\S\s{3,}\S", raw_line):
            out.append(Statement(start, end, kind, folded[start:end]))
            continue
        cut = start
        for m in _SENTENCE_END.finditer(folded, start, end):
            # a ";" inside parentheses does not end the statement
            if folded.count("(", cut, m.start()) > folded.count(")", cut, m.start()):
                continue
            if m.start() > cut:
                out.append(Statement(cut, m.start(), kind, folded[cut : m.start()]))
            cut = m.end()
        if cut < end:
            out.append(Statement(cut, end, kind, folded[cut:end]))
    return [s for s in out if s.text.strip()]
