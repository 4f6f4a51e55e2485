"""A small run folder built by hand, so the report can be rendered without running stages."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from pathsynth._io import write_json, write_jsonl
from pathsynth.pipeline.artifacts import RunFolder
from pathsynth.pipeline.config import PipelineConfig, parse_config
from pathsynth.schema import Schema

TEXT = (
    "Pièce de tumorectomie. Carcinome infiltrant de type non spécifique, grade 2, "
    "taille 18 mm. RE positif, RP négatif, HER2 négatif. <script>alert(1)</script>"
)


#: Words of TEXT that support a value, as the filter would mark them.
EVIDENCE = {"echantillon": "Pièce de tumorectomie", "grade": "grade 2", "taille": "18 mm"}


def span(text: str, words: str) -> tuple[int, int]:
    start = text.index(words)
    return start, start + len(words)


def small_config(out: Path) -> PipelineConfig:
    return parse_config(
        {
            "output": str(out),
            "cohort": {"simulate": 50},
            "tabular": {"synthesizers": ["gaussian_copula", "mst"], "generate_from": "mst"},
            "teachers": {
                "n": 3,
                "teachers": [
                    {"name": "template", "spec": "template"},
                    {"name": "heldout", "spec": "template", "use": "eval", "seed": 1},
                ],
            },
            "evaluation": [{"name": "heldout", "teacher": "heldout"}],
        }
    )


def _scores(acc: float, f1: float) -> dict[str, Any]:
    return {"accuracy": acc, "f1": f1, "precision": f1, "recall": f1, "n": 3}


@pytest.fixture
def small_run(tmp_path: Path, schema: Schema) -> tuple[RunFolder, PipelineConfig]:
    """A run folder holding what each stage would have written, with made-up test values."""
    cfg = small_config(tmp_path / "run")
    run = RunFolder(cfg.output)
    run.write_versions()

    def stage(name: str, outputs: dict[str, Any], summary: dict[str, Any]) -> None:
        def fn() -> dict[str, Any]:
            for rel, content in outputs.items():
                p = run.path(rel)
                if rel.endswith(".jsonl"):
                    write_jsonl(p, content)
                elif rel.endswith(".json"):
                    write_json(p, content)
                else:
                    p.parent.mkdir(parents=True, exist_ok=True)
                    p.write_text(content, encoding="utf-8")
            return summary

        run.run_stage(name, config={}, inputs=[], outputs=list(outputs), fn=fn)

    stage("cohort", {"inputs/cohort.csv": "id\nA\n"}, {"source": "simulated", "n": 50})
    metrics = {
        name: {
            "overall_accuracy": acc,
            "univariate_accuracy": acc + 0.05,
            "bivariate_accuracy": acc,
            "trivariate_accuracy": acc - 0.05,
            "cosine_similarity": 0.9,
            "identical_match_share": 0.01,
            "nndr": 0.8,
            "dcr_share": dcr,
            "dcr_overfitting_protection": True,
            "epsilon": eps,
            "fit_seconds": 1.5,
        }
        for name, acc, dcr, eps in [("gaussian_copula", 0.8, 0.52, None), ("mst", 0.85, 0.5, 3.0)]
    }
    metrics["ctgan"] = {"overall_accuracy": None, "error": "RuntimeError: out of patience"}
    stage("tabular", {"tabular/metrics.json": metrics, "tabular/table.md": "| x |\n"}, {})
    stage("records", {"records/template.csv": "id\n"}, {"source": "mst"})
    record = dict.fromkeys(schema.keys)
    record.update(echantillon="lumpectomy", diagnostic="8500/3", grade=2, taille=18)
    reports = [
        {"id": f"r{i}", "text": TEXT, "record": record, "teacher": "template"} for i in range(3)
    ]
    kept = [
        {**r, "evidence": {k: [list(span(TEXT, w))] for k, w in EVIDENCE.items()}}
        for r in reports[:2]
    ]
    rejected = [{**reports[2], "reasons": [{"code": "not_stated", "key": "ki67"}]}]
    stage(
        "generate:template",
        {"reports/template.jsonl": reports},
        {"reports": 3, "mean_words": 20.0, "generation": {"teacher": "template"}},
    )
    stage(
        "filter:template",
        {"filtered/template.kept.jsonl": kept, "filtered/template.rejected.jsonl": rejected},
        {"n_in": 3, "n_kept": 2, "kept": 2, "rejected": 1, "reasons": {"not_stated": 1}},
    )
    stage("evalset:heldout", {"eval/heldout/gold.jsonl": []}, {"origin": "held-out teacher"})
    systems = {
        "fast": {
            "keys": {k: _scores(0.9, 0.8) for k in schema.keys},
            "total": _scores(0.9, 0.8),
        },
        "rules": {
            "keys": {k: _scores(0.7, 0.85) for k in schema.keys},
            "total": _scores(0.7, 0.85),
        },
    }
    (run.path("metrics")).mkdir(parents=True, exist_ok=True)
    run.path("metrics/heldout.json").write_text(
        json.dumps({"n_reports": 3, "systems": systems}), encoding="utf-8"
    )
    return run, cfg
