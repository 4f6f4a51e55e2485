"""GGUF models as transformers checkpoints, and LoRA adapters back to GGUF.

A LoRA student is trained with transformers on full-precision weights, while the offline model
ships as a quantised GGUF file. :func:`checkpoint_from_gguf` dequantises the GGUF once (through
transformers' own GGUF reader) into a safetensors checkpoint in the cache, with a checksum file
that every later use verifies. The adapter trained on those weights is written back to GGUF by
:func:`adapter_to_gguf`, so llama.cpp applies it on the very quantised weights it was trained on
(grammar-constrained, fast CPU inference).
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pathsynth.errors import MissingExtraError, PathsynthError

CHECKPOINT_VERSION = 1
CHECKSUMS = "pathsynth-checkpoint.json"
_LOCK = threading.Lock()
_VERIFIED: dict[tuple[str, int], bool] = {}
# peft's module names of a decoder layer's linear maps, e.g. ...layers.3.self_attn.q_proj
_LORA_KEY = re.compile(r"(?:^|\.)(model\.layers\.\d+\.[a-z_]+\.[a-z_]+)\.lora_([AB])\.weight$")


@dataclass(frozen=True)
class BaseModel:
    """A base model for LoRA: the transformers checkpoint, and the GGUF it came from if any."""

    path: Path
    """Local transformers checkpoint directory (``config.json`` + weights)."""
    gguf: Path | None = None
    """The quantised GGUF the checkpoint was dequantised from (llama.cpp inference)."""
    name: str = ""
    """How the user named it (``gemma3-270m``, a path)."""


def _sha256(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as fh:
        while chunk := fh.read(1 << 22):
            h.update(chunk)
    return h.hexdigest()


def _require() -> None:
    try:
        import gguf  # noqa: F401
        import torch  # noqa: F401
        import transformers  # noqa: F401
    except ImportError as exc:
        raise MissingExtraError(exc.name or "transformers", "train") from None


def checkpoint_dir_for(gguf_path: Path, digest: str) -> Path:
    """Where the checkpoint of a GGUF file of content ``digest`` is kept."""
    from pathsynth.llm.llamacpp import cache_dir

    stem = re.sub(r"[^A-Za-z0-9._-]+", "-", gguf_path.stem).lower()
    return cache_dir() / "checkpoints" / f"{stem}-{digest[:16]}"


def checkpoint_from_gguf(gguf_path: str | Path) -> Path:
    """The transformers checkpoint of a GGUF model, made once (dequantised to float32,
    safetensors, checksummed) and verified on each later first use in a process."""
    _require()
    src = Path(gguf_path)
    if not src.is_file():
        raise PathsynthError(f"{src}: no such GGUF file")
    digest = _sha256(src)
    target = checkpoint_dir_for(src, digest)
    with _LOCK:
        if (target / CHECKSUMS).is_file():
            verify_checkpoint(target)
            return target
        tmp = target.with_name(f".{target.name}.{os.getpid()}.tmp")
        shutil.rmtree(tmp, ignore_errors=True)
        try:
            _convert(src, tmp)
            files = {
                p.name: {"sha256": _sha256(p), "bytes": p.stat().st_size}
                for p in sorted(tmp.iterdir())
                if p.is_file()
            }
            record = {
                "version": CHECKPOINT_VERSION,
                "source": src.name,
                "source_sha256": digest,
                "dtype": "float32",
                "files": files,
            }
            (tmp / CHECKSUMS).write_text(json.dumps(record, indent=2) + "\n", "utf-8")
            if target.exists():  # another process finished first: keep its copy
                shutil.rmtree(tmp, ignore_errors=True)
            else:
                target.parent.mkdir(parents=True, exist_ok=True)
                tmp.rename(target)
        finally:
            shutil.rmtree(tmp, ignore_errors=True)
        verify_checkpoint(target)
    return target


def _convert(src: Path, out: Path) -> None:
    """Dequantise ``src`` with transformers' GGUF reader and save a plain checkpoint."""
    import torch
    from transformers import AutoConfig, AutoModelForCausalLM, AutoTokenizer

    out.mkdir(parents=True)
    try:
        tokenizer = AutoTokenizer.from_pretrained(str(src.parent), gguf_file=src.name)
        loaded = AutoModelForCausalLM.from_pretrained(
            str(src.parent), gguf_file=src.name, dtype=torch.float32
        )
    except (ValueError, KeyError, NotImplementedError) as exc:
        first = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        raise PathsynthError(f"{src}: transformers cannot read this GGUF ({first})") from None
    # The dequantised weights are plain tensors; only the quantisation note blocks saving.
    data = loaded.config.to_dict()
    data.pop("quantization_config", None)
    data.pop("_name_or_path", None)
    config = AutoConfig.for_model(**data)
    model: Any = AutoModelForCausalLM.from_config(config, dtype=torch.float32)
    missing, unexpected = model.load_state_dict(loaded.state_dict(), strict=False)
    tied = {"lm_head.weight"} if getattr(config, "tie_word_embeddings", False) else set()
    if set(missing) - tied or unexpected:
        raise PathsynthError(f"{src}: converted weights do not match the model ({missing[:3]})")
    model.tie_weights()
    model.save_pretrained(str(out))
    tokenizer.save_pretrained(str(out))


