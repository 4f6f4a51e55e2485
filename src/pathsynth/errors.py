"""Errors a user can act on: the CLI prints their message on one line and exits non-zero.

Every message goes through :func:`redact` when the error is made, so an API key, a bearer token
or a password in a URL never reaches a terminal, a log, a run manifest or a report.
"""

from __future__ import annotations

import os
import re

_REDACTED = "***"

# (pattern, replacement): keys and tokens by their shape, wherever they appear in a message.
_SECRET_SHAPES: tuple[tuple[re.Pattern[str], str], ...] = (
    # api_key=..., "password": "...", x-api-key: ... (query strings, JSON bodies, headers)
    (
        re.compile(
            r"(?i)((?:api[_-]?key|access[_-]?token|auth[_-]?token|password|passwd|secret|"
            r"authorization)[\"']?\s*[:=]\s*[\"']?(?:bearer\s+|basic\s+)?+)(?!\*\*\*)[^\s\"'&,;}]+"
        ),
        r"\1" + _REDACTED,
    ),
    # "Bearer eyJhbGciOi..." wherever it is echoed
    (re.compile(r"(?i)\b(bearer)(\s+)[A-Za-z0-9._~+/=-]{6,}"), r"\1\2" + _REDACTED),
    # OpenAI-style and Hugging Face keys
    (re.compile(r"\b(sk|rk|pk)-[A-Za-z0-9_-]{6,}"), r"\1-" + _REDACTED),
    (re.compile(r"\bhf_[A-Za-z0-9]{8,}"), "hf_" + _REDACTED),
    # credentials in a URL: scheme://user:password@host, scheme://token@host
    (re.compile(r"(?i)\b([a-z][a-z0-9+.-]*://)[^/\s@'\"]+@"), r"\1" + _REDACTED + "@"),
)
# Environment variables whose values are secrets, by their name.
_SECRET_NAME = re.compile(r"(?i)(api_?key|token|secret|password|passwd)")


def _secret_values() -> list[str]:
    """Values of the environment's secret-named variables, longest first (8 characters at
    least: shorter values would blank ordinary words)."""
    values = {v for k, v in os.environ.items() if _SECRET_NAME.search(k) and len(v) >= 8}
    return sorted(values, key=len, reverse=True)


def redact(text: str) -> str:
    """``text`` with API keys, bearer tokens and URL credentials replaced by ``***``."""
    for value in _secret_values():
        text = text.replace(value, _REDACTED)
    for pattern, replacement in _SECRET_SHAPES:
        text = pattern.sub(replacement, text)
    return text


class PathsynthError(Exception):
    """A problem with the user's input or environment, stated in one actionable line."""

    def __init__(self, message: str = "", *args: object) -> None:
        super().__init__(redact(str(message)), *args)


class MissingExtraError(PathsynthError):
    """An optional dependency is not installed."""

    def __init__(self, package: str, extra: str) -> None:
        super().__init__(
            f"{package} is not installed: run `pip install 'pathsynth[{extra}]'` "
            f"(or `make install-{extra}` in a checkout)"
            if extra == "llamacpp"
            else f"{package} is not installed: run `pip install 'pathsynth[{extra}]'`"
        )
        self.package = package
        self.extra = extra


class Interrupted(KeyboardInterrupt):
    """Ctrl-C during a command; ``written`` says what the command left on disk."""

    def __init__(self, written: str) -> None:
        super().__init__(written)
        self.written = written


__all__ = ["Interrupted", "MissingExtraError", "PathsynthError", "redact"]
