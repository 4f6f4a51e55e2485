"""How extraction time grows with one report's length: the rules extractor on single reports of
100 KB and 400 KB in several shapes (ordinary template text, the same on one line without sentence
ends, one endless word, many sizes in one sentence). Linear growth gives a 400/100 ratio near 4;
a quadratic step gives 16.

Prints, per shape: seconds at each size, seconds per MB and the ratio. The default report size
limit (``pathsynth._io.MAX_REPORT_CHARS``) is printed with the time its worst shape takes.

Run: nice .venv/bin/python benchmarks/report_length.py
"""

from __future__ import annotations

import time

from pathsynth._io import MAX_REPORT_CHARS
from pathsynth.cohort import simulate_cohort
from pathsynth.extraction.rules import RulesExtractor
from pathsynth.llm.template import TemplateTeacher
from pathsynth.schema import load_schema

SIZES = (100_000, 400_000)


def shapes() -> dict[str, str]:
    schema = load_schema("breast13")
    teacher = TemplateTeacher(schema)
    frame = simulate_cohort(400, seed=0)
    texts = []
    for i, row in enumerate(frame.to_dict("records")):
        record = {k: row.get(k) for k in schema.keys}
        record = {k: (None if v != v else v) for k, v in record.items()}  # NaN → unknown
        texts.append(teacher.compose(record, "fr", i).text)
    prose = "\n\n".join(texts)
    return {
        "reports": prose,
        "one line": prose.replace("\n", " "),
        "no sentence ends": prose.replace("\n", " ").replace(".", " ").replace(";", " "),
        "one word": "a" * len(prose),
        "many sizes": "tumeur de 12 mm, 8 et 5 mm; " * (len(prose) // 28),
    }


def main() -> None:
    extractor = RulesExtractor()
    worst = 0.0
    print(f"{'shape':<18}" + "".join(f"{s // 1000:>8} KB" for s in SIZES) + "    s/MB  ratio")
    for name, base in shapes().items():
        seconds = []
        for size in SIZES:
            text = (base * (size // len(base) + 1))[:size]
            start = time.perf_counter()
            extractor.extract([text])
            seconds.append(time.perf_counter() - start)
        per_mb = seconds[-1] / (SIZES[-1] / 1e6)
        worst = max(worst, per_mb)
        ratio = seconds[-1] / seconds[0]
        print(
            f"{name:<18}" + "".join(f"{s:>9.2f}s" for s in seconds) + f"{per_mb:>8.1f}{ratio:>7.1f}"
        )
    print(
        f"report size limit {MAX_REPORT_CHARS:,} characters: at most "
        f"{worst * MAX_REPORT_CHARS / 1e6:.1f} s per report (worst shape)"
    )


if __name__ == "__main__":
    main()
