"""Marginal-based differentially private synthesizers (smartnoise-synth): MST and AIM.

Both measure noisy low-order marginals of the discrete encoding and sample from a graphical
model fitted to them. Integers are ordinal levels (one per value), unknown is its own level.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, ClassVar

import numpy as np
import pandas as pd

from pathsynth.tabular._smartnoise import cube_transformer, import_snsynth, quietly
from pathsynth.tabular.base import Synthesizer, SynthesizerParams


class _MarginalSynthesizer(Synthesizer):
    differentially_private: ClassVar[bool] = True

    def _make(self, epsilon: float, delta: float) -> Any:
        raise NotImplementedError

    def _fit(self, frame: pd.DataFrame, epsilon: float | None) -> None:
        assert self.codec is not None and epsilon is not None
        import_snsynth()
        # MST/AIM's own default delta (1e-9) is far below 1/n for any cohort.
        self._model = self._make(epsilon, self.delta if self.delta is not None else 1e-9)
        levels = self.codec.to_levels(frame)
        transformer = cube_transformer(self.codec)
        quietly(lambda: self._model.fit(levels, transformer=transformer))

    def _draw(self, n: int, rng: np.random.Generator) -> pd.DataFrame:
        assert self.codec is not None
        levels = quietly(lambda: self._model.sample(n))
        return self.codec.from_levels(pd.DataFrame(levels, columns=self.codec.keys), rng)


class MST(_MarginalSynthesizer):
    """MST: noisy one- and two-way marginals chosen along a maximum spanning tree."""

    name: ClassVar[str] = "mst"

    def _make(self, epsilon: float, delta: float) -> Any:
        from snsynth.mst import MSTSynthesizer

        return MSTSynthesizer(epsilon=epsilon, delta=delta)


@dataclass
class AIMParams(SynthesizerParams):
    """Parameters of :class:`AIM`."""

    #: size cap (MB) of the graphical model
    max_model_size: float = 80
    #: order of the candidate marginals
    degree: int = 2
    #: cells cap of a candidate marginal
    max_cells: int = 10000


class AIM(_MarginalSynthesizer):
    """AIM: adaptive, workload-aware selection of noisy marginals."""

    name: ClassVar[str] = "aim"
    params_class: ClassVar[type[SynthesizerParams]] = AIMParams
    params: AIMParams

    def _make(self, epsilon: float, delta: float) -> Any:
        from snsynth.aim import AIMSynthesizer

        return AIMSynthesizer(
            epsilon=epsilon,
            delta=delta,
            max_model_size=self.params.max_model_size,
            degree=self.params.degree,
            max_cells=self.params.max_cells,
        )
