"""The run folder's manifest: a stage runs once, and again only when something it uses changed."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from pathsynth.pipeline.artifacts import RunFolder, file_sha256, package_versions, stage_key


class Counter:
    """A stage that copies its input upper-cased and counts its runs."""

    def __init__(self, run: RunFolder, src: Path) -> None:
        self.run = run
        self.src = src
        self.calls = 0

    def __call__(self) -> dict[str, int]:
        self.calls += 1
        self.run.path("out").mkdir(exist_ok=True)
        self.run.path("out/a.txt").write_text(self.src.read_text().upper())
        return {"calls": self.calls}

    def stage(self, config: dict | None = None, *, force: bool = False) -> None:
        self.run.run_stage(
            "upper",
            config=config or {"x": 1},
            inputs=[self.src],
            outputs=["out/a.txt"],
            fn=self,
            force=force,
        )


@pytest.fixture
def setup(tmp_path: Path) -> tuple[RunFolder, Counter]:
    src = tmp_path / "in.txt"
    src.write_text("abc")
    run = RunFolder(tmp_path / "run")
    return run, Counter(run, src)


def test_unchanged_stage_is_skipped_even_by_a_new_process(setup: tuple[RunFolder, Counter]) -> None:
    run, c = setup
    c.stage()
    assert c.calls == 1
    again = Counter(RunFolder(run.root), c.src)  # a fresh run reads the manifest from disk
    again.stage()
    assert again.calls == 0
    timings = json.loads(run.path("timings.json").read_text())
    assert timings["upper"]["skipped"] is True


def test_changed_config_input_or_output_reruns(setup: tuple[RunFolder, Counter]) -> None:
    run, c = setup
    c.stage()
    c.stage({"x": 2})
    assert c.calls == 2
    c.src.write_text("abd")
    c.stage({"x": 2})
    assert c.calls == 3
    run.path("out/a.txt").write_text("tampered")
    c.stage({"x": 2})
    assert c.calls == 4
    run.path("out/a.txt").unlink()
    c.stage({"x": 2})
    assert c.calls == 5
    c.stage({"x": 2}, force=True)
    assert c.calls == 6
    assert run.path("out/a.txt").read_text() == "ABD"


def test_interrupted_stage_runs_again(setup: tuple[RunFolder, Counter]) -> None:
    run, c = setup
    c.stage()

    def crash() -> None:
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        run.run_stage("upper", config={"x": 9}, inputs=[c.src], outputs=["out/a.txt"], fn=crash)
    manifest = json.loads(run.path("manifest.json").read_text())
    assert "upper" not in manifest["stages"]
    c.stage({"x": 9})
    assert c.calls == 2


def test_a_stage_must_write_its_outputs(tmp_path: Path) -> None:
    run = RunFolder(tmp_path)
    with pytest.raises(RuntimeError, match="did not write"):
        run.run_stage("lazy", config={}, inputs=[], outputs=["nothing.txt"], fn=lambda: None)
    assert "lazy" not in run.stages


def test_damaged_manifest_means_a_full_rerun(setup: tuple[RunFolder, Counter]) -> None:
    run, c = setup
    c.stage()
    run.path("manifest.json").write_text("{not json")
    again = Counter(RunFolder(run.root), c.src)
    again.stage()
    assert again.calls == 1


def test_hashes_cover_folder_contents_and_names(tmp_path: Path) -> None:
    d = tmp_path / "model"
    d.mkdir()
    (d / "w.bin").write_bytes(b"1")
    h1 = file_sha256(d)
    (d / "w.bin").write_bytes(b"2")
    h2 = file_sha256(d)
    (d / "w.bin").rename(d / "v.bin")
    assert len({h1, h2, file_sha256(d)}) == 3
    assert stage_key({"a": 1, "b": 2}, [d]) == stage_key({"b": 2, "a": 1}, [d])
    assert stage_key({"a": 1}, [tmp_path / "absent"]) != stage_key({"a": 1}, [d])


def test_versions_name_the_packages() -> None:
    versions = package_versions()
    assert versions["pathsynth"]
    assert versions["python"]
    assert "torch" in versions


def test_a_partly_failed_stage_is_tried_again(setup: tuple[RunFolder, Counter]) -> None:
    run, c = setup

    def partial() -> dict:
        c()
        return {"failed": ["ctgan"], "_retry": True}

    for _ in range(2):
        run.run_stage("upper", config={}, inputs=[c.src], outputs=["out/a.txt"], fn=partial)
    assert c.calls == 2
    assert "_retry" not in run.stages["upper"].summary
