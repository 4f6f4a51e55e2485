"""The `pathsynth` command line: parses arguments, calls a stage, prints. Nothing else lives here.

Each stage owns one section below. Errors a user can act on (:class:`PathsynthError`) print one
line and exit with status 2; ``--debug`` shows the traceback instead.
"""

from __future__ import annotations

import functools
import sys
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.markup import escape

from pathsynth import __version__
from pathsynth._files import CommandFiles
from pathsynth._io import MAX_REPORT_CHARS
from pathsynth.errors import Interrupted, PathsynthError, redact

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


def _print_changes(changes: list[str], shown: int = 10) -> None:
    for line in changes[:shown]:
        print(f"  {line}")
    if len(changes) > shown:
        print(f"  ... and {len(changes) - shown} more")


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


# --- tabular (synthesizers, compare) -----------------------------------------------------------

_PICKLE_NOTE = (
    "A saved synthesizer is a pickle: loading one runs code, so load only files you wrote; "
    "its SHA-256 is saved beside it (PATH.sha256) and a file that does not match is refused."
)


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


# --- reports generate (teachers) ---------------------------------------------------------------


def _generation_help(name: str) -> str:
    from pathsynth._options import field_help
    from pathsynth.reports.generate import GenerationOptions

    return field_help(GenerationOptions, name)


@reports_app.command("generate")
def reports_generate(
    records: Annotated[Path, typer.Option("--records", help="Records file (CSV or Parquet).")],
    teacher: Annotated[
        list[str],
        typer.Option(
            "--teacher",
            help="Teacher spec, repeatable: template, openai:MODEL@URL[,URL...], "
            "transformers:PATH, llamacpp:PATH.gguf | llamacpp:gemma3-270m; "
            "backend options as SPEC?name=value&name=value.",
        ),
    ],
    lang: Annotated[str, typer.Option("--lang", help="Report language: fr or en.")],
    out: Annotated[Path, typer.Option("--out", help="Reports JSONL (appended; re-run resumes).")],
    n: Annotated[
        int | None,
        typer.Option(
            "--n", help="Reports to write (per teacher with --per-teacher); default one per record."
        ),
    ] = None,
    seed: SeedOpt = 0,
    per_teacher: Annotated[
        bool, typer.Option("--per-teacher", help="Every teacher writes every record.")
    ] = False,
    concurrency: Annotated[
        int | None,
        typer.Option("--concurrency", help=_generation_help("concurrency")),
    ] = None,
    prompts: Annotated[
        Path | None, typer.Option("--prompts", help="Prompt pack folder (default: built-in).")
    ] = None,
    temperature: Annotated[
        float | None,
        typer.Option("--temperature", help=_generation_help("temperature")),
    ] = None,
    max_tokens: Annotated[
        int | None,
        typer.Option("--max-tokens", help=_generation_help("max_tokens")),
    ] = None,
    schema: SchemaOpt = "breast13",
    quiet: Annotated[bool, typer.Option("--quiet", help="No progress bar.")] = False,
) -> None:
    """Teachers write reports from records, one JSONL line each, with provenance."""
    from rich.table import Table
    from rich.text import Text

    from pathsynth.reports.generate import generate_reports

    CommandFiles(
        reads={"--records": records, "--prompts": prompts, "--schema": _schema_file(schema)},
        writes={"--out": out},
    ).check()
    if lang not in ("fr", "en"):
        raise PathsynthError(f"--lang must be fr or en, not {lang!r}")
    summary = generate_reports(
        records,
        teacher,
        lang,  # type: ignore[arg-type]
        out,
        n=n,
        seed=seed,
        per_teacher=per_teacher,
        schema=schema,
        concurrency=concurrency,
        prompts=prompts,
        temperature=temperature,
        max_tokens=max_tokens,
        progress=not quiet,
    )
    table = Table(title=Text(f"reports generate → {out}"))
    for column in ("teacher", "written", "already", "failed", "tokens", "seconds", "reports/s"):
        table.add_column(column, justify="left" if column == "teacher" else "right")
    for t in summary.teachers:
        table.add_row(
            Text(t.teacher),
            str(t.written),
            str(t.skipped),
            str(t.failed),
            str(t.completion_tokens),
            f"{t.seconds:.1f}",
            f"{t.reports_per_s:.1f}",
        )
    console.print(table)
    for t in summary.teachers:
        if t.first_error:
            console.print(
                f"{t.teacher}: first error: {t.first_error}",
                markup=False,
                highlight=False,
                soft_wrap=True,
            )
    if summary.failed:
        console.print(f"{summary.failed} reports failed: run the same command again to retry them")
        raise typer.Exit(1)


