"""Variables, canonical values, French / English surface forms and normalisers."""

from pathsynth.schema.model import (
    LANGS,
    CategoryValue,
    Lang,
    Schema,
    Value,
    Variable,
    load_schema,
)
from pathsynth.schema.normalize import Change, normalize_record, normalize_value

__all__ = [
    "LANGS",
    "CategoryValue",
    "Change",
    "Lang",
    "Schema",
    "Value",
    "Variable",
    "load_schema",
    "normalize_record",
    "normalize_value",
]
