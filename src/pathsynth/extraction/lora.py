"""The ``lora`` student: a causal LM fine-tuned with LoRA to answer a report with the JSON of the
schema's values (transformers + peft + trl ``SFTTrainer``).

The base model is a local transformers checkpoint, a ``.gguf`` file or ``gemma3-270m`` (the
embedded offline model); a GGUF is dequantised once into a checksummed checkpoint in the cache
(:mod:`pathsynth.llm.gguf_checkpoint`). Reports are cut into token windows (long real reports run
to thousands of tokens); each training pair is one window and the values that window states,
known from the teacher's evidence spans, as prompt / completion, so the loss covers the answer
only, and TRL projects to the vocabulary only at those positions. Several training files can be
mixed. The output directory holds the adapter, the tokenizer, a manifest naming the base model
and, for a GGUF base, the adapter converted to GGUF.

Inference answers every window under constrained decoding, so each answer is a valid record:
llama.cpp with the adapter and a grammar when the base came from a GGUF (fast on CPU), else
transformers with a logits processor of the same answer format. The windows' answers are merged
key by key, with evidence spans (:mod:`pathsynth.extraction._chunks`).
"""

from __future__ import annotations

import dataclasses
import random
import resource
import shutil
import time
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any, Literal

from pathsynth.errors import MissingExtraError, PathsynthError
from pathsynth.extraction._answer import answer_text, parse_answer
from pathsynth.extraction._chunks import Window, merge_windows, window_values, windows
from pathsynth.extraction._manifest import read_manifest
from pathsynth.extraction._text import TrainingExample
from pathsynth.extraction.base import Extraction
from pathsynth.schema import Lang, Schema, load_schema

LORA_VERSION = 2
# Short on purpose: on a CPU every prompt token is paid in each training step, and the
# fine-tuned model learns the keys from the answers (decoding forces them anyway).
PROMPT = "### {schema} report\n{text}\n### JSON\n"
_PROMPT_ROOM = 16  # tokens of the prompt around the report window


@dataclass
class LoraStudentConfig:
    """Options of LoRA fine-tuning and of the student's inference (CLI flags and the pipeline
    config's ``students[].options`` both set these fields)."""

    seed: int = 0
    epochs: float = 1.0
    """Passes over the training windows."""
    learning_rate: float = 2e-4
    batch_size: int = 4
    grad_accum: int = 1
    max_length: int = 1024
    """Longest training sequence (prompt + answer tokens)."""
    answer_tokens: int = 192
    """Room kept for the answer in a training sequence."""
    window_tokens: int = 256
    """Report tokens per window, in training and at inference (longer reports are cut)."""
    window_overlap: int = 32
    """Tokens a window repeats from the previous one."""
    r: int = 16
    alpha: int = 32
    dropout: float = 0.05
    target_modules: str = "all-linear"
    """Modules given adapters: ``all-linear`` or a comma-separated list of module names."""
    max_steps: int = -1
    """Stop after this many optimiser steps (-1: run the epochs)."""
    bf16: bool = False
    """bfloat16 training (GPU)."""
    gradient_checkpointing: bool = False
    threads: int | None = None
    """CPU threads of training and inference (default: the libraries' choice)."""
    engine: Literal["auto", "llamacpp", "transformers"] = "auto"
    """Inference: ``llamacpp`` (GGUF base + adapter, grammar), ``transformers`` (constrained
    logits), ``auto``: llama.cpp when the base came from a GGUF and llama.cpp runs here."""

    @classmethod
    def from_options(cls, **options: Any) -> LoraStudentConfig:
        """A config from keyword options; an unknown one is a one-line error."""
        names = {f.name for f in dataclasses.fields(cls)}
        unknown = sorted(set(options) - names)
        if unknown:
            raise PathsynthError(
                f"lora students have no option {unknown[0]!r} (options: {', '.join(sorted(names))})"
            )
        cfg = cls(**{k: v for k, v in options.items() if v is not None})
        if cfg.engine not in ("auto", "llamacpp", "transformers"):
            raise PathsynthError(f"engine={cfg.engine!r}: choose auto, llamacpp or transformers")
        if cfg.window_tokens < 16 or not 0 <= cfg.window_overlap < cfg.window_tokens // 2:
            raise PathsynthError("window_tokens must be >= 16 and window_overlap below half of it")
        return cfg

    @property
    def report_tokens(self) -> int:
        """Report tokens per window, so that a window and its answer fit ``max_length``."""
        return max(16, min(self.window_tokens, self.max_length - self.answer_tokens - _PROMPT_ROOM))


