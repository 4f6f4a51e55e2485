"""Prompt packs: the editable files that tell a teacher LLM what report to write.

A pack is a folder per language (``fr/``, ``en/``) holding ``system.txt`` (the instruction),
``user.txt`` (the request, with ``{record}``, ``{unknown}`` and ``{style}`` placeholders),
``pack.yaml`` (settings and the lists style hints are drawn from) and ``examples.yaml``
(few-shot examples written for synthetic records only); ``{description}`` in ``system.txt``
is the schema's description. A schema's domain pack holds its prompt packs (breast-13's:
``domains/breast13/prompts``); a schema without one gets the generic pack (``generic/fr``,
``generic/en``: no examples, the schema's own names). Users copy the built-in folders, edit
them, and pass ``--prompts DIR`` (``DIR/fr/``... or a folder of the four files itself).

Only known values are written into the prompt; unknown ones are named as "not to be
mentioned", so a teacher does not invent them.
"""

from __future__ import annotations

import hashlib
import math
import random
from dataclasses import dataclass, field
from importlib import resources
from importlib.resources.abc import Traversable
from pathlib import Path
from typing import Any

from pathsynth.errors import PathsynthError
from pathsynth.schema import Lang, Schema, Value, Variable

PACK_FILES = ("system.txt", "user.txt", "pack.yaml")


@dataclass(frozen=True)
class Example:
    """A few-shot example: a synthetic record and the report written for it."""

    record: dict[str, Value]
    text: str
    style: dict[str, str] = field(default_factory=dict)


def _is_unknown(value: Any) -> bool:
    if value is None:
        return True
    if isinstance(value, float):
        return math.isnan(value)
    return type(value).__name__ in {"NAType", "NaTType"}


def _builtin_root(schema: Schema, lang: str) -> tuple[Traversable, str]:
    """The prompt pack of the schema's domain pack for ``lang``, else the generic one (written
    from the schema's description and names), and how to name it."""
    from pathsynth.domains import load_pack

    root = load_pack(schema.domain).resource("prompts", lang) if schema.domain else None
    if root is not None:
        return root, f"built-in {schema.domain}/{lang}"
    generic = resources.files(__name__).joinpath("generic", lang)
    if not generic.is_dir():
        raise PathsynthError(
            f"schema {schema.name} has no built-in {lang} prompt pack: pass --prompts DIR "
            "(copy pathsynth/reports/prompts/generic/en and translate it)"
        )
    return generic, f"built-in generic/{lang}"


