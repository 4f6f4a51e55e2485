"""The ``lora`` student: a causal LM fine-tuned with LoRA to answer a report with the JSON of the
schema's values (transformers + peft + trl ``SFTTrainer``).

Training pairs are prompt / completion records, so the loss covers the answer tokens only.
Several training files can be mixed (e.g. two teachers' kept reports plus a few real annotated
reports). The output directory holds the adapter, the tokenizer and a manifest naming the base
model, so :meth:`LoraStudent.load` rebuilds the same model offline. Inference is batched (left
padding, greedy); answers are parsed, repaired and validated against the schema, and an
unreadable answer is generated again once with sampling (parse-repair-retry: transformers has
no JSON-schema constrained decoding of its own).
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from pathsynth.errors import MissingExtraError, PathsynthError
from pathsynth.extraction._answer import answer_text, parse_answer
from pathsynth.extraction._manifest import read_manifest, write_manifest
from pathsynth.extraction._text import TrainingExample
from pathsynth.extraction.base import Extraction
from pathsynth.schema import Lang, Schema, load_schema

LORA_VERSION = 1
PROMPT = "Extract the breast pathology values as JSON ({keys}).\n### Report\n{text}\n### JSON\n"


@dataclass
class LoraStudentConfig:
    """Options of LoRA fine-tuning (the CLI exposes the main ones)."""

    seed: int = 0
    epochs: float = 1.0
    """Passes over the training pairs."""
    learning_rate: float = 2e-4
    batch_size: int = 4
    grad_accum: int = 1
    max_length: int = 1024
    """Prompt + answer tokens; long reports are cut so the answer always fits."""
    answer_tokens: int = 192
    """Room kept for the answer when a report is cut, and the generation limit."""
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


def _require() -> None:
    try:
        import peft  # noqa: F401
        import torch  # noqa: F401
        import transformers  # noqa: F401
        import trl  # noqa: F401
    except ImportError as exc:
        raise MissingExtraError(exc.name or "transformers", "train") from None


def build_prompt(text: str, schema: Schema) -> str:
    """The training / inference prompt for one report."""
    return PROMPT.format(keys=", ".join(schema.keys), text=text.strip())


def _cut(text: str, tokenizer: Any, max_tokens: int) -> str:
    """``text`` cut to about ``max_tokens`` tokens, on a character boundary of a token."""
    enc = tokenizer(text, add_special_tokens=False, return_offsets_mapping=True)
    offsets = enc["offset_mapping"]
    if len(offsets) <= max_tokens:
        return text
    return text[: offsets[max_tokens - 1][1]]


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
    """Fine-tune ``base_model`` (a local directory) with LoRA on report → JSON pairs; write the
    adapter, tokenizer and ``manifest.json`` into ``out_dir``."""
    _require()
    import torch
    from datasets import Dataset
    from peft import LoraConfig
    from transformers import AutoModelForCausalLM, AutoTokenizer, TrainerCallback
    from trl import SFTConfig, SFTTrainer

    schema = schema or load_schema("breast13")
    config = config or LoraStudentConfig()
    base = Path(base_model)
    if not (base / "config.json").is_file():
        raise PathsynthError(f"--base-model {base}: not a local model directory (no config.json)")
    if not examples:
        raise PathsynthError("no training report")
    out = Path(out_dir)
    t0 = time.perf_counter()
    random.seed(config.seed)
    torch.manual_seed(config.seed)
    tokenizer = AutoTokenizer.from_pretrained(str(base), local_files_only=True)
    if tokenizer.pad_token is None:
        tokenizer.pad_token = tokenizer.eos_token
    room = max(16, config.max_length - config.answer_tokens - 48)
    rows = [
        {
            "prompt": build_prompt(_cut(ex.text, tokenizer, room), schema),
            "completion": answer_text(ex.values, schema),
        }
        for ex in examples
    ]
    dataset = Dataset.from_list(rows).shuffle(seed=config.seed)
    dtype = torch.bfloat16 if config.bf16 else torch.float32
    model = AutoModelForCausalLM.from_pretrained(str(base), local_files_only=True, dtype=dtype)
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
    )
    callbacks: list[Any] = []
    if progress is not None:
        report = progress

        class _Progress(TrainerCallback):
            def on_step_end(self, args: Any, state: Any, control: Any, **kw: Any) -> None:
                if state.max_steps:
                    report("train", state.global_step / state.max_steps)

        callbacks.append(_Progress())
    trainer = SFTTrainer(
        model=model,
        args=args,
        train_dataset=dataset,
        processing_class=tokenizer,
        peft_config=peft_config,
        callbacks=callbacks,
    )
    result = trainer.train()
    out.mkdir(parents=True, exist_ok=True)
    adapter = out / "adapter"
    trained: Any = trainer.model
    trained.save_pretrained(str(adapter))
    tokenizer.save_pretrained(str(adapter))
    import shutil

    shutil.rmtree(out / "checkpoints", ignore_errors=True)
    manifest = {
        "kind": "lora",
        "version": LORA_VERSION,
        "schema": schema.model_dump(mode="json"),
        "base_model": str(base.resolve()),
        "config": asdict(config),
        "n_train": len(examples),
        "train_seconds": round(time.perf_counter() - t0, 2),
        "train_steps": int(result.global_step),
        "train_loss": float(result.training_loss),
        **(manifest_extra or {}),
    }
    write_manifest(out, manifest)
    return out


class LoraStudent:
    """A LoRA-adapted causal LM answering the schema's JSON (an :class:`Extractor`)."""

    name = "lora"

    def __init__(
        self,
        model: Any,
        tokenizer: Any,
        schema: Schema,
        config: LoraStudentConfig,
        *,
        batch_size: int = 8,
        device: str = "cpu",
    ) -> None:
        self.model = model
        self.tokenizer = tokenizer
        self.schema = schema
        self.config = config
        self.batch_size = batch_size
        self.device = device
        #: answers that were not valid JSON as written, and retries made (last run)
        self.stats = {"invalid_json": 0, "retries": 0}

    @classmethod
    def load(
        cls,
        model_dir: str | Path,
        *,
        base_model: str | Path | None = None,
        batch_size: int = 8,
        device: str = "auto",
    ) -> LoraStudent:
        """Load a student saved by :func:`train_lora` (the base model must be at the path its
        manifest names, or given as ``base_model``)."""
        _require()
        import torch
        from peft import PeftModel
        from transformers import AutoModelForCausalLM, AutoTokenizer

        d = Path(model_dir)
        manifest = read_manifest(d, "lora", LORA_VERSION)
        base = Path(base_model or manifest["base_model"])
        if not (base / "config.json").is_file():
            raise PathsynthError(
                f"{d}: its base model {base} is missing: give the base model's directory"
            )
        if device == "auto":
            device = "cuda" if torch.cuda.is_available() else "cpu"
        config = LoraStudentConfig(**manifest.get("config", {}))
        dtype = torch.bfloat16 if device.startswith("cuda") else torch.float32
        tokenizer = AutoTokenizer.from_pretrained(str(d / "adapter"), local_files_only=True)
        tokenizer.padding_side = "left"
        if tokenizer.pad_token is None:
            tokenizer.pad_token = tokenizer.eos_token
        model: Any = AutoModelForCausalLM.from_pretrained(
            str(base), local_files_only=True, dtype=dtype
        )
        model = PeftModel.from_pretrained(model, str(d / "adapter"))
        model = model.merge_and_unload().to(device)  # merged weights: plain-model speed
        model.eval()
        schema = Schema.model_validate(manifest["schema"])
        return cls(model, tokenizer, schema, config, batch_size=batch_size, device=device)

    def _generate(self, prompts: list[str], *, sample: bool, seed: int) -> list[str]:
        import torch

        enc = self.tokenizer(
            prompts, return_tensors="pt", padding=True, add_special_tokens=False
        ).to(self.device)
        torch.manual_seed(seed)
        kwargs: dict[str, Any] = {
            "max_new_tokens": self.config.answer_tokens,
            "do_sample": sample,
            "pad_token_id": self.tokenizer.pad_token_id,
            "eos_token_id": self.tokenizer.eos_token_id,
        }
        if sample:
            kwargs["temperature"] = 0.7
        with torch.inference_mode():
            out = self.model.generate(**enc, **kwargs)
        new = out[:, enc["input_ids"].shape[1] :]
        return [self.tokenizer.decode(row, skip_special_tokens=True) for row in new]

    def extract(self, texts: Sequence[str], *, lang: Lang | None = None) -> list[Extraction]:
        """Batched greedy answers, parsed and validated; unreadable ones retried once."""
        room = max(16, self.config.max_length - self.config.answer_tokens - 48)
        prompts = [build_prompt(_cut(t, self.tokenizer, room), self.schema) for t in texts]
        results: list[Extraction] = []
        self.stats = {"invalid_json": 0, "retries": 0}
        # Similar lengths batched together waste less padding.
        order = sorted(range(len(prompts)), key=lambda i: len(prompts[i]))
        by_index: dict[int, Extraction] = {}
        for start in range(0, len(order), self.batch_size):
            idx = order[start : start + self.batch_size]
            answers = self._generate([prompts[i] for i in idx], sample=False, seed=self.config.seed)
            retry = []
            for i, ans in zip(idx, answers, strict=True):
                values, valid = parse_answer(ans, self.schema, lang)
                if not valid:
                    self.stats["invalid_json"] += 1
                    if all(v is None for v in values.values()):
                        retry.append(i)
                by_index[i] = Extraction(values)
            if retry:
                self.stats["retries"] += len(retry)
                again = self._generate(
                    [prompts[i] for i in retry], sample=True, seed=self.config.seed + 1
                )
                for i, ans in zip(retry, again, strict=True):
                    values, _ = parse_answer(ans, self.schema, lang)
                    by_index[i] = Extraction(values)
        results = [by_index[i] for i in range(len(prompts))]
        return results
