"""``openai:MODEL@URL[,URL...]``: any OpenAI-compatible server (vLLM, Ollama, llama.cpp server,
TGI, hosted APIs) through the official ``openai`` async client.

Requests are spread round-robin over the base URLs (one model served by several GPU servers),
bounded by a semaphore, and retried with exponential backoff and jitter on 429, 5xx, timeouts
and dropped connections; a retry goes to the next server.
"""

from __future__ import annotations

import asyncio
import itertools
import json
import math
import os
import random
import ssl
from dataclasses import dataclass, field
from typing import Any, Literal

import httpx2
import openai

from pathsynth.errors import PathsynthError
from pathsynth.llm._common import (
    GenerationError,
    RetryPolicy,
    completion_stops,
    messages_to_prompt,
)
from pathsynth.llm.base import Generation, GenerationRequest

API_KEY_VARIABLES = ("PATHSYNTH_API_KEY", "OPENAI_API_KEY")
# Each httpx connection pool scans its connections on every request, so large pools cost CPU per
# request; several smaller clients per server keep that scan short at high concurrency.
_CONNECTIONS_PER_CLIENT = 16
_RETRY_STATUSES = {408, 409, 425, 429}
_FATAL_STATUSES = {401, 403, 404}


@dataclass(frozen=True)
class OpenAIConfig:
    """Options of an OpenAI-compatible teacher (``?name=value`` in the spec, or keywords)."""

    concurrency: int = 64
    """Requests in flight at once over all base URLs (keep a vLLM server's batch full)."""
    endpoint: Literal["chat", "completion"] = "chat"
    """``chat`` (/chat/completions, the server applies the chat template) or ``completion``
    (/completions with the messages joined into one text, for base models)."""
    timeout: float = 300.0
    """Seconds one attempt may take, answer included."""
    connect_timeout: float = 10.0
    max_retries: int = 6
    backoff_base: float = 0.5
    backoff_max: float = 30.0
    api_key_env: str = ""
    """Environment variable holding the key; default PATHSYNTH_API_KEY, then OPENAI_API_KEY,
    else "EMPTY" (what local servers accept)."""
    json_field: Literal["response_format", "guided_json"] = "response_format"
    """How a JSON schema constrains output: OpenAI's ``response_format`` (vLLM, Ollama,
    llama.cpp server) or vLLM's older ``guided_json`` extra field."""
    top_p: float | None = None
    extra_body: dict[str, Any] = field(default_factory=dict)
    """Extra JSON fields sent with every request (e.g. ``{"repetition_penalty": 1.05}``)."""


def _api_key(config: OpenAIConfig) -> str:
    names = (config.api_key_env,) if config.api_key_env else API_KEY_VARIABLES
    for name in names:
        value = os.environ.get(name)
        if value:
            return value
    if config.api_key_env:
        raise PathsynthError(f"environment variable {config.api_key_env} (the API key) is not set")
    return "EMPTY"


def normalize_base_url(url: str) -> str:
    """``host:8000`` → ``http://host:8000/v1``; a URL with a path is kept as given."""
    url = url.strip().rstrip("/")
    if not url:
        raise PathsynthError("empty base URL in an openai: teacher spec")
    if "://" not in url:
        url = "http://" + url
    scheme, _, rest = url.partition("://")
    if scheme not in {"http", "https"}:
        raise PathsynthError(f"base URL {url!r} must start with http:// or https://")
    if "/" not in rest:
        url += "/v1"
    return url


def _retry_hint(exc: openai.APIStatusError) -> float | None:
    headers = exc.response.headers
    try:
        if "retry-after-ms" in headers:
            return float(headers["retry-after-ms"]) / 1000
        if "retry-after" in headers:
            return float(headers["retry-after"])
    except ValueError:
        return None
    return None


