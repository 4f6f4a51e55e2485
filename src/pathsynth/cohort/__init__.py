"""Reading and validating records; the built-in clinical prior (simulate, complete)."""

from pathsynth.cohort.prior import ClinicalPrior, complete_cohort, simulate_cohort
from pathsynth.cohort.records import Records, coerce_frame, read_records, write_records

__all__ = [
    "ClinicalPrior",
    "Records",
    "coerce_frame",
    "complete_cohort",
    "read_records",
    "simulate_cohort",
    "write_records",
]
