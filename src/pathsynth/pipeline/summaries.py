"""What each stage of a run reports: one typed model per stage, kept in the run's manifest and
read back by the HTML report. A stage function returns one of these (never a loose dict), and
library results (generation, filter, scores) enter them through their one ``to_dict()``."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field


class StageSummary(BaseModel):
    """Base of every stage summary: plain JSON data, unknown fields refused."""

    model_config = ConfigDict(extra="forbid")

    def to_dict(self) -> dict[str, Any]:
        """The summary as JSON data, as the manifest keeps it."""
        return self.model_dump(mode="json")


class CohortSummary(StageSummary):
    """The input records: simulated, or read (normalised, completed) from a file."""

    source: str = Field(description="`simulated` or the records file.")
    n: int = Field(description="Records.")
    normalized_cells: int | None = Field(None, description="Cells mapped to canonical values.")
    absent_keys: list[str] = Field(default_factory=list, description="Keys the file lacks.")
    completed_cells: dict[str, int] = Field(
        default_factory=dict, description="Cells filled from the prior, per key."
    )


class RecordsSummary(StageSummary):
    """The records each teacher writes from."""

    source: str = Field(description="Synthesizer (or `cohort`) the records come from.")
    records: dict[str, int] = Field(description="Records per teacher.")


class GenerateSummary(StageSummary):
    """One teacher's reports."""

    generation: dict[str, Any] = Field(description="The generation run (GenerationSummary).")
    reports: int = Field(description="Reports in the file.")
    mean_chars: float
    mean_words: float


class FilterStageSummary(StageSummary):
    """One teacher's reports through the filter: counts, plus the filter's own summary."""

    model_config = ConfigDict(extra="allow")  # the fields of the filter's FilterSummary

    enabled: bool = True
    kept: int
    rejected: int


class MixSummary(StageSummary):
    """A training pool: kept reports of some teachers."""

    reports: int
    teachers: list[str]


class TrainSummary(StageSummary):
    """A trained student: the scalar fields of its manifest (the rest is in its folder)."""

    model_config = ConfigDict(extra="allow")

    kind: str


class EvalSetSummary(StageSummary):
    """An evaluation set written into the run."""

    reports: int
    origin: str


class PredictSummary(StageSummary):
    """One system's predictions on one evaluation set."""

    predictions: int


class EvaluateSummary(StageSummary):
    """Scores of one evaluation set."""

    reports: int
    f1: dict[str, float] = Field(description="Total F1 per system.")


__all__ = [
    "CohortSummary",
    "EvalSetSummary",
    "EvaluateSummary",
    "FilterStageSummary",
    "GenerateSummary",
    "MixSummary",
    "PredictSummary",
    "RecordsSummary",
    "StageSummary",
    "TrainSummary",
]