class OpenAIGenerator:
    """A model behind one or several OpenAI-compatible servers."""

    def __init__(
        self, model: str, base_urls: list[str], config: OpenAIConfig | None = None
    ) -> None:
        if not model:
            raise PathsynthError("an openai: teacher needs a model name: openai:MODEL@BASE_URL")
        if not base_urls:
            raise PathsynthError(f"openai:{model} needs a base URL: openai:{model}@BASE_URL")
        self.config = config or OpenAIConfig()
        if self.config.concurrency < 1:
            raise PathsynthError("concurrency must be at least 1")
        self.model = model
        self.name = f"openai:{model}"
        self.base_urls = [normalize_base_url(u) for u in base_urls]
        self.max_concurrency = self.config.concurrency
        self._retry = RetryPolicy(
            self.config.max_retries, self.config.backoff_base, self.config.backoff_max
        )
        self._semaphore = asyncio.Semaphore(self.config.concurrency)
        key = _api_key(self.config)
        n_clients = max(1, math.ceil(self.config.concurrency / _CONNECTIONS_PER_CLIENT))
        per_client = max(1, math.ceil(self.config.concurrency / n_clients))
        timeout = httpx2.Timeout(self.config.timeout, connect=self.config.connect_timeout)
        # One TLS context for all clients (each would load the CA bundle again); plain-HTTP
        # servers (local vLLM, Ollama) need none.
        https = any(u.startswith("https://") for u in self.base_urls)
        verify: ssl.SSLContext | bool = httpx2.create_ssl_context() if https else False
        # Clients per server, interleaved so consecutive requests go to different servers.
        by_url = [
            [
                openai.AsyncOpenAI(
                    base_url=url,
                    api_key=key,
                    max_retries=0,  # retries are ours: they move to the next server
                    timeout=timeout,
                    http_client=openai.DefaultAsyncHttpxClient(
                        timeout=timeout,
                        verify=verify,
                        limits=httpx2.Limits(
                            max_connections=per_client, max_keepalive_connections=per_client
                        ),
                    ),
                )
                for _ in range(n_clients)
            ]
            for url in self.base_urls
        ]
        self._clients = [c for group in zip(*by_url, strict=True) for c in group]
        self._next = itertools.cycle(range(len(self._clients)))
        self._rng = random.Random(0)

    def _body(self, request: GenerationRequest) -> dict[str, Any]:
        body: dict[str, Any] = {
            "model": self.model,
            "temperature": request.temperature,
            "max_tokens": request.max_tokens,
            "seed": request.seed,
        }
        if self.config.endpoint == "chat":
            body["messages"] = request.messages
        else:
            body["prompt"] = messages_to_prompt(request.messages)
            stops = completion_stops(request.messages)
            if stops:
                body["stop"] = stops
        if self.config.top_p is not None:
            body["top_p"] = self.config.top_p
        if request.json_schema is not None:
            if self.config.json_field == "guided_json":
                body["guided_json"] = request.json_schema
            else:
                body["response_format"] = {
                    "type": "json_schema",
                    "json_schema": {"name": "answer", "schema": request.json_schema},
                }
        body.update(self.config.extra_body)
        return body

    async def _once(self, client: openai.AsyncOpenAI, request: GenerationRequest) -> Generation:
        # The client's own post(): same connection pool, auth, headers and status errors as
        # chat.completions.create(), without re-walking the messages through its typed-dict
        # transform and pydantic models, which cost more CPU than the request itself.
        chat = self.config.endpoint == "chat"
        path = "/chat/completions" if chat else "/completions"
        response = await client.post(path, cast_to=httpx2.Response, body=self._body(request))
        try:
            data = json.loads(response.content)
            choice = data["choices"][0]
            text = (choice["message"]["content"] if chat else choice["text"]) or ""
            usage = data.get("usage") or {}
        except (ValueError, KeyError, IndexError, TypeError):
            raise GenerationError(
                f"{self.name} at {client.base_url}: not a {path} answer: {response.text[:120]!r}"
            ) from None
        return Generation(
            text=str(text).strip(),
            prompt_tokens=int(usage.get("prompt_tokens") or 0),
            completion_tokens=int(usage.get("completion_tokens") or 0),
            model=str(data.get("model") or self.model),
        )

    async def agenerate(self, request: GenerationRequest) -> Generation:
        """Answer one request, retrying transient failures on the next server."""
        async with self._semaphore:
            attempt = 0
            index = next(self._next)
            while True:
                # Clients are interleaved by base URL, so index + 1 is the next server: a retry
                # never lands on the server that just failed, whatever other requests do.
                client = self._clients[(index + attempt) % len(self._clients)]
                try:
                    return await self._once(client, request)
                except openai.APIStatusError as exc:
                    status = exc.status_code
                    if status in _FATAL_STATUSES:
                        raise GenerationError(
                            f"{self.name} at {client.base_url}: HTTP {status} "
                            f"({_short(exc)}); check the model name and the API key variable",
                            fatal=True,
                        ) from None
                    if status < 500 and status not in _RETRY_STATUSES:
                        raise GenerationError(
                            f"{self.name}: HTTP {status}: {_short(exc)}"
                        ) from None
                    if attempt >= self._retry.max_retries:
                        raise GenerationError(
                            f"{self.name}: HTTP {status} after {attempt + 1} attempts"
                        ) from None
                    hint = _retry_hint(exc)
                except (openai.APIConnectionError, httpx2.TransportError) as exc:
                    if attempt >= self._retry.max_retries:
                        raise GenerationError(
                            f"{self.name} at {client.base_url}: {type(exc).__name__} after "
                            f"{attempt + 1} attempts; is the server running?"
                        ) from None
                    hint = None
                await asyncio.sleep(self._retry.delay(attempt, self._rng, hint))
                attempt += 1

    async def aclose(self) -> None:
        """Close every connection pool."""
        await asyncio.gather(*(c.close() for c in self._clients))


def _short(exc: openai.APIStatusError) -> str:
    body = exc.body
    if isinstance(body, dict):
        err = body.get("error", body)
        message = err.get("message") if isinstance(err, dict) else err
        if message:
            return str(message).splitlines()[0][:200]
    return exc.message.splitlines()[0][:200]
