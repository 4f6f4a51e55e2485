"""smartnoise's MST and AIM with their randomness seeded and their sampling repaired.

What changes from smartnoise-synth 1.0.8 (the privacy accounting is unchanged):

- Noise and choices: every Gaussian measurement and exponential-mechanism pick draws from the
  model's ``noise`` (:class:`pathsynth.tabular._noise.Noise`, seeded) instead of OpenDP's
  unseedable sampler and numpy's global state.
- Estimation and sampling run on :mod:`pathsynth.tabular._pgm` (fixed message order, rows
  drawn i.i.d. from a generator passed in). mbi's default "round" sampling draws each column
  by stratified ranks in row order, which makes two columns drawn from one parent comonotone.
- MST: the budget split is a parameter, extra two-way marginals beyond the tree can be chosen
  privately, and values merged as rare are drawn in proportion to their noisy one-way counts
  rather than uniformly (uniform draws turn rare large node counts into common ones).
- AIM: warm-started mirror descent between rounds (far fewer steps per round), candidates in a
  fixed order (smartnoise orders them through a ``set``).
"""

from __future__ import annotations

import itertools
from typing import Any

import numpy as np


def _measure(noise: Any, data: Any, cliques: list[Any], sigma: float) -> list[Any]:
    """Each clique's counts plus discrete Gaussian noise of scale ``sigma``."""
    from mbi import LinearMeasurement

    out = []
    for cl in cliques:
        x = np.asarray(data.project(cl).datavector(), dtype=float)
        out.append(LinearMeasurement(x + noise.discrete_gaussian(sigma, x.size), cl, sigma))
    return out


def _estimate(domain: Any, measurements: list[Any], total: float | None, iters: int,
              potentials: Any = None) -> Any:  # fmt: skip
    from mbi import estimation

    from pathsynth.tabular import _pgm

    return estimation.mirror_descent(
        domain,
        measurements,
        known_total=total,
        potentials=potentials,
        iters=iters,
        marginal_oracle=_pgm.message_passing,
    )


