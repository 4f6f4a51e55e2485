"""Cohort benchmark: `cohort simulate --n 4000` time, its marginals beside the cited figures,
and the time to complete the TCGA-BRCA cohort (when ../shared/data holds it).

Run: .venv/bin/python benchmarks/cohort.py [--n 4000] [--seed 0]
Sources of the cited figures: docs/clinical-prior.md.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pandas as pd

from pathsynth.cohort import read_records

ROOT = Path(__file__).resolve().parents[1]
TCGA = ROOT.parent / "shared" / "data" / "tcga_brca_cohort.csv"
CLI = [sys.executable, "-c", "from pathsynth.cli import main; main()"]


def pct(mask: pd.Series) -> float:
    m = mask.dropna().astype(bool)
    return 100.0 * float(m.mean()) if len(m) else float("nan")


def share(series: pd.Series, value: object) -> float:
    known = series.dropna()
    return 100.0 * float((known == value).mean()) if len(known) else float("nan")


def marginals(df: pd.DataFrame) -> list[tuple[str, float, str, str]]:
    """(figure, model value, cited value, source) rows."""
    inv = df[df["diagnostic"] != "8500/2"]
    rows: list[tuple[str, float, str, str]] = []
    typed = inv.dropna(subset=["re", "rp", "her2"])
    hr = (typed["re"] == "positive") | (typed["rp"] == "positive")
    her2 = typed["her2"] == "positive"
    howlader = "Howlader 2014"
    rows += [
        ("HR+/HER2- (% of invasive, known status)", pct(hr & ~her2), "72.7", howlader),
        ("triple negative", pct(~hr & ~her2), "12.2", howlader),
        ("HR+/HER2+", pct(hr & her2), "10.3", howlader),
        ("HR-/HER2+", pct(~hr & her2), "4.6", howlader),
    ]
    li = "Li 2005 (SEER)"
    for code, name, cited in [
        ("8500/3", "ductal / NST", "76"),
        ("8520/3", "lobular", "8"),
        ("8522/3", "mixed ductal-lobular", "7"),
        ("8480/3", "mucinous", "2.4"),
        ("8211/3", "tubular", "1.5"),
        ("8510/3", "medullary", "1.2"),
        ("8503/3", "papillary", "1"),
    ]:
        rows.append((f"{name} (% of invasive)", share(inv["diagnostic"], code), cited, li))
    nst = inv[inv["diagnostic"] == "8500/3"].dropna(subset=["re", "rp"])
    both_neg = (nst["re"] == "negative") & (nst["rp"] == "negative")
    rows.append(("ER-/PR- among ductal (%)", pct(both_neg), "19.3", li))
    lob = inv[inv["diagnostic"] == "8520/3"]
    kr = "Korean ILC series 2010"
    rows += [
        ("lobular: ER+ (%)", share(lob["re"], "positive"), "90.4", kr),
        ("lobular: HER2- (%)", share(lob["her2"], "negative"), "97.5", kr),
        ("lobular: grade 1-2 (%)", pct(lob["grade"].dropna() <= 2), "90.4", kr),
        ("lobular: mean Ki-67 (%)", float(lob["ki67"].mean()), "10.3", kr),
        ("ductal: mean Ki-67 (%)", float(nst["ki67"].mean()), "20.6", kr),
    ]
    rows.append(
        ("DCIS without invasion (% of all)", share(df["diagnostic"], "8500/2"), "~17", "ACS 2015")
    )
    rows.append(
        ("LVI present (% of invasive)", share(inv["emboles"], "yes"), "29.2", "Nishimura 2022")
    )
    size = inv["taille"].dropna()
    scot = "Aljarrah 2014 / Gujam 2014"
    rows += [
        ("size <= 20 mm, T1 (%)", pct(size <= 20), "49.3 / 51", scot),
        ("size 21-50 mm, T2 (%)", pct((size > 20) & (size <= 50)), "36.8 / 45", scot),
        ("size > 50 mm, T3 (%)", pct(size > 50), "13.7 / 4", scot),
    ]
    staged = inv.dropna(subset=["numero_gang_att", "taille"])
    positive = staged["numero_gang_att"] > 0
    crt = "Cancer Res Treat 2010"
    t1c = (staged["taille"] > 10) & (staged["taille"] <= 20)
    t2 = (staged["taille"] > 20) & (staged["taille"] <= 50)
    rows += [
        ("node positive, T1c (%)", pct(positive[t1c]), "21.8", crt),
        ("node positive, T2 (%)", pct(positive[t2]), "44.2", crt),
        ("node positive, T1-T2 (%)", pct(positive[staged["taille"] <= 50]), "28.8", crt),
    ]
    examined = inv["numero_gang_prel"].dropna()
    rows += [
        ("sentinel-like (<= 5 nodes): median examined", float(examined[examined <= 5].median()),
         "1-2", "ACS / JACS 2013"),
        ("dissection-like (> 5): median examined", float(examined[examined > 5].median()),
         ">= 10", "ACS / JACS 2013"),
    ]  # fmt: skip
    nodes = inv["numero_gang_att"]
    ece = inv["rupture_capsulaire"]
    dokuz = "Dokuz Eylul 2004"
    rows += [
        ("ECE among node positive (%)", share(ece[nodes > 0], "yes"), "-", "see doc"),
        ("ECE with >= 4 positive nodes (%)", share(ece[nodes >= 4], "yes"), "57.5*", dokuz),
    ]
    bcs = df[df["echantillon"] == "lumpectomy"]
    rows.append(
        ("lumpectomy margins involved (%)", share(bcs["marges_saines"], "no"), "<18.8", "KPNC 2022")
    )
    ki = inv["ki67"].dropna()
    kan = "Kanyilmaz 2019"
    rows += [
        ("Ki-67 < 10 % (%)", pct(ki < 10), "18", kan),
        ("Ki-67 10-25 % (%)", pct((ki >= 10) & (ki <= 25)), "32", kan),
        ("Ki-67 > 25 % (%)", pct(ki > 25), "50", kan),
    ]
    grades = inv["grade"].dropna()
    rows += [(f"grade {g} (% of invasive)", pct(grades == g), "-", "see doc") for g in (1, 2, 3)]
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--n", type=int, default=4000)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "cohort.csv"
        start = time.perf_counter()
        cmd = [*CLI, "cohort", "simulate", "--n", str(args.n), "--seed", str(args.seed)]
        subprocess.run([*cmd, "--out", str(out)], check=True, capture_output=True)
        wall = time.perf_counter() - start
        frame = read_records(out).frame
        print(f"cohort simulate --n {args.n}: {wall:.2f} s wall (CLI, process start included)")
        from pathsynth.cohort import simulate_cohort

        start = time.perf_counter()
        simulate_cohort(args.n, args.seed)
        print(f"simulate_cohort({args.n}) in process: {time.perf_counter() - start:.3f} s\n")
        print(f"| figure | model (n={args.n}) | cited | source |")
        print("|---|---:|---:|---|")
        for name, value, cited, source in marginals(frame):
            print(f"| {name} | {value:.1f} | {cited} | {source} |")
        missing = frame.drop(columns="id").isna().mean().mul(100).round(1)
        print("\nunknown cells (%):", ", ".join(f"{k} {v}" for k, v in missing.items()))
        if not TCGA.is_file():
            print("\nTCGA completion: skipped (../shared/data/tcga_brca_cohort.csv absent)")
            return
        done = Path(tmp) / "tcga_completed.csv"
        start = time.perf_counter()
        cmd = [*CLI, "cohort", "complete", "--data", str(TCGA), "--blank-invalid"]
        res = subprocess.run(
            [*cmd, "--seed", str(args.seed), "--out", str(done)],
            check=True,
            capture_output=True,
            text=True,
        )
        wall = time.perf_counter() - start
        print(f"\ncohort complete on TCGA-BRCA: {wall:.2f} s wall (CLI)")
        print("\n".join(line for line in res.stdout.splitlines() if not line.startswith("  row")))


if __name__ == "__main__":
    main()