def _require() -> None:
    try:
        import peft  # noqa: F401
        import torch  # noqa: F401
        import transformers  # noqa: F401
        import trl  # noqa: F401
    except ImportError as exc:
        raise MissingExtraError(exc.name or "transformers", "train") from None


def build_prompt(text: str, schema: Schema) -> str:
    """The training / inference prompt for one report window."""
    return PROMPT.format(schema=schema.name, text=text.strip())


def report_windows(text: str, tokenizer: Any, config: LoraStudentConfig) -> list[Window]:
    """The windows a report is read in."""
    enc = tokenizer(text, add_special_tokens=False, return_offsets_mapping=True)
    return windows(text, enc["offset_mapping"], config.report_tokens, config.window_overlap)


def _peak_rss_mib() -> float:
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)


def make_tiny_base_model(
    texts: Sequence[str], out_dir: str | Path, *, seed: int = 0, vocab_size: int = 600
) -> Path:
    """A randomly initialised small Llama-shaped causal LM (~0.2 M parameters) and a byte-level
    BPE tokenizer trained on ``texts``, saved to ``out_dir``: for offline smoke tests and demos
    of the LoRA path, never for real extraction."""
    _require()
    import torch
    from tokenizers import Tokenizer, decoders, models, pre_tokenizers, trainers
    from transformers import LlamaConfig, LlamaForCausalLM, PreTrainedTokenizerFast

    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    tok = Tokenizer(models.BPE(unk_token=None))
    tok.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False)
    tok.decoder = decoders.ByteLevel()
    trainer = trainers.BpeTrainer(
        vocab_size=vocab_size,
        special_tokens=["<pad>", "<s>", "</s>"],
        initial_alphabet=pre_tokenizers.ByteLevel.alphabet(),
        show_progress=False,
    )
    tok.train_from_iterator(list(texts), trainer=trainer)
    fast = PreTrainedTokenizerFast(
        tokenizer_object=tok, bos_token="<s>", eos_token="</s>", pad_token="<pad>"
    )
    fast.save_pretrained(out)
    torch.manual_seed(seed)
    config = LlamaConfig(
        vocab_size=len(fast),
        hidden_size=64,
        intermediate_size=128,
        num_hidden_layers=2,
        num_attention_heads=4,
        num_key_value_heads=2,
        max_position_embeddings=2048,
        bos_token_id=fast.bos_token_id,
        eos_token_id=fast.eos_token_id,
        pad_token_id=fast.pad_token_id,
        tie_word_embeddings=True,
    )
    LlamaForCausalLM(config).save_pretrained(out)
    return out


def training_rows(
    examples: Sequence[TrainingExample], tokenizer: Any, schema: Schema, config: LoraStudentConfig
) -> list[dict[str, str]]:
    """Prompt / completion pairs: one per window of each report, answered with the values that
    window states."""
    rows = []
    for ex in examples:
        parts = report_windows(ex.text, tokenizer, config)
        for win in parts:
            vals = ex.values if len(parts) == 1 else window_values(ex.values, ex.evidence, win)
            rows.append(
                {"prompt": build_prompt(win.text, schema), "completion": answer_text(vals, schema)}
            )
    return rows


