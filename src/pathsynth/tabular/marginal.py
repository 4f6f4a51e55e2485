"""Marginal-based differentially private synthesizers (smartnoise-synth): MST and AIM.

Both measure noisy low-order marginals of the discrete encoding and sample from a graphical
model fitted to them. Integers are ordinal levels (one per value; MST bins the tail of wide
counts), unknown is its own level.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, ClassVar

import numpy as np
import pandas as pd

from pathsynth.errors import PathsynthError
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
        #: budget shares (one-way, selection, two-way); smartnoise's MST uses equal thirds
        split: tuple[float, float, float] = (1 / 3, 1 / 3, 1 / 3)
        #: two-way marginals measured beyond the tree
        extra_edges: int = 0

        def MST(self, data: Any, epsilon: float, delta: float) -> None:
            # smartnoise's MST with the budget split made a parameter
            from mbi import estimation, marginal_oracles
            from snsynth.utils import cdp_rho

            rho = cdp_rho(epsilon, delta)
            one, sel, two = (rho * share for share in self.split)
            total = float(len(data.df))
            cliques = [(col,) for col in data.domain]
            log1 = self.measure(data, cliques, np.sqrt(1 / (2 * one)))
            data, log1, self.undo_compress_fn = self.compress_domain(data, log1)
            extra = self.extra_edges
            tree_sel = sel / 2 if extra else sel
            cliques = self.select(data, tree_sel, log1, total)
            # every two-way marginal gets the same noise: the share splits by clique count
            per_clique = two / (len(cliques) + extra)
            log2 = self.measure(data, cliques, np.sqrt(1 / (2 * per_clique * len(cliques))))
            if extra:
                added = self._select_extra(data, sel - tree_sel, log1 + log2, cliques, total)
                log2 += self.measure(data, added, np.sqrt(1 / (2 * per_clique * len(added))))
            self.synthesizer = estimation.mirror_descent(
                data.domain,
                log1 + log2,
                known_total=total,
                iters=5000,
                marginal_oracle=marginal_oracles.message_passing_stable,
            )

        def _select_extra(
            self, data: Any, rho: float, log: Any, tree: list[Any], total: float
        ) -> list[Any]:
            # The pairs the tree model fits worst, one exponential mechanism per pick
            # (score: L1 error of the pair's marginal, sensitivity 1), as MST picks its tree.
            import itertools

            from mbi import estimation, marginal_oracles

            est = estimation.mirror_descent(
                data.domain,
                log,
                known_total=total,
                iters=1000,
                marginal_oracle=marginal_oracles.message_passing_stable,
            )
            taken = {frozenset(c) for c in tree}
            errors = {}
            for a, b in itertools.combinations(data.domain.attrs, 2):
                if frozenset((a, b)) in taken:
                    continue
                xhat = np.asarray(est.project([a, b]).datavector())
                x = np.asarray(data.project([a, b]).datavector())
                errors[a, b] = float(np.abs(x - xhat).sum())
            eps = np.sqrt(8 * rho / self.extra_edges)
            picked: list[Any] = []
            for _ in range(min(self.extra_edges, len(errors))):
                pairs = [p for p in errors if p not in picked]
                idx = self.exponential_mechanism(
                    np.array([errors[p] for p in pairs]), eps, sensitivity=1.0
                )
                picked.append(pairs[idx])
            return picked

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


def count_cuts(lo: int, hi: int, exact: int) -> list[float]:
    """Integer bin edges for a count: one level per value below ``lo + exact``, then bins
    growing by about half their start up to ``hi`` (edges ``[a, b)``, the last one ``hi + 1``).

    Derived from the schema's bounds only. Node counts are right-skewed (most under 20 of
    0-80), so one level per value spreads MST's noisy two-way marginals over thousands of
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
class MSTParams(SynthesizerParams):
    """Parameters of :class:`MST` (defaults measured on a simulated cohort: docs/tabular.md)."""

    #: bins of a number variable: MST measures every cell with noise, so fewer, wider bins
    bins: int = 12
    #: integers wider than this many values (node counts) keep one level per value for their
    #: first ``count_exact`` values and wider bins above (0: one level per value throughout)
    count_exact: int = 16
    #: shares of the budget (ρ) for the one-way marginals, the tree selection and the two-way
    #: marginals, as "a,b,c" (smartnoise's MST: "1,1,1")
    split: str = "1,0.6,3"
    #: two-way marginals measured beyond the spanning tree, chosen privately as the pairs the
    #: tree model fits worst (the selection share of the budget is halved between both picks)
    extra_edges: int = 4


class MST(_MarginalSynthesizer):
    """MST: noisy one- and two-way marginals chosen along a maximum spanning tree."""

    name: ClassVar[str] = "mst"
    params_class: ClassVar[type[SynthesizerParams]] = MSTParams
    params: MSTParams

    def _fit(self, frame: pd.DataFrame, epsilon: float | None) -> None:
        assert self.codec is not None
        if self.params.count_exact > 0:
            for spec in self.codec.specs.values():
                if spec.type != "integer" or spec.lo is None or spec.hi is None:
                    continue
                if spec.hi - spec.lo + 1 > self.params.count_exact:
                    spec.set_cuts(count_cuts(int(spec.lo), int(spec.hi), self.params.count_exact))
        super()._fit(frame, epsilon)

    def _make(self, epsilon: float, delta: float) -> Any:
        model = _mst_class()(epsilon=epsilon, delta=delta)
        model.split = _parse_split(self.params.split)
        model.extra_edges = max(0, int(self.params.extra_edges))
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
