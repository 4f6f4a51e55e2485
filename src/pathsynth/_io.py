"""File helpers shared by the stages: atomic writes, JSONL, report files."""

from __future__ import annotations

import csv
import json
import os
import tempfile
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from pathsynth.errors import PathsynthError


@contextmanager
def atomic_path(path: str | Path) -> Iterator[Path]:
    """Yield a temporary path beside ``path``; rename it over ``path`` only on success.

    A failure (bad input found half-way, Ctrl-C) leaves no partial output file behind.
    """
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    os.close(fd)
    tmp_path = Path(tmp)
    # mkstemp makes the file private (0600); outputs get the usual permissions under the umask.
    umask = os.umask(0)
    os.umask(umask)
    os.chmod(tmp_path, 0o666 & ~umask)
    try:
        yield tmp_path
        os.replace(tmp_path, target)
    finally:
        if tmp_path.exists():
            tmp_path.unlink()


def write_text_atomic(path: str | Path, text: str) -> None:
    with atomic_path(path) as tmp:
        tmp.write_text(text, encoding="utf-8")


def write_json(path: str | Path, obj: Any) -> None:
    write_text_atomic(path, json.dumps(obj, ensure_ascii=False, indent=2) + "\n")


def write_jsonl(path: str | Path, rows: Iterable[dict[str, Any]]) -> int:
    """Write rows as JSON lines atomically; return the number written."""
    n = 0
    with atomic_path(path) as tmp, tmp.open("w", encoding="utf-8") as fh:
        for row in rows:
            fh.write(json.dumps(row, ensure_ascii=False) + "\n")
            n += 1
    return n


def _read_text(path: Path) -> str:
    if not path.is_file():
        raise PathsynthError(f"file not found: {path}")
    try:
        return path.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        raise PathsynthError(
            f"{path} is not UTF-8 (byte {exc.start}): re-save it as UTF-8"
        ) from None


def iter_jsonl(path: str | Path, *, tolerate_torn_tail: bool = False) -> Iterator[dict[str, Any]]:
    """Rows of a JSONL file.

    ``tolerate_torn_tail`` skips an unterminated last line, which is what a killed writer
    leaves; elsewhere a bad line is an error naming the line number.
    """
    p = Path(path)
    text = _read_text(p)
    lines = text.split("\n")
    for i, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            row = json.loads(line)
        except json.JSONDecodeError:
            if tolerate_torn_tail and i == len(lines):
                return
            raise PathsynthError(f"{p}:{i}: not a JSON object") from None
        if not isinstance(row, dict):
            raise PathsynthError(f"{p}:{i}: not a JSON object")
        yield row


def read_jsonl(path: str | Path) -> list[dict[str, Any]]:
    return list(iter_jsonl(path))


def read_reports(path: str | Path) -> list[dict[str, Any]]:
    """Reports as dicts with at least ``id`` and ``text``: JSONL, or CSV with columns id,text."""
    p = Path(path)
    if p.suffix.lower() == ".csv":
        text = _read_text(p)
        reader = csv.DictReader(text.splitlines(keepends=True))
        if not reader.fieldnames or not {"id", "text"} <= set(reader.fieldnames):
            raise PathsynthError(f"{p}: a reports CSV needs the columns id,text")
        rows: list[dict[str, Any]] = [dict(r) for r in reader]
    else:
        rows = read_jsonl(p)
    if not rows:
        raise PathsynthError(f"{p} holds no report")
    seen: set[str] = set()
    for i, row in enumerate(rows, start=1):
        if "id" not in row or "text" not in row:
            raise PathsynthError(f"{p}: report {i} lacks 'id' or 'text'")
        if not isinstance(row["text"], str):
            raise PathsynthError(f"{p}: report {row['id']!r} has a non-text 'text'")
        row["id"] = str(row["id"])
        if row["id"] in seen:
            raise PathsynthError(f"{p}: duplicate report id {row['id']!r}")
        seen.add(row["id"])
    return rows
