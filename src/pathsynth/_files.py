"""What a command reads and writes, checked together before anything is touched.

Every command declares its files once — ``reads`` and ``writes``, option name → path — in a
:class:`CommandFiles`. :meth:`CommandFiles.check` compares them all, after resolving paths and
links (symbolic and hard), and refuses with one line before the command reads a byte: an
output that is also an input, two outputs that are one file, an input inside a folder the
command writes, an output inside an input folder, a folder where a file is expected (or the
reverse), a folder that cannot be written.

:meth:`CommandFiles.staged` then gives the command a place for each output: files are written
aside and moved into place together when the command succeeds, so a failed or interrupted
command leaves no output at all, side outputs (flags file, saved model) included.
:func:`exclusive` is the lock an output built over time (a reports file, a student folder, a
run folder) is held under, so a second writer is refused with the first one's pid.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import tempfile
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

from pathsynth.errors import PathsynthError

PathArg = str | Path | Iterable[str | Path] | None
Kind = Literal["file", "dir"]


@dataclass(frozen=True)
class _Entry:
    option: str
    path: Path  # as the user gave it, for messages
    real: Path  # links resolved
    node: tuple[int, int] | None  # (device, inode) of an existing file: hard links too

    def same(self, other: _Entry) -> bool:
        return self.real == other.real or (self.node is not None and self.node == other.node)

    def inside(self, folder: _Entry) -> bool:
        return self.real != folder.real and self.real.is_relative_to(folder.real)


def _entry(option: str, path: str | Path) -> _Entry:
    p = Path(path)
    real = Path(os.path.realpath(p.expanduser()))
    try:
        st = real.stat()
        node: tuple[int, int] | None = (st.st_dev, st.st_ino)
    except OSError:
        node = None
    return _Entry(option, p, real, node)


def _entries(declared: Mapping[str, PathArg]) -> list[_Entry]:
    out = []
    for option, value in declared.items():
        if value is None:
            continue
        values = [value] if isinstance(value, str | Path) else list(value)
        out += [_entry(option, v) for v in values if v is not None and str(v) != ""]
    return out


def _nearest_existing(path: Path) -> Path:
    p = path
    while not p.exists() and p != p.parent:
        p = p.parent
    return p


def _check_writable(e: _Entry, kind: Kind) -> None:
    if kind == "file" and e.real.is_dir():
        raise PathsynthError(f"{e.option} {e.path} is a folder: give a file path")
    if kind == "dir" and e.real.exists() and not e.real.is_dir():
        raise PathsynthError(f"{e.option} {e.path} is a file: give a folder")
    parent = _nearest_existing(e.real.parent if kind == "file" or not e.real.exists() else e.real)
    if not parent.is_dir():
        raise PathsynthError(f"cannot write {e.option} {e.path}: {parent} is not a folder")
    if not os.access(parent, os.W_OK | os.X_OK):
        raise PathsynthError(f"cannot write {e.option} {e.path}: the folder {parent} is read-only")
    if e.real.exists() and kind == "file" and not os.access(e.real, os.W_OK):
        raise PathsynthError(f"cannot write {e.option} {e.path}: the file is read-only")


@dataclass
class CommandFiles:
    """The files of one command: ``reads`` and ``writes`` map an option name (``--out``) to a
    path, a list of paths or ``None``; options named in ``folders`` are folders."""

    reads: Mapping[str, PathArg] = field(default_factory=dict)
    writes: Mapping[str, PathArg] = field(default_factory=dict)
    folders: frozenset[str] = frozenset()

    def __post_init__(self) -> None:
        self.folders = frozenset(self.folders)

    def kind(self, option: str) -> Kind:
        return "dir" if option in self.folders else "file"

    def check(self) -> CommandFiles:
        """Refuse, with one line naming both options, any way the outputs could harm a file
        they were not asked to write; return ``self``."""
        ins = _entries(self.reads)
        outs = _entries(self.writes)
        for src in ins:
            if not src.real.exists():
                raise PathsynthError(f"file not found: {src.path} ({src.option})")
        for i, o in enumerate(outs):
            _check_writable(o, self.kind(o.option))
            for src in ins:
                if o.same(src):
                    raise PathsynthError(
                        f"{o.option} {o.path} is also {src.option}: pathsynth never writes over "
                        f"its input; give another {o.option}"
                    )
                if src.real.is_dir() and o.inside(src):
                    raise PathsynthError(
                        f"{o.option} {o.path} lies inside {src.option} {src.path}, an input: "
                        f"write it elsewhere"
                    )
                if self.kind(o.option) == "dir" and src.inside(o):
                    raise PathsynthError(
                        f"{src.option} {src.path} lies inside {o.option} {o.path}, which this "
                        "command writes: move the input or choose another folder"
                    )
            for other in outs[:i]:
                if o.same(other):
                    raise PathsynthError(
                        f"{other.option} and {o.option} are the same file ({o.path}): give "
                        "each output its own path"
                    )
                for a, b in ((o, other), (other, o)):
                    if self.kind(b.option) == "dir" and a.inside(b):
                        raise PathsynthError(
                            f"{a.option} {a.path} lies inside {b.option} {b.path}: give them "
                            "separate places"
                        )
        return self

    @contextlib.contextmanager
    def staged(self, *options: str) -> Iterator[Staging]:
        """Outputs written aside, moved into place together only when the block succeeds:
        those of ``options``, default every file output (a folder replaces an existing one
        whole, so only a command that owns its folder stages it)."""
        chosen = options or tuple(o for o in self.writes if self.kind(o) == "file")
        targets = [Path(e.path) for e in _entries({o: self.writes[o] for o in chosen})]
        with Staging(targets) as staging:
            yield staging


def _make_parents(folder: Path) -> list[Path]:
    """Create ``folder`` and its missing parents; return those created, deepest last."""
    missing = []
    p = folder
    while not p.exists():
        missing.append(p)
        p = p.parent
    folder.mkdir(parents=True, exist_ok=True)
    return list(reversed(missing))


def _remove_empty(folders: list[Path]) -> None:
    for d in reversed(folders):
        with contextlib.suppress(OSError):
            d.rmdir()


class Staging:
    """A staging folder beside each output. :meth:`path` is where an output is written now;
    on success everything written there (side files such as ``PATH.sha256`` too) replaces
    what sits beside it; on failure nothing is left, not even the folders made for it."""

    def __init__(self, targets: Iterable[Path], *, commit: bool = True) -> None:
        self.targets = [Path(t) for t in targets]
        #: False: a dry build (e.g. a secondary process of a multi-GPU training), never moved
        self.commit = commit
        self._stages: dict[Path, Path] = {}
        self._created: list[Path] = []

    def __enter__(self) -> Staging:
        try:
            for t in self.targets:
                parent = Path(os.path.abspath(t)).parent
                if parent not in self._stages:
                    self._created += _make_parents(parent)
                    self._stages[parent] = Path(
                        tempfile.mkdtemp(prefix=".pathsynth-staging-", dir=parent)
                    )
        except BaseException:
            self._discard()
            raise
        return self

    def path(self, target: str | Path) -> Path:
        """Where ``target`` (one of the declared outputs) is to be written now."""
        t = Path(os.path.abspath(target))
        return self._stages[t.parent] / t.name

    def _discard(self) -> None:
        for stage in self._stages.values():
            shutil.rmtree(stage, ignore_errors=True)
        _remove_empty(self._created)

    def _commit(self) -> None:
        for parent, stage in self._stages.items():
            for item in sorted(stage.iterdir()):
                dest = parent / item.name
                if item.is_dir() and dest.is_dir():
                    # A folder replaces a folder: the old one is set aside, then removed.
                    old = stage / f".old-{item.name}"
                    os.replace(dest, old)
                    os.replace(item, dest)
                    shutil.rmtree(old, ignore_errors=True)
                else:
                    os.replace(item, dest)
            shutil.rmtree(stage, ignore_errors=True)

    def __exit__(self, exc_type: object, exc: object, tb: object) -> None:
        if exc_type is None and self.commit:
            self._commit()
        else:
            self._discard()


def lock_path(target: str | Path) -> Path:
    """The lock file of an output: hidden, beside it."""
    t = Path(os.path.abspath(target))
    return t.parent / f".{t.name}.lock"


@contextlib.contextmanager
def exclusive(target: str | Path) -> Iterator[None]:
    """Hold the exclusive lock of ``target`` (a file or folder being appended to or built).

    A second holder is refused with one line naming the first one's pid. The lock is the
    kernel's (``flock``), released when its process ends however it ends, so the lock file a
    killed process leaves is simply taken over by the next run.
    """
    import fcntl

    lock = lock_path(target)
    created = _make_parents(lock.parent)
    while True:
        fd = os.open(lock, os.O_RDWR | os.O_CREAT, 0o644)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = os.pread(fd, 64, 0).decode(errors="replace").strip() or "unknown"
            os.close(fd)
            raise PathsynthError(
                f"{target} is being written by another pathsynth process (pid {holder}): wait "
                "for it to finish or stop it"
            ) from None
        # The previous holder may have removed the file between our open and our lock.
        try:
            same = os.stat(lock).st_ino == os.fstat(fd).st_ino
        except FileNotFoundError:
            same = False
        if same:
            break
        os.close(fd)
    try:
        os.ftruncate(fd, 0)
        os.pwrite(fd, f"{os.getpid()}\n".encode(), 0)
        yield
    finally:
        with contextlib.suppress(OSError):
            lock.unlink()
        os.close(fd)
        _remove_empty(created)


__all__ = ["CommandFiles", "Staging", "exclusive", "lock_path"]
