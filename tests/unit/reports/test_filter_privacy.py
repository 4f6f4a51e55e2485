"""Identifiers (French and English) and verbatim overlap with real reports."""

from __future__ import annotations

import pytest

from pathsynth.errors import PathsynthError
from pathsynth.reports._privacy import RealTextIndex, find_identifiers


def kinds(text: str) -> list[str]:
    return [h.kind for h in find_identifiers(text)]


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        ("Patiente : Mme DUPONT Jeanne", "name"),
        ("Compte rendu validé par Dr J. Martin.", "name"),
        ("Pr Lefebvre, service de pathologie", "name"),
        ("Patient: Mrs Margaret Ellison", "name"),
        ("Surgeon: Smith", "name"),
        ("née le 12/03/1961", "birth_date"),
        ("DOB: March 4, 1958", "birth_date"),
        ("date de naissance : 3 mars 1961", "birth_date"),
        ("Prélèvement du 12/03/2023.", "date"),
        ("Received on 2023-03-12.", "date"),
        ("Tél. 06 12 34 56 78", "phone"),
        ("phone +33 5 56 79 12 34", "phone"),
        ("call (555) 123-4567", "phone"),
        ("NIR 2 61 03 75 112 345 67", "social_security"),
        ("SSN 123-45-6789", "social_security"),
        ("IPP : 80012345", "record_number"),
        ("Dossier n° 2023-4567", "record_number"),
        ("MRN: 00123456", "record_number"),
        ("Accession No: S23-1234", "record_number"),
        ("N° d'examen : H21-62484   Prélevé le", "record_number"),
        ("jean.dupont@chu-bordeaux.fr", "email"),
        ("12 rue de la Paix", "address"),
        ("75002 Paris", "address"),
        ("1234 Elm Street", "address"),
    ],
)
def test_identifiers_are_found(text: str, kind: str) -> None:
    assert kind in kinds(text)


@pytest.mark.parametrize(
    "text",
    [
        "Bloc A1 : tumeur. Lame 3 : ganglion. Blocs A1 à A9, B1-B3.",
        "pT2 N1a M0. pT1c N0(sn). ypT0 ypN0.",
        "Ki67 15-20 %. RE 90 %, RP 0 %. PR Positive. PR: positive (40%).",
        "HER2 score 2+, FISH non amplifié (ratio 2,6). SBR 2 (3+2+1). 2N+/15, 1/12 ganglions.",
        "Patient : femme de 54 ans. Patient: 62-year-old woman. Patiente : Femme, 70 ans.",
        "Tumeur de 2,8 x 2,1 x 1,5 cm, à 8 mm de la berge. Specimen 70 x 55 x 28 mm.",
        "Left breast, 10 o'clock, ultrasound-guided core biopsy. Rayon de 10 h.",
        "MASTECTOMIE TOTALE GAUCHE. Grade de Elston-Ellis 2. Nottingham grade 2 (score 6).",
        "Part 1: Right breast, lumpectomy (slide 1C, block 1C).",
        "Prescripteur : Service de chirurgie gynécologique.",
        "Médecin prescripteur : Dr E. R.\n\nType de prélèvement : tumorectomie",
        "Copy to: M.\n\nCLINICAL INFORMATION",
        "cc: Dr M. E.\n\nMACROSCOPIC DESCRIPTION: received fresh",
        "COPIE À : DR M. J.\n\nPRÉLÈVEMENT : BIOPSIE",
        "Ordering provider: Dr V. DD.\nElectronically signed out by: Dr LL. L., pathologist",
        "Indication :\nMme X., 37 ans.",
        "Accession B15-30577 PRÉLEVÉ à gauche",
    ],
)
def test_pathology_vocabulary_is_not_an_identifier(text: str) -> None:
    assert find_identifiers(text) == []


def test_birth_date_is_not_reported_twice_as_a_date() -> None:
    assert kinds("Née le 14/02/1958.") == ["birth_date"]


def test_kinds_can_be_restricted() -> None:
    text = "Dr Martin, prélèvement du 12/03/2023"
    assert kinds(text) == ["name", "date"]
    assert [h.kind for h in find_identifiers(text, ["name"])] == ["name"]
    with pytest.raises(PathsynthError):
        find_identifiers(text, ["shoe_size"])


def test_hit_spans_point_into_the_text() -> None:
    text = "Conclusion. IPP : 80012345."
    (hit,) = find_identifiers(text)
    assert text[hit.start : hit.end] == hit.text == "IPP : 80012345"


REAL = (
    "Le prélèvement comporte une pièce de tumorectomie orientée par deux fils "
    "mesurant 60 x 40 x 30 mm."
)


def test_overlap_ignores_case_accents_and_punctuation() -> None:
    index = RealTextIndex(8)
    index.add("r1", REAL)
    copy = "TUMORECTOMIE: Piece de tumorectomie, orientee par deux fils; mesurant 60 x 40 x 30 mm"
    overlap = index.longest_overlap(copy)
    assert overlap.words == 14
    assert overlap.real_id == "r1"
    assert copy[overlap.start : overlap.end].startswith("Piece")


def test_overlap_below_the_window_is_zero() -> None:
    index = RealTextIndex(8)
    index.add("r1", REAL)
    assert index.longest_overlap("pièce de tumorectomie orientée par un fil").words == 0
    assert index.longest_overlap("").words == 0


def test_boilerplate_shared_by_many_real_reports_is_ignored() -> None:
    phrase = "carcinome infiltrant de type non spécifique de grade deux"
    index = RealTextIndex(8, boilerplate_reports=3)
    for i in range(3):
        index.add(f"r{i}", f"Patiente {i}. {phrase}.")
    index.add("rare", "une phrase rare que seul ce compte rendu réel contient vraiment")
    assert index.longest_overlap(f"Conclusion : {phrase}.").words == 0
    assert index.longest_overlap("une phrase rare que seul ce compte rendu").words == 8
