"""The file format of a declarative clinical prior (``prior.yaml`` beside a schema).

Per variable: a distribution, optionally one per case of one or two parent variables, and the
probability that a report leaves the value unstated::

    variables:
      procedure:
        categorical: {right_hemicolectomy: 30, sigmoidectomy: 20, anterior_resection: 25}
      nodes_examined:
        given: [procedure]
        cases:
          total_colectomy: {negative_binomial: {mean: 32, dispersion: 6}}
          "*": {negative_binomial: {mean: 20, dispersion: 5}}
        unstated: 0.03

Distributions: ``categorical`` (weights, renormalised), ``normal`` (mean, sd), ``lognormal``
(median, sd of the log), ``poisson`` (mean), ``negative_binomial`` (mean, dispersion),
``uniform`` (low, high); numbers may add ``zero`` (the probability of exactly 0), ``min`` /
``max`` (bounds, default the schema's), ``round`` (decimals). A case key is a code, a number,
a range (``1-3``, ``>=4``, ``<2``), alternatives joined by ``|``, or ``*`` for the rest; with
two parents, cases nest (``cases: {T3: {"0": ..., "*": ...}, "*": ...}``). Fields a case leaves
out come from its variable.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import yaml
from numpy.typing import NDArray
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from pathsynth.errors import PathsynthError
from pathsynth.schema import Schema, Variable

FAMILIES = ("categorical", "normal", "lognormal", "poisson", "negative_binomial", "uniform")
_INHERITED = ("zero", "min", "max", "round", "unstated")


class _Params(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Normal(_Params):
    mean: float
    sd: float = Field(gt=0)


class LogNormal(_Params):
    median: float = Field(gt=0)
    sd: float = Field(gt=0)


class Poisson(_Params):
    mean: float = Field(gt=0)


class NegativeBinomial(_Params):
    mean: float = Field(gt=0)
    dispersion: float = Field(gt=0)
    """The size parameter: variance = mean + mean² / dispersion."""


class Uniform(_Params):
    low: float
    high: float

    @model_validator(mode="after")
    def _order(self) -> Uniform:
        if self.high <= self.low:
            raise ValueError("uniform: high must exceed low")
        return self


class Dist(BaseModel):
    """One distribution of a variable (for one case of its parents)."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    categorical: dict[str, float] | None = None
    normal: Normal | None = None
    lognormal: LogNormal | None = None
    poisson: Poisson | None = None
    negative_binomial: NegativeBinomial | None = None
    uniform: Uniform | None = None
    zero: float | None = Field(None, ge=0, le=1)
    min: float | None = None
    max: float | None = None
    round: int | None = Field(None, ge=0, le=6)
    unstated: float | None = Field(None, ge=0, le=1)

    @property
    def family(self) -> str | None:
        given = [f for f in FAMILIES if getattr(self, f) is not None]
        return given[0] if given else None

    @model_validator(mode="after")
    def _one_family(self) -> Dist:
        given = [f for f in FAMILIES if getattr(self, f) is not None]
        if len(given) > 1:
            raise ValueError(f"give one distribution, not {' and '.join(given)}")
        if self.categorical is not None:
            if not self.categorical or any(w < 0 for w in self.categorical.values()):
                raise ValueError("categorical: give non-negative weights")
            if sum(self.categorical.values()) <= 0:
                raise ValueError("categorical: the weights sum to 0")
        return self

    def merged(self, case: Dist) -> Dist:
        """``case`` with the fields it leaves out taken from this (its variable's) entry."""
        data = {k: getattr(self, k) for k in _INHERITED if getattr(case, k) is None}
        if case.family is None and self.family is not None:
            data[self.family] = getattr(self, self.family)
        return case.model_copy(update=data)


class VariablePrior(Dist):
    """A variable's entry: its distribution, or ``given`` parents and ``cases``."""

    given: list[str] = Field(default_factory=list, max_length=2)
    cases: dict[str | int | float, Any] | None = None

    @model_validator(mode="after")
    def _cases(self) -> VariablePrior:
        if bool(self.given) != (self.cases is not None):
            raise ValueError("give both 'given' (parents) and 'cases', or neither")
        return self


class PriorFile(BaseModel):
    model_config = ConfigDict(extra="forbid")
    version: int = 1
    variables: dict[str, VariablePrior]


