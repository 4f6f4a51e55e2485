"""A user's own schema end to end, as the user runs it: the colorectal pack in tests/data/packs
(schema and prior as data, no Python) through every stage of the CLI, scored on held-out
template reports."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from pathsynth.cli import main

PACK = str(Path(__file__).resolve().parents[1] / "data" / "packs" / "colorectal")
pytestmark = pytest.mark.slow


def _run(*args: str) -> None:
    main([*args, "--schema", PACK])


def _lines(path: Path) -> list[dict]:
    return [json.loads(x) for x in path.read_text(encoding="utf-8").splitlines()]


def _is_prose(text: str) -> bool:
    """Some line holds two sentences or more: more than ``Name: value`` lines."""
    return any(len(re.findall(r"[.;](?:\s|$)", line)) >= 2 for line in text.splitlines())


def test_colorectal_pack_end_to_end(tmp_path: Path) -> None:
    t = tmp_path
    _run("cohort", "simulate", "--n", "300", "--seed", "1", "--out", str(t / "cohort.csv"))
    _run("cohort", "validate", "--data", str(t / "cohort.csv"))
    _run("tabular", "synthesize", "--data", str(t / "cohort.csv"), "--synthesizer",
         "gaussian_copula", "--n", "120", "--seed", "0", "--out", str(t / "synth.csv"))  # fmt: skip
    _run("cohort", "validate", "--data", str(t / "synth.csv"))
    # held-out patients straight from the prior, written with another seed
    _run("cohort", "simulate", "--n", "40", "--seed", "7", "--out", str(t / "held.csv"))
    for lang in ("fr", "en"):
        for name, records, seed in (("train", "synth.csv", "0"), ("held", "held.csv", "99")):
            _run("reports", "generate", "--records", str(t / records), "--teacher", "template",
                 "--lang", lang, "--seed", seed, "--out", str(t / f"{name}_{lang}.jsonl"),
                 "--quiet")  # fmt: skip
    for name in ("train", "held"):  # one file per language, then both together
        parts = [(t / f"{name}_{lang}.jsonl").read_text(encoding="utf-8") for lang in ("fr", "en")]
        (t / f"{name}.jsonl").write_text("".join(parts), encoding="utf-8")
    reports = _lines(t / "train.jsonl")
    assert len(reports) == 240
    for lang in ("fr", "en"):
        texts = [r["text"] for r in reports if r["lang"] == lang]
        assert sum(map(_is_prose, texts)) >= 0.4 * len(texts), lang
    assert any("ganglions" in r["text"].lower() for r in reports if r["lang"] == "fr")

    _run("reports", "filter", "--in", str(t / "train.jsonl"), "--out", str(t / "kept.jsonl"))
    kept = _lines(t / "kept.jsonl")
    assert len(kept) >= 0.7 * len(reports)

    _run("student", "train", "--data", str(t / "kept.jsonl"), "--kind", "fast", "--seed", "0",
         "--out", str(t / "fast"))  # fmt: skip
    for model in ("fast", "rules"):
        source = str(t / "fast") if model == "fast" else "rules"
        _run("extract", "--model", source, "--input", str(t / "held.jsonl"), "--out",
             str(t / f"pred_{model}.jsonl"))  # fmt: skip
    preds = [f"{m}={t / f'pred_{m}.jsonl'}" for m in ("fast", "rules")]
    _run("evaluate", "--gold", str(t / "held.jsonl"), "--pred", preds[0], "--pred", preds[1],
         "--json", "--out", str(t / "scores.json"))  # fmt: skip
    scores = json.loads((t / "scores.json").read_text())
    assert scores["n_reports"] == 80
    for system in ("fast", "rules"):
        result = scores["systems"][system]
        assert result["total"]["f1"] >= 0.85, system
        assert result["total"]["precision"] >= 0.95, system
        for key, per in result["keys"].items():
            assert per["f1"] >= 0.7, (system, key)
