"""Teacher / model specs: ``template``, ``openai:MODEL@URL[,URL...]``, ``transformers:PATH``,
``llamacpp:PATH.gguf`` (or ``llamacpp:gemma3-270m``), each optionally followed by
``?name=value&name=value`` backend options, e.g. ``openai:qwen@http://gpu1:8000/v1?endpoint=completion``.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qsl

from pathsynth.errors import PathsynthError
from pathsynth.llm._common import build_config
from pathsynth.llm.base import TextGenerator

KINDS = ("template", "openai", "transformers", "llamacpp")
_USAGE = "give template, openai:MODEL@BASE_URL, transformers:PATH or llamacpp:PATH.gguf"


@dataclass(frozen=True)
class TeacherSpec:
    """A parsed spec: backend ``kind``, its ``target`` (model, path) and options."""

    kind: str
    target: str
    base_urls: tuple[str, ...] = ()
    options: dict[str, str] = field(default_factory=dict)
    text: str = ""

    @property
    def slug(self) -> str:
        """A short stable name for ids and file names; server URLs are left out, so moving a
        model to other servers keeps the ids of the reports it already wrote."""
        return slugify(self.kind, self.target)


def slugify(kind: str, target: str) -> str:
    """The slug of a teacher: ``template``, the model name, or a model file's stem."""
    if kind == "template" or not target:
        base = kind
    elif kind == "openai":
        base = target
    else:
        name = re.split(r"[\\/]", target.rstrip("/\\"))[-1]
        base = re.sub(r"\.gguf$", "", name, flags=re.IGNORECASE)
    return re.sub(r"[^A-Za-z0-9._]+", "-", base).strip("-").lower() or kind


def slug_for_name(name: str) -> str:
    """The slug of a ready generator from its ``name`` (``openai:MODEL``, ``template``...)."""
    kind, _, target = name.partition(":")
    return slugify(kind, target) if kind in KINDS and target else slugify(name, "")


def parse_spec(spec: str) -> TeacherSpec:
    """Parse a spec, or raise a one-line :class:`PathsynthError` saying what is expected."""
    text = spec.strip()
    if not text:
        raise PathsynthError(f"empty teacher spec: {_USAGE}")
    options: dict[str, str] = {}
    head = text
    if "?" in text:
        head, _, query = text.rpartition("?")
        try:
            options = dict(parse_qsl(query, keep_blank_values=True, strict_parsing=True))
        except ValueError:
            raise PathsynthError(f"bad options {query!r} in spec {text!r}: use ?a=1&b=2") from None
    kind, sep, target = head.partition(":")
    kind = kind.lower()
    if kind not in KINDS:
        raise PathsynthError(f"unknown teacher {text!r}: {_USAGE}")
    if kind == "template":
        if target:
            raise PathsynthError(
                f"the template teacher takes no target: write 'template' ({text!r})"
            )
        return TeacherSpec("template", "", (), options, text)
    if not sep or not target:
        raise PathsynthError(f"teacher {text!r} lacks its model: {_USAGE}")
    if kind == "openai":
        model, at, urls = target.partition("@")
        if not at or not urls.strip(","):
            raise PathsynthError(
                f"teacher {text!r} lacks a server: openai:MODEL@BASE_URL[,BASE_URL...]"
            )
        if not model:
            raise PathsynthError(f"teacher {text!r} lacks the model name: openai:MODEL@BASE_URL")
        base_urls = tuple(u.strip() for u in urls.split(",") if u.strip())
        return TeacherSpec("openai", model, base_urls, options, text)
    return TeacherSpec(kind, target, (), options, text)


def options_model(kind: str) -> type | None:
    """The options model of a backend (its fields are the ``?name=value`` options of a spec
    and the keys of ``teacher_options``); ``None`` for the template teacher, which takes none."""
    if kind == "openai":
        from pathsynth.llm.openai_compat import OpenAIConfig

        return OpenAIConfig
    if kind == "transformers":
        from pathsynth.llm.hf import TransformersConfig

        return TransformersConfig
    if kind == "llamacpp":
        from pathsynth.llm.llamacpp import LlamaCppConfig

        return LlamaCppConfig
    return None


def backend_config(spec: str | TeacherSpec, options: Mapping[str, Any] | None = None) -> Any:
    """The validated options of the backend ``spec`` names: keyword ``options`` overridden by
    the spec's own ``?`` options, checked against :func:`options_model` without loading any
    model, so a bad option fails before a run starts; ``None`` for the template teacher."""
    parsed = spec if isinstance(spec, TeacherSpec) else parse_spec(spec)
    merged: dict[str, Any] = {**(options or {}), **parsed.options}
    model = options_model(parsed.kind)
    if model is None:
        if merged:
            raise PathsynthError(f"the template teacher takes no options ({', '.join(merged)})")
        return None
    return build_config(model, merged, parsed.kind)


def make_generator(spec: str | TeacherSpec, **options: Any) -> TextGenerator:
    """Build the backend a spec names.

    ``options`` are backend options (the fields of :class:`OpenAIConfig`,
    :class:`TransformersConfig`, :class:`LlamaCppConfig`), overridden by ``?`` options in the
    spec; ``schema`` goes to the template teacher; ``concurrency`` (in-flight requests) is
    used by backends that have it and ignored by the others.
    """
    parsed = spec if isinstance(spec, TeacherSpec) else parse_spec(spec)
    schema = options.pop("schema", None)
    concurrency = options.pop("concurrency", None)
    if parsed.kind == "openai" and concurrency is not None and "concurrency" not in parsed.options:
        options["concurrency"] = concurrency
    config = backend_config(parsed, options)
    if parsed.kind == "template":
        try:
            from pathsynth.llm.template import TemplateTeacher
        except ImportError as exc:
            raise PathsynthError(f"the template teacher is not available: {exc}") from None
        teacher: TextGenerator = TemplateTeacher(schema=schema)
        return teacher
    if parsed.kind == "openai":
        from pathsynth.llm.openai_compat import OpenAIGenerator

        return OpenAIGenerator(parsed.target, list(parsed.base_urls), config)
    if parsed.kind == "transformers":
        from pathsynth.llm.hf import TransformersGenerator

        return TransformersGenerator(parsed.target, config)
    from pathsynth.llm.llamacpp import LlamaCppGenerator

    return LlamaCppGenerator(parsed.target, config)
