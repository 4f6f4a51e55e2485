"""Reading a trained student's manifest.json, shared by every student kind."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from pathsynth.errors import PathsynthError


def read_manifest(model_dir: str | Path, kind: str, version: int) -> dict[str, Any]:
    """The manifest of a ``kind`` student saved in ``model_dir`` at format ``version``.

    Raises a one-line :class:`PathsynthError` when the directory holds no readable manifest, a
    student of another kind, or a format this pathsynth does not read.
    """
    d = Path(model_dir)
    try:
        manifest = json.loads((d / "manifest.json").read_text("utf-8"))
    except (OSError, json.JSONDecodeError):
        raise PathsynthError(f"{d}: no readable manifest.json (not a trained student)") from None
    if not isinstance(manifest, dict) or manifest.get("kind") != kind:
        found = manifest.get("kind") if isinstance(manifest, dict) else None
        raise PathsynthError(f"{d}: manifest kind is {found!r}, not {kind!r}")
    if manifest.get("version") != version:
        raise PathsynthError(
            f"{d}: {kind} student version {manifest.get('version')} is not supported "
            f"(this pathsynth reads version {version}): retrain it"
        )
    return manifest
