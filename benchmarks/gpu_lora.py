"""GPU benchmark of the LoRA student: training steps/s, tokens/s and peak memory on a randomly
initialised model of Mistral-7B's or Qwen2.5-7B's shape (bf16, sequence 1024, built from a
config: no weights are downloaded), then batched generation throughput; with ``--student``, the
product's own path on the same shape (``train_lora`` then ``LoraStudent`` extraction with
constrained answers on template reports).

Run on a machine with a CUDA GPU:
    .venv/bin/python benchmarks/gpu_lora.py [--shape mistral-7b|qwen2.5-7b] [--steps 10]
        [--batch-size 4] [--seq 1024] [--layers 32] [--gen-batch 16] [--gen-tokens 160]
        [--student] [--out gpu-lora.json]
Without a GPU it prints a message and exits with status 0. ``--smoke`` runs the same code on
CPU with a miniature shape (a check of the script itself, not a measurement).
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path
from typing import Any

# Mistral-7B-v0.1's shape (config.json of the published model).
MISTRAL_7B = {
    "vocab_size": 32000,
    "hidden_size": 4096,
    "intermediate_size": 14336,
    "num_hidden_layers": 32,
    "num_attention_heads": 32,
    "num_key_value_heads": 8,
    "max_position_embeddings": 32768,
    "rms_norm_eps": 1e-5,
    "rope_theta": 10000.0,
    "sliding_window": 4096,
    "tie_word_embeddings": False,
}
# Qwen2.5-7B-Instruct's shape (config.json of the published model).
QWEN25_7B = {
    "vocab_size": 152064,
    "hidden_size": 3584,
    "intermediate_size": 18944,
    "num_hidden_layers": 28,
    "num_attention_heads": 28,
    "num_key_value_heads": 4,
    "max_position_embeddings": 32768,
    "rms_norm_eps": 1e-6,
    "rope_theta": 1000000.0,
    "tie_word_embeddings": False,
}
SHAPES = {"mistral-7b": ("mistral", MISTRAL_7B), "qwen2.5-7b": ("qwen2", QWEN25_7B)}
MODEL_TYPE = "mistral"


SMOKE = {
    "hidden_size": 64,
    "intermediate_size": 128,
    "num_attention_heads": 4,
    "num_key_value_heads": 2,
    "vocab_size": 512,
}
DEVICE = "cuda"


def _sync() -> None:
    import torch

    if DEVICE == "cuda":
        torch.cuda.synchronize()


def _reset_peak() -> None:
    import torch

    if DEVICE == "cuda":
        torch.cuda.reset_peak_memory_stats()


def _peak_gib() -> float:
    import torch

    return round(torch.cuda.max_memory_allocated() / 2**30, 2) if DEVICE == "cuda" else 0.0


def build_model(layers: int, shape: dict[str, Any]) -> Any:
    """A random Mistral-shaped causal LM in bf16, built directly on the device."""
    import torch
    from transformers import AutoConfig, AutoModelForCausalLM

    config = AutoConfig.for_model(MODEL_TYPE, **{**shape, "num_hidden_layers": layers})
    config._attn_implementation = "sdpa"
    torch.manual_seed(0)
    with torch.device(DEVICE):
        model = AutoModelForCausalLM.from_config(config).to(torch.bfloat16)
    return model


def train_speed(model: Any, steps: int, batch: int, seq: int, warmup: int = 2) -> dict[str, Any]:
    """LoRA (r=16 on all linear layers) with gradient checkpointing: steps/s and tokens/s."""
    import torch
    from peft import LoraConfig, get_peft_model

    lora = get_peft_model(
        model,
        LoraConfig(
            r=16,
            lora_alpha=32,
            lora_dropout=0.05,
            target_modules="all-linear",
            task_type="CAUSAL_LM",
        ),
    )
    lora.gradient_checkpointing_enable(gradient_checkpointing_kwargs={"use_reentrant": False})
    lora.enable_input_require_grads()
    lora.train()
    trainable = sum(p.numel() for p in lora.parameters() if p.requires_grad)
    total = sum(p.numel() for p in lora.parameters())
    opt = torch.optim.AdamW([p for p in lora.parameters() if p.requires_grad], lr=2e-4)
    gen = torch.Generator(device=DEVICE).manual_seed(0)
    ids = torch.randint(0, model.config.vocab_size, (batch, seq), device=DEVICE, generator=gen)
    labels = ids.clone()
    labels[:, : seq // 2] = -100  # loss on the answer half only, as in completion-only SFT
    _reset_peak()
    for step in range(warmup + steps):
        if step == warmup:
            _sync()
            t0 = time.perf_counter()
        loss = lora(input_ids=ids, labels=labels).loss
        loss.backward()
        opt.step()
        opt.zero_grad(set_to_none=True)
    _sync()
    dt = time.perf_counter() - t0
    out = {
        "params_total": total,
        "params_trainable": trainable,
        "batch_size": batch,
        "seq_len": seq,
        "steps": steps,
        "steps_per_s": round(steps / dt, 3),
        "tokens_per_s": round(steps * batch * seq / dt, 1),
        "peak_memory_gib": _peak_gib(),
        "final_loss": round(float(loss.detach()), 4),
    }
    lora.eval()
    # Generation needs the KV cache that gradient checkpointing switched off.
    lora.gradient_checkpointing_disable()
    lora.config.use_cache = True
    opt.zero_grad(set_to_none=True)
    del opt
    return {"train": out, "model": lora}


def extraction_speed(model: Any, batch: int, prompt_len: int, new_tokens: int) -> dict[str, Any]:
    """Batched greedy generation of ``new_tokens`` after ``prompt_len``-token prompts."""
    import torch

    gen = torch.Generator(device=DEVICE).manual_seed(1)
    ids = torch.randint(
        3, model.config.vocab_size, (batch, prompt_len), device=DEVICE, generator=gen
    )
    mask = torch.ones_like(ids)
    _reset_peak()
    with torch.inference_mode():
        model.generate(
            input_ids=ids[:, :32],
            attention_mask=mask[:, :32],
            max_new_tokens=4,
            do_sample=False,
            use_cache=True,
            pad_token_id=0,
        )  # warm-up
        _sync()
        t0 = time.perf_counter()
        model.generate(
            input_ids=ids,
            attention_mask=mask,
            max_new_tokens=new_tokens,
            min_new_tokens=new_tokens,
            do_sample=False,
            use_cache=True,
            pad_token_id=0,
        )
        _sync()
    dt = time.perf_counter() - t0
    return {
        "batch_size": batch,
        "prompt_tokens": prompt_len,
        "new_tokens": new_tokens,
        "seconds": round(dt, 2),
        "reports_per_s": round(batch / dt, 2),
        "generated_tokens_per_s": round(batch * new_tokens / dt, 1),
        "peak_memory_gib": _peak_gib(),
    }


def student_path(shape: dict[str, Any], layers: int, args: argparse.Namespace) -> dict[str, Any]:
    """The product's own code path on the same shape: ``train_lora`` (TRL, completion-only
    loss, bf16 on GPU) on template reports, then ``LoraStudent`` extraction (transformers
    engine, constrained answers, report windows), timed. The model is random, so the scores
    say nothing; the figures are speed, memory and that every answer is a valid record."""
    import tempfile

    import torch
    from transformers import AutoConfig, AutoModelForCausalLM

    sys.path.insert(0, str(Path(__file__).parent))
    from extraction import template_reports  # benchmarks/extraction.py

    from pathsynth.extraction._text import TrainingExample
    from pathsynth.extraction.lora import LoraStudent, LoraStudentConfig, train_lora
    from pathsynth.extraction.lora import make_tiny_base_model as tiny

    rows = template_reports(args.student_reports + args.student_test, seed=7)
    train, test = rows[: args.student_reports], rows[args.student_reports :]
    examples = [
        TrainingExample(
            r["id"],
            r["text"],
            r["record"],
            {k: [tuple(x) for x in v] for k, v in r["spans"].items()},
        )
        for r in train
    ]
    with tempfile.TemporaryDirectory() as tmp:
        base = Path(tmp) / "base"
        # A tokenizer trained on the reports, then the full-shape model saved beside it.
        tiny([r["text"] for r in rows], base, vocab_size=min(4000, shape["vocab_size"]))
        from transformers import AutoTokenizer

        tok = AutoTokenizer.from_pretrained(str(base))
        config = AutoConfig.for_model(
            MODEL_TYPE,
            **{**shape, "num_hidden_layers": layers, "vocab_size": len(tok)},
            bos_token_id=tok.bos_token_id,
            eos_token_id=tok.eos_token_id,
            pad_token_id=tok.pad_token_id,
        )
        torch.manual_seed(0)
        AutoModelForCausalLM.from_config(config).to(
            torch.bfloat16 if DEVICE == "cuda" else torch.float32
        ).save_pretrained(base)
        cfg = LoraStudentConfig(
            max_steps=args.steps,
            batch_size=args.batch_size,
            max_length=args.seq,
            bf16=DEVICE == "cuda",
            gradient_checkpointing=DEVICE == "cuda",
            engine="transformers",
        )
        _reset_peak()
        t0 = time.perf_counter()
        out = train_lora(examples, base, Path(tmp) / "student", config=cfg)
        train_s = time.perf_counter() - t0
        manifest = json.loads((out / "manifest.json").read_text())
        train_peak = _peak_gib()
        student = LoraStudent.load(out, batch_size=args.gen_batch, device=DEVICE)
        _reset_peak()
        _sync()
        t0 = time.perf_counter()
        found = student.extract([r["text"] for r in test], lang="en")
        _sync()
        dt = time.perf_counter() - t0
    return {
        "train_seconds": round(train_s, 1),
        "train_steps": manifest["train_steps"],
        "train_tokens_per_s": manifest["train_tokens_per_s"],
        "train_peak_memory_gib": train_peak,
        "extract_reports": len(test),
        "extract_windows": student.stats["windows"],
        "extract_reports_per_s": round(len(test) / dt, 3),
        "extract_peak_memory_gib": _peak_gib(),
        "invalid_answers": student.stats["invalid_json"],
        "records_complete": all(len(f.values) == 13 for f in found),
    }


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--shape", choices=sorted(SHAPES), default="mistral-7b")
    ap.add_argument("--steps", type=int, default=10)
    ap.add_argument("--batch-size", type=int, default=4)
    ap.add_argument("--seq", type=int, default=1024)
    ap.add_argument("--layers", type=int, default=32, help="32 = the full Mistral-7B depth")
    ap.add_argument("--gen-batch", type=int, default=16)
    ap.add_argument("--gen-prompt", type=int, default=768)
    ap.add_argument("--gen-tokens", type=int, default=160)
    ap.add_argument("--out", type=Path, default=None)
    ap.add_argument(
        "--student", action="store_true", help="also time the product path (train_lora, extract)"
    )
    ap.add_argument("--student-reports", type=int, default=256, help="training reports")
    ap.add_argument("--student-test", type=int, default=64, help="reports extracted")
    ap.add_argument("--smoke", action="store_true", help="miniature shape on CPU (script check)")
    args = ap.parse_args()
    try:
        import torch
    except ImportError:
        print("gpu_lora: torch is not installed (pip install 'pathsynth[train]'); nothing to do")
        return
    global DEVICE, MODEL_TYPE
    MODEL_TYPE, base_shape = SHAPES[args.shape]
    shape = dict(base_shape)
    if args.smoke:
        DEVICE = "cpu"
        shape.update(SMOKE)
        args.layers, args.seq, args.steps, args.gen_prompt, args.gen_tokens = 2, 64, 2, 32, 8
        args.batch_size, args.gen_batch = 2, 2
        args.seq, args.student_reports, args.student_test = 384, 8, 2
    elif not torch.cuda.is_available():
        print("gpu_lora: no CUDA GPU on this machine; run it on a GPU host. Nothing measured.")
        return
    result: dict[str, Any] = {
        "device": torch.cuda.get_device_name(0) if DEVICE == "cuda" else "cpu (smoke)",
        "torch": torch.__version__,
        "shape": {**shape, "num_hidden_layers": args.layers},
        "dtype": "bfloat16",
    }
    t0 = time.perf_counter()
    model = build_model(args.layers, shape)
    result["build_seconds"] = round(time.perf_counter() - t0, 1)
    trained = train_speed(model, args.steps, args.batch_size, args.seq)
    result["train"] = trained["train"]
    print(json.dumps(result["train"]), flush=True)
    if DEVICE == "cuda":
        torch.cuda.empty_cache()
    result["extract"] = extraction_speed(
        trained["model"], args.gen_batch, args.gen_prompt, args.gen_tokens
    )
    print(json.dumps(result["extract"]), flush=True)
    if args.student:
        del trained
        if DEVICE == "cuda":
            torch.cuda.empty_cache()
        result["student"] = student_path(shape, args.layers, args)
        print(json.dumps(result["student"]), flush=True)
    text = json.dumps(result, indent=2)
    if args.out:
        args.out.write_text(text + "\n")
    print(text)


if __name__ == "__main__":
    sys.exit(main())
