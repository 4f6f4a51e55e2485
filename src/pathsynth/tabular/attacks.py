"""Privacy by attack: what an adversary holding the synthetic records can learn about patients.

Two attacks, each scored for the synthetic records and, as the yardstick, for the holdout's
real records of *other* patients released in their place (what plain statistical knowledge of
the population gives, with no one's record leaked):

- **Attribute inference** (sdmetrics ``DisclosureProtection``, CAP attacker): the adversary
  knows a few facts about a training patient (``known``: the procedure, the tumour's type, size
  and grade) and guesses one sensitive value from the released records that share them. 1 means
  the guess is no better than the baseline of a uniform guess; the score is averaged over the
  sensitive columns.
- **Membership inference** (distance to the closest released record): the adversary sees a
  patient's full record and guesses "was in the training data" when a released record lies
  close to it. Scored as the ROC AUC separating training patients from holdout patients;
  0.5 means membership cannot be told apart.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from pathsynth.errors import MissingExtraError
from pathsynth.schema import Schema

#: what an adversary may already know of a patient (procedure, tumour type, size, grade)
DEFAULT_KNOWN = ("echantillon", "diagnostic", "taille", "grade")
#: what the adversary wants to learn: receptor and HER2 status, nodal involvement, emboli
DEFAULT_SENSITIVE = ("re", "rp", "her2", "numero_gang_att", "emboles")
#: quantile bins of a numeric column in the attribute-inference attack
ATTACK_BINS = 5
_UNKNOWN = "unknown"


@dataclass
class AttackScores:
    """The two attacks on one released table (``None`` where an attack could not run)."""

    #: sdmetrics DisclosureProtection averaged over the sensitive columns (1 = protected)
    disclosure_protection: float | None = None
    #: ROC AUC of the membership-inference attack (0.5 = no better than chance)
    membership_auc: float | None = None
    #: per sensitive column: its DisclosureProtection
    per_column: dict[str, float] = field(default_factory=dict)


@dataclass
class AttackSetup:
    """Which columns the adversary knows and targets, and the patients the attacks aim at."""

    known: list[str]
    sensitive: list[str]
    training: pd.DataFrame
    #: holdout half released as the reference table of the membership attack
    reference_release: pd.DataFrame
    #: training and holdout patients the membership attack must tell apart (equal numbers)
    members: pd.DataFrame
    non_members: pd.DataFrame
    #: everything real, to code columns the same way for every table
    real: pd.DataFrame


def attack_setup(
    training: pd.DataFrame,
    holdout: pd.DataFrame,
    schema: Schema,
    keys: list[str],
    seed: int,
    known: list[str] | None = None,
    sensitive: list[str] | None = None,
) -> AttackSetup:
    """Choose the columns and split the holdout: half released as reference, half targets.

    Columns a schema lacks are dropped from the defaults; with none of the defaults, the first
    third of the keys is known and the rest sensitive.
    """
    known = [k for k in (known or DEFAULT_KNOWN) if k in keys]
    if not known:
        known = keys[: max(1, len(keys) // 3)]
    sensitive = [k for k in (sensitive or DEFAULT_SENSITIVE) if k in keys and k not in known]
    if not sensitive:
        sensitive = [k for k in keys if k not in known]
    rng = np.random.default_rng([seed, 0x617474])
    order = rng.permutation(len(holdout))
    half = len(holdout) // 2
    reference_release = holdout.iloc[order[:half]].reset_index(drop=True)
    non_members = holdout.iloc[order[half:]].reset_index(drop=True)
    members = training.iloc[rng.permutation(len(training))[: len(non_members)]]
    real = pd.concat([training, holdout], ignore_index=True)
    return AttackSetup(
        known=known,
        sensitive=sensitive,
        training=training[keys].reset_index(drop=True),
        reference_release=reference_release[keys],
        members=members[keys].reset_index(drop=True),
        non_members=non_members[keys],
        real=real[keys],
    )


def attack(
    released: pd.DataFrame,
    setup: AttackSetup,
    schema: Schema,
    *,
    membership_release: pd.DataFrame | None = None,
    max_rows: int | None = None,
) -> AttackScores:
    """Run both attacks against ``released`` (``membership_release`` replaces it in the
    membership attack: the holdout reference releases only its untargeted half).

    ``max_rows``: the attribute-inference attack on subsamples of this many rows (sdmetrics'
    ``DisclosureProtectionEstimate``; its CAP attacker walks the rows one by one).
    """
    scores = AttackScores()
    if setup.sensitive:
        scores.per_column = disclosure_protection(released, setup, schema, max_rows=max_rows)
        if scores.per_column:
            scores.disclosure_protection = float(np.mean(list(scores.per_column.values())))
    target = released if membership_release is None else membership_release
    scores.membership_auc = membership_auc(target, setup, schema)
    return scores


def _coded(frame: pd.DataFrame, setup: AttackSetup, schema: Schema) -> pd.DataFrame:
    """Every column as text categories: numbers in quantile bins of the real records."""
    out = {}
    for key in setup.known + setup.sensitive:
        col = frame[key]
        if schema[key].type == "categorical":
            out[key] = col.astype(object).where(col.notna(), _UNKNOWN).astype(str)
            continue
        real = pd.to_numeric(setup.real[key], errors="coerce").dropna().to_numpy(dtype=float)
        cuts = (
            np.unique(np.quantile(real, np.linspace(0, 1, ATTACK_BINS + 1)[1:-1]))
            if len(real)
            else np.array([])
        )
        num = pd.to_numeric(col, errors="coerce").astype(float).to_numpy()
        binned = np.searchsorted(cuts, num, side="right").astype(str)
        out[key] = np.where(np.isnan(num), _UNKNOWN, binned)
    return pd.DataFrame(out)


def disclosure_protection(
    released: pd.DataFrame,
    setup: AttackSetup,
    schema: Schema,
    *,
    max_rows: int | None = None,
    seed: int = 0,
) -> dict[str, float]:
    """sdmetrics' DisclosureProtection (CAP attacker) for each sensitive column; with
    ``max_rows`` below the table sizes, its estimate on seeded subsamples of that many rows."""
    try:
        from sdmetrics.single_table import DisclosureProtection, DisclosureProtectionEstimate
    except ImportError:
        raise MissingExtraError("sdmetrics", "tabular") from None
    real = _coded(setup.training, setup, schema)
    syn = _coded(released, setup, schema)
    out: dict[str, float] = {}
    for key in setup.sensitive:
        if real[key].nunique() < 2:
            continue  # nothing to guess
        columns = [*setup.known, key]
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            if max_rows is not None and max_rows < max(len(real), len(syn)):
                np.random.seed(seed % 2**32)  # pandas' sample() under sdmetrics draws from it
                # compute_breakdown: sdmetrics 0.32's compute() drops the subsample options
                value = DisclosureProtectionEstimate.compute_breakdown(
                    real_data=real[columns],
                    synthetic_data=syn[columns],
                    known_column_names=setup.known,
                    sensitive_column_names=[key],
                    num_rows_subsample=max_rows,
                    num_iterations=1,
                    verbose=False,
                )["score"]
            else:
                value = DisclosureProtection.compute(
                    real_data=real[columns],
                    synthetic_data=syn[columns],
                    known_column_names=setup.known,
                    sensitive_column_names=[key],
                )
        if value is not None and not np.isnan(value):
            out[key] = float(value)
    return out


def _features(frame: pd.DataFrame, setup: AttackSetup, schema: Schema) -> np.ndarray:
    """Rows as vectors whose L1 distance counts mismatched categories (one each) and numeric
    gaps on the real records' quantile scale (unknown vs known: one more)."""
    cols: list[np.ndarray] = []
    for key in setup.real.columns:
        col = frame[key]
        if schema[key].type == "categorical":
            text = col.astype(object).where(col.notna(), _UNKNOWN).astype(str).to_numpy()
            levels = sorted(set(setup.real[key].astype(object).where(
                setup.real[key].notna(), _UNKNOWN).astype(str)) | {_UNKNOWN})  # fmt: skip
            cols += [0.5 * (text == level) for level in levels]
            continue
        real = np.sort(pd.to_numeric(setup.real[key], errors="coerce").dropna().to_numpy(float))
        num = pd.to_numeric(col, errors="coerce").astype(float).to_numpy()
        missing = np.isnan(num)
        rank = np.searchsorted(real, np.nan_to_num(num), side="right") / max(len(real), 1)
        cols += [np.where(missing, 0.0, rank), missing.astype(float)]
    return np.column_stack(cols) if cols else np.zeros((len(frame), 0))


