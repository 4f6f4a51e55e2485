"""One options model per component: the pipeline YAML, the `student train` flags and the
multi-GPU launch go through the same models, and bad options fail at load."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path
from typing import Any

import pytest
import yaml
from rich.console import Console

from pathsynth.cli import main
from pathsynth.cohort import simulate_cohort
from pathsynth.errors import PathsynthError
from pathsynth.pipeline.artifacts import RunFolder
from pathsynth.pipeline.config import parse_config
from pathsynth.pipeline.stages import Stages, launch_command
from pathsynth.reports.generate import generate_reports
from pathsynth.schema import Schema, load_schema


def _config(out: Path, **sections: Any) -> dict[str, Any]:
    return {
        "output": str(out),
        "teachers": {
            "teachers": [
                {"name": "t", "spec": "template"},
                {"name": "held", "spec": "template", "use": "eval"},
            ]
        },
        "evaluation": [{"name": "e", "teacher": "held"}],
        **sections,
    }


@pytest.mark.parametrize(
    ("sections", "message"),
    [
        (
            {"teachers": {"teachers": [{"name": "o", "spec": "openai:m@h:1?endpoint=chatty"}]}},
            "teachers.teachers[0] (o): option endpoint=",
        ),
        (
            {
                "teachers": {
                    "teachers": [
                        {
                            "name": "o",
                            "spec": "openai:m@h:1",
                            "options": {"teacher_options": {"concurency": 4}},
                        }
                    ]
                }
            },
            "no option 'concurency'",
        ),
        (
            {
                "teachers": {
                    "teachers": [
                        {"name": "t", "spec": "template", "options": {"teacher_options": {"x": 1}}}
                    ]
                }
            },
            "template teacher takes no options",
        ),
        ({"tabular": {"synthesizers": ["mst", "gan"]}}, "unknown synthesizer 'gan'"),
        ({"tabular": {"params": {"mst": {"bins": [1]}}}}, "tabular.params.mst: option bins"),
        ({"filter": {"options": {"min_overlap": "eight"}}}, "filter.options: option min_overlap"),
        ({"students": [{"name": "s", "kind": "lora", "options": {"r": "x"}}]}, "option r"),
        ({"baselines": [{"name": "b", "spec": "rules", "options": {"a": 1}}]}, "takes no options"),
    ],
)
def test_bad_options_fail_at_load(tmp_path: Path, sections: dict[str, Any], message: str) -> None:
    data = _config(tmp_path / "run", **sections)
    if "teachers" in sections:
        data["teachers"]["teachers"].append({"name": "held", "spec": "template", "use": "eval"})
    with pytest.raises(PathsynthError) as info:
        parse_config(data, source="cfg.yaml")
    assert message in str(info.value) and str(info.value).startswith("cfg.yaml: ")
    assert not (tmp_path / "run").exists()


def test_the_multi_gpu_launch_carries_the_schema_and_every_option(
    tmp_path: Path, schema: Schema, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`processes: 2` runs `student train` under accelerate; the command it builds is run here
    (the accelerate prefix set aside) and the student has the run's schema and options."""
    own = schema.model_dump(mode="json")
    own["name"] = "breast13-copy"
    schema_file = tmp_path / "own.yaml"
    schema_file.write_text(yaml.safe_dump(own, allow_unicode=True), encoding="utf-8")
    cfg = parse_config(
        _config(
            tmp_path / "run",
            schema=str(schema_file),
            students=[
                {
                    "name": "s",
                    "kind": "fast",
                    "processes": 2,
                    "options": {"epochs": 2, "c": 0.3, "min_count": 1},
                },
            ],
        )
    )
    data = tmp_path / "kept.jsonl"
    generate_reports(simulate_cohort(30, seed=2), ["template"], "fr", data, schema=schema)
    launched: list[list[str]] = []

    def run(cmd: list[str], check: bool = False) -> subprocess.CompletedProcess[str]:
        launched.append(cmd)
        assert cmd[1:4] == ["-m", "accelerate.commands.launch", "--num_processes"]
        start = cmd.index("student")
        try:
            main(cmd[start:])
        except SystemExit as exc:
            return subprocess.CompletedProcess(cmd, int(exc.code or 0))
        return subprocess.CompletedProcess(cmd, 0)

    monkeypatch.setattr(subprocess, "run", run)
    stages = Stages(cfg, RunFolder(cfg.output), load_schema(str(schema_file)), Console(quiet=True))
    model = stages.train(cfg.students[0], data)
    assert model is not None and len(launched) == 1
    cmd = launched[0]
    assert cmd[cmd.index("--schema") + 1] == str(schema_file)
    assert launch_command(cfg.students[0], data, model, 0, str(schema_file)) == cmd
    manifest = json.loads((model / "manifest.json").read_text("utf-8"))
    assert manifest["schema"]["name"] == "breast13-copy"
    assert manifest["config"]["c"] == 0.3 and manifest["config"]["epochs"] == 2
    assert manifest["config"]["min_count"] == 1
    summary = stages.run.stages["train:s"].summary
    assert summary["kind"] == "fast" and summary["n_train"] == 30


def test_student_train_flags_and_options_are_one_model(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    data = tmp_path / "kept.jsonl"
    generate_reports(simulate_cohort(20, seed=3), ["template"], "fr", data)
    out = tmp_path / "s"
    args = ["student", "train", "--data", str(data), "--kind", "fast", "--out", str(out)]
    for extra, piece in (
        (["--option", "epochs=2.5"], "option epochs"),
        (["--option", "min_count=[1]"], "option min_count"),
        (["--option", "seed=3"], "--option seed: give it as --seed"),
    ):
        with pytest.raises(SystemExit) as info:
            main([*args, *extra])
        assert info.value.code == 2 and piece in capsys.readouterr().err
        assert not out.exists()
    main([*args, "--epochs", "1", "--option", "c=0.3", "--option", "epochs=3"])
    config = json.loads((out / "manifest.json").read_text("utf-8"))["config"]
    assert config["epochs"] == 1 and config["c"] == 0.3  # the flag wins over --option
