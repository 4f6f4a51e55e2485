"""The breast-13 report grammar of the template teacher: French and English breast pathology
reports in several families and many layouts, every value written with its span (phrase banks
in ``phrases/``).

Families: ``classic`` (tidy one-specimen reports: sections, checklists, tables...), ``cap``
(North-American / British multi-part surgical pathology reports: final diagnosis by part,
intraoperative consultation, gross with cassette keys, CAP-style synoptic, addenda) and ``chu``
(French CHU / CLCC comptes rendus: renseignements cliniques, macroscopie and microscopie by
prélèvement, conclusion, INCa minimal data; in English, the European style with a minimum
dataset).
"""

from __future__ import annotations

import bisect
import itertools
import random
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from pathsynth.domains.breast13.grammar import cap, chu, classic
from pathsynth.domains.breast13.grammar.bank import BREAST_KEYS, COUNT_KEYS, phrases
from pathsynth.domains.breast13.grammar.draft import Draft
from pathsynth.llm.template._lexicon import Lexicon
from pathsynth.llm.template._writer import Writer
from pathsynth.schema import Schema, Value

__all__ = ["FAMILIES", "GRAMMAR", "LAYOUTS", "BreastGrammar"]

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

Layout = Callable[[Draft], None]


@dataclass(frozen=True)
class Family:
    """A report family: its layouts with their weights, and the damage its exports have."""

    layouts: Mapping[str, Layout]
    weights: Mapping[str, int]
    #: Share of reports per language (fr, en).
    share: tuple[int, int]
    #: Rates of the engine's damage knobs (flatten, ocr, interrupt, upper) per language.
    damage: Mapping[str, Mapping[str, float]] = field(default_factory=dict)
    #: Whether node specimens are planned as multi-part reports have them.
    split_nodes: bool = False


FAMILIES: dict[str, Family] = {
    "classic": Family(
        classic.LAYOUTS,
        classic.LAYOUT_WEIGHTS,
        share=(35, 40),
        damage={
            "fr": {"flatten": 0.03, "ocr": 0.05, "interrupt": 0.03, "upper": 0.1},
            "en": {"flatten": 0.05, "ocr": 0.05, "interrupt": 0.03, "upper": 0.1},
        },
    ),
    "cap": Family(
        cap.LAYOUTS,
        cap.LAYOUT_WEIGHTS,
        share=(20, 40),
        damage={
            "fr": {"flatten": 0.15, "ocr": 0.2, "interrupt": 0.2, "upper": 0.12},
            "en": {"flatten": 0.4, "ocr": 0.25, "interrupt": 0.3, "upper": 0.15},
        },
        split_nodes=True,
    ),
    "chu": Family(
        chu.LAYOUTS,
        chu.LAYOUT_WEIGHTS,
        share=(45, 20),
        damage={
            "fr": {"flatten": 0.15, "ocr": 0.2, "interrupt": 0.2, "upper": 0.08},
            "en": {"flatten": 0.2, "ocr": 0.2, "interrupt": 0.2, "upper": 0.08},
        },
        split_nodes=True,
    ),
}
LAYOUTS: tuple[str, ...] = tuple(lay for fam in FAMILIES.values() for lay in fam.layouts)
_FAMILY_OF = {lay: name for name, fam in FAMILIES.items() for lay in fam.layouts}


def _choose(u: float, names: tuple[str, ...], cum: tuple[float, ...]) -> str:
    return names[min(bisect.bisect_right(cum, u * cum[-1]), len(names) - 1)]


def _table(weights: dict[str, float]) -> tuple[tuple[str, ...], tuple[float, ...]]:
    return tuple(weights), tuple(itertools.accumulate(weights.values()))


# Cumulative weights, built once: families per language, layouts per family (and the
# classic layouts for core biopsies, where "biopsy" takes half of the draws).
_FAMILY_TABLES = {
    lang: _table({n: float(f.share[i]) for n, f in FAMILIES.items()})
    for i, lang in enumerate(("fr", "en"))
}
_LAYOUT_TABLES = {
    n: _table({k: float(w) for k, w in f.weights.items()}) for n, f in FAMILIES.items()
}
_BIOPSY_WEIGHTS = {k: float(w) for k, w in classic.LAYOUT_WEIGHTS.items()}
_BIOPSY_WEIGHTS["biopsy"] = sum(_BIOPSY_WEIGHTS.values())
_BIOPSY_TABLE = _table(_BIOPSY_WEIGHTS)


@dataclass(frozen=True)
class BreastGrammar:
    """What the template teacher needs of a pack's grammar."""

    keys: tuple[str, ...] = BREAST_KEYS
    summed_keys: tuple[str, ...] = COUNT_KEYS
    families: tuple[str, ...] = tuple(FAMILIES)
    layouts: tuple[str, ...] = LAYOUTS

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

    def family_of(self, layout: str) -> str:
        return _FAMILY_OF[layout]

    def pick_family(self, u: float, lang: str, values: dict[str, Value]) -> str:
        return _choose(u, *_FAMILY_TABLES["fr" if lang == "fr" else "en"])

    def pick_layout(self, u: float, family: str, values: dict[str, Value]) -> str:
        if family == "classic" and values.get("echantillon") == "biopsy":
            # "biopsy" is drawn for half of the core biopsies, never for other specimens.
            return _choose(u, *_BIOPSY_TABLE)
        return _choose(u, *_LAYOUT_TABLES[family])

    def damage(self, family: str, lang: str) -> Mapping[str, float]:
        return FAMILIES[family].damage.get(lang, {})

    def write(
        self,
        lexicon: Lexicon,
        values: dict[str, Value],
        lang: str,
        rng: random.Random,
        writer: Writer,
        style: dict[str, str],
    ) -> None:
        fam = FAMILIES[style["family"]]
        d = Draft(
            lexicon,
            values,
            lang,
            rng,
            writer,
            style,
            family=style["family"],
            split_nodes=fam.split_nodes,
        )
        fam.layouts[style["layout"]](d)


GRAMMAR = BreastGrammar()
