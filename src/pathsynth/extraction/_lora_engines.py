"""The LoRA student's inference engines: each answers prompts with constrained decoding, so
every answer is a valid record of the answer format."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from pathsynth.extraction._answer import answer_gbnf
from pathsynth.schema import Schema

if TYPE_CHECKING:
    from pathsynth.extraction.lora import LoraStudentConfig


class LlamaCppEngine:
    """Answers with llama.cpp: the GGUF base, the adapter in GGUF, the answer grammar."""

    def __init__(self, gguf: Path, adapter: Path, schema: Schema, config: LoraStudentConfig):
        from pathsynth.llm.llamacpp import LlamaCppConfig, LlamaCppGenerator

        # The window, the prompt's markers and the longest answer the grammar allows.
        n_ctx = config.report_tokens + config.answer_tokens + 320
        self.generator = LlamaCppGenerator(
            str(gguf),
            LlamaCppConfig(n_ctx=n_ctx, n_threads=config.threads, chat=False, lora=str(adapter)),
        )
        self.grammar = answer_gbnf(schema)
        self.max_tokens = config.answer_tokens + 128
        self.seed = config.seed
        self.name = "llamacpp"

    def answer(self, prompts: list[str]) -> list[str]:
        return [
            self.generator.complete(
                p, grammar=self.grammar, max_tokens=self.max_tokens, seed=self.seed
            )
            for p in prompts
        ]

    def close(self) -> None:
        import asyncio

        asyncio.run(self.generator.aclose())


class TransformersEngine:
    """Answers with transformers: base + merged adapter, logits constrained to the format."""

    def __init__(
        self,
        base: Path,
        adapter: Path,
        tokenizer: Any,
        schema: Schema,
        config: LoraStudentConfig,
        *,
        device: str,
        batch_size: int,
    ) -> None:
        import torch
        from peft import PeftModel
        from transformers import AutoModelForCausalLM

        from pathsynth.extraction._constrained import AnswerConstraint, answer_char_limit

        dtype = torch.bfloat16 if device.startswith("cuda") else torch.float32
        model: Any = AutoModelForCausalLM.from_pretrained(
            str(base), local_files_only=True, dtype=dtype
        )
        model = PeftModel.from_pretrained(model, str(adapter))
        self.model = model.merge_and_unload().to(device)  # merged weights: plain-model speed
        self.model.eval()
        self.tokenizer = tokenizer
        self.device = device
        self.batch_size = batch_size
        self.constraint = AnswerConstraint(schema, tokenizer)
        # Worst case one character per token, so a constrained answer always completes.
        self.max_new = max(config.answer_tokens, answer_char_limit(schema) + 2)
        self.name = "transformers"

    def answer(self, prompts: list[str]) -> list[str]:
        import torch
        from transformers import LogitsProcessorList

        from pathsynth.extraction._constrained import ConstrainedLogits

        out: list[str] = []
        for start in range(0, len(prompts), self.batch_size):
            batch = prompts[start : start + self.batch_size]
            enc = self.tokenizer(batch, return_tensors="pt", padding=True).to(self.device)
            width = enc["input_ids"].shape[1]
            processor = ConstrainedLogits(self.constraint, width, len(batch))
            with torch.inference_mode():
                gen = self.model.generate(
                    **enc,
                    max_new_tokens=self.max_new,
                    do_sample=False,
                    logits_processor=LogitsProcessorList([processor]),
                    pad_token_id=self.tokenizer.pad_token_id,
                    eos_token_id=self.tokenizer.eos_token_id,
                )
            for row in gen[:, width:]:
                out.append(self.tokenizer.decode(row, skip_special_tokens=True))
        return out

    def close(self) -> None:
        return None
