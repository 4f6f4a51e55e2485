"""Constrained answers: the answer format as a grammar and as a token mask."""

from __future__ import annotations

import json
import random

import pytest

from pathsynth.extraction._answer import answer_gbnf, answer_text, parse_answer
from pathsynth.extraction._constrained import AnswerFormat, answer_char_limit
from pathsynth.schema import load_schema

SCHEMA = load_schema("breast13")


def _random_values(rng: random.Random) -> dict[str, object]:
    out: dict[str, object] = {}
    for var in SCHEMA.variables:
        if rng.random() < 0.2:
            out[var.key] = None
        elif var.type == "categorical":
            out[var.key] = rng.choice(var.codes)
        elif var.type == "integer":
            out[var.key] = rng.randint(int(var.min or 0), int(min(var.max or 60, 60)))
        else:
            out[var.key] = round(rng.uniform(1, 99), rng.choice([0, 1]))
    return out


def test_every_canonical_answer_is_in_the_format_and_fits_the_limit() -> None:
    fmt = AnswerFormat(SCHEMA)
    rng = random.Random(0)
    for _ in range(200):
        text = answer_text(_random_values(rng), SCHEMA)
        state = fmt.walk(fmt.start, text)
        assert state is not None and fmt.done(state), text
        assert len(text) <= answer_char_limit(SCHEMA)


@pytest.mark.parametrize(
    "text",
    [
        '{"echantillon": "banana"',  # not a code
        '{"diagnostic": null',  # keys out of order
        '{"echantillon":null',  # another spacing
        '{"echantillon": null, "diagnostic": null, "grade": 7',  # out of range
        '{"echantillon": null, "diagnostic": null, "grade": null, "taille": 012',
    ],
)
def test_text_outside_the_format_is_refused(text: str) -> None:
    fmt = AnswerFormat(SCHEMA)
    assert fmt.walk(fmt.start, text) is None


def test_the_grammar_names_every_key_in_order_and_every_code() -> None:
    g = answer_gbnf(SCHEMA)
    root = g.splitlines()[0]
    positions = [root.index(json.dumps(k).replace('"', '\\"')) for k in SCHEMA.keys]
    assert positions == sorted(positions)
    for code in SCHEMA["diagnostic"].codes:
        assert f'"\\"{code}\\""' in g


@pytest.mark.slow
def test_a_random_model_under_constraint_always_answers_a_valid_record(tmp_path) -> None:
    pytest.importorskip("transformers")
    torch = pytest.importorskip("torch")
    from transformers import AutoModelForCausalLM, AutoTokenizer, LogitsProcessorList

    from pathsynth.extraction._constrained import AnswerConstraint, ConstrainedLogits
    from pathsynth.extraction.lora import make_tiny_base_model

    from ._pairs import make_pairs

    torch.set_num_threads(1)
    rows = make_pairs(12, seed=5)
    texts = [r["text"] for r in rows] + [answer_text(r["record"], SCHEMA) for r in rows]
    base = make_tiny_base_model(texts, tmp_path / "base", seed=3)
    tok = AutoTokenizer.from_pretrained(str(base))
    tok.padding_side = "left"
    model = AutoModelForCausalLM.from_pretrained(str(base)).eval()
    constraint = AnswerConstraint(SCHEMA, tok)
    prompts = [r["text"][:200] + "\n### JSON\n" for r in rows[:3]]
    enc = tok(prompts, return_tensors="pt", padding=True)
    width = enc["input_ids"].shape[1]
    for sample in (False, True):
        torch.manual_seed(1)
        out = model.generate(
            **enc,
            max_new_tokens=answer_char_limit(SCHEMA) + 2,
            do_sample=sample,
            logits_processor=LogitsProcessorList([ConstrainedLogits(constraint, width, 3)]),
            pad_token_id=tok.pad_token_id,
            eos_token_id=tok.eos_token_id,
        )
        for row in out[:, width:]:
            text = tok.decode(row, skip_special_tokens=True)
            values, valid = parse_answer(text, SCHEMA)
            assert valid, text
            assert set(values) == set(SCHEMA.keys)
