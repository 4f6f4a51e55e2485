"""Stage wiring: a missing package function is one clear line; failed synthesizers are noted."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from rich.console import Console

from pathsynth.errors import PathsynthError
from pathsynth.pipeline import _stage_base as stages_mod
from pathsynth.pipeline.artifacts import RunFolder
from pathsynth.pipeline.config import parse_config
from pathsynth.pipeline.stages import Stages, StageUnavailable, need
from pathsynth.schema import Schema


def test_need_names_what_is_missing() -> None:
    with pytest.raises(StageUnavailable, match=r"pathsynth\.nothing_here cannot be imported"):
        need("pathsynth.nothing_here", "f")
    with pytest.raises(StageUnavailable, match=r"pathsynth\.schema\.no_such_function"):
        need("pathsynth.schema", "no_such_function")
    assert need("pathsynth.schema", "load_schema") is not None


def make_stages(tmp_path: Path, schema: Schema, **tabular: Any) -> Stages:
    cfg = parse_config(
        {
            "output": str(tmp_path / "run"),
            "tabular": {"synthesizers": ["gaussian_copula", "mst"], **tabular},
            "teachers": {
                "n": 5,
                "teachers": [
                    {"name": "a", "spec": "template"},
                    {"name": "b", "spec": "template", "use": "eval", "n": 3},
                ],
            },
            "evaluation": [{"name": "e", "teacher": "b"}],
        }
    )
    return Stages(cfg, RunFolder(cfg.output), schema, Console(quiet=True))


def fake_compare(failing: str | None) -> Any:
    """A stand-in for the comparison that writes its files from the cohort itself."""

    class Result:
        def __init__(self, metrics: dict[str, Any]) -> None:
            self._metrics = metrics

        def metrics(self) -> dict[str, Any]:
            return self._metrics

    def compare(frame: Any, names: list[str], epsilon: Any, seed: int, out: Path, **_: Any) -> Any:
        from pathsynth.cohort import write_records

        metrics: dict[str, Any] = {}
        for i, name in enumerate(names):
            if name == failing:
                metrics[name] = {"overall_accuracy": None, "error": "ValueError: boom"}
                continue
            write_records(frame, Path(out) / f"synthetic_{name}.csv")
            metrics[name] = {"overall_accuracy": 0.5 + i / 10, "dcr_share": 0.5}
        Path(out, "metrics.json").write_text(json.dumps(metrics))
        Path(out, "table.md").write_text("|table|\n")
        return Result(metrics)

    return compare


def use_fake_compare(monkeypatch: pytest.MonkeyPatch, failing: str | None) -> None:
    real = stages_mod.need

    def patched(module: str, attr: str, *more: str) -> Any:
        return fake_compare(failing) if attr == "compare_synthesizers" else real(module, attr)

    monkeypatch.setattr(stages_mod, "need", patched)


def test_records_are_split_and_held_out(
    tmp_path: Path, schema: Schema, monkeypatch: pytest.MonkeyPatch
) -> None:
    use_fake_compare(monkeypatch, failing="gaussian_copula")
    st = make_stages(tmp_path, schema, generate_from="best")
    cohort = st.cohort()
    tab = st.tabular(cohort)
    assert any("gaussian_copula failed: ValueError: boom" in n for n in st.notes)
    files = st.teacher_records(cohort, tab)
    assert st.run.stages["records"].summary["source"] == "mst"  # best among those that worked
    ids = {name: set(p.read_text().splitlines()[1:]) for name, p in files.items()}
    assert len(ids["a"]) == 5 and len(ids["b"]) == 3
    assert not ids["a"] & ids["b"]


def test_a_failed_chosen_synthesizer_stops_the_run(
    tmp_path: Path, schema: Schema, monkeypatch: pytest.MonkeyPatch
) -> None:
    use_fake_compare(monkeypatch, failing="mst")
    st = make_stages(tmp_path, schema, generate_from="mst")
    cohort = st.cohort()
    tab = st.tabular(cohort)
    with pytest.raises(PathsynthError, match="synthesizer mst failed"):
        st.teacher_records(cohort, tab)


def test_too_few_records_is_one_line(
    tmp_path: Path, schema: Schema, monkeypatch: pytest.MonkeyPatch
) -> None:
    st = make_stages(tmp_path, schema, synthesizers=[], generate_from="cohort")
    st.cfg.cohort.simulate = 10
    st.cfg.teachers.n = 50
    cohort = st.cohort()
    with pytest.raises(PathsynthError, match="need 53 records"):
        st.teacher_records(cohort, None)
    assert not (st.run.root / "records").exists()


def test_unavailable_extractor_is_left_out_with_a_note(
    tmp_path: Path, schema: Schema, monkeypatch: pytest.MonkeyPatch
) -> None:
    st = make_stages(tmp_path, schema)
    es = st.cfg.evaluation[0]
    set_dir = st.run.path("eval/e")
    set_dir.mkdir(parents=True)
    (set_dir / "reports.jsonl").write_text('{"id": "1", "text": "x"}\n')
    real = stages_mod.need

    def patched(module: str, attr: str, *more: str) -> Any:
        if attr == "load_extractor":
            raise StageUnavailable("pathsynth.extraction.load_extractor is not available")
        return real(module, attr, *more)

    monkeypatch.setattr(stages_mod, "need", patched)
    assert st.predict(es, set_dir, "llm", "openai:m@http://x") is None
    assert any("llm not scored on e" in n for n in st.notes)
    assert st.evaluate(es, set_dir, {}) is None


@pytest.mark.shared_data
@pytest.mark.slow
def test_real_cohort_is_read_and_completed(tcga_path: Path, tmp_path: Path, schema: Schema) -> None:
    cfg = parse_config(
        {
            "output": str(tmp_path / "run"),
            "cohort": {"path": str(tcga_path), "normalize": True, "blank_invalid": True},
            "evaluation": [{"name": "e", "reports": "r.jsonl"}],
        }
    )
    st = Stages(cfg, RunFolder(cfg.output), schema, Console(quiet=True))
    out = st.cohort()
    summary = st.run.stages["cohort"].summary
    assert summary["n"] == 951
    assert set(summary["absent_keys"]) >= {"taille", "ki67"}
    assert summary["completed_cells"]["taille"] > 0
    header = out.read_text().splitlines()[0].split(",")
    assert header == ["id", *schema.keys]
    assert (st.run.root / "inputs/completed_cells.csv").is_file()


def test_held_out_teacher_without_kept_reports_is_noted(tmp_path: Path, schema: Schema) -> None:
    st = make_stages(tmp_path, schema)
    es = st.cfg.evaluation[0].model_copy(update={"filtered": True})
    raw, kept = tmp_path / "raw.jsonl", tmp_path / "kept.jsonl"
    raw.write_text('{"id": "1", "text": "x", "record": {}}\n')
    kept.write_text("")
    assert st.eval_set(es, {"b": (raw, kept)}) is None
    assert any("evaluation set e not scored" in n for n in st.notes)
    unfiltered = st.eval_set(st.cfg.evaluation[0], {"b": (raw, kept)})
    assert unfiltered is not None and (unfiltered / "gold.jsonl").is_file()


def test_real_annotated_sets_are_read(tmp_path: Path, schema: Schema) -> None:
    reports = tmp_path / "real.csv"
    reports.write_text('id,text\n1,"Carcinome canalaire infiltrant, grade 2"\n2,"Biopsie"\n')
    gold = tmp_path / "gold.jsonl"
    gold.write_text('{"id": "1", "values": {"grade": 2}}\n{"id": "2", "values": {}}\n')
    cfg = parse_config(
        {
            "output": str(tmp_path / "run"),
            "evaluation": [
                {"name": "csv", "reports": str(reports), "gold": str(gold)},
                {"name": "nogold", "reports": str(reports)},
            ],
        }
    )
    st = Stages(cfg, RunFolder(cfg.output), schema, Console(quiet=True))
    set_dir = st.eval_set(cfg.evaluation[0], {})
    assert set_dir is not None
    lines = (set_dir / "reports.jsonl").read_text().splitlines()
    assert [json.loads(line)["id"] for line in lines] == ["1", "2"]
    assert (set_dir / "gold.jsonl").read_text() == gold.read_text()
    with pytest.raises(PathsynthError, match="has no gold values; give `gold`"):
        st.eval_set(cfg.evaluation[1], {})
