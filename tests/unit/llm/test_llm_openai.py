"""The openai: backend against a real local HTTP server: bodies, retries, concurrency,
round-robin over several servers, fatal errors, constrained output."""

from __future__ import annotations

import asyncio
import socket
import time
from collections.abc import Iterator

import pytest

from pathsynth.llm import GenerationError, GenerationRequest, make_generator
from pathsynth.llm.openai_compat import OpenAIGenerator
from support.openai_server import OpenAIServer

FAST = "max_retries=4&backoff_base=0.01&backoff_max=0.05"


@pytest.fixture
def server() -> Iterator[OpenAIServer]:
    with OpenAIServer() as srv:
        yield srv


def _request(i: int = 0, **kw: object) -> GenerationRequest:
    messages = [
        {"role": "system", "content": "You write reports."},
        {"role": "user", "content": f"Findings:\n- size: {i} mm\n- grade: 2"},
    ]
    return GenerationRequest(id=f"r{i}", messages=messages, seed=100 + i, **kw)  # type: ignore[arg-type]


def _run(gen: OpenAIGenerator, requests: list[GenerationRequest]) -> list:
    async def go() -> list:
        try:
            return await asyncio.gather(*(gen.agenerate(r) for r in requests))
        finally:
            await gen.aclose()

    return asyncio.run(go())


def _gen(spec: str, **options: object) -> OpenAIGenerator:
    gen = make_generator(spec, **options)
    assert isinstance(gen, OpenAIGenerator)
    return gen


def test_chat_request_carries_seed_temperature_and_returns_usage(server: OpenAIServer) -> None:
    gen = _gen(f"openai:test-model@{server.base_url}")
    [out] = _run(gen, [_request(7, temperature=0.3, max_tokens=99)])
    assert out.text.startswith("Report ")
    assert "size: 7 mm" in out.text
    assert out.completion_tokens > 0 and out.prompt_tokens > 0
    body = server.stats.bodies[-1]
    assert body["seed"] == 107
    assert body["temperature"] == 0.3
    assert body["max_tokens"] == 99
    assert body["messages"][0]["role"] == "system"


def test_completion_endpoint_joins_the_messages(server: OpenAIServer) -> None:
    gen = _gen(f"openai:test-model@{server.base_url}?endpoint=completion")
    [out] = _run(gen, [_request(3)])
    body = server.stats.bodies[-1]
    assert "messages" not in body
    assert body["prompt"].startswith("You write reports.")
    assert body["prompt"].endswith("- grade: 2\n\n")
    assert "size: 3 mm" in out.text


def test_api_key_comes_from_the_environment(
    server: OpenAIServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("OPENAI_API_KEY", raising=False)
    monkeypatch.setenv("PATHSYNTH_API_KEY", "sk-test-123")
    _run(_gen(f"openai:m@{server.base_url}"), [_request()])
    assert "Bearer sk-test-123" in server.stats.authorization
    monkeypatch.delenv("PATHSYNTH_API_KEY")
    _run(_gen(f"openai:m@{server.base_url}"), [_request()])
    assert "Bearer EMPTY" in server.stats.authorization


def test_retries_429_500_and_dropped_connections() -> None:
    with OpenAIServer(faults=[429, 500, 0]) as srv:
        gen = _gen(f"openai:m@{srv.base_url}?{FAST}")
        outs = _run(gen, [_request(i) for i in range(5)])
    assert all(o.text.startswith("Report") for o in outs)
    assert srv.stats.by_status[429] == 5
    assert srv.stats.by_status[500] == 5
    assert srv.stats.dropped == 5
    assert srv.stats.by_status[200] == 5


def test_gives_up_after_max_retries() -> None:
    with OpenAIServer(faults=[503, 503, 503]) as srv:
        gen = _gen(f"openai:m@{srv.base_url}?max_retries=1&backoff_base=0.01")
        with pytest.raises(GenerationError, match="HTTP 503 after 2 attempts") as err:
            _run(gen, [_request()])
    assert not err.value.fatal


def test_unknown_model_is_fatal_and_not_retried() -> None:
    with OpenAIServer(faults=[404]) as srv:
        gen = _gen(f"openai:m@{srv.base_url}?{FAST}")
        with pytest.raises(GenerationError, match="HTTP 404") as err:
            _run(gen, [_request()])
    assert err.value.fatal
    assert srv.stats.requests == 1


def test_concurrency_is_bounded_and_used() -> None:
    with OpenAIServer(delay=0.15) as srv:
        gen = _gen(f"openai:m@{srv.base_url}", concurrency=8)
        start = time.perf_counter()
        _run(gen, [_request(i) for i in range(32)])
        elapsed = time.perf_counter() - start
    assert srv.stats.max_in_flight == 8
    # 32 requests, 8 at a time, 0.15 s each: about 0.6 s, far from the 4.8 s of one at a time.
    assert elapsed < 2.5


def test_round_robin_over_several_servers() -> None:
    with OpenAIServer() as a, OpenAIServer() as b:
        gen = _gen(f"openai:m@{a.base_url},{b.base_url}", concurrency=4)
        _run(gen, [_request(i) for i in range(40)])
    assert a.stats.requests == 20
    assert b.stats.requests == 20


def test_a_dead_server_is_skipped_by_retries() -> None:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        dead = f"http://127.0.0.1:{s.getsockname()[1]}/v1"
    with OpenAIServer() as live:
        gen = _gen(f"openai:m@{dead},{live.base_url}?{FAST}", concurrency=4)
        outs = _run(gen, [_request(i) for i in range(12)])
    assert len(outs) == 12 and all(o.text for o in outs)
    assert live.stats.by_status[200] == 12


@pytest.mark.parametrize("field", ["response_format", "guided_json"])
def test_json_schema_constrained_output(server: OpenAIServer, field: str) -> None:
    schema = {"type": "object", "properties": {"grade": {"type": ["integer", "null"]}}}
    gen = _gen(f"openai:m@{server.base_url}?json_field={field}")
    [out] = _run(gen, [_request(json_schema=schema)])
    assert out.text == '{"grade": null}'
    body = server.stats.bodies[-1]
    if field == "guided_json":
        assert body["guided_json"] == schema
    else:
        assert body["response_format"]["json_schema"]["schema"] == schema
