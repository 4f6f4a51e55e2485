"""``transformers:PATH``: a local Hugging Face causal LM, batched, on CPU or GPU.

Concurrent requests are gathered into batches (left-padded) and generated in one worker
thread, so the event loop keeps writing results while the model runs. Nothing is downloaded:
PATH must be a local model directory.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import contextlib
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from pathsynth.errors import MissingExtraError, PathsynthError
from pathsynth.llm._common import GenerationError, messages_to_prompt
from pathsynth.llm.base import Generation, GenerationRequest

_MIN_NEW_TOKENS = 16


@dataclass(frozen=True)
class TransformersConfig:
    """Options of a local Hugging Face teacher."""

    batch_size: int = 8
    """Requests generated together."""
    device: str = "auto"
    """``auto`` (CUDA when available, else CPU), ``cpu``, ``cuda``, ``cuda:1``..."""
    dtype: Literal["auto", "float32", "bfloat16", "float16"] = "auto"
    """``auto``: bfloat16 on GPU, float32 on CPU."""
    batch_wait: float = 0.02
    """Seconds to wait for more requests before running a partial batch."""
    chat_template: bool = True
    """Use the tokenizer's chat template when it has one (else messages are joined)."""


class TransformersGenerator:
    """A local causal LM answering batches of requests."""

    def __init__(self, path: str | Path, config: TransformersConfig | None = None) -> None:
        try:
            import torch
            import transformers
        except ImportError:
            raise MissingExtraError("transformers", "train") from None
        self.config = config or TransformersConfig()
        if self.config.batch_size < 1:
            raise PathsynthError("batch_size must be at least 1")
        path = Path(path)
        if not (path / "config.json").is_file():
            raise PathsynthError(
                f"transformers:{path}: not a local model directory (no config.json)"
            )
        self.name = f"transformers:{path.name}"
        self.max_concurrency = 2 * self.config.batch_size
        device = self.config.device
        if device == "auto":
            device = "cuda" if torch.cuda.is_available() else "cpu"
        dtype_name = self.config.dtype
        if dtype_name == "auto":
            dtype_name = "bfloat16" if device.startswith("cuda") else "float32"
        try:
            self.tokenizer = transformers.AutoTokenizer.from_pretrained(
                str(path), local_files_only=True
            )
            model: Any = transformers.AutoModelForCausalLM.from_pretrained(
                str(path), local_files_only=True, dtype=getattr(torch, dtype_name)
            )
            self.model = model.to(device)
        except (OSError, ValueError) as exc:
            first = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
            raise PathsynthError(f"cannot load transformers:{path}: {first}") from None
        self.model.eval()
        self.device = device
        cfg = self.model.config
        self.context = int(
            getattr(cfg, "max_position_embeddings", 0) or getattr(cfg, "n_positions", 0) or 0
        )
        self.tokenizer.padding_side = "left"  # decoder-only models continue on the right
        if self.tokenizer.pad_token is None:
            self.tokenizer.pad_token = self.tokenizer.eos_token or self.tokenizer.unk_token
        self._use_chat = bool(self.config.chat_template and self.tokenizer.chat_template)
        self._executor = concurrent.futures.ThreadPoolExecutor(max_workers=1)
        self._queue: asyncio.Queue[tuple[GenerationRequest, asyncio.Future[Generation]]] | None
        self._queue = None
        self._worker: asyncio.Task[None] | None = None

    def _prompt(self, request: GenerationRequest) -> str:
        if self._use_chat:
            text = self.tokenizer.apply_chat_template(
                request.messages, tokenize=False, add_generation_prompt=True
            )
            return str(text)
        return messages_to_prompt(request.messages)

    def generate_batch(
        self, requests: list[GenerationRequest]
    ) -> list[Generation | GenerationError]:
        """Generate a batch synchronously (one call of ``model.generate``); a request whose
        prompt leaves no room in the model's context gets a :class:`GenerationError`."""
        prompts = [self._prompt(r) for r in requests]
        special = not self._use_chat
        lengths = [
            len(ids) for ids in self.tokenizer(prompts, add_special_tokens=special)["input_ids"]
        ]
        results: list[Generation | GenerationError | None] = [None] * len(requests)
        room = []
        for i, n in enumerate(lengths):
            if self.context and n + _MIN_NEW_TOKENS > self.context:
                results[i] = GenerationError(
                    f"{self.name}: a prompt of {n} tokens leaves no room in a context of "
                    f"{self.context}; shorten the prompt pack or use shots: 0"
                )
            else:
                room.append(i)
        if room:
            self._generate([requests[i] for i in room], [prompts[i] for i in room], room, results)
        return [r for r in results if r is not None]

    def _generate(
        self,
        requests: list[GenerationRequest],
        prompts: list[str],
        slots: list[int],
        results: list[Generation | GenerationError | None],
    ) -> None:
        import torch

        enc = self.tokenizer(
            prompts, return_tensors="pt", padding=True, add_special_tokens=not self._use_chat
        ).to(self.device)
        first = requests[0]
        sample = first.temperature > 0
        # One seed per batch: sampling of a batch is one random stream.
        torch.manual_seed(first.seed)
        max_new = max(r.max_tokens for r in requests)
        if self.context:
            # Reports are cut short rather than overflow the positions the model has.
            max_new = min(max_new, self.context - enc["input_ids"].shape[1])
        kwargs: dict[str, Any] = {
            "max_new_tokens": max_new,
            "do_sample": sample,
            "pad_token_id": self.tokenizer.pad_token_id,
        }
        if sample:
            kwargs["temperature"] = first.temperature
        with torch.inference_mode():
            out = self.model.generate(**enc, **kwargs)
        new = out[:, enc["input_ids"].shape[1] :]
        n_prompts = enc["attention_mask"].sum(dim=1).tolist()
        for slot, row, request, n_prompt in zip(slots, new, requests, n_prompts, strict=True):
            ids = row[row != self.tokenizer.pad_token_id][: request.max_tokens]
            text = str(self.tokenizer.decode(ids, skip_special_tokens=True))
            results[slot] = Generation(
                text=text.strip(),
                prompt_tokens=int(n_prompt),
                completion_tokens=len(ids),
                model=self.name,
            )

    async def _run(self) -> None:
        assert self._queue is not None
        loop = asyncio.get_running_loop()
        while True:
            batch = [await self._queue.get()]
            deadline = loop.time() + self.config.batch_wait
            while len(batch) < self.config.batch_size:
                remaining = deadline - loop.time()
                if remaining <= 0:
                    break
                try:
                    batch.append(await asyncio.wait_for(self._queue.get(), remaining))
                except TimeoutError:
                    break
            live = [(r, f) for r, f in batch if not f.done()]
            if not live:
                continue
            try:
                results = await loop.run_in_executor(
                    self._executor, self.generate_batch, [r for r, _ in live]
                )
            except Exception as exc:
                for _, fut in live:
                    if not fut.done():
                        fut.set_exception(exc)
                continue
            for (_, fut), result in zip(live, results, strict=True):
                if fut.done():
                    continue
                if isinstance(result, GenerationError):
                    fut.set_exception(result)
                else:
                    fut.set_result(result)

    async def agenerate(self, request: GenerationRequest) -> Generation:
        """Queue one request; it is answered with the batch it joins."""
        if self._queue is None:
            self._queue = asyncio.Queue()
            self._worker = asyncio.create_task(self._run())
        fut: asyncio.Future[Generation] = asyncio.get_running_loop().create_future()
        await self._queue.put((request, fut))
        return await fut

    async def aclose(self) -> None:
        """Stop the batching task and the worker thread."""
        if self._worker is not None:
            self._worker.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._worker
            self._worker = None
        self._executor.shutdown(wait=True)
