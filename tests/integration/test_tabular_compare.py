"""A real comparison on the TCGA-BRCA cohort: copula and MST, scored by mostlyai-qa + sdmetrics."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from pathsynth.cohort import read_records
from pathsynth.tabular.compare import compare_synthesizers

pytest.importorskip("sdv")
pytest.importorskip("snsynth")
pytest.importorskip("mostlyai.qa")


@pytest.mark.slow
@pytest.mark.shared_data
def test_compare_on_tcga(tcga_path: Path, tmp_path: Path) -> None:
    records = read_records(tcga_path, "breast13", blank_invalid=True)
    frame = records.frame.drop(columns=records.absent)
    result = compare_synthesizers(
        frame, ["gaussian_copula", "mst"], 3.0, 0, tmp_path, schema=records.schema, html=False
    )
    metrics = json.loads((tmp_path / "metrics.json").read_text())
    assert all("error" not in entry for entry in metrics.values()), metrics
    assert result.n_training == result.n_holdout == 475
    mst = metrics["mst"]
    assert mst["epsilon"] == pytest.approx(3.0)
    assert mst["overall_accuracy"] > 0.8 and mst["dcr_share"] < 0.6
    assert mst["identical_match_share"] < 0.5
    table = (tmp_path / "table.md").read_text()
    assert "| mst | 3 |" in table
