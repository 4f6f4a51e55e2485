"""Schema-driven encoding of records for the synthesizers, and the repairs applied to their output.

Every synthesizer sees the same cleaned frame: the schema keys present in the input, categoricals
restricted to the schema's codes, unknown cells kept as unknown. Discrete encodings give unknown
its own level, and continuous ones a missing indicator, so the unknown rate is learnt like any
other value and mapped back to ``None`` / ``NaN``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from pathsynth.errors import PathsynthError
from pathsynth.schema import Schema, Variable
from pathsynth.schema.model import Constraint

UNKNOWN = "__unknown__"
MISSING_SUFFIX = "__missing"


@dataclass
class ColumnSpec:
    """How one schema variable is encoded: its codes or its bounds, and its number of levels."""

    key: str
    type: str
    codes: list[str] = field(default_factory=list)
    lo: float | None = None
    hi: float | None = None
    #: bin count of a number in discrete encodings (integers use one level per value)
    bins: int = 0
    #: explicit bin edges (lower bound first, upper bound + 1 last for an integer), replacing the
    #: square-root edges; set by a synthesizer that codes a column more coarsely (MST's counts)
    cuts: list[float] | None = None

    @property
    def levels(self) -> int:
        """Discrete levels, unknown included."""
        if self.type == "categorical":
            return len(self.codes) + 1
        if self.type == "integer" and self.bins == 0:
            assert self.lo is not None and self.hi is not None
            return int(self.hi - self.lo) + 2
        return self.bins + 1

    @property
    def unknown_level(self) -> int:
        return self.levels - 1

    @property
    def bin_width(self) -> float:
        """Mean width of a bin."""
        assert self.lo is not None and self.hi is not None
        return (self.hi - self.lo) / max(self.bins, 1)

    @property
    def edges(self) -> np.ndarray:
        """Bin edges on a square-root scale: narrow near the lower bound, wide in the tail.

        Clinical sizes and indices are right-skewed (most tumours under 30 mm of a 0-250 range),
        so equal bins would spend most levels on empty tails. Derived from the bounds only.
        """
        if self.cuts is not None:
            return np.asarray(self.cuts, dtype=float)
        assert self.lo is not None and self.hi is not None
        return self.lo + (self.hi - self.lo) * (np.arange(self.bins + 1) / self.bins) ** 2

    def set_cuts(self, cuts: list[float]) -> None:
        """Code this column with the bins ``cuts`` delimit (derived from public bounds only)."""
        self.cuts = [float(c) for c in cuts]
        self.bins = len(self.cuts) - 1


@dataclass
class CleanReport:
    """What cleaning changed in the input before fitting."""

    rows: int = 0
    #: per key: cells outside the schema (unknown category, out of bounds, not a number) set unknown
    invalid_cells: dict[str, int] = field(default_factory=dict)


def _bounds_of(var: Variable) -> tuple[float | None, float | None]:
    return var.min, var.max


class RecordCodec:
    """Encodes a cohort's schema columns for the synthesizers and repairs what they produce.

    ``max_levels``: integers spanning more values than this are binned in discrete encodings.
    ``bins``: bins of a number variable in discrete encodings (values are drawn uniformly inside).
    """

    def __init__(self, schema: Schema, keys: list[str], *, bins: int = 100, max_levels: int = 128):
        self.schema = schema
        self.keys = keys
        self.specs: dict[str, ColumnSpec] = {}
        for key in keys:
            var = schema[key]
            lo, hi = _bounds_of(var)
            spec = ColumnSpec(key=key, type=var.type, codes=list(var.codes), lo=lo, hi=hi)
            self.specs[key] = spec
        self._bins = bins
        self._max_levels = max_levels
        # the schema's cross-variable rules between the keys this codec carries
        self.constraints = [c for c in schema.constraints if c.left in keys and c.right in keys]
        self._finish_specs()

    @classmethod
    def for_frame(cls, schema: Schema, frame: pd.DataFrame, **kwargs: Any) -> RecordCodec:
        """A codec over the schema keys ``frame`` has (other columns, ``id`` too, are ignored)."""
        keys = [k for k in schema.keys if k in frame.columns]
        if not keys:
            raise PathsynthError(
                f"the records have none of the schema's columns ({', '.join(schema.keys)})"
            )
        return cls(schema, keys, **kwargs)

    def _finish_specs(self) -> None:
        for spec in self.specs.values():
            if spec.cuts is not None:
                continue
            if spec.type == "number":
                spec.bins = self._bins
            elif spec.type == "integer" and spec.lo is not None and spec.hi is not None:
                spec.bins = 0 if spec.hi - spec.lo + 1 <= self._max_levels else self._bins

    # -- bounds ------------------------------------------------------------------------------

    @property
    def unbounded(self) -> list[str]:
        """Numeric keys whose schema gives no min or no max."""
        return [
            k
            for k, s in self.specs.items()
            if s.type != "categorical" and (s.lo is None or s.hi is None)
        ]

    def fit_bounds(self, frame: pd.DataFrame, epsilon: float | None) -> float:
        """Fill the bounds the schema lacks from the data; return the ε this spent.

        With ``epsilon`` (differentially private synthesizers) bounds come from smartnoise's
        private bound estimate, the budget split evenly over the columns; without it they are
        the observed min and max.
        """
        keys = self.unbounded
        if not keys:
            return 0.0
        spent = 0.0
        for key in keys:
            spec = self.specs[key]
            values = pd.to_numeric(frame[key], errors="coerce").dropna().to_numpy(dtype=float)
            if epsilon:
                from snsql.sql._mechanisms.approx_bounds import approx_bounds

                share = epsilon / len(keys)
                lo, hi = approx_bounds(values, share)
                spent += share
                if lo is None or hi is None:
                    raise PathsynthError(
                        f"could not estimate private bounds of {key!r}: "
                        "give its min and max in the schema"
                    )
            elif len(values):
                lo, hi = float(values.min()), float(values.max())
            else:
                lo, hi = 0.0, 1.0
            spec.lo = float(spec.lo) if spec.lo is not None else float(lo)
            spec.hi = float(spec.hi) if spec.hi is not None else float(hi)
            if spec.type == "integer":
                spec.lo, spec.hi = math.floor(spec.lo), math.ceil(spec.hi)
            if spec.hi <= spec.lo:
                spec.hi = spec.lo + 1
        self._finish_specs()
        return spent

    # -- cleaning ----------------------------------------------------------------------------

    def clean(self, frame: pd.DataFrame) -> tuple[pd.DataFrame, CleanReport]:
        """The schema columns of ``frame`` in canonical dtypes; invalid cells become unknown."""
        report = CleanReport(rows=len(frame))
        out: dict[str, pd.Series] = {}
        for key, spec in self.specs.items():
            col = frame[key]
            if spec.type == "categorical":
                text = col.astype(object).where(col.notna(), None)
                text = text.map(lambda v: None if v is None else str(v).strip())
                bad = text.notna() & ~text.isin(spec.codes)
                out[key] = text.where(~bad, None).astype(object)
            else:
                num = pd.to_numeric(col, errors="coerce").astype(float)
                bad = num.isna() & col.notna() & (col.astype(str).str.strip() != "")
                if spec.lo is not None:
                    bad |= num < spec.lo
                if spec.hi is not None:
                    bad |= num > spec.hi
                if spec.type == "integer":
                    bad |= num.notna() & (num != num.round())
                num = num.where(~bad)
                out[key] = num.round().astype("Int64") if spec.type == "integer" else num
            n_bad = int(bad.sum())
            if n_bad:
                report.invalid_cells[key] = n_bad
        return pd.DataFrame(out, index=frame.index).reset_index(drop=True), report

    def typed(self, frame: pd.DataFrame, unknown: object = None) -> pd.DataFrame:
        """``frame`` with the dtypes of the records interface (Int64, float64, object).

        Unknown categorical cells become ``unknown`` (``None`` in the records interface).
        """
        out = {}
        for key, spec in self.specs.items():
            col = frame[key]
            if spec.type == "categorical":
                out[key] = col.astype(object).where(col.notna(), unknown)
            elif spec.type == "integer":
                out[key] = pd.to_numeric(col, errors="coerce").round().astype("Int64")
            else:
                out[key] = pd.to_numeric(col, errors="coerce").astype(float)
        return pd.DataFrame(out)

    # -- discrete ("cube") encoding: every column an integer level, unknown the last ----------

    def to_levels(self, frame: pd.DataFrame) -> pd.DataFrame:
        """Every column as integer levels in ``[0, spec.levels)``."""
        out = {}
        for key, spec in self.specs.items():
            col = frame[key]
            if spec.type == "categorical":
                index = {c: i for i, c in enumerate(spec.codes)}
                out[key] = col.map(lambda v, ix=index, s=spec: ix.get(v, s.unknown_level))
            else:
                assert spec.lo is not None and spec.hi is not None
                num = pd.to_numeric(col, errors="coerce").astype(float)
                if spec.bins == 0:
                    lev = num - spec.lo
                else:
                    lev = pd.Series(
                        np.searchsorted(spec.edges, num.to_numpy(), side="right") - 1.0,
                        index=num.index,
                    ).where(num.notna())
                    lev = lev.clip(0, spec.bins - 1)
                out[key] = lev.fillna(spec.unknown_level)
        return pd.DataFrame(out).astype(int)

    def levels_domain(self) -> pd.DataFrame:
        """A frame enumerating every level of every column (derived from the schema only)."""
        size = max(s.levels for s in self.specs.values())
        return pd.DataFrame({k: np.arange(size) % s.levels for k, s in self.specs.items()})

    def from_levels(self, levels: pd.DataFrame, rng: np.random.Generator) -> pd.DataFrame:
        """Decode levels; a binned number is drawn uniformly inside its bin."""
        out = {}
        for key, spec in self.specs.items():
            lev = pd.to_numeric(levels[key], errors="coerce").fillna(spec.unknown_level)
            lev = lev.astype(int).clip(0, spec.unknown_level).to_numpy()
            unknown = lev == spec.unknown_level
            if spec.type == "categorical":
                codes = np.array([*spec.codes, None], dtype=object)
                out[key] = pd.Series(codes[lev], dtype=object)
                continue
            assert spec.lo is not None
            if spec.bins == 0:
                values = spec.lo + lev.astype(float)
            else:
                edges = spec.edges
                inner = np.clip(lev, 0, spec.bins - 1)
                low, width = edges[inner], edges[inner + 1] - edges[inner]
                if spec.cuts is not None and spec.type == "integer":
                    # integer bins [low, low + width): every whole value in the bin equally likely
                    draws = low + np.floor(rng.random(len(lev)) * width)
                    out[key] = pd.Series(np.where(unknown, np.nan, draws), dtype=float)
                    continue
                values = low + rng.random(len(lev)) * width
                # As precise as the bin that produced it: whole units once bins are that wide.
                values = np.where(width >= 1, np.round(values), np.round(values, 1))
                if spec.type == "integer":
                    values = np.round(values)
            out[key] = pd.Series(np.where(unknown, np.nan, values), dtype=float)
        return self.typed(pd.DataFrame(out))

    # -- mixed ("gan") encoding: discrete columns as levels, wide numbers continuous ---------

    def continuous_keys(self) -> list[str]:
        """Keys encoded as continuous in the mixed encoding (numbers and wide integers)."""
        return [
            k
            for k, s in self.specs.items()
            if s.type == "number" or (s.type == "integer" and s.levels > 21)
        ]

    def to_mixed(self, frame: pd.DataFrame) -> pd.DataFrame:
        """Discrete columns as levels; each continuous one as a value plus a 0/1 missing column."""
        levels = self.to_levels(frame)
        cont = set(self.continuous_keys())
        out: dict[str, pd.Series] = {}
        for key, spec in self.specs.items():
            if key in cont:
                assert spec.lo is not None
                num = pd.to_numeric(frame[key], errors="coerce").astype(float)
                out[key] = num.fillna(spec.lo)
                out[key + MISSING_SUFFIX] = num.isna().astype(int)
            else:
                out[key] = levels[key]
        return pd.DataFrame(out)

    def mixed_domain(self) -> pd.DataFrame:
        """Every level of each discrete column and both bounds of each continuous one."""
        cont = set(self.continuous_keys())
        size = max([s.levels for s in self.specs.values()] + [2])
        out: dict[str, Any] = {}
        for key, spec in self.specs.items():
            if key in cont:
                assert spec.lo is not None and spec.hi is not None
                out[key] = np.linspace(spec.lo, spec.hi, size)
                out[key + MISSING_SUFFIX] = np.arange(size) % 2
            else:
                out[key] = np.arange(size) % spec.levels
        return pd.DataFrame(out)

    def from_mixed(self, mixed: pd.DataFrame, rng: np.random.Generator) -> pd.DataFrame:
        """Decode the mixed encoding (continuous values clipped to bounds, rounded as needed)."""
        cont = set(self.continuous_keys())
        levels = pd.DataFrame(
            {k: (mixed[k] if k not in cont else 0) for k in self.keys}, index=mixed.index
        )
        out = self.from_levels(levels.reset_index(drop=True), rng)
        for key in cont:
            spec = self.specs[key]
            values = pd.to_numeric(mixed[key], errors="coerce").astype(float).to_numpy()
            values = np.clip(values, spec.lo, spec.hi)
            values = np.round(values) if spec.type == "integer" else np.round(values, 1)
            missing = pd.to_numeric(mixed[key + MISSING_SUFFIX], errors="coerce").to_numpy()
            values = np.where(np.round(np.nan_to_num(missing, nan=1.0)) >= 1, np.nan, values)
            out[key] = pd.Series(values, dtype=float)
        return self.typed(out)

    # -- repairs -----------------------------------------------------------------------------

    def repair(self, frame: pd.DataFrame) -> tuple[pd.DataFrame, dict[str, int]]:
        """Clip out-of-bound numbers, round integers, unknown for a category outside the schema."""
        counts: dict[str, int] = {}
        out = frame.copy()
        for key, spec in self.specs.items():
            col = out[key]
            if spec.type == "categorical":
                bad = col.notna() & ~col.isin(spec.codes)
                out[key] = col.where(~bad, None).astype(object)
            else:
                num = pd.to_numeric(col, errors="coerce").astype(float)
                fixed = num.clip(spec.lo, spec.hi)
                if spec.type == "integer":
                    fixed = fixed.round()
                bad = num.notna() & (fixed != num)
                out[key] = fixed
            if int(bad.sum()):
                counts[key] = int(bad.sum())
        return self.typed(out), counts

    def _broken(self, frame: pd.DataFrame, c: Constraint) -> pd.Series:
        va = pd.to_numeric(frame[c.left], errors="coerce").astype(float)
        vb = pd.to_numeric(frame[c.right], errors="coerce").astype(float)
        known = va.notna() & vb.notna()
        holds = [
            c.holds({c.left: a, c.right: b}) for a, b in zip(va[known], vb[known], strict=True)
        ]
        bad = pd.Series(False, index=frame.index)
        bad[known] = [not h for h in holds]
        return bad

    def violations(self, frame: pd.DataFrame) -> pd.Series:
        """Rows breaking a cross-variable constraint of the schema (``a <= b``...)."""
        bad = pd.Series(False, index=frame.index)
        for c in self.constraints:
            bad |= self._broken(frame, c)
        return bad

    def force_constraints(self, frame: pd.DataFrame) -> tuple[pd.DataFrame, int]:
        """Repair rows that still break ``a <= b`` (or ``>=``, ``==``) by setting ``a`` to
        ``b``; return how many."""
        out = frame.copy()
        n = 0
        for c in self.constraints:
            if c.op not in ("<=", ">=", "=="):
                continue
            bad = self._broken(out, c)
            n += int(bad.sum())
            out.loc[bad, c.left] = out.loc[bad, c.right]
        return self.typed(out), n
