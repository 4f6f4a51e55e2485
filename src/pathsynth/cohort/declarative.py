"""A clinical prior written as data: the engine behind a schema's ``prior.yaml``.

The file (format in :mod:`pathsynth.cohort._prior_spec`, docs/cohort.md) gives each variable a
distribution, optionally one per case of one or two parents. Every patient gets a latent
value for every variable the prior models, drawn parents first; a reporting layer then leaves
a share of values unstated (``unstated``; 1 means the report never states it, e.g. a
circumferential margin on a colon resection). The schema's constraints are kept by drawing
within them: a variable whose constraint partner is already drawn (or observed) is drawn from
its distribution truncated to the allowed range, by inverse transform.

:func:`complete_cohort` fills the unknown cells of a real cohort by likelihood weighting, as
the breast-13 prior does: per row, many particles are drawn with the observed cells clamped,
each weighted by the probability of its observed cells given their drawn parents (and of
their being stated), and one particle is kept in proportion to its weight.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import numpy as np
import pandas as pd
from numpy.typing import NDArray
from scipy import stats

from pathsynth.cohort._prior_spec import Dist, VariableModel, load_prior_spec
from pathsynth.errors import PathsynthError
from pathsynth.schema import Schema, load_schema

__all__ = ["DeclarativePrior", "complete_cohort", "simulate_cohort"]

FloatA = NDArray[np.float64]
BoolA = NDArray[np.bool_]
#: Weight of a particle whose structure cannot produce an observed cell: small, not zero, so
#: rows the prior finds odd still complete.
_LOG_IMPOSSIBLE = math.log(1e-4)
_TINY = 1e-300


def _frozen(dist: Dist) -> Any:
    """The scipy distribution of a number family."""
    if dist.normal is not None:
        return stats.norm(dist.normal.mean, dist.normal.sd)
    if dist.lognormal is not None:
        return stats.lognorm(s=dist.lognormal.sd, scale=dist.lognormal.median)
    if dist.poisson is not None:
        return stats.poisson(dist.poisson.mean)
    if dist.negative_binomial is not None:
        nb = dist.negative_binomial
        return stats.nbinom(nb.dispersion, nb.dispersion / (nb.dispersion + nb.mean))
    if dist.uniform is not None:
        return stats.uniform(dist.uniform.low, dist.uniform.high - dist.uniform.low)
    raise AssertionError(dist.family)


class _Numeric:
    """A number distribution of one case, truncated per row to ``[lo, hi]``."""

    def __init__(self, dist: Dist, integer: bool) -> None:
        self.frozen = _frozen(dist)
        self.discrete = dist.poisson is not None or dist.negative_binomial is not None
        self.integer = integer or self.discrete
        self.zero = float(dist.zero or 0.0)
        self.decimals = 0 if self.integer else (dist.round if dist.round is not None else 1)

    def _edges(self, lo: FloatA, hi: FloatA) -> tuple[FloatA, FloatA]:
        """CDF values bounding the allowed range."""
        if self.discrete:
            a = self.frozen.cdf(np.ceil(lo) - 1)
            b = self.frozen.cdf(np.floor(hi))
        elif self.integer:
            a = self.frozen.cdf(np.ceil(lo) - 0.5)
            b = self.frozen.cdf(np.floor(hi) + 0.5)
        else:
            a, b = self.frozen.cdf(lo), self.frozen.cdf(hi)
        return np.asarray(a, dtype=float), np.asarray(b, dtype=float)

    def sample(self, lo: FloatA, hi: FloatA, rng: np.random.Generator) -> FloatA:
        a, b = self._edges(lo, hi)
        u = a + (b - a) * rng.random(len(lo))
        x = np.asarray(self.frozen.ppf(np.clip(u, 1e-12, 1 - 1e-12)), dtype=float)
        x = np.round(x, self.decimals)
        if self.zero:
            x = np.where(rng.random(len(lo)) < self.zero, 0.0, x)
        # No mass left inside the bounds (a partner at the edge): the nearest bound.
        return np.asarray(np.clip(x, lo, hi), dtype=float)

    def loglik(self, x: FloatA, lo: FloatA, hi: FloatA) -> FloatA:
        a, b = self._edges(lo, hi)
        mass = np.maximum(b - a, _TINY)
        if self.discrete:
            p = self.frozen.pmf(np.round(x)) / mass
        elif self.integer:
            p = (self.frozen.cdf(x + 0.5) - self.frozen.cdf(x - 0.5)) / mass
        else:
            p = self.frozen.pdf(x) / mass
        if self.zero:
            p = self.zero * (x == 0) + (1 - self.zero) * p
        out = np.log(np.maximum(p, _TINY))
        inside = (x >= lo - 1e-9) & (x <= hi + 1e-9)
        return np.asarray(np.where(inside, np.maximum(out, _LOG_IMPOSSIBLE), _LOG_IMPOSSIBLE))


class _Categorical:
    def __init__(self, weights: dict[str, float], levels: tuple[str, ...]) -> None:
        total = sum(weights.values())
        self.codes = np.array(list(weights), dtype=object)
        self.p = np.array([w / total for w in weights.values()])
        self.index = {c: i for i, c in enumerate(weights)}
        self.levels = set(levels)

    def sample(self, n: int, rng: np.random.Generator) -> NDArray[Any]:
        return np.asarray(self.codes[rng.choice(len(self.codes), size=n, p=self.p)])

    def loglik(self, x: NDArray[Any]) -> FloatA:
        out = np.zeros(len(x))
        for i, code in enumerate(x):
            if code in self.index:
                p = self.p[self.index[code]]
                out[i] = math.log(p) if p > 0 else _LOG_IMPOSSIBLE
            elif code in self.levels:
                out[i] = _LOG_IMPOSSIBLE
            # a code no case draws (an open ICD-O code): no information either way
        return out


class DeclarativePrior:
    """The prior of a schema's ``prior.yaml``: draws patients, optionally with cells clamped."""

    def __init__(self, schema: Schema) -> None:
        if schema.prior is None:
            raise PathsynthError(f"schema {schema.name} names no prior file")
        self.schema = schema
        self.models = load_prior_spec(schema.prior, schema)
        self.keys = [m.var.key for m in self.models]
        self._samplers: dict[tuple[str, int], _Numeric | _Categorical] = {}
        for m in self.models:
            for i, case in enumerate(m.cases):
                d = case.dist
                self._samplers[(m.var.key, i)] = (
                    _Categorical(d.categorical, m.levels)
                    if d.categorical is not None
                    else _Numeric(d, m.var.type == "integer")
                )

    def _bounds(
        self,
        model: VariableModel,
        dist: Dist,
        rows: NDArray[np.int64],
        known: dict[str, FloatA],
    ) -> tuple[FloatA, FloatA]:
        """Per-row bounds: the distribution's, the schema's, and the constraints whose other
        key is already known (drawn or observed)."""
        var = model.var
        lo_v = dist.min if dist.min is not None else var.min
        hi_v = dist.max if dist.max is not None else var.max
        lo = np.full(len(rows), -np.inf if lo_v is None else float(lo_v))
        hi = np.full(len(rows), np.inf if hi_v is None else float(hi_v))
        step = 1.0 if var.type == "integer" else 0.0
        for c in self.schema.constraints:
            if var.key not in (c.left, c.right) or c.left == c.right:
                continue
            other_key = c.right if c.left == var.key else c.left
            if other_key not in known:
                continue
            other = known[other_key][rows]
            op = c.op if c.left == var.key else _FLIP[c.op]
            if op in ("<=", "<", "=="):
                hi = np.fmin(hi, other - (step if op == "<" else 0.0))
            if op in (">=", ">", "=="):
                lo = np.fmax(lo, other + (step if op == ">" else 0.0))
        return lo, hi

    def draw(
        self, n: int, rng: np.random.Generator, observed: dict[str, NDArray[Any]] | None = None
    ) -> tuple[dict[str, NDArray[Any]], dict[str, BoolA], dict[str, FloatA], FloatA]:
        """``n`` patients: latent values per key, whether each applies (may be stated), the
        probability of its being unstated, and the log-weight of the observed cells."""
        observed = observed or {}
        values: dict[str, NDArray[Any]] = {}
        applicable: dict[str, BoolA] = {}
        unstated: dict[str, FloatA] = {}
        logw = np.zeros(n)
        # Numbers known before drawing: observed ones now, drawn ones as they come.
        known: dict[str, FloatA] = {
            k: np.asarray(v, dtype=float)
            for k, v in observed.items()
            if self.schema[k].type != "categorical"
        }
        for model in self.models:
            key = model.var.key
            categorical = model.var.type == "categorical"
            out = np.empty(n, dtype=object) if categorical else np.full(n, np.nan)
            chosen = np.full(n, -1)
            for i, case in enumerate(model.cases):
                hit = chosen < 0
                for parent, match in zip(model.parents, case.matchers, strict=True):
                    hit &= match(values[parent])
                chosen[hit] = i
            if (chosen < 0).any():
                row = int(np.flatnonzero(chosen < 0)[0])
                given = ", ".join(f"{p}={values[p][row]}" for p in model.parents)
                raise PathsynthError(
                    f"prior {self.schema.prior}: no case of {key} covers {given}: add a '*' case"
                )
            obs = observed.get(key)
            is_obs = _known(obs, n, categorical)
            miss = np.empty(n)
            for i, case in enumerate(model.cases):
                rows = np.flatnonzero(chosen == i)
                if not len(rows):
                    continue
                sampler = self._samplers[(key, i)]
                p_unstated = float(case.dist.unstated or 0.0)
                miss[rows] = p_unstated
                o = rows[is_obs[rows]]
                if isinstance(sampler, _Categorical):
                    out[rows] = sampler.sample(len(rows), rng)
                    if len(o):
                        logw[o] += sampler.loglik(obs[o])  # type: ignore[index]
                else:
                    lo, hi = self._bounds(model, case.dist, rows, known)
                    out[rows] = sampler.sample(lo, hi, rng)
                    if len(o):
                        sub = is_obs[rows]
                        logw[o] += sampler.loglik(np.asarray(obs, dtype=float)[o], lo[sub], hi[sub])
                if len(o):
                    logw[o] += math.log(1 - p_unstated) if p_unstated < 1 else _LOG_IMPOSSIBLE
            if obs is not None:
                out[is_obs] = np.asarray(obs, dtype=object if categorical else float)[is_obs]
            values[key] = out
            applicable[key] = miss < 1
            unstated[key] = miss
            if not categorical:
                known[key] = np.asarray(out, dtype=float)
        return values, applicable, unstated, logw


