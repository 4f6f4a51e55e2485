"""The filter's options and its faithfulness check: how a report states each variable of its
record (equal, different, not stated, invented, absent) and where (the evidence spans)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, fields
from typing import Any, Literal

from pathsynth.errors import PathsynthError
from pathsynth.extraction.base import Span
from pathsynth.reports._privacy import (
    IDENTIFIER_KINDS,
)
from pathsynth.schema import Schema, Value, Variable

Status = Literal["equal", "different", "not_stated", "invented", "absent"]
REASON_CODES: tuple[str, ...] = (
    "different",
    "not_stated",
    "invented",
    "identifier",
    "real_overlap",
    "near_duplicate",
    "no_record",
    "no_spans",
)


def _opt(default: Any, help: str, **kw: Any) -> Any:
    return field(default=default, metadata={"help": help}, **kw)


@dataclass(frozen=True)
class FilterConfig:
    """Every option of the filter; the field help is the documentation of the CLI flags."""

    judge: str = _opt(
        "auto",
        "Judge: 'auto' (the teacher's spans read back when it gave spans, else 'rules'), "
        "'spans', 'rules', a trained student DIR, or an LLM SPEC.",
    )
    judges: Mapping[str, str] = _opt(
        None, "Judge per teacher name, overriding 'judge' for that teacher's reports."
    )
    min_overlap: int = _opt(
        8, "Reject a report sharing this many consecutive words with a real report."
    )
    dedup_threshold: float | None = _opt(
        0.9, "Word-shingle Jaccard above which a report nearly repeats a kept one (None: off)."
    )
    max_not_stated: int = _opt(0, "Known record values a kept report may leave unstated.")
    max_invented: int = _opt(0, "Values a kept report may state though unknown in the record.")
    tolerances: Mapping[str, tuple[float, float]] = _opt(
        None,
        "Per number variable (absolute, relative) tolerance overriding the schema's own "
        "(breast-13: taille and ki67 within 0.5, as in the evaluation).",
    )
    identifiers: tuple[str, ...] = _opt(
        IDENTIFIER_KINDS, "Identifier kinds that reject a report: " + ", ".join(IDENTIFIER_KINDS)
    )
    boilerplate_reports: int | None = _opt(
        None,
        "Ignore real n-grams found in at least this many real reports (house style, not one "
        "patient's text); None: any shared span counts.",
    )
    self_bleu_sample: int = _opt(100, "Reports sampled for self-BLEU (quadratic cost).")
    batch_size: int = _opt(32, "Reports given to the judge at once.")
    seed: int = _opt(0, "Seed of the MinHash permutations and the self-BLEU sample.")

    def __post_init__(self) -> None:
        if self.tolerances is None:
            object.__setattr__(self, "tolerances", {})
        if self.judges is None:
            object.__setattr__(self, "judges", {})
        if self.min_overlap < 1:
            raise PathsynthError(f"--min-overlap must be at least 1, got {self.min_overlap}")
        if self.dedup_threshold is not None and not 0 < self.dedup_threshold <= 1:
            raise PathsynthError(f"--dedup-threshold must be in (0, 1], got {self.dedup_threshold}")
        if self.max_not_stated < 0 or self.max_invented < 0:
            raise PathsynthError("--max-not-stated and --max-invented cannot be negative")
        if self.batch_size < 1:
            raise PathsynthError("batch size must be at least 1")
        unknown = set(self.identifiers) - set(IDENTIFIER_KINDS)
        if unknown:
            raise PathsynthError(
                f"unknown identifier kind(s) {sorted(unknown)}: choose among "
                f"{', '.join(IDENTIFIER_KINDS)}"
            )

    @classmethod
    def help(cls, name: str) -> str:
        """The documentation of option ``name``."""
        return str(next(f.metadata["help"] for f in fields(cls) if f.name == name))


@dataclass(frozen=True)
class VariableCheck:
    """How one report states one variable of its record."""

    key: str
    status: Status
    record: Value
    stated: Value

    @property
    def failed(self) -> bool:
        return self.status in ("different", "not_stated", "invented")


def _fmt(value: Value) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _as_number(value: Value) -> float | None:
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, int | float):
        return float(value)
    try:
        return float(str(value).replace(",", "."))
    except ValueError:
        return None


def values_match(var: Variable, record: Value, stated: Value, config: FilterConfig) -> bool:
    """Whether a stated value equals the record's: the variable's own equality (the one the
    evaluation uses), unless the filter's options override a number's tolerance."""
    if var.type == "categorical":
        return str(stated) == str(record)
    a, b = _as_number(stated), _as_number(record)
    if a is None or b is None:
        return False
    if var.key in config.tolerances and var.type == "number":
        abs_tol, rel_tol = config.tolerances[var.key]
        return abs(a - b) <= max(abs_tol, rel_tol * abs(b)) + 1e-9
    return var.equal(a, b)


def check_values(
    record: Mapping[str, Value],
    stated: Mapping[str, Value],
    schema: Schema,
    config: FilterConfig | None = None,
) -> list[VariableCheck]:
    """Compare what a report states with its record, one :class:`VariableCheck` per key."""
    config = config or FilterConfig()
    checks = []
    for key in schema.keys:
        var = schema[key]
        rec, got = record.get(key), stated.get(key)
        if rec is None:
            status: Status = "absent" if got is None else "invented"
        elif got is None:
            status = "not_stated"
        else:
            status = "equal" if values_match(var, rec, got, config) else "different"
        checks.append(VariableCheck(key, status, rec, got))
    return checks


def faithfulness_reasons(
    checks: Sequence[VariableCheck], config: FilterConfig
) -> list[dict[str, str]]:
    """Reasons to reject a report given its checks (empty when faithful enough)."""
    reasons = []
    not_stated = [c for c in checks if c.status == "not_stated"]
    invented = [c for c in checks if c.status == "invented"]
    for c in checks:
        if c.status == "different":
            detail = f"{c.key}: stated {_fmt(c.stated)} ≠ record {_fmt(c.record)}"
            reasons.append({"code": "different", "key": c.key, "detail": detail})
    if len(not_stated) > config.max_not_stated:
        for c in not_stated:
            detail = f"{c.key}: record {_fmt(c.record)} not stated"
            reasons.append({"code": "not_stated", "key": c.key, "detail": detail})
    if len(invented) > config.max_invented:
        for c in invented:
            detail = f"{c.key}: stated {_fmt(c.stated)} though unknown in the record"
            reasons.append({"code": "invented", "key": c.key, "detail": detail})
    return reasons


def _valid_spans(raw: object, length: int) -> list[Span]:
    spans: list[Span] = []
    if not isinstance(raw, list):
        return spans
    for item in raw:
        if (
            isinstance(item, list | tuple)
            and len(item) == 2
            and all(isinstance(x, int) and not isinstance(x, bool) for x in item)
            and 0 <= item[0] < item[1] <= length
        ):
            spans.append((int(item[0]), int(item[1])))
    return spans


def _overlaps(a: Span, b: Span) -> bool:
    return a[0] < b[1] and b[0] < a[1]


def _union(spans: Sequence[Span]) -> list[list[int]]:
    # Keep distinct mentions; drop a span that lies inside another one.
    unique = sorted(set(spans), key=lambda s: (s[0], -s[1]))
    kept: list[Span] = []
    for s in unique:
        if not any(k[0] <= s[0] and s[1] <= k[1] for k in kept):
            kept.append(s)
    return [[s, e] for s, e in kept]


def merge_evidence(
    checks: Sequence[VariableCheck],
    judge_spans: Mapping[str, Sequence[Span]],
    teacher_spans: Mapping[str, object] | None,
    text_length: int,
    tally: Counter[str] | None = None,
) -> dict[str, list[list[int]]]:
    """Where each correctly stated value was found, from the judge and the teacher's spans.

    The judge's spans are kept (it read the value there); the teacher's are added when they
    overlap the judge's or when the judge gave none. ``tally`` counts agree / disagree /
    judge_only / teacher_only for the summary.
    """
    evidence: dict[str, list[list[int]]] = {}
    for c in checks:
        if c.status != "equal":
            continue
        judge = _valid_spans([list(s) for s in judge_spans.get(c.key, [])], text_length)
        teacher = _valid_spans((teacher_spans or {}).get(c.key), text_length)
        if judge and teacher:
            agree = [t for t in teacher if any(_overlaps(t, j) for j in judge)]
            outcome = "agree" if agree else "disagree"
            spans = judge + agree
        elif judge:
            outcome, spans = "judge_only", judge
        elif teacher:
            outcome, spans = "teacher_only", teacher
        else:
            outcome, spans = "none", []
        if tally is not None:
            tally[outcome] += 1
        if spans:
            evidence[c.key] = _union(spans)
    return evidence
