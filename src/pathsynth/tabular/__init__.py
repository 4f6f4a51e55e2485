"""tabular stage."""
