"""Tabular stage: synthesizers of structured records, and their fidelity / privacy comparison.

``make_synthesizer(name, schema, epsilon=None, seed=0, **params)`` gives a synthesizer with the
SDV-like life cycle (``fit`` / ``sample`` / ``save`` / ``load``); ``compare_synthesizers`` fits
several on one half of a cohort and scores them against the other half.
"""

from pathsynth.tabular.base import SampleReport, Synthesizer, SynthesizerParams, checksum_path
from pathsynth.tabular.registry import SYNTHESIZERS, make_synthesizer


def load_synthesizer(path: str) -> Synthesizer:
    """Load a saved synthesizer after checking its checksum.

    Unpickling runs code: load only files you wrote yourself.
    """
    return Synthesizer.load(path)


__all__ = [
    "SYNTHESIZERS",
    "SampleReport",
    "Synthesizer",
    "SynthesizerParams",
    "checksum_path",
    "load_synthesizer",
    "make_synthesizer",
]
