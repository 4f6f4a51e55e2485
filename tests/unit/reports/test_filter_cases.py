"""The hand-made case set: faulty reports rejected (for the right reason), faithful ones kept.

tests/data/filter_cases.jsonl holds French and English reports written by hand, each with its
record, the expected verdict and the fault it carries (dropped value, changed number, wrong
unit, flipped negation, invented variable, identifier, copied text); the copies come from
tests/data/filter_real_reports.jsonl. Run this module as a script to print the rates.
"""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path
from typing import Any

import pytest

from pathsynth.reports.filter import filter_reports

DATA = Path(__file__).resolve().parents[2] / "data"
CASES = DATA / "filter_cases.jsonl"
REAL = DATA / "filter_real_reports.jsonl"

# The reason a filter must give for each fault (a wrong unit may read as out of range).
EXPECTED_REASONS = {
    "dropped_value": {"not_stated"},
    "changed_number": {"different"},
    "wrong_unit": {"different", "not_stated"},
    "flipped_negation": {"different"},
    "invented_variable": {"invented"},
    "identifier": {"identifier"},
    "copied_text": {"real_overlap"},
}


def run_cases(tmp: Path, judge: Any = "rules") -> dict[str, Any]:
    """Filter the case set; rates per fault type and the cases the filter got wrong."""
    filter_reports(
        CASES,
        tmp / "kept.jsonl",
        rejected_path=tmp / "rejected.jsonl",
        real_path=REAL,
        judge=judge,
        dedup_threshold=None,  # variants of one base would otherwise hide their own faults
    )
    verdict: dict[str, set[str] | None] = {}
    for line in (tmp / "kept.jsonl").read_text("utf-8").splitlines():
        verdict[json.loads(line)["id"]] = None
    for line in (tmp / "rejected.jsonl").read_text("utf-8").splitlines():
        row = json.loads(line)
        verdict[row["id"]] = {r["code"] for r in row["reasons"]}
    total: Counter[str] = Counter()
    right: Counter[str] = Counter()
    wrong: list[str] = []
    for line in CASES.read_text("utf-8").splitlines():
        case = json.loads(line)
        fault, reasons = case["fault"], verdict[case["id"]]
        total[fault] += 1
        ok = (
            reasons is None
            if fault == "none"
            else bool(reasons and reasons & EXPECTED_REASONS[fault])
        )
        right[fault] += ok
        if not ok:
            wrong.append(f"{case['id']}: {sorted(reasons) if reasons else 'kept'}")
    faulty = sum(total[f] for f in EXPECTED_REASONS)
    return {
        "per_fault": {f: (right[f], total[f]) for f in total},
        "faulty_rejected": sum(right[f] for f in EXPECTED_REASONS) / faulty,
        "faithful_kept": right["none"] / total["none"],
        "wrong": wrong,
    }


def test_case_set_is_large_and_bilingual() -> None:
    cases = [json.loads(x) for x in CASES.read_text("utf-8").splitlines()]
    faults = Counter(c["fault"] for c in cases)
    assert sum(n for f, n in faults.items() if f != "none") >= 60
    assert faults["none"] >= 40
    assert set(faults) == {"none", *EXPECTED_REASONS}
    assert {c["lang"] for c in cases if c["fault"] == "none"} == {"fr", "en"}
    for fault in EXPECTED_REASONS:
        assert {c["lang"] for c in cases if c["fault"] == fault} == {"fr", "en"}


@pytest.fixture(scope="module")
def rules_result(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    return run_cases(tmp_path_factory.mktemp("filter_cases"))


@pytest.mark.slow
def test_rules_judge_rejects_faulty_reports_for_the_right_reason(
    rules_result: dict[str, Any],
) -> None:
    assert rules_result["faulty_rejected"] >= 0.95, rules_result["wrong"]


@pytest.mark.slow
def test_rules_judge_keeps_faithful_reports(rules_result: dict[str, Any]) -> None:
    assert rules_result["faithful_kept"] >= 0.90, rules_result["wrong"]


if __name__ == "__main__":
    import sys
    import tempfile

    with tempfile.TemporaryDirectory() as tmp:
        result = run_cases(Path(tmp), sys.argv[1] if len(sys.argv) > 1 else "rules")
    for fault, (ok, n) in sorted(result["per_fault"].items()):
        print(f"{fault:18} {ok:3}/{n:<3} {ok / n:.1%}")
    print(f"faulty rejected for the right reason: {result['faulty_rejected']:.1%}")
    print(f"faithful kept: {result['faithful_kept']:.1%}")
    print("\n".join(result["wrong"]))
