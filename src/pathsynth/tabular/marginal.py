"""Marginal-based differentially private synthesizers (smartnoise-synth + mbi): MST and AIM.

Both measure noisy low-order marginals of the discrete encoding and sample from a graphical
model fitted to them. Integers are ordinal levels (one per value; wide counts are binned in
their tail), unknown is its own level. Every random step draws from the synthesizer's seed
(``_noise``, ``_pgm``): the same data and seed give the same model and the same records.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, ClassVar

import numpy as np
import pandas as pd

from pathsynth.errors import PathsynthError
from pathsynth.tabular._marginal_models import aim_class, mst_class
from pathsynth.tabular._noise import Noise
from pathsynth.tabular._smartnoise import cube_transformer, import_snsynth, quietly
from pathsynth.tabular.base import Synthesizer, SynthesizerParams


def count_cuts(lo: int, hi: int, exact: int) -> list[float]:
    """Integer bin edges for a count: one level per value below ``lo + exact``, then bins
    growing by about half their start up to ``hi`` (edges ``[a, b)``, the last one ``hi + 1``).

    Derived from the schema's bounds only. Node counts are right-skewed (most under 20 of
    0-80), so one level per value spreads the noisy two-way marginals over thousands of
    nearly empty cells.
    """
    if exact <= 0 or hi - lo + 1 <= exact:
        return [float(v) for v in range(lo, hi + 2)]
    cuts = list(range(lo, lo + exact + 1))
    while cuts[-1] <= hi:
        cuts.append(cuts[-1] + max(1, round((cuts[-1] - lo) / 2)))
    cuts[-1] = hi + 1
    if len(cuts) > 2 and cuts[-1] - cuts[-2] < (cuts[-2] - cuts[-3]) / 2:
        del cuts[-2]  # fold a sliver of a last bin into the one before
    return [float(c) for c in cuts]


@dataclass
class MarginalParams(SynthesizerParams):
    """What MST and AIM share: the coding of numbers and counts."""

    #: bins of a number variable: every cell is measured with noise, so fewer, wider bins
    bins: int = 12
    #: integers wider than this many values (node counts) keep one level per value for their
    #: first ``count_exact`` values and wider bins above (0: one level per value throughout)
    count_exact: int = 8


class _MarginalSynthesizer(Synthesizer):
    differentially_private: ClassVar[bool] = True
    params: MarginalParams

    def _make(self, epsilon: float, delta: float) -> Any:
        raise NotImplementedError

    def _fit(self, frame: pd.DataFrame, epsilon: float | None) -> None:
        assert self.codec is not None and epsilon is not None
        import_snsynth()
        if self.params.count_exact > 0:
            for spec in self.codec.specs.values():
                if spec.type != "integer" or spec.lo is None or spec.hi is None:
                    continue
                if spec.hi - spec.lo + 1 > self.params.count_exact:
                    spec.set_cuts(count_cuts(int(spec.lo), int(spec.hi), self.params.count_exact))
        # Default δ: 1/n^1.5, the rule smartnoise's GANs use, so every DP synthesizer of a
        # comparison runs at the same (ε, δ); it stays well under 1/n.
        delta = self.delta if self.delta is not None else 1.0 / len(frame) ** 1.5
        self.delta_used = delta
        self._model = self._make(epsilon, delta)
        self._model.noise = Noise(self.seed)
        levels = self.codec.to_levels(frame)
        transformer = cube_transformer(self.codec)
        quietly(lambda: self._model.fit(levels, transformer=transformer))

    def _draw(self, n: int, rng: np.random.Generator) -> pd.DataFrame:
        assert self.codec is not None
        levels = quietly(lambda: self._model.draw(n, rng))
        return self.codec.from_levels(pd.DataFrame(levels, columns=self.codec.keys), rng)


@dataclass
class MSTParams(MarginalParams):
    """Parameters of :class:`MST` (defaults measured on a simulated cohort: docs/tabular.md)."""

    #: shares of the budget (ρ) for the one-way marginals, the tree selection and the two-way
    #: marginals, as "a,b,c" (smartnoise's MST: "1,1,1")
    split: str = "1,0.6,3"
    #: two-way marginals measured beyond the spanning tree, chosen privately as the pairs the
    #: tree model fits worst (the selection share of the budget is halved between both picks)
    extra_edges: int = 2
    #: mirror-descent steps of the final model (the selection's estimates take at most 1000)
    iters: int = 5000


class MST(_MarginalSynthesizer):
    """MST: noisy one- and two-way marginals chosen along a maximum spanning tree."""

    name: ClassVar[str] = "mst"
    params_class: ClassVar[type[SynthesizerParams]] = MSTParams
    params: MSTParams

    def _make(self, epsilon: float, delta: float) -> Any:
        model = mst_class()(epsilon=epsilon, delta=delta)
        model.split = _parse_split(self.params.split)
        model.extra_edges = max(0, int(self.params.extra_edges))
        if self.params.iters < 1:
            raise PathsynthError(f"mst iters must be at least 1, not {self.params.iters}")
        model.iters = int(self.params.iters)
        return model


def _parse_split(text: str) -> tuple[float, float, float]:
    try:
        parts = [float(p) for p in str(text).split(",")]
    except ValueError:
        parts = []
    if len(parts) != 3 or min(parts) <= 0:
        raise PathsynthError(f"mst split must be three positive numbers 'a,b,c', not {text!r}")
    total = sum(parts)
    return (parts[0] / total, parts[1] / total, parts[2] / total)


@dataclass
class AIMParams(MarginalParams):
    """Parameters of :class:`AIM` (defaults measured on a simulated cohort: docs/tabular.md)."""

    #: size cap (MB) of the graphical model
    max_model_size: float = 80
    #: order of the workload's marginals (all pairs by default)
    degree: int = 2
    #: cells cap of a workload marginal
    max_cells: int = 10000
    #: measurement rounds (0: 4 per column; AIM's paper uses 16, a fit four times as long);
    #: fewer rounds, less noise on each
    rounds: int = 0
    #: mirror-descent steps after each round, warm-started from the last model
    round_iters: int = 100
    #: mirror-descent steps of the final model
    final_iters: int = 1500


class AIM(_MarginalSynthesizer):
    """AIM: adaptive, workload-aware selection of noisy marginals."""

    name: ClassVar[str] = "aim"
    params_class: ClassVar[type[SynthesizerParams]] = AIMParams
    params: AIMParams

    def _make(self, epsilon: float, delta: float) -> Any:
        p = self.params
        if p.degree < 1 or p.round_iters < 1 or p.final_iters < 1 or p.rounds < 0:
            raise PathsynthError("aim: degree, round_iters and final_iters must be positive")
        model = aim_class()(
            epsilon=epsilon,
            delta=delta,
            max_model_size=p.max_model_size,
            degree=p.degree,
            max_cells=p.max_cells,
            rounds=p.rounds or None,
        )
        model.round_iters = p.round_iters
        model.final_iters = p.final_iters
        return model
