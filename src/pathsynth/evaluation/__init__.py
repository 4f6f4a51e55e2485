"""Evaluation: per-variable accuracy and F1 of extraction systems, tables and plots."""

from pathsynth.evaluation.scoring import (
    EvaluationResult,
    KeyScore,
    SystemScore,
    coerce_value,
    evaluate,
    evaluate_files,
    gold_values,
    values_equal,
)

__all__ = [
    "EvaluationResult",
    "KeyScore",
    "SystemScore",
    "coerce_value",
    "evaluate",
    "evaluate_files",
    "gold_values",
    "values_equal",
]
