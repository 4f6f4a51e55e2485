"""The breast-13 domain pack: the 13 variables of breast-cancer pathology reports (keys as in
Lorenzo, Coulet, Gardent, AIME 2026), in French and English.

What it holds: ``schema.yaml`` (variables, values, surface forms, readers, tolerances), one
module per theme (specimen, histology, grade, size, margins, nodes, presence, markers) with the
theme's patterns, its value reader and its document finder, the report grammar of the template
teacher (``grammar/``), the clinical prior (``prior.py`` + ``prior.yaml``) and the prompt packs
(``prompts/``). Importing the pack registers its value readers.
"""

from __future__ import annotations

from typing import Any

from pathsynth.domains.breast13 import (  # noqa: F401  (each registers its value readers)
    grade,
    histology,
    margins,
    markers,
    nodes,
    presence,
    specimen,
)


def document_finders() -> Any:
    """The document finders of the rules extractor, per key."""
    from pathsynth.domains.breast13.rules import FINDERS

    return FINDERS


def clinical_prior() -> Any:
    """The clinical prior (simulate / complete a cohort)."""
    from pathsynth.domains.breast13 import prior as module

    return module


def report_grammar() -> Any:
    """The report grammar of the template teacher."""
    from pathsynth.domains.breast13.grammar import GRAMMAR

    return GRAMMAR
