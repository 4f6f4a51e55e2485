"""`pathsynth reports generate` as a user runs it: killed mid-way, re-run, nothing lost or
duplicated; bad input gives one line and no file."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from pathsynth.cohort import simulate_cohort, write_records

ROOT = Path(__file__).resolve().parents[2]
SERVER = ROOT / "tests" / "support" / "openai_server.py"


@pytest.fixture
def server_url(tmp_path: Path) -> Iterator[str]:
    """A server process answering after 20 ms, failing a tenth of first attempts with 429/500."""
    port_file = tmp_path / "port"
    args = [sys.executable, str(SERVER), "--port-file", str(port_file), "--delay", "0.02"]
    proc = subprocess.Popen([*args, "--faults", "429,500", "--fault-share", "0.1"])
    try:
        deadline = time.monotonic() + 20
        while not port_file.exists():
            assert time.monotonic() < deadline, "test server did not start"
            assert proc.poll() is None, "test server died"
            time.sleep(0.05)
        yield f"http://127.0.0.1:{port_file.read_text()}/v1"
    finally:
        proc.terminate()
        proc.wait(10)


def _cli(*args: str) -> list[str]:
    return [sys.executable, "-c", "from pathsynth.cli import main; main()", *args]


def _count(path: Path) -> int:
    return path.read_bytes().count(b"\n") if path.exists() else 0


@pytest.mark.slow
def test_kill_and_resume_loses_and_duplicates_nothing(tmp_path: Path, server_url: str) -> None:
    records = tmp_path / "records.csv"
    write_records(simulate_cohort(400, seed=4), records)
    out = tmp_path / "reports.jsonl"
    args = _cli(
        "reports", "generate", "--records", str(records), "--lang", "fr", "--out", str(out),
        "--teacher", f"openai:m1@{server_url}?backoff_base=0.02",
        "--teacher", f"openai:m2@{server_url}?backoff_base=0.02",
        "--concurrency", "8", "--seed", "7", "--quiet",
    )  # fmt: skip
    proc = subprocess.Popen(args, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    deadline = time.monotonic() + 60
    while _count(out) < 60:
        assert proc.poll() is None, proc.stderr.read().decode() if proc.stderr else ""
        assert time.monotonic() < deadline
        time.sleep(0.02)
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait(10)
    first = _count(out)
    assert 60 <= first < 400, "the run must be killed mid-way"
    # What a kill during a write could leave: half a line, which the re-run cuts away.
    with out.open("ab") as fh:
        fh.write(b'{"id": "torn-line", "te')

    done = subprocess.run(args, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    rows = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    ids = [r["id"] for r in rows]
    assert len(ids) == len(set(ids)) == 400
    assert "torn-line" not in ids
    expected = {f"SIM-{i:06d}-fr-{'m1' if (i - 1) % 2 == 0 else 'm2'}" for i in range(1, 401)}
    assert set(ids) == expected
    assert all(r["text"].startswith("Report ") and len(r["prompt_sha256"]) == 64 for r in rows)

    # A third run has nothing left to do.
    again = subprocess.run(args, capture_output=True, text=True, timeout=60)
    assert again.returncode == 0 and _count(out) == 400


def test_bad_teacher_is_one_line_and_no_file(tmp_path: Path) -> None:
    records = tmp_path / "records.csv"
    write_records(simulate_cohort(3, seed=1), records)
    out = tmp_path / "reports.jsonl"
    done = subprocess.run(
        _cli("reports", "generate", "--records", str(records), "--lang", "en",
             "--teacher", "openai:model-without-server", "--out", str(out)),
        capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert done.returncode == 2
    assert done.stderr.strip().count("\n") == 0
    assert "error:" in done.stderr and "openai:MODEL@BASE_URL" in done.stderr
    assert not out.exists()