_FLIP = {"<=": ">=", "<": ">", ">=": "<=", ">": "<", "==": "==", "!=": "!="}


def _known(obs: NDArray[Any] | None, n: int, categorical: bool) -> BoolA:
    if obs is None:
        return np.zeros(n, dtype=bool)
    if categorical:
        return np.array([isinstance(v, str) for v in obs], dtype=bool)
    return np.asarray(~np.isnan(np.asarray(obs, dtype=float)), dtype=bool)


def _frame(
    schema: Schema, ids: list[str], values: dict[str, NDArray[Any]], keep: dict[str, BoolA]
) -> pd.DataFrame:
    """Typed records (as :func:`read_records` types them); keys outside the prior unknown."""
    n = len(ids)
    columns: dict[str, Any] = {"id": pd.Series(ids, dtype=object)}
    for var in schema.variables:
        v, k = values.get(var.key), keep.get(var.key)
        if v is None or k is None:
            v, k = np.full(n, None, dtype=object), np.zeros(n, dtype=bool)
        if var.type == "categorical":
            columns[var.key] = pd.Series(
                [x if ok else None for x, ok in zip(v, k, strict=True)], dtype=object
            )
        elif var.type == "integer":
            ints = [int(x) if ok else None for x, ok in zip(v, k, strict=True)]
            columns[var.key] = pd.Series(pd.array(ints, dtype="Int64"))
        else:
            cells = [float(x) if ok else np.nan for x, ok in zip(v, k, strict=True)]
            columns[var.key] = pd.Series(cells, dtype=float)
    return pd.DataFrame(columns)


