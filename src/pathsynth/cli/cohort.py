"""`pathsynth cohort`: simulate, complete and validate records."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from pathsynth._files import CommandFiles
from pathsynth.cli._app import (
    SchemaOpt,
    SeedOpt,
    _at_least_one,
    _print_changes,
    _schema_file,
    cohort_app,
    console,
)

# --- cohort (schema, records, clinical prior) --------------------------------------------------

NormalizeOpt = Annotated[
    bool,
    typer.Option(
        "--normalize", help="Map surface forms ('positif', '2,8 cm') to canonical values."
    ),
]
BlankInvalidOpt = Annotated[
    bool,
    typer.Option(
        "--blank-invalid", help="Read values that stay invalid as unknown instead of failing."
    ),
]


@cohort_app.command("simulate")
def cohort_simulate(
    n: Annotated[int, typer.Option("--n", help="Number of patients.")],
    out: Annotated[Path, typer.Option("--out", help="Output records, .csv or .parquet.")],
    seed: SeedOpt = 0,
    schema: SchemaOpt = "breast13",
) -> None:
    """Draw a cohort from the schema's clinical prior (breast-13's network, or a prior.yaml)."""
    import time

    from pathsynth.cohort import simulate_cohort, write_records

    files = CommandFiles(reads={"--schema": _schema_file(schema)}, writes={"--out": out}).check()
    _at_least_one(n)
    start = time.perf_counter()
    frame = simulate_cohort(n, seed, schema)
    with files.staged() as staged:
        write_records(frame, staged.path(out))
    print(f"wrote {len(frame)} records to {out} ({time.perf_counter() - start:.2f} s)")


@cohort_app.command("complete")
def cohort_complete(
    data: Annotated[Path, typer.Option("--data", help="Records to complete, .csv or .parquet.")],
    out: Annotated[Path, typer.Option("--out", help="Completed records, .csv or .parquet.")],
    seed: SeedOpt = 0,
    schema: SchemaOpt = "breast13",
    flags: Annotated[
        Path | None,
        typer.Option("--flags", help="Filled-cell flags file (default: OUT.flags.*)."),
    ] = None,
    keys: Annotated[
        str | None, typer.Option("--keys", help="Comma-separated keys to fill (default: all).")
    ] = None,
    particles: Annotated[
        int, typer.Option("--particles", help="Prior draws weighed per row.")
    ] = 256,
    normalize: NormalizeOpt = False,
    blank_invalid: BlankInvalidOpt = False,
) -> None:
    """Fill the cells a real cohort lacks from the prior, conditioned on the cells it has."""
    from rich.progress import Progress

    from pathsynth.cohort import complete_cohort, read_records, write_records

    flags_path = flags or out.with_name(f"{out.stem}.flags{out.suffix}")
    files = CommandFiles(
        reads={"--data": data, "--schema": _schema_file(schema)},
        writes={"--out": out, "--flags": flags_path},
    ).check()
    records = read_records(data, schema, normalize=normalize, blank_invalid=blank_invalid)
    if records.changes:
        print(f"{len(records.changes)} cells changed on reading:")
        _print_changes(records.changes)
    fill = [k.strip() for k in keys.split(",") if k.strip()] if keys else None
    with Progress(console=console, transient=True, disable=not console.is_terminal) as bar:
        task = bar.add_task("completing", total=len(records))
        completed, flagged = complete_cohort(
            records.frame,
            seed,
            records.schema,
            keys=fill,
            particles=particles,
            progress=lambda done: bar.update(task, completed=done),
        )
    with files.staged() as staged:
        write_records(completed, staged.path(out))
        write_records(flagged, staged.path(flags_path))
    counts = {k: int(flagged[k].sum()) for k in records.schema.keys}
    total = sum(counts.values())
    print(f"completed {total} cells in {len(completed)} records -> {out} (flags: {flags_path})")
    for key, count in counts.items():
        note = " (absent column)" if key in records.absent else ""
        print(f"  {key:<20} {count:>6}{note}")


@cohort_app.command("validate")
def cohort_validate(
    data: Annotated[Path, typer.Option("--data", help="Records to check, .csv or .parquet.")],
    schema: SchemaOpt = "breast13",
    normalize: NormalizeOpt = False,
    blank_invalid: BlankInvalidOpt = False,
    out: Annotated[
        Path | None, typer.Option("--out", help="Write the (normalised) records here.")
    ] = None,
) -> None:
    """Check a records file against the schema; with --normalize, map surface forms."""
    from pathsynth.cohort import read_records, write_records

    files = CommandFiles(
        reads={"--data": data, "--schema": _schema_file(schema)}, writes={"--out": out}
    ).check()
    records = read_records(data, schema, normalize=normalize, blank_invalid=blank_invalid)
    absent = f"; absent keys: {', '.join(records.absent)}" if records.absent else ""
    print(f"{data}: {len(records)} records valid for schema {records.schema.name}{absent}")
    if records.changes:
        print(f"{len(records.changes)} cells changed:")
        _print_changes(records.changes)
    if out is not None:
        with files.staged() as staged:
            write_records(records.frame, staged.path(out))
        print(f"wrote {out}")
