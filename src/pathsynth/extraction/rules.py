"""The ``rules`` extractor: a section-aware pattern reader of whole pathology reports.

It finds the sections of a report (clinical history, gross, microscopy, immunohistochemistry,
conclusion, in French or English), cuts them into statements (lines, sentences, table rows,
synoptic "Key: value" lines), and reads each variable from the statements that name it with
the schema's normalisers (:mod:`pathsynth.schema.normalize`). When statements disagree the
conclusion wins over the microscopy, which wins over the gross description; the clinical
history (previous biopsies, imaging) is never read. Lymph nodes are summed over all node
specimens. Every value comes with the character span of the statement that gives it.

It is the project's baseline and the filter's default judge, so it prefers ``None`` to a
guess: a variable is only filled when a statement states it.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from pathsynth.extraction.base import Extraction, Span
from pathsynth.schema import Lang, Schema, Value, load_schema, normalize_value
from pathsynth.schema._text import fold, join_hyphenated, repair_breaks
from pathsynth.schema.normalize import (
    MARKERS,
    grade_in,
    her2_ihc,
    histology_in,
    marker_span,
    node_ratio,
    normalize_folded,
    presence,
    sizes_mm,
    specimen_matches,
)

__all__ = ["RulesExtractor"]

# --- sections ------------------------------------------------------------------------------

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


def _section_kind(line: str) -> int | None:
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
                and _section_kind(cur.strip()) is None
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


# --- per-variable readers --------------------------------------------------------------------


@dataclass(frozen=True)
class Finding:
    """A value read from one statement."""

    value: Value
    span: Span
    kind: int


Reader = Callable[[list[Statement]], list[Finding]]


def _best(findings: list[Finding]) -> list[Finding]:
    """The findings of the best section kind present."""
    if not findings:
        return []
    top = min(f.kind for f in findings)
    return [f for f in findings if f.kind == top]


def _readable(stmts: list[Statement]) -> list[Statement]:
    return [s for s in stmts if s.kind != CLINICAL]


_PRIOR = re.compile(
    r"\b(?:anterieure?s?|precedente?s?|previous|prior|previously|antecedents?|ancienne?|"
    r"history of|deja|initial(?:e|ly)?|sur (?:la )?biopsie|on (?:the )?(?:prior )?biopsy|"
    r"(?:de|of) la biopsie|du \d{1,2}/\d{1,2})\b"
)


def _specimen(stmts: list[Statement]) -> list[Finding]:
    out = []
    rank = ["mastectomy", "lumpectomy", "surgical_excision", "biopsy", "lymph_node_dissection"]
    for s in _readable(stmts):
        for code, a, b in specimen_matches(s.text):
            # a previous biopsy mentioned in passing is not the specimen of this report
            before = s.text[max(0, a - 40) : a]
            after = s.text[b : b + 40]
            if _PRIOR.search(before + " " + after):
                continue
            # "biopsy site changes", "cicatrice de tumorectomie": traces of an earlier procedure
            if re.match(r"\W*(?:site|scar|cavity|bed|clip|changes|tract)\b", after) or re.search(
                r"(?:cicatrice|lit|remaniements?|cavite|site|scar|changes?|tract)\s+"
                r"(?:de\s+(?:la\s+)?|d'|du\s+|post\W?|after\s+|from\s+(?:the\s+)?)?$",
                before,
            ):
                continue
            # "may differ on the excision": a bare "excision" is only a last resort
            weak = s.text[a:b] in {"exerese", "excision", "resection"}
            if re.search(r"\b(?:sans|no|pas de|absence de)\W*$", before):
                continue
            # "limites d'exérèse", "excision margins": a margin, not a procedure
            if weak and re.search(r"(?:limites?|berges?|marges?|plan|tranches?) d'$", before):
                continue
            if weak and re.match(r"\s+margins?\b", after):
                continue
            # an excision of a lymph node is a node specimen, not a breast one
            node_only = re.search(
                r"lymph node|ganglion|\baxilla(?:ry)?\b", s.text
            ) and not re.search(r"breast|\bsein\b|mammaire", s.text)
            if node_only and code in ("surgical_excision", "biopsy"):
                code = "lymph_node_dissection"
            order = rank.index(code) + (len(rank) if weak else 0)
            out.append((order, Finding(code, (s.start + a, s.start + b), s.kind)))
    if not out:
        return []
    out.sort(key=lambda x: (x[0], x[1].kind, x[1].span))
    return [out[0][1]]


def _histology(stmts: list[Statement]) -> list[Finding]:
    # a named type anywhere beats "invasive carcinoma" of unnamed type (synoptic titles),
    # which still beats carcinoma in situ
    named = _histology_pass(stmts, generic=False)
    if named and named[0].value != "8500/2":
        return named
    generic = _histology_pass(stmts, generic=True)
    if generic and generic[0].value != "8500/2":
        return generic
    return named or generic


def _histology_pass(stmts: list[Statement], *, generic: bool) -> list[Finding]:
    out = []
    for s in _readable(stmts):
        if _PRIOR.search(s.text) and s.kind != CONCLUSION:
            continue
        # "INVASIVE CARCINOMA OF THE BREAST: SYNOPTIC SUMMARY" is a form's title
        if generic and re.search(r"synoptic|checklist|protocol|template|summary", s.text):
            continue
        found = histology_in(s.text, generic=generic)
        if found:
            code, a, b = found
            out.append(Finding(code, (s.start + a, s.start + b), s.kind))
    best = _best(out)
    invasive = [f for f in best if f.value != "8500/2"]
    if invasive:
        return invasive[:1]
    # in situ carcinoma with a focus of micro-invasion stated apart is invasive (pT1mi)
    for s in _readable(stmts):
        micro = re.search(r"micro\W?(?:invasi|infiltr)\w*", s.text)
        if (
            micro
            and best
            and not re.search(
                r"\b(?:pas|absence|sans|no|not|without|ni)\b(?:\W+\w+){0,3}\W*$",
                s.text[: micro.start()],
            )
        ):
            return [Finding("8500/3", (s.start + micro.start(), s.start + micro.end()), s.kind)]
    # an invasive carcinoma named anywhere outranks in situ named in the best section
    anywhere = [f for f in out if f.value != "8500/2"]
    if anywhere:
        return sorted(anywhere, key=lambda f: f.kind)[:1]
    return best[:1]


_GRADE_CUE = re.compile(r"grade|sbr|elston|nottingham|bloom|\bnhg|\bg[123]\b|\bee\s*[123il]|score")


def _grade(stmts: list[Statement]) -> list[Finding]:
    out = []
    for s in _readable(stmts):
        if not _GRADE_CUE.search(s.text):
            continue
        if re.search(r"in situ|\bccis\b|\bdcis\b|intracanal|intraduct", s.text) and not re.search(
            r"infiltr|invasi|sbr|elston|nottingham", s.text
        ):
            continue
        found = grade_in(s.text)
        if found:
            g, a, b = found
            out.append(Finding(g, (s.start + a, s.start + b), s.kind))
    return _best(out)[:1]


_SIZE_CUE = re.compile(
    r"taille|mesur\w*|diametre|grand axe|dimension|size|measur\w*|largest|greatest|"
    r"extent|etendue|tumeur|tumou?r|carcinom\w*|nodule|lesion|foyer|focus|foci|mass|infiltr|invasi|"
    r"\bcci\b|\bcli\b|\bidc\b|\bilc\b|\bnst\b|"
    r"\bpt\d"
)
_SIZE_EXCLUDE_BEFORE = re.compile(
    r"\b(?:piece|specimen|fragment|carottes?|cores?|biopsies|ganglion\w*|nodes?|metasta\w*|"
    r"macrometa\w*|micrometa\w*|berges?|marges?|margins?|distance|recoupe\w*|in situ|ccis|dcis|"
    r"intracanal\w*|intraduct\w*|peau|skin|cutane\w*|fuseau|ellipse|mamelon|areole|nipple|"
    r"graisse|fat|cicatrice|scar|poids|weigh\w*|pese|prolongement|lambeau|tissu|tissue|kyste|"
    r"cyst|clip|harpon|wire|cavit\w*|hematome|seroma|radiolog\w*|echograph\w*|imagerie|"
    r"mammograph\w*|irm|mri|ultrasound|orientation|fil|suture|pectoral\w*|muscle|"
    r"mastectom\w*|tumorectom\w*|lumpectom\w*|quadrantectom\w*|zonectom\w*|excision|exerese|"
    r"\w*biops\w*|oriente\w*|oriented|received|recu\w*|"
    r"quadrant)\b[^.;:]{0,30}$|x\s*$"
)
_SIZE_EXCLUDE_AFTER = re.compile(
    r"^\s*(?:de la |de |du |from (?:the )?|of (?:the )?|to (?:the )?)(?:\w+\s+){0,2}?"
    r"(?:berge|marge|margin|limite|bord|edge|mamelon|nipple|peau|skin|recoupe|plan)|"
    r"^\s*(?:d'epaisseur|thick|de profondeur|deep|of (?:tissue|skin|fat))"
)
_SIZE_STRONG = re.compile(
    r"taille|size|grand axe|greatest|largest|dimension|mesur|measur|diametre|\bpt\d|"
    r"infiltr|invasi|\bfoci\b|\bfocus\b|\bfoyers?\b|carcinom|tumou?r|tumeur|\bcci\b|\bcli\b|"
    r"\bidc\b|\bilc\b|\bnst\b|nodule|lesion"
)


_LESION = re.compile(
    r"mass\b|masse\b|zone induree|induration|indurated|firm area|stellate|stellaire|"
    r"carcinom\w*|\bcci\b|\bcli\b|\bidc\b|\bilc\b|\bdcis\b|\bccis\b|in situ|tumeur|tumou?r|"
    r"lesion|nodule|foyers?|focus|foci|infiltr\w*|invasi\w*|\bnst\b"
)
_INSITU_NAME = re.compile(r"in situ|\bdcis\b|\bccis\b|intracanalaire|intraductal")
#: characters before a number searched for the lesion it measures (longer than any sentence)
_LOOKBACK = 2000


_SIZE_LABEL = re.compile(
    r"(?:taille|size|grand axe|dimension|diametre|diameter|mesure)\w*(?: \w+){0,2}\s*"
    r"\((mm|cm)\)\s*[:=-]?\s*(\d+(?:[.,]\d+)?)\b"
)


def _size(stmts: list[Statement]) -> list[Finding]:
    out = []
    for s in _readable(stmts):
        label = _SIZE_LABEL.search(s.text)
        if label and not _INSITU_NAME.search(s.text[: label.start()]):
            # "Plus grand axe (mm) : 12": the unit is in the label
            value = float(label.group(2).replace(",", ".")) * (10 if label.group(1) == "cm" else 1)
            out.append(Finding(value, (s.start + label.start(), s.start + label.end()), s.kind))
            continue
        if not _SIZE_CUE.search(s.text):
            continue
        for value, a, b in sizes_mm(s.text):
            before = s.text[max(0, a - 60) : a]
            before = re.split(r"[.;]", before)[-1]
            # a clause about lymph nodes measures metastases, not the tumour
            clause = re.split(r"[,(:]", before)[-1]
            if re.search(r"ganglion|\bnodes?\b|\bgs\b|sentinel|metasta", clause):
                continue
            if _SIZE_EXCLUDE_BEFORE.search(before) and not re.search(
                r"(?:taille|size|grand axe|dimension)\W*(?:\w+\W+){0,4}$", before
            ):
                continue
            if _SIZE_EXCLUDE_AFTER.search(s.text[b : b + 40]):
                continue
            # "< 1 mm" bounds a size, it does not state one
            if re.search(r"(?:[<>≤≥]|inferieure? a|less than|moins de|up to)\s*$", before):
                continue
            if re.search(r"(?:^|\W)(?:at|within|to)\s*$", before) and not re.search(
                r"(?:taille|size|mesur|measur)\W*(?:\w+\W+){0,3}$", before
            ):
                continue
            # the lesion named last before the number is the one measured: not in situ
            # within one sentence's reach: a text without sentence ends stays linear
            reach = max(0, a - _LOOKBACK)
            lesions = list(_LESION.finditer(s.text, reach, a))
            if lesions and _INSITU_NAME.search(s.text[lesions[-1].start() : a]):
                continue
            strong = bool(_SIZE_STRONG.search(before) or _SIZE_STRONG.search(s.text, reach, a))
            # the gross description measures specimens too: only a named lesion counts there,
            # and three dimensions with no lesion named just before are a specimen's
            if s.kind == GROSS and not lesions:
                continue
            near = lesions and a - lesions[-1].end() < 60
            labelled = re.search(
                r"(?:taille|size|dimension|grand axe|measures?|mesure)\W*(?:\w+\W+){0,3}$", before
            )
            if len(re.findall(r"\d+(?:[.,]\d+)?", s.text[a:b])) >= 3 and not (near or labelled):
                continue
            if not strong:
                continue
            out.append(Finding(value, (s.start + a, s.start + b), s.kind))
    return _best(out)[:1]


_MARGIN_CUE = re.compile(
    r"\bmarges?\b|\bberges?\b|limites? (?:d'exerese|chirurgicales?|de resection)|"
    r"\bmargins?\b|\brecoupes?\b|\bin sano\b|\br[01]\b|exerese (?:in)?complete|"
    r"\blimites? (?:\w+ )?(?:non |pas )?(?:saines?|atteintes?|envahies?|indemnes?|libres?)|"
    r"(?:complete|incomplete) excision|inked (?:surface|margin)|\bencr\w*|qualite d'exerese|"
    r"(?:completely|incompletely|entirely) (?:excised|removed)|excision (?:is )?(?:in)?complete"
)


_CLAUSE = re.compile(r",(?!\d)|;|\s-\s|\bmais\b|\bbut\b|\bwhereas\b|\balors que\b")


def _margins(stmts: list[Statement]) -> list[Finding]:
    var_ok = []
    for s in _readable(stmts):
        if not _MARGIN_CUE.search(s.text) or s.kind == GROSS:
            continue
        # read the clauses that speak of margins, not "margins negative, 3 nodes positive"
        bounds = [0, *(m.end() for m in _CLAUSE.finditer(s.text)), len(s.text)]
        for i, (a, b) in enumerate(itertools.pairwise(bounds)):
            clause = s.text[a:b]
            if not _MARGIN_CUE.search(clause):
                continue
            value = normalize_folded(_SCHEMA["marges_saines"], clause)
            if value is None and i + 2 < len(bounds):
                # "Resection margins - negative": the label and its value in two clauses
                b = bounds[i + 2]
                value = normalize_folded(_SCHEMA["marges_saines"], s.text[a:b])
            if value is not None:
                var_ok.append(Finding(value, (s.start + a, s.start + b), s.kind))
    best = _best(var_ok)
    involved = [f for f in best if f.value == "no"]
    return involved[:1] or best[:1]


_LVI = re.compile(
    r"embol\w*|\blvi\b|lympho\W?vasc\w*|lympho\W?v?ascular|\b\w*ascular invasion|angio\W?lymph\w*|"
    r"(?:lymphatic|vascular|venous|lymph-vascular) (?:space )?invasion|"
    r"(?:invasion|envahissement) (?:lympho)?vasculaire|permeation\w*|\bilv\b"
)
_ENE = re.compile(
    r"rupture\w*\s+capsul\w*|effraction\w*\s+capsul\w*|extra\W?capsul\w*|extra\W?nodal\w*|"
    r"extra\W?ganglionnaire\w*|\bene\b|depassement\w*\s+capsul\w*|franchissement\w*\s+capsul\w*|"
    r"capsul\w* (?:breach|rupture|invasion|extension)|peri\W?nodal (?:extension|spread)"
)


def _presence_reader(concept: re.Pattern[str]) -> Reader:
    def read(stmts: list[Statement]) -> list[Finding]:
        out = []
        for s in _readable(stmts):
            m = concept.search(s.text)
            if not m:
                continue
            # the French noun alone states a finding ("Emboles péri-ganglionnaires.")
            alone = (
                "yes" if m.group(0).startswith("embol") and s.text[m.end() :].strip(" .") else None
            )
            value = presence(concept, s.text, alone=alone)
            if value is None:
                # a bare label line ("Emboles :") followed by a plain answer
                tail = s.text[m.end() :]
                if re.match(r"\W*(?:oui|yes|present\w*|\+)\W*$", tail):
                    value = "yes"
                elif re.match(r"\W*(?:non|no|absent\w*|-|none|not identified)\W*$", tail):
                    value = "no"
            if value is not None:
                a, b = _clause_around(s.text, m.start(), m.end())
                out.append(Finding(value, (s.start + a, s.start + b), s.kind))
        best = _best(out)
        positive = [f for f in best if f.value == "yes"]
        return positive[:1] or best[:1]

    return read


_MARKER = {k: re.compile(v) for k, v in MARKERS.items()}
_CLAUSE_BOUND = re.compile(r"[,;|]\s|\s-\s|\bmais\b|\bbut\b|\n")


def _clause_around(text: str, start: int, end: int) -> Span:
    """The clause of ``text`` holding ``text[start:end]`` (cut at commas, semicolons, bars)."""
    a = max((m.end() for m in _CLAUSE_BOUND.finditer(text, 0, start)), default=0)
    nxt = _CLAUSE_BOUND.search(text, end)
    return a, nxt.start() if nxt else len(text)


def _marker_reader(key: str) -> Reader:
    def read(stmts: list[Statement]) -> list[Finding]:
        out = []
        for s in _readable(stmts):
            m = _MARKER[key].search(s.text)
            if not m:
                continue
            if _PRIOR.search(s.text) and s.kind not in (CONCLUSION, IHC):
                continue
            value = normalize_folded(_SCHEMA[key], s.text)
            if value is not None:
                # the evidence is the part of the statement about this marker
                a, b = marker_span(key, s.text) or (0, len(s.text))
                out.append(Finding(value, (s.start + a, s.start + b), s.kind))
        if not out and key in ("re", "rp", "her2"):
            # "triple négatif"; for the receptors also "récepteurs hormonaux négatifs"
            pattern = r"triple\W?negati\w*"
            if key != "her2":
                pattern += r"|" + _HORMONE_NEGATIVE
            for s in _readable(stmts):
                m = re.search(pattern, s.text)
                if m:
                    out.append(
                        Finding("negative", (s.start + m.start(), s.start + m.end()), s.kind)
                    )
        return _best(out)[:1]

    return read


_HORMONE_NEGATIVE = (
    r"(?:recepteurs hormonaux|\brh\b|hormone receptors?|hormonal receptors?)\s*:?\s*"
    r"(?:sont\s+|are\s+)?(?:negati\w*|neg\b|-(?!\w))"
)
_ISH_CUE = re.compile(r"\b(?:fish|sish|cish|ddish|ish|hybridation|hybridization)\b|amplifi")


def _her2(stmts: list[Statement]) -> list[Finding]:
    found = _marker_reader("her2")(stmts)
    if found:
        return found
    # "HER2 2+ (équivoque)" then a separate ISH statement settles it
    equivocal = []
    for s in _readable(stmts):
        m = _MARKER["her2"].search(s.text)
        if m and her2_ihc(s.text[m.end() :]) == 2:
            equivocal.append(Finding(None, (s.start, s.end), s.kind))
    if not equivocal:
        return []
    out = []
    for s in _readable(stmts):
        if _ISH_CUE.search(s.text) and not _MARKER["re"].search(s.text):
            value = normalize_folded(_SCHEMA["her2"], "her2 " + s.text)
            if value is not None:
                out.append(Finding(value, (s.start, s.end), s.kind))
    best = _best(out)[:1]
    # the evidence is the IHC statement and the ISH statement that settles it
    return best + [Finding(best[0].value, f.span, f.kind) for f in equivocal[:1]] if best else []


# --- lymph nodes ---------------------------------------------------------------------------

_NODE_CUE = re.compile(
    r"ganglion\w*|\bnodes?\b|\bnodal\b|(?:macro|micro)\W?metasta\w*|\bgg\b|\bgs\d*\b|\bslnb?\b|\balnd\b|\d\s*n\s*\+|\bn\s*\+|\bp?n[0-3][abc]?\b|curage|sentinel\w*|"
    r"\blns?\b|lymph|axillai\w*|axillary"
)
# a statement of the total count, which is not to be added to per-specimen counts
_TOTAL = re.compile(
    r"\bau total\b|\btotal\b|\bsoit\b|\bin total\b|\boverall\b|\bsummary\b|\bsynthese\b|"
    r"\ben tout\b|\bin all\b|statut ganglionnaire|(?:lymph )?node status|nodal status|"
    r"\bp?n[0-3][a-z]*(?:\s*\((?:i|sn|mol)[+-]?\))?\s*\(\s*\d+\s*(?:n\s*\+?\s*)?/"
)
_ITC = re.compile(r"cellules tumorales isolees|isolated tumou?r cells|\bitc\b|\(i\+\)")


_ALL_FREE = re.compile(
    r"indemnes?|sains?|negati\w*|non metasta\w*|free of|benign|reactionn\w*|"
    r"sans (?:metasta|envahissement)|without metasta|no metasta\w*|no (?:tumou?r|carcinoma)"
)


_ENE_COUNT = re.compile(
    r"(?:rupture|effraction|extension|\bene\b|\bece\b|extracapsul\w*)\s+(?:[\w'-]+\s+){0,3}?"
    r"(?:sur|dans|in|on|of|de)\s+(?:\d+|un|une|deux|trois|one|two|three)\s+"
    r"(?:des\s+|of\s+the\s+)?(?:ganglions?|nodes?|lymph nodes?)"
)


@dataclass(frozen=True)
class _NodeCount:
    examined: int | None
    affected: int | None
    total: bool
    span: Span
    kind: int


def _node_counts(s: Statement) -> _NodeCount | None:
    t = s.text
    # "Total : sans métastase (0/4)" names no node but counts them
    if not _NODE_CUE.search(t) and not (_TOTAL.search(t) and re.search(r"metasta", t)):
        return None
    if re.search(
        r"\b(?:non|not|pas|aucun|no)\s+(?:\w+\s+){0,2}?(?:preleve|examine|submitted|recu|received|"
        r"prelevement ganglionnaire)|pas de prelevement ganglionnaire",
        t,
    ):
        return None
    total_cue = _TOTAL.search(t)
    total = bool(total_cue)
    # "0/2 (GS) + 3/11 (curage), soit 3N+/13": the ratio after the total cue is the total
    ratio = (node_ratio(t[total_cue.start() :]) if total_cue else None) or node_ratio(t)
    # "rupture capsulaire sur 3 ganglions" counts nodes with extension, not examined ones
    if not ratio and _ENE_COUNT.search(t):
        return None
    if ratio:
        with_itc = _ITC.search(t) and not re.search(r"macro|micro|metasta\w* (?!\w*isol)", t)
        return _NodeCount(ratio[1], 0 if with_itc else ratio[0], total, (s.start, s.end), s.kind)
    read_examined = normalize_folded(_SCHEMA["numero_gang_prel"], t)
    read_affected = normalize_folded(_SCHEMA["numero_gang_att"], t)
    examined = read_examined if isinstance(read_examined, int) else None
    affected = read_affected if isinstance(read_affected, int) else None
    if examined is None and affected is None:
        return None
    if not _NODE_CUE.search(t):
        return None
    itc_only = not re.search(r"macro|micrometa|micro-meta|metastases? (?:de|of) \d", t)
    if _ITC.search(t) and affected and itc_only:
        affected = 0
    # an explicit count of examined nodes that are all free of tumour
    if affected is None and examined is not None and _ALL_FREE.search(t):
        affected = 0
    return _NodeCount(examined, affected, total, (s.start, s.end), s.kind)


def _nodes(stmts: list[Statement]) -> tuple[list[Finding], list[Finding]]:
    counts = [c for s in _readable(stmts) if (c := _node_counts(s)) is not None]
    if not counts:
        return [], []
    prel = _node_total(counts, "examined")
    att = _node_total(counts, "affected")
    # affected nodes are counted among examined ones; a mismatch means a misread
    examined = prel[0].value if prel else None
    affected = att[0].value if att else None
    if isinstance(examined, int) and isinstance(affected, int) and affected > examined:
        return [], []
    return prel, att


def _node_total(counts: list[_NodeCount], field: str) -> list[Finding]:
    """One count (examined or affected) for the report, from the best section stating it."""
    stated = [c for c in counts if getattr(c, field) is not None]
    if not stated:
        return []
    # the conclusion usually restates the per-specimen counts: read one section kind only;
    # the gross description counts examined nodes, but only when nothing else does
    kinds = sorted({c.kind for c in stated if c.kind != GROSS}) or [GROSS]
    tier = [c for c in stated if c.kind == kinds[0]]
    totals = [c for c in tier if c.total]
    if totals:
        last = totals[-1]
        return [Finding(getattr(last, field), last.span, last.kind)]
    # several node specimens (sentinel, axillary dissection): their counts add up
    value = sum(getattr(c, field) for c in tier)
    return [Finding(value, c.span, c.kind) for c in tier]


# --- the extractor -------------------------------------------------------------------------

_SCHEMA = load_schema("breast13")

_READERS: dict[str, Reader] = {
    "echantillon": _specimen,
    "diagnostic": _histology,
    "grade": _grade,
    "taille": _size,
    "marges_saines": _margins,
    "emboles": _presence_reader(_LVI),
    "rupture_capsulaire": _presence_reader(_ENE),
    "re": _marker_reader("re"),
    "rp": _marker_reader("rp"),
    "her2": _her2,
    "ki67": _marker_reader("ki67"),
}


_LEADER = re.compile(r"\.{3,}|…+|_{3,}")


class RulesExtractor:
    """Section-aware pattern extractor for breast-cancer pathology reports (French, English).

    ``schema`` defaults to breast-13; with another schema, the keys breast-13 knows are read
    by their dedicated readers and every other key is read generically (a "Key: value" line
    naming the variable, normalised by the schema's surface forms).
    """

    name = "rules"

    def __init__(self, schema: Schema | str | None = None) -> None:
        if schema is None:
            schema = "breast13"
        self.schema = load_schema(schema) if isinstance(schema, str) else schema

    def extract(self, texts: Sequence[str], *, lang: Lang | None = None) -> list[Extraction]:
        """One :class:`Extraction` per report; ``None`` where the report states nothing."""
        return [self.extract_one(text, lang=lang) for text in texts]

    def extract_one(self, text: str, *, lang: Lang | None = None) -> Extraction:
        """Values and evidence spans for one report."""
        text = text or ""
        # dot leaders ("Grade ........ 2") are layout, not sentence ends
        folded = join_hyphenated(fold(text), text)
        folded = _LEADER.sub(lambda m: " " * len(m.group(0)), repair_breaks(folded))
        stmts = statements(folded, text)
        found: dict[str, list[Finding]] = {}
        for key in self.schema.keys:
            if key in _READERS and key in _SCHEMA and self.schema[key].type == _SCHEMA[key].type:
                found[key] = _READERS[key](stmts)
            elif key not in ("numero_gang_prel", "numero_gang_att"):
                found[key] = self._generic(key, stmts, lang)
        if "numero_gang_prel" in self.schema or "numero_gang_att" in self.schema:
            found["numero_gang_prel"], found["numero_gang_att"] = _nodes(stmts)
        specimen = found.get("echantillon")
        histology = found.get("diagnostic")
        if (specimen and specimen[0].value in ("lymph_node_dissection", "biopsy")) or (
            histology and histology[0].value == "8500/2"
        ):
            # no invasive tumour in the specimen, or only cores of it: no tumour size
            found["taille"] = []
        values: dict[str, Value] = {}
        evidence: dict[str, list[Span]] = {}
        for key in self.schema.keys:
            var = self.schema[key]
            hits = found.get(key, [])
            value = hits[0].value if hits else None
            if value is not None and var.is_valid(value):
                values[key] = var.canonical(value)
                spans = {_trim(text, f.span) for f in hits}
                evidence[key] = sorted(sp for sp in spans if sp[0] < sp[1]) or [hits[0].span]
            else:
                values[key] = None
        return Extraction(values=values, evidence=evidence)

    def _generic(self, key: str, stmts: list[Statement], lang: Lang | None) -> list[Finding]:
        var = self.schema[key]
        names = [fold(n) for n in (*var.names.fr, *var.names.en, key)]
        out = []
        for s in _readable(stmts):
            for name in sorted(names, key=len, reverse=True):
                m = re.search(rf"(?<![a-z0-9]){re.escape(name)}(?![a-z0-9])\s*[:=|]?", s.text)
                if not m:
                    continue
                value = normalize_value(var, s.text[m.end() :], lang)
                if value is not None:
                    out.append(Finding(value, (s.start, s.end), s.kind))
                break
        return _best(out)[:1]


def _trim(text: str, span: Span) -> Span:
    """The span without white space, list marks and trailing separators at either end."""
    a, b = span
    while a < b and (text[a].isspace() or text[a] in "-*•|+"):
        a += 1
    while b > a and (text[b - 1].isspace() or text[b - 1] in ",;|"):
        b -= 1
    return a, b
