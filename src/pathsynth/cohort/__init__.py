"""Reading and validating records; the built-in clinical prior (simulate, complete)."""
