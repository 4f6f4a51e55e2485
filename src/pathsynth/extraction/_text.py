"""Training examples of the students: report texts with values and evidence spans."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pathsynth._io import iter_jsonl
from pathsynth.errors import PathsynthError
from pathsynth.schema import Schema, Value
from pathsynth.text import guess_lang

__all__ = ["Span", "TrainingExample", "files_sha256", "guess_lang", "read_examples"]

Span = tuple[int, int]


@dataclass
class TrainingExample:
    """One report with its gold values and, when known, evidence spans per key."""

    id: str
    text: str
    values: dict[str, Value]
    evidence: dict[str, list[Span]] = field(default_factory=dict)
    lang: str | None = None


def _spans(obj: Any, text_len: int) -> dict[str, list[Span]]:
    out: dict[str, list[Span]] = {}
    if not isinstance(obj, dict):
        return out
    for key, spans in obj.items():
        good = []
        for s in spans or []:
            if (
                isinstance(s, list | tuple)
                and len(s) == 2
                and all(isinstance(x, int) for x in s)
                and 0 <= s[0] < s[1] <= text_len
            ):
                good.append((int(s[0]), int(s[1])))
        if good:
            out[str(key)] = good
    return out


def example_from_row(row: dict[str, Any], schema: Schema) -> TrainingExample | None:
    """A training example from a reports line (``record`` + ``evidence``/``spans``) or a gold line
    (``text`` + ``values``); ``None`` when the line has no text or no values."""
    text = row.get("text")
    vals = row.get("values") if isinstance(row.get("values"), dict) else row.get("record")
    if not isinstance(text, str) or not isinstance(vals, dict):
        return None
    from pathsynth.evaluation.scoring import coerce_value

    values = {k: coerce_value(schema[k], vals.get(k)) for k in schema.keys}
    # A teacher's own spans mark exactly where it wrote each value; a judge's evidence (kept
    # reports of LLM teachers) is the fallback and may cover a whole statement.
    ev = _spans(row.get("spans"), len(text)) or _spans(row.get("evidence"), len(text))
    return TrainingExample(
        id=str(row.get("id", "")),
        text=text,
        values=values,
        evidence={k: v for k, v in ev.items() if k in schema},
        lang=row.get("lang"),
    )


def read_examples(paths: Sequence[str | Path], schema: Schema) -> list[TrainingExample]:
    """Training examples from one or more JSONL files (kept/generated reports or annotated gold)."""
    out: list[TrainingExample] = []
    for p in paths:
        n0 = len(out)
        for row in iter_jsonl(p):
            ex = example_from_row(row, schema)
            if ex is not None:
                out.append(ex)
        if len(out) == n0:
            raise PathsynthError(
                f"{p}: no training pair found (lines need 'text' and 'record' or 'values')"
            )
    return out


def files_sha256(paths: Iterable[str | Path]) -> str:
    """One SHA-256 over the bytes of the training files, in order (recorded in manifests)."""
    h = hashlib.sha256()
    for p in paths:
        with Path(p).open("rb") as fh:
            while chunk := fh.read(1 << 20):
                h.update(chunk)
    return h.hexdigest()
