"""The clinical prior of a schema: draw a synthetic cohort, or fill the cells a real cohort
lacks. A schema's own ``prior.yaml`` (``prior:`` in the schema, or beside a pack's
``schema.yaml``) is sampled by the generic engine :mod:`pathsynth.cohort.declarative`; a
schema of a built-in domain pack without one uses the pack's prior (breast-13: a Bayesian
network of published breast-cancer statistics, :mod:`pathsynth.domains.breast13.prior`)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pandas as pd

from pathsynth.errors import PathsynthError
from pathsynth.schema import Schema, load_schema

__all__ = ["complete_cohort", "prior_of", "simulate_cohort"]


def prior_of(schema: Schema | str | None) -> tuple[Schema, Any]:
    """The schema and the prior module that serves it (one with ``simulate_cohort`` and
    ``complete_cohort``), or a one-line error saying what to add."""
    sch = schema if isinstance(schema, Schema) else load_schema(schema or "breast13")
    if sch.prior is not None:
        from pathsynth.cohort import declarative

        return sch, declarative
    if sch.domain is None:
        raise PathsynthError(
            f"schema {sch.name} has no clinical prior: add a prior.yaml beside its schema.yaml "
            "or name one with `prior: FILE` in the schema (docs/cohort.md)"
        )
    from pathsynth.domains import load_pack

    prior = load_pack(sch.domain).knowledge("clinical_prior")
    if prior is None:
        raise PathsynthError(
            f"domain pack {sch.domain} has no clinical prior: name one with `prior: FILE` "
            f"in schema {sch.name} (docs/cohort.md)"
        )
    return sch, prior


def simulate_cohort(n: int, seed: int = 0, schema: Schema | str | None = None) -> pd.DataFrame:
    """Draw ``n`` patients from the schema's clinical prior (same ``seed``, same cohort)."""
    sch, prior = prior_of(schema)
    frame: pd.DataFrame = prior.simulate_cohort(n, seed, sch)
    return frame


def complete_cohort(
    frame: pd.DataFrame,
    seed: int = 0,
    schema: Schema | str | None = None,
    *,
    keys: list[str] | None = None,
    particles: int = 256,
    progress: Callable[[int], None] | None = None,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Fill the unknown cells of ``frame`` from the prior, conditioned on its known cells;
    returns ``(completed, flags)`` (see the prior's module for the method)."""
    sch, prior = prior_of(schema)
    out: tuple[pd.DataFrame, pd.DataFrame] = prior.complete_cohort(
        frame, seed, sch, keys=keys, particles=particles, progress=progress
    )
    return out