def train_lora(
    examples: Sequence[TrainingExample],
    base_model: str | Path,
    out_dir: str | Path,
    *,
    schema: Schema | None = None,
    config: LoraStudentConfig | None = None,
    manifest_extra: dict[str, Any] | None = None,
    progress: Callable[[str, float], None] | None = None,
) -> Path:
    """Fine-tune ``base_model`` (a checkpoint directory, a ``.gguf`` file or ``gemma3-270m``)
    with LoRA on report → JSON pairs; write the adapter, tokenizer and ``manifest.json`` (and
    ``adapter.gguf`` for a GGUF base) into ``out_dir``."""
    _require()
    import torch
    from datasets import Dataset
    from peft import LoraConfig
    from transformers import AutoModelForCausalLM, AutoTokenizer, TrainerCallback
    from trl import SFTConfig, SFTTrainer

    from pathsynth.llm.gguf_checkpoint import adapter_to_gguf, resolve_base_model

    schema = schema or load_schema("breast13")
    config = config or LoraStudentConfig()
    if not examples:
        raise PathsynthError("no training report")
    if progress is not None:
        progress("base model", 0.0)
    base = resolve_base_model(base_model)
    out = Path(out_dir)
    t0 = time.perf_counter()
    random.seed(config.seed)
    torch.manual_seed(config.seed)
    if config.threads:
        torch.set_num_threads(config.threads)
    tokenizer = AutoTokenizer.from_pretrained(str(base.path), local_files_only=True)
    if tokenizer.pad_token is None:
        tokenizer.pad_token = tokenizer.eos_token
    rows = training_rows(examples, tokenizer, schema, config)
    dataset = Dataset.from_list(rows).shuffle(seed=config.seed)
    dtype = torch.bfloat16 if config.bf16 else torch.float32
    model = AutoModelForCausalLM.from_pretrained(str(base.path), local_files_only=True, dtype=dtype)
    targets: str | list[str] = (
        "all-linear"
        if config.target_modules == "all-linear"
        else [m.strip() for m in config.target_modules.split(",") if m.strip()]
    )
    peft_config = LoraConfig(
        r=config.r,
        lora_alpha=config.alpha,
        lora_dropout=config.dropout,
        target_modules=targets,
        task_type="CAUSAL_LM",
    )
    args = SFTConfig(
        output_dir=str(out / "checkpoints"),
        num_train_epochs=config.epochs,
        max_steps=config.max_steps,
        per_device_train_batch_size=config.batch_size,
        gradient_accumulation_steps=config.grad_accum,
        learning_rate=config.learning_rate,
        max_length=config.max_length,
        completion_only_loss=True,
        seed=config.seed,
        data_seed=config.seed,
        bf16=config.bf16,
        gradient_checkpointing=config.gradient_checkpointing,
        logging_steps=10,
        save_strategy="no",
        report_to=[],
        disable_tqdm=True,
        dataloader_num_workers=0,
        use_cpu=not torch.cuda.is_available(),
    )
    tokens = {"train": 0, "answer": 0}

    class _Count(TrainerCallback):
        """Tokens seen (tokens/s in the manifest) and the progress bar."""

        def on_step_end(self, args: Any, state: Any, control: Any, **kw: Any) -> None:
            if progress is not None and state.max_steps:
                progress("train", state.global_step / state.max_steps)

    trainer = SFTTrainer(
        model=model,
        args=args,
        train_dataset=dataset,
        processing_class=tokenizer,
        peft_config=peft_config,
        callbacks=[_Count()],
    )
    tokenized: Any = trainer.train_dataset
    lengths = [len(ids) for ids in tokenized["input_ids"]]
    cols = tokenized.column_names
    answer_lengths = (
        [sum(1 for t in row if t != -100) for row in tokenized["labels"]]
        if "labels" in cols
        else [sum(m) for m in tokenized["completion_mask"]]
    )
    t_train = time.perf_counter()
    result = trainer.train()
    train_seconds = time.perf_counter() - t_train
    steps = int(result.global_step)
    # Sequences trained on x their mean length (the sampler's order is its own).
    seen = steps * config.batch_size * config.grad_accum
    tokens["train"] = round(seen * sum(lengths) / max(1, len(lengths)))
    tokens["answer"] = round(seen * sum(answer_lengths) / max(1, len(answer_lengths)))
    out.mkdir(parents=True, exist_ok=True)
    adapter = out / "adapter"
    trained: Any = trainer.model
    trained.save_pretrained(str(adapter))
    tokenizer.save_pretrained(str(adapter))
    shutil.rmtree(out / "checkpoints", ignore_errors=True)
    adapter_gguf = None
    if base.gguf is not None:
        if progress is not None:
            progress("adapter to GGUF", 1.0)
        adapter_gguf = adapter_to_gguf(adapter, base.gguf, out / "adapter.gguf").name
    manifest = {
        "kind": "lora",
        "version": LORA_VERSION,
        "schema": schema.model_dump(mode="json"),
        "base_model": str(base.path),
        "base_model_name": base.name or str(base_model),
        "base_gguf": str(base.gguf) if base.gguf is not None else None,
        "adapter_gguf": adapter_gguf,
        "config": asdict(config),
        "n_train": len(examples),
        "n_windows": len(rows),
        "train_seconds": round(time.perf_counter() - t0, 2),
        "train_loop_seconds": round(train_seconds, 2),
        "train_steps": steps,
        "train_loss": float(result.training_loss),
        "train_tokens": tokens["train"],
        "train_answer_tokens": tokens["answer"],
        "train_tokens_per_s": round(tokens["train"] / max(train_seconds, 1e-9), 1),
        "peak_rss_mib": _peak_rss_mib(),
        **(manifest_extra or {}),
    }
    from pathsynth._io import write_json

    write_json(out / "manifest.json", manifest)
    return out


