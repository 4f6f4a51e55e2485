"""Bad input through every command: one line on stderr, exit status 2, and not one file of the
user's folder changed (bytes and modification times compared before and after)."""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from pathlib import Path

import pytest

from pathsynth.cli import main
from pathsynth.cohort import simulate_cohort, write_records
from pathsynth.reports.generate import generate_reports

Snapshot = dict[str, tuple[bytes, int]]


def snapshot(folder: Path) -> Snapshot:
    """Every file and folder under ``folder``, hidden ones too, with bytes and mtime."""
    out: Snapshot = {}
    for p in sorted(folder.rglob("*")):
        rel = str(p.relative_to(folder))
        if p.is_symlink() or p.is_file():
            out[rel] = (p.read_bytes(), p.lstat().st_mtime_ns)
        else:
            out[rel + "/"] = (b"", p.stat().st_mtime_ns)
    return out


def run_cli(args: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    code = 0
    try:
        main(args)
    except SystemExit as exc:
        code = int(exc.code or 0)
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def _jsonl(path: Path, rows: list[dict]) -> Path:
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), "utf-8")
    return path


@pytest.fixture(scope="module")
def ws(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A user's folder: records, reports, gold, predictions, a trained student, configs."""
    d = tmp_path_factory.mktemp("ws")
    frame = simulate_cohort(40, seed=1)
    write_records(frame, d / "rec.csv")
    generate_reports(frame, ["template"], "fr", d / "rep.jsonl", seed=1)
    rows = [json.loads(line) for line in (d / "rep.jsonl").read_text("utf-8").splitlines()]
    _jsonl(d / "gold.jsonl", [{"id": r["id"], "values": r["record"]} for r in rows])
    pred = [{"id": r["id"], "values": r["record"]} for r in rows]
    _jsonl(d / "pred.jsonl", pred)
    _jsonl(d / "dup_pred.jsonl", [*pred, pred[0]])
    _jsonl(d / "list_pred.jsonl", [{"id": rows[0]["id"], "values": {"grade": [1, 2]}}])
    _jsonl(d / "key_pred.jsonl", [{"id": rows[0]["id"], "values": {"colour": "red"}}])
    _jsonl(d / "notext.jsonl", [{**rows[0], "text": ""}, *rows[1:]])
    _jsonl(d / "long.jsonl", [{"id": "big", "text": "carcinome " * 30_000}])
    (d / "nested.jsonl").write_text(
        '{"id": "a", "text": "x", "values": ' + "[" * 100_000 + "]" * 100_000 + "}\n"
    )
    (d / "rec_noeol.csv").write_text("id,echantillon\nP1,biopsy")  # no final newline
    (d / "link.jsonl").symlink_to(d / "rep.jsonl")
    os.link(d / "rep.jsonl", d / "hard.jsonl")
    (d / "folder").mkdir()
    code = 0
    try:
        train = ["student", "train", "--data", str(d / "rep.jsonl"), "--kind", "fast"]
        main([*train, "--out", str(d / "model"), "--epochs", "1"])
    except SystemExit as exc:
        code = int(exc.code or 0)
    assert code == 0
    manifest = json.loads((d / "model" / "manifest.json").read_text("utf-8"))
    manifest["schema"]["name"] = "edited"
    (d / "model" / "manifest.json").write_text(json.dumps(manifest), "utf-8")
    bomb = "".join(f"l{i}: &l{i} [" + ", ".join([f"*l{i - 1}"] * 9) + "]\n" for i in range(1, 9))
    (d / "bomb.yaml").write_text(
        'l0: &l0 ["lol"]\n' + bomb + "teachers:\n  teachers:\n"
        "    - {name: t, spec: template, options: {teacher_options: {x: *l8}}}\n"
    )
    base = "evaluation: [{name: e, teacher: held}]\n"
    held = "    - {name: held, spec: template, use: eval}\n"
    (d / "badopt.yaml").write_text(
        "teachers:\n  teachers:\n    - {name: t, spec: template, options: {concurrenc: 4}}\n"
        + held
        + base
    )
    (d / "badparam.yaml").write_text(
        "tabular: {params: {ctgan: {epochs: many}}}\n"
        "teachers:\n  teachers:\n    - {name: t, spec: template}\n" + held + base
    )
    (d / "badstudent.yaml").write_text(
        "students: [{name: s, kind: fast, options: {learning_rate: 0.1}}]\n"
        "teachers:\n  teachers:\n    - {name: t, spec: template}\n" + held + base
    )
    (d / "run").mkdir()
    (d / "run" / "cohort.csv").write_bytes((d / "rec.csv").read_bytes())
    (d / "run" / "synthetic_mst.csv").write_bytes((d / "rec.csv").read_bytes())
    (d / "inside.yaml").write_text(
        "output: run\ncohort: {path: run/cohort.csv}\n"
        "teachers:\n  teachers:\n    - {name: t, spec: template}\n" + held + base
    )
    return d


def _case(*args: str) -> Callable[[Path], list[str]]:
    """Command arguments, with ``@name`` standing for a file of the workspace."""

    def build(d: Path) -> list[str]:
        return [str(d / a[1:]) if a.startswith("@") else a for a in args]

    return build


# case -> (arguments, pieces of the one error line)
CASES: dict[str, tuple[Callable[[Path], list[str]], tuple[str, ...]]] = {
    "extract: --out is --input": (
        _case("extract", "--model", "rules", "--input", "@rep.jsonl", "--out", "@rep.jsonl"),
        ("--out", "is also --input"),
    ),
    "extract: --out is a link to --input": (
        _case("extract", "--model", "rules", "--input", "@rep.jsonl", "--out", "@link.jsonl"),
        ("is also --input",),
    ),
    "extract: --out is a hard link of --input": (
        _case("extract", "--model", "rules", "--input", "@rep.jsonl", "--out", "@hard.jsonl"),
        ("is also --input",),
    ),
    "extract: --out is a folder": (
        _case("extract", "--model", "rules", "--input", "@rep.jsonl", "--out", "@folder"),
        ("is a folder",),
    ),
    "extract: --out inside the student's folder": (
        _case("extract", "--model", "@model", "--input", "@rep.jsonl", "--out", "@model/p.jsonl"),
        ("inside --model",),
    ),
    "extract: tampered student manifest": (
        _case("extract", "--model", "@model", "--input", "@rep.jsonl", "--out", "@new.jsonl"),
        ("manifest.json does not match its checksum",),
    ),
    "extract: deeply nested JSON": (
        _case("extract", "--model", "rules", "--input", "@nested.jsonl", "--out", "@new.jsonl"),
        ("nested.jsonl:1", "nested too deeply"),
    ),
    "extract: a report above the size limit": (
        _case("extract", "--model", "rules", "--input", "@long.jsonl", "--out", "@new.jsonl"),
        ("'big'", "300,000 characters", "--max-report-chars"),
    ),
    "extract: markup in a path": (
        _case("extract", "--model", "rules", "--input", "@x[/x].jsonl", "--out", "@new.jsonl"),
        ("x[/x].jsonl",),
    ),
    "extract: colour markup in a path": (
        _case("extract", "--model", "rules", "--input", "@my[red]file.csv", "--out", "@n.jsonl"),
        ("my[red]file.csv",),
    ),
    "filter: --rejected is --in": (
        _case(
            "reports",
            "filter",
            "--in",
            "@rep.jsonl",
            "--out",
            "@k.jsonl",
            "--rejected",
            "@rep.jsonl",
        ),
        ("--rejected", "is also --in"),
    ),
    "filter: --summary is --in": (
        _case(
            "reports",
            "filter",
            "--in",
            "@rep.jsonl",
            "--out",
            "@k.jsonl",
            "--summary",
            "@rep.jsonl",
        ),
        ("--summary", "is also --in"),
    ),
    "filter: --rejected is --out": (
        _case(
            "reports", "filter", "--in", "@rep.jsonl", "--out", "@k.jsonl", "--rejected", "@k.jsonl"
        ),
        ("same file",),
    ),
    "synthesize: --out is --data": (
        _case(
            "tabular",
            "synthesize",
            "--data",
            "@rec.csv",
            "--synthesizer",
            "gaussian_copula",
            "--n",
            "5",
            "--out",
            "@rec.csv",
        ),
        ("is also --data",),
    ),
    "synthesize: --save-model is --data": (
        _case(
            "tabular",
            "synthesize",
            "--data",
            "@rec.csv",
            "--synthesizer",
            "gaussian_copula",
            "--n",
            "5",
            "--out",
            "@s.csv",
            "--save-model",
            "@rec.csv",
        ),
        ("--save-model", "is also --data"),
    ),
    "synthesize: --n 0": (
        _case(
            "tabular",
            "synthesize",
            "--data",
            "@rec.csv",
            "--synthesizer",
            "gaussian_copula",
            "--n",
            "0",
            "--out",
            "@s.csv",
        ),
        ("--n must be at least 1",),
    ),
    "compare: --data is a file compare writes": (
        _case(
            "tabular",
            "compare",
            "--data",
            "@run/synthetic_mst.csv",
            "--synthesizers",
            "mst",
            "--epsilon",
            "1",
            "--out",
            "@run",
        ),
        ("--out", "synthetic_mst.csv is also --data"),
    ),
    "compare: --out is a file": (
        _case(
            "tabular",
            "compare",
            "--data",
            "@rec.csv",
            "--synthesizers",
            "mst",
            "--epsilon",
            "1",
            "--out",
            "@rec.csv",
        ),
        ("is a file: give a folder",),
    ),
    "simulate: --n 0": (
        _case("cohort", "simulate", "--n", "0", "--out", "@s.csv"),
        ("--n must be at least 1",),
    ),
    "complete: --flags is --data": (
        _case("cohort", "complete", "--data", "@rec.csv", "--out", "@c.csv", "--flags", "@rec.csv"),
        ("--flags", "is also --data"),
    ),
    "complete: --flags is --out": (
        _case("cohort", "complete", "--data", "@rec.csv", "--out", "@c.csv", "--flags", "@c.csv"),
        ("same file",),
    ),
    "evaluate: --out is --pred": (
        _case("evaluate", "--gold", "@gold.jsonl", "--pred", "@pred.jsonl", "--out", "@pred.jsonl"),
        ("is also --pred",),
    ),
    "evaluate: --plot is --gold": (
        _case(
            "evaluate", "--gold", "@gold.jsonl", "--pred", "@pred.jsonl", "--plot", "@gold.jsonl"
        ),
        ("--plot", "is also --gold"),
    ),
    "evaluate: duplicate predictions": (
        _case("evaluate", "--gold", "@gold.jsonl", "--pred", "@dup_pred.jsonl"),
        ("two predictions for report",),
    ),
    "evaluate: a list as a value": (
        _case("evaluate", "--gold", "@gold.jsonl", "--pred", "@list_pred.jsonl"),
        ("grade is not a single value",),
    ),
    "evaluate: a key of another schema": (
        _case("evaluate", "--gold", "@gold.jsonl", "--pred", "@key_pred.jsonl"),
        ("'colour'", "breast13 lacks"),
    ),
    "generate: --out is a records file without a final newline": (
        _case(
            "reports",
            "generate",
            "--records",
            "@rec.csv",
            "--teacher",
            "template",
            "--lang",
            "fr",
            "--out",
            "@rec_noeol.csv",
        ),
        ("not a reports file of this run", "nothing was changed"),
    ),
    "generate: --out holds reports in another language": (
        _case(
            "reports",
            "generate",
            "--records",
            "@rec.csv",
            "--teacher",
            "template",
            "--lang",
            "en",
            "--out",
            "@rep.jsonl",
        ),
        ("a report in 'fr'", "this run writes 'en'"),
    ),
    "generate: --out is --records": (
        _case(
            "reports",
            "generate",
            "--records",
            "@rec.csv",
            "--teacher",
            "template",
            "--lang",
            "fr",
            "--out",
            "@rec.csv",
        ),
        ("is also --records",),
    ),
    "generate: --n 0": (
        _case(
            "reports",
            "generate",
            "--records",
            "@rec.csv",
            "--teacher",
            "template",
            "--lang",
            "fr",
            "--n",
            "0",
            "--out",
            "@new.jsonl",
        ),
        ("--n must be at least 1",),
    ),
    "generate: emoji code in a spec": (
        _case(
            "reports",
            "generate",
            "--records",
            "@rec.csv",
            "--teacher",
            "openai:m:",
            "--lang",
            "fr",
            "--out",
            "@new.jsonl",
        ),
        ("'openai:m:'",),
    ),
    "generate: a password in a server URL": (
        _case(
            "reports",
            "generate",
            "--records",
            "@rec.csv",
            "--lang",
            "fr",
            "--out",
            "@new.jsonl",
            "--teacher",
            "openai:m@http://bob:hunter2pass@127.0.0.1:9/v1?oops",
        ),
        ("http://***@127.0.0.1",),
    ),
    "train: a report without text": (
        _case("student", "train", "--data", "@notext.jsonl", "--kind", "fast", "--out", "@s"),
        ("has no text",),
    ),
    "train: the same ids twice": (
        _case(
            "student",
            "train",
            "--data",
            "@rep.jsonl",
            "--data",
            "@hard.jsonl",
            "--kind",
            "fast",
            "--out",
            "@s",
        ),
        ("is already in",),
    ),
    "train: unknown option": (
        _case(
            "student",
            "train",
            "--data",
            "@rep.jsonl",
            "--kind",
            "fast",
            "--out",
            "@s",
            "--option",
            "learning_rate=0.1",
        ),
        ("fast student", "unknown option 'learning_rate'"),
    ),
    "run: YAML bomb in teacher options": (
        _case("run", "@bomb.yaml"),
        ("bomb.yaml", "expand to more than"),
    ),
    "run: unknown generation option": (
        _case("run", "@badopt.yaml"),
        ("teachers.teachers", "concurrenc"),
    ),
    "run: synthesizer parameter of the wrong type": (
        _case("run", "@badparam.yaml"),
        ("tabular.params.ctgan", "epochs"),
    ),
    "run: student option of another kind": (
        _case("run", "@badstudent.yaml"),
        ("students[0] (s).options", "unknown option 'learning_rate'"),
    ),
    "run: an input inside the output folder": (
        _case("run", "@inside.yaml"),
        ("cohort.path", "cohort.csv lies inside output", "run"),
    ),
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_bad_input_is_one_line_exit_2_and_changes_no_file(
    case: str, ws: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    build, pieces = CASES[case]
    before = snapshot(ws)
    code, _, err = run_cli(build(ws), capsys)
    lines = [line for line in err.splitlines() if line.strip()]
    assert code == 2, err
    assert len(lines) == 1, err
    assert lines[0].startswith("error: ")
    for piece in pieces:
        assert piece in lines[0]
    assert "hunter2pass" not in err
    assert snapshot(ws) == before


def test_bom_and_semicolon_reports_are_read(
    ws: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    text = "Carcinome canalaire infiltrant de grade 2, 12 mm."
    (tmp_path / "bom.jsonl").write_bytes(
        b"\xef\xbb\xbf" + json.dumps({"id": "r1", "text": text}).encode() + b"\n"
    )
    (tmp_path / "bom.csv").write_bytes(b"\xef\xbb\xbfid,text\nr1," + text.replace(",", "").encode())
    (tmp_path / "semi.csv").write_text(f'id;text\nr1;"{text}"\n', encoding="utf-8")
    for name in ("bom.jsonl", "bom.csv", "semi.csv"):
        out = tmp_path / f"{name}.pred.jsonl"
        args = ["extract", "--model", "rules", "--input", str(tmp_path / name), "--out", str(out)]
        code, _, err = run_cli(args, capsys)
        assert code == 0, err
        row = json.loads(out.read_text("utf-8"))
        assert row["id"] == "r1" and row["values"]["taille"] == 12


def test_size_limit_is_an_option(
    ws: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "p.jsonl"
    args = ["extract", "--model", "rules", "--input", str(ws / "long.jsonl"), "--out", str(out)]
    code, _, err = run_cli([*args, "--max-report-chars", "400000"], capsys)
    assert code == 0, err and out.exists()


def test_a_failed_command_leaves_no_side_output(
    ws: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """cohort complete writes two files: the second failing leaves neither (nor a folder)."""
    import pathsynth.cohort as cohort

    real = cohort.write_records
    calls: list[Path] = []

    def failing(frame, path):  # type: ignore[no-untyped-def]
        calls.append(Path(path))
        if len(calls) == 2:
            raise OSError(28, "No space left on device", str(path))
        return real(frame, path)

    monkeypatch.setattr(cohort, "write_records", failing)
    out = tmp_path / "new" / "done.csv"
    code, _, err = run_cli(
        ["cohort", "complete", "--data", str(ws / "rec.csv"), "--out", str(out)], capsys
    )
    assert code == 2 and "No space left on device" in err
    assert len(calls) == 2
    assert list(tmp_path.iterdir()) == []


def test_a_failed_teacher_leaves_no_empty_file(
    ws: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "r.jsonl"
    spec = "openai:m@http://127.0.0.1:9/v1?max_retries=0&connect_timeout=0.5"
    args = ["reports", "generate", "--records", str(ws / "rec.csv"), "--teacher", spec]
    code, _, err = run_cli([*args, "--lang", "fr", "--out", str(out), "--quiet"], capsys)
    assert code != 0 and "127.0.0.1:9" in err
    assert list(tmp_path.iterdir()) == []
