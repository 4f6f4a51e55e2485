"""The tumour size (``taille``): the largest dimension of the invasive tumour, in millimetres.

Reports are full of other measurements: the specimen, skin, cores, margins and their distances,
nodes and their metastases, the in situ component, imaging. A size is taken when the statement
names a lesion or says "size", and none of these is what the number measures.
"""

from __future__ import annotations

import re

from pathsynth.domains.breast13.context import INSITU_NAME, LESION
from pathsynth.extraction.findings import GROSS, Document, Finding, best
from pathsynth.text.units import lengths_mm

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


_SIZE_LABEL = re.compile(
    r"(?:taille|size|grand axe|dimension|diametre|diameter|mesure)\w*(?: \w+){0,2}\s*"
    r"\((mm|cm)\)\s*[:=-]?\s*(\d+(?:[.,]\d+)?)\b"
)


# what a length measures when it is not the tumour
_DISTANCE_AFTER = re.compile(
    r"^[\s)]{0,3}(?:[a-z]+\s+)?(?:from|of|to|away from|de la|de|du|des|a|au|from the)\s+"
    r"(?:[a-z'/-]+\s+){0,4}?(?:marg\w*|berge\w*|limite\w*|edge|bord|surface|mamelon|nipple|skin|peau|"
    r"recoupe|plan|fascia|tumou?r|carcinoma|lesion|mass|clip|biopsy|cavity|site)|"
    r"^\s*(?:of|de)\s+(?:\w+\s+)?(?:tissue|parenchyma|fat|tissu|graisse)|"
    r"^\s*(?:apart|away|d'ecart)"
)
# what a label names when it is not the tumour: "specimen size", "size of largest metastatic
# deposit", "skin ellipse", "extranodal extension ... largest focus"
_OTHER_OBJECT = re.compile(
    r"\b(?:specimen|piece|fragment|skin|peau|ellipse|fuseau|nipple|mamelon|cores?|carottes?|"
    r"cavity|cavite|metasta\w*|deposits?|ganglion\w*|nodes?|sentinel\w*|extranodal|"
    r"extracapsul\w*|extension|rupture|effraction|biopsy site|clip|seroma)\b"
)
_MARGIN_BEFORE = re.compile(
    r"(?:marg\w*|berge\w*|limite\w*|distance\w*|clearance|closest)[^.;]{0,25}$"
)
_COMPARATOR = re.compile(
    r"(?:[<>≤≥]|inferieure? a|less than|moins de|up to|over|greater than|more than|above|"
    r"superieure? a|plus de|jusqu'a|from|between|ranging from|range|but|to|et|and|"
    r"separated by|by approximately|by about|within)\s*$"
)
_STAGING = re.compile(r"\bp?t[0-4][a-d]?\b[^.;]{0,20}$|\btumou?r\s*[<>]|\btumou?r >")
_SECONDARY = re.compile(r"additional dimensions?|autres? dimensions?|other dimensions?\W*$")
_SIZE_WORD = re.compile(
    r"(?:taille|size|grand axe|greatest|largest|dimension|diametre|diameter|extent|etendue|"
    r"measurement|mesure)[^.;]{0,40}$"
)
_MEASURE_WORD = re.compile(r"(?:measur\w*|mesur\w*|forming|formant|of|de)\W*(?:\w+\W+){0,2}$")


