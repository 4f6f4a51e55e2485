"""The fast student's scorers: one logistic regression per key over sparse candidate features
(scikit-learn's liblinear solver, deterministic), and the feature vocabulary they share.
Weights and vocabulary are plain arrays and strings: no pickle is ever saved or loaded."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

__all__ = ["KeyScorer", "Vocabulary", "fit_scorer"]


class Vocabulary:
    """Feature strings to column ids: grows while training, fixed for extraction."""

    def __init__(self, names: Sequence[str] = ()) -> None:
        self.index: dict[str, int] = {n: i for i, n in enumerate(names)}

    def __len__(self) -> int:
        return len(self.index)

    def names(self) -> list[str]:
        return list(self.index)

    def matrix(self, rows: Sequence[Sequence[str]], *, grow: bool = False) -> Any:
        """A CSR matrix of ``rows`` (a feature counts once per row; unknown ones are dropped
        unless ``grow``)."""
        from scipy import sparse

        indices: list[int] = []
        indptr = [0]
        index = self.index
        for feats in rows:
            seen = set()
            for f in feats:
                i = index.get(f)
                if i is None:
                    if not grow:
                        continue
                    i = index[f] = len(index)
                if i not in seen:
                    seen.add(i)
                    indices.append(i)
            indptr.append(len(indices))
        data = np.ones(len(indices), dtype=np.float32)
        return sparse.csr_matrix(
            (data, np.asarray(indices, dtype=np.int32), np.asarray(indptr, dtype=np.int64)),
            shape=(len(rows), max(len(index), 1)),
        )

    def keep(self, columns: np.ndarray) -> Vocabulary:
        """The vocabulary of the given columns only, in their order."""
        names = self.names()
        return Vocabulary([names[i] for i in columns])


@dataclass
class KeyScorer:
    """P(candidate states the report's value) for one key, and the decision threshold."""

    coef: np.ndarray  # (n_features,)
    intercept: float
    threshold: float = 0.5

    def proba(self, X: Any) -> np.ndarray:
        n = min(X.shape[1], self.coef.shape[0])
        z = np.asarray(X[:, :n] @ self.coef[:n]).ravel() + self.intercept
        return np.asarray(1.0 / (1.0 + np.exp(-np.clip(z, -30, 30))))


def fit_scorer(X: Any, y: np.ndarray, *, c: float, seed: int) -> KeyScorer:
    """Fit one key's scorer (a constant one when the labels hold a single class)."""
    if y.min() == y.max():
        p = float(np.clip(y.mean(), 1e-3, 1 - 1e-3))
        return KeyScorer(np.zeros(X.shape[1], dtype=np.float32), float(np.log(p / (1 - p))))
    from sklearn.linear_model import LogisticRegression

    model = LogisticRegression(
        solver="liblinear", C=c, random_state=seed, max_iter=200, class_weight=None
    )
    model.fit(X, y)
    return KeyScorer(model.coef_[0].astype(np.float32), float(model.intercept_[0]))
