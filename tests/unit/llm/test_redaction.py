"""Secrets never reach a terminal or a file: a server that echoes the request's headers, a
password in a base URL, keys in any message."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from pathsynth.cli import main
from pathsynth.cohort import simulate_cohort, write_records
from pathsynth.errors import PathsynthError, redact

KEY = "sk-test-0123456789abcdefXYZ"


class _Echo(BaseHTTPRequestHandler):
    """Answers every request with HTTP 400 and the request's headers in the error message."""

    def do_POST(self) -> None:
        self.rfile.read(int(self.headers.get("content-length", 0)))
        headers = "; ".join(f"{k}: {v}" for k, v in self.headers.items())
        body = json.dumps({"error": {"message": f"bad request, headers: {headers}"}}).encode()
        self.send_response(400)
        self.send_header("content-type", "application/json")
        self.send_header("content-length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def echo_url() -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Echo)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"127.0.0.1:{server.server_address[1]}/v1"
    finally:
        server.shutdown()


def test_a_server_echoing_the_key_and_a_url_password_print_neither(
    echo_url: str,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("PATHSYNTH_API_KEY", KEY)
    records = tmp_path / "r.csv"
    write_records(simulate_cohort(3, seed=1), records)
    # With a password in the URL the client sends Basic auth; without, the key as a bearer.
    for userinfo, scheme in (("bob:hunter2pass@", "Basic"), ("", "Bearer")):
        spec = f"openai:m@http://{userinfo}{echo_url}?max_retries=0"
        args = ["reports", "generate", "--records", str(records), "--teacher", spec]
        with pytest.raises(SystemExit) as info:
            main([*args, "--lang", "fr", "--out", str(tmp_path / "o.jsonl"), "--quiet"])
        err = capsys.readouterr().err
        assert info.value.code == 1, err  # the requests failed: re-run to retry
        assert "HTTP 400" in err, err
        assert f"authorization: {scheme.lower()} ***" in err.lower(), err
        assert KEY not in err and "hunter2pass" not in err and "0123456789" not in err
        assert not (tmp_path / "o.jsonl").exists()


@pytest.mark.parametrize(
    ("text", "secret"),
    [
        ("Authorization: Bearer eyJhbGciOiJIUzI1NiJ9.e30.abc", "eyJhbGciOi"),
        ("openai:m@https://user:p4ssw0rd@host/v1", "p4ssw0rd"),
        ("https://ghp_token123456@github.com/x", "ghp_token123456"),
        ('{"api_key": "abcdef123456"}', "abcdef123456"),
        ("GET /v1?api_key=zzz987&x=1", "zzz987"),
        ("key sk-proj-AbCdEf123456 refused", "AbCdEf123456"),
        ("hf_AbCdEfGhIjKlMn is invalid", "AbCdEfGhIjKlMn"),
    ],
)
def test_redact_blanks_keys_tokens_and_url_credentials(text: str, secret: str) -> None:
    assert secret not in redact(text)
    assert secret not in str(PathsynthError(text))


def test_ordinary_words_stay(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("PATHSYNTH_API_KEY", raising=False)
    text = "max_tokens=768, token budget, the tokenizer of openai:m@http://host:8000/v1"
    assert redact(text) == text
