"""The experiment config: one YAML file, validated by pydantic, documented by its own fields.

Every option lives in one model below; its ``description`` is the documentation (the options
reference in docs/pipeline.md is generated from these models by :func:`config_reference`).
Unknown keys are errors that name the key, so a typo never silently falls back to a default.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
    field_validator,
    model_validator,
)

from pathsynth.errors import PathsynthError, redact
from pathsynth.reports.generate import GenerationOptions

_NAME_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9_.-]*$"


class _Section(BaseModel):
    """Base of every config section: unknown keys are errors."""

    model_config = ConfigDict(extra="forbid")


class CohortConfig(_Section):
    """Where the structured records come from."""

    path: Path | None = Field(
        None,
        description="Real records (CSV or Parquet: an `id` column plus schema keys). "
        "Relative paths are read from the config file's folder. Leave empty to simulate.",
    )
    simulate: int = Field(
        4000,
        ge=10,
        description="Patients drawn from the built-in clinical prior when `path` is empty.",
    )
    normalize: bool = Field(
        False,
        description="Map non-canonical cells of a real file ('2,8 cm', 'ER+') to canonical "
        "values instead of rejecting them.",
    )
    blank_invalid: bool = Field(
        False,
        description="Read cells that stay non-canonical (e.g. ICD-O codes the schema lacks) "
        "as unknown instead of stopping.",
    )
    complete: bool = Field(
        True,
        description="Fill variables absent from the real records (whole columns or cells) from "
        "the clinical prior, conditioned on the observed ones, so every schema key is present.",
    )


class TabularConfig(_Section):
    """Synthetic records: the synthesizers fitted and compared, and the one teachers write from."""

    synthesizers: list[str] = Field(
        default_factory=lambda: ["gaussian_copula", "ctgan", "patectgan", "mst"],
        description="Synthesizers fitted and compared on the cohort (names of "
        "`pathsynth tabular compare`). Empty: teachers write from the cohort itself (no privacy).",
    )
    epsilon: float | None = Field(
        3.0,
        description="Differential-privacy budget ε for the DP synthesizers (patectgan, mst, "
        "aim…), a finite number in (0, 100]; ignored by the others.",
    )
    generate_from: str = Field(
        "mst",
        description="Which synthesizer's records the teachers write from: one of "
        "`synthesizers`, `best` (highest overall accuracy), or `cohort` (the input records).",
    )
    params: dict[str, dict[str, Any]] = Field(
        default_factory=dict,
        description="Hyper-parameters per synthesizer, e.g. `{ctgan: {epochs: 50}}`, checked "
        "against each synthesizer's parameters at load.",
    )
    delta: float | None = Field(
        None, gt=0, lt=1, description="DP δ of the DP synthesizers; default: the library's."
    )
    html: bool = Field(
        False,
        description="Also write mostlyai-qa's HTML quality report per synthesizer (slower).",
    )
    workers: int = Field(
        1,
        ge=1,
        description="Synthesizers fitted at once, each in its own process (same results).",
    )
    score_rows: int | None = Field(
        None,
        ge=50,
        description="Rows sdmetrics' slow privacy metrics look at (a seeded subsample); "
        "default: all.",
    )

    @field_validator("epsilon", mode="before")
    @classmethod
    def _finite_epsilon(cls, value: Any) -> Any:
        from pathsynth.tabular.base import check_epsilon

        try:
            return check_epsilon(value)
        except PathsynthError as exc:
            raise ValueError(str(exc)) from None


class TeacherConfig(_Section):
    """One teacher: a model that writes reports from records."""

    name: str = Field(
        ...,
        pattern=_NAME_PATTERN,
        description="Short unique name, used for file names and to pick teachers elsewhere.",
    )
    spec: str = Field(
        ...,
        description="Model SPEC: `template`, `openai:MODEL@BASE_URL`, `transformers:PATH`, "
        "`llamacpp:PATH.gguf`. Several servers of one model: `openai:MODEL@URL1,URL2` (the "
        "requests are spread over them).",
    )
    n: int | None = Field(
        None, ge=1, description="Reports this teacher writes; default: `teachers.n`."
    )
    use: Literal["train", "eval"] = Field(
        "train",
        description="`train`: its kept reports may train students and serve as few-shot "
        "examples. `eval`: held out, written from other records, only to evaluate.",
    )
    seed: int | None = Field(
        None, description="Generation seed; default: the run's seed plus the teacher's rank."
    )
    prompt_pack: Path | None = Field(
        None, description="Prompt pack folder; default: the built-in pack of the language."
    )
    judge: str | None = Field(
        None,
        description="Filter judge of this teacher's reports (`spans`, `rules`, a student DIR, "
        "a model SPEC); default: `filter.judge`.",
    )
    options: GenerationOptions = Field(
        default_factory=lambda: GenerationOptions.model_validate({}),
        description="Options of report generation: `concurrency` (requests in flight), "
        "`temperature`, `max_tokens`, `teacher_options` (backend options, checked against the "
        "backend's options model at load).",
    )


class TeachersConfig(_Section):
    """Report generation by several teachers."""

    lang: Literal["fr", "en"] = Field("fr", description="Language of the reports.")
    n: int = Field(
        500, ge=1, description="Reports per teacher (see `per_teacher`) unless a teacher sets `n`."
    )
    per_teacher: bool = Field(
        True,
        description="True: every training teacher writes a report for the same records (the "
        "study's design). False: the records are split between the training teachers.",
    )
    teachers: list[TeacherConfig] = Field(
        default_factory=lambda: [
            TeacherConfig.model_validate({"name": "template", "spec": "template"})
        ],
        description="The teachers, in order.",
    )


class FilterConfig(_Section):
    """Filtering: keep faithful, varied and private reports."""

    enabled: bool = Field(True, description="False: every generated report is kept.")
    judge: str = Field(
        "auto",
        description="Faithfulness judge: `auto` (a teacher's spans read back by the schema's "
        "value readers when it gives spans, as the template teacher does, else `rules`), "
        "`spans`, `rules` (the rules extractor), a student DIR or a model SPEC. A teacher's "
        "own `judge` overrides it.",
    )
    real_reports: Path | None = Field(
        None,
        description="Real reports (JSONL or CSV id,text) the synthetic ones must not copy: "
        "n-gram overlap is checked against them and reported in the privacy summary.",
    )
    options: dict[str, Any] = Field(
        default_factory=dict,
        description="Extra options of the filter (fields of `FilterConfig`: thresholds...).",
    )


class StudentConfig(_Section):
    """One student: an extraction model trained on kept synthetic reports."""

    name: str = Field(..., pattern=_NAME_PATTERN, description="Short unique name (a column).")
    kind: Literal["fast", "lora"] = Field(
        "fast", description="`fast` (CPU model) or `lora` (LoRA fine-tuned LLM)."
    )
    teachers: list[str] | None = Field(
        None,
        description="Data mix: the training teachers whose kept reports train this student; "
        "default: all training teachers.",
    )
    max_reports: int | None = Field(
        None, ge=1, description="Cap on training reports (drawn with the run's seed)."
    )
    base_model: str | None = Field(
        None, description="Base model PATH or hub name of a `lora` student."
    )
    options: dict[str, Any] = Field(
        default_factory=dict,
        description="Options of training: fields of the kind's options model (`FastConfig`, "
        "`LoraStudentConfig`: epochs, learning rate, batch size...), checked at load.",
    )
    processes: int = Field(
        1,
        ge=1,
        description="GPUs to train on: above 1, training runs as `pathsynth student train` "
        "under `accelerate launch --num_processes N` (data-parallel).",
    )


class BaselineConfig(_Section):
    """An extraction system compared with the students without training: rules or a prompted LLM."""

    name: str = Field(..., pattern=_NAME_PATTERN, description="Short unique name (a column).")
    spec: str = Field(
        ..., description="`rules`, or a model SPEC prompted to extract (0-shot or k-shot)."
    )
    shots: int = Field(
        0, ge=0, description="Worked examples in the prompt, drawn from kept training reports."
    )
    options: dict[str, Any] = Field(
        default_factory=dict, description="Extra keyword options of the extractor."
    )


class EvalSetConfig(_Section):
    """A set of annotated reports the systems are scored on."""

    name: str = Field(..., pattern=_NAME_PATTERN, description="Short unique name.")
    reports: Path | None = Field(
        None,
        description="Real annotated reports: JSONL or CSV (id,text). Use with `gold`.",
    )
    gold: Path | None = Field(
        None,
        description="Gold values of `reports`: JSONL {id, values}; or omit when the reports "
        "JSONL carries `values` or `record`.",
    )
    teacher: str | None = Field(
        None,
        description="Instead of real reports: the name of a teacher with `use: eval`; its "
        "reports are scored against the records they were written from.",
    )
    filtered: bool = Field(
        False,
        description="With `teacher`: score on that teacher's kept reports only. Kept reports "
        "are faithful, but chosen by the filter's judge: the judge itself (e.g. `rules`) then "
        "scores too well on them. Leave false for a template teacher (faithful by construction).",
    )
    lang: Literal["fr", "en"] | None = Field(
        None, description="Language of the reports; default: `teachers.lang`."
    )

    @model_validator(mode="after")
    def _one_source(self) -> EvalSetConfig:
        if (self.reports is None) == (self.teacher is None):
            raise ValueError(f"evaluation set {self.name!r}: give either `reports` or `teacher`")
        if self.gold is not None and self.reports is None:
            raise ValueError(f"evaluation set {self.name!r}: `gold` needs `reports`")
        return self


class PipelineConfig(_Section):
    """The whole experiment: records → synthetic records → reports → filter → students → scores."""

    seed: int = Field(0, description="Seed of every random step.")
    output: Path = Field(
        Path("pathsynth-run"),
        description="Artifacts folder of the run (relative to the config file's folder).",
    )
    schema_name: str = Field(
        "breast13",
        alias="schema",
        description="Built-in schema name or path of a schema YAML file.",
    )
    cohort: CohortConfig = Field(
        default_factory=lambda: CohortConfig.model_validate({}), description="Input records."
    )
    tabular: TabularConfig = Field(
        default_factory=lambda: TabularConfig.model_validate({}), description="Synthetic records."
    )
    teachers: TeachersConfig = Field(
        default_factory=lambda: TeachersConfig.model_validate({}), description="Report generation."
    )
    filter: FilterConfig = Field(
        default_factory=lambda: FilterConfig.model_validate({}), description="Report filtering."
    )
    students: list[StudentConfig] = Field(
        default_factory=lambda: [StudentConfig.model_validate({"name": "fast", "kind": "fast"})],
        description="Students trained on kept reports.",
    )
    baselines: list[BaselineConfig] = Field(
        default_factory=lambda: [BaselineConfig.model_validate({"name": "rules", "spec": "rules"})],
        description="Systems compared with the students (rules, 0-shot, k-shot).",
    )
    evaluation: list[EvalSetConfig] = Field(
        default_factory=list,
        description="Evaluation sets; at least one (real annotated reports, or a held-out "
        "`use: eval` teacher).",
    )

    model_config = ConfigDict(extra="forbid", populate_by_name=True)

    @model_validator(mode="after")
    def _cross_check(self) -> PipelineConfig:
        teachers = {t.name: t for t in self.teachers.teachers}
        _unique("teacher", [t.name for t in self.teachers.teachers])
        _unique("system", [s.name for s in self.students] + [b.name for b in self.baselines])
        _unique("evaluation set", [e.name for e in self.evaluation])
        train = [t.name for t in self.teachers.teachers if t.use == "train"]
        for s in self.students:
            for name in s.teachers or []:
                if name not in teachers:
                    raise ValueError(f"student {s.name!r}: unknown teacher {name!r}")
                if teachers[name].use != "train":
                    raise ValueError(
                        f"student {s.name!r}: teacher {name!r} is held out (use: eval) and "
                        "cannot train a student"
                    )
        if self.students and not train:
            raise ValueError("students need at least one teacher with `use: train`")
        if not self.evaluation:
            raise ValueError(
                "`evaluation` is empty: give real annotated reports or a held-out teacher"
            )
        for e in self.evaluation:
            if e.teacher is not None:
                if e.teacher not in teachers:
                    raise ValueError(f"evaluation set {e.name!r}: unknown teacher {e.teacher!r}")
                if teachers[e.teacher].use != "eval":
                    raise ValueError(
                        f"evaluation set {e.name!r}: teacher {e.teacher!r} trains students; "
                        "mark it `use: eval` so its reports stay unseen"
                    )
        gen = self.tabular.generate_from
        if gen not in {"best", "cohort", *self.tabular.synthesizers}:
            raise ValueError(
                f"tabular.generate_from={gen!r}: give one of the synthesizers, 'best' or 'cohort'"
            )
        return self

    def teacher(self, name: str) -> TeacherConfig:
        """The teacher called ``name``."""
        for t in self.teachers.teachers:
            if t.name == name:
                return t
        raise KeyError(name)

    @property
    def training_teachers(self) -> list[TeacherConfig]:
        """Teachers whose kept reports may train students."""
        return [t for t in self.teachers.teachers if t.use == "train"]


def _unique(what: str, names: list[str]) -> None:
    dup = sorted({n for n in names if names.count(n) > 1})
    if dup:
        raise ValueError(f"duplicate {what} name {dup[0]!r}")


def _location(loc: tuple[int | str, ...]) -> str:
    parts: list[str] = []
    for p in loc:
        if isinstance(p, int):
            parts.append(f"[{p}]")
        else:
            parts.append(("." if parts else "") + str(p))
    return "".join(parts)


def _one_line(exc: ValidationError, source: str) -> PathsynthError:
    """The first problem of a validation error, on one line, naming the key."""
    err = exc.errors()[0]
    where = _location(tuple(err["loc"]))
    if err["type"] == "extra_forbidden":
        return PathsynthError(f"{source}: unknown key {where!r}")
    msg = err["msg"].removeprefix("Value error, ")
    more = f" (and {len(exc.errors()) - 1} more problems)" if len(exc.errors()) > 1 else ""
    return PathsynthError(f"{source}: {where + ': ' if where else ''}{msg}{more}")


def _resolve(cfg: PipelineConfig, base: Path) -> PipelineConfig:
    """Paths of the config made absolute, relative to ``base`` (the config file's folder)."""

    def fix(p: Path | None) -> Path | None:
        return None if p is None or p.is_absolute() else (base / p).resolve()

    cfg = cfg.model_copy(deep=True)
    cfg.output = fix(cfg.output) or cfg.output
    cfg.cohort.path = fix(cfg.cohort.path) or cfg.cohort.path
    cfg.filter.real_reports = fix(cfg.filter.real_reports) or cfg.filter.real_reports
    for t in cfg.teachers.teachers:
        t.prompt_pack = fix(t.prompt_pack) or t.prompt_pack
    for e in cfg.evaluation:
        e.reports = fix(e.reports) or e.reports
        e.gold = fix(e.gold) or e.gold
    schema_path = Path(cfg.schema_name)
    if schema_path.suffix in {".yaml", ".yml"} and not schema_path.is_absolute():
        cfg.schema_name = str((base / schema_path).resolve())
    return cfg


def check_components(cfg: PipelineConfig) -> None:
    """Check every component's options against the component's own options model, before any
    stage runs: teacher specs and backend options, synthesizer names and parameters, filter
    options, student options, baseline options. The first problem is a one-line error."""
    from pathsynth._options import validate_options
    from pathsynth.llm.registry import backend_config, parse_spec

    for i, t in enumerate(cfg.teachers.teachers):
        where = f"teachers.teachers[{i}] ({t.name})"
        try:
            backend_config(t.spec, t.options.teacher_options)
        except PathsynthError as exc:
            raise PathsynthError(f"{where}: {exc}") from None
    try:
        from pathsynth.tabular.registry import SYNTHESIZERS
    except ImportError:  # the tabular extra is absent: the tabular stage says so itself
        SYNTHESIZERS = {}
    if SYNTHESIZERS:
        for name in [*cfg.tabular.synthesizers, *cfg.tabular.params]:
            if name not in SYNTHESIZERS:
                raise PathsynthError(
                    f"tabular: unknown synthesizer {name!r} (choose from {', '.join(SYNTHESIZERS)})"
                )
        for name, params in cfg.tabular.params.items():
            validate_options(SYNTHESIZERS[name].params_class, params, f"tabular.params.{name}")
    from pathsynth.reports.filter import FilterConfig as ReportFilter

    for reserved in ("judge", "seed"):
        if reserved in cfg.filter.options:
            raise PathsynthError(f"filter.options: {reserved!r} is set by the config, not here")
    validate_options(ReportFilter, cfg.filter.options, "filter.options")
    from pathsynth.extraction import student_options_model

    for i, st in enumerate(cfg.students):
        if "seed" in st.options:
            raise PathsynthError(f"students[{i}] ({st.name}).options: the seed is the run's `seed`")
        validate_options(
            student_options_model(st.kind), st.options, f"students[{i}] ({st.name}).options"
        )
    for i, b in enumerate(cfg.baselines):
        where = f"baselines[{i}] ({b.name})"
        if b.spec.strip() == "rules":
            if b.options:
                raise PathsynthError(f"{where}: the rules extractor takes no options")
        elif b.spec.strip().startswith(("openai:", "transformers:", "llamacpp:")):
            try:
                backend_config(parse_spec(b.spec), b.options)
            except PathsynthError as exc:
                raise PathsynthError(f"{where}: {exc}") from None


def parse_config(data: Any, *, source: str = "config", base: Path | None = None) -> PipelineConfig:
    """Validate a config mapping (its sections and every component's options); relative paths
    are resolved against ``base`` when given."""
    if data is None:
        data = {}
    if not isinstance(data, dict):
        raise PathsynthError(f"{source}: the config must be a mapping of sections")
    try:
        cfg = PipelineConfig.model_validate(data)
    except ValidationError as exc:
        raise _one_line(exc, source) from None
    try:
        check_components(cfg)
    except PathsynthError as exc:
        raise PathsynthError(f"{source}: {exc}") from None
    return _resolve(cfg, base) if base is not None else cfg


def load_config(path: str | Path, **overrides: Any) -> PipelineConfig:
    """Read and validate a config YAML file; ``overrides`` replace top-level keys. YAML aliases
    may not expand past a small bound (see :func:`pathsynth._io.load_yaml`)."""
    from pathsynth._io import load_yaml

    p = Path(path)
    if p.is_dir():
        raise PathsynthError(f"{p} is a folder: give the config YAML file")
    if not p.is_file():
        raise PathsynthError(f"config file not found: {p}")
    try:
        text = p.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError:
        raise PathsynthError(f"{p} is not UTF-8: re-save it as UTF-8") from None
    data = load_yaml(text, str(p))
    if isinstance(data, dict):
        data.update({k: v for k, v in overrides.items() if v is not None})
    return parse_config(data, source=str(p), base=p.resolve().parent)


def dump_config(cfg: PipelineConfig) -> str:
    """The config as YAML (every option, defaults included), as copied into the run folder."""
    data = cfg.model_dump(mode="json", by_alias=True)
    # The copy is kept and shown in the report: no key or password of a server URL in it.
    return redact(yaml.safe_dump(data, sort_keys=False, allow_unicode=True))


def _type_name(annotation: Any) -> str:
    text = str(annotation)
    for prefix in (
        "typing.",
        "pathlib.",
        "pathsynth.pipeline.config.",
        "pathsynth.reports.generate.",
    ):
        text = text.replace(prefix, "")
    # A pipe would split the markdown table cell.
    return text.replace("<class '", "").replace("'>", "").replace(" | ", " or ")


def config_reference() -> str:
    """Markdown reference of every option, generated from the models' field descriptions."""
    sections: list[tuple[str, type[BaseModel]]] = [
        ("(top level)", PipelineConfig),
        ("cohort", CohortConfig),
        ("tabular", TabularConfig),
        ("teachers", TeachersConfig),
        ("teachers.teachers[]", TeacherConfig),
        ("teachers.teachers[].options", GenerationOptions),
        ("filter", FilterConfig),
        ("students[]", StudentConfig),
        ("baselines[]", BaselineConfig),
        ("evaluation[]", EvalSetConfig),
    ]
    out: list[str] = []
    for title, model in sections:
        out += [f"### `{title}`", "", (model.__doc__ or "").strip(), ""]
        out += ["| key | type | default | meaning |", "|---|---|---|---|"]
        for name, field in model.model_fields.items():
            key = field.alias or name
            if field.is_required():
                default = "required"
            elif field.default_factory is not None:
                made = field.default_factory()  # type: ignore[call-arg]
                default = (
                    "see section"
                    if isinstance(made, BaseModel)
                    or (isinstance(made, list) and made and isinstance(made[0], BaseModel))
                    else f"`{made}`"
                )
            else:
                default = f"`{field.default}`"
            desc = (field.description or "").replace("|", "\\|")
            out.append(f"| `{key}` | {_type_name(field.annotation)} | {default} | {desc} |")
        out.append("")
    return "\n".join(out)


__all__ = [
    "BaselineConfig",
    "CohortConfig",
    "EvalSetConfig",
    "FilterConfig",
    "PipelineConfig",
    "StudentConfig",
    "TabularConfig",
    "TeacherConfig",
    "TeachersConfig",
    "check_components",
    "config_reference",
    "dump_config",
    "load_config",
    "parse_config",
]
