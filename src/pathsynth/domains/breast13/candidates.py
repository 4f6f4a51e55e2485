"""Every place a breast-13 report may state each variable: the candidates the fast student
learns to choose from (and to refuse).

The rules extractor's finders pick one candidate by hand-written policy; here nothing is left
out but what no reader can read, and what the finders use to decide (a margin's in situ
subject, a measurement's comparator, a previous biopsy nearby, a node count's role) becomes a
flag the student weighs with the words around the candidate.
"""

from __future__ import annotations

import itertools
import re
from functools import lru_cache

from pathsynth.domains.breast13 import margins, markers, node_counts, presence, size
from pathsynth.domains.breast13.context import INSITU_NAME, LESION, PRIOR
from pathsynth.domains.breast13.grade import _GRADE_CUE, grade_in, grade_in_words
from pathsynth.domains.breast13.histology import histology_in
from pathsynth.domains.breast13.specimen import specimen_matches
from pathsynth.extraction.findings import Candidate, Document
from pathsynth.text import NEGATION, NOT_DONE, UNCERTAIN
from pathsynth.text.sections import Statement
from pathsynth.text.units import lengths_mm

__all__ = ["report_candidates"]

_KEYS = (
    "echantillon", "diagnostic", "grade", "taille", "marges_saines", "numero_gang_prel",
    "numero_gang_att", "emboles", "rupture_capsulaire", "re", "rp", "her2", "ki67",
)  # fmt: skip
_CLAUSES = re.compile(r";|(?<=\.)\s|\s-\s")


_CUES = (
    ("prior", PRIOR),
    ("neg_before", NEGATION),
    ("hedge", UNCERTAIN),
    ("hedge", NOT_DONE),
    ("in_situ", INSITU_NAME),
)


@lru_cache(maxsize=8192)
def _present(text: str) -> tuple[bool, ...]:
    """Which cue patterns a statement holds at all (most hold none: no window search)."""
    return tuple(rx.search(text) is not None for _, rx in _CUES)


def _flags(text: str, a: int, b: int) -> tuple[str, ...]:
    """Cue flags of the window around ``text[a:b]``."""
    out: list[str] = []
    for (name, rx), present in zip(_CUES, _present(text), strict=True):
        if not present or name in out:
            continue
        window = text[max(0, a - 25) : a] if name == "neg_before" else text[max(0, a - 50) : b + 40]
        if rx.search(window):
            out.append(name)
    return tuple(out)


def _add(
    out: list[Candidate], key: str, value: object, s: Statement, a: int, b: int, *extra: str
) -> None:
    if value is None:
        return
    flags = _flags(s.text, a, b) + tuple(extra)
    out.append(Candidate(key, value, (s.start + a, s.start + b), s, flags))  # type: ignore[arg-type]


def _clauses(s: Statement) -> list[tuple[int, int]]:
    bounds = [0, *(m.end() for m in _CLAUSES.finditer(s.text)), len(s.text)]
    return [(a, b) for a, b in itertools.pairwise(bounds) if s.text[a:b].strip()]


def _per_statement(doc: Document, s: Statement, out: dict[str, list[Candidate]]) -> None:
    t = s.text
    for code, a, b in specimen_matches(t):
        _add(out["echantillon"], "echantillon", code, s, a, b)
    for generic in (False, True):
        found = histology_in(t, generic=generic)
        if found:
            _add(out["diagnostic"], "diagnostic", found[0], s, found[1], found[2])
    if _GRADE_CUE.search(t):
        for a, b in _clauses(s):
            g = grade_in(t[a:b])
            if g:
                _add(out["grade"], "grade", g[0], s, a + g[1], a + g[2])
    words = grade_in_words(t)
    if words:
        _add(out["grade"], "grade", words[0], s, words[1], words[2], "grade_in_words")
    for length, a, b in lengths_mm(t):
        if 0 < length <= 250:
            lesion = any(m.end() <= a for m in LESION.finditer(t, max(0, a - 60), a))
            dims = len(re.findall(r"\d+(?:[.,]\d+)?", t[a:b]))
            flags = (*size.flags(t, a, b), f"dims{min(dims, 3)}", "lesion" if lesion else "")
            _add(out["taille"], "taille", length, s, a, b, *flags)
    if margins.CUE.search(t):
        for a, b in _clauses(s):
            clause = t[a:b]
            if margins.CUE.search(clause):
                status = doc.read("marges_saines", clause)
                subject = "margin_in_situ" if margins.about_in_situ(t, clause) else ""
                _add(out["marges_saines"], "marges_saines", status, s, a, b, subject)
    for key, concept in (("emboles", presence.LVI), ("rupture_capsulaire", presence.ENE)):
        m = concept.search(t)
        if m:
            said = presence.statement_polarity(concept, t, m)
            _add(out[key], key, said, s, *presence.clause_span(t, m))


def _nodes(doc: Document, out: dict[str, list[Candidate]]) -> None:
    """A node count adds up over mentions: its candidates are the report-level counts that
    several ways of settling the mentions give, flagged with those ways."""
    counts = node_counts.report_counts(doc)
    for key, field in (("numero_gang_prel", "examined"), ("numero_gang_att", "affected")):
        for value, (ways, behind) in node_counts.hypotheses(counts, field).items():
            first = behind[0]
            s = first.statement
            flags = [f"way_{w}" for w in ways] + [f"ways{min(len(ways), 4)}"]
            flags += [f"role_{c.role}" for c in behind[:3]] + [f"form_{c.form}" for c in behind[:3]]
            span = (first.span[0] - s.start, first.span[1] - s.start)
            _add(out[key], key, value, s, *span, *dict.fromkeys(flags))


def report_candidates(doc: Document) -> dict[str, list[Candidate]]:
    """The candidates of every breast-13 key in ``doc`` (all sections, the clinical history
    and gross description included: the student learns what they are worth)."""
    out: dict[str, list[Candidate]] = {k: [] for k in _KEYS}
    for s in doc.statements:
        _per_statement(doc, s, out)
    for key in ("re", "rp", "her2", "ki67"):
        for s, text in markers.marker_texts(doc, key):
            a, b = markers.marker_span(key, s.text) or (0, len(s.text))
            _add(out[key], key, markers.read_marker(doc, key, text), s, a, b)
    _nodes(doc, out)
    return {k: v for k, v in out.items() if k in doc.schema}
