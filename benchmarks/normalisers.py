"""Normaliser accuracy on the phrase tables, and the rules extractor on the realistic reports.

Prints, per language: normaliser accuracy (and per key) on tests/data/phrases_{fr,en}.tsv, then
the rules extractor's accuracy per key on tests/data/realistic_reports.jsonl and its throughput.

Run: .venv/bin/python benchmarks/normalisers.py
"""

from __future__ import annotations

import csv
import json
import time
from collections import defaultdict
from pathlib import Path

from pathsynth.extraction.rules import RulesExtractor
from pathsynth.schema import Schema, load_schema, normalize_value

DATA = Path(__file__).resolve().parents[1] / "tests" / "data"


def phrase_tables(schema: Schema) -> None:
    for lang in ("fr", "en"):
        with (DATA / f"phrases_{lang}.tsv").open(encoding="utf-8", newline="") as f:
            rows = [r for r in csv.reader(f, delimiter="\t") if r and not r[0].startswith("#")]
        per_key: dict[str, list[bool]] = defaultdict(list)
        start = time.perf_counter()
        for key, phrase, *rest in rows:
            raw = rest[0] if rest else ""
            var = schema[key]
            expected = (
                None
                if raw == ""
                else raw
                if var.type == "categorical"
                else var.canonical(float(raw))
            )
            per_key[key].append(normalize_value(var, phrase, lang) == expected)
        seconds = time.perf_counter() - start
        hits = [ok for oks in per_key.values() for ok in oks]
        print(
            f"normalisers {lang}: accuracy {sum(hits) / len(hits):.3f} on {len(hits)} phrases "
            f"({len(hits) / seconds:,.0f} phrases/s)"
        )
        for key in schema.keys:
            oks = per_key.get(key, [])
            if oks:
                print(f"  {key:<20} {sum(oks) / len(oks):.3f}  (n={len(oks)})")


def realistic_reports(schema: Schema) -> None:
    rows = [
        json.loads(line)
        for line in (DATA / "realistic_reports.jsonl").read_text(encoding="utf-8").splitlines()
        if line
    ]
    rules = RulesExtractor(schema)
    for lang in ("fr", "en"):
        subset = [r for r in rows if r["lang"] == lang]
        texts = [r["text"] for r in subset]
        rules.extract(texts[:2])  # warm the pattern caches
        start = time.perf_counter()
        preds = []
        for _ in range(3):
            preds = rules.extract(texts)
        seconds = (time.perf_counter() - start) / 3
        per_key = {
            key: [p.values[key] == r["values"][key] for r, p in zip(subset, preds, strict=True)]
            for key in schema.keys
        }
        hits = [ok for oks in per_key.values() for ok in oks]
        print(
            f"rules {lang}: accuracy {sum(hits) / len(hits):.3f} on {len(subset)} reports, "
            f"{len(subset) / seconds:,.0f} reports/s"
        )
        for key, oks in per_key.items():
            print(f"  {key:<20} {sum(oks) / len(oks):.3f}")


def main() -> None:
    schema = load_schema("breast13")
    phrase_tables(schema)
    realistic_reports(schema)


if __name__ == "__main__":
    main()
