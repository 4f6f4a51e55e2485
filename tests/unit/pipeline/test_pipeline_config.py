"""The experiment config: validation, one-line errors naming the key, shipped configs, docs."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from pathsynth.cli import main
from pathsynth.errors import PathsynthError
from pathsynth.pipeline import config_reference, demo_config, load_config, parse_config
from pathsynth.pipeline.runner import demo_dict

ROOT = Path(__file__).resolve().parents[3]
MINIMAL = {"evaluation": [{"name": "real", "reports": "real.jsonl"}]}


def test_defaults_fill_every_section() -> None:
    cfg = parse_config(MINIMAL)
    assert cfg.schema_name == "breast13"
    assert cfg.tabular.synthesizers == ["gaussian_copula", "ctgan", "patectgan", "mst"]
    assert cfg.tabular.epsilon == 3.0
    assert [t.name for t in cfg.training_teachers] == ["template"]
    assert [s.kind for s in cfg.students] == ["fast"]


@pytest.mark.parametrize(
    ("data", "key"),
    [
        ({"sead": 1}, "sead"),
        ({"tabular": {"epsilonn": 3}}, "tabular.epsilonn"),
        ({"teachers": {"teachers": [{"name": "a", "spec": "template", "temp": 1}]}}, "temp"),
        ({"students": [{"name": "s", "kind": "fast", "data": ["x"]}]}, "students[0].data"),
    ],
)
def test_unknown_key_is_one_line_naming_it(data: dict, key: str) -> None:
    with pytest.raises(PathsynthError) as err:
        parse_config({**MINIMAL, **data}, source="exp.yaml")
    msg = str(err.value)
    assert "\n" not in msg
    assert msg.startswith("exp.yaml: unknown key")
    assert key in msg


@pytest.mark.parametrize(
    ("data", "words"),
    [
        ({"evaluation": []}, "`evaluation` is empty"),
        (
            {"evaluation": [{"name": "e", "teacher": "template"}]},
            "mark it `use: eval`",
        ),
        ({"evaluation": [{"name": "e"}]}, "give either `reports` or `teacher`"),
        ({"tabular": {"generate_from": "ctgan2"}}, "generate_from='ctgan2'"),
        ({"tabular": {"epsilon": -1}}, "tabular.epsilon"),
        (
            {"students": [{"name": "s", "teachers": ["nobody"]}]},
            "unknown teacher 'nobody'",
        ),
        ({"students": [{"name": "rules"}]}, "duplicate system name 'rules'"),
    ],
)
def test_inconsistent_configs_are_refused(data: dict, words: str) -> None:
    with pytest.raises(PathsynthError, match=None) as err:
        parse_config({**MINIMAL, **data})
    assert words in str(err.value)
    assert "\n" not in str(err.value)


def test_held_out_teacher_cannot_train_a_student() -> None:
    data = {
        "teachers": {
            "teachers": [
                {"name": "a", "spec": "template"},
                {"name": "b", "spec": "template", "use": "eval"},
            ]
        },
        "students": [{"name": "s", "teachers": ["b"]}],
        "evaluation": [{"name": "e", "teacher": "b"}],
    }
    with pytest.raises(PathsynthError, match="held out"):
        parse_config(data)


def test_paths_are_relative_to_the_config_file(tmp_path: Path) -> None:
    folder = tmp_path / "exp"
    folder.mkdir()
    path = folder / "exp.yaml"
    path.write_text(
        yaml.safe_dump(
            {
                "output": "out",
                "cohort": {"path": "data/cohort.csv"},
                "evaluation": [{"name": "real", "reports": "real.jsonl", "gold": "gold.jsonl"}],
            }
        ),
        encoding="utf-8",
    )
    cfg = load_config(path)
    assert cfg.output == folder / "out"
    assert cfg.cohort.path == folder / "data" / "cohort.csv"
    assert cfg.evaluation[0].gold == folder / "gold.jsonl"
    assert load_config(path, output=str(tmp_path / "x")).output == tmp_path / "x"


def test_bad_yaml_and_missing_file_are_one_line(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text("seed: [1,\n", encoding="utf-8")
    with pytest.raises(PathsynthError, match="not valid YAML"):
        load_config(bad)
    with pytest.raises(PathsynthError, match="config file not found"):
        load_config(tmp_path / "none.yaml")


def test_cli_run_reports_the_unknown_key(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "exp.yaml"
    path.write_text("seed: 1\nfilter:\n  judg: rules\n", encoding="utf-8")
    with pytest.raises(SystemExit) as exit_:
        main(["run", str(path)])
    assert exit_.value.code == 2
    err = capsys.readouterr().err
    assert "unknown key 'filter.judg'" in err
    assert len(err.strip().splitlines()) == 1
    assert not (tmp_path / "pathsynth-run").exists()


def test_cli_demo_refuses_a_bad_language(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_:
        main(["demo", "--lang", "de"])
    assert exit_.value.code == 2
    assert "give fr or en" in capsys.readouterr().err


@pytest.mark.parametrize("name", ["demo.yaml", "study-fr.yaml"])
def test_shipped_configs_are_valid(name: str) -> None:
    cfg = load_config(ROOT / "configs" / name)
    assert cfg.evaluation


def test_demo_yaml_is_the_demo() -> None:
    data = yaml.safe_load((ROOT / "configs" / "demo.yaml").read_text(encoding="utf-8"))
    expected = demo_dict("fr", "demo-out")
    assert parse_config(data).model_dump() == parse_config(expected).model_dump()
    assert demo_config("en").teachers.lang == "en"


def test_study_config_follows_the_study_design() -> None:
    cfg = load_config(ROOT / "configs" / "study-fr.yaml")
    train = cfg.training_teachers
    assert len(train) == 3
    assert all(t.spec.startswith("openai:") for t in train)
    assert any(s.kind == "lora" for s in cfg.students)
    assert sorted(b.shots for b in cfg.baselines if b.spec != "rules") == [0, 3]
    assert cfg.teachers.lang == "fr"


def test_docs_list_every_option() -> None:
    docs = (ROOT / "docs" / "pipeline.md").read_text(encoding="utf-8")
    assert config_reference().strip() in docs


def test_demo_adds_gemma_only_when_installed(monkeypatch: pytest.MonkeyPatch) -> None:
    import importlib.util

    from pathsynth.llm import _native, llamacpp
    from pathsynth.pipeline.runner import _with_gemma

    cfg = demo_config("fr")
    monkeypatch.setattr(importlib.util, "find_spec", lambda name: None)
    assert _with_gemma(cfg) == cfg
    monkeypatch.setattr(importlib.util, "find_spec", lambda name: object())
    monkeypatch.setattr(llamacpp, "gemma_gguf_path", lambda: Path("gemma.gguf"))
    monkeypatch.setattr(_native, "probe", lambda path: _native.Probe(True))
    with_gemma = _with_gemma(cfg)
    gemma = with_gemma.teacher("gemma")
    assert gemma.use == "eval" and gemma.spec == "llamacpp:gemma3-270m"
    assert [e.teacher for e in with_gemma.evaluation] == ["template-heldout", "gemma"]


def test_demo_leaves_gemma_out_when_llamacpp_crashes(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    import importlib.util

    from pathsynth.llm import _native, llamacpp
    from pathsynth.pipeline.runner import _with_gemma

    cfg = demo_config("fr")
    monkeypatch.setattr(importlib.util, "find_spec", lambda name: object())
    monkeypatch.setattr(llamacpp, "gemma_gguf_path", lambda: Path("gemma.gguf"))
    crashed = _native.Probe(False, "llama.cpp crashed (SIGILL, illegal instruction)")
    monkeypatch.setattr(_native, "probe", lambda path: crashed)
    assert _with_gemma(cfg) == cfg
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1
    assert "gemma-270m left out" in err[0] and "SIGILL" in err[0]
    assert "make install-llamacpp" in err[0]
