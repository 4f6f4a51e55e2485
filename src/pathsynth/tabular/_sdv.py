"""What the SDV synthesizers (Gaussian copula, CTGAN) share: metadata and frame conversion."""

from __future__ import annotations

import logging
import warnings
from typing import Any

import numpy as np
import pandas as pd

from pathsynth.errors import MissingExtraError
from pathsynth.tabular._codec import UNKNOWN, RecordCodec

TABLE = "records"


def import_sdv() -> Any:
    """The ``sdv.single_table`` module, or a one-line error naming the extra to install."""
    try:
        import sdv.single_table
    except ImportError:
        raise MissingExtraError("sdv", "tabular") from None
    # SDV reports each fit and sample on its loggers; the stage prints its own progress.
    for name in ("sdv", "rdt", "copulas", "SingleTableSynthesizer", "MultiTableSynthesizer"):
        logging.getLogger(name).setLevel(logging.ERROR)
    return sdv.single_table


def sdv_metadata(codec: RecordCodec) -> Any:
    """SDV metadata of the codec's columns: categoricals, and numbers with their representation."""
    from sdv.metadata import Metadata

    columns: dict[str, dict[str, str]] = {}
    for key, spec in codec.specs.items():
        if spec.type == "categorical":
            columns[key] = {"sdtype": "categorical"}
        else:
            # SDV 2 reads the representation (Int64 or float) from the training frame's dtypes.
            columns[key] = {"sdtype": "numerical"}
    return Metadata.load_from_dict(
        {"METADATA_SPEC_VERSION": "V1", "tables": {TABLE: {"columns": columns}}}
    )


def to_sdv(codec: RecordCodec, frame: pd.DataFrame) -> pd.DataFrame:
    """Unknown categories become an explicit level; numbers stay floats with NaN for unknown."""
    return codec.typed(frame, unknown=UNKNOWN)


def from_sdv(codec: RecordCodec, frame: pd.DataFrame) -> pd.DataFrame:
    """Back to records: the explicit unknown level becomes ``None``."""
    out = {}
    for key, spec in codec.specs.items():
        col = frame[key]
        if spec.type == "categorical":
            col = col.astype(object)
            out[key] = col.where(col.notna() & (col != UNKNOWN), None)
        else:
            out[key] = pd.to_numeric(col, errors="coerce").astype(float)
    return pd.DataFrame(out)


def sdv_sample(model: Any, n: int, rng: np.random.Generator) -> pd.DataFrame:
    """Sample ``n`` rows with SDV's own generator reseeded from ``rng``."""
    # SDV keeps a fixed random state per instance; reseeding it makes successive draws differ.
    seed = int(rng.integers(0, 2**31 - 1))
    if hasattr(model, "_set_random_state"):
        model._set_random_state(seed)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        out = model.sample(num_rows=n)
    # SDV 2 speaks in {table name: frame} for single tables too.
    return out[TABLE] if isinstance(out, dict) else out


def sdv_fit(model: Any, frame: pd.DataFrame) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        model.fit({TABLE: frame})
