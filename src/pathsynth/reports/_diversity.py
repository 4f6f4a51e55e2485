"""Diversity of the filter: near-duplicate removal (MinHash LSH) and diversity figures.

Near duplicates are found on word shingles with datasketch's MinHash LSH; the figures are
distinct-n (unique n-grams over all n-grams, n = 1..3, higher is more varied) over the whole
corpus, and self-BLEU (each text scored against the others, lower is more varied) on a seeded
sample, since it is quadratic.
"""

from __future__ import annotations

import math
import random
import re
from collections import Counter
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from pathsynth.errors import PathsynthError

if TYPE_CHECKING:
    from datasketch import MinHash

_WORD = re.compile(r"\w+")


def tokens(text: str) -> list[str]:
    """Lower-cased words of ``text``, punctuation dropped."""
    return _WORD.findall(text.casefold())


def shingles(words: list[str], k: int = 3) -> set[bytes]:
    """Word k-shingles of a text (the whole text when it is shorter than ``k`` words)."""
    if len(words) < k:
        return {" ".join(words).encode()}
    return {" ".join(words[i : i + k]).encode() for i in range(len(words) - k + 1)}


class NearDuplicateIndex:
    """Texts seen so far, to tell whether a new one nearly repeats one of them.

    ``threshold`` is the estimated Jaccard similarity of word shingles above which two texts are
    near duplicates; exact repeats (after lower-casing and dropping punctuation) always are.
    """

    def __init__(
        self, threshold: float = 0.9, *, num_perm: int = 128, shingle: int = 3, seed: int = 0
    ) -> None:
        if not 0.0 < threshold <= 1.0:
            raise PathsynthError(f"dedup threshold must be in (0, 1], got {threshold}")
        self.threshold = threshold
        self.num_perm = num_perm
        self.shingle = shingle
        self.seed = seed
        # datasketch is imported here, not at module level: it takes a second to import and
        # the CLI imports this module to build its help.
        from datasketch import MinHashLSH

        self._lsh = MinHashLSH(threshold=threshold, num_perm=num_perm)
        self._hashes: dict[str, MinHash] = {}
        self._exact: dict[int, str] = {}

    def __len__(self) -> int:
        return len(self._hashes)

    def _minhash(self, words: list[str]) -> MinHash:
        from datasketch import MinHash

        m = MinHash(num_perm=self.num_perm, seed=self.seed)
        m.update_batch(list(shingles(words, self.shingle)))
        return m

    def find(self, text: str) -> tuple[str, float] | None:
        """The id of an indexed text that ``text`` nearly repeats, with the similarity."""
        words = tokens(text)
        same = self._exact.get(hash(" ".join(words)))
        if same is not None:
            return same, 1.0
        m = self._minhash(words)
        best: tuple[str, float] | None = None
        for key in self._lsh.query(m):
            # LSH candidates are probable matches only; confirm with the estimated Jaccard.
            sim = float(m.jaccard(self._hashes[key]))
            if sim >= self.threshold and (best is None or sim > best[1]):
                best = (key, sim)
        return best

    def add(self, key: str, text: str) -> None:
        """Index ``text`` under ``key`` (ids must be unique)."""
        words = tokens(text)
        m = self._minhash(words)
        self._lsh.insert(key, m)
        self._hashes[key] = m
        self._exact.setdefault(hash(" ".join(words)), key)


@dataclass
class DiversityMeter:
    """Streaming diversity of a corpus: distinct-1..3 over all texts, self-BLEU on a sample.

    The sample is drawn by reservoir sampling with ``seed``, so the figure is reproducible and
    memory stays bounded whatever the corpus size.
    """

    sample_size: int = 100
    seed: int = 0
    max_n: int = 3
    n_texts: int = 0
    _seen: list[set[int]] = field(default_factory=list, repr=False)
    _total: list[int] = field(default_factory=list, repr=False)
    _sample: list[list[str]] = field(default_factory=list, repr=False)
    _rng: random.Random = field(init=False, repr=False)

    def __post_init__(self) -> None:
        self._seen = [set() for _ in range(self.max_n)]
        self._total = [0] * self.max_n
        self._rng = random.Random(self.seed)

    def add(self, text: str) -> None:
        """Count one text."""
        words = tokens(text)
        for n in range(1, self.max_n + 1):
            grams = [hash(tuple(words[i : i + n])) for i in range(len(words) - n + 1)]
            self._seen[n - 1].update(grams)
            self._total[n - 1] += len(grams)
        self.n_texts += 1
        if len(self._sample) < self.sample_size:
            self._sample.append(words)
        else:
            j = self._rng.randrange(self.n_texts)
            if j < self.sample_size:
                self._sample[j] = words

    def distinct(self, n: int) -> float | None:
        """Unique n-grams over all n-grams (``None`` before any n-gram)."""
        total = self._total[n - 1]
        return round(len(self._seen[n - 1]) / total, 4) if total else None

    def figures(self) -> dict[str, float | int | None]:
        """``{"n", "distinct_1".., "self_bleu", "self_bleu_sample"}`` for the summary."""
        out: dict[str, float | int | None] = {"n": self.n_texts}
        for n in range(1, self.max_n + 1):
            out[f"distinct_{n}"] = self.distinct(n)
        out["self_bleu"] = self_bleu(self._sample)
        out["self_bleu_sample"] = len(self._sample)
        return out


def _ngrams(words: list[str], n: int) -> Counter[tuple[str, ...]]:
    return Counter(tuple(words[i : i + n]) for i in range(len(words) - n + 1))


def self_bleu(texts: list[list[str]], max_n: int = 4) -> float | None:
    """Mean BLEU-``max_n`` of each tokenised text against all the others as references.

    Uses add-one smoothing of the higher-order precisions (short texts would otherwise score 0)
    and the brevity penalty with the closest reference length. ``None`` below two texts.
    """
    docs = [t for t in texts if t]
    if len(docs) < 2:
        return None
    counts = [[_ngrams(d, n) for n in range(1, max_n + 1)] for d in docs]
    # For each n-gram: best count and its document, and the runner-up count, so "max over the
    # other documents" costs O(1) instead of a pass over all references.
    best: list[dict[tuple[str, ...], tuple[int, int, int]]] = [{} for _ in range(max_n)]
    for doc_i, per_n in enumerate(counts):
        for n_i, grams in enumerate(per_n):
            table = best[n_i]
            for gram, c in grams.items():
                top, top_doc, second = table.get(gram, (0, -1, 0))
                if c > top:
                    table[gram] = (c, doc_i, top)
                elif c > second:
                    table[gram] = (top, top_doc, c)
    lengths = sorted(len(d) for d in docs)
    scores = []
    for doc_i, doc in enumerate(docs):
        log_p = 0.0
        for n_i, grams in enumerate(counts[doc_i]):
            total = sum(grams.values())
            matched = 0
            for gram, c in grams.items():
                top, top_doc, second = best[n_i][gram]
                ref = second if top_doc == doc_i else top
                matched += min(c, ref)
            if n_i == 0:
                if matched == 0:
                    log_p = -math.inf
                    break
                log_p += math.log(matched / total)
            else:
                log_p += math.log((matched + 1) / (total + 1))
        if log_p == -math.inf:
            scores.append(0.0)
            continue
        others = list(lengths)
        others.remove(len(doc))
        ref_len = min(others, key=lambda r: (abs(r - len(doc)), r))
        bp = 1.0 if len(doc) >= ref_len else math.exp(1 - ref_len / len(doc))
        scores.append(bp * math.exp(log_p / max_n))
    return round(sum(scores) / len(scores), 4)