class LoraStudent:
    """A LoRA-adapted causal LM answering the schema's JSON (an :class:`Extractor`)."""

    name = "lora"

    def __init__(
        self, engine: Any, tokenizer: Any, schema: Schema, config: LoraStudentConfig
    ) -> None:
        self.engine = engine
        self.tokenizer = tokenizer
        self.schema = schema
        self.config = config
        #: windows read, answers that did not parse as written (last run)
        self.stats = {"windows": 0, "invalid_json": 0}

    @classmethod
    def load(
        cls,
        model_dir: str | Path,
        *,
        base_model: str | Path | None = None,
        batch_size: int = 8,
        device: str = "auto",
        engine: str | None = None,
        threads: int | None = None,
    ) -> LoraStudent:
        """Load a student saved by :func:`train_lora` (the base model must be where its
        manifest says, or given as ``base_model``); ``engine`` and ``threads`` override the
        trained config's."""
        _require()
        import torch
        from transformers import AutoTokenizer

        from pathsynth.extraction._lora_engines import LlamaCppEngine, TransformersEngine
        from pathsynth.llm.gguf_checkpoint import resolve_base_model

        d = Path(model_dir)
        manifest = read_manifest(d, "lora", LORA_VERSION)
        options = dict(manifest.get("config", {}))
        if engine is not None:
            options["engine"] = engine
        if threads is not None:
            options["threads"] = threads
        config = LoraStudentConfig.from_options(**options)
        schema = Schema.model_validate(manifest["schema"])
        tokenizer = AutoTokenizer.from_pretrained(str(d / "adapter"), local_files_only=True)
        tokenizer.padding_side = "left"
        if tokenizer.pad_token is None:
            tokenizer.pad_token = tokenizer.eos_token
        if config.threads:
            torch.set_num_threads(config.threads)
        gguf = Path(manifest["base_gguf"]) if manifest.get("base_gguf") else None
        adapter_gguf = d / manifest["adapter_gguf"] if manifest.get("adapter_gguf") else None
        name = str(base_model or manifest.get("base_model_name") or manifest["base_model"])
        if gguf is not None and not gguf.is_file():
            gguf = resolve_base_model(name).gguf  # the cache moved: assemble it again
        use_llamacpp = config.engine != "transformers" and gguf is not None and adapter_gguf
        if config.engine == "llamacpp" and not use_llamacpp:
            raise PathsynthError(f"{d}: engine llamacpp needs a GGUF base model and adapter.gguf")
        if use_llamacpp:
            assert gguf is not None and adapter_gguf is not None
            from pathsynth.llm._native import NativeBackendError

            try:
                return cls(
                    LlamaCppEngine(gguf, adapter_gguf, schema, config), tokenizer, schema, config
                )
            except (MissingExtraError, NativeBackendError):
                if config.engine == "llamacpp":
                    raise
        base = Path(manifest["base_model"])
        if base_model is not None or not (base / "config.json").is_file():
            try:
                base = resolve_base_model(name).path
            except PathsynthError:
                raise PathsynthError(
                    f"{d}: its base model {name} is missing: give the base model's directory"
                ) from None
        if device == "auto":
            device = "cuda" if torch.cuda.is_available() else "cpu"
        hf = TransformersEngine(
            base, d / "adapter", tokenizer, schema, config, device=device, batch_size=batch_size
        )
        return cls(hf, tokenizer, schema, config)

    def extract(self, texts: Sequence[str], *, lang: Lang | None = None) -> list[Extraction]:
        """Each report read window by window under constrained decoding; the windows' answers
        merged key by key, with evidence spans."""
        parts = [report_windows(t, self.tokenizer, self.config) for t in texts]
        prompts = [build_prompt(w.text, self.schema) for ws in parts for w in ws]
        answers = self.engine.answer(prompts)
        self.stats["windows"] += len(prompts)
        results: list[Extraction] = []
        pos = 0
        for ws in parts:
            values = []
            for ans in answers[pos : pos + len(ws)]:
                vals, valid = parse_answer(ans, self.schema, lang)
                self.stats["invalid_json"] += 0 if valid else 1
                values.append(vals)
            pos += len(ws)
            results.append(merge_windows(self.schema, values, ws))
        return results

    def close(self) -> None:
        """Free the inference engine."""
        self.engine.close()
