"""Run native code (llama.cpp) in a child Python, so a crash fails one test, never the session."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import textwrap
from typing import Any

import pytest


def run_isolated(code: str, *, env: dict[str, str] | None = None, timeout: float = 300) -> Any:
    """Run ``code`` in a fresh interpreter; it prints one JSON value on its last line, returned
    here. A child killed by a signal (SIGILL from a library built for another CPU) or failing
    fails the calling test with what happened."""
    child_env = {**os.environ, **(env or {})}
    done = subprocess.run(
        [sys.executable, "-c", textwrap.dedent(code)],
        capture_output=True,
        text=True,
        timeout=timeout,
        env=child_env,
        check=False,
    )
    if done.returncode < 0:
        name = signal.Signals(-done.returncode).name
        pytest.fail(f"the child process was killed by {name} (native code crashed)", pytrace=False)
    if done.returncode != 0:
        tail = "\n".join(done.stderr.strip().splitlines()[-5:])
        pytest.fail(f"the child process failed (exit {done.returncode}):\n{tail}", pytrace=False)
    return json.loads(done.stdout.strip().splitlines()[-1])
