"""Extraction: extractors behind one protocol (rules, fast student, LoRA student, prompted LLM),
how to load one from a spec, and how to train the students."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Any, Literal

from pathsynth.errors import PathsynthError
from pathsynth.extraction._text import TrainingExample, files_sha256, read_examples
from pathsynth.extraction.base import Extraction, Extractor
from pathsynth.schema import Schema, load_schema

StudentKind = Literal["fast", "lora"]
LLM_PREFIXES = ("openai:", "transformers:", "llamacpp:")


def student_kind(model_dir: str | Path) -> str | None:
    """The ``kind`` in a trained student's manifest, or ``None`` when ``model_dir`` is not one."""
    manifest = Path(model_dir) / "manifest.json"
    if not manifest.is_file():
        return None
    try:
        kind = json.loads(manifest.read_text("utf-8")).get("kind")
    except (OSError, json.JSONDecodeError, AttributeError):
        return None
    return str(kind) if kind else None


def load_extractor(
    spec: str,
    *,
    schema: Schema | None = None,
    shots: int = 0,
    examples: Sequence[TrainingExample] | str | Path | None = None,
    seed: int = 0,
    batch_size: int = 8,
    options: dict[str, Any] | None = None,
) -> Extractor:
    """An extractor from its spec.

    ``rules`` is the pattern extractor; a directory holding a trained student (``manifest.json``
    with kind ``fast`` or ``lora``) loads that student; an LLM spec (``openai:MODEL@URL``,
    ``transformers:PATH``, ``llamacpp:PATH.gguf``) gives a prompted extractor, ``shots`` examples
    per report drawn from ``examples`` (pairs, or the path of a kept/generated reports JSONL).
    """
    schema = schema or load_schema("breast13")
    text = spec.strip()
    if shots and not text.startswith(LLM_PREFIXES):
        raise PathsynthError("--shots applies to LLM specs (openai:, transformers:, llamacpp:)")
    if text == "rules":
        from pathsynth.extraction.rules import RulesExtractor

        return RulesExtractor(schema=schema)
    if text.startswith(LLM_PREFIXES):
        from pathsynth.extraction.prompted import PromptedConfig, PromptedExtractor

        pairs = read_examples([examples], schema) if isinstance(examples, str | Path) else examples
        if shots and not pairs:
            raise PathsynthError(f"--shots {shots} needs --examples (a kept reports JSONL)")
        config = PromptedConfig(shots=shots, seed=seed, concurrency=max(1, batch_size))
        return PromptedExtractor(
            text, schema=schema, config=config, examples=pairs, generator_options=options
        )
    path = Path(text)
    if path.is_dir():
        kind = student_kind(path)
        if kind == "fast":
            from pathsynth.extraction.fast import FastStudent

            return FastStudent.load(path)
        if kind == "lora":
            from pathsynth.extraction.lora import LoraStudent

            return LoraStudent.load(path, batch_size=batch_size, **(options or {}))
        raise PathsynthError(f"{path}: no trained student here (manifest.json with kind fast|lora)")
    raise PathsynthError(
        f"unknown model {spec!r}: give rules, a trained student directory, "
        "openai:MODEL@BASE_URL, transformers:PATH or llamacpp:PATH.gguf"
    )