def _schema(schema: Schema | str | None) -> Schema:
    return schema if isinstance(schema, Schema) else load_schema(schema or "breast13")


def simulate_cohort(n: int, seed: int = 0, schema: Schema | str | None = None) -> pd.DataFrame:
    """Draw ``n`` patients from the schema's ``prior.yaml``; ids ``SIM-000001``... A share of
    the cells is unstated, as the file says. Same ``seed``, same cohort."""
    if n < 1:
        raise PathsynthError(f"--n must be at least 1 (got {n})")
    sch = _schema(schema)
    prior = DeclarativePrior(sch)
    rng = np.random.default_rng(seed)
    values, applicable, unstated, _ = prior.draw(n, rng)
    stated = {k: applicable[k] & (rng.random(n) >= unstated[k]) for k in prior.keys}
    width = max(6, len(str(n)))
    ids = [f"SIM-{i:0{width}d}" for i in range(1, n + 1)]
    return _frame(sch, ids, values, stated)


def _observed(frame: pd.DataFrame, schema: Schema, keys: list[str]) -> dict[str, NDArray[Any]]:
    out: dict[str, NDArray[Any]] = {}
    for key in keys:
        col = frame[key]
        if schema[key].type == "categorical":
            out[key] = np.array([v if isinstance(v, str) else None for v in col], dtype=object)
        else:
            out[key] = np.asarray(pd.to_numeric(col).astype(float).to_numpy(na_value=np.nan))
    return out


