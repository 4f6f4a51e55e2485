"""`pathsynth tabular`: synthesize and compare."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.markup import escape

from pathsynth._files import CommandFiles
from pathsynth.cli._app import (
    SchemaOpt,
    SeedOpt,
    _at_least_one,
    _name_values,
    _schema_file,
    console,
    tabular_app,
)
from pathsynth.errors import PathsynthError

# --- tabular (synthesizers, compare) -----------------------------------------------------------

_PICKLE_NOTE = (
    "A saved synthesizer is a pickle: loading one runs code, so load only files you wrote; "
    "its SHA-256 is saved beside it (PATH.sha256) and a file that does not match is refused."
)


EpsilonOpt = Annotated[
    float | None,
    typer.Option("--epsilon", help="Differential-privacy budget of the DP synthesizers."),
]
DeltaOpt = Annotated[
    float | None, typer.Option("--delta", help="DP delta (default: the library's).")
]
TabNormalizeOpt = Annotated[
    bool, typer.Option("--normalize", help="Map surface forms to canonical values on reading.")
]
TabBlankOpt = Annotated[
    bool,
    typer.Option("--blank-invalid", help="Read values outside the schema as unknown."),
]


@tabular_app.command("synthesize")
def tabular_synthesize(
    data: Annotated[Path, typer.Option("--data", help="Real records, .csv or .parquet.")],
    synthesizer: Annotated[
        str,
        typer.Option(
            "--synthesizer",
            help="gaussian_copula, ctgan, mst, patectgan, pategan, aim or dpctgan.",
        ),
    ],
    n: Annotated[int, typer.Option("--n", help="Number of synthetic records.")],
    out: Annotated[Path, typer.Option("--out", help="Synthetic records, .csv or .parquet.")],
    epsilon: EpsilonOpt = None,
    delta: DeltaOpt = None,
    seed: SeedOpt = 0,
    schema: SchemaOpt = "breast13",
    param: Annotated[
        list[str] | None,
        typer.Option("--param", help="Hyper-parameter NAME=VALUE (e.g. epochs=50); repeatable."),
    ] = None,
    save_model: Annotated[
        Path | None,
        typer.Option("--save-model", help="Also save the fitted synthesizer (a pickle) here."),
    ] = None,
    normalize: TabNormalizeOpt = False,
    blank_invalid: TabBlankOpt = False,
) -> None:
    """Fit a synthesizer on real records and write N synthetic records.

    --save-model writes a pickle (loading one runs code: load only your own files) + PATH.sha256.
    """
    from pathsynth.cohort import read_records, write_records
    from pathsynth.tabular import make_synthesizer
    from pathsynth.tabular.base import check_epsilon, checksum_path

    check_epsilon(epsilon)  # before any work: nan, inf or 1e9 are a one-line error
    files = CommandFiles(
        reads={"--data": data, "--schema": _schema_file(schema)},
        writes={
            "--out": out,
            "--save-model": save_model,
            "--save-model checksum": checksum_path(save_model) if save_model else None,
        },
    ).check()
    _at_least_one(n)
    params = _name_values(param)
    if delta is not None:
        params["delta"] = delta
    synth = make_synthesizer(synthesizer, schema, epsilon, seed, **params)
    records = read_records(data, schema, normalize=normalize, blank_invalid=blank_invalid)
    # Columns the file lacks carry nothing to learn: leave them out of the synthetic records.
    frame = records.frame.drop(columns=records.absent)
    with console.status(f"fitting {escape(synthesizer)} on {len(frame)} records"):
        synth.fit(frame)
    with console.status(f"sampling {n} records"):
        synthetic = synth.sample(n)
    with files.staged("--out", "--save-model") as staged:
        write_records(synthetic, staged.path(out))
        if save_model is not None:
            synth.save(staged.path(save_model))
    info = synth.describe()
    eps = "" if synth.epsilon_spent is None else f", epsilon spent {synth.epsilon_spent:g}"
    print(f"wrote {n} synthetic records to {out} (fit {synth.fit_seconds:.1f} s{eps})")
    sample = info["sample"] or {}
    if sample.get("rejected") or sample.get("constraint_repairs") or sample.get("cell_repairs"):
        print(
            f"  rows rejected {sample['rejected']}, constraint repairs "
            f"{sample['constraint_repairs']}, cell repairs {sample['cell_repairs']}"
        )
    if records.absent:
        print(f"  absent from the input, left out: {', '.join(records.absent)}")
    if save_model is not None:
        print(f"saved the synthesizer to {save_model} (+ .sha256). {_PICKLE_NOTE}")


_COMPARE_FILES = (("synthetic", "csv"), ("report", "html"))


@tabular_app.command("compare")
def tabular_compare(
    data: Annotated[Path, typer.Option("--data", help="Real records, .csv or .parquet.")],
    out: Annotated[Path, typer.Option("--out", help="Output folder.")],
    synthesizers: Annotated[
        str,
        typer.Option("--synthesizers", help="Comma-separated synthesizer names."),
    ] = "gaussian_copula,ctgan,patectgan,mst,aim",
    epsilon: EpsilonOpt = None,
    delta: DeltaOpt = None,
    seed: SeedOpt = 0,
    schema: SchemaOpt = "breast13",
    param: Annotated[
        list[str] | None,
        typer.Option(
            "--param",
            help="Hyper-parameter SYNTH.NAME=VALUE (e.g. ctgan.epochs=50); repeatable.",
        ),
    ] = None,
    html: Annotated[
        bool,
        typer.Option("--html/--no-html", help="Write mostlyai-qa's HTML report per synthesizer."),
    ] = True,
    normalize: TabNormalizeOpt = False,
    blank_invalid: TabBlankOpt = False,
    workers: Annotated[
        int,
        typer.Option("--workers", min=1, help="Synthesizers fitted at once, one process each."),
    ] = 1,
) -> None:
    """Fit each synthesizer on half the records, score it against the other half.

    Writes OUT/metrics.json, OUT/table.md, OUT/details.json, OUT/comparison.png,
    OUT/synthetic_NAME.csv and OUT/report_NAME.html.
    """
    from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

    from pathsynth.cohort import read_records
    from pathsynth.tabular.base import check_epsilon
    from pathsynth.tabular.compare import compare_synthesizers

    check_epsilon(epsilon)
    names = [s.strip() for s in synthesizers.split(",") if s.strip()]
    if out.exists() and not out.is_dir():
        raise PathsynthError(f"--out {out} is a file: give a folder")
    # The files it writes, not the whole folder: other files in it (the data) stay untouched.
    written = ["metrics.json", "table.md", "details.json", "comparison.png"]
    written += [f"{kind}_{n}.{ext}" for n in names for kind, ext in _COMPARE_FILES]
    CommandFiles(
        reads={"--data": data, "--schema": _schema_file(schema)},
        writes={"--out": [out / name for name in written]},
    ).check()
    per_synth: dict[str, dict[str, object]] = {}
    for key, value in _name_values(param).items():
        synth_name, dot, name = key.partition(".")
        if not dot:
            raise PathsynthError(f"--param takes SYNTH.NAME=VALUE, not {key!r}")
        per_synth.setdefault(synth_name, {})[name] = value
    records = read_records(data, schema, normalize=normalize, blank_invalid=blank_invalid)
    frame = records.frame.drop(columns=records.absent)

    with Progress(
        TextColumn("{task.description}"), BarColumn(), TimeElapsedColumn(), console=console
    ) as bar:
        task = bar.add_task("synthesizers", total=len(names))

        def report(name: str, stage: str) -> None:
            if stage in ("done", "failed"):
                bar.advance(task)
                bar.console.print(f"{name}: {stage}", markup=False, highlight=False)
            else:
                bar.update(task, description=escape(f"{name}: {stage}"))

        result = compare_synthesizers(
            frame,
            names,
            epsilon,
            seed,
            out,
            schema=records.schema,
            params=per_synth,
            delta=delta,
            html=html,
            progress=report,
            workers=workers,
        )
    print((out / "table.md").read_text(encoding="utf-8"), end="")
    failed = [r.name for r in result.results if r.error]
    print(
        f"wrote {out}/metrics.json, table.md, comparison.png"
        + (f"; failed: {', '.join(failed)}" if failed else "")
    )
