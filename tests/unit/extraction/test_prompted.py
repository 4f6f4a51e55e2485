"""Prompted extractors through a local OpenAI-compatible server (no model, no network)."""

from __future__ import annotations

import json
from typing import Any

import pytest

from pathsynth.errors import PathsynthError
from pathsynth.extraction import load_extractor
from pathsynth.extraction._text import TrainingExample
from pathsynth.extraction.prompted import ExampleBank
from support import openai_server as server_mod


def _report(body: dict[str, Any]) -> str:
    messages = body.get("messages") or []
    return str(messages[-1]["content"]) if messages else str(body.get("prompt", ""))


def reader(endpoint: str, body: dict[str, Any]) -> str:
    """A stand-in model: answers re from the report, in sloppy JSON the first time."""
    text = _report(body)
    re_value = "positive" if "RE positifs" in text else "negative"
    if "garbage" in text and body.get("temperature", 0) == 0:
        return "Sorry, I cannot read this."
    return "```json\n{'re': '" + re_value + "', 'taille': '2,5 cm', grade: 2,}\n```"


def test_zero_shot_reads_and_repairs_answers(schema) -> None:
    with server_mod.OpenAIServer(responder=reader) as server:
        ex = load_extractor(f"openai:test-model@{server.base_url}", schema=schema)
        found = ex.extract(["RE positifs, tumeur de 25 mm", "RE négatifs", "garbage"])
        bodies = server.stats.bodies
    assert found[0].values["re"] == "positive"
    assert found[0].values["taille"] == 25
    assert found[0].values["grade"] == 2
    assert found[1].values["re"] == "negative"
    # The unreadable first answer was asked again with a little temperature.
    assert found[2].values["re"] == "negative"
    assert ex.stats["retries"] == 1
    first = bodies[0]
    assert first["messages"][0]["role"] == "system"
    assert "numero_gang_prel" in first["messages"][0]["content"]


def test_k_shot_shows_the_most_similar_examples(schema) -> None:
    examples = [
        TrainingExample("a", "Ki67 élevé à 40 %, grade 3", {"ki67": 40, "grade": 3}),
        TrainingExample("b", "HER2 score 3+ surexprimé", {"her2": "positive"}),
        TrainingExample("c", "Marges saines, exérèse complète", {"marges_saines": "yes"}),
    ]
    with server_mod.OpenAIServer(responder=reader) as server:
        ex = load_extractor(
            f"openai:test-model@{server.base_url}", schema=schema, shots=2, examples=examples
        )
        ex.extract(["HER2 3+ surexprimé, Ki67 35 %"])
        msgs = server.stats.bodies[0]["messages"]
    assert [m["role"] for m in msgs] == ["system", "user", "assistant", "user", "assistant", "user"]
    shown = msgs[1]["content"] + msgs[3]["content"]
    assert "HER2 score 3+" in shown and "Marges" not in shown
    assert json.loads(msgs[-2]["content"])["her2"] == "positive"


def test_example_bank_is_seeded(schema) -> None:
    examples = [TrainingExample(str(i), "same text", {}) for i in range(6)]
    a = [e.id for e in ExampleBank(examples, seed=1).nearest("same text", 3)]
    b = [e.id for e in ExampleBank(examples, seed=1).nearest("same text", 3)]
    assert a == b


def test_shots_need_examples(schema) -> None:
    with pytest.raises(PathsynthError, match="examples"):
        load_extractor("openai:m@http://127.0.0.1:9/v1", schema=schema, shots=3)
    with pytest.raises(PathsynthError, match="LLM"):
        load_extractor("rules", schema=schema, shots=3)
