"""The schema: variables, their canonical values and their French / English surface forms."""

from __future__ import annotations

import operator
import re
from collections.abc import Callable
from functools import cached_property
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    RootModel,
    ValidationError,
    field_validator,
    model_validator,
)

from pathsynth.errors import PathsynthError

Lang = Literal["fr", "en"]
LANGS: tuple[Lang, ...] = ("fr", "en")
VarType = Literal["categorical", "integer", "number"]
Value = str | int | float | None


class Localized(RootModel[dict[str, str]]):
    """A text in one or more languages (``{fr: ..., en: ...}``); a language the text lacks
    falls back on the first one given."""

    model_config = ConfigDict(frozen=True)

    @field_validator("root")
    @classmethod
    def _not_empty(cls, v: dict[str, str]) -> dict[str, str]:
        if not v:
            raise ValueError("give the text in at least one language")
        return v

    def __getitem__(self, lang: str) -> str:
        return self.root.get(lang) or next(iter(self.root.values()))

    @property
    def languages(self) -> list[str]:
        return list(self.root)

    def all(self) -> list[str]:
        """The text in every language given."""
        return list(self.root.values())


class Forms(RootModel[dict[str, list[str]]]):
    """Surface forms (ways of writing) per language; a language without forms has none."""

    model_config = ConfigDict(frozen=True)

    def __getitem__(self, lang: str) -> list[str]:
        return list(self.root.get(lang, []))

    def all(self) -> list[str]:
        """Every form, all languages together."""
        return [f for forms in self.root.values() for f in forms]


class Tolerance(BaseModel):
    """How far two numbers may be and still state the same fact ("2,8 cm" and "28 mm", a
    rounded "~28 mm"): ``abs`` in the variable's unit, ``rel`` as a share of the larger."""

    model_config = ConfigDict(frozen=True, extra="forbid")
    abs: float = Field(0.0, ge=0)
    rel: float = Field(0.0, ge=0, le=1)

    def equal(self, a: float, b: float) -> bool:
        return abs(a - b) <= max(self.abs, self.rel * max(abs(a), abs(b))) + 1e-9


_OPS: dict[str, Callable[[Any, Any], bool]] = {
    "<=": operator.le,
    "<": operator.lt,
    ">=": operator.ge,
    ">": operator.gt,
    "==": operator.eq,
    "!=": operator.ne,
}
_CONSTRAINT_RE = re.compile(r"^\s*([A-Za-z_]\w*)\s*(<=|>=|==|!=|<|>)\s*([A-Za-z_]\w*)\s*$")


class Constraint(BaseModel):
    """A cross-variable rule ``left OP right`` between two numeric keys, e.g. affected nodes
    ``<=`` examined nodes; written as a string in schema YAML, parsed once here."""

    model_config = ConfigDict(frozen=True)
    left: str
    op: Literal["<=", "<", ">=", ">", "==", "!="]
    right: str
    message: str | None = None
    """How a breach reads, with ``{left}`` and ``{right}`` for the two values."""

    @model_validator(mode="before")
    @classmethod
    def _parse(cls, data: Any) -> Any:
        message = None
        if isinstance(data, dict) and "rule" in data:
            message = data.get("message")
            data = data["rule"]
        if isinstance(data, str):
            m = _CONSTRAINT_RE.match(data)
            if not m:
                raise ValueError(
                    f"constraint {data!r}: write KEY OP KEY with OP one of <= < >= > == !="
                )
            return {"left": m.group(1), "op": m.group(2), "right": m.group(3), "message": message}
        return data

    def __str__(self) -> str:
        return f"{self.left} {self.op} {self.right}"

    def breach(self, left: Any, right: Any) -> str:
        """The breach of this rule by two values, in words."""
        if self.message:
            return self.message.format(left=left, right=right)
        return f"{self.left} {left} breaks {self} ({self.right} {right})"

    def holds(self, values: dict[str, Any]) -> bool:
        """False only when both values are known numbers and break the rule."""
        a, b = values.get(self.left), values.get(self.right)
        if not _is_number(a) or not _is_number(b):
            return True
        return _OPS[self.op](a, b)


