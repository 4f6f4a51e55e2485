"""Extraction benchmark: fast-student training time on 5,000 reports and its extraction speed,
rules extraction speed, tiny-LoRA training steps/s; plus the evaluate table (fast vs rules) on
held-out synthetic reports and on the hand-written realistic reports of tests/data.

Training reports come from the built-in cohort prior and the template teacher (French and
English, alternating), written in memory; held-out reports use other records and seeds.

Run: .venv/bin/python benchmarks/extraction.py [--n-train 5000] [--n-test 1000] [--seed 0]
     [--out bench-extraction.json] [--no-lora]
Targets (issue 6): training <= 300 s on 2 cores; extraction >= 200 reports/s.
"""

from __future__ import annotations

import argparse
import json
import math
import tempfile
import time
from pathlib import Path
from typing import Any

from pathsynth._io import read_jsonl
from pathsynth.cohort import simulate_cohort
from pathsynth.evaluation import evaluate
from pathsynth.extraction._text import TrainingExample
from pathsynth.extraction.fast import FastConfig, train_fast
from pathsynth.extraction.rules import RulesExtractor
from pathsynth.llm.template import TemplateTeacher
from pathsynth.schema import load_schema

ROOT = Path(__file__).resolve().parents[1]
REALISTIC = ROOT / "tests" / "data" / "realistic_reports.jsonl"


def template_reports(n: int, seed: int) -> list[dict[str, Any]]:
    """``n`` template reports ``{id, text, record, spans, lang}`` from simulated records."""
    schema = load_schema("breast13")
    teacher = TemplateTeacher(schema)
    frame = simulate_cohort(n, seed=seed)
    rows = []
    for i, rec in enumerate(frame.to_dict("records")):
        record = {
            k: (None if v is None or (isinstance(v, float) and math.isnan(v)) else v)
            for k, v in rec.items()
            if k in schema
        }
        record = {k: (v.item() if hasattr(v, "item") else v) for k, v in record.items()}
        try:
            record = {k: schema[k].canonical(v) for k, v in record.items()}
        except (TypeError, ValueError):
            continue
        lang = "fr" if i % 2 == 0 else "en"
        text, spans = teacher.render(record, lang, seed * 100_003 + i)
        rows.append(
            {"id": f"t{seed}-{i}", "text": text, "record": record, "spans": spans, "lang": lang}
        )
    return rows


def to_examples(rows: list[dict[str, Any]]) -> list[TrainingExample]:
    return [
        TrainingExample(
            r["id"],
            r["text"],
            r["record"],
            {k: [tuple(s) for s in v] for k, v in r["spans"].items()},
        )
        for r in rows
    ]


def speed(extractor: Any, texts: list[str], batch: int = 64) -> tuple[float, float]:
    """Reports per second over ``texts`` (batches of ``batch``): by wall clock, and by this
    process's CPU time (the fairer figure on a machine shared with other jobs)."""
    t0, c0 = time.perf_counter(), time.process_time()
    for i in range(0, len(texts), batch):
        extractor.extract(texts[i : i + batch])
    return len(texts) / (time.perf_counter() - t0), len(texts) / (time.process_time() - c0)


def table(gold: list[dict[str, Any]], systems: dict[str, Any], schema: Any) -> Any:
    texts = [g["text"] for g in gold]
    preds = {
        name: [e.to_prediction(g["id"]) for e, g in zip(ex.extract(texts), gold, strict=True)]
        for name, ex in systems.items()
    }
    rows = [{"id": g["id"], "values": g.get("values") or g["record"]} for g in gold]
    return evaluate(rows, preds, schema)


def lora_steps_per_s(rows: list[dict[str, Any]], seed: int) -> dict[str, float]:
    """Tiny random Llama + LoRA on CPU: optimiser steps per second (mechanics, not quality)."""
    import torch

    from pathsynth.extraction.lora import LoraStudentConfig, make_tiny_base_model, train_lora

    torch.set_num_threads(1)
    with tempfile.TemporaryDirectory() as tmp:
        base = make_tiny_base_model([r["text"] for r in rows[:200]], Path(tmp) / "base", seed=seed)
        steps = 20
        t0 = time.perf_counter()
        train_lora(
            to_examples(rows[:200]),
            base,
            Path(tmp) / "student",
            config=LoraStudentConfig(
                seed=seed, max_steps=steps, batch_size=4, max_length=768, r=8, alpha=16
            ),
        )
        dt = time.perf_counter() - t0
        manifest = json.loads((Path(tmp) / "student" / "manifest.json").read_text())
    return {
        "steps": steps,
        "seconds_incl_setup": round(dt, 2),
        "train_seconds": manifest["train_seconds"],
        "steps_per_s": round(steps / manifest["train_seconds"], 3),
    }


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n-train", type=int, default=5000)
    ap.add_argument("--n-test", type=int, default=1000)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--out", type=Path, default=None)
    ap.add_argument("--no-lora", action="store_true")
    args = ap.parse_args()
    schema = load_schema("breast13")
    result: dict[str, Any] = {}

    t0 = time.perf_counter()
    train_rows = template_reports(args.n_train, args.seed)
    test_rows = template_reports(args.n_test, args.seed + 1)
    result["reports_written_seconds"] = round(time.perf_counter() - t0, 1)

    t0, c0 = time.perf_counter(), time.process_time()
    fast = train_fast(to_examples(train_rows), schema, FastConfig(seed=args.seed))
    result["fast_train_seconds"] = round(time.perf_counter() - t0, 1)
    result["fast_train_cpu_seconds"] = round(time.process_time() - c0, 1)
    result["fast_train_reports"] = len(train_rows)
    rules = RulesExtractor(schema=schema)
    texts = [r["text"] for r in test_rows]
    for name, ex in (("fast", fast), ("rules", rules)):
        wall, cpu = speed(ex, texts)
        result[f"{name}_reports_per_s"] = round(wall, 1)
        result[f"{name}_reports_per_cpu_s"] = round(cpu, 1)
        print(f"{name:6s}: {wall:.1f} reports/s wall clock, {cpu:.1f} reports per CPU second")
    print(
        f"fast student: trained on {len(train_rows)} reports in {result['fast_train_seconds']} s "
        f"({result['fast_train_cpu_seconds']} s CPU)"
    )

    synth = table(test_rows, {"rules": rules, "fast": fast}, schema)
    print(f"\nHeld-out template reports ({len(test_rows)}, other records and seeds):\n")
    print(synth.to_markdown())
    result["held_out_synthetic"] = {s.name: round(s.total.accuracy, 4) for s in synth.systems} | {
        f"{s.name}_f1": round(s.total.f1, 4) for s in synth.systems
    }
    if REALISTIC.is_file():
        real = read_jsonl(REALISTIC)
        realistic = table(real, {"rules": rules, "fast": fast}, schema)
        print(f"Realistic hand-written reports ({len(real)}):\n")
        print(realistic.to_markdown())
        result["realistic"] = {s.name: round(s.total.accuracy, 4) for s in realistic.systems} | {
            f"{s.name}_f1": round(s.total.f1, 4) for s in realistic.systems
        }
    if not args.no_lora:
        try:
            result["lora_tiny"] = lora_steps_per_s(train_rows, args.seed)
            print(f"lora (tiny, CPU): {result['lora_tiny']['steps_per_s']} steps/s")
        except ImportError as exc:
            print(f"lora skipped: {exc}")
    if args.out:
        args.out.write_text(json.dumps(result, indent=2) + "\n")
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
