"""GPU benchmark of the LoRA student: training steps/s, tokens/s and peak memory on a randomly
initialised model of Mistral-7B's shape (bf16, sequence 1024, built from a config: no weights
are downloaded), then batched extraction throughput (prompt + greedy JSON answer).

Run on a machine with a CUDA GPU:
    .venv/bin/python benchmarks/gpu_lora.py [--steps 10] [--batch-size 4] [--seq 1024]
        [--layers 32] [--gen-batch 16] [--gen-tokens 160] [--out gpu-lora.json]
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


SMOKE = {
    "hidden_size": 64,
    "intermediate_size": 128,
    "num_attention_heads": 4,
    "num_key_value_heads": 2,
    "vocab_size": 512,
}
DEVICE = "cuda"


def _sync() -> None:

    if DEVICE == "cuda":
        _sync()


def _reset_peak() -> None:

    if DEVICE == "cuda":
        _reset_peak()


def _peak_gib() -> float:

    return _peak_gib() if DEVICE == "cuda" else 0.0


def build_model(layers: int, shape: dict[str, Any]) -> Any:
    """A random Mistral-shaped causal LM in bf16, built directly on the device."""
    import torch
    from transformers import MistralConfig, MistralForCausalLM

    config = MistralConfig(**{**shape, "num_hidden_layers": layers})
    config._attn_implementation = "sdpa"
    torch.manual_seed(0)
    with torch.device(DEVICE):
        model = MistralForCausalLM(config).to(torch.bfloat16)
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


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--steps", type=int, default=10)
    ap.add_argument("--batch-size", type=int, default=4)
    ap.add_argument("--seq", type=int, default=1024)
    ap.add_argument("--layers", type=int, default=32, help="32 = the full Mistral-7B depth")
    ap.add_argument("--gen-batch", type=int, default=16)
    ap.add_argument("--gen-prompt", type=int, default=768)
    ap.add_argument("--gen-tokens", type=int, default=160)
    ap.add_argument("--out", type=Path, default=None)
    ap.add_argument("--smoke", action="store_true", help="miniature shape on CPU (script check)")
    args = ap.parse_args()
    try:
        import torch
    except ImportError:
        print("gpu_lora: torch is not installed (pip install 'pathsynth[train]'); nothing to do")
        return
    global DEVICE
    shape = dict(MISTRAL_7B)
    if args.smoke:
        DEVICE = "cpu"
        shape.update(SMOKE)
        args.layers, args.seq, args.steps, args.gen_prompt, args.gen_tokens = 2, 64, 2, 32, 8
        args.batch_size, args.gen_batch = 2, 2
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
    text = json.dumps(result, indent=2)
    if args.out:
        args.out.write_text(text + "\n")
    print(text)


if __name__ == "__main__":
    sys.exit(main())