class PromptPack:
    """A prompt pack for one language and one schema, ready to build chat messages."""

    def __init__(
        self,
        lang: Lang,
        schema: Schema,
        files: dict[str, str],
        source: str,
    ) -> None:
        self.lang = lang
        self.schema = schema
        self.source = source
        # {description}: the schema's, so one generic pack serves any schema
        self.system = files["system.txt"].strip().replace("{description}", schema.description[lang])
        self.user = files["user.txt"].strip()
        from pathsynth._io import load_yaml

        settings = load_yaml(files["pack.yaml"], f"prompt pack {source}: pack.yaml") or {}
        examples = load_yaml(files.get("examples.yaml", ""), f"prompt pack {source}") or []
        if not isinstance(settings, dict):
            raise PathsynthError(f"prompt pack {source}: pack.yaml must be a mapping")
        self.shots = int(settings.get("shots", 0))
        self.temperature = float(settings.get("temperature", 0.8))
        self.max_tokens = int(settings.get("max_tokens", 768))
        self.none_text = str(settings.get("none_text", "-"))
        self.record_line = str(settings.get("record_line", "- {name}: {value}"))
        self.style_line = str(settings.get("style_line", "- {value}"))
        styles = settings.get("styles") or {}
        if not isinstance(styles, dict) or not all(
            isinstance(v, list) and v and all(isinstance(x, str) for x in v)
            for v in styles.values()
        ):
            raise PathsynthError(
                f"prompt pack {source}: 'styles' must map each name to a list of hints"
            )
        self.styles: dict[str, list[str]] = {str(k): list(v) for k, v in styles.items()}
        # Labels once: prompts are built for every request, on the generation hot path.
        self._names = {v.key: (v.names[lang] or [v.description[lang]])[0] for v in schema.variables}
        self._labels = {
            v.key: {c.code: c.label[lang] for c in v.values}
            for v in schema.variables
            if v.type == "categorical"
        }
        self.examples = [self._example(e, i) for i, e in enumerate(examples, start=1)]
        if self.shots > len(self.examples):
            raise PathsynthError(
                f"prompt pack {source}: shots={self.shots} but only "
                f"{len(self.examples)} examples in examples.yaml"
            )
        try:
            self.user.format(record="", unknown="", style="")
            self.record_line.format(name="", value="")
            self.style_line.format(name="", value="")
        except (KeyError, IndexError, ValueError) as exc:
            raise PathsynthError(
                f"prompt pack {source}: bad placeholder {exc} (user.txt knows "
                "{record}, {unknown}, {style}; record_line {name}, {value})"
            ) from None
        if "{record}" not in self.user:
            raise PathsynthError(f"prompt pack {source}: user.txt must contain {{record}}")
        self._shot_messages = [self._shot(e) for e in self.examples]
        digest = hashlib.sha256()
        for name in sorted(files):
            digest.update(name.encode() + b"\0" + files[name].encode() + b"\0")
        self.sha256 = digest.hexdigest()

    @classmethod
    def load(cls, lang: Lang, schema: Schema, path: str | Path | None = None) -> PromptPack:
        """The built-in pack for ``lang``, or the one in ``path`` (``path/lang/`` or ``path``)."""
        if path is None:
            root, source = _builtin_root(schema, lang)
            files = {n: root.joinpath(n).read_text("utf-8") for n in PACK_FILES}
            ex = root.joinpath("examples.yaml")
            if ex.is_file():
                files["examples.yaml"] = ex.read_text("utf-8")
            return cls(lang, schema, files, source)
        base = Path(path)
        folder = base / lang if (base / lang).is_dir() else base
        if not folder.is_dir():
            raise PathsynthError(f"prompt pack folder not found: {base}")
        missing = [n for n in PACK_FILES if not (folder / n).is_file()]
        if missing:
            raise PathsynthError(f"prompt pack {folder} lacks {', '.join(missing)}")
        names = [*PACK_FILES, "examples.yaml"]
        try:
            files = {n: (folder / n).read_text("utf-8") for n in names if (folder / n).is_file()}
        except UnicodeDecodeError:
            raise PathsynthError(f"prompt pack {folder}: files must be UTF-8") from None
        return cls(lang, schema, files, str(folder))

    # -- building prompts ------------------------------------------------------------------

    def format_value(self, var: Variable, value: Value) -> str:
        """A value as the prompt shows it: the label of a code, a number with its unit."""
        if var.type == "categorical":
            return self._labels[var.key].get(str(value), str(value))
        text = str(var.canonical(value))
        if self.lang == "fr":
            text = text.replace(".", ",")
        if var.unit == "%":
            return f"{text} %" if self.lang == "fr" else f"{text}%"
        return f"{text} {var.unit}" if var.unit else text

    def record_block(self, record: dict[str, Any]) -> tuple[str, list[str]]:
        """The known values as lines, and the names of the unknown variables."""
        lines = []
        unknown = []
        for var in self.schema.variables:
            value: Any = record.get(var.key)
            if _is_unknown(value):
                unknown.append(self._names[var.key])
            else:
                value = value.item() if hasattr(value, "item") else value
                line = self.record_line.format(
                    name=self._names[var.key], value=self.format_value(var, value)
                )
                lines.append(line)
        return "\n".join(lines), unknown

    def draw_style(self, rng: random.Random) -> dict[str, str]:
        """One hint from each style list."""
        return {name: rng.choice(options) for name, options in self.styles.items()}

    def user_message(self, record: dict[str, Any], style: dict[str, str]) -> str:
        block, unknown = self.record_block(record)
        style_text = "\n".join(self.style_line.format(name=k, value=v) for k, v in style.items())
        return self.user.format(
            record=block,
            unknown=", ".join(unknown) if unknown else self.none_text,
            style=style_text or self.none_text,
        )

    def messages(
        self, record: dict[str, Any], style: dict[str, str], rng: random.Random
    ) -> list[dict[str, str]]:
        """The chat messages for one report: instruction, drawn examples, the request."""
        messages = [{"role": "system", "content": self.system}]
        if self.shots:
            for i in rng.sample(range(len(self._shot_messages)), self.shots):
                messages.extend(self._shot_messages[i])
        messages.append({"role": "user", "content": self.user_message(record, style)})
        return messages

    def _shot(self, example: Example) -> list[dict[str, str]]:
        return [
            {"role": "user", "content": self.user_message(example.record, example.style)},
            {"role": "assistant", "content": example.text.strip()},
        ]

    def _example(self, raw: Any, i: int) -> Example:
        where = f"prompt pack {self.source}: example {i}"
        if not isinstance(raw, dict) or not isinstance(raw.get("text"), str):
            raise PathsynthError(f"{where} needs 'record' and 'text'")
        record = raw.get("record") or {}
        if not isinstance(record, dict):
            raise PathsynthError(f"{where}: 'record' must be a mapping")
        problems = self.schema.check_record(record)
        if problems:
            raise PathsynthError(f"{where}: {problems[0]}")
        style = raw.get("style") or {}
        return Example(dict(record), raw["text"], {str(k): str(v) for k, v in style.items()})


__all__ = ["Example", "PromptPack"]
