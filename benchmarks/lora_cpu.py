"""CPU benchmark of the study's three columns at 270M scale: gemma-3-270m prompted 0-shot and
3-shot (synthetic examples), and the LoRA student fine-tuned on template reports, each scored
on annotated report sets, with extraction reports/s and peak memory per system.

    # the student first (its manifest records training tokens/s and peak memory):
    pathsynth student train --kind lora --base-model gemma3-270m --data kept.jsonl \\
        --out student --max-steps 40 --max-length 512
    D=../shared/data
    nice .venv/bin/python benchmarks/lora_cpu.py --student student --examples kept.jsonl \\
        --set dev=$D/tcga_brca_dev_reports.jsonl:$D/tcga_brca_dev_gold.jsonl \\
        --set heldout=heldout.jsonl --out bench-lora [--threads 2] [--limit N]

Each system runs in a child process (its own peak memory) and appends one prediction line
per report, so an interrupted run resumes where it stopped. ``OUT/SET.md`` is the evaluate
table of the set, ``OUT/summary.json`` the timings.
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

SYSTEMS = ("gemma-0shot", "gemma-3shot", "gemma-lora")
GEMMA = "llamacpp:gemma3-270m?n_ctx=10240"


def _reports(path: Path, limit: int | None) -> list[dict[str, Any]]:
    from pathsynth._io import read_reports

    return read_reports(path)[:limit]


def run_one(args: argparse.Namespace, set_name: str, reports_path: Path, system: str) -> None:
    """Predict with one system on one set, appending to ``OUT/SET/SYSTEM.jsonl``."""
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TimeElapsedColumn

    from pathsynth.extraction import load_extractor
    from pathsynth.schema import load_schema

    schema = load_schema("breast13")
    out = args.out / set_name / f"{system}.jsonl"
    out.parent.mkdir(parents=True, exist_ok=True)
    done = {json.loads(line)["id"] for line in out.open()} if out.exists() else set()
    rows = _reports(reports_path, args.limit)
    todo = [r for r in rows if r["id"] not in done]
    if system == "gemma-lora":
        extractor: Any = load_extractor(str(args.student), options={"threads": args.threads})
        step = 1
    else:
        shots = 3 if system == "gemma-3shot" else 0
        spec = f"{GEMMA}&n_threads={args.threads}" if args.threads else GEMMA
        extractor = load_extractor(
            spec, schema=schema, shots=shots, examples=args.examples if shots else None
        )
        step = 4  # a few reports per call: the model is loaded once per call
    t0 = time.perf_counter()
    with Progress(BarColumn(), MofNCompleteColumn(), TimeElapsedColumn()) as bar:
        task = bar.add_task(f"{system} on {set_name}", total=len(rows), completed=len(done))
        for i in range(0, len(todo), step):
            part = todo[i : i + step]
            found = extractor.extract([r["text"] for r in part], lang=args.lang)
            with out.open("a", encoding="utf-8") as fh:
                for r, ex in zip(part, found, strict=True):
                    line: dict[str, Any] = {"id": r["id"], "values": ex.values}
                    if ex.evidence:
                        line["evidence"] = {k: [list(s) for s in v] for k, v in ex.evidence.items()}
                    fh.write(json.dumps(line, ensure_ascii=False) + "\n")
            bar.update(task, advance=len(part))
    seconds = time.perf_counter() - t0
    timing = args.out / set_name / f"{system}.time.json"
    prev = json.loads(timing.read_text()) if timing.exists() else {"reports": 0, "seconds": 0.0}
    n, secs = prev["reports"] + len(todo), prev["seconds"] + seconds
    usage = resource.getrusage(resource.RUSAGE_SELF)
    record = {
        "reports": n,
        "seconds": round(secs, 1),
        "reports_per_s": round(n / secs, 4) if secs else None,
        "cpu_seconds_last_run": round(usage.ru_utime + usage.ru_stime, 1),
        "peak_rss_mib": max(prev.get("peak_rss_mib", 0), round(usage.ru_maxrss / 1024, 1)),
        "threads": args.threads,
        "stats": getattr(extractor, "stats", None),
    }
    timing.write_text(json.dumps(record, indent=2) + "\n")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--student", type=Path, help="trained lora student DIR")
    ap.add_argument("--examples", type=Path, help="kept reports (3-shot)")
    ap.add_argument("--set", action="append", default=[], help="NAME=REPORTS[:GOLD]")
    ap.add_argument("--out", type=Path, default=Path("bench-lora"))
    ap.add_argument("--systems", default=",".join(SYSTEMS))
    ap.add_argument("--threads", type=int, default=None)
    ap.add_argument("--limit", type=int, default=None, help="first N reports of each set")
    ap.add_argument("--lang", default="en")
    ap.add_argument("--only", default=None, help=argparse.SUPPRESS)  # SET:SYSTEM (child)
    args = ap.parse_args()
    if args.student is None or args.examples is None or not args.set:
        print(
            "lora_cpu: give --student DIR --examples kept.jsonl --set NAME=REPORTS[:GOLD] (see "
            "the docstring: it needs a trained student); nothing measured."
        )
        return
    sets: dict[str, tuple[Path, Path]] = {}
    for item in args.set:
        name, _, paths = item.partition("=")
        reports, _, gold = paths.partition(":")
        sets[name] = (Path(reports), Path(gold or reports))
    if args.only:
        set_name, system = args.only.split(":")
        run_one(args, set_name, sets[set_name][0], system)
        return
    systems = [s for s in args.systems.split(",") if s]
    for set_name in sets:
        for system in systems:
            child = [sys.executable, __file__, *sys.argv[1:], "--only", f"{set_name}:{system}"]
            if subprocess.run(child, check=False).returncode != 0:
                sys.exit(f"{system} on {set_name} failed")
    from pathsynth.evaluation import evaluate_files
    from pathsynth.schema import load_schema

    summary: dict[str, Any] = {}
    for set_name, (_, gold) in sets.items():
        preds = {s: args.out / set_name / f"{s}.jsonl" for s in systems}
        result = evaluate_files(gold, preds, load_schema("breast13"))
        (args.out / f"{set_name}.md").write_text(result.to_markdown())
        print(f"## {set_name}\n\n{result.to_markdown()}")
        summary[set_name] = {
            s: json.loads((args.out / set_name / f"{s}.time.json").read_text()) for s in systems
        }
    manifest = json.loads((args.student / "manifest.json").read_text())
    summary["training"] = {
        k: manifest.get(k)
        for k in (
            "train_steps",
            "n_windows",
            "train_loop_seconds",
            "train_tokens",
            "train_tokens_per_s",
            "peak_rss_mib",
        )
    }
    (args.out / "summary.json").write_text(json.dumps(summary, indent=2) + "\n")
    print(json.dumps(summary, indent=2))


if __name__ == "__main__":
    main()