Matcher = Callable[[NDArray[Any]], NDArray[np.bool_]]
_RANGE = re.compile(r"^\s*(-?\d+(?:\.\d+)?)\s*-\s*(-?\d+(?:\.\d+)?)\s*$")
_CMP = re.compile(r"^\s*(<=|>=|<|>|==)?\s*(-?\d+(?:\.\d+)?)\s*$")


def _matcher(key: str, parent: Variable) -> Matcher:
    """Which parent values a case key covers (raises ``ValueError`` on a bad key)."""
    key = str(key).strip()
    if key == "*":
        return lambda v: np.ones(len(v), dtype=bool)
    alternatives = [k.strip() for k in key.split("|")]
    if parent.type == "categorical":
        for code in alternatives:
            if not parent.is_valid(code):
                raise ValueError(f"case {code!r} is no value of {parent.key}")
        codes = np.array(alternatives, dtype=object)
        return lambda v: np.isin(v, codes)
    # Each alternative is an interval (low, high, low open, high open).
    spans: list[tuple[float, float, bool, bool]] = []
    for alt in alternatives:
        m = _RANGE.match(alt)
        if m:
            spans.append((float(m.group(1)), float(m.group(2)), False, False))
            continue
        m = _CMP.match(alt)
        if not m:
            raise ValueError(f"case {alt!r} of {parent.key}: write a number, a range or >= x")
        op, x = m.group(1) or "==", float(m.group(2))
        spans.append(
            {
                "==": (x, x, False, False),
                "<=": (-math.inf, x, False, False),
                "<": (-math.inf, x, False, True),
                ">=": (x, math.inf, False, False),
                ">": (x, math.inf, True, False),
            }[op]
        )

    def match(v: NDArray[Any]) -> NDArray[np.bool_]:
        v = np.asarray(v, dtype=float)
        out = np.zeros(len(v), dtype=bool)
        for lo, hi, lo_open, hi_open in spans:
            above = v > lo if lo_open else v >= lo
            below = v < hi if hi_open else v <= hi
            out |= above & below
        return out

    return match


@dataclass(frozen=True)
class Case:
    """One case of a variable: which parent values it covers and its distribution."""

    matchers: tuple[Matcher, ...]
    dist: Dist
    label: str


@dataclass(frozen=True)
class VariableModel:
    """A variable of the prior, ready to draw: parents and cases (first match wins)."""

    var: Variable
    parents: tuple[str, ...]
    cases: tuple[Case, ...]
    levels: tuple[str, ...]
    """Categorical: every code some case can draw."""


def _flatten(cases: dict[Any, Any], depth: int, where: str) -> list[tuple[list[str], Any]]:
    out: list[tuple[list[str], Any]] = []
    for key, value in cases.items():
        if depth == 1:
            out.append(([str(key)], value))
        else:
            if not isinstance(value, dict) or any(k in FAMILIES for k in value):
                raise ValueError(f"{where}: case {key!r} needs cases of the second parent")
            out.extend(([str(key), *ks], v) for ks, v in _flatten(value, 1, where))
    # The catch-all goes last whatever the file order.
    return sorted(out, key=lambda kv: [k == "*" for k in kv[0]])


def _check_dist(dist: Dist, var: Variable, where: str) -> None:
    family = dist.family
    if family is None:
        raise ValueError(f"{where}: give a distribution ({', '.join(FAMILIES)})")
    if (family == "categorical") != (var.type == "categorical"):
        kind = "categorical" if var.type == "categorical" else "a number distribution"
        raise ValueError(f"{where}: {var.key} is {var.type}, give {kind}")
    if dist.categorical:
        bad = [c for c in dist.categorical if not var.is_valid(c)]
        if bad:
            raise ValueError(f"{where}: {bad[0]!r} is no value of {var.key}")
    lo = dist.min if dist.min is not None else var.min
    hi = dist.max if dist.max is not None else var.max
    if lo is not None and hi is not None and hi < lo:
        raise ValueError(f"{where}: max {hi} is below min {lo}")