def mst_class() -> type:
    """smartnoise's MST, seeded, with its budget split and extra pairs as parameters."""
    from snsynth.mst import MSTSynthesizer

    class _MST(MSTSynthesizer):
        #: budget shares (one-way, selection, two-way); smartnoise's MST uses equal thirds
        split: tuple[float, float, float] = (1 / 3, 1 / 3, 1 / 3)
        #: two-way marginals measured beyond the tree
        extra_edges: int = 0
        #: mirror-descent steps of the final model
        iters: int = 5000
        noise: Any = None

        def MST(self, data: Any, epsilon: float, delta: float) -> None:
            from snsynth.utils import cdp_rho

            rho = cdp_rho(epsilon, delta)
            one, sel, two = (rho * share for share in self.split)
            total = float(len(data.df))
            log1 = _measure(self.noise, data, [(c,) for c in data.domain], np.sqrt(1 / (2 * one)))
            data, log1, self.undo_compress_fn = self.compress_domain(data, log1)
            extra = self.extra_edges
            tree_sel = sel / 2 if extra else sel
            cliques = self.select(data, tree_sel, log1, total)
            # every two-way marginal gets the same noise: the share splits by clique count
            sigma2 = np.sqrt(1 / (2 * two / (len(cliques) + extra)))
            log2 = _measure(self.noise, data, cliques, sigma2)
            if extra:
                added = self._select_extra(data, sel - tree_sel, log1 + log2, cliques, total)
                log2 += _measure(self.noise, data, added, sigma2)
            self.synthesizer = _estimate(data.domain, log1 + log2, total, self.iters)

        def select(self, data: Any, rho: float, log: Any, total: float, cliques: Any = ()) -> Any:
            # smartnoise's tree selection, on the deterministic estimator
            import networkx as nx
            from disjoint_set import DisjointSet

            est = _estimate(data.domain, log, total, min(1000, self.iters))
            errors = _pair_errors(data, est, set())
            tree = nx.Graph()
            tree.add_nodes_from(data.domain.attrs)
            ds: Any = DisjointSet()
            eps = np.sqrt(8 * rho / (len(data.domain.attrs) - 1))
            for _ in range(len(data.domain.attrs) - 1):
                pairs = [p for p in errors if not ds.connected(*p)]
                a, b = pairs[self.noise.exponential_mechanism(
                    np.array([errors[p] for p in pairs]), eps)]  # fmt: skip
                tree.add_edge(a, b)
                ds.union(a, b)
            return list(tree.edges)

        def _select_extra(
            self, data: Any, rho: float, log: Any, tree: list[Any], total: float
        ) -> list[Any]:
            # The pairs the tree model fits worst, one exponential mechanism per pick
            # (score: L1 error of the pair's marginal, sensitivity 1), as MST picks its tree.
            est = _estimate(data.domain, log, total, min(1000, self.iters))
            errors = _pair_errors(data, est, {frozenset(c) for c in tree})
            eps = np.sqrt(8 * rho / self.extra_edges)
            picked: list[Any] = []
            for _ in range(min(self.extra_edges, len(errors))):
                pairs = [p for p in errors if p not in picked]
                scores = np.array([errors[p] for p in pairs])
                picked.append(pairs[self.noise.exponential_mechanism(scores, eps)])
            return picked

        def draw(self, rows: int, rng: np.random.Generator) -> Any:
            from pathsynth.tabular import _pgm

            data = _pgm.sample(self.synthesizer, rows, rng)
            decompressed = self._decompress(data, rng)
            return self._transformer.inverse_transform(
                [tuple(t[1:]) for t in decompressed.itertuples()]
            )

        def sample(self, samples: int | None = None) -> Any:
            seed = int(np.random.randint(0, 2**31 - 1))
            return self.draw(self.num_rows if samples is None else samples,
                             np.random.default_rng(seed))  # fmt: skip

        def compress_domain(self, data: Any, measurements: Any) -> Any:
            self._noisy_counts = {
                m.clique[0]: np.clip(np.asarray(m.noisy_measurement, dtype=float), 0, None)
                for m in measurements
            }
            data, log, _ = super().compress_domain(data, measurements)
            return data, log, None

        def _decompress(self, frame: Any, rng: np.random.Generator) -> Any:
            # undo the merge of rare values (the supports smartnoise kept in its closure)
            df = frame.copy()
            for col, support in self._supports.items():
                kept, extra = np.where(support)[0], np.where(~support)[0]
                merged = (df[col] == support.sum()).to_numpy()
                if extra.size:
                    weights = self._noisy_counts[col][extra]
                    p = weights / weights.sum() if weights.sum() > 0 else None
                    df.loc[merged, col] = rng.choice(extra, int(merged.sum()), p=p)
                df.loc[~merged, col] = kept[df.loc[~merged, col]]
            return df

        def transform_data(self, data: Any, supports: Any) -> Any:
            self._supports = supports
            return super().transform_data(data, supports)

    return _MST


def _pair_errors(data: Any, est: Any, skip: set[frozenset[str]]) -> dict[tuple[str, str], float]:
    """L1 error of the model's estimate of every pair's marginal, pairs in domain order."""
    from pathsynth.tabular import _pgm

    errors = {}
    for a, b in itertools.combinations(data.domain.attrs, 2):
        if frozenset((a, b)) in skip:
            continue
        xhat = _pgm.marginal(est, (a, b)).ravel()
        x = np.asarray(data.project([a, b]).datavector())
        errors[a, b] = float(np.abs(x - xhat).sum())
    return errors


