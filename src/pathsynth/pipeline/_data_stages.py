"""The data stages of a run: cohort, synthetic records, the records of each teacher, generation,
filter and the training pool."""

from __future__ import annotations

import json
import random
import shutil
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from pathsynth._io import iter_jsonl, write_jsonl
from pathsynth.errors import PathsynthError
from pathsynth.pipeline import _stage_base
from pathsynth.pipeline._stage_base import StagesBase, _report_stats
from pathsynth.pipeline.artifacts import RETRY
from pathsynth.pipeline.config import (
    TeacherConfig,
)
from pathsynth.pipeline.summaries import (
    CohortSummary,
    FilterStageSummary,
    GenerateSummary,
    MixSummary,
    RecordsSummary,
)


class DataStages(StagesBase):
    """The stages that make the training data, from the cohort to the training pool."""

    # -- cohort ----------------------------------------------------------------------------

    def cohort(self) -> Path:
        """Read (or simulate) the cohort; fill absent variables from the prior."""
        c = self.cfg.cohort
        out = "inputs/cohort.csv"
        flags = "inputs/completed_cells.csv"
        outputs = [out] + ([flags] if c.path is not None and c.complete else [])
        inputs = [*self._schema_inputs(), *([c.path] if c.path is not None else [])]

        def fn() -> CohortSummary:
            write_records = _stage_base.need("pathsynth.cohort", "write_records")
            if c.path is None:
                simulate = _stage_base.need("pathsynth.cohort", "simulate_cohort")
                frame = simulate(c.simulate, self.cfg.seed, self.schema)
                summary = CohortSummary(source="simulated", n=len(frame), normalized_cells=None)
            else:
                read_records = _stage_base.need("pathsynth.cohort", "read_records")
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
                    complete = _stage_base.need("pathsynth.cohort", "complete_cohort")
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
            compare = _stage_base.need(
                "pathsynth.tabular", "compare_synthesizers", "pathsynth.tabular.compare"
            )
            frame = _stage_base.read_frame(cohort_path, self.schema)

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
            frame = _stage_base.read_frame(source, self.schema)
            write_records = _stage_base.need("pathsynth.cohort", "write_records")
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
            generate_reports = _stage_base.need("pathsynth.reports.generate", "generate_reports")
            frame = _stage_base.read_frame(records, self.schema)
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
            filter_reports = _stage_base.need("pathsynth.reports.filter", "filter_reports")
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
