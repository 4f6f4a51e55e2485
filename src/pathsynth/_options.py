"""Options of a component checked against the component's own options model.

Each component has one options model — a pydantic model or a dataclass whose fields are its
options (``OpenAIConfig``, ``FastConfig``, ``MSTParams``, ``FilterConfig``...). The pipeline
YAML, the CLI flags and the multi-GPU launch all go through :func:`validate_options`, so an
unknown key or a value of the wrong type is one line naming it, whichever way it came in.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from functools import cache
from typing import Any, TypeVar

from pydantic import BaseModel, TypeAdapter, ValidationError

from pathsynth.errors import PathsynthError

T = TypeVar("T")


def option_names(model: type) -> list[str]:
    """The option names of ``model`` (a pydantic model or a dataclass)."""
    if isinstance(model, type) and issubclass(model, BaseModel):
        return list(model.model_fields)
    if dataclasses.is_dataclass(model):
        return [f.name for f in dataclasses.fields(model) if f.init]
    raise TypeError(f"{model!r} is not an options model")


@cache
def _adapter(model: Any) -> TypeAdapter[Any]:
    return TypeAdapter(model)


def validate_options(model: type[T], options: Mapping[str, Any], where: str) -> T:
    """``options`` as an instance of ``model``; an unknown key or a wrong type is a one-line
    :class:`PathsynthError` starting with ``where`` and naming the option."""
    if not isinstance(options, Mapping):
        raise PathsynthError(f"{where}: options must be a mapping of name: value")
    names = option_names(model)
    for key in options:
        if key not in names:
            raise PathsynthError(
                f"{where}: unknown option {key!r} (options: {', '.join(sorted(names))})"
            )
    try:
        adapter = _adapter(model)  # type: ignore[arg-type]
        return adapter.validate_python(dict(options))
    except ValidationError as exc:
        err = exc.errors()[0]
        loc = ".".join(str(p) for p in err["loc"])
        value = err.get("input")
        shown = f" (got {value!r})" if not isinstance(value, dict) else ""
        raise PathsynthError(f"{where}: option {loc}: {err['msg']}{shown}") from None
    except (TypeError, ValueError, PathsynthError) as exc:
        # A dataclass's own __post_init__ check
        raise PathsynthError(f"{where}: {exc}") from None


def field_help(model: type, name: str) -> str:
    """The documentation of one option: a pydantic field's ``description``, or the
    ``help`` metadata of a dataclass field ('' when it has none)."""
    if isinstance(model, type) and issubclass(model, BaseModel):
        return model.model_fields[name].description or ""
    for f in dataclasses.fields(model):  # type: ignore[arg-type]
        if f.name == name:
            return str(f.metadata.get("help", ""))
    raise KeyError(name)


__all__ = ["field_help", "option_names", "validate_options"]
