"""The shared guard of every command: declared inputs and outputs compared after resolving
links, outputs staged and moved together, one exclusive lock per output built over time."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from pathsynth._files import CommandFiles, Staging, exclusive, lock_path
from pathsynth.errors import PathsynthError


@pytest.fixture
def data(tmp_path: Path) -> Path:
    p = tmp_path / "data.csv"
    p.write_text("id\nP1\n", encoding="utf-8")
    return p


def _refused(files: CommandFiles, *needles: str) -> None:
    with pytest.raises(PathsynthError) as info:
        files.check()
    message = str(info.value)
    assert "\n" not in message
    for needle in needles:
        assert needle in message


def test_an_output_reached_through_a_link_is_the_input(data: Path, tmp_path: Path) -> None:
    (tmp_path / "soft.csv").symlink_to(data)
    os.link(data, tmp_path / "hard.csv")
    for name in ("soft.csv", "hard.csv", "./data.csv", "sub/../data.csv"):
        (tmp_path / "sub").mkdir(exist_ok=True)
        out = tmp_path / name
        _refused(
            CommandFiles(reads={"--data": data}, writes={"--out": out}), "--out", "also --data"
        )


def test_two_outputs_on_one_file_and_folders_in_the_wrong_place(data: Path, tmp_path: Path) -> None:
    out = tmp_path / "o.jsonl"
    _refused(CommandFiles(writes={"--out": out, "--rejected": out}), "same file")
    _refused(CommandFiles(writes={"--out": tmp_path}), "is a folder")
    _refused(CommandFiles(writes={"--out": data}, folders=frozenset({"--out"})), "is a file")
    # writing a folder that holds an input would overwrite it
    _refused(
        CommandFiles(reads={"--data": data}, writes={"--out": tmp_path}, folders={"--out"}),
        "lies inside --out",
    )
    model = tmp_path / "model"
    model.mkdir()
    _refused(
        CommandFiles(reads={"--model": model}, writes={"--out": model / "pred.jsonl"}),
        "inside --model",
    )
    _refused(CommandFiles(reads={"--data": tmp_path / "absent.csv"}), "file not found")


def test_a_read_only_folder_is_refused_before_any_work(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    ro = tmp_path / "ro"
    ro.mkdir()
    ro.chmod(0o555)
    try:
        if os.geteuid() == 0:  # root writes anywhere: ask the guard as a user would be told
            real = os.access
            monkeypatch.setattr(
                os, "access", lambda p, mode: False if Path(p) == ro else real(p, mode)
            )
        _refused(CommandFiles(writes={"--out": ro / "new" / "x.csv"}), "read-only", str(ro))
    finally:
        ro.chmod(0o755)


def test_staged_outputs_appear_together_or_not_at_all(tmp_path: Path) -> None:
    out, flags = tmp_path / "new" / "out.csv", tmp_path / "new" / "out.flags.csv"
    with pytest.raises(RuntimeError), Staging([out, flags]) as staging:
        staging.path(out).write_text("written")
        raise RuntimeError("the second write fails")
    assert not (tmp_path / "new").exists()  # not even the folder made for them
    with Staging([out, flags]) as staging:
        staging.path(out).write_text("a")
        staging.path(flags).write_text("b")
        Path(f"{staging.path(flags)}.sha256").write_text("side file")
        assert not out.exists()
    assert out.read_text() == "a" and flags.read_text() == "b"
    assert sorted(p.name for p in out.parent.iterdir()) == [
        "out.csv",
        "out.flags.csv",
        "out.flags.csv.sha256",
    ]


def _hold_lock(target: Path) -> subprocess.Popen[str]:
    code = f"""
        import sys, time
        from pathsynth._files import exclusive
        with exclusive({str(target)!r}):
            print("held", flush=True)
            time.sleep(60)
    """
    proc = subprocess.Popen(
        [sys.executable, "-c", textwrap.dedent(code)], stdout=subprocess.PIPE, text=True
    )
    assert proc.stdout is not None and proc.stdout.readline().strip() == "held"
    return proc


def test_a_second_writer_is_refused_with_the_first_ones_pid(tmp_path: Path) -> None:
    target = tmp_path / "reports.jsonl"
    holder = _hold_lock(target)
    try:
        with pytest.raises(PathsynthError, match=rf"pid {holder.pid}\b"), exclusive(target):
            pass
    finally:
        holder.kill()
        holder.wait(10)
    # Killed: its lock file stays, the kernel's lock is gone, the next writer takes over.
    assert lock_path(target).exists()
    deadline = time.monotonic() + 10
    while True:
        try:
            with exclusive(target):
                assert lock_path(target).read_text().strip() == str(os.getpid())
            break
        except PathsynthError:
            assert time.monotonic() < deadline
            time.sleep(0.05)
    assert not lock_path(target).exists()
