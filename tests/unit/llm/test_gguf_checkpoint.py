"""GGUF ↔ transformers: checksummed checkpoints, LoRA adapters written for llama.cpp."""

from __future__ import annotations

import json

import pytest

from pathsynth.errors import PathsynthError

gguf = pytest.importorskip("gguf")
np = pytest.importorskip("numpy")


def _fake_base(path, blocks: int = 2, hidden: int = 8, kv: int = 4) -> None:
    """A llama-architecture GGUF holding the shapes of q/v projections only."""
    w = gguf.GGUFWriter(str(path), "llama")
    w.add_block_count(blocks)
    for i in range(blocks):
        w.add_tensor(f"blk.{i}.attn_q.weight", np.zeros((hidden, hidden), np.float32))
        w.add_tensor(f"blk.{i}.attn_v.weight", np.zeros((kv, hidden), np.float32))
    w.write_header_to_file()
    w.write_kv_data_to_file()
    w.write_tensors_to_file()
    w.close()


def _adapter(d, r: int = 2, hidden: int = 8, kv: int = 4, extra: str | None = None) -> None:
    from safetensors.numpy import save_file

    d.mkdir()
    rng = np.random.default_rng(0)
    tensors = {}
    for i in range(2):
        for mod, out in (("q_proj", hidden), ("v_proj", kv)):
            key = f"base_model.model.model.layers.{i}.self_attn.{mod}"
            tensors[f"{key}.lora_A.weight"] = rng.standard_normal((r, hidden)).astype(np.float32)
            tensors[f"{key}.lora_B.weight"] = rng.standard_normal((out, r)).astype(np.float32)
    if extra:
        tensors[extra] = np.zeros((2, 2), np.float32)
    save_file(tensors, str(d / "adapter_model.safetensors"))
    (d / "adapter_config.json").write_text(json.dumps({"lora_alpha": 4, "r": r}))


def test_adapter_becomes_a_llamacpp_lora_gguf(tmp_path) -> None:
    from pathsynth.llm.gguf_checkpoint import adapter_to_gguf

    _fake_base(tmp_path / "base.gguf")
    _adapter(tmp_path / "adapter")
    out = adapter_to_gguf(tmp_path / "adapter", tmp_path / "base.gguf", tmp_path / "a.gguf")
    reader = gguf.GGUFReader(str(out))
    assert reader.fields["general.type"].contents() == "adapter"
    assert reader.fields["adapter.type"].contents() == "lora"
    assert reader.fields["adapter.lora.alpha"].contents() == pytest.approx(4.0)
    shapes = {t.name: tuple(int(x) for x in t.shape) for t in reader.tensors}
    # GGUF lists dimensions innermost first: lora_a is (in, r), lora_b is (r, out).
    assert shapes["blk.1.attn_q.weight.lora_a"] == (8, 2)
    assert shapes["blk.1.attn_v.weight.lora_b"] == (2, 4)
    assert len(shapes) == 8


def test_an_adapter_on_modules_llamacpp_lacks_is_refused(tmp_path) -> None:
    from pathsynth.llm.gguf_checkpoint import adapter_to_gguf

    _fake_base(tmp_path / "base.gguf")
    _adapter(tmp_path / "adapter", extra="base_model.model.lm_head.lora_A.weight")
    with pytest.raises(PathsynthError, match=r"no llama\.cpp counterpart"):
        adapter_to_gguf(tmp_path / "adapter", tmp_path / "base.gguf", tmp_path / "a.gguf")


def test_a_checkpoint_that_changed_after_conversion_is_refused(tmp_path) -> None:
    from pathsynth.llm import gguf_checkpoint as gc

    d = tmp_path / "ckpt"
    d.mkdir()
    (d / "config.json").write_text("{}")
    (d / "model.safetensors").write_bytes(b"weights")
    files = {
        p.name: {"sha256": gc._sha256(p), "bytes": p.stat().st_size} for p in sorted(d.iterdir())
    }
    (d / gc.CHECKSUMS).write_text(json.dumps({"version": 1, "files": files}))
    gc.verify_checkpoint(d)
    assert gc.resolve_base_model(str(d)).path == d.resolve()
    (d / "model.safetensors").write_bytes(b"weightz")
    gc._VERIFIED.clear()
    with pytest.raises(PathsynthError, match="does not match its checksum"):
        gc.verify_checkpoint(d)


def test_a_base_model_that_is_nothing_known_is_a_one_line_error(tmp_path) -> None:
    from pathsynth.llm.gguf_checkpoint import resolve_base_model

    with pytest.raises(PathsynthError, match="not a local model directory"):
        resolve_base_model(tmp_path / "missing")
