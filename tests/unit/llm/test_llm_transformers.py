"""The transformers: backend with a tiny randomly initialised model built on the fly."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from pathsynth.llm import GenerationRequest, make_generator

transformers = pytest.importorskip("transformers")
tokenizers = pytest.importorskip("tokenizers")
torch = pytest.importorskip("torch")

CORPUS = [
    "Carcinome canalaire infiltrant de 23 mm, grade SBR 2, marges saines.",
    "Invasive ductal carcinoma, 2.3 cm, Nottingham grade 2, margins clear.",
    "Récepteurs aux oestrogènes positifs, HER2 négatif, Ki67 15 %.",
    "ER positive, PR negative, HER2 negative, Ki-67 15%.",
]
CHAT = (
    "{% for m in messages %}<|{{ m['role'] }}|>{{ m['content'] }}\n{% endfor %}"
    "{% if add_generation_prompt %}<|assistant|>{% endif %}"
)


def _tiny_model(path: Path, chat: bool) -> Path:
    tok = tokenizers.Tokenizer(tokenizers.models.BPE(unk_token="<unk>"))
    tok.pre_tokenizer = tokenizers.pre_tokenizers.ByteLevel(add_prefix_space=False)
    tok.decoder = tokenizers.decoders.ByteLevel()
    trainer = tokenizers.trainers.BpeTrainer(
        vocab_size=300, special_tokens=["<unk>", "<pad>", "<eos>"]
    )
    tok.train_from_iterator(CORPUS * 5, trainer)
    fast = transformers.PreTrainedTokenizerFast(
        tokenizer_object=tok, unk_token="<unk>", pad_token="<pad>", eos_token="<eos>"
    )
    if chat:
        fast.chat_template = CHAT
    fast.save_pretrained(path)
    torch.manual_seed(0)
    config = transformers.GPT2Config(
        vocab_size=len(fast),
        n_positions=512,
        n_embd=32,
        n_layer=1,
        n_head=2,
        eos_token_id=fast.eos_token_id,
        pad_token_id=fast.pad_token_id,
    )
    transformers.GPT2LMHeadModel(config).save_pretrained(path)
    return path


def _requests(n: int, **kw: object) -> list[GenerationRequest]:
    return [
        GenerationRequest(
            id=f"r{i}",
            messages=[
                {"role": "system", "content": "Write a report."},
                {"role": "user", "content": f"- size: {10 + i} mm" * (1 + i % 3)},
            ],
            seed=i,
            max_tokens=12,
            **kw,  # type: ignore[arg-type]
        )
        for i in range(n)
    ]


def _answer(spec: str, requests: list[GenerationRequest]) -> list:
    gen = make_generator(spec)

    async def go() -> list:
        try:
            return await asyncio.gather(*(gen.agenerate(r) for r in requests))
        finally:
            await gen.aclose()

    return asyncio.run(go()), gen


@pytest.mark.slow
@pytest.mark.parametrize("chat", [False, True])
def test_batched_generation(tmp_path: Path, chat: bool) -> None:
    path = _tiny_model(tmp_path / "tiny", chat)
    outs, gen = _answer(f"transformers:{path}?batch_size=4&device=cpu", _requests(6))
    assert gen.name == "transformers:tiny"
    assert gen._use_chat is chat
    assert len(outs) == 6
    for out in outs:
        assert isinstance(out.text, str)
        assert 0 < out.completion_tokens <= 12
        assert out.prompt_tokens > 0


@pytest.mark.slow
def test_greedy_answers_do_not_depend_on_the_batch(tmp_path: Path) -> None:
    path = _tiny_model(tmp_path / "tiny", chat=False)
    reqs = _requests(3, temperature=0.0)
    alone, _ = _answer(f"transformers:{path}?batch_size=1", reqs)
    batched, _ = _answer(f"transformers:{path}?batch_size=3", reqs)
    assert [o.text for o in alone] == [o.text for o in batched]


@pytest.mark.slow
def test_a_prompt_beyond_the_context_fails_alone(tmp_path: Path) -> None:
    from pathsynth.llm import GenerationError

    path = _tiny_model(tmp_path / "tiny", chat=False)
    long = GenerationRequest(
        id="long", messages=[{"role": "user", "content": "carcinome " * 600}], max_tokens=8
    )
    gen = make_generator(f"transformers:{path}?batch_size=4")

    async def go() -> list:
        try:
            return await asyncio.gather(
                *(gen.agenerate(r) for r in [long, *_requests(2)]), return_exceptions=True
            )
        finally:
            await gen.aclose()

    failed, *fine = asyncio.run(go())
    assert isinstance(failed, GenerationError) and "context of 512" in str(failed)
    assert all(o.completion_tokens > 0 for o in fine)
