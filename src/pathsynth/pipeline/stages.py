"""The stages of a run, in the order the data flows, each reading and writing files of the run.

Each stage calls the public function of its package (cohort, tabular, reports, extraction,
evaluation) and records what it wrote in the run's manifest, so a re-run skips it when nothing
it depends on changed. A package function that this installation lacks stops the run with one
line naming it; an extraction system that cannot be built is left out of the scores with a
visible note, never replaced by made-up numbers.
"""

from __future__ import annotations

import importlib
import json
import random
import shutil
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.markup import escape
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from pathsynth._io import iter_jsonl, read_jsonl, read_reports, write_json, write_jsonl
from pathsynth.errors import PathsynthError, redact
from pathsynth.pipeline.artifacts import RETRY, RunFolder
from pathsynth.pipeline.config import (
    BaselineConfig,
    EvalSetConfig,
    PipelineConfig,
    StudentConfig,
    TeacherConfig,
)
from pathsynth.pipeline.summaries import (
    CohortSummary,
    EvalSetSummary,
    EvaluateSummary,
    FilterStageSummary,
    GenerateSummary,
    MixSummary,
    PredictSummary,
    RecordsSummary,
    StageSummary,
    TrainSummary,
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


def _read_frame(path: Path, schema: Schema) -> Any:
    read_records = need("pathsynth.cohort", "read_records")
    return read_records(path, schema).frame


class Stages:
    """The stages of one run: the config, its schema, its folder and a console."""

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

    # -- cohort ----------------------------------------------------------------------------

    def cohort(self) -> Path:
        """Read (or simulate) the cohort; fill absent variables from the prior."""
        c = self.cfg.cohort
        out = "inputs/cohort.csv"
        flags = "inputs/completed_cells.csv"
        outputs = [out] + ([flags] if c.path is not None and c.complete else [])
        inputs = [*self._schema_inputs(), *([c.path] if c.path is not None else [])]

        def fn() -> CohortSummary:
            write_records = need("pathsynth.cohort", "write_records")
            if c.path is None:
                simulate = need("pathsynth.cohort", "simulate_cohort")
                frame = simulate(c.simulate, self.cfg.seed, self.schema)
                summary = CohortSummary(source="simulated", n=len(frame), normalized_cells=None)
            else:
                read_records = need("pathsynth.cohort", "read_records")
                recs = read_records(
                    c.path, self.schema, normalize=c.normalize, blank_invalid=c.blank_invalid
                )
                frame = recs.frame
                summary = CohortSummary(
                    source=str(c.path),
                    n=len(frame),
                    normalized_cells=len(recs.changes),
                    absent_keys=list(getattr(recs, "absent", [])),
                )
                if c.complete:
                    complete = need("pathsynth.cohort", "complete_cohort")
                    frame, filled = complete(frame, self.cfg.seed, self.schema)
                    summary.completed_cells = {
                        k: int(filled[k].sum()) for k in self.schema.keys if k in filled
                    }
                    filled = filled.copy()
                    if "id" not in filled:
                        filled.insert(0, "id", frame["id"].to_numpy())
                    write_records(filled, self.run.path(flags))
            write_records(frame, self.run.path(out))
            return summary

        self._stage(
            "cohort",
            {"cohort": c.model_dump(mode="json"), "seed": self.cfg.seed},
            inputs,
            outputs,
            fn,
        )
        return self.run.path(out)

    # -- tabular ---------------------------------------------------------------------------

    def tabular(self, cohort_path: Path) -> Path | None:
        """Fit and compare the synthesizers; ``None`` when none is configured."""
        t = self.cfg.tabular
        if not t.synthesizers:
            self.note("no synthesizer configured: the teachers write from the cohort itself")
            return None
        # The whole folder: a synthesizer that fails writes no CSV, the others still count.
        outputs = ["tabular"]

        def fn() -> dict[str, Any]:
            compare = need("pathsynth.tabular", "compare_synthesizers", "pathsynth.tabular.compare")
            frame = _read_frame(cohort_path, self.schema)

            def progress(name: str, step: str) -> None:
                self.console.print(f"  {name}: {step}", highlight=False)

            result = compare(
                frame,
                list(t.synthesizers),
                t.epsilon,
                self.cfg.seed,
                self.run.path("tabular"),
                schema=self.schema,
                params=t.params,
                delta=t.delta,
                html=t.html,
                progress=progress,
                workers=t.workers,
                n_synthetic=self._synthetic_rows(len(frame)),
                score_rows=t.score_rows,
            )
            metrics = result.metrics() if hasattr(result, "metrics") else {}
            failed = {n: m["error"] for n, m in metrics.items() if m.get("error")}
            for name, error in failed.items():
                self.note(f"synthesizer {name} failed: {error}")
            return {"synthesizers": list(t.synthesizers), "failed": failed, RETRY: bool(failed)}

        self._stage(
            "tabular",
            # workers change the wall time, not the records
            {
                "tabular": t.model_dump(exclude={"generate_from", "workers"}),
                "seed": self.cfg.seed,
                "synthetic_rows": self._synthetic_rows(None),
            },
            [cohort_path, *self._schema_inputs()],
            outputs,
            fn,
        )
        return self.run.path("tabular")

    def _synthetic_rows(self, n_records: int | None) -> int | None:
        """Rows each synthesizer writes: as many as training, or more when the teachers need
        more records than that (``None``: as many as training)."""
        tc = self.cfg.teachers
        held = sum(t.n or tc.n for t in tc.teachers if t.use == "eval")
        train = [t.n or tc.n for t in self.cfg.training_teachers]
        need = held + (max(train, default=0) if tc.per_teacher else sum(train))
        if n_records is None:
            return need
        return need if need > n_records // 2 else None

    def chosen_synthesizer(self) -> str:
        """The synthesizer whose records feed generation (``best`` resolved from metrics)."""
        t = self.cfg.tabular
        metrics = json.loads(self.run.path("tabular/metrics.json").read_text(encoding="utf-8"))
        if t.generate_from != "best":
            error = metrics.get(t.generate_from, {}).get("error")
            if error:
                raise PathsynthError(
                    f"synthesizer {t.generate_from} failed ({error}): set "
                    "tabular.generate_from to another one"
                )
            return t.generate_from
        scored = {
            n: float(m.get("overall_accuracy") or 0.0)
            for n, m in metrics.items()
            if n in t.synthesizers and isinstance(m, dict) and not m.get("error")
        }
        if not scored:
            raise PathsynthError("every synthesizer failed: see tabular/metrics.json")
        return max(scored, key=lambda n: scored[n])

    # -- records for each teacher ----------------------------------------------------------

    def teacher_records(self, cohort_path: Path, tabular_dir: Path | None) -> dict[str, Path]:
        """Split the synthetic records between teachers: held-out teachers get their own."""
        source_name = "cohort" if tabular_dir is None else self.chosen_synthesizer()
        source = (
            cohort_path
            if source_name == "cohort"
            else self.run.path(f"tabular/synthetic_{source_name}.csv")
        )
        if source_name == "cohort" and tabular_dir is not None:
            self.note("tabular.generate_from=cohort: teachers write from the input records")
        tc = self.cfg.teachers
        outputs = {t.name: f"records/{t.name}.csv" for t in tc.teachers}

        def fn() -> RecordsSummary:
            frame = _read_frame(source, self.schema)
            write_records = need("pathsynth.cohort", "write_records")
            order = list(range(len(frame)))
            random.Random(self.cfg.seed).shuffle(order)
            taken = 0
            plan: dict[str, list[int]] = {}
            # Held-out teachers first, each on records no training teacher sees.
            for t in tc.teachers:
                if t.use == "eval":
                    n = t.n or tc.n
                    plan[t.name] = order[taken : taken + n]
                    taken += n
            train = self.cfg.training_teachers
            if tc.per_teacher:
                n_max = max((t.n or tc.n for t in train), default=0)
                shared = order[taken : taken + n_max]
                taken += n_max
                for t in train:
                    plan[t.name] = shared[: t.n or tc.n]
            else:
                for t in train:
                    n = t.n or tc.n
                    plan[t.name] = order[taken : taken + n]
                    taken += n
            if taken > len(frame):
                raise PathsynthError(
                    f"the teachers need {taken} records but {source.name} holds {len(frame)}: "
                    "lower teachers.n or simulate a larger cohort"
                )
            for name, rows in plan.items():
                write_records(frame.iloc[rows].reset_index(drop=True), self.run.path(outputs[name]))
            return RecordsSummary(source=source_name, records={k: len(v) for k, v in plan.items()})

        self._stage(
            "records",
            {"teachers": tc.model_dump(mode="json"), "seed": self.cfg.seed, "from": source_name},
            [source],
            list(outputs.values()),
            fn,
        )
        return {k: self.run.path(v) for k, v in outputs.items()}

    # -- generation ------------------------------------------------------------------------

    def generate(self, teacher: TeacherConfig, records: Path, rank: int) -> Path:
        """One teacher writes a report for each of its records (resuming a killed run)."""
        tc = self.cfg.teachers
        out = f"reports/{teacher.name}.jsonl"
        seed = teacher.seed if teacher.seed is not None else self.cfg.seed + rank
        inputs = [records, *self._schema_inputs()]
        if teacher.prompt_pack is not None:
            inputs.append(teacher.prompt_pack)

        def fn() -> GenerateSummary:
            generate_reports = need("pathsynth.reports.generate", "generate_reports")
            frame = _read_frame(records, self.schema)
            summary = generate_reports(
                frame,
                [teacher.spec],
                tc.lang,
                self.run.path(out),
                n=len(frame),
                seed=seed,
                schema=self.schema,
                prompts=teacher.prompt_pack,
                progress=True,
                **teacher.options.model_dump(exclude_none=True),
            )
            return GenerateSummary(
                generation=summary.to_dict(), **_report_stats(self.run.path(out))
            )

        return self._stage_path(
            f"generate:{teacher.name}",
            {"teacher": teacher.model_dump(mode="json"), "lang": tc.lang, "seed": seed},
            inputs,
            out,
            fn,
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

    # -- filter ----------------------------------------------------------------------------

    def filter(self, teacher: TeacherConfig, reports: Path) -> Path:
        """Keep the faithful, varied, private reports of one teacher."""
        f = self.cfg.filter
        kept = f"filtered/{teacher.name}.kept.jsonl"
        rejected = f"filtered/{teacher.name}.rejected.jsonl"
        inputs = [reports, *self._schema_inputs()]
        if f.real_reports is not None:
            inputs.append(f.real_reports)

        def fn() -> FilterStageSummary:
            if not f.enabled:
                self.run.path(kept).parent.mkdir(parents=True, exist_ok=True)
                shutil.copyfile(reports, self.run.path(kept))
                write_jsonl(self.run.path(rejected), [])
                n = sum(1 for _ in iter_jsonl(reports))
                return FilterStageSummary(enabled=False, kept=n, rejected=0)
            filter_reports = need("pathsynth.reports.filter", "filter_reports")
            summary = filter_reports(
                reports,
                self.run.path(kept),
                rejected_path=self.run.path(rejected),
                real_path=f.real_reports,
                judge=f.judge,
                schema=self.schema,
                **({"judges": {teacher.name: teacher.judge}} if teacher.judge else {}),
                **f.options,
            )
            return FilterStageSummary(
                kept=sum(1 for _ in iter_jsonl(self.run.path(kept))),
                rejected=sum(1 for _ in iter_jsonl(self.run.path(rejected))),
                **summary.to_dict(),
            )

        return self._stage_path(
            f"filter:{teacher.name}",
            {"filter": f.model_dump(mode="json"), "judge": teacher.judge, "seed": self.cfg.seed},
            inputs,
            kept,
            fn,
            extra_outputs=[rejected],
        )

    # -- training data and students --------------------------------------------------------

    def training_pool(
        self, kept: dict[str, Path], names: Sequence[str], out: str, cap: int | None
    ) -> Path:
        """Kept reports of ``names`` in one file (drawn down to ``cap`` with the run's seed)."""

        def fn() -> MixSummary:
            rows = [row for n in names for row in iter_jsonl(kept[n])]
            if cap is not None and len(rows) > cap:
                rows = random.Random(self.cfg.seed).sample(rows, cap)
            if not rows:
                raise PathsynthError(
                    f"no kept report from {', '.join(names)} to train on: the filter rejected "
                    "them all (see filtered/*.rejected.jsonl)"
                )
            write_jsonl(self.run.path(out), rows)
            return MixSummary(reports=len(rows), teachers=list(names))

        return self._stage_path(
            f"mix:{Path(out).stem}",
            {"teachers": list(names), "cap": cap, "seed": self.cfg.seed},
            [kept[n] for n in names],
            out,
            fn,
        )

    def train(self, student: StudentConfig, data: Path) -> Path | None:
        """Train one student; ``None`` (with a note) when its trainer is unavailable."""
        out = f"models/{student.name}"

        def fn() -> TrainSummary:
            train_student = need("pathsynth.extraction", "train_student")
            if student.processes > 1:
                return _train_summary(self._train_launched(student, data, self.run.path(out)))
            with self._progress() as bar:
                task = bar.add_task(f"training {student.name}", total=1.0)

                def progress(what: str, fraction: float) -> None:
                    bar.update(task, completed=fraction, description=f"{student.name}: {what}")

                manifest = train_student(
                    data,
                    student.kind,
                    self.run.path(out),
                    schema=self.schema,
                    seed=self.cfg.seed,
                    base_model=student.base_model,
                    progress=progress,
                    **student.options,
                )
            return _train_summary(manifest)

        try:
            return self._stage_path(
                f"train:{student.name}",
                {"student": student.model_dump(mode="json"), "seed": self.cfg.seed},
                [data, *self._schema_inputs()],
                out,
                fn,
            )
        except StageUnavailable as exc:
            self.note(f"student {student.name} not trained: {exc}")
            return None

    def _train_launched(self, student: StudentConfig, data: Path, out: Path) -> dict[str, Any]:
        """Train on several GPUs: `pathsynth student train` under `accelerate launch`, given
        the run's schema and every option of the student (checked at load against the same
        options model that `student train --option` is checked against)."""
        import subprocess

        cmd = launch_command(student, data, out, self.cfg.seed, self.cfg.schema_name)
        self.console.print(f"  $ {escape(' '.join(cmd))}", highlight=False)
        done = subprocess.run(cmd, check=False)
        if done.returncode != 0:
            raise PathsynthError(
                f"student {student.name}: `accelerate launch` exited with {done.returncode}"
            )
        manifest = out / "manifest.json"
        return dict(json.loads(manifest.read_text("utf-8"))) if manifest.is_file() else {}

    # -- evaluation sets, predictions, scores ----------------------------------------------

    def eval_set(
        self, es: EvalSetConfig, teacher_files: dict[str, tuple[Path, Path]]
    ) -> Path | None:
        """Write ``eval/<set>/reports.jsonl`` and ``gold.jsonl`` for one evaluation set;
        ``None`` (noted) when a held-out teacher left no report to score."""
        base = f"eval/{es.name}"
        if es.teacher is not None:
            raw, kept = teacher_files[es.teacher]
            src = kept if es.filtered else raw
            inputs = [src]
            if not any(True for _ in iter_jsonl(src)):
                self.note(
                    f"evaluation set {es.name} not scored: teacher {es.teacher} has no "
                    f"{'kept ' if es.filtered else ''}report"
                )
                return None
        else:
            assert es.reports is not None
            inputs = [es.reports, *([es.gold] if es.gold is not None else [])]

        def fn() -> EvalSetSummary:
            if es.teacher is not None:
                rows = read_jsonl(src)
                reports = [{"id": r["id"], "text": r["text"]} for r in rows]
                gold = [{"id": r["id"], "values": r["record"]} for r in rows]
                origin = (
                    f"held-out teacher {es.teacher} ({'kept' if es.filtered else 'all'} reports)"
                )
            else:
                assert es.reports is not None
                rows = read_reports(es.reports)
                reports = [{"id": r["id"], "text": r["text"]} for r in rows]
                if es.gold is not None:
                    gold = read_jsonl(es.gold)
                else:
                    gold = []
                    for r in rows:
                        vals = r.get("values", r.get("record"))
                        if not isinstance(vals, dict):
                            raise PathsynthError(
                                f"evaluation set {es.name}: report {r['id']!r} has no gold values; "
                                "give `gold` (JSONL {id, values})"
                            )
                        gold.append({"id": r["id"], "values": vals})
                origin = f"annotated reports {es.reports.name}"
            if not reports:
                raise PathsynthError(f"evaluation set {es.name} holds no report")
            write_jsonl(self.run.path(base, "reports.jsonl"), reports)
            write_jsonl(self.run.path(base, "gold.jsonl"), gold)
            return EvalSetSummary(reports=len(reports), origin=origin)

        self._stage(
            f"evalset:{es.name}",
            es.model_dump(mode="json"),
            inputs,
            [f"{base}/reports.jsonl", f"{base}/gold.jsonl"],
            fn,
        )
        return self.run.path(base)

    def predict(
        self,
        es: EvalSetConfig,
        set_dir: Path,
        system: str,
        spec: str,
        *,
        model_dir: Path | None = None,
        shots: int = 0,
        examples: Path | None = None,
        options: dict[str, Any] | None = None,
    ) -> Path | None:
        """Predictions of one system on one evaluation set; ``None`` (noted) if unavailable."""
        out = f"predictions/{es.name}/{system}.jsonl"
        lang = es.lang or self.cfg.teachers.lang
        inputs = [set_dir / "reports.jsonl", *self._schema_inputs()]
        if model_dir is not None:
            inputs.append(model_dir)
        if examples is not None and shots:
            inputs.append(examples)

        def fn() -> PredictSummary:
            load_extractor = need("pathsynth.extraction", "load_extractor")
            extract_file = need("pathsynth.extraction", "extract_file")
            extractor = load_extractor(
                str(model_dir) if model_dir is not None else spec,
                schema=self.schema,
                shots=shots,
                examples=examples if shots else None,
                seed=self.cfg.seed,
                options=options or None,
            )
            with self._progress() as bar:
                task = bar.add_task(f"{system} on {es.name}", total=None)

                def progress(done: int, total: int) -> None:
                    bar.update(task, completed=done, total=total)

                n = extract_file(
                    extractor,
                    set_dir / "reports.jsonl",
                    self.run.path(out),
                    batch_size=EXTRACT_BATCH,
                    lang=lang,
                    progress=progress,
                )
            return PredictSummary(predictions=n)

        try:
            return self._stage_path(
                f"predict:{es.name}:{system}",
                {"spec": spec, "shots": shots, "lang": lang, "options": options or {}},
                inputs,
                out,
                fn,
            )
        except StageUnavailable as exc:
            self.note(f"{system} not scored on {es.name}: {exc}")
            return None

    def evaluate(self, es: EvalSetConfig, set_dir: Path, preds: dict[str, Path]) -> Path | None:
        """Score the systems of one evaluation set: JSON, the study's table, a plot."""
        base = f"metrics/{es.name}"
        if not preds:
            self.note(f"no system could be scored on {es.name}")
            return None

        def fn() -> EvaluateSummary:
            evaluate = need("pathsynth.evaluation", "evaluate")
            result = evaluate(
                read_jsonl(set_dir / "gold.jsonl"),
                {name: read_jsonl(p) for name, p in preds.items()},
                self.schema,
            )
            write_json(self.run.path(f"{base}.json"), result.to_dict())
            from pathsynth._io import write_text_atomic

            write_text_atomic(self.run.path(f"{base}.md"), result.to_markdown())
            result.plot(self.run.path(f"{base}_f1.png"))
            return EvaluateSummary(
                reports=result.n_reports,
                f1={s.name: round(s.total.f1, 4) for s in result.systems},
            )

        self._stage(
            f"evaluate:{es.name}",
            {"systems": list(preds)},
            [set_dir / "gold.jsonl", *preds.values()],
            [f"{base}.json", f"{base}.md", f"{base}_f1.png"],
            fn,
        )
        return self.run.path(f"{base}.json")

    def systems(self) -> list[tuple[str, str, StudentConfig | BaselineConfig]]:
        """Every scored system: (name, kind, its config), students first."""
        out: list[tuple[str, str, StudentConfig | BaselineConfig]] = [
            (s.name, "student", s) for s in self.cfg.students
        ]
        out += [(b.name, "baseline", b) for b in self.cfg.baselines]
        return out


def launch_command(
    student: StudentConfig, data: Path, out: Path, seed: int, schema: str
) -> list[str]:
    """The `accelerate launch ... pathsynth student train ...` command of a multi-GPU student:
    the schema and every option travel as flags (`--option NAME=JSON`)."""
    import sys

    script = shutil.which("pathsynth") or str(Path(sys.executable).parent / "pathsynth")
    cmd = [
        sys.executable, "-m", "accelerate.commands.launch",
        "--num_processes", str(student.processes),
        script, "student", "train",
        "--data", str(data), "--kind", student.kind, "--out", str(out),
        "--seed", str(seed), "--schema", schema,
    ]  # fmt: skip
    if student.base_model is not None:
        cmd += ["--base-model", student.base_model]
    for name, value in sorted(student.options.items()):
        cmd += ["--option", f"{name}={json.dumps(value)}"]
    return cmd


def _train_summary(manifest: dict[str, Any]) -> TrainSummary:
    """The scalar fields of a student's manifest (its own manifest stays in its folder)."""
    scalars = {k: v for k, v in manifest.items() if isinstance(v, str | int | float | bool)}
    scalars.setdefault("kind", "unknown")
    return TrainSummary.model_validate(scalars)


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


__all__ = ["StageUnavailable", "Stages", "launch_command", "need"]
