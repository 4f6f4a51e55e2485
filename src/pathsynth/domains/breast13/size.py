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


#: characters before a number searched for the lesion it measures (longer than any sentence)
_LOOKBACK = 2000


def find_size(doc: Document) -> list[Finding]:
    """The invasive tumour's largest dimension."""
    out = []
    for s in doc.readable:
        label = _SIZE_LABEL.search(s.text)
        if label and not INSITU_NAME.search(s.text[: label.start()]):
            # "Plus grand axe (mm) : 12": the unit is in the label
            value = float(label.group(2).replace(",", ".")) * (10 if label.group(1) == "cm" else 1)
            out.append(Finding(value, (s.start + label.start(), s.start + label.end()), s.kind))
            continue
        if not _SIZE_CUE.search(s.text):
            continue
        for value, a, b in lengths_mm(s.text):
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
            lesions = list(LESION.finditer(s.text, reach, a))
            if lesions and INSITU_NAME.search(s.text[lesions[-1].start() : a]):
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
    return best(out)[:1]
