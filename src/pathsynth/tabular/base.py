"""The synthesizer life cycle shared by every family: fit / sample / save / load, with a seed.

A subclass only turns a cleaned frame into a fitted model (``_fit``) and draws decoded rows
(``_draw``). The base class cleans the input against the schema, seeds every random generator,
repairs and rejects rows that break the schema, shuffles, and numbers the output rows.
"""

from __future__ import annotations

import hashlib
import io
import math
import pickle
import random
import time
from abc import ABC, abstractmethod
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field, fields
from pathlib import Path
from typing import Any, ClassVar, Self

import numpy as np
import pandas as pd

from pathsynth._io import atomic_path
from pathsynth.errors import PathsynthError
from pathsynth.schema import Schema
from pathsynth.tabular._codec import CleanReport, RecordCodec

_MAGIC = "pathsynth-synthesizer/1"
#: largest ε accepted. Beyond it a privacy guarantee says nothing (e^100 ≈ 10^43 as the bound
#: on how much likelier any output becomes), and the libraries' accountants misbehave: OpenDP's
#: search for MST's noise scale and the PATE accountant overflow or run without end.
MAX_EPSILON = 100.0
#: draws beyond the first one when rows breaking a constraint are rejected
_MAX_REDRAWS = 5


@dataclass
class SynthesizerParams:
    """Hyper-parameters common to every synthesizer (subclasses add theirs)."""

    #: bins of a number variable (``taille``, ``ki67``) in discrete encodings (square-root scale)
    bins: int = 40


@dataclass
class SampleReport:
    """What the last ``sample`` call did to keep the output inside the schema."""

    rows: int = 0
    #: rows drawn and dropped because they broke a cross-variable constraint
    rejected: int = 0
    #: rows still breaking a constraint after the redraws, repaired (``a`` lowered to ``b``)
    constraint_repairs: int = 0
    #: per key: cells clipped to bounds, rounded to an integer, or outside the schema's categories
    cell_repairs: dict[str, int] = field(default_factory=dict)


@contextmanager
def torch_threads(n: int) -> Iterator[None]:
    """Limit torch's intra-op threads while fitting a small network.

    The GANs here are small: with more threads than idle cores, synchronisation costs more than
    the arithmetic (a fit is several times slower on a busy machine), so one thread is the default.
    """
    import torch

    before = torch.get_num_threads()
    torch.set_num_threads(max(1, n))
    try:
        yield
    finally:
        torch.set_num_threads(before)


def check_epsilon(epsilon: float | None) -> float | None:
    """``epsilon`` itself when it is a usable privacy budget (``None`` passes), else a
    one-line error: a finite number in (0, :data:`MAX_EPSILON`]."""
    if epsilon is None:
        return None
    try:
        value = float(epsilon)
    except (TypeError, ValueError):
        raise PathsynthError(f"epsilon must be a number, not {epsilon!r}") from None
    if not math.isfinite(value) or value <= 0:
        raise PathsynthError(f"epsilon must be a finite positive number, not {epsilon!r}")
    if value > MAX_EPSILON:
        raise PathsynthError(
            f"epsilon must be at most {MAX_EPSILON:g}, not {epsilon!r}: "
            "beyond that a privacy budget protects no one"
        )
    return value


def seed_everything(seed: int) -> None:
    """Seed the global generators the libraries underneath draw from (numpy, random, torch)."""
    random.seed(seed)
    np.random.seed(seed % (2**32))
    try:
        import torch
    except ImportError:  # torch only matters to the GAN families
        return
    torch.manual_seed(seed)


