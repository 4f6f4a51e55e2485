"""Report generation: teachers write reports from records, one JSONL line per report.

Several teachers share the records round-robin (or each writes every record with
``per_teacher``). Lines are appended as they complete, so a run can be killed at any time:
re-running with the same arguments skips the ids already in the file (a torn last line is cut
away first), and a kill loses at most the requests in flight. Ids, seeds, styles and prompts
depend only on (record id, teacher, language, seed), never on the order requests complete.

Each line: ``{"id", "text", "record", "teacher", "lang", "seed", "prompt_sha256", "style",
"spans"?, "model", "prompt_tokens", "completion_tokens"}``. ``prompt_sha256`` is the SHA-256 of
the exact messages sent (for the template teacher, of the record, language and seed it renders).
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import json
import math
import random
import re
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd
from pydantic import BaseModel, ConfigDict, Field

from pathsynth._files import exclusive
from pathsynth._options import validate_options
from pathsynth.errors import Interrupted, PathsynthError
from pathsynth.llm import (
    GenerationError,
    GenerationRequest,
    TextGenerator,
    make_generator,
    parse_spec,
)
from pathsynth.llm.registry import backend_config, slug_for_name
from pathsynth.reports._output import (
    GenerationSummary,
    TeacherSummary,
    _cut_torn_tail,
    _LineWriter,
    existing_ids,
)
from pathsynth.reports._progress import ProgressFn, _Reporter
from pathsynth.reports.prompts import PromptPack
from pathsynth.schema import LANGS, Lang, Schema, Value, load_schema

_THINK = re.compile(r"^\s*<think>.*?</think>\s*", re.DOTALL)
_FENCE = re.compile(r"^\s*```[A-Za-z]*\n(.*?)\n```\s*$", re.DOTALL)


def clean_text(text: str) -> str:
    """An LLM answer without what is not the report: a reasoning block, a code fence."""
    text = _THINK.sub("", text)
    fenced = _FENCE.match(text)
    return (fenced.group(1) if fenced else text).strip()


# A teacher that fails this many requests in a row, having answered none, stops the run.
_FAIL_FAST = 16


@dataclass(frozen=True)
class Job:
    """One report to write."""

    report_id: str
    record_id: str
    record: dict[str, Value]
    teacher: int
    seed: int


def report_seed(seed: int, report_id: str) -> int:
    """The seed of one report: stable whatever the order or the resumption of the run."""
    digest = hashlib.sha256(f"{seed}|{report_id}".encode()).digest()
    return int.from_bytes(digest[:4], "big") & 0x7FFFFFFF


def report_id(record_id: str, lang: str, slug: str, repeat: int = 0) -> str:
    """``<record id>-<lang>-<teacher>``, plus ``-r<k>`` for the k-th repeat of a record."""
    rid = f"{record_id}-{lang}-{slug}"
    return f"{rid}-r{repeat}" if repeat else rid


def _records(
    records: pd.DataFrame | str | Path, schema: Schema
) -> list[tuple[str, dict[str, Value]]]:
    if isinstance(records, str | Path):
        from pathsynth.cohort import read_records

        frame = read_records(records, schema).frame
    else:
        frame = records
    if "id" not in frame.columns:
        raise PathsynthError("records need an 'id' column")
    ids = frame["id"].astype(str).tolist()
    if len(set(ids)) != len(ids):
        dup = next(i for i in ids if ids.count(i) > 1)
        raise PathsynthError(f"duplicate record id {dup!r}")
    # Column by column: one validation loop per variable, not one schema lookup per cell.
    columns: list[list[Value]] = []
    for var in schema.variables:
        if var.key not in frame.columns:
            columns.append([None] * len(ids))
            continue
        column: list[Value] = []
        for rid, x in zip(ids, frame[var.key].tolist(), strict=True):
            if x is None or x is pd.NA or (isinstance(x, float) and math.isnan(x)):
                column.append(None)
                continue
            x = x.item() if hasattr(x, "item") else x
            if not var.is_valid(x):
                raise PathsynthError(f"record {rid!r}: {var.key}={x!r} is not a canonical value")
            column.append(var.canonical(x))
        columns.append(column)
    keys = schema.keys
    out = [
        (rid, dict(zip(keys, row, strict=True)))
        for rid, row in zip(ids, zip(*columns, strict=False), strict=True)
    ]
    if not out:
        raise PathsynthError("no record to write reports from")
    return out


def plan_jobs(
    records: list[tuple[str, dict[str, Value]]],
    slugs: Sequence[str],
    lang: str,
    *,
    n: int | None = None,
    seed: int = 0,
    per_teacher: bool = False,
) -> list[Job]:
    """The reports of a run, in order. ``n`` reports in all (per teacher with ``per_teacher``);
    default one per record; records are reused, with a repeat suffix, when ``n`` exceeds them."""
    total = len(records) if n is None else n
    if total < 1:
        raise PathsynthError(f"--n must be at least 1, not {total}")
    jobs: list[Job] = []
    n_rec = len(records)

    def job(i: int, t: int) -> Job:
        rid, values = records[i % n_rec]
        repeat = i // n_rec
        report = report_id(rid, lang, slugs[t], repeat)
        return Job(report, rid, values, t, report_seed(seed, report))

    if per_teacher:
        for i in range(total):
            jobs.extend(job(i, t) for t in range(len(slugs)))
    else:
        # Shifting by the repeat gives a reused record to another teacher.
        jobs = [job(i, (i % n_rec + i // n_rec) % len(slugs)) for i in range(total)]
    return jobs


class _Run:
    """The state of one generation run (shared by the worker tasks)."""

    def __init__(
        self,
        teachers: list[TextGenerator],
        summaries: list[TeacherSummary],
        pack: PromptPack | None,
        lang: Lang,
        writer: _LineWriter,
        temperature: float | None,
        max_tokens: int | None,
    ) -> None:
        self.teachers = teachers
        self.summaries = summaries
        self.pack = pack
        self.lang = lang
        self.writer = writer
        self.temperature = temperature
        self.max_tokens = max_tokens
        self.done = 0
        self.tokens = 0
        self.fatal: PathsynthError | None = None
        self.streak = [0] * len(teachers)
        self.tasks: list[asyncio.Task[None]] = []

    def _template_line(self, teacher: Any, job: Job) -> dict[str, Any]:
        rep = teacher.compose(job.record, self.lang, job.seed)
        material = f"{job.record!r}|{self.lang}|{job.seed}"
        return {
            "text": rep.text,
            "spans": rep.spans,  # (start, end) tuples are written as JSON arrays
            "style": rep.style,
            "prompt_sha256": hashlib.sha256(material.encode()).hexdigest(),
            "model": teacher.name,
            "prompt_tokens": 0,
            # Words, counted cheaply: the template has no tokenizer.
            "completion_tokens": rep.text.count(" ") + rep.text.count("\n"),
        }

    async def _llm_line(self, teacher: TextGenerator, job: Job) -> dict[str, Any]:
        assert self.pack is not None
        rng = random.Random(job.seed)
        style = self.pack.draw_style(rng)
        messages = self.pack.messages(job.record, style, rng)
        sha = hashlib.sha256(
            json.dumps(messages, ensure_ascii=False, separators=(",", ":")).encode()
        ).hexdigest()
        request = GenerationRequest(
            id=job.report_id,
            messages=messages,
            lang=self.lang,
            seed=job.seed,
            temperature=self.pack.temperature if self.temperature is None else self.temperature,
            max_tokens=self.pack.max_tokens if self.max_tokens is None else self.max_tokens,
            record=job.record,
            style=style,
        )
        gen = await teacher.agenerate(request)
        line: dict[str, Any] = {
            "text": gen.text if gen.spans is not None else clean_text(gen.text),
            "style": style,
            "prompt_sha256": sha,
            "model": gen.model or teacher.name,
            "prompt_tokens": gen.prompt_tokens,
            "completion_tokens": gen.completion_tokens,
        }
        if gen.spans is not None:
            line["spans"] = gen.spans
        return line

    async def worker(self, t: int, jobs: list[Job], position: list[int]) -> None:
        teacher = self.teachers[t]
        summary = self.summaries[t]
        compose = getattr(teacher, "compose", None) if _is_template(teacher) else None
        while self.fatal is None and position[0] < len(jobs):
            job = jobs[position[0]]
            position[0] += 1
            try:
                if compose is not None:
                    body = self._template_line(teacher, job)
                    if position[0] % 64 == 0:
                        await asyncio.sleep(0)  # let the other teachers' workers run
                else:
                    body = await self._llm_line(teacher, job)
            except GenerationError as exc:
                self._failure(t, summary, exc)
                continue
            except PathsynthError as exc:
                # A record a teacher cannot write (e.g. a schema it does not know).
                self._failure(t, summary, exc)
                continue
            except Exception as exc:
                # A backend's own failure on one request (out of memory, a library error)
                # fails that report; the run goes on and the re-run retries it.
                message = f"{teacher.name}: {type(exc).__name__}: {exc}".splitlines()[0]
                self._failure(t, summary, GenerationError(message))
                continue
            row = {
                "id": job.report_id,
                "text": body.pop("text"),
                "record": job.record,
                "teacher": teacher.name,
                "lang": self.lang,
                "seed": job.seed,
                **body,
            }
            self.writer.write(row)
            self.streak[t] = 0
            summary.written += 1
            summary.prompt_tokens += int(row.get("prompt_tokens") or 0)
            summary.completion_tokens += int(row.get("completion_tokens") or 0)
            self.done += 1
            self.tokens += int(row.get("completion_tokens") or 0)

    def _failure(self, t: int, summary: TeacherSummary, exc: PathsynthError) -> None:
        summary.failed += 1
        summary.first_error = summary.first_error or str(exc)
        self.done += 1
        self.streak[t] += 1
        if isinstance(exc, GenerationError) and exc.fatal:
            self.fatal = exc
        elif summary.written == 0 and self.streak[t] >= _FAIL_FAST:
            self.fatal = PathsynthError(
                f"teacher {summary.teacher}: the first {self.streak[t]} requests failed "
                f"({summary.first_error})"
            )
        if self.fatal is not None:
            # Stop every teacher now rather than after the requests in flight.
            for task in self.tasks:
                task.cancel()


def _is_template(teacher: object) -> bool:
    return type(teacher).__name__ == "TemplateTeacher" and hasattr(teacher, "compose")


def _slug(teacher: str | TextGenerator) -> str:
    if isinstance(teacher, str):
        return parse_spec(teacher).slug
    return slug_for_name(getattr(teacher, "name", type(teacher).__name__))


class GenerationOptions(BaseModel):
    """Options of report generation (a teacher's ``options`` in the pipeline YAML; the
    ``reports generate`` flags of the same names)."""

    model_config = ConfigDict(extra="forbid")

    concurrency: int | None = Field(
        None, ge=1, description="Requests in flight per teacher (default: 64 for servers)."
    )
    temperature: float | None = Field(
        None, ge=0, le=5, description="Sampling temperature (default: the prompt pack's)."
    )
    max_tokens: int | None = Field(
        None, ge=1, description="Longest report in tokens (default: the prompt pack's)."
    )
    teacher_options: dict[str, Any] = Field(
        default_factory=dict,
        description="Backend options (the `?name=value` options of the teacher's SPEC).",
    )


def generate_reports(
    records: pd.DataFrame | str | Path,
    teachers: Sequence[str | TextGenerator],
    lang: Lang,
    out_path: str | Path,
    n: int | None = None,
    seed: int = 0,
    per_teacher: bool = False,
    *,
    schema: Schema | str | None = None,
    concurrency: int | None = None,
    prompts: str | Path | None = None,
    temperature: float | None = None,
    max_tokens: int | None = None,
    teacher_options: dict[str, Any] | None = None,
    progress: bool | ProgressFn = False,
) -> GenerationSummary:
    """Write reports for ``records`` (a frame with ``id`` + schema keys, or a records file).

    ``teachers`` are specs (``template``, ``openai:MODEL@URL``...) or ready generators; they
    share the records round-robin, or each writes every record with ``per_teacher``. ``n``
    reports in all (per teacher with ``per_teacher``), default one per record. ``concurrency``,
    ``temperature``, ``max_tokens`` and ``teacher_options`` are :class:`GenerationOptions`;
    ``prompts`` is a prompt pack folder (default: the built-in pack). ``progress``: True shows
    a rich progress bar on stderr; a callable gets ``(done, total)``.

    Re-running with the same arguments resumes: an existing ``out_path`` must be a reports file
    of this run (else it is refused untouched). The output is held under an exclusive lock, so
    a second writer is refused. Every generator, ready ones included, is closed at the end (its
    connections belong to the run). Ctrl-C raises :class:`~pathsynth.errors.Interrupted`
    saying what was written.
    """
    if lang not in LANGS:
        raise PathsynthError(f"unknown language {lang!r}: use one of {', '.join(LANGS)}")
    if not teachers:
        raise PathsynthError("give at least one --teacher")
    opts = validate_options(
        GenerationOptions,
        {
            k: v
            for k, v in (
                ("concurrency", concurrency),
                ("temperature", temperature),
                ("max_tokens", max_tokens),
                ("teacher_options", teacher_options),
            )
            if v is not None
        },
        "generation",
    )
    sch = schema if isinstance(schema, Schema) else load_schema(schema or "breast13")
    out = Path(out_path)
    slugs = [_slug(t) for t in teachers]
    dup = {s for s in slugs if slugs.count(s) > 1}
    if dup:
        raise PathsynthError(
            f"teacher {sorted(dup)[0]!r} is given twice; list several servers of one model in "
            "one spec: openai:MODEL@URL1,URL2"
        )
    for t in teachers:
        if isinstance(t, str) and parse_spec(t).kind != "template":
            backend_config(t, opts.teacher_options)  # a bad option fails before any work
    rows = _records(records, sch)
    jobs = plan_jobs(rows, slugs, lang, n=n, seed=seed, per_teacher=per_teacher)
    need_pack = any(not (isinstance(t, str) and parse_spec(t).kind == "template") for t in teachers)
    pack = PromptPack.load(lang, sch, prompts) if need_pack else None

    with exclusive(out):
        done_ids = existing_ids(out, lang=lang, planned={j.report_id for j in jobs})
        generators: list[TextGenerator] = []
        started = False
        try:
            for t in teachers:
                if isinstance(t, str):
                    # Backend options are for model teachers; the grammar takes none.
                    is_template = parse_spec(t).kind == "template"
                    options = {} if is_template else dict(opts.teacher_options)
                    if opts.concurrency is not None and not is_template:
                        options["concurrency"] = opts.concurrency
                    generators.append(make_generator(t, schema=sch, **options))
                else:
                    generators.append(t)
            summaries = [TeacherSummary(g.name) for g in generators]
            pending: list[list[Job]] = [[] for _ in generators]
            for job in jobs:
                summaries[job.teacher].planned += 1
                if job.report_id in done_ids:
                    summaries[job.teacher].skipped += 1
                else:
                    pending[job.teacher].append(job)
            summary = GenerationSummary(out, lang, summaries)
            _cut_torn_tail(out)
            writer = _LineWriter(out)
            try:
                started = True  # from here the run's own loop closes the generators
                asyncio.run(
                    _generate(
                        generators,
                        pending,
                        summary,
                        pack,
                        lang,
                        writer,
                        opts.concurrency,
                        opts.temperature,
                        opts.max_tokens,
                        progress,
                    )
                )
            except KeyboardInterrupt:
                raise Interrupted(
                    f"{summary.written} reports written to {out} "
                    f"({summary.written + summary.skipped} of {len(jobs)} done)"
                ) from None
            finally:
                writer.close()
        finally:
            if generators and not started:
                asyncio.run(_close(generators))
    return summary


async def _close(generators: list[TextGenerator]) -> None:
    for g in generators:
        # Closing must not hide the run's own outcome.
        with contextlib.suppress(Exception):
            await g.aclose()


async def _generate(
    generators: list[TextGenerator],
    pending: list[list[Job]],
    summary: GenerationSummary,
    pack: PromptPack | None,
    lang: Lang,
    writer: _LineWriter,
    concurrency: int | None,
    temperature: float | None,
    max_tokens: int | None,
    progress: bool | ProgressFn,
) -> None:
    run = _Run(generators, summary.teachers, pack, lang, writer, temperature, max_tokens)
    total = sum(len(p) for p in pending)
    start = time.perf_counter()
    tasks: list[asyncio.Task[None]] = []
    for t, jobs in enumerate(pending):
        if not jobs:
            continue
        gen = generators[t]
        hint: int = getattr(gen, "max_concurrency", None) or 8
        width = 1 if _is_template(gen) else concurrency or hint
        position = [0]
        started = time.perf_counter()

        async def teacher_task(
            t: int, jobs: list[Job], position: list[int], width: int, started: float
        ) -> None:
            await asyncio.gather(*(run.worker(t, jobs, position) for _ in range(width)))
            summary.teachers[t].seconds = time.perf_counter() - started

        tasks.append(
            asyncio.create_task(teacher_task(t, jobs, position, min(width, len(jobs)), started))
        )
    run.tasks = tasks
    reporter = _Reporter(progress, total, run, summary)
    await reporter.start()
    try:
        results = await asyncio.gather(*tasks, return_exceptions=True)
        for result in results:
            if isinstance(result, Exception):
                raise result
    finally:
        for task in tasks:
            task.cancel()
        await reporter.stop()
        summary.seconds = time.perf_counter() - start
        # In this loop: connection pools and worker queues belong to it.
        await _close(generators)
    if run.fatal is not None:
        raise PathsynthError(str(run.fatal))


__all__ = [
    "GenerationOptions",
    "GenerationSummary",
    "Job",
    "TeacherSummary",
    "clean_text",
    "existing_ids",
    "generate_reports",
    "plan_jobs",
    "report_id",
    "report_seed",
]