# --- reports filter ----------------------------------------------------------------------------


def _filter_help(name: str) -> str:
    from pathsynth.reports.filter import FilterConfig

    return FilterConfig.help(name)


@reports_app.command("filter")
def reports_filter(
    in_path: Annotated[Path, typer.Option("--in", help="Generated reports, JSONL.")],
    out: Annotated[Path, typer.Option("--out", help="Kept reports, JSONL (+ evidence).")],
    rejected: Annotated[
        Path | None, typer.Option("--rejected", help="Rejected reports, JSONL (+ reasons).")
    ] = None,
    real: Annotated[
        Path | None,
        typer.Option("--real", help="Real reports (JSONL or CSV id,text) no output may copy."),
    ] = None,
    judge: Annotated[str, typer.Option("--judge", help=_filter_help("judge"))] = "auto",
    judge_for: Annotated[
        list[str] | None,
        typer.Option(
            "--judge-for",
            help="TEACHER=JUDGE: the judge of one teacher's reports (repeatable), e.g. "
            "template=spans or gemma=rules.",
        ),
    ] = None,
    min_overlap: Annotated[
        int, typer.Option("--min-overlap", help=_filter_help("min_overlap"))
    ] = 8,
    dedup_threshold: Annotated[
        float, typer.Option("--dedup-threshold", help=_filter_help("dedup_threshold"))
    ] = 0.9,
    no_dedup: Annotated[bool, typer.Option("--no-dedup", help="Keep near duplicates.")] = False,
    max_not_stated: Annotated[
        int, typer.Option("--max-not-stated", help=_filter_help("max_not_stated"))
    ] = 0,
    max_invented: Annotated[
        int, typer.Option("--max-invented", help=_filter_help("max_invented"))
    ] = 0,
    allow_identifier: Annotated[
        list[str] | None,
        typer.Option(
            "--allow-identifier",
            help="Identifier kind that does not reject a report (repeatable): name, "
            "birth_date, date, phone, social_security, record_number, email, address.",
        ),
    ] = None,
    boilerplate_reports: Annotated[
        int | None,
        typer.Option("--boilerplate-reports", help=_filter_help("boilerplate_reports")),
    ] = None,
    summary: Annotated[
        Path | None, typer.Option("--summary", help="Write the summary as JSON here.")
    ] = None,
    seed: SeedOpt = 0,
    schema: SchemaOpt = "breast13",
) -> None:
    """Keep faithful, varied and private reports; reject the others with their reasons."""
    from rich.console import Console as _Console

    from pathsynth.reports._privacy import IDENTIFIER_KINDS
    from pathsynth.reports.filter import FilterConfig, filter_reports, summary_tables

    files = CommandFiles(
        reads={
            "--in": in_path,
            "--real": real,
            "--judge": judge if Path(judge).exists() else None,
            "--schema": _schema_file(schema),
        },
        writes={"--out": out, "--rejected": rejected, "--summary": summary},
    ).check()
    allowed = set(allow_identifier or [])
    unknown = allowed - set(IDENTIFIER_KINDS)
    if unknown:
        raise PathsynthError(
            f"--allow-identifier {sorted(unknown)}: choose among {', '.join(IDENTIFIER_KINDS)}"
        )
    judges = {}
    for item in judge_for or []:
        teacher, sep, spec = item.partition("=")
        if not sep or not teacher.strip() or not spec.strip():
            raise PathsynthError(f"--judge-for {item!r}: write TEACHER=JUDGE, e.g. template=spans")
        judges[teacher.strip()] = spec.strip()
    config = FilterConfig(
        judge=judge,
        judges=judges,
        min_overlap=min_overlap,
        dedup_threshold=None if no_dedup else dedup_threshold,
        max_not_stated=max_not_stated,
        max_invented=max_invented,
        identifiers=tuple(k for k in IDENTIFIER_KINDS if k not in allowed),
        boilerplate_reports=boilerplate_reports,
        seed=seed,
    )
    with files.staged() as staged:
        result = filter_reports(
            in_path,
            staged.path(out),
            rejected_path=staged.path(rejected) if rejected else None,
            real_path=real,
            summary_path=staged.path(summary) if summary else None,
            schema=schema,
            config=config,
            progress=True,
        )
    stdout = _Console(emoji=False)
    for table in summary_tables(result):
        stdout.print(table)
    print(f"kept {result.n_kept}/{result.n_in} reports in {out}")


