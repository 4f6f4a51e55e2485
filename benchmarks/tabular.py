"""Benchmark of the tabular stage: fit time and peak memory per synthesizer, and scoring time.

Each synthesizer runs in a fresh Python process (this script with ``--one NAME``), so its peak
resident memory is its own. The
cohort is simulated (``pathsynth.cohort.simulate_cohort``), split into training and an equal
holdout as ``tabular compare`` does, and scored with mostlyai-qa + sdmetrics (no HTML).

    .venv/bin/python benchmarks/tabular.py [--n 4000] [--epsilon 3] [--synthesizers a,b,c]
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import time


def _run_one(name: str, n: int, epsilon: float, seed: int) -> None:
    from pathsynth.cohort import simulate_cohort
    from pathsynth.schema import load_schema
    from pathsynth.tabular import SYNTHESIZERS, make_synthesizer
    from pathsynth.tabular._codec import RecordCodec
    from pathsynth.tabular.compare import split_holdout
    from pathsynth.tabular.metrics import dcr_overfitting_protection, score_mostlyai

    schema = load_schema("breast13")
    frame = simulate_cohort(n, seed, schema)
    codec = RecordCodec.for_frame(schema, frame)
    clean, _ = codec.clean(frame)
    training, holdout = split_holdout(clean, seed)
    eps = epsilon if SYNTHESIZERS[name].differentially_private else None
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    synth = make_synthesizer(name, schema, eps, seed).fit(training)
    start = time.perf_counter()
    synthetic = synth.sample(len(training))
    sample_s = time.perf_counter() - start
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    start = time.perf_counter()
    scores, _ = score_mostlyai(synthetic, training, holdout, codec.keys, report_path=None, title="")
    scores.dcr_overfitting_protection = dcr_overfitting_protection(
        synthetic, training, holdout, schema, codec.keys
    )
    score_s = time.perf_counter() - start
    print(
        "RESULT "
        + json.dumps(
            {
                "name": name,
                "fit_s": synth.fit_seconds,
                "sample_s": sample_s,
                "score_s": score_s,
                "peak_mb": peak_mb,
                "baseline_mb": before / 1024,
                "overall": scores.overall_accuracy,
                "dcr_share": scores.dcr_share,
            }
        ),
        flush=True,
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=4000, help="simulated records (half train)")
    parser.add_argument("--epsilon", type=float, default=3.0)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--synthesizers", default="gaussian_copula,ctgan,patectgan,mst")
    parser.add_argument("--one", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.one:
        _run_one(args.one, args.n, args.epsilon, args.seed)
        return
    rows = []
    total = time.perf_counter()
    for name in args.synthesizers.split(","):
        cmd = [sys.executable, __file__, "--one", name, "--n", str(args.n)]
        cmd += ["--epsilon", str(args.epsilon), "--seed", str(args.seed)]
        proc = subprocess.run(cmd, capture_output=True, text=True, check=False)
        lines = [ln for ln in proc.stdout.splitlines() if ln.startswith("RESULT ")]
        if proc.returncode != 0 or not lines:
            tail = (proc.stderr.strip().splitlines() or ["?"])[-1]
            print(f"{name}: failed (exit code {proc.returncode}): {tail}", file=sys.stderr)
            continue
        row = json.loads(lines[-1][len("RESULT ") :])
        rows.append(row)
        print(
            f"{name:<16} fit {row['fit_s']:7.1f} s  sample {row['sample_s']:5.1f} s  "
            f"score {row['score_s']:6.1f} s  peak RSS {row['peak_mb']:7.0f} MB  "
            f"(overall acc. {row['overall']:.3f}, DCR share {row['dcr_share']:.3f})",
            flush=True,
        )
    print(
        f"total {time.perf_counter() - total:.0f} s for {len(rows)} synthesizers on "
        f"{args.n} records ({args.n // 2} training), epsilon {args.epsilon:g}"
    )


if __name__ == "__main__":
    main()
