"""Report generation: planning, ids, provenance, resumption, prompt packs, errors."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pandas as pd
import pytest

from pathsynth.errors import PathsynthError
from pathsynth.reports.generate import existing_ids, generate_reports, plan_jobs, report_id
from pathsynth.reports.prompts import PromptPack
from pathsynth.schema import Schema
from support.openai_server import OpenAIServer


@pytest.fixture
def server() -> Iterator[OpenAIServer]:
    with OpenAIServer() as srv:
        yield srv


@pytest.fixture
def records() -> pd.DataFrame:
    rows = [
        {"id": "p1", "echantillon": "mastectomy", "taille": 23.0, "grade": 2, "re": "positive"},
        {"id": "p2", "echantillon": "biopsy", "diagnostic": "8520/3", "ki67": 12.5},
        {"id": "p3", "echantillon": "lumpectomy", "her2": "negative", "emboles": "no"},
        {"id": "p4", "numero_gang_prel": 3, "numero_gang_att": 1},
    ]
    return pd.DataFrame(rows)


def _lines(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text().splitlines()]


def _spec(server: OpenAIServer) -> str:
    return f"openai:test-model@{server.base_url}"


def test_plan_round_robin_per_teacher_and_repeats() -> None:
    recs = [(f"p{i}", {}) for i in range(3)]
    jobs = plan_jobs(recs, ["a", "b"], "fr", seed=1)
    assert [(j.record_id, j.teacher) for j in jobs] == [("p0", 0), ("p1", 1), ("p2", 0)]
    jobs = plan_jobs(recs, ["a", "b"], "fr", seed=1, per_teacher=True)
    assert len(jobs) == 6 and {j.report_id for j in jobs} >= {"p0-fr-a", "p0-fr-b"}
    jobs = plan_jobs(recs, ["a", "b"], "en", n=7, seed=1)
    ids = [j.report_id for j in jobs]
    assert len(set(ids)) == 7
    assert ids[3] == "p0-en-b-r1"  # a reused record goes to the other teacher
    # Seeds depend on the report, not on its place in the run.
    again = {j.report_id: j.seed for j in plan_jobs(recs, ["a", "b"], "en", n=7, seed=1)}
    assert all(again[j.report_id] == j.seed for j in jobs)
    assert plan_jobs(recs, ["a", "b"], "en", n=7, seed=2)[0].seed != jobs[0].seed


def test_openai_teacher_lines_have_provenance(
    server: OpenAIServer, records: pd.DataFrame, tmp_path: Path
) -> None:
    out = tmp_path / "reports.jsonl"
    summary = generate_reports(records, [_spec(server)], "fr", out, seed=3)
    assert summary.written == 4 and summary.failed == 0
    lines = _lines(out)
    assert {row["id"] for row in lines} == {f"p{i}-fr-test-model" for i in range(1, 5)}
    row = next(r for r in lines if r["id"] == "p1-fr-test-model")
    assert row["teacher"] == "openai:test-model"
    assert row["lang"] == "fr"
    assert row["record"]["taille"] == 23 and row["record"]["ki67"] is None
    assert set(row["style"]) >= {"layout", "length", "register"}
    assert len(row["prompt_sha256"]) == 64
    assert row["completion_tokens"] > 0
    # The prompt holds the known values, by their French labels, and never an unknown one.
    body = next(b for b in server.stats.bodies if b["seed"] == row["seed"])
    prompt = body["messages"][-1]["content"]
    assert "- taille : 23 mm" in prompt
    assert "- type de prélèvement : mastectomie" in prompt
    assert "Ki67" not in prompt.split("Éléments inconnus")[0]
    assert "Ki67" in prompt.split("Éléments inconnus")[1]


def test_prompt_hash_and_seed_are_reproducible(
    server: OpenAIServer, records: pd.DataFrame, tmp_path: Path
) -> None:
    a = tmp_path / "a.jsonl"
    b = tmp_path / "b.jsonl"
    generate_reports(records, [_spec(server)], "en", a, seed=5)
    generate_reports(records, [_spec(server)], "en", b, seed=5)
    key = lambda r: (r["id"], r["seed"], r["prompt_sha256"], r["text"])  # noqa: E731
    assert sorted(map(key, _lines(a))) == sorted(map(key, _lines(b)))


def test_several_teachers_share_the_records(records: pd.DataFrame, tmp_path: Path) -> None:
    with OpenAIServer() as one, OpenAIServer(model="m2") as two:
        out = tmp_path / "r.jsonl"
        specs = [f"openai:m1@{one.base_url}", f"openai:m2@{two.base_url}"]
        summary = generate_reports(records, specs, "en", out)
        assert [t.written for t in summary.teachers] == [2, 2]
        assert one.stats.requests == 2 and two.stats.requests == 2
        out2 = tmp_path / "all.jsonl"
        summary = generate_reports(records, specs, "en", out2, per_teacher=True)
        assert summary.written == 8
        assert {r["teacher"] for r in _lines(out2)} == {"openai:m1", "openai:m2"}


def test_rerun_skips_what_is_written_and_cuts_a_torn_line(
    server: OpenAIServer, records: pd.DataFrame, tmp_path: Path
) -> None:
    out = tmp_path / "r.jsonl"
    generate_reports(records, [_spec(server)], "en", out, n=2)
    with out.open("ab") as fh:
        fh.write(b'{"id": "p3-en-test-model", "text": "half a li')  # what a kill leaves
    summary = generate_reports(records, [_spec(server)], "en", out)
    assert summary.skipped == 2 and summary.written == 2
    ids = [r["id"] for r in _lines(out)]
    assert sorted(ids) == sorted(report_id(f"p{i}", "en", "test-model") for i in range(1, 5))
    summary = generate_reports(records, [_spec(server)], "en", out)
    assert summary.written == 0 and summary.skipped == 4


def test_existing_ids_rejects_a_corrupt_middle_line(tmp_path: Path) -> None:
    out = tmp_path / "r.jsonl"
    out.write_text('{"id": "a", "text": ""}\nnot json\n{"id": "b", "text": ""}\n')
    with pytest.raises(PathsynthError, match=r"r.jsonl is not a reports file.*line 2"):
        existing_ids(out)


def test_template_teacher_writes_spans(records: pd.DataFrame, tmp_path: Path) -> None:
    out = tmp_path / "t.jsonl"
    generate_reports(records, ["template"], "fr", out, seed=1)
    for row in _lines(out):
        assert row["teacher"] == "template"
        for key, spans in row["spans"].items():
            assert row["record"][key] is not None
            for start, end in spans:
                assert 0 <= start < end <= len(row["text"])


def test_user_prompt_pack(server: OpenAIServer, records: pd.DataFrame, tmp_path: Path) -> None:
    pack = tmp_path / "pack" / "en"
    pack.mkdir(parents=True)
    (pack / "system.txt").write_text("Be brief.")
    (pack / "user.txt").write_text("FACTS\n{record}\nSKIP {unknown}\nSTYLE\n{style}")
    (pack / "pack.yaml").write_text("shots: 0\ntemperature: 0.2\nstyles:\n  tone: [dry]\n")
    out = tmp_path / "r.jsonl"
    generate_reports(records, [_spec(server)], "en", out, n=1, prompts=tmp_path / "pack")
    body = server.stats.bodies[-1]
    assert body["temperature"] == 0.2
    assert [m["role"] for m in body["messages"]] == ["system", "user"]
    assert body["messages"][1]["content"].startswith("FACTS\n- specimen type: mastectomy")
    assert _lines(out)[0]["style"] == {"tone": "dry"}


def test_builtin_packs_are_valid(schema: Schema) -> None:
    for lang in ("fr", "en"):
        pack = PromptPack.load(lang, schema)
        assert pack.examples and pack.shots <= len(pack.examples)
        assert {"layout", "length", "register", "headers", "abbreviations", "units"} <= set(
            pack.styles
        )


@pytest.mark.parametrize(
    ("files", "fragment"),
    [
        ({"system.txt": "x", "user.txt": "no placeholder", "pack.yaml": ""}, "must contain"),
        ({"system.txt": "x", "user.txt": "{record} {oops}", "pack.yaml": ""}, "placeholder"),
        ({"system.txt": "x", "user.txt": "{record}"}, "lacks pack.yaml"),
        ({"system.txt": "x", "user.txt": "{record}", "pack.yaml": "shots: 2"}, "only 0 examples"),
    ],
)
def test_bad_packs_are_one_line_errors(
    tmp_path: Path, schema: Schema, files: dict[str, str], fragment: str
) -> None:
    for name, text in files.items():
        (tmp_path / name).write_text(text)
    with pytest.raises(PathsynthError, match=fragment):
        PromptPack.load("en", schema, tmp_path)


def test_bad_input_writes_nothing(records: pd.DataFrame, tmp_path: Path) -> None:
    out = tmp_path / "r.jsonl"
    with pytest.raises(PathsynthError, match="unknown teacher"):
        generate_reports(records, ["gpt"], "en", out)
    with pytest.raises(PathsynthError, match="given twice"):
        generate_reports(records, ["openai:m@a:1", "openai:m@b:2"], "en", out)
    bad = records.assign(grade=[2, 7, None, None])
    with pytest.raises(PathsynthError, match="grade=7"):
        generate_reports(bad, ["openai:m@a:1"], "en", out)
    assert not out.exists()


def test_unreachable_server_stops_the_run(records: pd.DataFrame, tmp_path: Path) -> None:
    out = tmp_path / "r.jsonl"
    many = pd.concat([records] * 10, ignore_index=True).assign(id=[f"q{i}" for i in range(40)])
    spec = "openai:m@127.0.0.1:9?max_retries=0&connect_timeout=1"
    with pytest.raises(PathsynthError, match="requests failed"):
        generate_reports(many, [spec], "en", out, concurrency=4)


def test_fatal_error_stops_at_once(records: pd.DataFrame, tmp_path: Path) -> None:
    with OpenAIServer(faults=[401]) as srv:
        with pytest.raises(PathsynthError, match="HTTP 401"):
            generate_reports(records, [f"openai:m@{srv.base_url}"], "en", tmp_path / "r.jsonl")
        assert srv.stats.requests <= 4


def test_clean_text_drops_reasoning_and_fences() -> None:
    from pathsynth.reports.generate import clean_text

    assert clean_text("<think>plan\nmore</think>\n\nMACROSCOPIE\nx") == "MACROSCOPIE\nx"
    assert clean_text("```text\nDIAGNOSIS: IDC\n```") == "DIAGNOSIS: IDC"
    assert clean_text("Plain report.\n") == "Plain report."
