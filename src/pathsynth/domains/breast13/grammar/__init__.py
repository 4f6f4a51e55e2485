"""The breast-13 report grammar of the template teacher: French and English breast pathology
reports in many layouts, every value written with its span (phrase banks in ``phrases/``)."""

from __future__ import annotations

import random
from dataclasses import dataclass
from typing import Any

from pathsynth.domains.breast13.grammar import classic
from pathsynth.domains.breast13.grammar.bank import BREAST_KEYS, phrases
from pathsynth.domains.breast13.grammar.draft import Draft
from pathsynth.llm.template._lexicon import Lexicon
from pathsynth.llm.template._writer import Writer
from pathsynth.schema import Schema, Value

__all__ = ["GRAMMAR", "LAYOUTS", "BreastGrammar"]

LAYOUTS = tuple(classic.LAYOUTS)
LAYOUT_WEIGHTS = tuple(classic.LAYOUT_WEIGHTS[k] for k in LAYOUTS)

_TYPES = {
    "echantillon": "categorical",
    "diagnostic": "categorical",
    "grade": "integer",
    "taille": "number",
    "marges_saines": "categorical",
    "numero_gang_prel": "integer",
    "numero_gang_att": "integer",
    "emboles": "categorical",
    "rupture_capsulaire": "categorical",
    "re": "categorical",
    "rp": "categorical",
    "her2": "categorical",
    "ki67": "number",
}
_CODES = {
    "marges_saines": {"yes", "no"},
    "emboles": {"yes", "no"},
    "rupture_capsulaire": {"yes", "no"},
    "re": {"positive", "negative"},
    "rp": {"positive", "negative"},
    "her2": {"positive", "negative"},
}


@dataclass(frozen=True)
class BreastGrammar:
    """What the template teacher needs of a pack's grammar."""

    keys: tuple[str, ...] = BREAST_KEYS
    layouts: tuple[str, ...] = LAYOUTS
    layout_weights: tuple[int, ...] = LAYOUT_WEIGHTS

    def supports(self, schema: Schema) -> bool:
        """Whether ``schema`` has the breast-13 variables (types and codes) it writes."""
        for key, kind in _TYPES.items():
            if key not in schema or schema[key].type != kind:
                return False
            if key in _CODES and set(schema[key].codes) != _CODES[key]:
                return False
        return True

    def labels(self, lang: str) -> dict[str, Any]:
        """The grammar's own label spellings, added to the schema's names."""
        return dict(phrases(lang)["labels"])

    def draw_layout(self, rng: random.Random, values: dict[str, Value]) -> str:
        # "biopsy" is drawn only for core biopsies (half of them), never for other specimens.
        if values.get("echantillon") == "biopsy" and rng.random() < 0.5:
            return "biopsy"
        return rng.choices(self.layouts, weights=self.layout_weights)[0]

    def write(
        self,
        lexicon: Lexicon,
        values: dict[str, Value],
        lang: str,
        rng: random.Random,
        writer: Writer,
        style: dict[str, str],
    ) -> None:
        d = Draft(lexicon, values, lang, rng, writer, style)
        classic.LAYOUTS[style["layout"]](d)


GRAMMAR = BreastGrammar()