def complete_cohort(
    frame: pd.DataFrame,
    seed: int = 0,
    schema: Schema | str | None = None,
    *,
    keys: list[str] | None = None,
    particles: int = 256,
    progress: Callable[[int], None] | None = None,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Fill the unknown cells of ``frame`` from the prior, conditioned on its known cells.

    Known cells are never changed. Unknown cells among ``keys`` (default: every key the prior
    models) are filled where they apply to the drawn patient (a case with ``unstated: 1``
    leaves its cell unknown), by likelihood weighting over ``particles`` draws per row.
    Returns ``(completed, flags)``: flags has the ids and one boolean column per schema key,
    true where a cell was filled; ``progress`` gets the number of rows done.
    """
    from pathsynth.cohort.records import coerce_frame

    sch = _schema(schema)
    prior = DeclarativePrior(sch)
    fill = list(prior.keys) if keys is None else list(keys)
    bad = [k for k in fill if k not in prior.keys]
    if bad:
        raise PathsynthError(
            f"cannot complete {', '.join(bad)}: the prior models {', '.join(prior.keys)}"
        )
    if particles < 1:
        raise PathsynthError(f"particles must be at least 1 (got {particles})")
    records = coerce_frame(frame, sch).frame
    obs = _observed(records, sch, prior.keys)
    rng = np.random.default_rng(seed)
    n = len(records)
    chunk = max(1, 200_000 // particles)
    drawn: dict[str, list[NDArray[Any]]] = {k: [] for k in prior.keys}
    apply: dict[str, list[BoolA]] = {k: [] for k in prior.keys}
    for start in range(0, n, chunk):
        stop = min(n, start + chunk)
        m = stop - start
        clamp = {k: np.repeat(v[start:stop], particles) for k, v in obs.items()}
        values, applicable, _, logw = prior.draw(m * particles, rng, clamp)
        # Gumbel-max: one particle per row, drawn in proportion to its weight.
        scores = logw.reshape(m, particles) + rng.gumbel(size=(m, particles))
        pick = np.arange(m) * particles + scores.argmax(axis=1)
        for k in prior.keys:
            drawn[k].append(values[k][pick])
            apply[k].append(applicable[k][pick])
        if progress is not None:
            progress(stop)
    values = {k: np.concatenate(v) if v else np.array([]) for k, v in drawn.items()}
    completed = records.copy()
    flags = pd.DataFrame({"id": records["id"]})
    for key in sch.keys:
        mask = np.zeros(n, dtype=bool)
        if key in fill:
            known = _known(obs[key], n, sch[key].type == "categorical")
            mask = ~known & np.concatenate(apply[key])
            filled = _frame(sch, list(records["id"]), {key: values[key]}, {key: mask})[key]
            completed[key] = records[key].where(~mask, filled)
        flags[key] = mask
    return completed, flags