def _is_number(x: Any) -> bool:
    return isinstance(x, int | float) and not isinstance(x, bool) and x == x


class CategoryValue(BaseModel):
    """One canonical value of a categorical variable."""

    model_config = ConfigDict(frozen=True)
    code: str
    label: Localized
    surface: Forms = Field(default_factory=lambda: Forms({}))


class Variable(BaseModel):
    """One variable of the schema."""

    model_config = ConfigDict(frozen=True)
    key: str
    type: VarType
    description: Localized
    names: Forms = Field(default_factory=lambda: Forms({}))
    values: list[CategoryValue] = Field(default_factory=list)
    unit: str | None = None
    min: float | None = None
    max: float | None = None
    reader: str | None = None
    """Name of the value reader (``nottingham_grade``, ``length``...); default: chosen by type
    and unit, never by the key's name."""
    tolerance: Tolerance = Field(default_factory=lambda: Tolerance(abs=0.0, rel=0.0))
    """When two values of a number variable are the same fact (filter and evaluation)."""
    open_codes: str | None = None
    """A pattern further codes of an open code system match (ICD-O-3 morphology:
    ``[89]\\d{3}/[0-3]``); the listed values keep their labels and surface forms."""

    @field_validator("open_codes")
    @classmethod
    def _pattern(cls, v: str | None) -> str | None:
        if v is not None:
            try:
                re.compile(v)
            except re.error as exc:
                raise ValueError(f"open_codes is no pattern: {exc}") from None
        return v

    @model_validator(mode="after")
    def _check(self) -> Variable:
        if self.type == "categorical" and not self.values:
            raise ValueError(f"categorical variable {self.key!r} needs values")
        if self.type != "categorical" and self.values:
            raise ValueError(f"{self.type} variable {self.key!r} cannot list values")
        return self

    @property
    def codes(self) -> list[str]:
        """Canonical values of a categorical variable, in schema order."""
        return [v.code for v in self.values]

    def category(self, code: str) -> CategoryValue:
        for v in self.values:
            if v.code == code:
                return v
        raise KeyError(code)

    def is_valid(self, value: Value) -> bool:
        """Whether ``value`` is canonical for this variable (``None`` = unknown is valid)."""
        if value is None:
            return True
        if self.type == "categorical":
            if not isinstance(value, str):
                return False
            return value in self.codes or (
                self.open_codes is not None and re.fullmatch(self.open_codes, value) is not None
            )
        if isinstance(value, bool) or not isinstance(value, int | float):
            return False
        if self.type == "integer" and float(value) != int(value):
            return False
        if self.min is not None and value < self.min:
            return False
        return not (self.max is not None and value > self.max)

    def equal(self, a: Value, b: Value) -> bool:
        """Whether two canonical values state the same fact (both unknown counts as equal)."""
        if a is None or b is None:
            return a is None and b is None
        if self.type == "number":
            return self.tolerance.equal(float(a), float(b))
        if self.type == "integer":
            return int(a) == int(b)
        return a == b

    def canonical(self, value: Value) -> Value:
        """The JSON-ready form of a valid value: ints for integers, floats for numbers."""
        if value is None:
            return None
        if self.type == "integer":
            return int(value)
        if self.type == "number":
            f = float(value)
            return int(f) if f.is_integer() else round(f, 3)
        return str(value)


