"""The `pathsynth` command line: parses arguments, calls a stage, prints. Nothing else lives here.

Each stage owns one section below. Errors a user can act on (:class:`PathsynthError`) print one
line and exit with status 2; ``--debug`` shows the traceback instead.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from pathsynth import __version__
from pathsynth.errors import PathsynthError

console = Console(stderr=True)
app = typer.Typer(
    name="pathsynth",
    help="Synthetic pathology reports and extraction models, without exposing patients.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)
cohort_app = typer.Typer(help="Real or simulated structured records.", no_args_is_help=True)
tabular_app = typer.Typer(
    help="Synthetic records: synthesizers and their comparison.", no_args_is_help=True
)
reports_app = typer.Typer(
    help="Report generation by teacher LLMs, and filtering.", no_args_is_help=True
)
student_app = typer.Typer(
    help="Students: extraction models trained on synthetic reports.", no_args_is_help=True
)
app.add_typer(cohort_app, name="cohort")
app.add_typer(tabular_app, name="tabular")
app.add_typer(reports_app, name="reports")
app.add_typer(student_app, name="student")

_DEBUG = False

SchemaOpt = Annotated[
    str, typer.Option("--schema", help="Built-in schema name or path of a schema YAML file.")
]
SeedOpt = Annotated[int, typer.Option("--seed", help="Seed for every random step.")]


def _version(value: bool) -> None:
    if value:
        print(f"pathsynth {__version__}")
        raise typer.Exit()


@app.callback()
def _root(
    debug: Annotated[bool, typer.Option("--debug", help="Show tracebacks on errors.")] = False,
    version: Annotated[
        bool, typer.Option("--version", callback=_version, is_eager=True, help="Print the version.")
    ] = False,
) -> None:
    global _DEBUG
    _DEBUG = debug


# --- cohort (schema, records, clinical prior) --------------------------------------------------


# --- tabular (synthesizers, compare) -----------------------------------------------------------


# --- reports generate (teachers) ---------------------------------------------------------------


# --- reports filter ----------------------------------------------------------------------------


# --- student, extract, evaluate ----------------------------------------------------------------


# --- run, demo (whole experiment) --------------------------------------------------------------


def main(argv: list[str] | None = None) -> None:
    """Entry point: run the app, turning user errors into one line and a non-zero exit."""
    try:
        app(args=argv, prog_name="pathsynth", standalone_mode=False)
    except PathsynthError as exc:
        if _DEBUG:
            raise
        console.print(f"[bold red]error:[/] {exc}", highlight=False, soft_wrap=True)
        sys.exit(2)
    except typer.Exit as exc:
        sys.exit(exc.exit_code)
    except typer.Abort:
        console.print("aborted")
        sys.exit(130)
    except KeyboardInterrupt:
        console.print("interrupted")
        sys.exit(130)
    except Exception as exc:  # click usage errors and the like
        import click

        if isinstance(exc, click.ClickException):
            exc.show()
            sys.exit(exc.exit_code)
        if _DEBUG:
            raise
        console.print(
            f"[bold red]error:[/] {type(exc).__name__}: {exc} (run with --debug for the traceback)",
            highlight=False,
            soft_wrap=True,
        )
        sys.exit(1)


__all__ = ["Path", "app", "main"]
