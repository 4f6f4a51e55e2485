"""PATE-CTGAN trained as PATE prescribes: the training loop behind :class:`dpgan.PATECTGAN`.

smartnoise-synth 1.0.8's ``PATECTGAN.train`` differs from PATE in ways that cost both privacy
and fidelity (the PATE-GAN implementations audited by Ganev et al., 2024, arXiv:2406.13985,
show the same kinds of faults):

- Its "teachers" and its "student" are one and the same discriminator object (a list holding
  one network ``num_teachers`` times), so the generator learns from a network trained on the
  real records directly, and the votes are unanimous copies of one network.
- One teacher per 1,000 records (three for 2,000) and Laplace noise of scale 1,000 on a vote
  count of at most three: every label the student gets is a coin flip. Its accountant sums
  moments without the logarithm, so at ε = 3 training stops after about 35 generator steps.
- The conditional vector is drawn from the records' exact category frequencies (no noise), and
  at sampling time from wrong columns (its column offsets are never filled in).

Here: disjoint teachers, each its own network on its own records; a separate student that sees
generated rows only, labelled by the noisy vote of the teachers; the data-dependent moments
accountant of Papernot et al. (2017, Theorem 3) in log form, stopping *before* a batch that
would overspend; category frequencies measured with Laplace noise on a share of the budget;
and generator steps against the student, which are post-processing and spend nothing.

The generator also matches, batch by batch, the noisy category frequencies measured for the
conditional vector (the mean of its softmax per column against them, a KL loss): the same
noisy counts, so no budget. Without it only the conditioned column of each row learns its
frequency, and at a hospital's size the teachers can answer few questions, if any.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np


def log_moments(votes: Any, teachers: int, lam: float, orders: np.ndarray) -> np.ndarray:
    """Sum over queries of the log moment α(l) of one noisy two-class vote, for each order l.

    ``votes``: the teachers voting "real" per query; the vote is released as
    ``votes + Laplace(1/lam) > teachers / 2``, a (2·lam)-DP answer, bounded by the minimum of
    the data-independent 2·lam²·l·(l+1) and the data-dependent bound of the gap between classes.
    """
    gap = np.abs(2.0 * np.asarray(votes, dtype=float).ravel() - teachers)
    q = (2.0 + lam * gap) / (4.0 * np.exp(lam * gap))
    total = np.zeros(len(orders))
    independent = 2.0 * lam**2 * orders * (orders + 1)
    valid = q < (math.exp(2 * lam) - 1) / (math.exp(4 * lam) - 1)
    for i, order in enumerate(orders):
        bound = np.full(q.shape, independent[i])
        qv = q[valid]
        with np.errstate(over="ignore", divide="ignore", invalid="ignore"):
            dep = np.log(
                (1 - qv) * ((1 - qv) / (1 - math.exp(2 * lam) * qv)) ** order
                + qv * math.exp(2 * lam * order)
            )
        bound[valid] = np.minimum(independent[i], np.nan_to_num(dep, nan=np.inf))
        total[i] = bound.sum()
    return total


def epsilon_of(moments: np.ndarray, orders: np.ndarray, delta: float) -> float:
    """ε at ``delta`` from accumulated log moments (the best order)."""
    return float(np.min((moments + math.log(1 / delta)) / orders))


def pate_ctgan_class() -> type:
    """smartnoise's PATECTGAN (its networks, activations and transformer) with a PATE loop."""
    import torch
    from snsynth.pytorch.nn.ctgan.data_sampler import DataSampler
    from snsynth.pytorch.nn.patectgan import PATECTGAN, Discriminator, Generator
    from snsynth.pytorch.nn.privacy_utils import weights_init
    from torch import nn, optim

    class _PATECTGAN(PATECTGAN):
        #: records per teacher
        teacher_size: int = 100
        #: inverse scale of the Laplace noise on the vote count
        lam: float = 0.1
        #: generated rows each student update asks the teachers about
        student_batch: int = 64
        #: generator steps per round (post-processing of the student: no budget)
        generator_steps: int = 1
        #: share of ε spent on the category frequencies of the conditional vector
        cond_share: float = 0.5
        #: weight of the generator's loss matching those frequencies batch-wise (0: off)
        marginal_weight: float = 1.0
        #: generator steps once the budget is spent (post-processing: the student, the noisy
        #: frequencies and the conditional vector only)
        polish_steps: int = 2000
        #: rounds at most, budget left or not
        max_rounds: int = 3000
        #: rounds of teacher training (and generator steps without the student's verdict)
        #: before the first question: untrained teachers disagree, and disagreement is costly
        warmup: int = 100
        #: what the fit spent and did (filled by train)
        spent: dict[str, Any]
        rng: np.random.Generator

        def train(self, data: Any, *args: Any, transformer: Any = None, **kwargs: Any) -> None:
            train = np.asarray(self._get_train_data(
                data, style="gan", transformer=transformer, categorical_columns=[],
                ordinal_columns=[], continuous_columns=[], nullable=False, preprocessor_eps=0.0,
            ), dtype="float32")  # fmt: skip
            n = len(train)
            delta = self.delta if self.delta is not None else 1 / n**1.5
            eps_cond = self.epsilon * self.cond_share
            eps_pate = self.epsilon - eps_cond
            transformers = self._transformer.transformers
            self._train_probs, self._sample_probs = self._noisy_probs(train, eps_cond)
            n_teachers = max(2, n // self.teacher_size)
            parts = np.array_split(self.rng.permutation(n), n_teachers)
            samplers = [
                DataSampler(train[p], transformers,
                            discrete_column_category_prob=self._train_probs)
                for p in parts
            ]  # fmt: skip
            self.cond_generator = DataSampler(
                train, transformers, discrete_column_category_prob=self._train_probs
            )
            dim_c = self.cond_generator.dim_cond_vec()
            width = self._transformer.output_width
            self._generator = Generator(self._embedding_dim + dim_c, self._generator_dim, width)
            teachers = [self._discriminator(width + dim_c) for _ in parts]
            student = self._discriminator(width + dim_c)
            opt_g = optim.Adam(self._generator.parameters(), lr=self._generator_lr,
                               betas=(0.5, 0.9), weight_decay=self._generator_decay)  # fmt: skip
            opt_t = [self._adam(t) for t in teachers]
            opt_s = self._adam(student)
            bce = nn.BCELoss()
            orders = np.arange(1, self.moments_order + 1, dtype=float)
            moments = np.zeros(len(orders))
            rounds = queries = 0
            exhausted = False
            while not exhausted and rounds < self.max_rounds:
                rounds += 1
                for _ in range(self.teacher_iters):
                    for teacher, opt, sampler in zip(teachers, opt_t, samplers, strict=True):
                        fake, real = self._pair(sampler, self._batch_size)
                        self._step(opt, bce, teacher(fake.detach()), 0.0, teacher(real), 1.0)
                for _ in range(self.student_iters if rounds > self.warmup else 0):
                    fake, _ = self._pair(None, self.student_batch)
                    fake = fake.detach()
                    with torch.no_grad():
                        for t in teachers:
                            t.eval()
                        votes = sum((t(fake) > 0.5).double() for t in teachers)
                        for t in teachers:
                            t.train()
                    step = log_moments(votes.numpy(), n_teachers, self.lam, orders)
                    if epsilon_of(moments + step, orders, delta) > eps_pate:
                        exhausted = True  # this batch would overspend: not answered
                        break
                    moments += step
                    queries += len(fake)
                    noisy = votes.numpy().ravel() + self.rng.laplace(0, 1 / self.lam, len(fake))
                    labels = torch.from_numpy((noisy > n_teachers / 2).astype("float32"))
                    opt_s.zero_grad()
                    bce(student(fake).squeeze(1), labels).backward()
                    opt_s.step()
                for _ in range(self.generator_steps):
                    self._generator_step(opt_g, bce, student if rounds > self.warmup else None)
            for _ in range(self.polish_steps):
                self._generator_step(opt_g, bce, student if queries else None)
            self.spent = {
                "epsilon_pate": epsilon_of(moments, orders, delta) if queries else 0.0,
                "epsilon_cond": eps_cond,
                "teachers": n_teachers,
                "rounds": rounds,
                "warmup": min(rounds, self.warmup),
                "queries": queries,
            }

        def _generator_step(self, opt: Any, bce: Any, student: Any) -> None:
            """One generator update: the conditional loss, the noisy frequencies, and the
            student's verdict when given (all post-processing: no budget)."""
            z, c, m = self._noise_and_cond(self._batch_size)
            raw = self._generator(z)
            loss = self._cond_loss(raw, c, m)
            if self.marginal_weight > 0:
                loss = loss + self.marginal_weight * self._marginal_loss()
            if student is not None:
                fake = torch.cat([self._apply_activate(raw), c], dim=1)
                loss = loss + bce(student(fake).squeeze(1), torch.ones(len(raw) // self.pac))
            opt.zero_grad()
            loss.backward()
            opt.step()

        def _marginal_loss(self) -> Any:
            """KL from the noisy category frequencies to the generator's mean softmax per
            discrete column, on a batch conditioned as at sampling time."""
            if not self._sample_probs:
                return torch.zeros(())
            z = torch.randn(self._batch_size, self._embedding_dim)
            c = torch.from_numpy(self._sample_cond(self._batch_size))
            raw = self._generator(torch.cat([z, c], dim=1))
            loss = torch.zeros(())
            for (a, b), target in zip(self._spans, self._targets, strict=True):
                mean = torch.softmax(raw[:, a:b], dim=1).mean(dim=0).clamp_min(1e-6)
                loss = loss + (target * (target.clamp_min(1e-6).log() - mean.log())).sum()
            return loss / len(self._spans)

        def _discriminator(self, dim: int) -> Any:
            disc = Discriminator(dim, self._discriminator_dim, "cross_entropy", self.pac)
            # smartnoise's Discriminator reseeds torch with 0 when built: every network would
            # start alike and the run would forget its seed; draw fresh weights from ours
            torch.manual_seed(int(self.rng.integers(0, 2**31 - 1)))
            for layer in disc.modules():
                if isinstance(layer, nn.Linear):
                    layer.reset_parameters()
            disc.apply(weights_init)
            return disc

        def _adam(self, module: Any) -> Any:
            return optim.Adam(module.parameters(), lr=self._discriminator_lr, betas=(0.5, 0.9),
                              weight_decay=self._discriminator_decay)  # fmt: skip

        @staticmethod
        def _step(opt: Any, bce: Any, fake_out: Any, fake_y: float, real_out: Any,
                  real_y: float) -> None:  # fmt: skip
            out = torch.cat([fake_out, real_out]).squeeze(1)
            y = torch.cat([torch.full((len(fake_out),), fake_y),
                           torch.full((len(real_out),), real_y)])  # fmt: skip
            opt.zero_grad()
            bce(out, y).backward()
            opt.step()

        def _noise_and_cond(self, batch: int) -> tuple[Any, Any, Any]:
            z = torch.randn(batch, self._embedding_dim)
            cond = self.cond_generator.sample_condvec(batch)
            if cond is None:
                return z, None, None
            c, m, self._col, self._opt = cond
            c, m = torch.from_numpy(c), torch.from_numpy(m)
            return torch.cat([z, c], dim=1), c, m

        def _pair(self, sampler: Any, batch: int) -> tuple[Any, Any]:
            """Generated rows with their condition, and real rows meeting the same conditions."""
            z, c, _ = self._noise_and_cond(batch)
            fake = self._apply_activate(self._generator(z))
            if c is not None:
                fake = torch.cat([fake, c], dim=1)
            if sampler is None:
                return fake, None
            if c is None:
                real = sampler.sample_data(batch, None, None)
                return fake, torch.from_numpy(real.astype("float32"))
            perm = self.rng.permutation(batch)
            real = sampler.sample_data(batch, self._col[perm], self._opt[perm])
            real = torch.cat([torch.from_numpy(real.astype("float32")), c[perm]], dim=1)
            return fake, real

        def _noisy_probs(self, train: np.ndarray, epsilon: float) -> tuple[list[Any], Any]:
            """Per discrete column: log-frequency (training) and frequency (sampling) of its
            categories, from counts with Laplace noise (one record moves one count per column,
            so the L1 sensitivity is the number of discrete columns)."""
            spans, st = [], 0
            for t in self._transformer.transformers:
                if t.is_categorical:
                    spans.append((st, st + t.output_width))
                st += t.output_width
            self._spans = spans
            scale = len(spans) / epsilon if epsilon > 0 else 0.0
            width = max((b - a for a, b in spans), default=0)
            train_p, sample_p = [], []
            for a, b in spans:
                counts = train[:, a:b].sum(axis=0) + self.rng.laplace(0, scale, b - a)
                counts = np.clip(counts, 0, None)
                logf = np.log1p(counts)
                pad = np.zeros(width)
                pad[: b - a] = logf / logf.sum() if logf.sum() > 0 else 1 / (b - a)
                train_p.append(pad)
                freq = counts / counts.sum() if counts.sum() > 0 else np.full(b - a, 1 / (b - a))
                sample_p.append(freq)
            self._targets = [torch.from_numpy(f.astype("float32")) for f in sample_p]
            return train_p, sample_p

        def generate(
            self, n: int, condition_column: Any = None, condition_value: Any = None
        ) -> Any:
            self._generator.eval()
            rows = []
            with torch.no_grad():
                for _ in range(n // self._batch_size + 1):
                    z = torch.randn(self._batch_size, self._embedding_dim)
                    c = self._sample_cond(self._batch_size)
                    if c is not None:
                        z = torch.cat([z, torch.from_numpy(c)], dim=1)
                    rows.append(self._apply_activate(self._generator(z)).numpy())
            self._generator.train()
            return self._transformer.inverse_transform(np.concatenate(rows)[:n])

        def _sample_cond(self, batch: int) -> np.ndarray | None:
            """Conditions drawn from the noisy category frequencies (a column, then a value)."""
            if not self._sample_probs:
                return None
            sizes = [len(p) for p in self._sample_probs]
            starts = np.cumsum([0, *sizes[:-1]])
            cond = np.zeros((batch, sum(sizes)), dtype="float32")
            cols = self.rng.integers(0, len(sizes), batch)
            for i, col in enumerate(cols):
                cond[i, starts[col] + self.rng.choice(sizes[col], p=self._sample_probs[col])] = 1
            return cond

    return _PATECTGAN