# --- student, extract, evaluate ----------------------------------------------------------------


@student_app.command("train")
def student_train(
    data: Annotated[
        list[Path],
        typer.Option("--data", help="Kept reports JSONL (repeat to mix several files)."),
    ],
    kind: Annotated[str, typer.Option("--kind", help="fast (CPU) or lora (LLM + LoRA).")],
    out: Annotated[Path, typer.Option("--out", help="Directory of the trained student.")],
    base_model: Annotated[
        str | None,
        typer.Option(
            "--base-model", help="lora: gemma3-270m, a .gguf file or a local causal LM directory."
        ),
    ] = None,
    seed: SeedOpt = 0,
    epochs: Annotated[
        float | None, typer.Option("--epochs", help="Training passes (fast: 2, lora: 1).")
    ] = None,
    max_steps: Annotated[
        int, typer.Option("--max-steps", help="lora: stop after N optimiser steps (-1: epochs).")
    ] = -1,
    batch_size: Annotated[
        int | None, typer.Option("--batch-size", help="lora: pairs per step (default 4).")
    ] = None,
    learning_rate: Annotated[
        float | None, typer.Option("--learning-rate", help="lora: learning rate (2e-4).")
    ] = None,
    max_length: Annotated[
        int | None, typer.Option("--max-length", help="lora: prompt + answer tokens (1024).")
    ] = None,
    option: Annotated[
        list[str] | None,
        typer.Option(
            "--option",
            help="Any option of the student's options model (FastConfig, LoraStudentConfig) "
            "as NAME=VALUE, e.g. c=0.3 or r=8; repeatable.",
        ),
    ] = None,
    schema_name: SchemaOpt = "breast13",
) -> None:
    """Train a student (fast or lora) on filtered synthetic reports."""
    from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

    from pathsynth.extraction import train_student
    from pathsynth.schema import load_schema

    CommandFiles(
        reads={
            "--data": data,
            "--base-model": base_model if base_model and Path(base_model).exists() else None,
            "--schema": _schema_file(schema_name),
        },
        writes={"--out": out},
        folders=frozenset({"--out", "--base-model"}),
    ).check()
    if kind not in ("fast", "lora"):
        raise PathsynthError(f"--kind {kind!r}: choose fast or lora")
    options: dict[str, Any] = _name_values(option, "--option")
    for own in ("seed", "base_model", "schema"):
        if own in options:
            raise PathsynthError(f"--option {own}: give it as --{own.replace('_', '-')}")
    for name, value in (
        ("batch_size", batch_size),
        ("learning_rate", learning_rate),
        ("max_length", max_length),
    ):
        if value is not None:
            if kind != "lora":
                raise PathsynthError(f"--{name.replace('_', '-')} is for --kind lora")
            options[name] = value
    # The flags win over the same names given as --option.
    if epochs is not None:
        options["epochs"] = epochs
    if max_steps != -1:
        options["max_steps"] = max_steps
    with Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        TimeElapsedColumn(),
        console=console,
        transient=True,
        disable=not console.is_terminal,
    ) as bar:
        task = bar.add_task(f"training {kind} student", total=1.0)

        def progress(stage: str, frac: float) -> None:
            bar.update(task, description=f"training {kind} student: {stage}", completed=frac)

        manifest = train_student(
            [str(p) for p in data],
            kind,  # type: ignore[arg-type]
            out,
            schema=load_schema(schema_name),
            seed=seed,
            base_model=base_model,
            progress=progress,
            **options,
        )
    print(
        f"{kind} student trained on {manifest.get('n_train')} reports in "
        f"{manifest.get('train_seconds')} s -> {out}"
    )


