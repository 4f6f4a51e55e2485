"""report.html opens in headless Chromium, offline, without a console error."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from pathsynth.pipeline.artifacts import RunFolder
from pathsynth.pipeline.config import PipelineConfig
from pathsynth.pipeline.report import write_report
from pathsynth.schema import Schema

pytestmark = pytest.mark.browser

BROWSER = next(
    (b for b in ("chromium", "chromium-browser", "google-chrome") if shutil.which(b)), None
)


def render(page: Path, profile: Path) -> tuple[str, list[str]]:
    """The DOM Chromium builds from ``page`` and the console messages it logged."""
    if BROWSER is None:
        pytest.skip("headless Chromium is not installed (apt-get install chromium)")
    cmd = [
        BROWSER,
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--no-first-run",
        f"--user-data-dir={profile}",
        "--enable-logging=stderr",
        "--v=0",
        "--dump-dom",
        page.resolve().as_uri(),
    ]
    done = subprocess.run(cmd, capture_output=True, text=True, timeout=120, check=False)
    assert done.returncode == 0, done.stderr[-2000:]
    console = [line for line in done.stderr.splitlines() if ":CONSOLE" in line]
    return done.stdout, console


def test_the_harness_sees_console_errors(tmp_path: Path) -> None:
    page = tmp_path / "bad.html"
    page.write_text(
        '<html><body><img alt="plot" src="data:image/png;base64,AAAA">'
        '<script>window.addEventListener("load", function () {'
        'document.querySelectorAll("img").forEach(function (i) {'
        'if (!i.naturalWidth) { console.error("image did not render: " + i.alt); } }); });'
        "notAFunction();</script></body></html>",
        encoding="utf-8",
    )
    _, console = render(page, tmp_path / "profile")
    assert any("notAFunction" in line for line in console)
    assert any("image did not render: plot" in line for line in console)


def test_report_renders_without_console_errors(
    small_run: tuple[RunFolder, PipelineConfig], schema: Schema, tmp_path: Path
) -> None:
    run, cfg = small_run
    report = write_report(run, cfg, schema)
    dom, console = render(report, tmp_path / "profile")
    assert console == []
    assert "Information extraction per attribute" in dom
    assert "Privacy summary" in dom
