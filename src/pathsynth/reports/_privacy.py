"""Privacy checks of the filter: direct identifiers, and verbatim overlap with real reports.

Identifiers are found with French and English patterns anchored on what makes them identifying
(a title before a name, a label before a number, the shape of a phone number or a NIR), so that
pathology vocabulary and specimen labels ("bloc A1", "lame 3", "pT2 N1a M0") are left alone.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass

from pathsynth.errors import PathsynthError

IDENTIFIER_KINDS: tuple[str, ...] = (
    "name",
    "birth_date",
    "date",
    "phone",
    "social_security",
    "record_number",
    "email",
    "address",
)


@dataclass(frozen=True)
class IdentifierHit:
    """One direct identifier found in a text: its kind and character span."""

    kind: str
    start: int
    end: int
    text: str


# A surname or first name: capitalised ("Martin", "Le Goff", "O'Neil") or in capitals ("DUPONT"),
# optionally after initials ("J.-P. Martin").
_NAME = r"(?:[A-ZÀ-Ý]\.(?:-[A-ZÀ-Ý]\.)?[ \t]*)?[A-ZÀ-Ý][A-Za-zÀ-ÿ'’\-]{1,}"
# Words that may follow a title or a "Patient:" label without being a name.
_NOT_NAMES = {
    "femme", "homme", "female", "male", "woman", "man", "patient", "patiente", "le", "la",
    "les", "the", "de", "du", "des", "ans", "year", "years", "age", "âge", "agée", "âgée",
    "agé", "âgé", "aged", "inconnu", "inconnue", "unknown", "anonyme", "anonymous", "x",
    "xx", "xxx", "n/a", "na", "nc", "service", "unité", "unit", "department", "dept",
    "clinique", "clinic", "hôpital", "hopital", "hospital", "centre", "center", "chu", "ch",
}  # fmt: skip
_TITLE = (
    r"(?:Docteur|DOCTEUR|Dr\.?|DR\.?|Professeur|PROFESSEUR|Pr\.|Pr|Prof\.?|Madame|MADAME|Mme\.?|"
    r"MME\.?|Mademoiselle|Mlle\.?|Monsieur|MONSIEUR|M\.|Mr\.?|MR\.|Mrs\.?|MRS\.?|Ms\.?|Miss)"
)
# Names stay on the title's line: "M.\n\nCLINICAL INFORMATION" is no name.
_NAME_AFTER_TITLE = re.compile(rf"(?<![\w.]){_TITLE}[ \t]+(?P<name>{_NAME}(?:[ \t]+{_NAME})?)")
_NAME_AFTER_LABEL = re.compile(
    r"(?<!\w)(?:Patient(?:e)?|Nom(?: de naissance| d'usage| marital)?|Pr[ée]nom|Name|"
    r"Surname|First name|Last name|Patient name|Full name|Pathologiste|Pathologist|"
    r"M[ée]decin(?: prescripteur| traitant)?|Prescripteur|Referring physician|Chirurgien|"
    r"Surgeon|Sign[ée](?: par)?|Signed(?: by)?|Valid[ée] par|Reported by|Verified by)"
    r"[ \t]*:[ \t]*(?P<name>(?-i:" + _NAME + r"(?:[ \t]+" + _NAME + r")*))",
    re.IGNORECASE,
)

_MONTHS = (
    r"(?:janv(?:ier)?|f[ée]v(?:rier)?|mars|avr(?:il)?|mai|juin|juil(?:let)?|ao[uû]t|"
    r"sept(?:embre)?|oct(?:obre)?|nov(?:embre)?|d[ée]c(?:embre)?|jan(?:uary)?|feb(?:ruary)?|"
    r"mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|sep(?:tember)?|october|november|"
    r"december|dec)\.?"
)
_NUMERIC_DATE = (
    r"(?:(?:0?[1-9]|[12]\d|3[01])[/.\-](?:0?[1-9]|1[0-2])[/.\-](?:19|20)?\d{2}|"
    r"(?:0?[1-9]|1[0-2])/(?:0?[1-9]|[12]\d|3[01])/(?:19|20)\d{2}|"
    r"(?:19|20)\d{2}-(?:0[1-9]|1[0-2])-(?:0[1-9]|[12]\d|3[01]))"
)
_TEXT_DATE = (
    rf"(?:(?:1er|0?[1-9]|[12]\d|3[01])\s+{_MONTHS}\s+(?:19|20)\d{{2}}|"
    rf"{_MONTHS}\s+(?:0?[1-9]|[12]\d|3[01])(?:st|nd|rd|th)?,?\s+(?:19|20)\d{{2}})"
)
_DATE = rf"(?:{_NUMERIC_DATE}|{_TEXT_DATE})"
# A date not followed by a unit: "12-15-20 %" is not a date.
_DATE_RE = re.compile(rf"(?<![\w/.\-]){_DATE}(?![\w/]|\s*(?:%|mm|cm)\b|\.\d)", re.IGNORECASE)
_BIRTH_RE = re.compile(
    rf"(?<!\w)(?:n[ée]e?\s+le|date\s+de\s+naissance|DDN|D\.D\.N\.|born(?:\s+on)?|"
    rf"date\s+of\s+birth|DOB|D\.O\.B\.?)\s*[:\-]?\s*(?:le\s+|on\s+)?{_DATE}",
    re.IGNORECASE,
)
_BIRTH_YEAR_RE = re.compile(
    r"(?<!\w)(?:n[ée]e?\s+en|born\s+in|ann[ée]e\s+de\s+naissance|year\s+of\s+birth)\s*:?\s*"
    r"(?:19|20)\d{2}\b",
    re.IGNORECASE,
)
_PHONE_RE = re.compile(
    r"(?<![\w+])(?:"
    r"(?:\+33\s?|0033\s?|0)[1-9](?:[\s.\-]?\d{2}){4}"  # French
    r"|\+44\s?\d{2,4}[\s\-]?\d{3,4}[\s\-]?\d{3,4}"  # UK
    r"|(?:\+1[\s.\-]?)?\(?\d{3}\)?[\s.\-]\d{3}[\s.\-]\d{4}"  # North America
    r")(?!\w)"
)
_SOCIAL_RE = re.compile(
    r"(?<![\w\-])(?:"
    # French NIR: sex, year, month, department, commune, order, optional key
    r"[12]\s?\d{2}\s?(?:0[1-9]|1[0-2]|[2-9]\d)\s?(?:\d{2}|2A|2B)\s?\d{3}\s?\d{3}(?:\s?\d{2})?"
    r"|\d{3}-\d{2}-\d{4}"  # US SSN
    r")(?![\w\-])"
    r"|(?:NIR|N°\s*(?:de\s+)?s[ée]cu(?:rit[ée]\s+sociale)?|num[ée]ro\s+de\s+s[ée]curit[ée]"
    r"\s+sociale|SSN|social\s+security(?:\s+number)?|NHS\s+(?:number|no\.?))\s*[:#]?\s*"
    r"[\dA-B][\d\sA-B]{6,}\d",
    re.IGNORECASE,
)
_RECORD_RE = re.compile(
    r"(?<!\w)(?:IPP|NIP|NDA|MRN|N°\s*(?:de\s+|d['’]\s*)?(?:dossier|patient|s[ée]jour|examen|demande)|"
    r"num[ée]ro\s+(?:de\s+|d')(?:dossier|patient|s[ée]jour|examen|demande)|dossier\s+n°|"
    r"(?:medical\s+)?record\s+(?:number|no\.?|#)|hospital\s+(?:number|no\.?)|patient\s+(?:id|"
    r"number|no\.?)|id\s+patient|accession\s+(?:number|no\.?|#)|case\s+(?:number|no\.?|#)|"
    r"lab\s+(?:number|no\.?))\s*[:#]?\s*(?:n°\s*)?(?=[A-Z\-/]*\d)[A-Z0-9][A-Z0-9\-/]{3,}",
    re.IGNORECASE,
)
_EMAIL_RE = re.compile(r"(?<![\w.])[\w.+\-]+@[\w\-]+(?:\.[\w\-]+)+")
_STREET = (
    r"(?i:rue|avenue|av\.|boulevard|bd|place|all[ée]e|chemin|impasse|quai|route|cours|"
    r"street|st\.|ave\.?|road|rd\.?|lane|drive|blvd\.?|court|ct\.?|way|square|terrace)"
)
_ADDRESS_RE = re.compile(
    rf"(?<!\w)\d{{1,4}}(?:\s?(?:bis|ter))?,?\s+{_STREET}\s+(?:(?:de|du|des|la|le|l'|d')\s*)*"
    rf"[A-ZÀ-Ý][\w'’\-]+"
    # English order, "1234 Elm Street"
    r"|(?<!\w)\d{1,5}\s+(?:[A-Z][a-z]+\s+){1,3}(?:Street|St\.|Avenue|Ave\.|Road|Rd\.|Lane|Drive|"
    r"Boulevard|Blvd\.|Court|Way|Place|Terrace)(?!\w)"
    # French postcode and town, "33000 Bordeaux", "75013 PARIS CEDEX"
    r"|(?<![\w,.\-/])(?:0[1-9]|[1-8]\d|9[0-8])\d{3} [A-ZÀ-Ý][A-Za-zÀ-ÿ'\-]{2,}(?:\s+CEDEX)?(?!\s*%)"
    # UK postcode "SW1A 1AA"
    r"|(?<!\w)[A-Z]{1,2}\d[A-Z\d]?\s\d[A-Z]{2}(?!\w)"
)

_PATTERNS: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("birth_date", _BIRTH_RE),
    ("birth_date", _BIRTH_YEAR_RE),
    ("email", _EMAIL_RE),
    ("social_security", _SOCIAL_RE),
    ("record_number", _RECORD_RE),
    ("phone", _PHONE_RE),
    ("address", _ADDRESS_RE),
    ("date", _DATE_RE),
)


_TITLE_WORDS = {
    "dr", "docteur", "pr", "prof", "professeur", "mme", "madame", "mlle", "mademoiselle",
    "monsieur", "mr", "mrs", "ms", "miss",
}  # fmt: skip


def _name_ok(name: str) -> bool:
    # A label followed by a title and initials only ("Médecin : Dr E. R.") names nobody.
    # Initials ("E.", and OCR-doubled "DD.") are not names.
    tokens = re.findall(r"[^\s.]+\.?", name)
    words = [w.rstrip(".") for w in tokens if not (w.endswith(".") and len(w) <= 3)]
    words = [w for w in words if len(w) > 1]
    return bool(words) and not {words[0].casefold()} & (_NOT_NAMES | _TITLE_WORDS)


def find_identifiers(text: str, kinds: Iterable[str] = IDENTIFIER_KINDS) -> list[IdentifierHit]:
    """Direct identifiers in ``text`` (French or English), in text order, without overlaps.

    A span already claimed by a more specific kind (a birth date) is not reported again as a
    plain date.
    """
    wanted = set(kinds)
    unknown = wanted - set(IDENTIFIER_KINDS)
    if unknown:
        raise PathsynthError(
            f"unknown identifier kind(s) {sorted(unknown)}: choose among {list(IDENTIFIER_KINDS)}"
        )
    hits: list[IdentifierHit] = []
    taken: list[tuple[int, int]] = []

    def add(kind: str, start: int, end: int) -> None:
        if any(s < end and start < e for s, e in taken):
            return
        taken.append((start, end))
        if kind in wanted:
            hits.append(IdentifierHit(kind, start, end, text[start:end]))

    for kind, pattern in _PATTERNS:
        for m in pattern.finditer(text):
            add(kind, m.start(), m.end())
    for pattern in (_NAME_AFTER_TITLE, _NAME_AFTER_LABEL):
        for m in pattern.finditer(text):
            # Keep a following period: "DD." is an initial, "DD" could be a name.
            name = m.group("name") + text[m.end("name") : m.end("name") + 1].strip(" \t\n,;:")
            if _name_ok(name):
                add("name", m.start(), m.end())
    return sorted(hits, key=lambda h: h.start)


_WORD = re.compile(r"\w+")


def _fold(text: str) -> str:
    # Case and accents do not hide a copy ("Tumorectomie" / "TUMORECTOMIE" / "tumorectomie").
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def words_with_offsets(text: str) -> list[tuple[str, int, int]]:
    """Normalised words of ``text`` (case, accents and punctuation dropped) with their spans."""
    return [
        (w.lower() if w.isascii() else _fold(w), m.start(), m.end())
        for m in _WORD.finditer(text)
        for w in (m.group(),)
    ]


@dataclass(frozen=True)
class Overlap:
    """The longest run of a generated text found verbatim in the real reports."""

    words: int
    start: int
    end: int
    real_id: str | None


class RealTextIndex:
    """Hashed word n-grams of real reports, to find long verbatim copies in generated ones.

    Each real report adds one hash per window of ``n`` consecutive normalised words, so the
    index holds a few integers per real word and a lookup costs one set probe per word.
    ``boilerplate_reports``, when set, forgets n-grams found in at least that many distinct
    real reports: such phrases are house style, not one patient's text.
    """

    def __init__(self, n: int = 8, *, boilerplate_reports: int | None = None) -> None:
        if n < 1:
            raise PathsynthError(f"min overlap must be at least 1 word, got {n}")
        if boilerplate_reports is not None and boilerplate_reports < 2:
            raise PathsynthError("boilerplate reports must be at least 2 (or unset)")
        self.n = n
        self.boilerplate_reports = boilerplate_reports
        self._owner: dict[int, int] = {}
        self._count: dict[int, int] = {}
        self._ids: list[str] = []

    def __len__(self) -> int:
        return len(self._ids)

    def _grams(self, text: str) -> list[int]:
        words = [w for w, _, _ in words_with_offsets(text)]
        return [hash(tuple(words[i : i + self.n])) for i in range(len(words) - self.n + 1)]

    def add(self, report_id: str, text: str) -> None:
        """Index one real report."""
        index = len(self._ids)
        self._ids.append(report_id)
        for h in set(self._grams(text)):
            if h not in self._owner:
                self._owner[h] = index
            if self.boilerplate_reports is not None:
                self._count[h] = self._count.get(h, 0) + 1

    def _private(self, h: int) -> bool:
        if h not in self._owner:
            return False
        return self.boilerplate_reports is None or self._count[h] < self.boilerplate_reports

    def longest_overlap(self, text: str) -> Overlap:
        """The longest span of ``text`` whose every ``n``-word window occurs in a real report.

        ``words`` is 0 when no window of ``n`` words is shared.
        """
        words = words_with_offsets(text)
        folded = [w for w, _, _ in words]
        n = self.n
        best = Overlap(0, 0, 0, None)
        run_start = -1
        for i in range(len(words) - n + 1):
            h = hash(tuple(folded[i : i + n]))
            if self._private(h):
                if run_start < 0:
                    run_start = i
                    owner = self._ids[self._owner[h]]
                length = i - run_start + n
                if length > best.words:
                    best = Overlap(length, words[run_start][1], words[i + n - 1][2], owner)
            else:
                run_start = -1
        return best
