"""Extraction on real and realistic reports: the rules extractor (and a fast student when given)
on the 53 real TCGA-BRCA development reports of ../shared/data, on the hand-written sets of
tests/data (realistic English and French reports of many hospitals, written independently of
the extractors) and on held-out template reports; per key F1 and the micro total, with wrong /
missed / spurious counts, and extraction speed.

Run: .venv/bin/python benchmarks/real_reports.py [--student DIR] [--keys] [--out FILE.json]
The real reports are read from ../shared/data and never copied; the script skips them when
absent.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path
from typing import Any

from pathsynth._io import read_jsonl
from pathsynth.evaluation import evaluate
from pathsynth.extraction import load_extractor
from pathsynth.schema import load_schema

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared" / "data"
DATA = ROOT / "tests" / "data"
sys.path.insert(0, str(Path(__file__).resolve().parent))


def _sets() -> dict[str, tuple[list[dict[str, Any]], list[dict[str, Any]]]]:
    """name -> (reports, gold rows)."""
    out: dict[str, tuple[list[dict[str, Any]], list[dict[str, Any]]]] = {}
    dev = SHARED / "tcga_brca_dev_reports.jsonl"
    if dev.is_file():
        out["tcga-dev"] = (read_jsonl(dev), read_jsonl(SHARED / "tcga_brca_dev_gold.jsonl"))
    for lang in ("en", "fr"):
        reports = read_jsonl(DATA / "handwritten" / f"{lang}_reports.jsonl")
        out[f"handwritten-{lang}"] = (
            reports,
            read_jsonl(DATA / "handwritten" / f"{lang}_gold.jsonl"),
        )
    held = read_jsonl(DATA / "heldout_reports.jsonl")
    for lang in ("fr", "en"):
        rows = [r for r in held if r["lang"] == lang]
        out[f"heldout-{lang}"] = (rows, [{"id": r["id"], "values": r["values"]} for r in rows])
    from extraction import template_reports  # benchmarks/extraction.py

    tmpl = template_reports(400, seed=7)
    out["template"] = (tmpl, [{"id": r["id"], "values": r["record"]} for r in tmpl])
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--student", help="a trained fast student directory to score beside rules")
    ap.add_argument("--keys", action="store_true", help="print the per-key tables")
    ap.add_argument("--out", help="write the figures as JSON here")
    args = ap.parse_args()
    schema = load_schema("breast13")
    systems = {"rules": load_extractor("rules", schema=schema)}
    if args.student:
        systems["fast"] = load_extractor(args.student, schema=schema)
    figures: dict[str, Any] = {}
    for name, (reports, gold) in _sets().items():
        preds = {}
        speed = {}
        for sys_name, ex in systems.items():
            start = time.perf_counter()
            found = ex.extract([r["text"] for r in reports])
            speed[sys_name] = len(reports) / (time.perf_counter() - start)
            preds[sys_name] = [
                {"id": r["id"], "values": f.values} for r, f in zip(reports, found, strict=True)
            ]
        result = evaluate(gold, preds, schema)
        figures[name] = {
            s.name: {
                "f1": round(s.total.f1, 4),
                "accuracy": round(s.total.accuracy, 4),
                "reports_per_s": round(speed[s.name], 1),
                "keys": {k: round(v.f1, 4) for k, v in s.keys.items()},
            }
            for s in result.systems
        }
        line = "  ".join(
            f"{s.name} F1 {s.total.f1:.3f} acc {s.total.accuracy:.3f} ({speed[s.name]:.0f}/s)"
            for s in result.systems
        )
        print(f"{name:16} n={len(reports):4}  {line}")
        if args.keys:
            print(result.to_markdown())
    if args.out:
        Path(args.out).write_text(json.dumps(figures, indent=2) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
