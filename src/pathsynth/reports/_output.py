"""The output file of a generation run: the check that an existing file is a reports file this
run may resume, the cut of a killed writer's torn last line, the one-write-per-line appender,
and the run's summaries."""

from __future__ import annotations

import json
import os
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from pathsynth.errors import PathsynthError

_FSYNC_EVERY_S = 1.0


@dataclass
class TeacherSummary:
    """What one teacher did in this run."""

    teacher: str
    planned: int = 0
    skipped: int = 0
    """Already in the output file from an earlier run."""
    written: int = 0
    failed: int = 0
    prompt_tokens: int = 0
    completion_tokens: int = 0
    seconds: float = 0.0
    first_error: str = ""

    @property
    def reports_per_s(self) -> float:
        return self.written / self.seconds if self.seconds > 0 else 0.0


@dataclass
class GenerationSummary:
    """The result of :func:`generate_reports`."""

    out_path: Path
    lang: str
    teachers: list[TeacherSummary] = field(default_factory=list)
    seconds: float = 0.0

    @property
    def written(self) -> int:
        return sum(t.written for t in self.teachers)

    @property
    def failed(self) -> int:
        return sum(t.failed for t in self.teachers)

    @property
    def skipped(self) -> int:
        return sum(t.skipped for t in self.teachers)

    @property
    def completion_tokens(self) -> int:
        return sum(t.completion_tokens for t in self.teachers)

    @property
    def reports_per_s(self) -> float:
        return self.written / self.seconds if self.seconds > 0 else 0.0

    def to_dict(self) -> dict[str, Any]:
        """Plain data for JSON."""
        return {
            "out": str(self.out_path),
            "lang": self.lang,
            "written": self.written,
            "skipped": self.skipped,
            "failed": self.failed,
            "seconds": round(self.seconds, 3),
            "reports_per_s": round(self.reports_per_s, 1),
            "teachers": [
                {**asdict(t), "reports_per_s": round(t.reports_per_s, 1)} for t in self.teachers
            ],
        }


_REPORT_LINE_START = b'{"id": '


def existing_ids(
    path: Path, *, lang: str | None = None, planned: set[str] | None = None
) -> set[str]:
    """Ids already in an output file, after checking it is a reports file this run may resume;
    the file is only read. Every whole line must be a report (``id``, ``text``; the run's
    ``lang`` when given) and, given the ``planned`` ids, at least one must be planned; an
    unterminated last line must be the start of a report line (a killed writer's), else the
    file is not ours and nothing of it is cut."""
    if not path.exists():
        return set()
    if path.is_dir():
        raise PathsynthError(f"--out {path} is a folder: give a file path")
    data = path.read_bytes()
    end = data.rfind(b"\n") + 1
    tail = data[end:]

    def foreign(why: str) -> PathsynthError:
        return PathsynthError(
            f"--out {path} is not a reports file of this run ({why}); nothing was changed: "
            "give another --out or move the file away"
        )

    ids: set[str] = set()
    for i, line in enumerate(data[:end].split(b"\n"), start=1):
        if not line.strip():
            continue
        try:
            row = json.loads(line)
        except (ValueError, RecursionError):
            raise foreign(f"line {i} is not a report line") from None
        if (
            not isinstance(row, dict)
            or not isinstance(row.get("text"), str)
            or isinstance(row.get("id"), dict | list | None)
        ):
            raise foreign(f"line {i} is not a report line")
        if lang is not None and row.get("lang") != lang:
            raise foreign(f"line {i} is a report in {row.get('lang')!r}, this run writes {lang!r}")
        ids.add(str(row["id"]))
    if tail.strip() and not tail.startswith(_REPORT_LINE_START):
        raise foreign("its last line is not a report line")
    if planned is not None and ids and not ids & planned:
        raise foreign(f"none of its {len(ids)} reports is one this run writes")
    return ids


def _cut_torn_tail(path: Path) -> None:
    """Cut the unterminated last line a killed writer leaves (checked by :func:`existing_ids`)."""
    if not path.exists():
        return
    with path.open("rb+") as fh:
        data = fh.read()
        end = data.rfind(b"\n") + 1
        if end < len(data):
            fh.truncate(end)


class _LineWriter:
    """Appends JSON lines with one write(2) each, so a kill never leaves half a line behind
    a whole one; fsync at most every second, and at close. The file is opened at the first
    line, so a run that writes nothing leaves no empty file."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.fd: int | None = None
        self.last_sync = time.monotonic()
        self.dirty = False

    def write(self, row: dict[str, Any]) -> None:
        if self.fd is None:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self.fd = os.open(self.path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
        data = (json.dumps(row, ensure_ascii=False) + "\n").encode("utf-8")
        view = memoryview(data)
        while view:
            view = view[os.write(self.fd, view) :]
        self.dirty = True
        now = time.monotonic()
        if now - self.last_sync >= _FSYNC_EVERY_S:
            os.fsync(self.fd)
            self.last_sync = now
            self.dirty = False

    def close(self) -> None:
        if self.fd is None:
            return
        if self.dirty:
            os.fsync(self.fd)
        os.close(self.fd)
        self.fd = None
