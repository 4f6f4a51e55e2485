"""Teacher specs: parsing, slugs, options and one-line errors."""

from __future__ import annotations

import pytest

from pathsynth.errors import PathsynthError
from pathsynth.llm import make_generator, parse_spec
from pathsynth.llm.openai_compat import OpenAIGenerator, normalize_base_url
from pathsynth.llm.registry import slug_for_name


def test_openai_spec_with_several_servers_and_options() -> None:
    spec = parse_spec("openai:Qwen/Qwen2.5-7B@http://a:8000/v1,b:8001?endpoint=completion")
    assert spec.kind == "openai"
    assert spec.target == "Qwen/Qwen2.5-7B"
    assert spec.base_urls == ("http://a:8000/v1", "b:8001")
    assert spec.options == {"endpoint": "completion"}
    # Server URLs are not part of the slug: moving a model keeps its report ids.
    assert spec.slug == "qwen-qwen2.5-7b"
    assert parse_spec("openai:Qwen/Qwen2.5-7B@http://c/v1").slug == spec.slug


def test_slugs_of_other_kinds() -> None:
    assert parse_spec("template").slug == "template"
    assert parse_spec("transformers:/models/My Model/").slug == "my-model"
    assert parse_spec("llamacpp:/m/gemma-3-270m-Q4_K_M.gguf").slug == "gemma-3-270m-q4_k_m"
    assert slug_for_name("openai:llama3:8b") == "llama3-8b"
    assert slug_for_name("custom") == "custom"


@pytest.mark.parametrize(
    ("spec", "fragment"),
    [
        ("", "empty teacher spec"),
        ("gpt4", "unknown teacher"),
        ("openai:model", "lacks a server"),
        ("openai:@http://x", "lacks the model name"),
        ("transformers:", "lacks its model"),
        ("template:foo", "takes no target"),
        ("openai:m@http://x?bad", "bad options"),
    ],
)
def test_bad_specs_are_one_line_errors(spec: str, fragment: str) -> None:
    with pytest.raises(PathsynthError, match=fragment) as err:
        parse_spec(spec)
    assert "\n" not in str(err.value)


def test_base_url_normalisation() -> None:
    assert normalize_base_url("localhost:8000") == "http://localhost:8000/v1"
    assert normalize_base_url("https://api.example.org/v1/") == "https://api.example.org/v1"
    with pytest.raises(PathsynthError, match="http"):
        normalize_base_url("ftp://x")


def test_options_are_typed_and_checked() -> None:
    gen = make_generator(
        "openai:m@http://127.0.0.1:9/v1?concurrency=3&timeout=2.5&endpoint=completion"
    )
    assert isinstance(gen, OpenAIGenerator)
    assert gen.config.concurrency == 3
    assert gen.config.timeout == 2.5
    assert gen.config.endpoint == "completion"
    # The spec's own options win over the run-wide ones.
    gen = make_generator("openai:m@http://127.0.0.1:9/v1?concurrency=3", concurrency=50)
    assert isinstance(gen, OpenAIGenerator) and gen.config.concurrency == 3
    with pytest.raises(PathsynthError, match="no option 'tempo'"):
        make_generator("openai:m@http://127.0.0.1:9/v1?tempo=1")
    with pytest.raises(PathsynthError, match="not a int"):
        make_generator("openai:m@http://127.0.0.1:9/v1?concurrency=many")
    with pytest.raises(PathsynthError, match="choose one of chat, completion"):
        make_generator("openai:m@http://127.0.0.1:9/v1?endpoint=embeddings")


def test_missing_local_models_are_user_errors(tmp_path) -> None:
    pytest.importorskip("transformers")
    with pytest.raises(PathsynthError, match="not a local model directory"):
        make_generator(f"transformers:{tmp_path}")


def test_template_spec_builds_the_template_teacher() -> None:
    from pathsynth.llm.template import TemplateTeacher

    assert isinstance(make_generator("template"), TemplateTeacher)


def test_completion_prompt_and_stops() -> None:
    from pathsynth.llm import messages_to_prompt
    from pathsynth.llm._common import completion_stops

    messages = [
        {"role": "system", "content": "Be exact."},
        {"role": "user", "content": "Write the pathology report for:\n- a: 1\n\nReport:"},
        {"role": "assistant", "content": "A report."},
        {"role": "user", "content": "Write the pathology report for:\n- a: 2\n\nReport:"},
    ]
    prompt = messages_to_prompt(messages)
    assert prompt.startswith("Be exact.\n\nWrite") and prompt.endswith("- a: 2\n\nReport:\n\n")
    assert completion_stops(messages) == ["Write the pathology report"]
    assert completion_stops([{"role": "user", "content": "Hi"}]) == []