def flags(t: str, a: int, b: int) -> tuple[str, ...]:
    """What the text around the length ``t[a:b]`` says it measures, as flags: ``other_object``
    (a node's metastasis, the specimen, the skin), ``distance`` (to a margin), ``comparator``
    ("< 1 mm", "over 0.1 cm"), ``staging`` (a pT definition), ``secondary`` (additional
    dimensions), ``range``, ``in_situ_lesion``, ``excluded_before`` (a specimen word before),
    and the cues for it: ``labelled`` ("size", "greatest dimension"), ``measured``
    ("measuring"), ``near_lesion``, ``strong``, ``largest``, ``other_focus``."""
    before = re.split(r"[.;]\s|\s-\s", t[max(0, a - 80) : a])[-1]
    after = t[b : b + 50]
    out = []
    if _OTHER_OBJECT.search(before[-45:]) and not re.search(
        r"(?:invasi\w*|infiltr\w*) (?:carcinom\w*|tumou?r)[^.;]{0,30}$", before
    ):
        out.append("other_object")
    if _DISTANCE_AFTER.search(after) or _MARGIN_BEFORE.search(before):
        out.append("distance")
    if _COMPARATOR.search(before):
        out.append("comparator")
    if _STAGING.search(before):
        out.append("staging")
    if _SECONDARY.search(before):
        out.append("secondary")
    if re.match(r"\s*(?:-|to|a|et|and)\s*\d", after):  # "from 0.5 cm to 3.5 cm"
        out.append("range")
    # the lesion named last before the number is the one measured: not in situ
    lesions = list(LESION.finditer(t, 0, a))
    if lesions and INSITU_NAME.search(t[lesions[-1].start() : a]):
        out.append("in_situ_lesion")
    if lesions and a - lesions[-1].end() < 60:
        out.append("near_lesion")
    if not lesions:
        out.append("no_lesion_before")
    if _SIZE_WORD.search(before):
        out.append("labelled")
    if _MEASURE_WORD.search(before):
        out.append("measured")
    if _SIZE_EXCLUDE_BEFORE.search(before):
        out.append("excluded_before")
    if _SIZE_STRONG.search(t[:a]):
        out.append("strong")
    if re.search(r"largest|plus grand|main|principal", before):
        out.append("largest")
    if re.search(r"\bfoci\b|satellite|second|autre foyer", before):
        out.append("other_focus")
    return tuple(out)


_NEVER = {"other_object", "distance", "comparator", "staging", "secondary", "range"}


def _size_candidates(doc: Document) -> list[tuple[float, Finding]]:
    """Every length that may be the invasive tumour's size, with a score of how surely."""
    out: list[tuple[float, Finding]] = []
    for s in doc.readable:
        label = _SIZE_LABEL.search(s.text)
        if label and not INSITU_NAME.search(s.text[: label.start()]):
            # "Plus grand axe (mm) : 12": the unit is in the label
            value = float(label.group(2).replace(",", ".")) * (10 if label.group(1) == "cm" else 1)
            span = (s.start + label.start(), s.start + label.end())
            out.append((3.0, Finding(value, span, s.kind)))
            continue
        if not _SIZE_CUE.search(s.text):
            continue
        for value, a, b in lengths_mm(s.text):
            f = set(flags(s.text, a, b))
            if f & _NEVER or "in_situ_lesion" in f:
                continue
            labelled, measured, near = "labelled" in f, "measured" in f, "near_lesion" in f
            if "excluded_before" in f and not (labelled or (measured and near)):
                continue
            # the gross description measures specimens too: only a named lesion counts there,
            # and three dimensions with no lesion named just before are a specimen's
            if s.kind == GROSS and "no_lesion_before" in f:
                continue
            dims = len(re.findall(r"\d+(?:[.,]\d+)?", s.text[a:b]))
            if dims >= 3 and not (near or labelled):
                continue
            if not (labelled or near or "strong" in f):
                continue
            score = 2.0 * labelled + 1.0 * measured + 1.0 * near
            score += ("largest" in f) - ("other_focus" in f)
            out.append((score, Finding(value, (s.start + a, s.start + b), s.kind)))
    return out


def find_size(doc: Document) -> list[Finding]:
    """The invasive tumour's largest dimension: of the surest lengths of the best section, the
    largest (a multifocal tumour's size is its largest focus)."""
    found = _size_candidates(doc)
    top = best([f for _, f in found])
    if not top:
        return []
    pool = [(score, f) for score, f in found if f.kind == top[0].kind]
    surest = max(score for score, _ in pool)
    return [max((f for score, f in pool if score >= surest - 1), key=lambda f: f.value or 0)]
