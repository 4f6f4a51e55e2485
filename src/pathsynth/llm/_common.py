"""Helpers the backends share: spec options, retry timing, prompts for completion models."""

from __future__ import annotations

import dataclasses
import random
import types
import typing
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, TypeVar

from pathsynth.errors import PathsynthError

ConfigT = TypeVar("ConfigT")


class GenerationError(PathsynthError):
    """A request that failed for good. ``fatal`` errors (bad key, unknown model) stop a run."""

    def __init__(self, message: str, *, fatal: bool = False) -> None:
        super().__init__(message)
        self.fatal = fatal


@dataclass(frozen=True)
class RetryPolicy:
    """Exponential backoff with full jitter: attempt k waits U(0, min(max_delay, base * 2**k))."""

    max_retries: int = 6
    """Retries after the first attempt (429, 5xx, timeouts, dropped connections)."""
    base_delay: float = 0.5
    """Seconds; the cap of the first wait."""
    max_delay: float = 30.0
    """Seconds; no wait is longer, not even one a server asks for with Retry-After."""

    def delay(self, attempt: int, rng: random.Random, hint: float | None = None) -> float:
        """Seconds to wait before retry number ``attempt`` (0-based)."""
        if hint is not None and hint >= 0:
            return min(hint, self.max_delay)
        return rng.uniform(0, min(self.max_delay, self.base_delay * 2**attempt))


def _coerce(value: str, hint: Any, name: str) -> Any:
    origin = typing.get_origin(hint)
    if origin in (typing.Union, types.UnionType):
        args = [a for a in typing.get_args(hint) if a is not type(None)]
        if value.lower() in {"", "none", "null"}:
            return None
        return _coerce(value, args[0], name)
    if origin is typing.Literal:
        allowed = [str(a) for a in typing.get_args(hint)]
        if value not in allowed:
            raise PathsynthError(f"option {name}={value!r}: choose one of {', '.join(allowed)}")
        return value
    try:
        if hint is bool:
            if value.lower() in {"1", "true", "yes", "on"}:
                return True
            if value.lower() in {"0", "false", "no", "off"}:
                return False
            raise ValueError(value)
        if hint is int:
            return int(value)
        if hint is float:
            return float(value)
    except ValueError:
        raise PathsynthError(f"option {name}={value!r} is not a {hint.__name__}") from None
    return value


def build_config(cls: type[ConfigT], options: Mapping[str, Any], kind: str) -> ConfigT:
    """A config dataclass from keyword options (strings from a spec are converted to the
    field's type); an unknown option is a one-line error listing the known ones."""
    assert dataclasses.is_dataclass(cls)
    hints = typing.get_type_hints(cls)
    names = {f.name for f in dataclasses.fields(cls)}
    values: dict[str, Any] = {}
    for key, value in options.items():
        if value is None:
            continue
        if key not in names:
            known = ", ".join(sorted(names))
            raise PathsynthError(f"{kind} teachers have no option {key!r} (options: {known})")
        values[key] = _coerce(value, hints[key], key) if isinstance(value, str) else value
    from pathsynth._options import validate_options

    # The dataclass is the options model: types are checked, not just names.
    return validate_options(cls, values, f"{kind} teacher")


def messages_to_prompt(messages: list[dict[str, str]]) -> str:
    """One text for completion endpoints and models without a chat template.

    The instruction and examples come first, and the text ends where the answer starts, so a
    base model continues with a report.
    """
    parts = [m.get("content", "").strip() for m in messages]
    return "\n\n".join(p for p in parts if p) + "\n\n"


def completion_stops(messages: list[dict[str, str]]) -> list[str]:
    """Stop strings for plain continuation: the opening line of the request, which a base
    model imitating the few-shot pattern writes when it starts on another report."""
    users = [m.get("content", "").strip() for m in messages if m.get("role") == "user"]
    first = users[-1].splitlines()[0].strip() if users and users[-1] else ""
    # Its first words only: a model rarely copies the punctuation at the end as well.
    words = first.split()
    prefix = " ".join(words[:4]) if len(words) > 4 else first
    return [prefix] if len(prefix) >= 8 else []
