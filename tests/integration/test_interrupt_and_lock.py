"""Ctrl-C and a second writer, with real processes and signals: exit 130 with one line saying
what was written, a resume that loses and duplicates nothing, a second writer refused with the
first one's pid, and the lock of a killed writer taken over."""

from __future__ import annotations

import json
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from pathsynth._files import exclusive, lock_path
from pathsynth.cli import main
from pathsynth.cohort import simulate_cohort, write_records


def _cli(*args: str) -> list[str]:
    return [sys.executable, "-c", "from pathsynth.cli import main; main()", *args]


def _sigint_default() -> None:
    # A shell starts background jobs with SIGINT ignored, and a Python started so never raises
    # KeyboardInterrupt: give the child the default Ctrl-C, as a terminal would.
    signal.signal(signal.SIGINT, signal.SIG_DFL)


def _lines(path: Path) -> int:
    return path.read_bytes().count(b"\n") if path.exists() else 0


def _wait_for(condition, proc: subprocess.Popen[bytes], seconds: float = 60) -> None:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + seconds
    while not condition():
        assert proc.poll() is None, "the command ended before the test could act"
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.05)


@pytest.fixture
def records(tmp_path: Path) -> Path:
    path = tmp_path / "records.csv"
    write_records(simulate_cohort(500, seed=5), path)
    return path


def _generate(records: Path, out: Path, n: int) -> list[str]:
    return _cli(
        "reports", "generate", "--records", str(records), "--teacher", "template",
        "--lang", "fr", "--n", str(n), "--out", str(out), "--quiet",
    )  # fmt: skip


@pytest.mark.slow
def test_ctrl_c_exits_130_with_what_was_written_and_the_rerun_resumes(
    records: Path, tmp_path: Path
) -> None:
    out = tmp_path / "reports.jsonl"
    n = 4000
    proc = subprocess.Popen(
        _generate(records, out, n), stderr=subprocess.PIPE, preexec_fn=_sigint_default
    )
    _wait_for(lambda: _lines(out) >= 50, proc)
    proc.send_signal(signal.SIGINT)
    _, err = proc.communicate(timeout=60)
    lines = [line for line in err.decode().splitlines() if line.strip()]
    assert proc.returncode == 130
    assert len(lines) == 1, lines
    written = _lines(out)
    assert lines[0] == (
        f"interrupted: {written} reports written to {out} ({written} of {n} done); "
        "run the same command again to resume"
    )
    assert 50 <= written < n
    done = subprocess.run(_generate(records, out, n), capture_output=True, timeout=120)
    assert done.returncode == 0, done.stderr.decode()[-500:]
    ids = [json.loads(line)["id"] for line in out.read_text("utf-8").splitlines()]
    assert len(ids) == n == len(set(ids))


@pytest.mark.slow
def test_a_second_writer_is_refused_and_a_dead_ones_lock_taken_over(
    records: Path, tmp_path: Path
) -> None:
    out = tmp_path / "reports.jsonl"
    first = subprocess.Popen(_generate(records, out, 200_000), stderr=subprocess.DEVNULL)
    try:
        _wait_for(lambda: _lines(out) >= 50, first)
        second = subprocess.run(_generate(records, out, 2000), capture_output=True, timeout=60)
        assert second.returncode == 2
        assert second.stderr.decode().strip() == (
            f"error: {out} is being written by another pathsynth process (pid {first.pid}): "
            "wait for it to finish or stop it"
        )
    finally:
        first.kill()
        first.wait(30)
    assert lock_path(out).exists()  # a killed writer leaves its lock file behind
    written = _lines(out)
    again = subprocess.run(_generate(records, out, written + 100), capture_output=True, timeout=120)
    assert again.returncode == 0, again.stderr.decode()[-500:]
    assert not lock_path(out).exists()
    ids = [json.loads(line)["id"] for line in out.read_text("utf-8").splitlines()]
    assert len(ids) == len(set(ids)) == written + 100


def test_the_run_folder_and_a_student_folder_take_one_writer(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    run_dir = tmp_path / "run"
    config = tmp_path / "c.yaml"
    config.write_text(
        f"output: {run_dir}\nteachers:\n  teachers:\n    - {{name: t, spec: template}}\n"
        "    - {name: held, spec: template, use: eval}\n"
        "evaluation: [{name: e, teacher: held}]\n"
    )
    data = tmp_path / "kept.jsonl"
    data.write_text(json.dumps({"id": "a", "text": "grade 2", "record": {"grade": 2}}) + "\n")
    commands = [
        (run_dir, ["run", str(config)]),
        (tmp_path / "s", ["student", "train", "--data", str(data), "--kind", "fast",
                          "--out", str(tmp_path / "s")]),
    ]  # fmt: skip
    import os

    for target, args in commands:
        with exclusive(target):  # another writer, this very process
            with pytest.raises(SystemExit) as info:
                main(args)
            err = capsys.readouterr().err
            assert info.value.code == 2
            assert f"is being written by another pathsynth process (pid {os.getpid()})" in err
        assert not (target / "manifest.json").exists()


@pytest.mark.slow
def test_ctrl_c_in_a_run_names_the_stage_and_the_rerun_resumes(tmp_path: Path) -> None:
    run_dir = tmp_path / "run"
    config = tmp_path / "c.yaml"
    config.write_text(
        f"output: {run_dir}\ncohort: {{simulate: 2500}}\n"
        "tabular: {synthesizers: [], generate_from: cohort}\n"
        "teachers:\n  n: 2000\n  teachers:\n    - {name: t, spec: template}\n"
        "    - {name: held, spec: template, use: eval, n: 10}\n"
        "filter: {enabled: false}\nstudents: []\nbaselines: []\n"
        "evaluation: [{name: e, teacher: held}]\n"
    )
    reports = run_dir / "reports" / "t.jsonl"
    proc = subprocess.Popen(
        _cli("run", str(config)), stderr=subprocess.PIPE, preexec_fn=_sigint_default
    )
    _wait_for(lambda: _lines(reports) >= 50, proc, seconds=120)
    proc.send_signal(signal.SIGINT)
    _, err = proc.communicate(timeout=60)
    last = err.decode().strip().splitlines()[-1]
    assert proc.returncode == 130
    assert last.startswith("interrupted: stopped in stage generate:t (")
    assert f"reports written to {reports}" in last
    assert last.endswith(
        f"the finished stages are kept in {run_dir}; run the same command again to resume"
    )
    done = subprocess.run(_cli("run", str(config)), capture_output=True, timeout=300)
    assert done.returncode == 0, done.stderr.decode()[-800:]
    assert "cohort (unchanged, skipped)" in done.stderr.decode()
    ids = [json.loads(line)["id"] for line in reports.read_text("utf-8").splitlines()]
    assert len(ids) == len(set(ids)) == 2000
