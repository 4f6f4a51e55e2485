"""The randomness of the marginal-based DP synthesizers, drawn from one seeded generator.

smartnoise-synth adds its Gaussian noise through OpenDP, whose sampler reads the operating
system's entropy and cannot be seeded: the same seed and data gave different models. Here every
random step of MST and AIM (the noise on each marginal, the exponential mechanism's choices)
comes from a ``numpy`` generator seeded by the synthesizer's seed, so a fit is a function of
(data, seed).

The noise is the discrete Gaussian (Canonne, Kamath, Steinke 2020): counts plus integer noise
are integers, so no low-order bits of a floating-point sample can tell neighbouring datasets
apart, and with scale σ on a sensitivity-1 count it is ρ = 1/(2σ²) zCDP, the accounting
smartnoise applies to its continuous noise. The guarantee holds only while the seed is secret:
whoever knows it can replay the noise (docs/tabular.md, *The seed of a DP synthesizer*).
"""

from __future__ import annotations

import numpy as np
from scipy.special import logsumexp


class Noise:
    """Seeded source of the DP randomness of one fit."""

    def __init__(self, seed: int) -> None:
        # a stream of its own, apart from numpy's global one the libraries draw from
        self.rng = np.random.default_rng([seed, 0x6E6F697365])

    def discrete_gaussian(self, sigma: float, size: int) -> np.ndarray:
        """``size`` draws of the discrete Gaussian of scale ``sigma`` (integers, as floats).

        Rejection from the discrete Laplace of scale ``t = floor(sigma) + 1`` (Algorithm 3 of
        Canonne et al.): accepted with probability ``exp(-(|y| - sigma^2/t)^2 / (2 sigma^2))``.
        """
        if sigma <= 0:
            raise ValueError(f"noise scale must be positive, not {sigma}")
        t = np.floor(sigma) + 1.0
        p = -np.expm1(-1.0 / t)  # success probability of each geometric half
        out = np.empty(0, dtype=float)
        while out.size < size:
            want = 2 * (size - out.size) + 16
            y = (self.rng.geometric(p, want) - self.rng.geometric(p, want)).astype(float)
            keep = self.rng.random(want) < np.exp(
                -((np.abs(y) - sigma**2 / t) ** 2) / (2 * sigma**2)
            )
            out = np.concatenate([out, y[keep]])
        return out[:size]

    def exponential_mechanism(
        self, scores: np.ndarray, epsilon: float, sensitivity: float = 1.0
    ) -> int:
        """Index chosen with probability ∝ exp(ε·score / (2·sensitivity))."""
        logits = 0.5 * epsilon / sensitivity * np.asarray(scores, dtype=float)
        return int(self.rng.choice(logits.size, p=np.exp(logits - logsumexp(logits))))


__all__ = ["Noise"]
