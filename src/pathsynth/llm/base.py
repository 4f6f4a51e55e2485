"""The text-generation protocol every backend implements (template, openai, llamacpp...)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Protocol, runtime_checkable

from pathsynth.schema import Lang, Value

Span = tuple[int, int]


@dataclass(frozen=True)
class GenerationRequest:
    """One report (or answer) to write.

    ``messages`` is the chat prompt (completion backends join it into one text); ``record`` is
    the structured values the text is written from, read directly by the template teacher.
    """

    id: str
    messages: list[dict[str, str]]
    lang: Lang = "fr"
    seed: int = 0
    temperature: float = 0.8
    max_tokens: int = 768
    record: dict[str, Value] = field(default_factory=dict)
    style: dict[str, str] = field(default_factory=dict)
    json_schema: dict[str, object] | None = None  # constrained decoding, where a backend has it


@dataclass(frozen=True)
class Generation:
    """A backend's answer; ``spans`` holds character spans per key when the backend knows them."""

    text: str
    spans: dict[str, list[Span]] | None = None
    prompt_tokens: int = 0
    completion_tokens: int = 0
    model: str = ""


@runtime_checkable
class TextGenerator(Protocol):
    """A model behind one small async interface."""

    name: str

    async def agenerate(self, request: GenerationRequest) -> Generation:
        """Answer one request."""
        ...

    async def aclose(self) -> None:
        """Release connections, threads or model memory."""
        ...