@app.command("extract")
def extract_cmd(
    model: Annotated[
        str,
        typer.Option("--model", help="rules, a trained student DIR, or an LLM SPEC."),
    ],
    input_path: Annotated[Path, typer.Option("--input", help="Reports JSONL or CSV (id,text).")],
    out: Annotated[Path, typer.Option("--out", help="Predictions JSONL {id, values}.")],
    shots: Annotated[int, typer.Option("--shots", help="LLM: examples per report (k-shot).")] = 0,
    examples: Annotated[
        Path | None, typer.Option("--examples", help="LLM k-shot: kept reports JSONL.")
    ] = None,
    batch_size: Annotated[
        int, typer.Option("--batch-size", help="Reports per batch (LLM: requests in flight).")
    ] = 16,
    lang: Annotated[
        str | None, typer.Option("--lang", help="fr|en hint (default: guessed per report).")
    ] = None,
    seed: SeedOpt = 0,
    max_report_chars: Annotated[
        int,
        typer.Option(
            "--max-report-chars",
            help="Longest report read, in characters; a longer one is refused (0: no limit).",
        ),
    ] = MAX_REPORT_CHARS,
    schema_name: SchemaOpt = "breast13",
) -> None:
    """Extract the schema's values from reports with rules, a student or a prompted LLM."""
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TimeElapsedColumn

    from pathsynth.extraction import extract_file, load_extractor
    from pathsynth.schema import load_schema

    CommandFiles(
        reads={
            "--input": input_path,
            "--model": model if Path(model).exists() else None,
            "--examples": examples,
            "--schema": _schema_file(schema_name),
        },
        writes={"--out": out},
    ).check()
    if max_report_chars < 0:
        raise PathsynthError("--max-report-chars cannot be negative")
    if lang not in (None, "fr", "en"):
        raise PathsynthError(f"--lang {lang!r}: choose fr or en")
    if batch_size < 1:
        raise PathsynthError("--batch-size must be at least 1")
    if examples is not None and not shots:
        raise PathsynthError("--examples is used with --shots K (K > 0)")
    schema = load_schema(schema_name)
    extractor = load_extractor(
        model, schema=schema, shots=shots, examples=examples, seed=seed, batch_size=batch_size
    )
    # Prompted LLMs take the whole file at once so their requests overlap.
    chunk = 100_000 if model.startswith(("openai:", "transformers:", "llamacpp:")) else batch_size
    with Progress(
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=console,
        transient=True,
        disable=not console.is_terminal,
    ) as bar:
        task = bar.add_task("extracting", total=None)

        def progress(done: int, total: int) -> None:
            bar.update(task, completed=done, total=total)

        n = extract_file(
            extractor,
            input_path,
            out,
            batch_size=chunk,
            lang=lang,
            progress=progress,
            max_report_chars=max_report_chars or None,
        )
    stats = getattr(extractor, "stats", None)
    extra = f" ({stats})" if stats else ""
    print(f"{n} predictions by {extractor.name} -> {out}{extra}")


