"""report.html from a small run folder: self-contained, complete, escaped."""

from __future__ import annotations

import re
from pathlib import Path

from pathsynth.pipeline.artifacts import RunFolder
from pathsynth.pipeline.config import PipelineConfig
from pathsynth.pipeline.report import highlight, longest_shared_ngram, write_report
from pathsynth.schema import Schema


def test_report_is_self_contained_and_shows_every_section(
    small_run: tuple[RunFolder, PipelineConfig], schema: Schema
) -> None:
    run, cfg = small_run
    path = write_report(run, cfg, schema, notes=["a visible note"])
    html = path.read_text(encoding="utf-8")
    # Nothing is fetched: no external URL in src/href, images are inline.
    assert not re.search(r"""(src|href)=["']?(https?:)?//""", html)
    assert "<link" not in html
    images = re.findall(r'<img[^>]+src="([^"]+)"', html)
    assert images and all(src.startswith("data:image/png;base64,") for src in images)
    for words in [
        "Synthetic records: synthesizers compared",
        "gaussian_copula",
        "failed: RuntimeError: out of patience",
        "Generation: reports per teacher",
        "Filter: kept and rejected reports",
        "not_stated (1)",
        "Information extraction per attribute",
        "Privacy summary",
        "Example reports with their evidence",
        "a visible note",
    ]:
        assert words in html, words
    # The IE table: one row per attribute plus the total, both systems side by side.
    ie = html.split('id="ie"')[1].split('id="privacy"')[0]
    for key in schema.keys:
        assert f"<td>{key}</td>" in ie
    assert "Total (micro)" in ie
    assert ie.index("fast") < ie.index("rules")
    assert 'class="best">0.90<' in ie and 'class="best">0.85<' in ie
    # The privacy summary reads the chosen synthesizer's figures.
    privacy = html.split('id="privacy"')[1].split('id="examples"')[0]
    assert "mst" in privacy and "3.000" in privacy and "0.500" in privacy
    assert "no real reports given" in privacy


def test_report_text_is_escaped(
    small_run: tuple[RunFolder, PipelineConfig], schema: Schema
) -> None:
    run, cfg = small_run
    html = write_report(run, cfg, schema).read_text(encoding="utf-8")
    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert html.count('<mark style="background:') >= 6  # 3 spans x 2 examples


def test_report_measures_overlap_with_real_reports(
    small_run: tuple[RunFolder, PipelineConfig], schema: Schema, tmp_path: Path
) -> None:
    run, cfg = small_run
    real = tmp_path / "real.csv"
    real.write_text('id,text\nR1,"Carcinome infiltrant de type non spécifique, grade 3"\n')
    cfg = cfg.model_copy(deep=True)
    cfg.filter.real_reports = real
    html = write_report(run, cfg, schema).read_text(encoding="utf-8")
    assert "7 words" in html  # "carcinome infiltrant de type non spécifique, grade"


def test_highlight_marks_spans_and_skips_overlaps() -> None:
    text = "RE <positif> 90 %"
    out = highlight(text, {"re": [[0, 12]], "ki67": [[4, 8], [13, 17]], "bad": [[5, 99]]}, {})
    assert str(out).count("<mark") == 2
    assert "&lt;positif&gt;" in out
    assert out.endswith("</mark>")


def test_longest_shared_ngram() -> None:
    assert longest_shared_ngram(["a b c d e"], ["x b c d y"]) == 3
    assert longest_shared_ngram(["a b"], ["c d"]) == 0
    assert longest_shared_ngram([], ["a"]) == 0
    assert longest_shared_ngram(["A B C"], ["a b c"]) == 3


def test_report_can_be_rebuilt_from_the_folder(
    small_run: tuple[RunFolder, PipelineConfig], tmp_path: Path
) -> None:
    import json

    import pytest

    from pathsynth.errors import PathsynthError
    from pathsynth.pipeline.config import dump_config
    from pathsynth.pipeline.report import rebuild_report

    run, cfg = small_run
    run.write_config(dump_config(cfg))
    run.path("notes.json").write_text(json.dumps(["kept from the run"]), encoding="utf-8")
    html = rebuild_report(run.root).read_text(encoding="utf-8")
    assert "kept from the run" in html
    assert "<td>generate:template</td>" in html  # timings read back from timings.json
    with pytest.raises(PathsynthError, match="not the folder of a finished run"):
        rebuild_report(tmp_path / "empty")
