"""The clinical prior: published marginals, the dependencies it encodes, structure, completion."""

from __future__ import annotations

import time
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from pathsynth.cohort import (
    coerce_frame,
    complete_cohort,
    read_records,
    simulate_cohort,
    write_records,
)
from pathsynth.errors import PathsynthError
from pathsynth.schema import Schema


@pytest.fixture(scope="module")
def big() -> pd.DataFrame:
    return simulate_cohort(20000, seed=11)


@pytest.fixture(scope="module")
def invasive(big: pd.DataFrame) -> pd.DataFrame:
    return big[big["diagnostic"] != "8500/2"]


def share(series: pd.Series, value: object) -> float:
    known = series.dropna()
    return float((known == value).mean())


def test_simulate_is_fast_seeded_and_valid(schema: Schema) -> None:
    start = time.perf_counter()
    a = simulate_cohort(4000, seed=5)
    assert time.perf_counter() - start < 5.0
    pd.testing.assert_frame_equal(a, simulate_cohort(4000, seed=5))
    assert not a.equals(simulate_cohort(4000, seed=6))
    assert list(a.columns) == ["id", *schema.keys]
    assert a["id"].is_unique and a["id"].iat[0] == "SIM-000001"
    # The frame is valid records: the same checks a file gets.
    pd.testing.assert_frame_equal(coerce_frame(a, schema).frame, a)


def test_marginals_match_the_cited_figures(big: pd.DataFrame, invasive: pd.DataFrame) -> None:
    # docs/clinical-prior.md: Howlader 2014 (subtypes), Li 2005 (histology), Nishimura 2022
    # (LVI), ACS 2015 (DCIS); tolerances cover sampling noise and the modelling choices.
    typed = invasive.dropna(subset=["re", "rp", "her2"])
    hr = (typed["re"] == "positive") | (typed["rp"] == "positive")
    her2 = typed["her2"] == "positive"
    assert (hr & ~her2).mean() == pytest.approx(0.727, abs=0.03)
    assert (~hr & ~her2).mean() == pytest.approx(0.122, abs=0.025)
    assert her2.mean() == pytest.approx(0.149, abs=0.03)
    assert share(invasive["re"], "positive") == pytest.approx(0.80, abs=0.03)
    assert share(invasive["diagnostic"], "8500/3") == pytest.approx(0.76, abs=0.02)
    assert share(invasive["diagnostic"], "8520/3") == pytest.approx(0.08, abs=0.02)
    assert share(invasive["diagnostic"], "8522/3") == pytest.approx(0.07, abs=0.02)
    grades = invasive["grade"].dropna().value_counts(normalize=True)
    assert grades[1] == pytest.approx(0.17, abs=0.04)
    assert grades[2] == pytest.approx(0.47, abs=0.05)
    assert grades[3] == pytest.approx(0.36, abs=0.05)
    size = invasive["taille"].dropna()
    assert (size <= 20).mean() == pytest.approx(0.53, abs=0.06)
    assert (size > 50).mean() < 0.14
    assert share(invasive["emboles"], "yes") == pytest.approx(0.29, abs=0.04)
    assert share(big["diagnostic"], "8500/2") == pytest.approx(0.16, abs=0.025)


def test_dependencies(invasive: pd.DataFrame) -> None:
    by_grade = invasive.groupby("grade")
    ki = by_grade["ki67"].median()
    assert ki[1] < ki[2] < ki[3] and ki[3] >= 30
    er = by_grade["re"].apply(lambda s: share(s, "positive"))
    assert er[1] > 0.9 and er[3] < 0.7
    her2 = by_grade["her2"].apply(lambda s: share(s, "positive"))
    assert her2[1] < her2[3]
    pr_given_er = invasive.groupby("re")["rp"].apply(lambda s: share(s, "positive"))
    assert pr_given_er["positive"] > 0.75 and pr_given_er["negative"] < 0.15
    lobular = invasive[invasive["diagnostic"] == "8520/3"]
    assert share(lobular["re"], "positive") > 0.88
    assert share(lobular["her2"], "positive") < 0.08
    staged = invasive.dropna(subset=["numero_gang_att", "taille"])
    positive = staged["numero_gang_att"] > 0
    small, large = staged["taille"] <= 20, staged["taille"] > 50
    assert positive[small].mean() < 0.3 < positive[large].mean()
    lvi = staged["emboles"]
    assert positive[lvi == "yes"].mean() > positive[lvi == "no"].mean() + 0.25
    nodes = invasive["numero_gang_att"].dropna()
    ece = invasive.loc[nodes.index, "rupture_capsulaire"]
    assert share(ece[nodes >= 4], "yes") > share(ece[nodes == 1], "yes")
    tubular = invasive[invasive["diagnostic"] == "8211/3"]
    assert tubular["taille"].median() < invasive["taille"].median()


