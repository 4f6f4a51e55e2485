"""Cue words of French and English clinical writing: negation, hedges, "not done", presence.

Readers decide a finding's polarity from these; a clause that hedges ("suspicious for",
"cannot be excluded") or says a test was not done gives no value at all.
"""

from __future__ import annotations

import re

__all__ = ["NEGATION", "NOT_DONE", "PRESENT", "UNCERTAIN", "clause_with", "polarity"]

NEGATION = re.compile(
    r"\b(?:absence|absente?s?|pas|aucune?s?|sans|non|no|not|none|negati\w*|neg|without|ni|"
    r"nulle?s?|indemnes?|free|neither|nor|ne|n'|exclude\w*|exclue?s?)\b|\bn'"
)
UNCERTAIN = re.compile(
    r"\b(?:suspect\w*|douteu\w*|possible|possibly|probable|probably|indetermin\w*|equivo\w*|"
    r"cannot be (?:excluded|assessed|determined|evaluated)|non evaluable|not assessable|"
    r"questionable|doubtful|uncertain|incertaine?s?|suspicious|suspicion|a confirmer|"
    r"non determinable|not determined|n/a|na|nd|non precise\w*|not applicable|sans objet|"
    r"non applicables?|inapplicable|unclear|equivocal|focally suspicious|cannot be ruled out|"
    r"ne peut etre (?:exclue?s?|affirmee?s?)|difficile a affirmer)\b|\?"
)
NOT_DONE = re.compile(
    r"non fait|non realise\w*|non effectue\w*|not performed|not done|pending|en cours|a suivre|"
    r"a venir|non interpretable|not interpretable|non contributi\w*|to follow|will be reported|"
    r"ulterieur\w*|en attente|awaited|not stated|not mentioned|not reported|not specified|"
    r"not available|unknown|inconnue?s?|non mentionne\w*|non renseigne\w*|non disponible\w*|"
    r"non precise\w*|non communique\w*|\bnull\b|\bnan\b|will be (?:performed|done|evaluated|"
    r"repeated|issued|sent)|sera (?:realise|effectue|fait)e?|ordered|requested"
)
PRESENT = re.compile(
    r"\b(?:presence|presente?s?|present|identified|identifiee?s?|seen|vue?s?|observee?s?|"
    r"noted|notee?s?|focal\w*|nombreu\w*|multiples?|oui|yes|positi\w*|extensive|"
    r"massive|avec|with|retrouvee?s?|mise?s? en evidence|visibles?|there (?:is|are)|il existe|"
    r"on (?:note|observe))\b|\(\s*\+\s*\)"
)
_CLAUSE_SPLIT = re.compile(r"[.;]|,(?!\d)|\bmais\b|\bbut\b|\bwhereas\b|\balors que\b")


def clause_with(concept: re.Pattern[str], t: str) -> str:
    """The clause of folded text ``t`` that names ``concept`` (the whole text when none does)."""
    for clause in _CLAUSE_SPLIT.split(t):
        if concept.search(clause):
            return clause
    return t


def polarity(concept: re.Pattern[str], t: str, *, alone: str | None) -> str | None:
    """``yes`` / ``no`` for a finding stated present or absent in ``t``; ``alone`` when it is only
    named; ``None`` when hedged or not assessed."""
    clause = clause_with(concept, t)
    if UNCERTAIN.search(clause) or NOT_DONE.search(clause):
        return None
    if NEGATION.search(clause):
        return "no"
    if PRESENT.search(clause):
        return "yes"
    named = concept.search(clause)
    if named and re.match(r"\s*\+", clause[named.end() :]):
        return "yes"
    if named:
        return alone
    return None
