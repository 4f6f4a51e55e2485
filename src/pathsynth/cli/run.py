"""`pathsynth run` and `pathsynth demo`: the whole experiment."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from pathsynth.cli._app import (
    app,
    console,
)
from pathsynth.errors import PathsynthError

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