def _model(key: str, entry: VariablePrior, schema: Schema) -> VariableModel:
    var = schema[key]
    for parent in entry.given:
        if parent not in schema:
            raise ValueError(f"{key}: unknown parent {parent!r}")
        if parent == key:
            raise ValueError(f"{key}: a variable cannot be its own parent")
    parents = tuple(entry.given)
    cases: list[Case] = []
    if not parents:
        _check_dist(entry, var, key)
        cases.append(Case((), entry, "*"))
    else:
        for keys, raw in _flatten(entry.cases or {}, len(parents), key):
            pairs = zip(parents, keys, strict=True)
            where = f"{key} given {', '.join(f'{p}={k}' for p, k in pairs)}"
            if not isinstance(raw, dict):
                raise ValueError(f"{where}: a case is a distribution mapping")
            try:
                dist = entry.merged(Dist.model_validate(raw))
            except ValidationError as exc:
                raise ValueError(f"{where}: {_first_error(exc)}") from None
            _check_dist(dist, var, where)
            matchers = tuple(_matcher(k, schema[p]) for k, p in zip(keys, parents, strict=True))
            cases.append(Case(matchers, dist, "|".join(keys)))
        catch_all = any(all(k == "*" for k in c.label.split("|")) for c in cases)
        if not catch_all and not _covers(parents, cases, schema):
            raise ValueError(f"{key}: add a '*' case for the values no case covers")
    levels: list[str] = []
    for c in cases:
        for code in c.dist.categorical or {}:
            if code not in levels:
                levels.append(code)
    return VariableModel(var, parents, tuple(cases), tuple(levels))


def _covers(parents: tuple[str, ...], cases: list[Case], schema: Schema) -> bool:
    """Whether the cases cover every value of a categorical parent (one parent only; an open
    code system needs ``*``). Number parents are checked as values are drawn."""
    if any(schema[p].type != "categorical" for p in parents):
        return True
    if len(parents) != 1 or schema[parents[0]].open_codes is not None:
        return False
    codes = np.array(schema[parents[0]].codes, dtype=object)
    covered = np.zeros(len(codes), dtype=bool)
    for c in cases:
        covered |= c.matchers[0](codes)
    return bool(covered.all())


def _order(models: dict[str, VariableModel]) -> list[str]:
    """Parents before children; a cycle, or a parent the prior does not model, is an error."""
    done: list[str] = []
    visiting: set[str] = set()

    def visit(key: str, path: tuple[str, ...]) -> None:
        if key in done:
            return
        if key in visiting:
            raise ValueError(f"parents form a cycle: {' -> '.join((*path, key))}")
        if key not in models:
            raise ValueError(f"{path[-1]}: parent {key!r} has no entry in the prior")
        visiting.add(key)
        for p in models[key].parents:
            visit(p, (*path, key))
        visiting.discard(key)
        done.append(key)

    for key in models:
        visit(key, ())
    return done


class _Loader(yaml.SafeLoader):
    """YAML where only true / false are booleans: ``yes`` and ``no`` stay codes."""


_Loader.yaml_implicit_resolvers = {
    ch: [(tag, rx) for tag, rx in resolvers if tag != "tag:yaml.org,2002:bool"]
    for ch, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}
_Loader.add_implicit_resolver(
    "tag:yaml.org,2002:bool", re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"), list("tTfF")
)


def _first_error(exc: ValidationError) -> str:
    err = exc.errors()[0]
    loc = ".".join(str(x) for x in err["loc"])
    return f"{loc}: {err['msg']}" if loc else str(err["msg"])


def load_prior_spec(path: str | Path, schema: Schema) -> list[VariableModel]:
    """The variables of the prior file at ``path``, parents first (one-line error if bad)."""
    p = Path(path)
    if not p.is_file():
        raise PathsynthError(f"clinical prior not found: {p} (named by schema {schema.name})")
    try:
        raw = yaml.load(p.read_text(encoding="utf-8"), Loader=_Loader)
    except (yaml.YAMLError, UnicodeDecodeError) as exc:
        raise PathsynthError(f"prior {p}: not YAML ({str(exc).splitlines()[0]})") from None
    try:
        spec = PriorFile.model_validate(raw)
    except ValidationError as exc:
        raise PathsynthError(f"prior {p}: {_first_error(exc)}") from None
    try:
        unknown = [k for k in spec.variables if k not in schema]
        if unknown:
            raise ValueError(f"{unknown[0]!r} is no variable of schema {schema.name}")
        models = {k: _model(k, e, schema) for k, e in spec.variables.items()}
        order = _order(models)
    except ValueError as exc:
        raise PathsynthError(f"prior {p}: {exc}") from None
    return [models[k] for k in order]
