"""A clinical prior written as data (prior.yaml beside a user's schema): simulation, completion,
constraints, and one-line errors for bad files."""

from __future__ import annotations

import shutil
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from pathsynth.cli import main
from pathsynth.cohort import complete_cohort, read_records, simulate_cohort
from pathsynth.cohort.records import coerce_frame
from pathsynth.errors import PathsynthError
from pathsynth.schema import load_schema

PACK = Path(__file__).resolve().parents[2] / "data" / "packs" / "colorectal"
RECTAL = ("anterior_resection", "abdominoperineal_resection")


@pytest.fixture(scope="module")
def cohort() -> pd.DataFrame:
    return simulate_cohort(3000, seed=0, schema=str(PACK))


def test_simulation_is_seeded_valid_and_keeps_the_constraint(cohort: pd.DataFrame) -> None:
    again = simulate_cohort(3000, seed=0, schema=str(PACK))
    pd.testing.assert_frame_equal(cohort, again)
    other = simulate_cohort(3000, seed=1, schema=str(PACK))
    assert not cohort.equals(other)
    schema = load_schema(PACK)
    assert list(cohort.columns) == ["id", *schema.keys]
    assert cohort["id"].iloc[0] == "SIM-000001"
    coerce_frame(cohort, schema)  # every cell canonical, every constraint kept
    both = cohort.dropna(subset=["nodes_positive", "nodes_examined"])
    assert (both["nodes_positive"] <= both["nodes_examined"]).all()
    assert cohort["crm_distance"].dropna().between(0, 80).all()


def test_marginals_conditionals_and_unstated_shares(cohort: pd.DataFrame) -> None:
    share = cohort["procedure"].value_counts(normalize=True)
    assert share["right_hemicolectomy"] == pytest.approx(0.30, abs=0.03)
    assert cohort["histology"].value_counts(normalize=True)["8140/3"] == pytest.approx(
        0.85, abs=0.03
    )
    # mismatch-repair deficiency: right colon far more than elsewhere (two-parent cases)
    dmmr = (cohort["mmr"] == "deficient").groupby(cohort["procedure"] == "right_hemicolectomy")
    rates = (
        dmmr.sum()
        / cohort["mmr"].notna().groupby(cohort["procedure"] == "right_hemicolectomy").sum()
    )
    assert rates[True] > 2 * rates[False]
    # LVI follows nodal status; node metastases follow pT
    lvi = cohort.dropna(subset=["lvi", "nodes_positive"])
    yes = (lvi["lvi"] == "yes").groupby(lvi["nodes_positive"] > 0).mean()
    assert yes[True] > yes[False] + 0.2
    pos = cohort.dropna(subset=["pt", "nodes_positive"])
    node_rate = (pos["nodes_positive"] > 0).groupby(pos["pt"]).mean()
    assert node_rate["T1"] < node_rate["T3"] < node_rate["T4a"] + 0.05
    # a circumferential margin is stated on rectal resections, seldom on colon ones
    stated = cohort["crm_distance"].notna().groupby(cohort["procedure"].isin(RECTAL)).mean()
    assert stated[True] > 0.8 and stated[False] < 0.35
    assert cohort["mmr"].isna().mean() == pytest.approx(0.26, abs=0.04)


def test_completion_keeps_known_cells_and_conditions_on_them(cohort: pd.DataFrame) -> None:
    masked = cohort.head(600).copy()
    masked["procedure"] = None
    masked.loc[:299, "nodes_examined"] = pd.NA
    masked.loc[:5, "nodes_positive"] = 40  # many positive nodes: the filled count follows
    masked.loc[:5, "nodes_examined"] = pd.NA
    done, flags = complete_cohort(masked, seed=3, schema=str(PACK), particles=128)
    again, _ = complete_cohort(masked, seed=3, schema=str(PACK), particles=128)
    pd.testing.assert_frame_equal(done, again)
    known = masked["pt"].notna()
    assert (done.loc[known, "pt"] == masked.loc[known, "pt"]).all()
    assert not flags.loc[known, "pt"].any()
    assert flags["procedure"].all() and done["procedure"].notna().all()
    assert (done.loc[:5, "nodes_examined"] >= 40).all()
    both = done.dropna(subset=["nodes_positive", "nodes_examined"])
    assert (both["nodes_positive"] <= both["nodes_examined"]).all()
    # rows stating a circumferential margin are completed mostly as rectal resections
    with_crm = masked["crm_distance"].notna()
    assert done.loc[with_crm, "procedure"].isin(RECTAL).mean() > 0.6
    # (an unstated margin is read as missing at random: the mix stays near the prior's 35 %)
    assert done.loc[~with_crm, "procedure"].isin(RECTAL).mean() < 0.45
    coerce_frame(done, load_schema(PACK))


def test_completion_of_some_keys_only() -> None:
    frame = pd.DataFrame({"id": ["a", "b"], "procedure": ["sigmoidectomy", None]})
    done, flags = complete_cohort(frame, schema=str(PACK), keys=["histology"], particles=16)
    assert done["procedure"].tolist()[1] is None
    assert flags["histology"].all() and not flags["mmr"].any()
    with pytest.raises(PathsynthError, match="cannot complete colour"):
        complete_cohort(frame, schema=str(PACK), keys=["colour"])