def train_student(
    data_path: str | Path | Sequence[str | Path],
    kind: StudentKind,
    out_dir: str | Path,
    *,
    schema: Schema | None = None,
    seed: int = 0,
    epochs: float | None = None,
    base_model: str | Path | None = None,
    max_steps: int = -1,
    progress: Callable[[str, float], None] | None = None,
    **options: Any,
) -> dict[str, Any]:
    """Train a student on one or more report JSONL files (mixed in order) and save it in
    ``out_dir``; return its manifest. ``options`` are fields of :class:`FastConfig` or
    :class:`LoraStudentConfig`."""
    if kind not in ("fast", "lora"):
        raise PathsynthError(f"unknown student kind {kind!r}: choose fast or lora")
    schema = schema or load_schema("breast13")
    paths = [data_path] if isinstance(data_path, str | Path) else list(data_path)
    if not paths:
        raise PathsynthError("give at least one --data file")
    examples = read_examples(paths, schema)
    extra = {
        "training_data": [str(p) for p in paths],
        "training_data_sha256": files_sha256(paths),
    }
    out = Path(out_dir)
    if out.exists() and any(out.iterdir()) and student_kind(out) is None:
        raise PathsynthError(f"{out} exists and is not a student directory: choose another --out")
    if kind == "fast":
        from pathsynth.extraction.fast import FastConfig, train_fast

        if base_model:
            raise PathsynthError("--base-model is for --kind lora")
        cfg = FastConfig(seed=seed, **options)
        if epochs is not None:
            cfg.epochs = max(1, int(epochs))
        model = train_fast(examples, schema, cfg, progress=progress)
        model.save(out, manifest_extra=extra)
    else:
        from pathsynth.extraction.lora import LoraStudentConfig, train_lora

        if not base_model:
            raise PathsynthError(
                "--kind lora needs --base-model (gemma3-270m, a .gguf file or a local causal LM)"
            )
        lcfg = LoraStudentConfig.from_options(seed=seed, max_steps=max_steps, **options)
        if epochs is not None:
            lcfg.epochs = float(epochs)
        train_lora(
            examples,
            base_model,
            out,
            schema=schema,
            config=lcfg,
            manifest_extra=extra,
            progress=progress,
        )
    return dict(json.loads((out / "manifest.json").read_text("utf-8")))


def extract_file(
    extractor: Extractor,
    input_path: str | Path,
    out_path: str | Path,
    *,
    batch_size: int = 64,
    lang: Any = None,
    evidence: bool = True,
    progress: Callable[[int, int], None] | None = None,
    workers: int = 1,
) -> int:
    """Run ``extractor`` over a reports file and write prediction lines (atomically); return
    the number written. Each line is ``{"id","values"}`` plus ``"evidence"`` when known.
    ``workers`` > 1 spreads the batches of a CPU extractor (rules, fast) over that many
    processes; the lines keep the input's order."""
    from pathsynth._io import read_reports, write_jsonl

    reports = read_reports(input_path)
    rows: list[dict[str, Any]] = []
    step = max(1, batch_size)
    chunks = [reports[i : i + step] for i in range(0, len(reports), step)]
    for chunk, found in zip(chunks, _extract_chunks(extractor, chunks, lang, workers), strict=True):
        if len(found) != len(chunk):
            raise PathsynthError(f"{extractor.name} returned {len(found)} results for {len(chunk)}")
        for r, ex in zip(chunk, found, strict=True):
            row = ex.to_prediction(r["id"])
            if evidence and ex.evidence:
                row["evidence"] = {k: [list(s) for s in v] for k, v in ex.evidence.items()}
            rows.append(row)
        if progress is not None:
            progress(len(rows), len(reports))
    return write_jsonl(out_path, rows)


_WORKER_EXTRACTOR: Extractor | None = None


def _extract_texts(args: tuple[list[str], Any]) -> list[Extraction]:
    assert _WORKER_EXTRACTOR is not None
    return _WORKER_EXTRACTOR.extract(args[0], lang=args[1])


def _extract_chunks(
    extractor: Extractor, chunks: list[list[dict[str, Any]]], lang: Any, workers: int
) -> Iterator[list[Extraction]]:
    """Each chunk's extractions, in order; in forked worker processes when asked and worth it
    (CPU extractors only: an LLM extractor already works concurrently)."""
    import multiprocessing

    texts = [([r["text"] for r in chunk], lang) for chunk in chunks]
    parallel = (
        workers > 1
        and len(chunks) > 1
        and getattr(extractor, "name", "") in ("rules", "fast")
        and "fork" in multiprocessing.get_all_start_methods()
    )
    if not parallel:
        for item in texts:
            yield extractor.extract(item[0], lang=lang)
        return
    global _WORKER_EXTRACTOR
    _WORKER_EXTRACTOR = extractor  # inherited by the forked workers, never pickled
    try:
        with multiprocessing.get_context("fork").Pool(min(workers, len(chunks))) as pool:
            yield from pool.imap(_extract_texts, texts)
    finally:
        _WORKER_EXTRACTOR = None


__all__ = [
    "Extraction",
    "Extractor",
    "StudentKind",
    "TrainingExample",
    "extract_file",
    "load_extractor",
    "read_examples",
    "student_kind",
    "train_student",
]
