"""The clinical prior of a schema's domain pack: draw a synthetic cohort, or fill the cells a
real cohort lacks. The built-in breast-13 pack's prior is a Bayesian network of published
breast-cancer statistics (:mod:`pathsynth.domains.breast13.prior`)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pandas as pd

from pathsynth.errors import PathsynthError
from pathsynth.schema import Schema, load_schema

__all__ = ["complete_cohort", "prior_of", "simulate_cohort"]


def prior_of(schema: Schema | str | None) -> tuple[Schema, Any]:
    """The schema and the prior module of its domain pack (one with ``simulate_cohort`` and
    ``complete_cohort``), or a one-line error naming what is missing."""
    sch = schema if isinstance(schema, Schema) else load_schema(schema or "breast13")
    if sch.domain is None:
        raise PathsynthError(
            f"schema {sch.name} has no clinical prior: name a domain pack that has one "
            "(`domain: breast13` for a variant of breast-13)"
        )
    from pathsynth.domains import load_pack

    prior = load_pack(sch.domain).knowledge("clinical_prior")
    if prior is None:
        raise PathsynthError(f"domain pack {sch.domain} has no clinical prior")
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
    returns ``(completed, flags)`` (see the pack's prior for the method)."""
    sch, prior = prior_of(schema)
    out: tuple[pd.DataFrame, pd.DataFrame] = prior.complete_cohort(
        frame, seed, sch, keys=keys, particles=particles, progress=progress
    )
    return out
