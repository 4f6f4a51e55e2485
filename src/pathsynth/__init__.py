"""pathsynth: privacy-preserving synthetic pathology reports for information extraction."""

__version__ = "0.1.0"
