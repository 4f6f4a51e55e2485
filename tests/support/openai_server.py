"""A small OpenAI-compatible HTTP server on 127.0.0.1 for tests and benchmarks.

It speaks enough of the API for the project's clients (``POST /v1/chat/completions``,
``POST /v1/completions``, ``GET /v1/models``) over real sockets with HTTP/1.1 keep-alive, and
answers deterministically: the same request body always gets the same text. Faults are injected
on purpose so tests can prove retries: ``faults=[429, 500]`` makes the first attempt of each
request fail with 429 and the second with 500 (``0`` drops the connection without an answer);
``fault_share`` limits this to a stable fraction of the requests; ``delay`` holds each answer.

In-process use (a thread runs the event loop)::

    with OpenAIServer(delay=0.05, faults=[429]) as server:
        client = AsyncOpenAI(base_url=server.base_url, api_key="EMPTY")
        ...
        server.stats.max_in_flight

As a process (benchmarks, kill tests)::

    python tests/support/openai_server.py --port-file port.txt [--delay S] [--faults 429,500]

``GET /stats`` returns the counters as JSON. Only the standard library is used.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import hashlib
import json
import threading
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

# (endpoint, body) -> answer text; endpoint is "chat" or "completion".
Responder = Callable[[str, dict[str, Any]], str]

_REASONS = {200: "OK", 400: "Bad Request", 404: "Not Found", 429: "Too Many Requests"}


@dataclass
class ServerStats:
    """What the server saw: attempts, answers by status, the most requests held at once."""

    requests: int = 0
    by_status: Counter[int] = field(default_factory=Counter)
    dropped: int = 0
    in_flight: int = 0
    max_in_flight: int = 0
    connections: int = 0
    bodies: list[dict[str, Any]] = field(default_factory=list)
    authorization: set[str] = field(default_factory=set)

    def as_dict(self) -> dict[str, Any]:
        return {
            "requests": self.requests,
            "by_status": {str(k): v for k, v in self.by_status.items()},
            "dropped": self.dropped,
            "max_in_flight": self.max_in_flight,
            "connections": self.connections,
        }


def _tokens(text: str) -> int:
    """About four characters a token, as for English text with common tokenizers."""
    return max(1, len(text) // 4)


def default_responder(endpoint: str, body: dict[str, Any]) -> str:
    """A deterministic report: a digest of the request, then the prompt's ``- key: value`` lines.

    Constrained requests (``response_format`` json_schema or ``guided_json``) get a JSON object
    with every property of the schema set to null.
    """
    if endpoint == "chat":
        messages = body.get("messages") or []
        prompt = str(messages[-1].get("content", "")) if messages else ""
    else:
        prompt = str(body.get("prompt", ""))
    schema = body.get("guided_json")
    rf = body.get("response_format")
    if schema is None and isinstance(rf, dict) and rf.get("type") == "json_schema":
        schema = (rf.get("json_schema") or {}).get("schema")
    if isinstance(schema, dict):
        return json.dumps(dict.fromkeys(schema.get("properties", {})))
    material = f"{body.get('model')}|{body.get('seed')}|{body.get('temperature')}|{prompt}"
    digest = hashlib.sha256(material.encode()).hexdigest()[:12]
    facts = [line[2:] for line in prompt.splitlines() if line.startswith("- ")]
    return f"Report {digest}.\n" + "\n".join(facts)


class _Connection(asyncio.Protocol):
    def __init__(self, server: OpenAIServer) -> None:
        self.server = server
        self.buffer = b""
        self.busy = False
        self.transport: asyncio.Transport | None = None

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        assert isinstance(transport, asyncio.Transport)
        self.transport = transport
        self.server.stats.connections += 1

    def data_received(self, data: bytes) -> None:
        self.buffer += data
        self._next()

    def _next(self) -> None:
        # One request at a time per connection keeps answers in order under delays.
        if self.busy or self.transport is None or self.transport.is_closing():
            return
        end = self.buffer.find(b"\r\n\r\n")
        if end < 0:
            return
        head = self.buffer[:end].decode("latin-1").split("\r\n")
        headers = {}
        for line in head[1:]:
            name, _, value = line.partition(":")
            headers[name.strip().lower()] = value.strip()
        length = int(headers.get("content-length", "0"))
        if len(self.buffer) < end + 4 + length:
            return
        body = self.buffer[end + 4 : end + 4 + length]
        self.buffer = self.buffer[end + 4 + length :]
        method, path = head[0].split(" ")[:2]
        self.busy = True
        if "authorization" in headers:
            self.server.stats.authorization.add(headers["authorization"])
        self.server._handle(self, method, path, body, headers.get("connection") == "close")

    def respond(
        self, status: int, payload: Any, close: bool, extra: dict[str, str] | None = None
    ) -> None:
        transport = self.transport
        if transport is None or transport.is_closing():
            return
        data = json.dumps(payload).encode()
        lines = [
            f"HTTP/1.1 {status} {_REASONS.get(status, 'Error')}",
            "content-type: application/json",
            f"content-length: {len(data)}",
        ]
        lines += [f"{k}: {v}" for k, v in (extra or {}).items()]
        if close:
            lines.append("connection: close")
        transport.write(("\r\n".join(lines) + "\r\n\r\n").encode() + data)
        self.busy = False
        if close:
            transport.close()
        else:
            self._next()

    def drop(self) -> None:
        if self.transport is not None:
            self.transport.abort()


class OpenAIServer:
    """A deterministic OpenAI-compatible server on 127.0.0.1 with injected faults and delays."""

    def __init__(
        self,
        *,
        responder: Responder | None = None,
        delay: float = 0.0,
        faults: Sequence[int] = (),
        fault_share: float = 1.0,
        port: int = 0,
        model: str = "test-model",
        keep_bodies: bool = True,
    ) -> None:
        self.responder = responder or default_responder
        self.delay = delay
        self.faults = list(faults)
        self.fault_share = fault_share
        self.port = port
        self.model = model
        self.keep_bodies = keep_bodies
        self.stats = ServerStats()
        self._attempts: Counter[str] = Counter()
        self._loop: asyncio.AbstractEventLoop | None = None
        self._server: asyncio.Server | None = None
        self._thread: threading.Thread | None = None

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/v1"

    # -- life cycle ------------------------------------------------------------------------

    async def serve(self) -> None:
        """Listen until cancelled (for use inside a running event loop)."""
        await self._listen()
        assert self._server is not None
        async with self._server:
            await self._server.serve_forever()

    async def _listen(self) -> None:
        self._loop = asyncio.get_running_loop()
        self._server = await self._loop.create_server(
            lambda: _Connection(self), "127.0.0.1", self.port, backlog=1024
        )
        self.port = self._server.sockets[0].getsockname()[1]

    def start(self) -> OpenAIServer:
        """Serve from a background thread; returns once the port is bound."""
        ready = threading.Event()

        def run() -> None:
            loop = asyncio.new_event_loop()
            loop.run_until_complete(self._listen())
            ready.set()
            loop.run_forever()
            assert self._server is not None
            self._server.close()
            loop.run_until_complete(self._server.wait_closed())
            loop.close()

        self._thread = threading.Thread(target=run, daemon=True)
        self._thread.start()
        ready.wait(10)
        return self

    def stop(self) -> None:
        if self._loop is not None and self._thread is not None:
            self._loop.call_soon_threadsafe(self._loop.stop)
            self._thread.join(10)
            self._thread = None

    def __enter__(self) -> OpenAIServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # -- requests ------------------------------------------------------------------------

    def _handle(self, conn: _Connection, method: str, path: str, raw: bytes, close: bool) -> None:
        path = path.split("?")[0].rstrip("/")
        if method == "GET" and path.endswith("/models"):
            conn.respond(
                200, {"object": "list", "data": [{"id": self.model, "object": "model"}]}, close
            )
            return
        if method == "GET" and path.endswith("/stats"):
            conn.respond(200, self.stats.as_dict(), close)
            return
        if method != "POST" or not path.endswith(("/chat/completions", "/completions")):
            conn.respond(404, {"error": {"message": f"no route {method} {path}"}}, close)
            return
        endpoint = "chat" if path.endswith("/chat/completions") else "completion"
        stats = self.stats
        stats.requests += 1
        try:
            body = json.loads(raw)
        except ValueError:
            conn.respond(400, {"error": {"message": "body is not JSON"}}, close)
            return
        fault = self._fault(raw)
        if fault is None:
            stats.in_flight += 1
            stats.max_in_flight = max(stats.max_in_flight, stats.in_flight)
        if self.keep_bodies:
            stats.bodies.append(body)

        def answer() -> None:
            if fault == 0:
                stats.dropped += 1
                conn.drop()
                return
            if fault is not None:
                stats.by_status[fault] += 1
                extra = {"retry-after-ms": "10"} if fault == 429 else None
                error = {"error": {"message": f"injected {fault}", "type": "injected"}}
                conn.respond(fault, error, close, extra)
                return
            stats.in_flight -= 1
            stats.by_status[200] += 1
            conn.respond(200, self._completion(endpoint, body), close)

        if self.delay > 0 and fault is None:
            assert self._loop is not None
            self._loop.call_later(self.delay, answer)
        else:
            answer()

    def _fault(self, raw: bytes) -> int | None:
        if not self.faults:
            return None
        key = hashlib.sha1(raw).hexdigest()
        if int(key[:8], 16) / 0xFFFFFFFF >= self.fault_share:
            return None
        self._attempts[key] += 1
        attempt = self._attempts[key]
        return self.faults[attempt - 1] if attempt <= len(self.faults) else None

    def _completion(self, endpoint: str, body: dict[str, Any]) -> dict[str, Any]:
        text = self.responder(endpoint, body)
        if endpoint == "chat":
            prompt_chars = sum(len(str(m.get("content", ""))) for m in body.get("messages", []))
            choice: dict[str, Any] = {
                "index": 0,
                "message": {"role": "assistant", "content": text},
                "finish_reason": "stop",
            }
            kind = "chat.completion"
        else:
            prompt_chars = len(str(body.get("prompt", "")))
            choice = {"index": 0, "text": text, "finish_reason": "stop", "logprobs": None}
            kind = "text_completion"
        usage = {"prompt_tokens": max(1, prompt_chars // 4), "completion_tokens": _tokens(text)}
        usage["total_tokens"] = usage["prompt_tokens"] + usage["completion_tokens"]
        return {
            "id": "cmpl-test",
            "object": kind,
            "created": 0,
            "model": body.get("model", self.model),
            "choices": [choice],
            "usage": usage,
        }


def main(argv: list[str] | None = None) -> None:
    """Run the server as a process until killed; its port goes to ``--port-file``."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--port-file", type=Path)
    parser.add_argument("--delay", type=float, default=0.0)
    parser.add_argument("--faults", default="", help="comma-separated statuses, e.g. 429,500")
    parser.add_argument("--fault-share", type=float, default=1.0)
    args = parser.parse_args(argv)
    faults = [int(f) for f in args.faults.split(",") if f.strip()]
    server = OpenAIServer(
        port=args.port,
        delay=args.delay,
        faults=faults,
        fault_share=args.fault_share,
        keep_bodies=False,
    )

    async def run() -> None:
        await server._listen()
        if args.port_file:
            tmp = args.port_file.with_suffix(".tmp")
            tmp.write_text(str(server.port))
            tmp.replace(args.port_file)
        assert server._server is not None
        async with server._server:
            await server._server.serve_forever()

    with contextlib.suppress(KeyboardInterrupt):
        asyncio.run(run())


if __name__ == "__main__":
    main()
