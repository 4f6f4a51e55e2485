"""Differentially private GANs (smartnoise-synth): PATE-CTGAN, PATE-GAN, DP-CTGAN.

They learn the mixed encoding: discrete columns one-hot, wide numbers scaled between the
schema's bounds with a separate missing indicator, so unknown cells keep their rate. PATE-CTGAN
learns every column as levels by default (numbers in bins, drawn uniformly inside on output):
its conditional vector then covers every column, so the generator learns each column's noisy
frequencies even where the teachers' votes teach it little.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, ClassVar

import numpy as np
import pandas as pd

from pathsynth.errors import PathsynthError
from pathsynth.tabular._smartnoise import (
    gan_transformer,
    import_snsynth,
    onehot_transformer,
    quietly,
)
from pathsynth.tabular.base import Synthesizer, SynthesizerParams, torch_threads


@dataclass
class PATECTGANParams(SynthesizerParams):
    """Parameters of :class:`PATECTGAN` (it trains until the budget is spent: no epochs;
    defaults measured on a simulated cohort: docs/tabular.md)."""

    #: generated and real rows per teacher and generator step
    batch_size: int = 200
    #: records per teacher (teachers = records / teacher_size, each on its own records)
    teacher_size: int = 50
    #: inverse scale of the Laplace noise on the teachers' vote count
    lam: float = 0.5
    #: generated rows the teachers label per student update (each label spends budget)
    student_batch: int = 64
    #: teacher discriminator updates per round
    teacher_iters: int = 1
    #: student discriminator updates per round
    student_iters: int = 1
    #: generator steps per round (against the student: no budget)
    generator_steps: int = 1
    #: share of ε spent on the noisy category frequencies of the conditional vector
    cond_share: float = 0.5
    #: weight of the generator's loss matching those noisy frequencies batch by batch (no
    #: budget: the same noisy counts; 0 turns it off)
    marginal_weight: float = 1.0
    #: generator steps after the budget is spent (post-processing: against the student, the
    #: noisy frequencies and the conditional vector; no budget)
    polish_steps: int = 2000
    #: rounds at most, whether or not budget is left
    max_rounds: int = 3000
    #: rounds training the teachers (and the generator without the student) before the
    #: first labelled question: untrained teachers disagree, and disagreement costs budget
    warmup: int = 100
    #: every column as one-hot levels, numbers in ``bins`` bins (False: numbers min-max scaled
    #: between the schema's bounds, outside the conditional vector)
    discrete: bool = True
    #: bins of a number variable when ``discrete``
    bins: int = 16
    #: torch threads while fitting
    threads: int = 1


@dataclass
class DPCTGANParams(SynthesizerParams):
    """Parameters of :class:`DPCTGAN`."""

    #: passes over the records (training also stops when the budget is spent)
    epochs: int = 300
    #: rows per step
    batch_size: int = 500
    #: noise scale of DP-SGD
    sigma: float = 5.0
    #: torch threads while fitting
    threads: int = 1


class _DPGAN(Synthesizer):
    differentially_private: ClassVar[bool] = True

    def _make(self, epsilon: float, n_rows: int) -> Any:
        raise NotImplementedError

    def _fit(self, frame: pd.DataFrame, epsilon: float | None) -> None:
        assert self.codec is not None and epsilon is not None
        import_snsynth()
        if self._discrete:
            encoded = self.codec.to_levels(frame)
            transformer = onehot_transformer(self.codec)
        else:
            encoded = self.codec.to_mixed(frame)
            transformer = gan_transformer(self.codec)
        self._columns = list(encoded.columns)
        # smartnoise's own default δ for these GANs, made explicit so it is reported.
        self.delta_used = self.delta if self.delta is not None else 1.0 / len(frame) ** 1.5
        self._model = self._make(epsilon, len(frame))
        with torch_threads(self.params.threads):  # type: ignore[attr-defined]
            quietly(lambda: self._model.fit(encoded, transformer=transformer))

    @property
    def _discrete(self) -> bool:
        return bool(getattr(self.params, "discrete", False))

    def _draw(self, n: int, rng: np.random.Generator) -> pd.DataFrame:
        assert self.codec is not None
        rows = pd.DataFrame(quietly(lambda: self._model.sample(n)), columns=self._columns)
        if self._discrete:
            return self.codec.from_levels(rows, rng)
        return self.codec.from_mixed(rows, rng)

    def _batch(self, n_rows: int, pac: int = 1) -> int:
        batch = min(self.params.batch_size, n_rows)  # type: ignore[attr-defined]
        return max(2 * pac, batch - batch % (2 * pac))


class PATECTGAN(_DPGAN):
    """PATE-CTGAN: a CTGAN generator taught by a private aggregate of teacher discriminators."""

    name: ClassVar[str] = "patectgan"
    params_class: ClassVar[type[SynthesizerParams]] = PATECTGANParams
    params: PATECTGANParams

    def _make(self, epsilon: float, n_rows: int) -> Any:
        from pathsynth.tabular._pate import pate_ctgan_class

        p = self.params
        bad = not 0 <= p.cond_share < 1 or p.lam <= 0 or p.marginal_weight < 0
        if bad or min(p.teacher_size, p.student_batch) < 1:
            raise PathsynthError(
                "patectgan: cond_share must lie in [0, 1), lam be positive, marginal_weight >= 0, "
                "teacher_size and student_batch at least 1"
            )
        model = pate_ctgan_class()(
            epsilon=epsilon,
            delta=self.delta_used,
            batch_size=self._batch(n_rows),
            teacher_iters=p.teacher_iters,
            student_iters=p.student_iters,
            verbose=False,
            cuda=False,
        )
        model.teacher_size = p.teacher_size
        model.lam = p.lam
        model.student_batch = p.student_batch
        model.generator_steps = p.generator_steps
        model.cond_share = p.cond_share
        model.marginal_weight = p.marginal_weight
        model.polish_steps = p.polish_steps
        model.max_rounds = p.max_rounds
        model.warmup = p.warmup
        model.rng = np.random.default_rng([self.seed, 0x70617465])
        return model

    def _training_epsilon_spent(self) -> float:
        spent = getattr(getattr(self, "_model", None), "spent", None)
        if not spent:
            return super()._training_epsilon_spent()
        return float(spent["epsilon_pate"] + spent["epsilon_cond"])

    def describe(self) -> dict[str, Any]:
        """As every synthesizer, plus what PATE spent: teachers, rounds, labelled queries."""
        info = super().describe()
        info["pate"] = getattr(getattr(self, "_model", None), "spent", None)
        return info


class DPCTGAN(_DPGAN):
    """DP-CTGAN: CTGAN whose discriminator is trained with DP-SGD."""

    name: ClassVar[str] = "dpctgan"
    params_class: ClassVar[type[SynthesizerParams]] = DPCTGANParams
    params: DPCTGANParams

    def _make(self, epsilon: float, n_rows: int) -> Any:
        from snsynth.pytorch.nn import DPCTGAN as _Model

        return _Model(
            epsilon=epsilon,
            delta=self.delta_used,
            epochs=self.params.epochs,
            sigma=self.params.sigma,
            batch_size=self._batch(n_rows),
            verbose=False,
            cuda=False,
        )


@dataclass
class PATEGANParams(SynthesizerParams):
    """Parameters of :class:`PATEGAN`."""

    #: rows per step
    batch_size: int = 64
    #: teacher updates per round
    teacher_iters: int = 5
    #: student updates per round
    student_iters: int = 5
    #: torch threads while fitting
    threads: int = 1


class PATEGAN(_DPGAN):
    """PATE-GAN: a GAN whose student discriminator learns from noisy teacher votes."""

    name: ClassVar[str] = "pategan"
    params_class: ClassVar[type[SynthesizerParams]] = PATEGANParams
    params: PATEGANParams

    def _make(self, epsilon: float, n_rows: int) -> Any:
        from snsynth.pytorch.nn import PATEGAN as _Model

        if n_rows < 1000:
            # smartnoise gives PATE-GAN one teacher per 1,000 records and none below that.
            raise PathsynthError(
                f"pategan needs at least 1000 records, got {n_rows}: use patectgan instead"
            )

        return _Model(
            epsilon=epsilon,
            delta=self.delta_used,
            batch_size=min(self.params.batch_size, n_rows),
            teacher_iters=self.params.teacher_iters,
            student_iters=self.params.student_iters,
        )