def aim_class() -> type:
    """smartnoise's AIM, seeded, warm-started, sampling i.i.d."""
    from snsynth.aim import AIMSynthesizer

    class _AIM(AIMSynthesizer):
        round_iters: int = 100
        final_iters: int = 1500
        noise: Any = None

        def AIM(self, data: Any, workload: list[Any]) -> None:
            from pathsynth.tabular import _pgm

            rho = self.rho
            rounds = self.rounds or 4 * len(data.domain)
            weights = _workload_weights(data.domain, workload)
            answers = {cl: np.asarray(data.project(cl).datavector()) for cl in weights}
            # a share 0.9 of each round's budget measures, 0.1 selects
            sigma = np.sqrt(rounds / (2 * 0.9 * rho))
            eps = np.sqrt(8 * 0.1 * rho / rounds)
            oneway = [cl for cl in weights if len(cl) == 1]
            log = _measure(self.noise, data, oneway, sigma)
            used = len(oneway) / (2 * sigma**2)
            model = _estimate(data.domain, log, None, self.round_iters)
            last = False
            while not last:
                if rho - used < 2 * (1 / (2 * sigma**2) + eps**2 / 8):
                    # what is left pays for one last round
                    sigma = np.sqrt(1 / (2 * 0.9 * (rho - used)))
                    eps = np.sqrt(8 * 0.1 * (rho - used))
                    last = True
                used += 1 / (2 * sigma**2) + eps**2 / 8
                limit = self.max_model_size * used / rho
                cl = self._worst(weights, answers, model, eps, sigma, limit)
                before = _pgm.marginal(model, cl).ravel()
                log += _measure(self.noise, data, [cl], sigma)
                model = _estimate(data.domain, log, None, self.round_iters, model.potentials)
                after = _pgm.marginal(model, cl).ravel()
                if np.abs(after - before).sum() <= sigma * np.sqrt(2 / np.pi) * before.size:
                    sigma, eps = sigma / 2, eps * 2  # the model barely moved: measure finer
            self.synthesizer = _estimate(data.domain, log, None, self.final_iters,
                                         model.potentials)  # fmt: skip

        def _worst(self, weights: dict[Any, float], answers: dict[Any, np.ndarray], model: Any,
                   eps: float, sigma: float, limit: float) -> Any:  # fmt: skip
            from pathsynth.tabular import _pgm

            domain = model.domain
            free = {sub for cl in model.cliques for sub in _subsets(cl)}
            size = sum(domain.size(cl) for cl in model.cliques)
            pool = [
                cl for cl in weights
                if cl in free or (size + domain.size(cl)) * 8 / 2**20 <= limit
            ]  # fmt: skip
            scores = []
            for cl in pool:
                bias = np.sqrt(2 / np.pi) * sigma * domain.size(cl)
                xest = _pgm.marginal(model, cl).ravel()
                scores.append(weights[cl] * (np.abs(answers[cl] - xest).sum() - bias))
            sensitivity = max(abs(weights[cl]) for cl in pool)
            return pool[self.noise.exponential_mechanism(np.array(scores), eps, sensitivity)]

        def draw(self, rows: int, rng: np.random.Generator) -> Any:
            from pathsynth.tabular import _pgm

            data = _pgm.sample(self.synthesizer, rows, rng)
            cols = [f"col{i}" for i in range(self._transformer.output_width)]
            return self._transformer.inverse_transform(
                [tuple(t[1:]) for t in data[cols].itertuples()]
            )

    return _AIM


def _subsets(cl: tuple[str, ...]) -> list[tuple[str, ...]]:
    return [s for r in range(1, len(cl) + 1) for s in itertools.combinations(cl, r)]


def _workload_weights(domain: Any, workload: list[Any]) -> dict[Any, float]:
    """AIM's candidates (the workload's marginals and their subsets) with their weights: how
    many attributes each shares with the workload, in a fixed order (size, then columns)."""
    position = {a: i for i, a in enumerate(domain.attrs)}
    candidates = {sub for cl in workload for sub in _subsets(tuple(cl))}
    ordered = sorted(candidates, key=lambda cl: (len(cl), [position[a] for a in cl]))
    return {cl: float(sum(len(set(cl) & set(w)) for w in workload)) for cl in ordered}