class Synthesizer(ABC):
    """A tabular synthesizer over the variables of a schema.

    ``fit(frame)`` learns from records (an ``id`` column plus schema keys; other columns are
    ignored), ``sample(n)`` returns ``n`` synthetic records with the same keys, shuffled, ids
    ``syn-000001``…, integers as ``Int64``, numbers as floats, unknown kept as ``None``/``NaN``.
    """

    #: registry name (``make_synthesizer``)
    name: ClassVar[str]
    #: whether ``epsilon`` bounds the privacy loss of fitting
    differentially_private: ClassVar[bool] = False
    params_class: ClassVar[type[SynthesizerParams]] = SynthesizerParams

    def __init__(
        self,
        schema: Schema,
        *,
        epsilon: float | None = None,
        delta: float | None = None,
        seed: int = 0,
        **params: Any,
    ) -> None:
        if self.differentially_private:
            if epsilon is None:
                raise PathsynthError(f"{self.name} is differentially private: give --epsilon")
            epsilon = check_epsilon(epsilon)
        elif epsilon is not None:
            raise PathsynthError(f"{self.name} is not differentially private: drop --epsilon")
        if delta is not None and not (math.isfinite(delta) and 0 < delta < 1):
            raise PathsynthError(f"delta must lie in (0, 1), not {delta}")
        allowed = {f.name for f in fields(self.params_class)}
        unknown = sorted(set(params) - allowed)
        if unknown:
            raise PathsynthError(
                f"{self.name} has no parameter {', '.join(unknown)} "
                f"(it takes: {', '.join(sorted(allowed)) or 'none'})"
            )
        self.schema = schema
        self.epsilon = epsilon
        self.delta = delta
        #: the δ the fit ran at (the family's default when ``delta`` was not given)
        self.delta_used: float | None = None
        self.seed = seed
        self.params = self.params_class(**params)
        self.codec: RecordCodec | None = None
        self.clean_report: CleanReport | None = None
        self.sample_report: SampleReport | None = None
        #: privacy budget spent estimating bounds the schema does not give
        self.epsilon_preprocessing = 0.0
        self.fit_seconds: float | None = None
        self._n_samples = 0

    # -- life cycle --------------------------------------------------------------------------

    def fit(self, frame: pd.DataFrame) -> Self:
        """Learn from ``frame`` (records); unknown cells are learnt, not dropped."""
        codec = RecordCodec.for_frame(self.schema, frame, bins=self.params.bins)
        if len(frame) < 10:
            raise PathsynthError(f"{self.name} needs at least 10 records, got {len(frame)}")
        self.epsilon_preprocessing = codec.fit_bounds(
            frame, 0.1 * self.epsilon if self.epsilon else None
        )
        clean, self.clean_report = codec.clean(frame)
        self.codec = codec
        seed_everything(self.seed)
        start = time.perf_counter()
        self._fit(clean, self.training_epsilon)
        self.fit_seconds = time.perf_counter() - start
        self._n_samples = 0
        return self

    @property
    def training_epsilon(self) -> float | None:
        """The budget left for training once preprocessing took its share."""
        return None if self.epsilon is None else self.epsilon - self.epsilon_preprocessing

    @property
    def epsilon_spent(self) -> float | None:
        """Total ε of the fitted model: preprocessing plus training (``None``: not DP)."""
        if self.epsilon is None:
            return None
        return self.epsilon_preprocessing + self._training_epsilon_spent()

    def _training_epsilon_spent(self) -> float:
        return self.training_epsilon or 0.0

    def sample(self, n: int, *, seed: int | None = None) -> pd.DataFrame:
        """``n`` synthetic records inside the schema: ``id`` plus the keys learnt, shuffled."""
        if self.codec is None:
            raise PathsynthError(f"{self.name} is not fitted: call fit() first")
        if n < 1:
            raise PathsynthError(f"the number of records must be at least 1, not {n}")
        # Successive calls differ yet a fresh load + sample with the same seed repeats itself.
        draw_seed = self.seed + 1 + self._n_samples if seed is None else seed
        self._n_samples += 1
        seed_everything(draw_seed)
        rng = np.random.default_rng(draw_seed)
        report = SampleReport(rows=n)
        kept: list[pd.DataFrame] = []
        missing = n
        for attempt in range(_MAX_REDRAWS + 1):
            want = missing if attempt == 0 else int(missing * 1.25) + 10
            drawn = self._draw(want, rng).reset_index(drop=True)
            drawn, repairs = self.codec.repair(drawn)
            for key, count in repairs.items():
                report.cell_repairs[key] = report.cell_repairs.get(key, 0) + count
            bad = self.codec.violations(drawn)
            good = drawn[~bad]
            report.rejected += int(bad.sum())
            if len(good) > missing:
                good = good.iloc[:missing]
            kept.append(good)
            missing -= len(good)
            if missing == 0:
                break
            if attempt == _MAX_REDRAWS:
                rest, forced = self.codec.force_constraints(drawn[bad].iloc[:missing])
                report.constraint_repairs += forced
                kept.append(rest)
                missing -= len(rest)
        out = pd.concat(kept, ignore_index=True)
        if len(out) < n:
            raise PathsynthError(f"{self.name} produced {len(out)} records instead of {n}")
        out = out.iloc[rng.permutation(len(out))].reset_index(drop=True)
        out = self.codec.typed(out)
        out.insert(0, "id", [f"syn-{i:06d}" for i in range(1, n + 1)])
        self.sample_report = report
        return out

    def save(self, path: str | Path) -> Path:
        """Pickle the fitted synthesizer to ``path`` and its SHA-256 to ``path.sha256``.

        Loading a pickle runs code: only load files you wrote yourself; ``load`` refuses a file
        whose recorded checksum does not match.
        """
        if self.codec is None:
            raise PathsynthError(f"{self.name} is not fitted: nothing to save")
        buf = io.BytesIO()
        pickle.dump({"format": _MAGIC, "synthesizer": self}, buf, protocol=pickle.HIGHEST_PROTOCOL)
        data = buf.getvalue()
        target = Path(path)
        with atomic_path(target) as tmp:
            tmp.write_bytes(data)
        with atomic_path(checksum_path(target)) as tmp:
            tmp.write_text(f"{hashlib.sha256(data).hexdigest()}  {target.name}\n", "utf-8")
        return target

    @classmethod
    def load(cls, path: str | Path) -> Synthesizer:
        """Load a synthesizer saved by :meth:`save`, after checking its recorded SHA-256.

        Unpickling runs code from the file: the checksum guards against a damaged or swapped
        file, not against a file crafted together with its checksum. Load only your own files.
        """
        target = Path(path)
        if not target.is_file():
            raise PathsynthError(f"saved synthesizer not found: {target}")
        side = checksum_path(target)
        if not side.is_file():
            raise PathsynthError(f"{target}: no checksum file {side.name}; refusing to unpickle it")
        data = target.read_bytes()
        recorded = side.read_text("utf-8").split()
        if not recorded or recorded[0] != hashlib.sha256(data).hexdigest():
            raise PathsynthError(
                f"{target}: checksum does not match {side.name}; refusing to unpickle it"
            )
        try:
            obj = pickle.loads(data)
        except Exception as exc:
            raise PathsynthError(f"{target}: not a saved synthesizer ({exc})") from None
        if not isinstance(obj, dict) or obj.get("format") != _MAGIC:
            raise PathsynthError(f"{target}: not a saved pathsynth synthesizer")
        synth = obj["synthesizer"]
        if not isinstance(synth, cls):
            raise PathsynthError(f"{target}: holds a {type(synth).__name__}, not a {cls.__name__}")
        return synth

    def describe(self) -> dict[str, Any]:
        """Plain-data summary: name, ε (asked, preprocessing, total), parameters, repairs."""
        return {
            "synthesizer": self.name,
            "epsilon": self.epsilon,
            "delta": self.delta_used if self.delta_used is not None else self.delta,
            "epsilon_preprocessing": self.epsilon_preprocessing,
            "epsilon_spent": self.epsilon_spent,
            "seed": self.seed,
            "params": asdict(self.params),
            "fit_seconds": self.fit_seconds,
            "invalid_input_cells": self.clean_report.invalid_cells if self.clean_report else {},
            "sample": asdict(self.sample_report) if self.sample_report else None,
        }

    # -- what a family implements ------------------------------------------------------------

    @abstractmethod
    def _fit(self, frame: pd.DataFrame, epsilon: float | None) -> None:
        """Fit on the cleaned frame (schema keys, canonical dtypes) with the training budget."""

    @abstractmethod
    def _draw(self, n: int, rng: np.random.Generator) -> pd.DataFrame:
        """Draw ``n`` decoded rows (schema keys); the base class repairs and checks them."""


def checksum_path(path: Path) -> Path:
    """Where the SHA-256 of a saved synthesizer is recorded."""
    return path.with_name(path.name + ".sha256")
