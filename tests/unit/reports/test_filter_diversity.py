"""Near-duplicate removal and diversity figures."""

from __future__ import annotations

import pytest

from pathsynth.errors import PathsynthError
from pathsynth.reports._diversity import DiversityMeter, NearDuplicateIndex, self_bleu, tokens

BASE = (
    "Tumorectomie gauche. Carcinome infiltrant de type non spécifique, grade SBR 2, mesurant "
    "18 mm. Absence d'emboles vasculaires. Marges saines, la plus proche à 8 mm. Ganglions "
    "sentinelles indemnes (0/2). RE positifs (95 %), RP positifs (60 %), HER2 négatif, "
    "Ki67 15 %. Composante intracanalaire de bas grade, minoritaire, sans nécrose."
)


def test_near_duplicate_is_found_and_distinct_text_is_not() -> None:
    index = NearDuplicateIndex(0.8, seed=1)
    index.add("a", BASE)
    assert index.find(BASE.replace("Tumorectomie gauche", "TUMORECTOMIE GAUCHE!")) == ("a", 1.0)
    near = index.find(BASE.replace("sans nécrose", "sans nécrose associée"))
    assert near is not None and near[0] == "a" and near[1] >= 0.8
    other = "Right mastectomy: invasive lobular carcinoma, grade 2, 52 mm, margins clear."
    assert index.find(other) is None
    assert len(index) == 1


def test_threshold_is_checked() -> None:
    with pytest.raises(PathsynthError):
        NearDuplicateIndex(1.5)


def test_distinct_n_falls_with_repetition() -> None:
    varied, repeated = DiversityMeter(), DiversityMeter()
    texts = [BASE, "Right mastectomy: invasive lobular carcinoma, grade 2, 52 mm."]
    for t in texts:
        varied.add(t)
    for _ in texts:
        repeated.add(BASE)
    assert varied.distinct(1) > repeated.distinct(1)
    assert repeated.distinct(3) == pytest.approx(0.5, abs=0.02)
    figures = varied.figures()
    assert figures["n"] == 2 and set(figures) >= {"distinct_1", "distinct_2", "distinct_3"}


def test_self_bleu_is_high_for_copies_and_low_for_different_texts() -> None:
    same = self_bleu([tokens(BASE)] * 3)
    assert same == pytest.approx(1.0)
    different = self_bleu(
        [
            tokens(BASE),
            tokens("Right mastectomy: invasive lobular carcinoma, grade 2, 52 mm, margins clear."),
            tokens("Core biopsy, left breast: IDC grade 3, ER negative, HER2 positive."),
        ]
    )
    assert different is not None and different < 0.3
    assert self_bleu([tokens(BASE)]) is None


def test_self_bleu_sample_is_bounded_and_seeded() -> None:
    def run(seed: int) -> float | int | None:
        meter = DiversityMeter(sample_size=5, seed=seed)
        for i in range(40):
            meter.add(f"report {i} " + " ".join(str(i * j) for j in range(12)))
        figures = meter.figures()
        assert figures["self_bleu_sample"] == 5
        return figures["self_bleu"]

    assert run(3) == run(3)
