"""The LoRA student on CPU: a tiny random Llama and a tokenizer trained here, no download."""

from __future__ import annotations

import json

import pytest

from pathsynth.errors import PathsynthError
from pathsynth.extraction import load_extractor, train_student

from ._pairs import make_pairs

pytest.importorskip("peft")
pytest.importorskip("trl")
torch = pytest.importorskip("torch")


@pytest.fixture(scope="module")
def tiny(tmp_path_factory):
    from pathsynth.extraction.lora import make_tiny_base_model

    torch.set_num_threads(1)  # tiny matrices: threads only add contention
    d = tmp_path_factory.mktemp("lora")
    rows = make_pairs(24, seed=2)
    data = d / "kept.jsonl"
    data.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows))
    real = d / "real.jsonl"
    real.write_text(
        json.dumps({"id": "x", "text": "RE positifs", "values": {"re": "positive"}}) + "\n"
    )
    base = make_tiny_base_model([r["text"] for r in rows], d / "base", seed=0)
    return d, data, real, base, rows


@pytest.mark.slow
def test_train_save_load_and_batched_extract(tiny) -> None:
    d, data, real, base, rows = tiny
    manifest = train_student(
        [data, real],
        "lora",
        d / "student",
        base_model=base,
        max_steps=2,
        batch_size=4,
        max_length=384,
        answer_tokens=96,
        r=4,
        alpha=8,
    )
    assert manifest["kind"] == "lora" and manifest["n_train"] == 25
    assert manifest["train_steps"] == 2
    assert (d / "student" / "adapter" / "adapter_config.json").is_file()
    student = load_extractor(str(d / "student"), batch_size=3)
    found = student.extract([r["text"] for r in rows[:4]])
    assert len(found) == 4
    assert all(set(f.values) == set(student.schema.keys) for f in found)


def test_lora_needs_a_base_model(tiny) -> None:
    d, data, *_ = tiny
    with pytest.raises(PathsynthError, match="base-model"):
        train_student(data, "lora", d / "nobase")
    with pytest.raises(PathsynthError, match="not a local model"):
        train_student(data, "lora", d / "nobase", base_model=d / "missing")


def test_every_config_file_gives_its_lora_students_valid_options() -> None:
    from pathlib import Path

    from pathsynth.extraction.lora import LoraStudentConfig
    from pathsynth.pipeline.config import load_config

    root = Path(__file__).resolve().parents[3] / "configs"
    students = [
        s for f in sorted(root.glob("*.yaml")) for s in load_config(f).students if s.kind == "lora"
    ]
    assert len(students) >= 3  # gemma-cpu and the two GPU studies
    for s in students:
        cfg = LoraStudentConfig.from_options(**s.options)
        assert cfg.report_tokens >= 16


def test_an_unknown_lora_option_is_a_one_line_error() -> None:
    from pathsynth.extraction.lora import LoraStudentConfig

    with pytest.raises(PathsynthError, match="no option 'lora_r'"):
        LoraStudentConfig.from_options(lora_r=16)
