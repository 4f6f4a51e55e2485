"""Context patterns several breast-13 readers share: a previous procedure mentioned in passing,
the names of a lesion, and carcinoma in situ."""

from __future__ import annotations

import re

PRIOR = re.compile(
    r"\b(?:anterieure?s?|precedente?s?|previous|prior|previously|antecedents?|ancienne?|"
    r"history of|deja|initial(?:e|ly)?|sur (?:la )?biopsie|on (?:the )?(?:prior )?biopsy|"
    r"(?:de|of) la biopsie|du \d{1,2}/\d{1,2}|(?:on|sur) (?:an)?other specimen|another specimen|"
    r"outside (?:report|hospital|institution)|earlier|core biopsy case)\b"
)


LESION = re.compile(
    r"mass\b|masse\b|zone induree|induration|indurated|firm area|stellate|stellaire|"
    r"carcinom\w*|\bcci\b|\bcli\b|\bidc\b|\bilc\b|\bdcis\b|\bccis\b|in situ|tumeur|tumou?r|"
    r"lesion|nodule|foyers?|focus|foci|infiltr\w*|invasi\w*|\bnst\b"
)
INSITU_NAME = re.compile(r"in situ|\bdcis\b|\bccis\b|intracanalaire|intraductal")