class Schema(BaseModel):
    """A set of variables coded from reports, e.g. the built-in ``breast13``."""

    model_config = ConfigDict(frozen=True)
    name: str
    description: Localized
    variables: list[Variable]
    constraints: list[Constraint] = Field(default_factory=list)
    languages: list[str] = Field(default_factory=lambda: [str(x) for x in LANGS])
    """Languages the schema's reports are written in (its labels and forms cover these)."""
    domain: str | None = None
    """The domain pack whose readers, grammar and prior serve this schema (``breast13``);
    ``None``: the generic engines alone."""
    prior: str | None = None
    """A declarative clinical prior (``prior.yaml``, :mod:`pathsynth.cohort.declarative`);
    written relative to the schema file, held as an absolute path once loaded."""

    @model_validator(mode="after")
    def _unique(self) -> Schema:
        keys = [v.key for v in self.variables]
        dup = {k for k in keys if keys.count(k) > 1}
        if dup:
            raise ValueError(f"duplicate keys: {sorted(dup)}")
        if "id" in keys:
            raise ValueError("'id' is reserved for the record identifier")
        for c in self.constraints:
            for key in (c.left, c.right):
                if key not in keys:
                    raise ValueError(f"constraint '{c}' names unknown key {key!r}")
                if self[key].type == "categorical":
                    raise ValueError(f"constraint '{c}' compares categorical key {key!r}")
        if not self.languages:
            raise ValueError("languages: give at least one")
        return self

    @cached_property
    def keys(self) -> list[str]:
        """Variable keys in schema order."""
        return [v.key for v in self.variables]

    def __getitem__(self, key: str) -> Variable:
        for v in self.variables:
            if v.key == key:
                return v
        raise KeyError(key)

    def __contains__(self, key: object) -> bool:
        return key in self.keys

    def empty_values(self) -> dict[str, Value]:
        """All keys mapped to ``None`` (unknown)."""
        return dict.fromkeys(self.keys)

    def check_record(self, values: dict[str, Any]) -> list[str]:
        """Problems with a record's values, as short phrases (empty when canonical)."""
        problems = []
        for key, value in values.items():
            if key not in self:
                problems.append(f"unknown key {key!r}")
            elif not self[key].is_valid(value):
                problems.append(f"{key}={value!r} is not a canonical value")
        for c in self.constraints:
            if not c.holds(values):
                problems.append(c.breach(values[c.left], values[c.right]))
        return problems


_CACHE: dict[str, Schema] = {}


def load_schema(name_or_path: str | Path = "breast13") -> Schema:
    """Load a built-in schema by its domain pack's name (``breast13``) or any schema YAML file
    by path (a pack folder holding ``schema.yaml`` works too)."""
    key = str(name_or_path)
    if key in _CACHE:
        return _CACHE[key]
    from pathsynth.domains import builtin_schema_text

    path = Path(key)
    builtin = None
    folder = Path.cwd()
    if path.suffix in {".yaml", ".yml"} or path.exists():
        if path.is_dir() and (path / "schema.yaml").is_file():
            path = path / "schema.yaml"
        if not path.is_file():
            raise PathsynthError(f"schema file not found: {path}")
        text = path.read_text(encoding="utf-8")
        folder = path.resolve().parent
    else:
        builtin = builtin_schema_text(key)
        if builtin is None:
            raise PathsynthError(
                f"unknown schema {key!r}: give 'breast13' or the path of a schema YAML file"
            )
        text = builtin
    try:
        from pathsynth._io import load_yaml  # aliases bounded: a schema file is user input

        data = load_yaml(text, f"schema {key}")
        if builtin is not None and isinstance(data, dict):
            data.setdefault("domain", key)
        elif isinstance(data, dict):
            _locate_prior(data, folder, path.name)
        schema = Schema.model_validate(data)
    except (ValidationError, yaml.YAMLError) as exc:
        first = str(exc).splitlines()
        raise PathsynthError(f"invalid schema {key}: {' '.join(first[:3])}") from None
    _check_readers(schema, key)
    _CACHE[key] = schema
    return schema


def _locate_prior(data: dict[str, Any], folder: Path, name: str) -> None:
    """``prior:`` relative to the schema file; a pack folder's ``prior.yaml`` when it names
    none (a schema with a ``domain`` keeps that pack's prior)."""
    prior = data.get("prior")
    if isinstance(prior, str) and prior.strip():
        target = Path(prior)
        data["prior"] = str(target if target.is_absolute() else folder / target)
    elif (
        prior is None
        and name == "schema.yaml"
        and not data.get("domain")
        and (folder / "prior.yaml").is_file()
    ):
        data["prior"] = str(folder / "prior.yaml")


def _check_readers(schema: Schema, source: str) -> None:
    from pathsynth.schema.readers import has_reader

    for var in schema.variables:
        if var.reader is not None and not has_reader(var.reader):
            raise PathsynthError(
                f"invalid schema {source}: {var.key}: unknown reader {var.reader!r}"
            )
