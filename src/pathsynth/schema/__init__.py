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

__all__ = ["LANGS", "CategoryValue", "Lang", "Schema", "Value", "Variable", "load_schema"]
