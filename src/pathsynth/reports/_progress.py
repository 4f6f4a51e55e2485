"""The progress display of a generation run."""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from pathsynth.reports._output import GenerationSummary
    from pathsynth.reports.generate import _Run

ProgressFn = Callable[[int, int], None]


class _Reporter:
    """Refreshes the progress display from the run's counters ten times a second, so the hot
    path only increments integers."""

    def __init__(
        self, progress: bool | ProgressFn, total: int, run: _Run, summary: GenerationSummary
    ) -> None:
        self.progress = progress
        self.total = total
        self.run = run
        self.summary = summary
        self.task: asyncio.Task[None] | None = None
        self.bar: Any = None
        self.bar_task: Any = None
        self.start_time = time.perf_counter()

    async def start(self) -> None:
        if self.progress is False:
            return
        if self.progress is True:
            from rich.console import Console
            from rich.progress import (
                BarColumn,
                MofNCompleteColumn,
                Progress,
                TextColumn,
                TimeElapsedColumn,
                TimeRemainingColumn,
            )

            self.bar = Progress(
                TextColumn("[bold]reports {task.description}"),
                BarColumn(),
                MofNCompleteColumn(),
                TextColumn("{task.fields[rps]:.1f} reports/s  {task.fields[tps]:.0f} tokens/s"),
                TimeElapsedColumn(),
                TimeRemainingColumn(),
                console=Console(stderr=True, emoji=False),
            )
            self.bar.start()
            self.bar_task = self.bar.add_task(self.summary.lang, total=self.total, rps=0.0, tps=0.0)
        self.task = asyncio.create_task(self._loop())

    def _refresh(self) -> None:
        done = self.run.done
        elapsed = max(time.perf_counter() - self.start_time, 1e-9)
        if self.bar is not None:
            self.bar.update(
                self.bar_task,
                completed=done,
                rps=done / elapsed,
                tps=self.run.tokens / elapsed,
            )
        elif callable(self.progress):
            self.progress(done, self.total)

    async def _loop(self) -> None:
        while True:
            self._refresh()
            await asyncio.sleep(0.1)

    async def stop(self) -> None:
        if self.task is not None:
            self.task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self.task
            self._refresh()
        if self.bar is not None:
            self.bar.stop()
