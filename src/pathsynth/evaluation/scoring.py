"""Per-variable scores of extraction systems against gold values (docs/INTERFACE.md definitions).

accuracy: exact match over all reports, ``null`` counting as a value.
F1 over filled slots: TP = prediction non-null and equal to gold; FP = prediction non-null and
not equal; FN = gold non-null and prediction null or different. The total is micro-averaged
(TP, FP, FN and matches summed over keys).

Numbers are compared after canonicalisation with the schema's tolerance of each variable
(breast-13: 0.5 mm for the size, 0.5 point for Ki-67), because "2,8 cm" read as 28.0 and "28 mm"
are the same fact while rounding in a report ("~28 mm") should not count as an error. The filter
uses the same equality (:meth:`pathsynth.schema.Variable.equal`).
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pathsynth._io import read_jsonl
from pathsynth.errors import PathsynthError
from pathsynth.schema import Schema, Value, Variable

NULL = "null"


def coerce_value(var: Variable, value: Any) -> Value:
    """A file's value as a canonical value of ``var``; unreadable values become ``None``.

    Predictions are read leniently ("28" for 28, "3" for grade 3, "Positive" for positive) so a
    system is scored on what it found, not on JSON typing; anything still invalid counts as null.
    """
    if value is None:
        return None
    if isinstance(value, float) and math.isnan(value):
        return None
    if var.type == "categorical":
        text = str(value).strip()
        if text in var.codes:
            return text
        low = text.lower()
        for code in var.codes:
            if code.lower() == low:
                return code
        return None
    if isinstance(value, bool):
        return None
    if isinstance(value, str):
        try:
            value = float(value.strip().replace(",", "."))
        except ValueError:
            return None
    if not isinstance(value, int | float):
        return None
    if var.type == "integer" and float(value) != int(value):
        return None
    if not var.is_valid(value):
        return None
    return var.canonical(value)


def values_equal(var: Variable, gold: Value, pred: Value) -> bool:
    """Whether a predicted value matches gold (both ``None`` counts as equal)."""
    return var.equal(gold, pred)


@dataclass
class KeyScore:
    """Scores of one system on one variable."""

    n: int = 0
    correct: int = 0
    tp: int = 0
    fp: int = 0
    fn: int = 0
    #: why the errors: a value other than gold's, no value though gold has one, a value though
    #: gold has none; and how many reports state the key (gold non-null), how many of those right
    wrong: int = 0
    missed: int = 0
    spurious: int = 0
    stated: int = 0
    stated_correct: int = 0
    #: gold value → predicted value → count (values as strings, ``null`` for unknown); for
    #: numbers, values are bucketed into ``equal`` / ``other`` to keep the table small.
    confusion: dict[str, dict[str, int]] = field(default_factory=dict)

    @property
    def accuracy(self) -> float:
        return self.correct / self.n if self.n else 0.0

    @property
    def precision(self) -> float:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 0.0

    @property
    def recall(self) -> float:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 0.0

    @property
    def stated_accuracy(self) -> float:
        """Accuracy over the reports whose gold states the key."""
        return self.stated_correct / self.stated if self.stated else 0.0

    @property
    def f1(self) -> float:
        denom = 2 * self.tp + self.fp + self.fn
        # No filled slot on either side: nothing to get wrong.
        return 2 * self.tp / denom if denom else 1.0

    def add(self, other: KeyScore) -> None:
        self.n += other.n
        self.correct += other.correct
        self.tp += other.tp
        self.fp += other.fp
        self.fn += other.fn
        self.wrong += other.wrong
        self.missed += other.missed
        self.spurious += other.spurious
        self.stated += other.stated
        self.stated_correct += other.stated_correct

    def to_dict(self) -> dict[str, Any]:
        return {
            "accuracy": round(self.accuracy, 4),
            "f1": round(self.f1, 4),
            "precision": round(self.precision, 4),
            "recall": round(self.recall, 4),
            "n": self.n,
            "correct": self.correct,
            "tp": self.tp,
            "fp": self.fp,
            "fn": self.fn,
            "wrong": self.wrong,
            "missed": self.missed,
            "spurious": self.spurious,
            "stated": self.stated,
            "stated_accuracy": round(self.stated_accuracy, 4),
            "confusion": self.confusion,
        }


@dataclass
class SystemScore:
    """Scores of one system: one :class:`KeyScore` per variable, the micro total, coverage."""

    name: str
    keys: dict[str, KeyScore]
    total: KeyScore
    missing: int = 0  # gold reports the system has no prediction for (scored as all-null)

    def to_dict(self) -> dict[str, Any]:
        total = self.total.to_dict()
        total.pop("confusion")
        return {
            "keys": {k: s.to_dict() for k, s in self.keys.items()},
            "total": total,
            "missing_predictions": self.missing,
        }


@dataclass
class EvaluationResult:
    """The outcome of :func:`evaluate`: systems side by side, in the order given."""

    schema_keys: list[str]
    systems: list[SystemScore]
    n_reports: int
    #: the schema's tolerance of each number variable: ``{key: {"abs", "rel"}}``
    tolerance: dict[str, dict[str, float]] = field(default_factory=dict)

    def system(self, name: str) -> SystemScore:
        for s in self.systems:
            if s.name == name:
                return s
        raise KeyError(name)

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready scores: ``{"n_reports", "tolerance", "systems": {name: {...}}}``."""
        return {
            "n_reports": self.n_reports,
            "tolerance": self.tolerance,
            "systems": {s.name: s.to_dict() for s in self.systems},
        }

    def to_markdown(self, *, digits: int = 2) -> str:
        """The study's table: rows = attributes, columns = systems, each with Acc and F1."""
        head = ["attribute"]
        for s in self.systems:
            head += [f"{s.name} Acc", f"{s.name} F1"]
        lines = [
            "| " + " | ".join(head) + " |",
            "|" + "|".join(["---"] + ["---:"] * (len(head) - 1)) + "|",
        ]
        fmt = f"{{:.{digits}f}}"

        def row(label: str, scores: list[KeyScore]) -> str:
            cells = [label]
            best_acc = max(s.accuracy for s in scores)
            best_f1 = max(s.f1 for s in scores)
            for s in scores:
                acc, f1 = fmt.format(s.accuracy), fmt.format(s.f1)
                # Bold the best system per row when several are compared, as in the study.
                if len(scores) > 1 and s.accuracy == best_acc:
                    acc = f"**{acc}**"
                if len(scores) > 1 and s.f1 == best_f1:
                    f1 = f"**{f1}**"
                cells += [acc, f1]
            return "| " + " | ".join(cells) + " |"

        for key in self.schema_keys:
            lines.append(row(key, [s.keys[key] for s in self.systems]))
        lines.append(row("**Total**", [s.total for s in self.systems]))
        lines.append("")
        lines.append(f"{self.n_reports} reports; totals are micro-averaged over the keys.")
        missing = [f"{s.name}: {s.missing}" for s in self.systems if s.missing]
        if missing:
            lines.append("Reports without a prediction (scored as all null): " + ", ".join(missing))
        lines += ["", *self.errors_markdown()]
        return "\n".join(lines) + "\n"

    def errors_markdown(self) -> list[str]:
        """Why each system errs, per key: wrong / missed / spurious counts and the accuracy over
        the reports whose gold states the key."""
        head = ["attribute"]
        for s in self.systems:
            head += [f"{s.name} wrong", "missed", "spurious", "acc stated"]
        lines = [
            "Errors: wrong = another value than gold's, missed = no value though gold has one, "
            "spurious = a value though gold has none; acc stated = accuracy over the reports "
            "whose gold states the key.",
            "",
            "| " + " | ".join(head) + " |",
            "|" + "|".join(["---"] + ["---:"] * (len(head) - 1)) + "|",
        ]
        for key in [*self.schema_keys, "total"]:
            cells = [f"**{key.capitalize()}**" if key == "total" else key]
            for s in self.systems:
                k = s.total if key == "total" else s.keys[key]
                cells += [str(k.wrong), str(k.missed), str(k.spurious), f"{k.stated_accuracy:.2f}"]
            lines.append("| " + " | ".join(cells) + " |")
        return lines

    def plot(self, path: str | Path) -> Path:
        """A grouped bar chart of F1 per attribute and system, written as PNG."""
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt

        labels = [*self.schema_keys, "Total"]
        n_sys = max(len(self.systems), 1)
        width = 0.8 / n_sys
        fig, ax = plt.subplots(figsize=(max(8.0, 0.7 * len(labels) * max(1, n_sys / 2)), 4.5))
        for i, s in enumerate(self.systems):
            vals = [s.keys[k].f1 for k in self.schema_keys] + [s.total.f1]
            xs = [j + (i - (n_sys - 1) / 2) * width for j in range(len(labels))]
            ax.bar(xs, vals, width=width, label=s.name)
        ax.set_xticks(range(len(labels)))
        ax.set_xticklabels(labels, rotation=45, ha="right")
        ax.set_ylim(0, 1.05)
        ax.set_ylabel("F1")
        ax.set_title(f"Extraction F1 per attribute ({self.n_reports} reports)")
        ax.legend(fontsize="small", ncol=min(n_sys, 4))
        fig.tight_layout()
        out = Path(path)
        out.parent.mkdir(parents=True, exist_ok=True)
        from pathsynth._io import atomic_path

        with atomic_path(out) as tmp:
            fig.savefig(tmp, format="png", dpi=120)
        plt.close(fig)
        return out


