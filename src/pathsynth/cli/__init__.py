"""The `pathsynth` command line: parses arguments, calls a stage, prints. Nothing else lives here.

Each stage owns one module here (cohort, tabular, reports, students, run); this module turns
errors into exit codes. Errors a user can act on (:class:`PathsynthError`) print one
line and exit with status 2; ``--debug`` shows the traceback instead.
"""

from __future__ import annotations

import functools
import sys
from pathlib import Path
from typing import Any

import typer

from pathsynth.cli import _app, cohort, reports, run, students, tabular  # noqa: F401 (commands)
from pathsynth.cli._app import app, console
from pathsynth.errors import Interrupted, PathsynthError, redact


def _one_line(text: str) -> str:
    """A message on one line, secrets redacted (library messages may hold either)."""
    return " ".join(redact(str(text)).split())


def _error(text: str) -> None:
    from rich.text import Text

    # A Text, not markup: a path such as "my[red]file.csv" or "x[/x]" prints as it is.
    console.print(Text.assemble(("error:", "bold red"), " ", _one_line(text)), soft_wrap=True)


def _interrupted(exc: BaseException) -> None:
    from rich.text import Text

    cause: BaseException | None = exc
    while cause is not None and not isinstance(cause, Interrupted):
        cause = cause.__cause__ or cause.__context__
    if isinstance(cause, Interrupted):
        line = f"interrupted: {cause.written}; run the same command again to resume"
    else:
        line = (
            "interrupted: no output was written (outputs appear only when complete); "
            "run the same command again"
        )
    console.print(Text(_one_line(line)), soft_wrap=True)


class _Stopped(Exception):
    """Ctrl-C inside a command, carried past typer (which turns KeyboardInterrupt into a bare
    exit code and drops what the command said it wrote)."""

    def __init__(self, interrupt: BaseException) -> None:
        super().__init__(str(interrupt))
        self.interrupt = interrupt


def _interruptible(fn: Any) -> Any:
    if getattr(fn, "_interruptible", False):
        return fn

    @functools.wraps(fn)
    def command(*args: Any, **kwargs: Any) -> Any:
        try:
            return fn(*args, **kwargs)
        except KeyboardInterrupt as exc:
            raise _Stopped(exc) from exc

    command._interruptible = True  # type: ignore[attr-defined]
    return command


def _catch_interrupts(group: typer.Typer) -> None:
    for info in group.registered_commands:
        info.callback = _interruptible(info.callback)
    for sub in group.registered_groups:
        if sub.typer_instance is not None:
            _catch_interrupts(sub.typer_instance)


def _is_click_error(exc: BaseException) -> bool:
    """A usage error of click, or of the click that typer carries inside it (typer >= 0.2x):
    both have ``show()`` and an exit code (2 for bad arguments)."""
    return any(cls.__name__ == "ClickException" for cls in type(exc).__mro__)


def main(argv: list[str] | None = None) -> None:
    """Entry point: run the app, turning user errors into one line and a non-zero exit: 2 for
    bad input, 130 for Ctrl-C (with what was written), 1 for anything unexpected."""
    _catch_interrupts(app)
    try:
        rc = app(args=argv, prog_name="pathsynth", standalone_mode=False)
    except _Stopped as exc:
        _interrupted(exc.interrupt)
        sys.exit(130)
    except PathsynthError as exc:
        if _app._DEBUG:
            raise
        _error(str(exc))
        sys.exit(2)
    except typer.Exit as exc:
        sys.exit(exc.exit_code)
    except (typer.Abort, KeyboardInterrupt) as exc:
        _interrupted(exc)
        sys.exit(130)
    except OSError as exc:
        if _app._DEBUG:
            raise
        where = f"{exc.filename}: " if exc.filename else ""
        _error(f"{where}{exc.strerror or exc}")
        sys.exit(2)
    except RecursionError:
        if _app._DEBUG:
            raise
        _error("the input is nested too deeply to be read")
        sys.exit(2)
    except Exception as exc:  # click usage errors and the like
        if _is_click_error(exc):
            usage: Any = exc
            usage.show()
            sys.exit(usage.exit_code)
        if _app._DEBUG:
            raise
        _error(f"{type(exc).__name__}: {exc} (run with --debug for the traceback)")
        sys.exit(1)
    # Without standalone mode, click returns typer.Exit's code instead of exiting with it.
    if isinstance(rc, int) and rc != 0:
        if rc == 130:  # Ctrl-C while the arguments were read
            _interrupted(KeyboardInterrupt())
        sys.exit(rc)


__all__ = ["Path", "app", "main"]