@app.command("evaluate")
def evaluate_cmd(
    gold: Annotated[
        Path, typer.Option("--gold", help="Gold JSONL ({id, values}) or reports JSONL (record).")
    ],
    pred: Annotated[
        list[str],
        typer.Option("--pred", help="Predictions JSONL, or NAME=FILE; repeat for columns."),
    ],
    out: Annotated[
        Path | None, typer.Option("--out", help="Write the table (markdown, or JSON with --json).")
    ] = None,
    as_json: Annotated[
        bool, typer.Option("--json", help="JSON scores (with confusion counts) instead.")
    ] = False,
    plot: Annotated[
        Path | None, typer.Option("--plot", help="Also draw F1 per attribute to this PNG.")
    ] = None,
    schema_name: SchemaOpt = "breast13",
) -> None:
    """Score predictions against gold: accuracy and F1 per attribute, systems side by side."""
    import json

    from pathsynth._io import write_text_atomic
    from pathsynth.evaluation import evaluate_files
    from pathsynth.schema import load_schema

    named: dict[str, Path] = {}
    for item in pred:
        name, sep, path = item.partition("=")
        if not sep:
            name, path = Path(item).stem, item
        if not name or not path:
            raise PathsynthError(f"--pred {item!r}: give FILE or NAME=FILE")
        if name in named:
            raise PathsynthError(f"two --pred columns are named {name!r}: use NAME=FILE")
        named[name] = Path(path)
    files = CommandFiles(
        reads={
            "--gold": gold,
            "--pred": list(named.values()),
            "--schema": _schema_file(schema_name),
        },
        writes={"--out": out, "--plot": plot},
    ).check()
    result = evaluate_files(gold, named, load_schema(schema_name))
    text = (
        json.dumps(result.to_dict(), ensure_ascii=False, indent=2) + "\n"
        if as_json
        else result.to_markdown()
    )
    with files.staged() as staged:
        if out is not None:
            write_text_atomic(staged.path(out), text)
        if plot is not None:
            result.plot(staged.path(plot))
    print(text, end="")


# --- run, demo (whole experiment) --------------------------------------------------------------


@app.command("run")
def run_cmd(
    config: Annotated[Path, typer.Argument(help="Experiment config YAML (see docs/pipeline.md).")],
    out: Annotated[
        Path | None, typer.Option("--out", help="Artifacts folder (overrides `output`).")
    ] = None,
    seed: Annotated[int | None, typer.Option("--seed", help="Overrides `seed`.")] = None,
    force: Annotated[
        bool, typer.Option("--force", help="Re-run every stage, even unchanged ones.")
    ] = False,
) -> None:
    """Run the whole experiment of CONFIG; unchanged stages of an earlier run are skipped."""
    from pathsynth.pipeline import load_config, run

    cfg = load_config(config, output=str(out.resolve()) if out else None, seed=seed)
    report = run(cfg, force=force, console=console, config_path=config)
    print(f"report: {report}")


@app.command("demo")
def demo_cmd(
    lang: Annotated[str, typer.Option("--lang", help="Report language: fr or en.")] = "fr",
    out: Annotated[Path, typer.Option("--out", help="Artifacts folder.")] = Path("demo-out"),
) -> None:
    """The whole experiment offline on a CPU: simulated cohort, four synthesizers, template
    teachers, filter, fast student and rules, scored on held-out reports."""
    from typing import cast

    from pathsynth.pipeline import demo
    from pathsynth.schema import Lang

    if lang not in ("fr", "en"):
        raise PathsynthError(f"--lang {lang!r}: give fr or en")
    report = demo(cast(Lang, lang), out, console=console)
    print(f"report: {report}")


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
        if _DEBUG:
            raise
        _error(str(exc))
        sys.exit(2)
    except typer.Exit as exc:
        sys.exit(exc.exit_code)
    except (typer.Abort, KeyboardInterrupt) as exc:
        _interrupted(exc)
        sys.exit(130)
    except OSError as exc:
        if _DEBUG:
            raise
        where = f"{exc.filename}: " if exc.filename else ""
        _error(f"{where}{exc.strerror or exc}")
        sys.exit(2)
    except RecursionError:
        if _DEBUG:
            raise
        _error("the input is nested too deeply to be read")
        sys.exit(2)
    except Exception as exc:  # click usage errors and the like
        import click

        if isinstance(exc, click.ClickException):
            exc.show()
            sys.exit(exc.exit_code)
        if _DEBUG:
            raise
        _error(f"{type(exc).__name__}: {exc} (run with --debug for the traceback)")
        sys.exit(1)
    # Without standalone mode, click returns typer.Exit's code instead of exiting with it.
    if isinstance(rc, int) and rc != 0:
        if rc == 130:  # Ctrl-C while the arguments were read
            _interrupted(KeyboardInterrupt())
        sys.exit(rc)


__all__ = ["Path", "app", "main"]
