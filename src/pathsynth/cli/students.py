"""`pathsynth student train`, `extract` and `evaluate`."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer

from pathsynth._files import CommandFiles
from pathsynth._io import MAX_REPORT_CHARS
from pathsynth.cli._app import (
    SchemaOpt,
    SeedOpt,
    _name_values,
    _schema_file,
    app,
    console,
    student_app,
)
from pathsynth.errors import PathsynthError

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
    workers: Annotated[
        int,
        typer.Option(
            "--workers",
            min=1,
            help="rules, fast: processes extracting at once (batches keep the input's order).",
        ),
    ] = 1,
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
            workers=workers,
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
