"""Synthesizers by name: ``make_synthesizer("mst", schema, epsilon=3.0, seed=0)``."""

from __future__ import annotations

from typing import Any

from pathsynth.errors import PathsynthError
from pathsynth.schema import Schema, load_schema
from pathsynth.tabular.base import Synthesizer
from pathsynth.tabular.copula import GaussianCopula
from pathsynth.tabular.ctgan import CTGAN
from pathsynth.tabular.dpgan import DPCTGAN, PATECTGAN, PATEGAN
from pathsynth.tabular.marginal import AIM, MST

SYNTHESIZERS: dict[str, type[Synthesizer]] = {
    cls.name: cls for cls in (GaussianCopula, CTGAN, MST, PATECTGAN, PATEGAN, AIM, DPCTGAN)
}


def make_synthesizer(
    name: str,
    schema: Schema | str | None = None,
    epsilon: float | None = None,
    seed: int = 0,
    **params: Any,
) -> Synthesizer:
    """A new, unfitted synthesizer.

    ``name``: one of :data:`SYNTHESIZERS`. ``epsilon`` is required by the differentially
    private ones (mst, aim, patectgan, pategan, dpctgan) and refused by the others; ``delta``
    and family hyper-parameters (``epochs``, ``batch_size``, ``bins``…) go in ``params``.
    """
    cls = SYNTHESIZERS.get(name)
    if cls is None:
        raise PathsynthError(f"unknown synthesizer {name!r}: choose from {', '.join(SYNTHESIZERS)}")
    if schema is None or isinstance(schema, str):
        schema = load_schema(schema or "breast13")
    return cls(schema, epsilon=epsilon, seed=seed, **params)
