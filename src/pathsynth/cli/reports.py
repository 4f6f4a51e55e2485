"""`pathsynth reports`: generate (teachers) and filter."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from pathsynth._files import CommandFiles
from pathsynth.cli._app import (
    SchemaOpt,
    SeedOpt,
    _schema_file,
    console,
    reports_app,
)
from pathsynth.errors import PathsynthError

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
