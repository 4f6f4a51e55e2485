"""A trained student's manifest.json, written and read the same way by every student kind.

The manifest carries ``manifest_sha256``: the SHA-256 of everything else in it (schema, config,
readers, the checksums of the weight files...), so a hand-edited or damaged manifest is refused
with one line instead of loading a student that reads another schema than it was trained on.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

from pathsynth.errors import PathsynthError

CHECKSUM = "manifest_sha256"


def manifest_digest(manifest: dict[str, Any]) -> str:
    """The SHA-256 of a manifest without its own checksum (canonical JSON: sorted keys)."""
    body = {k: v for k, v in manifest.items() if k != CHECKSUM}
    text = json.dumps(body, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def write_manifest(model_dir: str | Path, manifest: dict[str, Any]) -> Path:
    """Write ``model_dir/manifest.json`` (atomically) with its checksum; return the path."""
    from pathsynth._io import write_json

    path = Path(model_dir) / "manifest.json"
    # Through JSON once, so the checksum is of what a reader will see (tuples become lists).
    plain = json.loads(json.dumps(manifest, ensure_ascii=False))
    write_json(path, {**plain, CHECKSUM: manifest_digest(plain)})
    return path


def read_manifest(model_dir: str | Path, kind: str, version: int) -> dict[str, Any]:
    """The manifest of a ``kind`` student saved in ``model_dir`` at format ``version``.

    Raises a one-line :class:`PathsynthError` when the directory holds no readable manifest, a
    student of another kind, a format this pathsynth does not read, or a manifest whose content
    does not match its checksum.
    """
    d = Path(model_dir)
    try:
        manifest = json.loads((d / "manifest.json").read_text("utf-8"))
    except (OSError, ValueError, RecursionError):
        raise PathsynthError(f"{d}: no readable manifest.json (not a trained student)") from None
    if not isinstance(manifest, dict) or manifest.get("kind") != kind:
        found = manifest.get("kind") if isinstance(manifest, dict) else None
        raise PathsynthError(f"{d}: manifest kind is {found!r}, not {kind!r}")
    if manifest.get("version") != version:
        raise PathsynthError(
            f"{d}: {kind} student version {manifest.get('version')} is not supported "
            f"(this pathsynth reads version {version}): retrain it"
        )
    if manifest.get(CHECKSUM) != manifest_digest(manifest):
        raise PathsynthError(
            f"{d}: manifest.json does not match its checksum (edited or damaged): retrain the "
            "student or restore its folder"
        )
    for field, expected in (("schema", dict), ("config", dict)):
        if not isinstance(manifest.get(field), expected):
            raise PathsynthError(f"{d}: manifest.json has no {field}: retrain the student")
    return manifest


__all__ = ["CHECKSUM", "manifest_digest", "read_manifest", "write_manifest"]
