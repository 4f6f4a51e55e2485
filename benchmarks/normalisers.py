"""Normaliser accuracy per language (and per key) on the phrase tables in tests/data.

Run: .venv/bin/python benchmarks/normalisers.py
"""

from __future__ import annotations

import csv
import time
from collections import defaultdict
from pathlib import Path

from pathsynth.schema import load_schema, normalize_value

DATA = Path(__file__).resolve().parents[1] / "tests" / "data"


def main() -> None:
    schema = load_schema("breast13")
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
            f"{lang}: accuracy {sum(hits) / len(hits):.3f} on {len(hits)} phrases "
            f"({len(hits) / seconds:,.0f} phrases/s)"
        )
        for key in schema.keys:
            oks = per_key.get(key, [])
            if oks:
                print(f"  {key:<20} {sum(oks) / len(oks):.3f}  (n={len(oks)})")


if __name__ == "__main__":
    main()
