"""CTGAN (SDV): a conditional GAN with mode-specific normalisation of numbers."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, ClassVar

import numpy as np
import pandas as pd

from pathsynth.tabular._sdv import from_sdv, import_sdv, sdv_fit, sdv_metadata, sdv_sample, to_sdv
from pathsynth.tabular.base import Synthesizer, SynthesizerParams, torch_threads


@dataclass
class CTGANParams(SynthesizerParams):
    """Parameters of :class:`CTGAN`."""

    #: passes over the training records
    epochs: int = 150
    #: rows per step (a multiple of ``pac``)
    batch_size: int = 500
    #: rows the discriminator judges together
    pac: int = 10
    #: torch threads while fitting
    threads: int = 1


class CTGAN(Synthesizer):
    """SDV's ``CTGANSynthesizer`` on CPU (not differentially private)."""

    name: ClassVar[str] = "ctgan"
    params_class: ClassVar[type[SynthesizerParams]] = CTGANParams
    params: CTGANParams

    def _fit(self, frame: pd.DataFrame, epsilon: float | None) -> None:
        assert self.codec is not None
        single_table = import_sdv()
        # Small cohorts: a batch cannot exceed the data, and must stay a multiple of pac.
        batch = min(self.params.batch_size, len(frame))
        batch = max(self.params.pac, batch - batch % self.params.pac)
        self._model: Any = single_table.CTGANSynthesizer(
            sdv_metadata(self.codec),
            epochs=self.params.epochs,
            batch_size=batch,
            pac=self.params.pac,
            enable_gpu=False,
        )
        with torch_threads(self.params.threads):
            sdv_fit(self._model, to_sdv(self.codec, frame))

    def _draw(self, n: int, rng: np.random.Generator) -> pd.DataFrame:
        assert self.codec is not None
        return from_sdv(self.codec, sdv_sample(self._model, n, rng))
