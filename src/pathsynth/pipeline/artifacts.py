"""The artifacts folder of a run, and the manifest that lets a re-run skip finished stages.

A stage is identified by a key: the SHA-256 of its config, of the content of its input files
and of the pathsynth version. When a stage finishes, its key, its outputs' hashes and its
duration are written to ``manifest.json``. On the next run, a stage whose key is unchanged and
whose outputs are still there, unmodified, is skipped; anything else runs again. A stage killed
half-way never reaches the manifest, so the run resumes at that stage.
"""

from __future__ import annotations

import hashlib
import json
import platform
import sys
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from importlib import metadata
from pathlib import Path
from typing import Any

from pathsynth import __version__
from pathsynth._io import write_json, write_text_atomic

MANIFEST = "manifest.json"

#: Summary flag of a stage function: "record me, but run me again next time".
RETRY = "_retry"

#: Packages whose versions are recorded in ``versions.json`` (those that change results).
TRACKED_PACKAGES = (
    "pathsynth",
    "numpy",
    "pandas",
    "scikit-learn",
    "sdv",
    "smartnoise-synth",
    "mostlyai-qa",
    "torch",
    "transformers",
    "peft",
    "trl",
    "accelerate",
    "openai",
    "llama-cpp-python",
    "datasketch",
    "pydantic",
    "jinja2",
    "matplotlib",
)


def file_sha256(path: Path) -> str:
    """Content hash of a file, or of a folder (its relative file names and contents)."""
    h = hashlib.sha256()
    if path.is_dir():
        for f in sorted(p for p in path.rglob("*") if p.is_file()):
            h.update(str(f.relative_to(path)).encode())
            h.update(b"\0")
            h.update(file_sha256(f).encode())
        return h.hexdigest()
    with path.open("rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def stage_key(config: Any, inputs: Iterable[Path]) -> str:
    """The key of a stage run: its config (JSON-able), its inputs' contents, the version."""
    h = hashlib.sha256()
    h.update(__version__.encode())
    h.update(json.dumps(config, sort_keys=True, default=str).encode())
    for p in sorted(inputs, key=str):
        h.update(str(p.name).encode())
        h.update(file_sha256(p).encode() if p.exists() else b"<absent>")
    return h.hexdigest()


def package_versions() -> dict[str, str | None]:
    """Versions of Python, the platform and the tracked packages (``None`` = not installed)."""
    out: dict[str, str | None] = {
        "python": sys.version.split()[0],
        "platform": platform.platform(),
    }
    for name in TRACKED_PACKAGES:
        try:
            out[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            out[name] = None
    return out


@dataclass
class StageRecord:
    """What the manifest remembers of a finished stage."""

    key: str
    outputs: dict[str, str]  # path relative to the run folder → content hash
    seconds: float
    finished_at: str
    summary: dict[str, Any] = field(default_factory=dict)
    skipped: bool = False  # this run reused it


class RunFolder:
    """One run's artifacts folder and its manifest."""

    def __init__(self, root: str | Path) -> None:
        self.root = Path(root)
        self.root.mkdir(parents=True, exist_ok=True)
        self.stages: dict[str, StageRecord] = {}
        self.timings: dict[str, dict[str, Any]] = {}
        self._load()

    def path(self, *parts: str) -> Path:
        """A path inside the run folder."""
        return self.root.joinpath(*parts)

    def _load(self) -> None:
        p = self.path(MANIFEST)
        if not p.is_file():
            return
        try:
            data = json.loads(p.read_text(encoding="utf-8"))
            for name, rec in data.get("stages", {}).items():
                self.stages[name] = StageRecord(
                    key=rec["key"],
                    outputs=dict(rec["outputs"]),
                    seconds=float(rec["seconds"]),
                    finished_at=rec["finished_at"],
                    summary=dict(rec.get("summary", {})),
                )
        except (ValueError, KeyError, TypeError):
            # A damaged manifest only costs a full re-run; never trust half of it.
            self.stages = {}

    def _save(self) -> None:
        stages = {
            name: {
                "key": r.key,
                "outputs": r.outputs,
                "seconds": round(r.seconds, 3),
                "finished_at": r.finished_at,
                "summary": r.summary,
            }
            for name, r in self.stages.items()
        }
        write_json(self.path(MANIFEST), {"pathsynth": __version__, "stages": stages})

    def is_fresh(self, name: str, key: str) -> bool:
        """Whether stage ``name`` already ran with ``key`` and its outputs are untouched."""
        rec = self.stages.get(name)
        if rec is None or rec.key != key:
            return False
        for rel, digest in rec.outputs.items():
            p = self.path(rel)
            if not p.exists() or file_sha256(p) != digest:
                return False
        return True

    def run_stage(
        self,
        name: str,
        *,
        config: Any,
        inputs: Iterable[Path],
        outputs: Iterable[str],
        fn: Callable[[], dict[str, Any] | None],
        force: bool = False,
    ) -> StageRecord:
        """Run ``fn`` unless the stage is fresh; record its outputs and duration.

        ``outputs`` are paths relative to the run folder that ``fn`` writes; ``fn`` returns a
        small JSON-able summary kept in the manifest (and shown in the report).
        """
        inputs = list(inputs)
        outputs = list(outputs)
        key = stage_key(config, inputs)
        if not force and self.is_fresh(name, key):
            rec = self.stages[name]
            rec.skipped = True
            self.timings[name] = {"seconds": 0.0, "skipped": True, "first_run_seconds": rec.seconds}
            self._write_timings()
            return rec
        # Forget the old record first: a crash inside fn must not leave it looking fresh.
        if name in self.stages:
            del self.stages[name]
            self._save()
        start = time.perf_counter()
        summary = fn() or {}
        seconds = time.perf_counter() - start
        missing = [o for o in outputs if not self.path(o).exists()]
        if missing:
            raise RuntimeError(f"stage {name} did not write {missing[0]}")
        # A stage that finished with a partial failure (one synthesizer of several) keeps its
        # outputs for this run but is never reused: the next run tries it again.
        retry = bool(summary.pop(RETRY, False))
        rec = StageRecord(
            key="retry" if retry else key,
            outputs={o: file_sha256(self.path(o)) for o in outputs},
            seconds=seconds,
            finished_at=datetime.now(UTC).isoformat(timespec="seconds"),
            summary=summary,
        )
        self.stages[name] = rec
        self._save()
        self.timings[name] = {"seconds": round(seconds, 3), "skipped": False}
        self._write_timings()
        return rec

    def note_skip(self, name: str, reason: str) -> None:
        """Record a stage that could not run (e.g. its module is absent) in the timings."""
        self.timings[name] = {"seconds": 0.0, "skipped": True, "note": reason}
        self._write_timings()

    def _write_timings(self) -> None:
        write_json(self.path("timings.json"), self.timings)

    def write_versions(self) -> None:
        """Record the package versions of this run."""
        write_json(self.path("versions.json"), package_versions())

    def write_config(self, text: str) -> None:
        """Keep a copy of the (validated, defaults filled) config."""
        write_text_atomic(self.path("config.yaml"), text)


__all__ = ["RETRY", "RunFolder", "StageRecord", "file_sha256", "package_versions", "stage_key"]
