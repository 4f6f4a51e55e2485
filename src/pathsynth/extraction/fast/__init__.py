"""The ``fast`` student: candidates of the domain pack scored by one linear model per key,
learned from synthetic report / value pairs (see :mod:`.student`)."""

from pathsynth.extraction.fast.augment import augment
from pathsynth.extraction.fast.student import FAST_VERSION, FastConfig, FastStudent, train_fast

__all__ = ["FAST_VERSION", "FastConfig", "FastStudent", "augment", "train_fast"]
