"""The schema: variables, their canonical values and their French / English surface forms."""

from __future__ import annotations

from functools import cached_property
from importlib import resources
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from pathsynth.errors import PathsynthError

Lang = Literal["fr", "en"]
LANGS: tuple[Lang, ...] = ("fr", "en")
VarType = Literal["categorical", "integer", "number"]
Value = str | int | float | None


class Localized(BaseModel):
    """A text in each language of the project."""

    model_config = ConfigDict(frozen=True)
    fr: str
    en: str

    def __getitem__(self, lang: str) -> str:
        return str(getattr(self, lang))


class Forms(BaseModel):
    """Surface forms (ways of writing) in each language."""

    model_config = ConfigDict(frozen=True)
    fr: list[str] = Field(default_factory=list)
    en: list[str] = Field(default_factory=list)

    def __getitem__(self, lang: str) -> list[str]:
        return list(getattr(self, lang))


class CategoryValue(BaseModel):
    """One canonical value of a categorical variable."""

    model_config = ConfigDict(frozen=True)
    code: str
    label: Localized
    surface: Forms = Field(default_factory=Forms)


class Variable(BaseModel):
    """One variable of the schema."""

    model_config = ConfigDict(frozen=True)
    key: str
    type: VarType
    description: Localized
    names: Forms = Field(default_factory=Forms)
    values: list[CategoryValue] = Field(default_factory=list)
    unit: str | None = None
    min: float | None = None
    max: float | None = None

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
            return isinstance(value, str) and value in self.codes
        if isinstance(value, bool) or not isinstance(value, int | float):
            return False
        if self.type == "integer" and float(value) != int(value):
            return False
        if self.min is not None and value < self.min:
            return False
        return not (self.max is not None and value > self.max)

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
    constraints: list[str] = Field(default_factory=list)

    @model_validator(mode="after")
    def _unique(self) -> Schema:
        keys = [v.key for v in self.variables]
        dup = {k for k in keys if keys.count(k) > 1}
        if dup:
            raise ValueError(f"duplicate keys: {sorted(dup)}")
        if "id" in keys:
            raise ValueError("'id' is reserved for the record identifier")
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
        if "numero_gang_att <= numero_gang_prel" in self.constraints:
            att, prel = values.get("numero_gang_att"), values.get("numero_gang_prel")
            if isinstance(att, int | float) and isinstance(prel, int | float) and att > prel:
                problems.append(f"numero_gang_att={att} > numero_gang_prel={prel}")
        return problems


_CACHE: dict[str, Schema] = {}


def load_schema(name_or_path: str | Path = "breast13") -> Schema:
    """Load a built-in schema by name (``breast13``) or any schema YAML file by path."""
    key = str(name_or_path)
    if key in _CACHE:
        return _CACHE[key]
    path = Path(key)
    if path.suffix in {".yaml", ".yml"} or path.exists():
        if not path.is_file():
            raise PathsynthError(f"schema file not found: {path}")
        text = path.read_text(encoding="utf-8")
    else:
        try:
            text = resources.files("pathsynth.schema").joinpath(f"{key}.yaml").read_text("utf-8")
        except FileNotFoundError:
            raise PathsynthError(
                f"unknown schema {key!r}: give 'breast13' or the path of a schema YAML file"
            ) from None
    try:
        from pathsynth._io import load_yaml  # aliases bounded: a schema file is user input

        schema = Schema.model_validate(load_yaml(text, f"schema {key}"))
    except (ValidationError, yaml.YAMLError) as exc:
        first = str(exc).splitlines()
        raise PathsynthError(f"invalid schema {key}: {' '.join(first[:3])}") from None
    _CACHE[key] = schema
    return schema
