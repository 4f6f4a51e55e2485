"""What every stage of a run shares: the run's config, schema, folder and console, the
bookkeeping of one stage, and :func:`need`, which finds a package function or says it is
missing."""

from __future__ import annotations

import importlib
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.markup import escape
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from pathsynth._io import iter_jsonl
from pathsynth.errors import PathsynthError, redact
from pathsynth.pipeline.artifacts import RunFolder
from pathsynth.pipeline.config import (
    PipelineConfig,
)
from pathsynth.pipeline.summaries import (
    StageSummary,
)
from pathsynth.schema import Schema

#: Reports extracted per call, so the progress bar moves and memory stays flat.
EXTRACT_BATCH = 64


class StageUnavailable(PathsynthError):
    """A stage's package function is not part of this installation."""


def need(module: str, attr: str, *more_modules: str) -> Any:
    """``module.attr`` (or from the first of ``more_modules`` that has it), or a one-line error
    naming what is missing."""
    for name in (module, *more_modules):
        try:
            mod = importlib.import_module(name)
        except ImportError as exc:
            if name == module:
                raise StageUnavailable(f"{module} cannot be imported ({exc})") from None
            continue
        if hasattr(mod, attr):
            return getattr(mod, attr)
    raise StageUnavailable(f"{module}.{attr} is not available in this installation")


def read_frame(path: Path, schema: Schema) -> Any:
    read_records = need("pathsynth.cohort", "read_records")
    return read_records(path, schema).frame


class StagesBase:
    """The config, schema, folder and console of one run, and the bookkeeping of its stages."""

    def __init__(
        self,
        cfg: PipelineConfig,
        run: RunFolder,
        schema: Schema,
        console: Console,
        *,
        force: bool = False,
    ) -> None:
        self.cfg = cfg
        self.run = run
        self.schema = schema
        self.console = console
        self.force = force
        self.notes: list[str] = []
        #: the stage running now (named when a run is interrupted)
        self.current = ""

    # -- helpers ---------------------------------------------------------------------------

    def _stage(
        self,
        name: str,
        config: Any,
        inputs: Sequence[Path],
        outputs: Sequence[str],
        fn: Callable[[], StageSummary | dict[str, Any]],
    ) -> dict[str, Any]:
        self.console.print(f"[bold]▶ {escape(name)}[/]", highlight=False)
        self.current = name

        def summarised() -> dict[str, Any]:
            out = fn()
            return out.to_dict() if isinstance(out, StageSummary) else out

        rec = self.run.run_stage(
            name, config=config, inputs=inputs, outputs=outputs, fn=summarised, force=self.force
        )
        verb = "unchanged, skipped" if rec.skipped else f"{rec.seconds:.1f} s"
        self.console.print(f"  [green]✓[/] {escape(name)} ({verb})", highlight=False)
        return rec.summary

    def note(self, text: str) -> None:
        """A visible note: printed now, listed in the report (secrets redacted)."""
        text = redact(text)
        self.notes.append(text)
        self.console.print(f"  [yellow]note:[/] {escape(text)}", highlight=False)

    def _schema_inputs(self) -> list[Path]:
        p = Path(self.cfg.schema_name)
        return [p] if p.exists() else []

    def _progress(self) -> Progress:
        return Progress(
            TextColumn("  {task.description}"),
            BarColumn(),
            MofNCompleteColumn(),
            TimeElapsedColumn(),
            console=self.console,
            transient=True,
        )

    def _stage_path(
        self,
        name: str,
        config: Any,
        inputs: Sequence[Path],
        out: str,
        fn: Callable[[], StageSummary | dict[str, Any]],
        extra_outputs: Sequence[str] = (),
    ) -> Path:
        self._stage(name, config, inputs, [out, *extra_outputs], fn)
        return self.run.path(out)


def _report_stats(path: Path) -> dict[str, Any]:
    """Count and length of the reports in a file."""
    n = 0
    chars = 0
    words = 0
    for row in iter_jsonl(path):
        n += 1
        chars += len(row.get("text", ""))
        words += len(str(row.get("text", "")).split())
    return {
        "reports": n,
        "mean_chars": round(chars / n, 1) if n else 0.0,
        "mean_words": round(words / n, 1) if n else 0.0,
    }
