"""Speed and variety of the template teacher.

    .venv/bin/python benchmarks/template.py [--n 4000] [--seed 0] [--filter 400] [--show 2]

Renders reports from the built-in clinical prior (``simulate_cohort``) in French and English,
on one core, and prints reports/s (after a warm-up that parses the phrase banks), the families
and layouts drawn, the damage knobs drawn, diversity (distinct-1..3 and self-BLEU per
language, on the first 1,000 reports of each) and how many distinct phrasings each value got
(distinct span texts with digits masked).
``--filter N`` also runs the first N reports through ``reports filter`` with the spans judge
(the default for template reports) and with the rules judge, and prints the share each keeps,
per family, and why others were dropped.
"""

from __future__ import annotations

import argparse
import json
import re
import tempfile
import time
from collections import Counter, defaultdict
from pathlib import Path

from pathsynth.cohort import simulate_cohort
from pathsynth.llm.template import TemplateTeacher
from pathsynth.reports._diversity import DiversityMeter


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=4000, help="reports to render")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--show", type=int, default=0, help="print this many sample reports")
    parser.add_argument("--filter", type=int, default=0, help="filter this many reports")
    args = parser.parse_args()

    frame = simulate_cohort(args.n, seed=args.seed)
    records = [
        {k: (None if v is None or v != v else v) for k, v in row.items() if k != "id"}
        for row in frame.astype(object).to_dict("records")
    ]
    teacher = TemplateTeacher()
    langs = ["fr" if i % 2 == 0 else "en" for i in range(len(records))]

    # Start-up costs (phrase banks parsed, patterns compiled) are paid once per process, before
    # the clock starts: the figure is the steady-state throughput.
    for family in ("classic", "cap", "chu"):
        for lang in ("fr", "en"):
            teacher.compose(records[0], lang, -1, {"family": family})
    start, cpu_start = time.perf_counter(), time.process_time()
    reports = [
        teacher.compose(rec, lang, args.seed + i)
        for i, (rec, lang) in enumerate(zip(records, langs, strict=True))
    ]
    seconds = time.perf_counter() - start
    cpu = time.process_time() - cpu_start

    layouts = Counter((r.style["layout"], lang) for r, lang in zip(reports, langs, strict=True))
    families = Counter((r.style["family"], lang) for r, lang in zip(reports, langs, strict=True))
    damage = Counter(
        knob
        for r in reports
        for knob, on in (
            ("flatten", r.style["flatten"] == "1"),
            ("ocr", r.style["ocr"] != "0"),
            ("interrupt", r.style["interrupt"] != "0"),
            ("upper", r.style["case"] == "upper"),
        )
        if on
    )
    phrasings: dict[str, set[str]] = defaultdict(set)
    for rep in reports:
        for key, spans in rep.spans.items():
            for a, b in spans:
                phrasings[key].add(re.sub(r"\d+", "#", rep.text[a:b].lower()))
    chars = sum(len(r.text) for r in reports) / len(reports)

    print(f"template teacher: {len(reports)} reports in {seconds:.2f} s wall, {cpu:.2f} s CPU")
    # CPU time is the one-core figure; wall time also counts other processes on a busy machine.
    print(
        f"  {len(reports) / cpu:,.0f} reports/s per CPU-second (one core); "
        f"{len(reports) / seconds:,.0f} reports/s wall; {chars:,.0f} characters/report"
    )
    print(f"  families: {dict(sorted(families.items()))}")
    print(f"  layouts: {len({lay for lay, _ in layouts})} ({dict(sorted(layouts.items()))})")
    print("  damage drawn: " + ", ".join(f"{k} {v / len(reports):.0%}" for k, v in damage.items()))
    for lang in ("fr", "en"):
        meter = DiversityMeter(100, args.seed)
        for rep in [r for r, la in zip(reports, langs, strict=True) if la == lang][:1000]:
            meter.add(rep.text)
        fig = meter.figures()
        print(
            f"  diversity {lang} (n={fig['n']}): distinct-1 {fig['distinct_1']}, distinct-2 "
            f"{fig['distinct_2']}, distinct-3 {fig['distinct_3']}, self-BLEU {fig['self_bleu']}"
        )
    total = sum(len(v) for v in phrasings.values())
    print(f"  distinct value phrasings (digits masked): {total}")
    for key in teacher.schema.keys:
        print(f"    {key:20s} {len(phrasings[key]):5d}")
    if args.filter:
        _filter(records, reports, langs, args.filter)
    for rep, lang in list(zip(reports, langs, strict=True))[: args.show]:
        print(f"\n----- {lang} {rep.style}\n{rep.text}")


def _filter(records: list, reports: list, langs: list[str], n: int) -> None:
    from pathsynth.reports.filter import filter_reports

    with tempfile.TemporaryDirectory() as tmp:
        src = Path(tmp) / "in.jsonl"
        with src.open("w", encoding="utf-8") as f:
            for i, (rec, rep, lang) in enumerate(zip(records, reports, langs, strict=True)):
                if i == n:
                    break
                spans = {k: [list(s) for s in v] for k, v in rep.spans.items()}
                line = {"id": f"t{i}", "text": rep.text, "record": rec, "teacher": "template"}
                line |= {"lang": lang, "seed": i, "style": rep.style, "spans": spans}
                f.write(json.dumps(line, ensure_ascii=False) + "\n")
        for judge in ("spans", "rules"):
            out = Path(tmp) / f"kept-{judge}.jsonl"
            summary = filter_reports(src, out, judge=judge)
            kept = {json.loads(x)["id"] for x in out.read_text("utf-8").splitlines()}
            per_family: dict[str, list[int]] = defaultdict(lambda: [0, 0])
            for i, rep in enumerate(reports[:n]):
                per_family[rep.style["family"]][0] += f"t{i}" in kept
                per_family[rep.style["family"]][1] += 1
            shares = ", ".join(f"{f} {k / t:.1%}" for f, (k, t) in sorted(per_family.items()))
            print(
                f"  reports filter ({judge} judge): {summary.n_kept}/{summary.n_in} kept "
                f"({summary.kept_rate:.1%}; {shares})"
            )
            print(f"    drop reasons: {dict(summary.reasons)}")


if __name__ == "__main__":
    main()
