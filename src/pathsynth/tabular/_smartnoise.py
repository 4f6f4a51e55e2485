"""What the smartnoise-synth synthesizers share: transformers built from the schema, quiet fits.

The transformers are fitted on a frame that enumerates the schema's domain, never on the
records, so smartnoise's preprocessing spends no privacy budget; bounds the schema lacks are
estimated privately by :meth:`RecordCodec.fit_bounds` and their cost is counted there.
"""

from __future__ import annotations

import contextlib
import io
import warnings
from collections.abc import Callable
from typing import Any, TypeVar

from pathsynth.errors import MissingExtraError
from pathsynth.tabular._codec import MISSING_SUFFIX, RecordCodec

T = TypeVar("T")


def import_snsynth() -> Any:
    """The ``snsynth`` package, or a one-line error naming the extra to install."""
    try:
        import snsynth
    except ImportError:
        raise MissingExtraError("smartnoise-synth", "tabular") from None
    return snsynth


def cube_transformer(codec: RecordCodec) -> Any:
    """One label per level for every column (MST, AIM): integers as ordinals, not bins."""
    from snsynth.transform import LabelTransformer, TableTransformer

    tt = TableTransformer([LabelTransformer(nullable=False) for _ in codec.keys])
    tt.fit(codec.levels_domain())
    return tt


def _onehot_column() -> Any:
    from snsynth.transform import ChainTransformer, LabelTransformer, OneHotEncoder

    return ChainTransformer([LabelTransformer(nullable=False), OneHotEncoder()])


def onehot_transformer(codec: RecordCodec) -> Any:
    """One-hot of the levels of every column (numbers binned): the GANs' discrete encoding."""
    from snsynth.transform import TableTransformer

    tt = TableTransformer([_onehot_column() for _ in codec.keys])
    tt.fit(codec.levels_domain())
    return tt


def gan_transformer(codec: RecordCodec) -> Any:
    """One-hot for discrete columns, bounded min-max for continuous ones (the GAN families)."""
    from snsynth.transform import MinMaxTransformer, TableTransformer

    domain = codec.mixed_domain()
    cont = set(codec.continuous_keys())
    transformers: list[Any] = []
    for col in domain.columns:
        if col in cont:
            spec = codec.specs[col]
            transformers.append(MinMaxTransformer(lower=spec.lo, upper=spec.hi, nullable=False))
        else:
            transformers.append(_onehot_column())
    tt = TableTransformer(transformers)
    tt.fit(domain)
    return tt


def quietly(fn: Callable[[], T]) -> T:
    """Run ``fn`` with smartnoise's prints and warnings silenced (the stage reports progress)."""
    with (
        contextlib.redirect_stdout(io.StringIO()),
        warnings.catch_warnings(),
    ):
        warnings.simplefilter("ignore")
        return fn()


__all__ = [
    "MISSING_SUFFIX",
    "cube_transformer",
    "gan_transformer",
    "import_snsynth",
    "onehot_transformer",
    "quietly",
]
