"""Same data, same seed: the same synthetic file, in another process too; DP noise seeded."""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from pathsynth.tabular._noise import Noise

pytest.importorskip("snsynth")

_SCRIPT = """
import sys
from pathsynth.cohort import simulate_cohort
from pathsynth.tabular import make_synthesizer
name, eps = sys.argv[1], (None if sys.argv[2] == "-" else float(sys.argv[2]))
frame = simulate_cohort(300, 7)[["id", "echantillon", "grade", "re", "her2", "numero_gang_prel"]]
params = {"aim": {"rounds": 6}, "mst": {"extra_edges": 1}}.get(name, {})
synth = make_synthesizer(name, "breast13", eps, 5, **params).fit(frame)
synth.sample(200).to_csv(sys.argv[3], index=False)
"""


def _digest_in_subprocess(tmp_path: Path, name: str, eps: str, hash_seed: str) -> str:
    out = tmp_path / f"{name}-{hash_seed}.csv"
    # Another string-hash seed: set iteration order inside the libraries must not matter.
    env = {**os.environ, "PYTHONHASHSEED": hash_seed}
    subprocess.run(
        [sys.executable, "-c", _SCRIPT, name, eps, str(out)], env=env, check=True, timeout=300
    )
    return hashlib.sha256(out.read_bytes()).hexdigest()


@pytest.mark.slow
@pytest.mark.parametrize(("name", "eps"), [("mst", "3"), ("aim", "3"), ("patectgan", "3")])
def test_same_seed_same_file_in_two_processes(tmp_path: Path, name: str, eps: str) -> None:
    first = _digest_in_subprocess(tmp_path, name, eps, "1")
    assert _digest_in_subprocess(tmp_path, name, eps, "2") == first


def test_discrete_gaussian_is_seeded_integer_and_has_its_scale() -> None:
    a = Noise(3).discrete_gaussian(4.0, 20000)
    assert np.array_equal(a, Noise(3).discrete_gaussian(4.0, 20000))
    assert not np.array_equal(a, Noise(4).discrete_gaussian(4.0, 20000))
    assert np.array_equal(a, np.round(a))
    assert abs(a.mean()) < 0.1 and abs(a.std() - 4.0) < 0.1


def test_exponential_mechanism_prefers_high_scores() -> None:
    noise = Noise(0)
    picks = [noise.exponential_mechanism(np.array([0.0, 0.0, 20.0]), 1.0) for _ in range(200)]
    assert np.mean(np.array(picks) == 2) > 0.95


def test_mst_refit_in_process_gives_the_same_records(small_cohort: pd.DataFrame) -> None:
    from pathsynth.tabular import make_synthesizer

    frame = small_cohort.iloc[:120]
    one = make_synthesizer("mst", "breast13", 2.0, 1, extra_edges=0).fit(frame).sample(50)
    two = make_synthesizer("mst", "breast13", 2.0, 1, extra_edges=0).fit(frame).sample(50)
    pd.testing.assert_frame_equal(one, two)
