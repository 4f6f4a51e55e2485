"""A tiny whole experiment through `pathsynth run`: every stage, resumption, the report."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
import yaml

from pathsynth.cli import main

pytestmark = pytest.mark.slow


def write_config(folder: Path, **changes: object) -> Path:
    data: dict = {
        "seed": 3,
        "output": "run",
        "cohort": {"simulate": 200},
        # No synthesizer: fitting and scoring them takes minutes (tests/unit/tabular covers
        # them); the teachers write from the simulated cohort, with a visible note.
        "tabular": {"synthesizers": [], "generate_from": "cohort"},
        "teachers": {
            "lang": "fr",
            "n": 40,
            "teachers": [
                {"name": "template", "spec": "template"},
                {"name": "heldout", "spec": "template", "use": "eval", "seed": 7, "n": 20},
            ],
        },
        "students": [{"name": "fast", "kind": "fast"}],
        "baselines": [{"name": "rules", "spec": "rules"}],
        "evaluation": [{"name": "heldout", "teacher": "heldout"}],
    }
    data.update(changes)
    path = folder / "exp.yaml"
    path.write_text(yaml.safe_dump(data), encoding="utf-8")
    return path


def timings(run: Path) -> dict[str, dict]:
    return json.loads((run / "timings.json").read_text(encoding="utf-8"))


def test_tiny_run_resumes_and_reports(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    config = write_config(tmp_path)
    main(["run", str(config)])
    run = tmp_path / "run"
    assert capsys.readouterr().out.strip() == f"report: {run / 'report.html'}"

    for rel in [
        "config.yaml",
        "versions.json",
        "manifest.json",
        "inputs/cohort.csv",
        "records/template.csv",
        "records/heldout.csv",
        "reports/template.jsonl",
        "filtered/template.kept.jsonl",
        "filtered/template.rejected.jsonl",
        "models/fast/manifest.json",
        "eval/heldout/gold.jsonl",
        "predictions/heldout/fast.jsonl",
        "predictions/heldout/rules.jsonl",
        "metrics/heldout.md",
        "report.html",
    ]:
        assert (run / rel).is_file(), rel
    # Held-out reports come from records no training teacher saw.
    train = (run / "records/template.csv").read_text().splitlines()[1:]
    held = (run / "records/heldout.csv").read_text().splitlines()[1:]
    assert not {r.split(",")[0] for r in train} & {r.split(",")[0] for r in held}

    metrics = json.loads((run / "metrics/heldout.json").read_text(encoding="utf-8"))
    assert set(metrics["systems"]) == {"fast", "rules"}
    assert metrics["n_reports"] == 20
    html = (run / "report.html").read_text(encoding="utf-8")
    assert "the teachers write from the cohort itself" in html
    assert "fast" in html and "rules" in html
    first = timings(run)
    assert not any(t.get("skipped") for name, t in first.items() if name != "total")

    # Same config again: every stage is skipped, the report is rebuilt.
    main(["run", str(config)])
    again = timings(run)
    assert all(t["skipped"] for name, t in again.items() if name != "total")
    assert (run / "report.html").is_file()

    # A run killed during training: its model and manifest entry are gone; the re-run trains
    # again and reuses everything before it.
    manifest = json.loads((run / "manifest.json").read_text(encoding="utf-8"))
    del manifest["stages"]["train:fast"]
    (run / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")
    shutil.rmtree(run / "models/fast")
    main(["run", str(config)])
    resumed = timings(run)
    assert resumed["train:fast"]["skipped"] is False
    assert resumed["generate:template"]["skipped"] is True
    assert resumed["filter:template"]["skipped"] is True

    # Changing only the held-out teacher leaves the training teacher's reports alone.
    config = write_config(
        tmp_path,
        teachers={
            "lang": "fr",
            "n": 40,
            "teachers": [
                {"name": "template", "spec": "template"},
                {"name": "heldout", "spec": "template", "use": "eval", "seed": 8, "n": 20},
            ],
        },
    )
    main(["run", str(config)])
    changed = timings(run)
    assert changed["generate:template"]["skipped"] is True
    assert changed["generate:heldout"]["skipped"] is False