def membership_auc(released: pd.DataFrame, setup: AttackSetup, schema: Schema) -> float | None:
    """ROC AUC of "member" guessed from closeness to the released records."""
    from sklearn.metrics import roc_auc_score
    from sklearn.neighbors import NearestNeighbors

    if len(released) == 0 or len(setup.members) == 0 or len(setup.non_members) == 0:
        return None
    index = NearestNeighbors(n_neighbors=1, metric="manhattan")
    index.fit(_features(released, setup, schema))
    targets = pd.concat([setup.members, setup.non_members], ignore_index=True)
    distance, _ = index.kneighbors(_features(targets, setup, schema))
    labels = np.r_[np.ones(len(setup.members)), np.zeros(len(setup.non_members))]
    return float(roc_auc_score(labels, -distance[:, 0]))


def holdout_reference(
    setup: AttackSetup, holdout: pd.DataFrame, schema: Schema, *, max_rows: int | None = None
) -> AttackScores:
    """The attacks against real records of other patients: the whole holdout for attribute
    inference, its untargeted half for membership (its targeted half must stay unseen)."""
    return attack(
        holdout, setup, schema, membership_release=setup.reference_release, max_rows=max_rows
    )


__all__ = [
    "DEFAULT_KNOWN",
    "DEFAULT_SENSITIVE",
    "AttackScores",
    "AttackSetup",
    "attack",
    "attack_setup",
    "disclosure_protection",
    "holdout_reference",
    "membership_auc",
]