def verify_checkpoint(path: str | Path) -> None:
    """Check a converted checkpoint against its checksum file (once per process and state)."""
    d = Path(path)
    rec_path = d / CHECKSUMS
    try:
        record = json.loads(rec_path.read_text("utf-8"))
        files: dict[str, dict[str, Any]] = record["files"]
    except (OSError, ValueError, KeyError, TypeError):
        raise PathsynthError(
            f"{d}: unreadable {CHECKSUMS}; delete the folder to convert again"
        ) from None
    key = (str(d.resolve()), rec_path.stat().st_mtime_ns)
    if _VERIFIED.get(key):
        return
    for name, want in files.items():
        f = d / name
        if not f.is_file() or f.stat().st_size != want["bytes"] or _sha256(f) != want["sha256"]:
            raise PathsynthError(
                f"{d}: {name} does not match its checksum; delete the folder to convert again"
            )
    _VERIFIED[key] = True


def resolve_base_model(name: str | Path) -> BaseModel:
    """A base model from what a user gives: ``gemma3-270m`` (the embedded GGUF), a ``.gguf``
    file (both converted once), or a local transformers checkpoint directory."""
    from pathsynth.llm.llamacpp import GEMMA_ALIASES, gemma_gguf_path

    text = str(name).strip()
    if text.lower() in GEMMA_ALIASES:
        gguf_path = gemma_gguf_path()
        return BaseModel(checkpoint_from_gguf(gguf_path), gguf_path, text.lower())
    path = Path(text).expanduser()
    if path.is_file() and path.suffix.lower() == ".gguf":
        return BaseModel(checkpoint_from_gguf(path), path.resolve(), text)
    if (path / "config.json").is_file():
        if (path / CHECKSUMS).is_file():
            verify_checkpoint(path)
        return BaseModel(path.resolve(), None, text)
    raise PathsynthError(
        f"--base-model {text}: not a local model directory (no config.json), a .gguf file, "
        f"or {GEMMA_ALIASES[0]}"
    )


def adapter_to_gguf(adapter_dir: str | Path, base_gguf: str | Path, out_path: str | Path) -> Path:
    """Write a peft LoRA adapter (``adapter_model.safetensors``) as a llama.cpp LoRA GGUF for
    the architecture of ``base_gguf``."""
    _require()
    import gguf
    import numpy as np
    from safetensors.numpy import load_file

    d = Path(adapter_dir)
    cfg = json.loads((d / "adapter_config.json").read_text("utf-8"))
    tensors = load_file(str(d / "adapter_model.safetensors"))
    reader = gguf.GGUFReader(str(base_gguf))
    arch = str(reader.fields[gguf.Keys.General.ARCHITECTURE].contents())
    n_blocks = int(reader.fields[f"{arch}.block_count"].contents())
    arch_id = next(k for k, v in gguf.MODEL_ARCH_NAMES.items() if v == arch)
    names = gguf.get_tensor_name_map(arch_id, n_blocks)
    base_tensors = {t.name for t in reader.tensors}
    out = Path(out_path)
    out.parent.mkdir(parents=True, exist_ok=True)
    writer = gguf.GGUFWriter(str(out), arch)
    writer.add_type(gguf.GGUFType.ADAPTER)
    writer.add_string(gguf.Keys.Adapter.TYPE, "lora")
    writer.add_float32(gguf.Keys.Adapter.LORA_ALPHA, float(cfg["lora_alpha"]))
    written = 0
    for key in sorted(tensors):
        m = _LORA_KEY.search(key)
        if m is None:
            raise PathsynthError(f"{d}: adapter tensor {key!r} has no llama.cpp counterpart")
        module, which = m.groups()
        target = names.get_name(module)
        if target is None or f"{target}.weight" not in base_tensors:
            raise PathsynthError(f"{d}: module {module!r} is not in {Path(base_gguf).name}")
        # peft's A is (r, in) and B is (out, r): llama.cpp's lora_a / lora_b in numpy order.
        data = np.ascontiguousarray(tensors[key], dtype=np.float32)
        writer.add_tensor(f"{target}.weight.lora_{which.lower()}", data)
        written += 1
    if not written:
        raise PathsynthError(f"{d}: the adapter holds no LoRA weight")
    writer.write_header_to_file()
    writer.write_kv_data_to_file()
    writer.write_tensors_to_file()
    writer.close()
    return out


__all__ = [
    "BaseModel",
    "adapter_to_gguf",
    "checkpoint_from_gguf",
    "resolve_base_model",
    "verify_checkpoint",
]
