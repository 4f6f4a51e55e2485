"""Gaussian copula (SDV): marginals per column, dependence through a Gaussian copula."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, ClassVar

import numpy as np
import pandas as pd

from pathsynth.tabular._sdv import from_sdv, import_sdv, sdv_fit, sdv_metadata, sdv_sample, to_sdv
from pathsynth.tabular.base import Synthesizer, SynthesizerParams


@dataclass
class GaussianCopulaParams(SynthesizerParams):
    """Parameters of :class:`GaussianCopula`."""

    #: marginal family of numeric columns (SDV: norm, beta, truncnorm, uniform, gamma, gaussian_kde)
    default_distribution: str = "beta"


class GaussianCopula(Synthesizer):
    """SDV's ``GaussianCopulaSynthesizer`` (not differentially private)."""

    name: ClassVar[str] = "gaussian_copula"
    params_class: ClassVar[type[SynthesizerParams]] = GaussianCopulaParams
    params: GaussianCopulaParams

    def _fit(self, frame: pd.DataFrame, epsilon: float | None) -> None:
        assert self.codec is not None
        single_table = import_sdv()
        self._model: Any = single_table.GaussianCopulaSynthesizer(
            sdv_metadata(self.codec), default_distribution=self.params.default_distribution
        )
        sdv_fit(self._model, to_sdv(self.codec, frame))

    def _draw(self, n: int, rng: np.random.Generator) -> pd.DataFrame:
        assert self.codec is not None
        return from_sdv(self.codec, sdv_sample(self._model, n, rng))
