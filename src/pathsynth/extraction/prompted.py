"""Prompted LLM extractors: 0-shot and k-shot prompting of any model spec
(``openai:MODEL@URL``, ``transformers:PATH``, ``llamacpp:PATH.gguf``).

k-shot examples are report / answer pairs from synthetic data, the ``k`` most similar to each
report by TF-IDF over character n-grams (ties broken by a seeded shuffle). The same messages
serve chat models (system, user/assistant pairs) and base models (the backend joins them into
one completion prompt ending where the answer starts). Answers are constrained to the answer's
JSON Schema where the backend supports it; otherwise they are parsed, repaired and validated,
and an unreadable answer is asked again once with a little temperature.
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from pathsynth.errors import PathsynthError
from pathsynth.extraction._answer import (
    answer_json_schema,
    answer_text,
    parse_answer,
    variables_help,
)
from pathsynth.extraction._text import TrainingExample, guess_lang
from pathsynth.extraction.base import Extraction
from pathsynth.schema import Lang, Schema, load_schema

INSTRUCTION = {
    "fr": (
        "Tu es un extracteur d'informations de comptes rendus d'anatomopathologie mammaire. "
        "Lis le compte rendu et réponds par un seul objet JSON ayant exactement ces clés "
        "(null quand l'information n'est pas donnée) :\n{variables}\n"
        "Taille en millimètres (2,8 cm = 28), Ki-67 en pourcentage, nombres de ganglions "
        "additionnés sur tous les prélèvements ganglionnaires."
    ),
    "en": (
        "You extract information from breast pathology reports. Read the report and answer "
        "with one JSON object with exactly these keys (null when the report does not say):\n"
        "{variables}\nSize in millimetres (2.8 cm = 28), Ki-67 in percent, lymph node counts "
        "summed over all node specimens."
    ),
}
REPORT_LABEL = {"fr": "Compte rendu :", "en": "Report:"}
ANSWER_LABEL = {"fr": "JSON :", "en": "JSON:"}


@dataclass
class PromptedConfig:
    """Options of a prompted extractor."""

    shots: int = 0
    """Examples shown before each report (0 = zero-shot)."""
    seed: int = 0
    """Seed of example ties and of sampling on retries."""
    max_tokens: int = 256
    """Answer length limit (the 13-key answer takes about 120 tokens)."""
    max_example_chars: int = 1500
    """Example reports are cut to this many characters to keep prompts short."""
    retries: int = 1
    """Extra attempts when an answer holds no readable JSON object."""
    concurrency: int = 8
    """Requests in flight at once."""


class ExampleBank:
    """Synthetic report / value pairs and the TF-IDF index that finds the closest ones."""

    def __init__(self, examples: Sequence[TrainingExample], seed: int = 0) -> None:
        from sklearn.feature_extraction.text import TfidfVectorizer

        if not examples:
            raise PathsynthError("k-shot prompting needs examples: give --examples kept.jsonl")
        self.examples = list(examples)
        self.vectorizer = TfidfVectorizer(
            analyzer="char_wb", ngram_range=(3, 4), sublinear_tf=True, lowercase=True
        )
        self.matrix = self.vectorizer.fit_transform([e.text for e in self.examples])
        # A fixed random tie-break per example, so equal scores pick seeded, varied examples.
        self.jitter = np.random.default_rng(seed).random(len(self.examples)) * 1e-9

    def nearest(self, text: str, k: int) -> list[TrainingExample]:
        """The ``k`` examples most similar to ``text``, most similar last (closest to the query)."""
        if k <= 0:
            return []
        sims = np.asarray((self.matrix @ self.vectorizer.transform([text]).T).todense()).ravel()
        order = np.argsort(-(sims + self.jitter))[:k]
        return [self.examples[i] for i in reversed(order.tolist())]


class PromptedExtractor:
    """An LLM prompted to answer the schema's JSON (an :class:`Extractor`)."""

    def __init__(
        self,
        spec: str,
        *,
        schema: Schema | None = None,
        config: PromptedConfig | None = None,
        examples: Sequence[TrainingExample] | None = None,
        generator_options: dict[str, Any] | None = None,
    ) -> None:
        self.spec = spec
        self.schema = schema or load_schema("breast13")
        self.config = config or PromptedConfig()
        if self.config.shots < 0:
            raise PathsynthError("--shots must be 0 or more")
        self.bank = ExampleBank(examples or [], self.config.seed) if self.config.shots else None
        self.generator_options = dict(generator_options or {})
        self.name = f"{spec.split('?')[0]} {self.config.shots}-shot"
        self.json_schema = answer_json_schema(self.schema)
        #: answers that were not valid JSON as written, and retries made (last run)
        self.stats = {"invalid_json": 0, "retries": 0, "unreadable": 0}

    def messages(self, text: str, lang: Lang) -> list[dict[str, str]]:
        """The prompt for one report: instruction, k example pairs, the report."""
        system = INSTRUCTION[lang].format(variables=variables_help(self.schema, lang))
        msgs = [{"role": "system", "content": system}]
        shots = self.bank.nearest(text, self.config.shots) if self.bank else []
        for ex in shots:
            body = ex.text[: self.config.max_example_chars]
            msgs.append({"role": "user", "content": f"{REPORT_LABEL[lang]}\n{body}"})
            msgs.append({"role": "assistant", "content": answer_text(ex.values, self.schema)})
        msgs.append(
            {"role": "user", "content": f"{REPORT_LABEL[lang]}\n{text}\n\n{ANSWER_LABEL[lang]}"}
        )
        return msgs

    def extract(self, texts: Sequence[str], *, lang: Lang | None = None) -> list[Extraction]:
        """Ask the model about each text; values it cannot state come back ``None``."""
        return asyncio.run(self.aextract(texts, lang=lang))

    async def aextract(self, texts: Sequence[str], *, lang: Lang | None = None) -> list[Extraction]:
        """Async twin of :meth:`extract`."""
        from pathsynth.llm import GenerationRequest, make_generator

        options = {"concurrency": self.config.concurrency, **self.generator_options}
        generator = make_generator(self.spec, **options)
        self.stats = {"invalid_json": 0, "retries": 0, "unreadable": 0}
        sem = asyncio.Semaphore(self.config.concurrency)

        async def one(i: int, text: str) -> Extraction:
            lg: Lang = lang or ("en" if guess_lang(text) == "en" else "fr")
            msgs = self.messages(text, lg)
            values = self.schema.empty_values()
            for attempt in range(self.config.retries + 1):
                request = GenerationRequest(
                    id=f"extract-{i}-{attempt}",
                    messages=msgs,
                    lang=lg,
                    seed=self.config.seed + attempt,
                    temperature=0.0 if attempt == 0 else 0.3,
                    max_tokens=self.config.max_tokens,
                    json_schema=self.json_schema,
                )
                async with sem:
                    gen = await generator.agenerate(request)
                values, valid = parse_answer(gen.text, self.schema, lg)
                if not valid:
                    self.stats["invalid_json"] += 1
                if valid or any(v is not None for v in values.values()):
                    break
                if attempt < self.config.retries:
                    self.stats["retries"] += 1
            else:
                self.stats["unreadable"] += 1
            return Extraction(values)

        try:
            return list(await asyncio.gather(*(one(i, t) for i, t in enumerate(texts))))
        finally:
            await generator.aclose()


__all__ = ["ExampleBank", "PromptedConfig", "PromptedExtractor"]
