"""The filter's running tally and its summary: kept rates and reasons per teacher, the judge
each teacher's reports had, diversity and layouts per teacher, per-variable verdicts,
privacy; and the rich tables the CLI prints."""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import asdict, dataclass, field
from typing import Any

from rich.markup import escape
from rich.table import Table

from pathsynth.errors import redact
from pathsynth.reports._diversity import DiversityMeter

STATUSES = ("equal", "different", "not_stated", "invented", "absent")


@dataclass
class TeacherTally:
    """One teacher's counts: reports, kept, reasons, judges, layouts, diversity."""

    sample: int
    seed: int
    counts: Counter[str] = field(default_factory=Counter)
    judges: Counter[str] = field(default_factory=Counter)
    layouts: Counter[str] = field(default_factory=Counter)
    families: Counter[str] = field(default_factory=Counter)
    before: DiversityMeter = field(init=False)
    after: DiversityMeter = field(init=False)

    def __post_init__(self) -> None:
        self.before = DiversityMeter(self.sample, self.seed)
        self.after = DiversityMeter(self.sample, self.seed)

    def figures(self) -> dict[str, Any]:
        c = self.counts
        return {
            "n": c["n"],
            "kept": c["kept"],
            "kept_rate": round(c["kept"] / c["n"], 4) if c["n"] else 0.0,
            "reasons": {k.split(":", 1)[1]: v for k, v in c.items() if k.startswith("reason:")},
            "judge": self.judges.most_common(1)[0][0] if self.judges else None,
            "judges": dict(self.judges),
            "diversity": {"before": self.before.figures(), "after": self.after.figures()},
            "layouts": dict(self.layouts.most_common()),
            "families": dict(self.families.most_common()),
        }


@dataclass
class Tally:
    """Running counts behind the summary."""

    sample: int = 100
    seed: int = 0
    n: int = 0
    kept: int = 0
    reasons: Counter[str] = field(default_factory=Counter)
    teachers: dict[str, TeacherTally] = field(default_factory=dict)
    per_variable: dict[str, Counter[str]] = field(default_factory=lambda: defaultdict(Counter))
    judged: int = 0
    identifiers: Counter[str] = field(default_factory=Counter)
    spans: Counter[str] = field(default_factory=Counter)
    overlap: tuple[int, str, str | None] = (0, "", None)

    def teacher(self, name: str) -> TeacherTally:
        if name not in self.teachers:
            self.teachers[name] = TeacherTally(self.sample, self.seed)
        return self.teachers[name]


@dataclass
class FilterSummary:
    """What the filter did: kept rate, reasons, per teacher and variable, diversity, privacy."""

    n_in: int
    n_kept: int
    kept_rate: float
    reasons: dict[str, int]
    per_teacher: dict[str, dict[str, Any]]
    per_variable: dict[str, dict[str, Any]]
    diversity: dict[str, dict[str, Any]]
    privacy: dict[str, Any]
    spans: dict[str, int]
    judge: str
    seconds: float
    reports_per_second: float
    config: dict[str, Any]
    #: The judge each teacher's reports had (the most frequent one when they differ).
    judges: dict[str, str | None] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        """The JSON summary."""
        return asdict(self)


def per_variable_figures(tally: Tally, keys: list[str]) -> dict[str, dict[str, Any]]:
    out = {}
    for key in keys:
        c = tally.per_variable[key]
        failures = c["different"] + c["not_stated"] + c["invented"]
        out[key] = {s: c[s] for s in STATUSES} | {
            "failure_rate": round(failures / tally.judged, 4) if tally.judged else 0.0
        }
    return out


def _diversity_cells(d: dict[str, Any]) -> str:
    return " ".join(
        f"{k.split('_')[-1] if k.startswith('distinct') else 'sBLEU'}={d[k]}"
        for k in ("distinct_1", "distinct_2", "distinct_3", "self_bleu")
    )


def summary_tables(summary: FilterSummary) -> list[Table]:
    """Rich tables of a summary: overview, per teacher, per variable."""
    # Names and ids come from the user's files: escaped, so "[/x]" is text, not markup.
    overview = Table(title=f"filter — judge {escape(redact(summary.judge))}", show_header=False)
    overview.add_column("", style="bold")
    overview.add_column("")
    overview.add_row("reports", str(summary.n_in))
    overview.add_row("kept", f"{summary.n_kept} ({summary.kept_rate:.1%})")
    for code, n in summary.reasons.items():
        overview.add_row(f"rejected: {code}", str(n))
    for stage in ("before", "after"):
        d = summary.diversity[stage]
        figures = " ".join(
            f"{k}={d[k]}" for k in ("distinct_1", "distinct_2", "distinct_3", "self_bleu")
        )
        overview.add_row(f"diversity {stage}", figures)
    largest = summary.privacy["largest_real_overlap"]
    if largest is not None:
        overview.add_row(
            "largest real overlap",
            escape(f"{largest['words']} words ({largest['report_id']} ~ {largest['real_id']})")
            if largest["words"]
            else f"< {summary.privacy['min_overlap']} words",
        )
    overview.add_row("throughput", f"{summary.reports_per_second} reports/s")

    teachers = Table(title="per teacher")
    for col in ("teacher", "judge", "reports", "kept", "kept %", "main reasons", "diversity kept"):
        teachers.add_column(col)
    for name, t in summary.per_teacher.items():
        top = sorted(t["reasons"].items(), key=lambda kv: -kv[1])[:3]
        teachers.add_row(
            escape(name),
            escape(redact(str(t.get("judge") or "—"))),
            str(t["n"]),
            str(t["kept"]),
            f"{t['kept_rate']:.1%}",
            ", ".join(f"{k} {v}" for k, v in top),
            _diversity_cells(t["diversity"]["after"]) if "diversity" in t else "",
        )
    tables = [overview, teachers]
    shapes = [(n, t) for n, t in summary.per_teacher.items() if t.get("layouts")]
    if shapes:
        layouts = Table(title="layouts per teacher (reports in / kept share)")
        for col in ("teacher", "families", "layouts"):
            layouts.add_column(col)
        for name, t in shapes:
            layouts.add_row(
                escape(name),
                ", ".join(f"{k} {v}" for k, v in t["families"].items()),
                f"{len(t['layouts'])} layouts: "
                + ", ".join(f"{k} {v}" for k, v in list(t["layouts"].items())[:8]),
            )
        tables.append(layouts)

    variables = Table(title="per variable")
    for col in ("variable", "equal", "different", "not stated", "invented", "failure %"):
        variables.add_column(col)
    for key, v in summary.per_variable.items():
        variables.add_row(
            key,
            str(v["equal"]),
            str(v["different"]),
            str(v["not_stated"]),
            str(v["invented"]),
            f"{v['failure_rate']:.1%}",
        )
    tables.append(variables)
    return tables
