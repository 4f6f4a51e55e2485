"""How the rules extractor reads a breast-13 report: one document finder per variable, the
lymph-node counts read together, and the rules that tie variables to each other."""

from __future__ import annotations

from pathsynth.domains.breast13.candidates import report_candidates
from pathsynth.domains.breast13.grade import find_grade
from pathsynth.domains.breast13.histology import find_histology
from pathsynth.domains.breast13.margins import find_margins
from pathsynth.domains.breast13.markers import find_her2, find_ki67, find_re, find_rp
from pathsynth.domains.breast13.node_counts import find_node_counts
from pathsynth.domains.breast13.presence import find_ene, find_lvi
from pathsynth.domains.breast13.size import find_size
from pathsynth.domains.breast13.specimen import find_specimen
from pathsynth.extraction.findings import FinderSet, Finding


def _no_size_without_invasive_resection(found: dict[str, list[Finding]]) -> None:
    """No invasive tumour in the specimen (DCIS only), or only cores of it: no tumour size."""
    specimen = found.get("echantillon")
    histology = found.get("diagnostic")
    if (specimen and specimen[0].value in ("lymph_node_dissection", "biopsy")) or (
        histology and histology[0].value == "8500/2"
    ):
        found["taille"] = []


FINDERS = FinderSet(
    single={
        "echantillon": find_specimen,
        "diagnostic": find_histology,
        "grade": find_grade,
        "taille": find_size,
        "marges_saines": find_margins,
        "emboles": find_lvi,
        "rupture_capsulaire": find_ene,
        "re": find_re,
        "rp": find_rp,
        "her2": find_her2,
        "ki67": find_ki67,
    },
    joint=((("numero_gang_prel", "numero_gang_att"), find_node_counts),),
    post=_no_size_without_invasive_resection,
    candidates=report_candidates,
)
