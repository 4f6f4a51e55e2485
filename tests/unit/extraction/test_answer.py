"""LLM answers: the JSON Schema, and parse-repair-validate of what models actually write."""

from __future__ import annotations

import json

from pathsynth.extraction._answer import answer_json_schema, answer_text, parse_answer


def test_schema_lists_every_key_with_null(schema) -> None:
    js = answer_json_schema(schema)
    assert js["required"] == schema.keys
    assert None in js["properties"]["re"]["enum"]
    assert js["properties"]["grade"]["type"] == ["integer", "null"]


def test_answer_text_roundtrips(schema) -> None:
    vals = {**schema.empty_values(), "taille": 28.0, "re": "positive", "grade": 2}
    text = answer_text(vals, schema)
    assert json.loads(text)["taille"] == 28
    assert parse_answer(text, schema) == ({**vals, "taille": 28}, True)


def test_repairs_common_slips(schema) -> None:
    text = "Sure! ```json\n{'re': 'positive', 'grade': 'II', 'taille': '2,8 cm', ki67: None,}\n```"
    values, valid = parse_answer(text, schema, "fr")
    assert not valid
    assert values["re"] == "positive"
    assert values["grade"] == 2
    assert values["taille"] == 28
    assert values["ki67"] is None


def test_truncated_answer_keeps_complete_keys(schema) -> None:
    values, valid = parse_answer('{"re": "negative", "rp": "posi', schema)
    assert values["re"] == "negative"
    assert not valid


def test_invalid_values_become_null_and_unknown_keys_are_ignored(schema) -> None:
    values, _ = parse_answer('{"re": "maybe", "grade": 7, "colour": "blue"}', schema)
    assert values["re"] is None and values["grade"] is None
    assert set(values) == set(schema.keys)


def test_no_json_at_all(schema) -> None:
    assert parse_answer("I cannot help with that.", schema) == (schema.empty_values(), False)
