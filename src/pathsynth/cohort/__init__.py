"""Reading and validating records; the schema's clinical prior (simulate, complete)."""

from pathsynth.cohort.prior import complete_cohort, prior_of, simulate_cohort
from pathsynth.cohort.records import Records, coerce_frame, read_records, write_records

__all__ = [
    "Records",
    "coerce_frame",
    "complete_cohort",
    "prior_of",
    "read_records",
    "simulate_cohort",
    "write_records",
]
