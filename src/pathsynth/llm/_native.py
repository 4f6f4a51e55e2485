"""A crash-proof check of the llama.cpp build before a process first uses it.

llama-cpp-python compiles native code; a build tuned for another CPU (AVX-512, AMX) dies with
SIGILL at its first matrix product, killing whatever process loaded it. So, once per library
build and CPU, a child process loads the model and generates a few tokens; the parent reads its
exit status. The verdict is cached beside the assembled models (``cache_dir()/probes``), keyed
by the library files, the llama-cpp-python version, the Python interpreter and the CPU flags, so
a rebuild or another machine probes again.
"""

from __future__ import annotations

import hashlib
import importlib.util
import json
import os
import signal
import subprocess
import sys
import threading
from dataclasses import dataclass
from pathlib import Path

from pathsynth._io import atomic_path
from pathsynth.errors import PathsynthError

REBUILD_HINT = "rebuild it portably with `make install-llamacpp` (scripts/install-llamacpp.sh)"
PROBE_TIMEOUT_S = 180.0
_LOCK = threading.Lock()
_VERDICTS: dict[str, Probe] = {}

# What the child runs: load the model on the CPU and generate a few greedy tokens, which
# exercises the matrix kernels that an unsupported instruction set kills.
_CHILD = """
import sys, llama_cpp
llm = llama_cpp.Llama(model_path=sys.argv[1], n_ctx=256, n_gpu_layers=0, verbose=False)
out = llm.create_completion("Invasive ductal carcinoma, grade", max_tokens=4, temperature=0.0)
sys.stdout.write("ok %d" % out["usage"]["completion_tokens"])
"""


class NativeBackendError(PathsynthError):
    """The native llama.cpp library cannot run on this machine."""


@dataclass(frozen=True)
class Probe:
    """The verdict on one llama.cpp build: ``ok``, or why not (one line)."""

    ok: bool
    reason: str = ""


def _library_files() -> list[Path]:
    spec = importlib.util.find_spec("llama_cpp")
    if spec is None or not spec.submodule_search_locations:
        return []
    root = Path(next(iter(spec.submodule_search_locations)))
    return sorted(p for p in root.rglob("*") if p.suffix in {".so", ".dylib", ".dll"})


def _cpu_flags() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text("utf-8", "replace").splitlines():
            if line.startswith(("flags", "Features")):
                return " ".join(sorted(line.split(":", 1)[1].split()))
    except OSError:
        pass
    import platform

    return platform.processor() or platform.machine()


def build_key() -> str:
    """A digest of what decides whether the library runs here."""
    from importlib.metadata import PackageNotFoundError, version

    try:
        ver = version("llama-cpp-python")
    except PackageNotFoundError:
        ver = "?"
    h = hashlib.sha256(f"{ver}|{sys.executable}|{_cpu_flags()}".encode())
    for f in _library_files():
        st = f.stat()
        h.update(f"|{f}|{st.st_size}|{st.st_mtime_ns}".encode())
    return h.hexdigest()[:24]


def _describe(returncode: int, stderr: str) -> str:
    if returncode < 0:
        try:
            name = signal.Signals(-returncode).name
        except ValueError:
            name = f"signal {-returncode}"
        if name == "SIGILL":
            return f"llama.cpp crashed ({name}, illegal instruction: built for another CPU)"
        return f"llama.cpp crashed ({name})"
    last = [line for line in stderr.strip().splitlines() if line.strip()]
    return f"llama.cpp failed (exit {returncode}: {last[-1][:160] if last else 'no message'})"


def probe(model_path: str | Path, *, timeout: float = PROBE_TIMEOUT_S) -> Probe:
    """Whether the installed llama.cpp runs ``model_path`` here, asked of a child process once
    per library build (the verdict is cached in memory and on disk)."""
    from pathsynth.llm.llamacpp import cache_dir

    if importlib.util.find_spec("llama_cpp") is None:
        return Probe(False, "llama-cpp-python is not installed")
    key = build_key()
    with _LOCK:
        if key in _VERDICTS:
            return _VERDICTS[key]
        record = cache_dir() / "probes" / f"llamacpp-{key}.json"
        try:
            data = json.loads(record.read_text("utf-8"))
            verdict = Probe(bool(data["ok"]), str(data.get("reason", "")))
        except (OSError, ValueError, KeyError, TypeError):
            verdict = _run_child(Path(model_path), timeout)
            if verdict.reason != "timeout":  # a slow machine is no verdict on the build
                record.parent.mkdir(parents=True, exist_ok=True)
                with atomic_path(record) as tmp:
                    tmp.write_text(json.dumps({"ok": verdict.ok, "reason": verdict.reason}))
        _VERDICTS[key] = verdict
        return verdict


def _run_child(model_path: Path, timeout: float) -> Probe:
    env = dict(os.environ)
    env.setdefault("OMP_NUM_THREADS", "1")
    try:
        done = subprocess.run(
            [sys.executable, "-c", _CHILD, str(model_path)],
            capture_output=True,
            text=True,
            timeout=timeout,
            env=env,
            check=False,
        )
    except subprocess.TimeoutExpired:
        return Probe(False, "timeout")
    if done.returncode == 0 and done.stdout.startswith("ok"):
        return Probe(True)
    return Probe(False, _describe(done.returncode, done.stderr))


def require_llamacpp(model_path: str | Path) -> None:
    """Raise :class:`NativeBackendError` (one line) unless llama.cpp runs here."""
    verdict = probe(model_path)
    if not verdict.ok:
        reason = (
            f"the llama.cpp probe did not finish within {PROBE_TIMEOUT_S:.0f} s"
            if verdict.reason == "timeout"
            else verdict.reason
        )
        raise NativeBackendError(f"llamacpp backend unusable: {reason}; {REBUILD_HINT}")


def forget_verdicts() -> None:
    """Drop the in-memory verdicts (tests; the disk cache stays)."""
    with _LOCK:
        _VERDICTS.clear()
