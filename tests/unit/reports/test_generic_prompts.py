"""LLM teachers for any schema: a schema without prompts of its own gets the generic pack,
written from the schema's description and its variables' names."""

from __future__ import annotations

import json
import random
from collections.abc import Iterator
from pathlib import Path

import pytest

from pathsynth.cli import main
from pathsynth.extraction.rules import RulesExtractor
from pathsynth.reports.prompts import PromptPack
from pathsynth.schema import load_schema
from support.openai_server import OpenAIServer

PACK = Path(__file__).resolve().parents[2] / "data" / "packs" / "colorectal"


@pytest.fixture
def server() -> Iterator[OpenAIServer]:
    with OpenAIServer() as srv:
        yield srv


def test_generic_pack_speaks_of_the_schema() -> None:
    schema = load_schema(PACK)
    record = {"procedure": "sigmoidectomy", "nodes_examined": 14, "crm_distance": 2.5}
    for lang, description, line in (
        ("fr", "Compte rendu de résection de cancer colorectal", "- ganglions examinés : 14"),
        ("en", "Colorectal cancer resection report", "- lymph nodes examined: 14"),
    ):
        pack = PromptPack.load(lang, schema)
        assert pack.source == f"built-in generic/{lang}"
        assert description in pack.system and "{description}" not in pack.system
        assert "breast" not in pack.system.lower() and "sein" not in pack.system.lower()
        messages = pack.messages(record, pack.draw_style(random.Random(0)), random.Random(0))
        user = messages[-1]["content"]
        assert line in user
        unknown = user.split("\n\n")[2]
        assert ("statut MMR" if lang == "fr" else "MMR status") in unknown
    # the built-in pack keeps its own prompts
    assert PromptPack.load("fr", load_schema("breast13")).source == "built-in breast13/fr"


def test_reports_generate_with_an_openai_teacher_for_a_user_schema(
    server: OpenAIServer, tmp_path: Path
) -> None:
    records = tmp_path / "records.csv"
    main(["cohort", "simulate", "--n", "6", "--seed", "4", "--schema", str(PACK),
          "--out", str(records)])  # fmt: skip
    out = tmp_path / "reports.jsonl"
    main(["reports", "generate", "--records", str(records), "--teacher",
          f"openai:test-model@{server.base_url}", "--lang", "en", "--schema", str(PACK),
          "--out", str(out), "--quiet"])  # fmt: skip
    lines = [json.loads(x) for x in out.read_text().splitlines()]
    assert len(lines) == 6 and all(r["teacher"] == "openai:test-model" for r in lines)
    assert all(len(r["prompt_sha256"]) == 64 for r in lines)
    system = server.stats.bodies[0]["messages"][0]["content"]
    assert "Domain: Colorectal cancer resection report." in system
    # the test server writes the prompt's findings back: the report states the record
    rules = RulesExtractor(load_schema(PACK))
    for row in lines:
        got = rules.extract_one(row["text"]).values
        known = {k: v for k, v in row["record"].items() if v is not None}
        assert {k: got[k] for k in known} == known