def _label(var: Variable, value: Value) -> str:
    return NULL if value is None else str(value)


def _score_key(var: Variable, pairs: Iterable[tuple[Value, Value]]) -> KeyScore:
    score = KeyScore()
    for gold, pred in pairs:
        score.n += 1
        equal = values_equal(var, gold, pred)
        score.correct += equal
        if pred is not None:
            if equal:
                score.tp += 1
            else:
                score.fp += 1
        if gold is not None and not equal:
            score.fn += 1
        if gold is not None:
            score.stated += 1
            score.stated_correct += equal
            score.missed += pred is None
            score.wrong += pred is not None and not equal
        elif pred is not None:
            score.spurious += 1
        if var.type == "categorical":
            g, p = _label(var, gold), _label(var, pred)
        else:
            g = "null" if gold is None else "value"
            p = "null" if pred is None else ("equal" if equal else "other")
        score.confusion.setdefault(g, {})
        score.confusion[g][p] = score.confusion[g].get(p, 0) + 1
    return score


def gold_values(row: Mapping[str, Any]) -> dict[str, Any]:
    """The values of a gold line: ``values`` (gold/prediction file) or ``record`` (reports file)."""
    for field_name in ("values", "record"):
        vals = row.get(field_name)
        if isinstance(vals, dict):
            return vals
    raise PathsynthError(
        f"gold line {row.get('id')!r} has neither 'values' nor 'record': give a gold or "
        "prediction JSONL ({'id','values'}) or a generated reports JSONL ({'id','record'})"
    )


