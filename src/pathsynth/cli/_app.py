"""The command-line application: the typer groups, the shared options and helpers."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from pathsynth import __version__
from pathsynth.errors import PathsynthError

# No emoji codes: a user's "openai:m:" is text, not a symbol.
console = Console(stderr=True, emoji=False)
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


def _schema_file(schema: str) -> Path | None:
    """The schema option as an input (a YAML file or a pack folder), as ``load_schema`` reads
    it; ``None`` for a built-in name."""
    path = Path(schema)
    return path if path.suffix in (".yaml", ".yml") or path.exists() else None


def _at_least_one(n: int, option: str = "--n") -> None:
    if n < 1:
        raise PathsynthError(f"{option} must be at least 1, not {n}")


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


def _print_changes(changes: list[str], shown: int = 10) -> None:
    for line in changes[:shown]:
        print(f"  {line}")
    if len(changes) > shown:
        print(f"  ... and {len(changes) - shown} more")


def _name_values(pairs: list[str] | None, option: str = "--param") -> dict[str, object]:
    """``--param epochs=50`` options as a dict, values read as YAML scalars (50 → int)."""
    from pathsynth._io import load_yaml

    params: dict[str, object] = {}
    for pair in pairs or []:
        name, sep, value = pair.partition("=")
        if not sep or not name.strip():
            raise PathsynthError(f"{option} takes NAME=VALUE, not {pair!r}")
        params[name.strip()] = load_yaml(value, f"{option} {name.strip()}")
    return params
