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
        # Default δ: 1/n^1.5, the rule smartnoise's GANs use, so every DP synthesizer of a
        # comparison runs at the same (ε, δ); it stays well under 1/n.
        delta = self.delta if self.delta is not None else 1.0 / len(frame) ** 1.5
        self.delta_used = delta
        self._model = self._make(epsilon, delta)
        levels = self.codec.to_levels(frame)
        transformer = cube_transformer(self.codec)
        quietly(lambda: self._model.fit(levels, transformer=transformer))

    def _draw(self, n: int, rng: np.random.Generator) -> pd.DataFrame:
        assert self.codec is not None
        levels = quietly(lambda: self._model.sample(n))
        return self.codec.from_levels(pd.DataFrame(levels, columns=self.codec.keys), rng)


def _mst_class() -> type:
    """smartnoise's MST, with two repairs of its sampling (post-processing: no budget spent).

    - Rows are drawn i.i.d. from the fitted model: mbi's default "round" draws each column by
      stratified ranks in row order, which makes two columns drawn from one parent comonotone.
    - Values merged as rare (noisy count under 3σ) are drawn in proportion to their noisy
      one-way counts, not uniformly: for a count such as ``numero_gang_prel`` (0-80, most mass
      under 20) uniform draws turn rare large values into common ones.
    """
    from snsynth.mst import MSTSynthesizer

    class _MST(MSTSynthesizer):
        def sample(self, samples: int | None = None) -> Any:
            # i.i.d. draws: "round" would couple sibling columns (see the class docstring).
            rows = self.num_rows if samples is None else samples
            data = self.synthesizer.synthetic_data(rows=rows, method="sample")
            decompressed = self.undo_compress_fn(data)
            return self._transformer.inverse_transform(
                [tuple(t[1:]) for t in decompressed.df.itertuples()]
            )

        def compress_domain(self, data: Any, measurements: Any) -> Any:
            self._noisy_counts = {
                m.clique[0]: np.clip(np.asarray(m.noisy_measurement, dtype=float), 0, None)
                for m in measurements
            }
            return super().compress_domain(data, measurements)

        def reverse_data(self, data: Any, supports: Any) -> Any:
            from mbi import Dataset, Domain

            df = data.df.copy()
            for col in data.domain:
                support = supports[col]
                kept, extra = np.where(support)[0], np.where(~support)[0]
                merged = (df[col] == support.sum()).to_numpy()
                if extra.size:
                    weights = self._noisy_counts[col][extra]
                    p = weights / weights.sum() if weights.sum() > 0 else None
                    df.loc[merged, col] = np.random.choice(extra, int(merged.sum()), p=p)
                df.loc[~merged, col] = kept[df.loc[~merged, col]]
            domain = Domain.fromdict({col: int(supports[col].size) for col in data.domain})
            return Dataset(df, domain)

    return _MST


class MST(_MarginalSynthesizer):
    """MST: noisy one- and two-way marginals chosen along a maximum spanning tree."""

    name: ClassVar[str] = "mst"

    def _make(self, epsilon: float, delta: float) -> Any:
        return _mst_class()(epsilon=epsilon, delta=delta)


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