def evaluate(
    gold_rows: Iterable[Mapping[str, Any]],
    predictions: Mapping[str, Iterable[Mapping[str, Any]]],
    schema: Schema,
) -> EvaluationResult:
    """Score each system of ``predictions`` (name → prediction rows) against ``gold_rows``.

    Rows are dicts with ``id`` and ``values`` (gold rows may hold ``record`` instead). Every gold
    report is scored; a report a system did not predict counts as all-null for that system.
    """
    gold: dict[str, dict[str, Value]] = {}
    for row in gold_rows:
        if "id" not in row:
            raise PathsynthError("a gold line lacks 'id'")
        vals = gold_values(row)
        gold[str(row["id"])] = {k: coerce_value(schema[k], vals.get(k)) for k in schema.keys}
    if not gold:
        raise PathsynthError("the gold file holds no report")
    if not predictions:
        raise PathsynthError("give at least one prediction file")
    systems = []
    for name, rows in predictions.items():
        preds: dict[str, dict[str, Any]] = {}
        for row in rows:
            if "id" not in row:
                raise PathsynthError(f"{name}: a prediction line lacks 'id'")
            pvals = row.get("values")
            if not isinstance(pvals, dict):
                raise PathsynthError(f"{name}: prediction {row['id']!r} lacks a 'values' object")
            preds[str(row["id"])] = pvals
        missing = sum(1 for rid in gold if rid not in preds)
        if missing == len(gold):
            raise PathsynthError(f"{name}: no prediction id matches a gold id")
        keys: dict[str, KeyScore] = {}
        total = KeyScore()
        for key in schema.keys:
            var = schema[key]
            pairs = [
                (g[key], coerce_value(var, preds.get(rid, {}).get(key))) for rid, g in gold.items()
            ]
            keys[key] = _score_key(var, pairs)
            total.add(keys[key])
        systems.append(SystemScore(name=name, keys=keys, total=total, missing=missing))
    tolerance = {v.key: v.tolerance.model_dump() for v in schema.variables if v.type == "number"}
    return EvaluationResult(
        schema_keys=list(schema.keys), systems=systems, n_reports=len(gold), tolerance=tolerance
    )


def evaluate_files(
    gold_path: str | Path, pred_paths: Mapping[str, str | Path], schema: Schema
) -> EvaluationResult:
    """:func:`evaluate` on files: a gold JSONL and named prediction JSONL files."""
    return evaluate(
        read_jsonl(gold_path), {n: read_jsonl(p) for n, p in pred_paths.items()}, schema
    )