def test_structure_and_constraints(big: pd.DataFrame) -> None:
    att, prel = big["numero_gang_att"], big["numero_gang_prel"]
    both = att.notna() & prel.notna()
    assert (att[both] <= prel[both]).all()
    assert (att.isna() == prel.isna()).all()
    # Extracapsular extension only with affected nodes.
    ece = big["rupture_capsulaire"].notna()
    assert (att[ece] > 0).all()
    biopsy = big[big["echantillon"] == "biopsy"]
    assert (
        biopsy[["taille", "marges_saines", "numero_gang_prel", "rupture_capsulaire"]]
        .isna()
        .all()
        .all()
    )
    dcis = big[big["diagnostic"] == "8500/2"]
    assert dcis[["grade", "taille", "emboles", "her2", "ki67"]].isna().all().all()
    assert (dcis["numero_gang_att"].dropna() == 0).all()
    dissection = big[big["echantillon"] == "lymph_node_dissection"]
    assert dissection["numero_gang_prel"].dropna().median() >= 10
    assert dissection[["taille", "marges_saines", "grade"]].isna().all().all()
    # Sentinel biopsy versus dissection: examined counts are bimodal.
    examined = prel.dropna()
    assert examined.median() <= 4 and (examined >= 10).mean() > 0.15


def test_realistic_unknown_cells(big: pd.DataFrame) -> None:
    resected = big[big["echantillon"].isin(["lumpectomy", "mastectomy"])]
    invasive = resected[resected["diagnostic"] != "8500/2"]
    for key, low, high in [("ki67", 0.1, 0.3), ("emboles", 0.05, 0.2), ("her2", 0.03, 0.12)]:
        assert low < invasive[key].isna().mean() < high, key
    assert big["diagnostic"].notna().all()


def test_complete_keeps_observed_cells_and_recovers_dependencies() -> None:
    full = simulate_cohort(3000, seed=2)
    masked = full.copy()
    masked["taille"] = np.nan
    masked["emboles"] = None
    completed, flags = complete_cohort(masked, seed=0)
    for key in full.columns:
        seen = masked[key].notna()
        assert (
            completed.loc[seen, key].astype(object) == masked.loc[seen, key].astype(object)
        ).all()
    filled = flags["taille"].to_numpy()
    assert (completed["taille"].notna().to_numpy() == filled).all()
    assert (
        completed.loc[flags["taille"], "echantillon"]
        .isin(["lumpectomy", "mastectomy", "surgical_excision", None])
        .all()
    )
    # The filled size follows the nodes the row states (likelihood weighting, not forward draws).
    staged = completed.dropna(subset=["numero_gang_att", "taille"])
    positive = staged["numero_gang_att"] > 0
    assert staged.loc[positive, "taille"].median() > staged.loc[~positive, "taille"].median() + 3
    truth = full.loc[staged.index, "taille"]
    corr = np.corrcoef(np.log(truth.dropna()), np.log(staged.loc[truth.dropna().index, "taille"]))
    assert corr[0, 1] > 0.05
    assert not flags["diagnostic"].any()
    assert flags["id"].tolist() == completed["id"].tolist()


def test_complete_rejects_invalid_frames() -> None:
    bad = pd.DataFrame({"id": ["a"], "re": ["positif"]})
    with pytest.raises(PathsynthError, match="'positif'"):
        complete_cohort(bad, seed=0)
    with pytest.raises(PathsynthError, match="cannot complete"):
        complete_cohort(pd.DataFrame({"id": ["a"]}), seed=0, keys=["couleur"])


@pytest.mark.shared_data
def test_complete_tcga(tcga_path: Path, tmp_path: Path, schema: Schema) -> None:
    records = read_records(tcga_path, schema, blank_invalid=True)
    assert set(records.absent) == {"taille", "emboles", "rupture_capsulaire", "ki67"}
    frame = records.frame
    completed, flags = complete_cohort(frame, seed=0)
    for key in schema.keys:
        seen = frame[key].notna()
        assert (
            completed.loc[seen, key].astype(object) == frame.loc[seen, key].astype(object)
        ).all()
        assert not flags.loc[seen, key].any()
    att, prel = completed["numero_gang_att"], completed["numero_gang_prel"]
    both = att.notna() & prel.notna()
    assert (att[both] <= prel[both]).all()
    assert (att[completed["rupture_capsulaire"].notna()] > 0).all()
    assert completed["ki67"].notna().mean() > 0.95
    resected = completed["echantillon"].isin(["lumpectomy", "mastectomy"])
    assert completed.loc[resected, "taille"].notna().all()
    # Grade 3 gets higher Ki-67; node-positive rows get larger tumours.
    ki = completed.groupby("grade")["ki67"].median()
    assert ki[3] > ki[1] + 10
    staged = completed.dropna(subset=["numero_gang_att"])
    assert (
        staged.loc[staged["numero_gang_att"] > 0, "taille"].median()
        > staged.loc[staged["numero_gang_att"] == 0, "taille"].median()
    )
    # The written files read back as valid records.
    write_records(completed, tmp_path / "c.csv")
    assert len(read_records(tmp_path / "c.csv", schema)) == len(frame)
