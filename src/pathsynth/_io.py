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


#: Longest report text read by default, in characters (about 100 pages; real pathology reports
#: are a few thousand). A longer one is refused with one line; ``--max-report-chars`` raises it.
MAX_REPORT_CHARS = 200_000


def _read_text(path: Path) -> str:
    if path.is_dir():
        raise PathsynthError(f"{path} is a folder, not a file")
    if not path.is_file():
        raise PathsynthError(f"file not found: {path}")
    try:
        # utf-8-sig: a byte-order mark, which spreadsheet tools write, is not part of the data
        return path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError as exc:
        raise PathsynthError(
            f"{path} is not UTF-8 (byte {exc.start}): re-save it as UTF-8"
        ) from None
    except OSError as exc:
        raise PathsynthError(f"cannot read {path}: {exc.strerror or exc}") from None


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
        except RecursionError:
            raise PathsynthError(f"{p}:{i}: JSON nested too deeply to be a report") from None
        if not isinstance(row, dict):
            raise PathsynthError(f"{p}:{i}: not a JSON object")
        yield row


def read_jsonl(path: str | Path) -> list[dict[str, Any]]:
    return list(iter_jsonl(path))


def _csv_rows(p: Path) -> list[dict[str, Any]]:
    text = _read_text(p)
    lines = text.splitlines(keepends=True)
    header = lines[0] if lines else ""
    # Spreadsheets in French locales write ';' between cells (the comma is the decimal mark).
    delimiter = max((",", ";", "\t"), key=header.count)
    try:
        reader = csv.DictReader(lines, delimiter=delimiter)
        if not reader.fieldnames or not {"id", "text"} <= {f.strip() for f in reader.fieldnames}:
            raise PathsynthError(f"{p}: a reports CSV needs the columns id,text")
        reader.fieldnames = [f.strip() for f in reader.fieldnames]
        return [dict(r) for r in reader]
    except csv.Error as exc:
        raise PathsynthError(f"{p}: not a readable CSV ({exc})") from None


def read_reports(
    path: str | Path, *, max_chars: int | None = MAX_REPORT_CHARS
) -> list[dict[str, Any]]:
    """Reports as dicts with at least ``id`` and ``text``: JSONL, or CSV with columns id,text
    (comma, semicolon or tab between cells). A text longer than ``max_chars`` characters is
    refused (``None``: no limit)."""
    p = Path(path)
    rows = _csv_rows(p) if p.suffix.lower() in (".csv", ".tsv") else read_jsonl(p)
    if not rows:
        raise PathsynthError(f"{p} holds no report")
    seen: set[str] = set()
    for i, row in enumerate(rows, start=1):
        if "id" not in row or "text" not in row:
            raise PathsynthError(f"{p}: report {i} lacks 'id' or 'text'")
        if not isinstance(row["text"], str):
            raise PathsynthError(f"{p}: report {row['id']!r} has a non-text 'text'")
        if isinstance(row["id"], dict | list) or row["id"] is None or str(row["id"]) == "":
            raise PathsynthError(f"{p}: report {i} has no usable 'id'")
        row["id"] = str(row["id"])
        if row["id"] in seen:
            raise PathsynthError(f"{p}: duplicate report id {row['id']!r}")
        if max_chars is not None and len(row["text"]) > max_chars:
            raise PathsynthError(
                f"{p}: report {row['id']!r} is {len(row['text']):,} characters long, above the "
                f"limit of {max_chars:,}: raise it with --max-report-chars if it is one report"
            )
        seen.add(row["id"])
    return rows


#: Nodes a YAML document may expand to through its aliases (``*name``): far above any config,
#: far below what a "billion laughs" document asks for.
MAX_YAML_NODES = 100_000


def load_yaml(text: str, source: str) -> Any:
    """One YAML document read with the safe loader, refusing alias expansion beyond
    :data:`MAX_YAML_NODES` nodes (and recursive aliases) before anything is built from it."""
    import yaml

    loader = yaml.SafeLoader(text)
    try:
        node = loader.get_single_node()
        if node is None:
            return None
        _check_expansion(node, source)
        return loader.construct_document(node)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" line {mark.line + 1}:" if mark is not None else ""
        problem = getattr(exc, "problem", None)
        detail = f" ({problem})" if problem else ""
        raise PathsynthError(f"{source}:{where} not valid YAML{detail}") from None
    except RecursionError:
        raise PathsynthError(f"{source}: nested too deeply") from None
    finally:
        loader.dispose()


def _check_expansion(root: Any, source: str) -> None:
    """Count the nodes ``root`` stands for once every alias is expanded, each shared node
    counted once per use but visited once (linear in the document, whatever it expands to)."""
    import yaml

    sizes: dict[int, int] = {}
    active: set[int] = set()

    def size(node: Any) -> int:
        key = id(node)
        if key in sizes:
            return sizes[key]
        if key in active:
            raise PathsynthError(f"{source}: a YAML alias refers to itself")
        active.add(key)
        total = 1
        if isinstance(node, yaml.SequenceNode):
            total += sum(size(child) for child in node.value)
        elif isinstance(node, yaml.MappingNode):
            total += sum(size(k) + size(v) for k, v in node.value)
        active.discard(key)
        sizes[key] = total
        if total > MAX_YAML_NODES:
            raise PathsynthError(
                f"{source}: its aliases expand to more than {MAX_YAML_NODES:,} values "
                "(a YAML bomb?): write the values out"
            )
        return total

    size(root)
