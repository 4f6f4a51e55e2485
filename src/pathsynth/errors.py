"""Errors a user can act on: the CLI prints their message on one line and exits non-zero."""

from __future__ import annotations


class PathsynthError(Exception):
    """A problem with the user's input or environment, stated in one actionable line."""


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
