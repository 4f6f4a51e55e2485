"""The sectioner: a report cut into statements (lines, sentences, table rows, synoptic
"Key: value" lines), each tagged with the kind of section it lies in (clinical history, gross,
microscopy, immunohistochemistry, conclusion) from French and English headings.

Spans index the original text (the folded text has the same length), so every statement is
also evidence a user can see.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from pathsynth.text.spelling import Vocabulary

__all__ = [
    "CLINICAL",
    "COMMENT",
    "CONCLUSION",
    "FROZEN",
    "GROSS",
    "IHC",
    "KIND_NAMES",
    "MICRO",
    "OTHER",
    "SYNOPTIC",
    "Statement",
    "section_kind",
    "statements",
]

# Section kinds, best first: what the final diagnosis says beats the synoptic summary, which
# beats immunohistochemistry, the microscopy, comments, the frozen section and the gross
# description; the clinical history is never read.
CONCLUSION, SYNOPTIC, IHC, MICRO, OTHER, COMMENT, FROZEN, GROSS, CLINICAL = range(9)
KIND_NAMES = ("conclusion", "synoptic", "ihc", "micro", "other", "comment", "frozen", "gross",
              "clinical")  # fmt: skip

_HEADERS: list[tuple[int, re.Pattern[str]]] = [
    (
        CLINICAL,
        re.compile(
            r"renseignements?(?: cliniques?)?|indications?(?: clinique\w*)?|histoire clinique|"
            r"antecedents?|contexte(?: clinique)?|motif(?: de l'examen)?|clinical (?:history|"
            r"information|data|details|notes?|diagnosis|indication)|history|anamnese|"
            r"previous history|informations? cliniques?|(?:pre|post)\W?op(?:erative)? diagnosis|"
            r"(?:pre|post)\W?operative diagnosis|diagnostic (?:pre|post)\W?operatoire|"
            r"clinical (?:history|information) (?:and|/) (?:pre|post)\W?op\w* diagnosis"
        ),
    ),
    (
        FROZEN,
        re.compile(
            r"(?:frozen section|intra\W?operative|intraoperative|touch prep\w*)"
            r"(?: consultation| diagnosis| evaluation| report| examination)?(?: diagnosis)?|"
            r"(?:examen )?extemporane\w*|fs/dx|tp/dx"
        ),
    ),
    (
        GROSS,
        re.compile(
            r"(?:examen |description |etude )?macroscopi\w*(?: description| examination)?|"
            r"gross(?: description| examination)?|macroscopy|macro|"
            r"(?:cassette|block|section) (?:summary|key|code)s?|summary of sections|"
            r"description of (?:sections|blocks)"
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
            r"ancillary studies|prognostic (?:and predictive )?(?:markers|factors|panel)|"
            r"marqueurs?(?: pronostiques| predictifs)?|ihc|facteurs (?:pronostiques|predictifs)\w*|"
            r"hormone receptors?|recepteurs hormonaux|addend(?:um|a)(?: report| section)?|"
            r"complement(?: d'etude| immunohistochimique)?|breast prognostic panel"
        ),
    ),
    (
        SYNOPTIC,
        re.compile(
            r"synoptic(?: report| summary)?|compte rendu synoptique|tumou?r summary|"
            r"(?:cancer )?case summary|checklist|(?:breast )?pathologic(?:al)? parameters|"
            r"donnees minimales|protocol for (?:the )?examination of \w+(?: \w+){0,8}|"
            r"summary of (?:pathologic )?findings|pathologic staging"
        ),
    ),
    (
        CONCLUSION,
        re.compile(
            r"conclusions?|(?:final |pathologic(?:al)? |surgical pathology |microscopic |"
            r"histologic(?:al)? )?diagnos\w*(?: final)?|"
            r"synthese|summary|resume|en resume|diagnostic anatomopathologique|final report|"
            r"pathology diagnosis|final pathologic(?:al)? diagnosis|"
            r"pathologic(?:al)? interpretation|"
            r"final (?:surgical )?pathology|interpretation"
        ),
    ),
    (
        COMMENT,
        re.compile(r"commentaires?|comments?(?:\s*\(s\))?|remarques?|notes?"),
    ),
    (
        OTHER,
        re.compile(
            r"specimens?(?: type| received| submitted)?(?:\(s\))?|procedures?|prelevements?|"
            r"(?:nature|type) (?:du|de) prelevement|intervention|piece operatoire|demande|"
            r"examen(?: demande)?|materiel|materiel recu|type of specimen|operation|resultats?|"
            r"results?|findings|description|source of specimen|tissue submitted"
        ),
    ),
]
_HEAD_PREFIX = re.compile(r"^[\s\-*#>•=_+]*(?:\[[x ]?\]\s*)?(?:[0-9ivx]{1,3}[.)]\s*)?")
_HEAD_TEXT = re.compile(r"[a-z'(][a-z' /()&-]*")
# where a heading may end: a colon, an equals sign, a dash between spaces or at the end, a full
# stop (flattened reports glue "DIAGNOSIS." into the text), or the end of the line
_HEAD_END = re.compile(r"\s*(?::|=|\s-\s|-(?=\s|$)|\.(?=\s|$)|(?=\())|\s*$")


@dataclass(frozen=True)
class Statement:
    """One line, sentence or table row of a report, with its section kind and span, and the
    part of the report (``a``, ``b``, ``1``...) it belongs to with that part's kind (``node``,
    ``breast``, ``margin``, ``other``; empty outside parts)."""

    start: int
    end: int
    kind: int
    text: str  # folded text of the span
    part: str = ""
    part_kind: str = ""


# Words of headings, for OCR-damaged headings ("MICKOSCOPIC DIAGNOSTS"): a word one letter
# away from one of these is read as it.
_HEADING_WORDS = (
    "microscopic", "macroscopic", "macroscopie", "microscopie", "diagnosis", "diagnoses",
    "description", "clinical", "history", "comment", "comments", "specimen", "specimens",
    "synoptic", "summary", "conclusion", "immunohistochemistry", "immunohistochimie",
    "addendum", "interpretation", "pathologic", "consultation", "intraoperative",
    "renseignements", "cliniques", "commentaire",
)  # fmt: skip


_HEADING_VOCABULARY = Vocabulary(_HEADING_WORDS)
# every heading of every kind in one pattern, which must end where a heading ends
_HEAD_ANY = re.compile(
    "(?:"
    + "|".join(f"(?P<k{i}>{rx.pattern})" for i, (_, rx) in enumerate(_HEADERS))
    + r")(?=\s*(?::|=|\s-\s|-(?=\s|$)|\.(?=\s|$)|\()|\s*$)"
)


def _header(line: str) -> tuple[int, int] | None:
    """(section kind, offset of the text after the header) when ``line`` opens a section."""
    pos = _HEAD_PREFIX.match(line).end()  # type: ignore[union-attr]
    m = _HEAD_ANY.match(line, pos)
    if m is None:
        # an OCR-damaged heading ("MICKOSCOPIC DIAGNOSTS"), repaired in place
        first = re.findall(r"[a-z]+", line[pos : pos + 40])[:3]
        if not any(_HEADING_VOCABULARY.nearest(w) for w in first):
            return None
        repaired = line[:pos] + _HEADING_VOCABULARY.repair(line[pos : pos + 90])
        m = _HEAD_ANY.match(repaired, pos)
        if m is None:
            return None
    index = next(int(k[1:]) for k, v in m.groupdict().items() if v is not None)
    end = _HEAD_END.match(line, m.end())
    return _HEADERS[index][0], end.end() if end else m.end()


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


# Words a sentence cannot end on: a full stop after them is a flattened line break.
_OPEN_WORD = re.compile(
    r"(?:^|\W)(?:of|the|a|an|and|or|to|in|with|by|for|from|at|on|is|are|was|were|as|no|not|"
    r"de|du|des|la|le|les|et|ou|a|au|aux|en|sur|par|avec|sans|un|une|est|sont|dont|see|per|"
    r"single|multiple|voir|measuring|measures|measure|mesurant|mesure|including|comprising|"
    r"greatest|largest|approximately|about|environ|x|by)$"
)
_LABEL_ONLY = re.compile(r"^\s*(?:part\s+)?\(?[a-z0-9]{1,2}\)?[.):]?\s*$")


def _soft_break(folded: str, original: str, cut: int, start: int, nxt: int) -> bool:
    """Whether the full stop ending at ``cut`` is a line break the export turned into ". "
    rather than the end of a sentence: the next word goes on in lower case, a parenthesis is
    still open, the text before it cannot end a sentence, or a measurement goes on ("1.7. X")."""
    before = folded[start : cut - 1]
    if nxt >= len(folded):
        return False
    # a parenthesis opened just before and not closed ("(well to. moderately differentiated)")
    recent = max(start, cut - 80)
    opened = folded.rfind("(", recent, cut)
    if (
        folded.count("(", recent, cut) > folded.count(")", recent, cut)
        and ":" not in folded[opened:cut]
    ):
        return True
    if _LABEL_ONLY.match(before):  # "A." then the part's title
        return True
    if _OPEN_WORD.search(before):
        return True
    # a heading comes next ("... completed by. COMMENT. ..."): that is a real break
    if _header(folded[nxt : nxt + 100].split("\n", 1)[0]) is not None:
        return False
    ch = original[nxt]
    # a lower-case start is a continuation unless the report is all lower case
    if ch.islower() and any(c.isupper() for c in original[max(0, start - 200) : cut]):
        return True
    # "NOTTINGHAM HISTOLOGIC GRADE. 3.": a label's value cut off by the line end
    if re.match(
        r"\d{1,3}(?:[.,]\d+)?\s*(?:%|mm|cm)?\s*(?:[.(]|$)", folded[nxt : nxt + 12]
    ) and re.search(r"(?:grade|score|size|taille|measures?|mesure|index|ki\W?67|ratio)$", before):
        return True
    return bool(re.match(r"x\s*\d", folded[nxt : nxt + 4]) and re.search(r"\d$", before))


_PART_LABEL = re.compile(
    r"^\s*(?:(?:part|specimen|prelevement|container)\s+(?:n\W?\s*)?"
    r"([a-l]|[1-9])(?:\s*[.):-]\s*|\s+)|"
    r"\(([a-l]|[1-9])\)\s*[.:-]?\s*|"
    r"([a-l]|[1-9])(?:\s*(?:,|&|and|et|-)\s*[a-l1-9])*\s*[.):]\s*)(?=\S)"
)
# field labels of a gross description that say what was seen at the frozen section or touch
# preparation: they qualify one statement, they do not open a section
_LOCAL_HEADS = re.compile(r"\s*(?:fs|tp)/dx\b")
_NODE_PART = re.compile(
    r"lymph|\bnodes?\b|sentinel|axill\w*|ganglion\w*|\bgs\b|curage|\bsln\b|\baln\w*|"
    r"\bln\b|level (?:i|ii|iii|1|2|3)\b"
)
_BREAST_PART = re.compile(
    r"breast|\bsein\b|mammaire|mastectom\w*|lumpectom\w*|tumorectom\w*|zonectom\w*|"
    r"quadrantectom\w*|segmentectom\w*|excision|exerese|biops\w*|mass\b|lesion|tumou?r|"
    r"nipple|mamelon|wire|harpon"
)
_MARGIN_PART = re.compile(r"margin|berge|recoupe|re-?excision|reprise|shave|limite")
# in these sections a letter or number opens a part of the report; elsewhere it is a list item
_PART_SECTIONS = {CONCLUSION, MICRO, GROSS, FROZEN, OTHER, COMMENT}


def _part_of(text: str) -> tuple[str, str] | None:
    """(label, kind) when a statement opens a part ("B. Breast, right, mastectomy: ...")."""
    m = _PART_LABEL.match(text)
    if not m:
        return None
    label = m.group(1) or m.group(2) or m.group(3)
    title = re.split(r":|\s-\s|\s-$", text[m.end() :], maxsplit=1)[0][:120]
    if _MARGIN_PART.search(title):
        kind = "margin"
    elif _NODE_PART.search(title) and not re.search(r"breast|\bsein\b|mastectom", title):
        kind = "node"
    elif _BREAST_PART.search(title):
        kind = "breast"
    else:
        return None
    return label, kind


def _sentences(folded: str, original: str, start: int, end: int) -> list[tuple[int, int]]:
    out = []
    cut = start
    for m in _SENTENCE_END.finditer(folded, start, end):
        # a ";" inside parentheses does not end the statement
        recent = max(cut, m.start() - 80)
        if folded[m.start() - 1] == ";" and folded.count("(", recent, m.start()) > folded.count(
            ")", recent, m.start()
        ):
            continue
        if folded[m.start() - 1] == "." and _soft_break(folded, original, m.start(), cut, m.end()):
            continue
        if m.start() > cut:
            out.append((cut, m.start()))
        cut = m.end()
    if cut < end:
        out.append((cut, end))
    return out


def mend_soft_breaks(folded: str, original: str) -> str:
    """``folded`` with the full stops that an export put at line ends inside a sentence
    ("partial. mastectomy", "lymph. nodes") taken out, same length: the stop becomes a space
    and the word after it moves one place left, so phrases read whole again. (A moved word's
    evidence is one character off, at worst.)"""
    chars = list(folded)
    for start, end in _logical_lines(original, folded):
        cut = start
        for m in _SENTENCE_END.finditer(folded, start, end):
            dot = m.start() - 1
            if folded[dot] == "." and _soft_break(folded, original, m.start(), cut, m.end()):
                word = re.match(r"[^\s.;,:]+", folded[m.end() : end])
                if folded[dot - 1 : dot].isalnum() and m.end() - m.start() == 1 and word:
                    # "partial. mastectomy" -> "partial mastectomy "
                    w_end = m.end() + len(word.group(0))
                    chars[dot:w_end] = list(" " + word.group(0) + " ")
                continue
            cut = m.end()
    return "".join(chars)


def statements(folded: str, original: str | None = None) -> list[Statement]:
    """The report cut into statements, each tagged with the kind of section it lies in and the
    part of the report it belongs to."""
    original = original if original is not None else folded
    out: list[Statement] = []
    kind = OTHER
    part = ("", "")
    pending: tuple[int, int] | None = None  # a "Label:" line whose value is on the next line

    def add(a: int, b: int) -> None:
        nonlocal kind, part
        here = kind
        header = _header(folded[a:b])
        if header is not None and not (b - a > 60 and header[1] >= b - a - 1):
            # "PRE-OP DIAGNOSIS: breast cancer." qualifies its own statement; a clinical section
            # runs on only from a heading of its own
            if _LOCAL_HEADS.match(folded[a:b]) or (
                header[0] == CLINICAL and folded[a + header[1] : b].strip(" .:-")
            ):
                here = header[0]
            else:
                if header[0] != kind:
                    part = ("", "")
                kind = here = header[0]
            a = a + header[1]
            if not folded[a:b].strip(" .:-"):
                return
        text = folded[a:b]
        if here in _PART_SECTIONS:
            # "(D). LEFT. BREAST, ...": an OCR'd title may run into the next statement
            found = _part_of(text) or (
                _part_of(text + " " + folded[b : b + 120]) if len(text) < 24 else None
            )
            if found is not None:
                part = found
        out.append(Statement(a, b, here, text, part[0], part[1]))

    for start, end in _logical_lines(original, folded):
        raw_line = folded[start:end]
        line = raw_line.strip()
        if not line:
            pending = None
            # clinical information is one paragraph: what follows a blank line is not history
            if kind == CLINICAL:
                kind = OTHER
            continue
        header = _header(raw_line)
        if header is not None and not raw_line[header[1] :].strip():
            if header[0] != kind:
                part = ("", "")
            kind = header[0]
            pending = None
            continue
        if pending is not None:
            add(pending[0], end)
            pending = None
            continue
        if re.search(r":\s*$", raw_line) and len(line) < 60:
            pending = (start, end)
            continue
        # a table row is one statement; prose is cut at sentence ends
        if len(raw_line) < 400 and (
            "|" in raw_line or re.search(r"\S {3,}\S", original[start:end])
        ):
            add(start, end)
            continue
        for a, b in _sentences(folded, original, start, end):
            add(a, b)
    return [s for s in out if s.text.strip()]
