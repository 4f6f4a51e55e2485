"""The stages of a run, in the order the data flows, each reading and writing files of the run.

Each stage calls the public function of its package (cohort, tabular, reports, extraction,
evaluation) and records what it wrote in the run's manifest, so a re-run skips it when nothing
it depends on changed. A package function that this installation lacks stops the run with one
line naming it; an extraction system that cannot be built is left out of the scores with a
visible note, never replaced by made-up numbers.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

from rich.markup import escape

from pathsynth._io import iter_jsonl, read_jsonl, read_reports, write_json, write_jsonl
from pathsynth.errors import PathsynthError
from pathsynth.pipeline import _stage_base
from pathsynth.pipeline._data_stages import DataStages
from pathsynth.pipeline._stage_base import EXTRACT_BATCH, StageUnavailable, need
from pathsynth.pipeline.config import (
    BaselineConfig,
    EvalSetConfig,
    StudentConfig,
)
from pathsynth.pipeline.summaries import (
    EvalSetSummary,
    EvaluateSummary,
    PredictSummary,
    TrainSummary,
)


class Stages(DataStages):
    """The stages of one run: the data stages, then students, predictions and scores."""

    # -- students --------------------------------------------------------------------------

    def train(self, student: StudentConfig, data: Path) -> Path | None:
        """Train one student; ``None`` (with a note) when its trainer is unavailable."""
        out = f"models/{student.name}"

        def fn() -> TrainSummary:
            train_student = _stage_base.need("pathsynth.extraction", "train_student")
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
            load_extractor = _stage_base.need("pathsynth.extraction", "load_extractor")
            extract_file = _stage_base.need("pathsynth.extraction", "extract_file")
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
            evaluate = _stage_base.need("pathsynth.evaluation", "evaluate")
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


__all__ = ["StageUnavailable", "Stages", "launch_command", "need"]