def test_cli_simulate_validate_complete(tmp_path: Path) -> None:
    out = tmp_path / "c.csv"
    main(
        ["cohort", "simulate", "--n", "50", "--seed", "2", "--schema", str(PACK), "--out", str(out)]
    )
    records = read_records(out, str(PACK))
    assert len(records) == 50
    main(["cohort", "validate", "--data", str(out), "--schema", str(PACK)])
    done = tmp_path / "done.csv"
    main(["cohort", "complete", "--data", str(out), "--schema", str(PACK), "--out", str(done)])
    assert read_records(done, str(PACK)).frame["procedure"].notna().all()
    assert (tmp_path / "done.flags.csv").is_file()


def _pack(tmp_path: Path, prior: str | None, *, name_it: bool = True) -> Path:
    folder = tmp_path / "pack"
    folder.mkdir(exist_ok=True)
    text = (PACK / "schema.yaml").read_text(encoding="utf-8")
    if not name_it:
        text = text.replace("prior: prior.yaml\n", "")
    (folder / "schema.yaml").write_text(text, encoding="utf-8")
    if prior is not None:
        (folder / "prior.yaml").write_text(prior, encoding="utf-8")
    return folder


def test_a_pack_folder_finds_its_prior_and_no_prior_is_one_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = _pack(tmp_path, None, name_it=False)
    with pytest.raises(SystemExit) as exc:
        main(
            [
                "cohort",
                "simulate",
                "--n",
                "3",
                "--schema",
                str(folder / "schema.yaml"),
                "--out",
                str(tmp_path / "x.csv"),
            ]
        )
    assert exc.value.code == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and "add a prior.yaml" in err
    assert not (tmp_path / "x.csv").exists()
    shutil.copy(PACK / "prior.yaml", folder / "prior.yaml")
    other = tmp_path / "other" / "schema.yaml"
    other.parent.mkdir()
    shutil.copy(folder / "schema.yaml", other)
    shutil.copy(PACK / "prior.yaml", other.parent / "prior.yaml")
    assert len(simulate_cohort(5, schema=str(other))) == 5


MINIMAL = "version: 1\nvariables:\n"


@pytest.mark.parametrize(
    ("body", "fragment"),
    [
        ("  colour: {categorical: {red: 1}}\n", "'colour' is no variable"),
        ("  lvi: {categorical: {maybe: 1}}\n", "'maybe' is no value of lvi"),
        ("  lvi: {normal: {mean: 1, sd: 1}}\n", "lvi is categorical"),
        ("  nodes_examined: {poisson: {mean: 3}, normal: {mean: 1, sd: 1}}\n", "one distribution"),
        ("  nodes_examined: {poisson: {mean: -3}}\n", "greater than 0"),
        (
            "  lvi:\n    given: [mmr]\n    cases: {deficient: {categorical: {'yes': 1}}}\n",
            "add a '[*]' case",
        ),
        (
            "  lvi:\n    given: [mmr]\n    cases: {'*': {categorical: {'yes': 1}}}\n",
            "parent 'mmr' has no entry",
        ),
        (
            "  lvi:\n    given: [mmr]\n    cases: {'*': {categorical: {'yes': 1}}}\n"
            "  mmr:\n    given: [lvi]\n    cases: {'*': {categorical: {deficient: 1}}}\n",
            "cycle",
        ),
        (
            "  nodes_examined:\n    given: [pt]\n    cases: {T9: {poisson: {mean: 3}}}\n",
            "'T9' is no value of pt",
        ),
        ("  nodes_examined: {uniform: {low: 5, high: 2}}\n", "high must exceed low"),
        ("  - not a mapping\n", "variables"),
    ],
)
def test_bad_prior_files_are_one_line_errors(tmp_path: Path, body: str, fragment: str) -> None:
    folder = _pack(tmp_path, MINIMAL + body)
    with pytest.raises(PathsynthError, match=fragment) as exc:
        simulate_cohort(5, schema=str(folder))
    assert "\n" not in str(exc.value)


def test_numeric_cases_ranges_and_yes_no_codes(tmp_path: Path) -> None:
    prior = MINIMAL + (
        "  nodes_examined: {uniform: {low: 0, high: 10}}\n"
        "  lvi:\n    given: [nodes_examined]\n    cases:\n"
        "      '0-4': {categorical: {yes: 1, no: 0}}\n"
        "      '>=5': {categorical: {yes: 0, no: 1}}\n"
    )
    frame = simulate_cohort(400, seed=1, schema=str(_pack(tmp_path, prior)))
    low = frame["nodes_examined"] <= 4
    assert (frame.loc[low, "lvi"] == "yes").all() and (frame.loc[~low, "lvi"] == "no").all()
    assert frame["histology"].isna().all()  # a key the prior leaves out stays unknown
    assert np.isin(frame["nodes_examined"].dropna().unique(), range(11)).all()
