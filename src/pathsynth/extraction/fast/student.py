"""The ``fast`` student: a CPU extractor learned from synthetic report / value pairs.

It reads a report the way the rules extractor does — the sectioner, the schema's value readers,
the domain pack's candidates (every place a value may be stated) — and learns what the rules
write by hand: which candidate states the report's value, and when none does. One logistic
regression per key scores each candidate from its section and part, the words around it, the
pack's cue flags, how many candidates agree, and what the rules extractor chose (stacking); the
best candidate is taken when its score passes the key's threshold, tuned on held-out training
reports; where none does, the rules extractor's value is taken (``backoff``). Node counts add up
the mentions it scores as counted. Training copies are noised (capitals, accents, flattened
lines, OCR slips: :mod:`.augment`).

Saved as ``manifest.json`` + ``weights.npz`` + ``features.json``, checksummed; no pickle.
"""

from __future__ import annotations

import hashlib
import json
import random
import time
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from pathsynth.errors import PathsynthError
from pathsynth.extraction._manifest import read_manifest, write_manifest
from pathsynth.extraction._text import Span, TrainingExample
from pathsynth.extraction.base import Extraction
from pathsynth.extraction.fast.augment import augment
from pathsynth.extraction.fast.features import candidate_features
from pathsynth.extraction.fast.model import KeyScorer, Vocabulary, fit_scorer
from pathsynth.extraction.findings import Candidate, Document, Finding
from pathsynth.extraction.rules import (
    document_findings,
    pack_finders,
    report_candidates,
    rules_value,
)
from pathsynth.schema import Lang, Schema, Value, load_schema

__all__ = ["FAST_VERSION", "FastConfig", "FastStudent", "train_fast"]

FAST_VERSION = 2


@dataclass
class FastConfig:
    """Options of the fast student (the CLI and the pipeline config expose them)."""

    seed: int = 0
    #: passes over the training reports: the first as written, each further one a noisy copy
    epochs: int = 2
    #: inverse L2 regularisation of each key's logistic regression
    c: float = 0.5
    #: features seen in fewer training candidates than this are not learned
    min_count: int = 2
    #: share of training reports held out to tune each key's threshold (at least one report)
    validation: float = 0.1
    #: features whose weight stays below this (absolute) are dropped from the saved model
    prune: float = 1e-4
    #: where no candidate of a key passes its threshold, take the rules extractor's value (the
    #: student decides where it is confident; rules speak where it abstains)
    backoff: bool = True


def _overlaps(a: Span, b: Span) -> bool:
    return a[0] < b[1] and b[0] < a[1]


@dataclass
class _Analysis:
    doc: Document
    candidates: dict[str, list[Candidate]]
    rules: dict[str, list[Finding]]


def _analyse(text: str, schema: Schema) -> _Analysis:
    doc = Document(text or "", schema)
    finders = pack_finders(schema)
    return _Analysis(doc, report_candidates(doc, finders), document_findings(doc, finders))


def _sum_keys(schema: Schema) -> tuple[str, ...]:
    finders = pack_finders(schema)
    return finders.sum_keys if finders is not None else ()


def _labels(
    key: str, cands: list[Candidate], ex: TrainingExample, schema: Schema, summed: bool
) -> list[int]:
    gold = ex.values.get(key)
    spans = ex.evidence.get(key) or []
    var = schema[key]
    if summed:
        return [int(any(_overlaps(c.span, sp) for sp in spans)) for c in cands]
    if gold is None:
        return [0] * len(cands)
    out = []
    for c in cands:
        right = var.equal(c.value, gold)
        out.append(int(right and (not spans or any(_overlaps(c.span, sp) for sp in spans))))
    return out


def _decode(
    key: str, cands: list[Candidate], p: np.ndarray, threshold: float, schema: Schema, summed: bool
) -> tuple[Value, list[Span]]:
    if not cands:
        return None, []
    var = schema[key]
    if summed:
        counted = [(c, q) for c, q in zip(cands, p, strict=True) if q >= threshold]
        if not counted:
            return None, []
        seen: set[tuple[str, Value]] = set()
        total = 0
        for c, _ in counted:
            ident = (c.statement.part, c.value)
            if c.statement.part and ident in seen:
                continue
            seen.add(ident)
            total += int(c.value or 0)
        value: Value = var.canonical(total) if var.is_valid(total) else None
        return value, [c.span for c, _ in counted]
    j = int(np.argmax(p))
    if p[j] < threshold:
        return None, []
    value = cands[j].value
    if not var.is_valid(value):
        return None, []
    spans = [
        c.span
        for c, q in zip(cands, p, strict=True)
        if q >= threshold and var.equal(c.value, value)
    ]
    return var.canonical(value), sorted(set(spans)) or [cands[j].span]


@dataclass
class FastStudent:
    """The trained fast student (an :class:`~pathsynth.extraction.base.Extractor`)."""

    schema: Schema
    config: FastConfig
    vocab: Vocabulary
    scorers: dict[str, KeyScorer]
    meta: dict[str, Any] = field(default_factory=dict)
    name: str = "fast"

    def extract(self, texts: Sequence[str], *, lang: Lang | None = None) -> list[Extraction]:
        """Values and evidence spans of each text (``lang`` is not needed: both are read)."""
        summed = set(_sum_keys(self.schema))
        analyses = [_analyse(text, self.schema) for text in texts]
        out = [Extraction(self.schema.empty_values(), {}) for _ in texts]
        for key in self.schema.keys:
            scorer = self.scorers.get(key)
            if scorer is None:
                continue
            # every report's candidates of this key scored in one matrix product
            rows: list[list[str]] = []
            owners: list[tuple[int, int, int]] = []
            for i, an in enumerate(analyses):
                cands = an.candidates.get(key) or []
                if cands:
                    first = len(rows)
                    rows += candidate_features(
                        self.schema[key], cands, len(an.doc.text), an.rules.get(key, [])
                    )
                    owners.append((i, first, len(rows)))
            if not rows:
                continue
            p = scorer.proba(self.vocab.matrix(rows))
            for i, lo, hi in owners:
                cands = analyses[i].candidates[key]
                value, spans = _decode(
                    key, cands, p[lo:hi], scorer.threshold, self.schema, key in summed
                )
                out[i].values[key] = value
                if value is not None:
                    out[i].evidence[key] = spans
        if self.config.backoff:
            for an, ex in zip(analyses, out, strict=True):
                for key in self.schema.keys:
                    if ex.values.get(key) is None:
                        hits = an.rules.get(key, [])
                        value, spans = rules_value(self.schema[key], hits, an.doc.text)
                        if value is not None:
                            ex.values[key], ex.evidence[key] = value, spans
        return out

    # --- persistence -------------------------------------------------------------------------

    def save(self, out_dir: str | Path, *, manifest_extra: dict[str, Any] | None = None) -> Path:
        """Write ``manifest.json``, ``weights.npz`` and ``features.json`` into ``out_dir``."""
        from pathsynth._io import atomic_path

        out = Path(out_dir)
        out.mkdir(parents=True, exist_ok=True)
        arrays = {f"{k}_coef": s.coef.astype(np.float32) for k, s in self.scorers.items()}
        with atomic_path(out / "weights.npz") as tmp:
            with tmp.open("wb") as fh:
                np.savez_compressed(fh, **arrays)  # type: ignore[arg-type]
            digest = _sha256(tmp)
        with atomic_path(out / "features.json") as tmp:
            tmp.write_text(json.dumps(self.vocab.names(), ensure_ascii=False), encoding="utf-8")
            features_digest = _sha256(tmp)
        manifest = {
            "kind": "fast",
            "version": FAST_VERSION,
            "schema": self.schema.model_dump(mode="json"),
            "config": asdict(self.config),
            "scorers": {
                k: {"intercept": s.intercept, "threshold": s.threshold}
                for k, s in self.scorers.items()
            },
            "weights_sha256": digest,
            "features_sha256": features_digest,
            **self.meta,
            **(manifest_extra or {}),
        }
        write_manifest(out, manifest)
        return out

    @classmethod
    def load(cls, model_dir: str | Path) -> FastStudent:
        """Load a student saved by :meth:`save` (its files' checksums are checked)."""
        from pathsynth.schema import Schema

        d = Path(model_dir)
        manifest = read_manifest(d, "fast", FAST_VERSION)
        weights, feats = d / "weights.npz", d / "features.json"
        if not weights.is_file() or _sha256(weights) != manifest.get("weights_sha256"):
            raise PathsynthError(f"{d}: weights.npz is missing or does not match its checksum")
        if not feats.is_file() or _sha256(feats) != manifest.get("features_sha256"):
            raise PathsynthError(f"{d}: features.json is missing or does not match its checksum")
        try:
            schema = Schema.model_validate(manifest["schema"])
            config = FastConfig(**manifest["config"])
            names = json.loads(feats.read_text("utf-8"))
            with np.load(weights, allow_pickle=False) as z:
                scorers = {
                    k: KeyScorer(z[f"{k}_coef"], float(v["intercept"]), float(v["threshold"]))
                    for k, v in manifest["scorers"].items()
                }
        except (KeyError, TypeError, ValueError) as exc:
            raise PathsynthError(f"{d}: not a readable fast student ({exc})") from None
        meta: dict[str, Any] = {
            k: manifest[k]
            for k in ("n_train", "n_threshold_reports", "n_features", "train_seconds")
            if k in manifest
        }
        return cls(schema, config, Vocabulary(names), scorers, meta)


def _sha256(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


# --- training --------------------------------------------------------------------------------


def _split(examples: list[TrainingExample], share: float, seed: int) -> tuple[list, list]:
    """(train, validation), by a seeded draw over report ids (stable under reordering)."""
    if len(examples) < 10:
        return examples, examples

    def draw(ex: TrainingExample) -> float:
        h = hashlib.sha256(f"{seed}|{ex.id}".encode()).digest()
        return int.from_bytes(h[:8], "big") / 2**64

    val = [e for e in examples if draw(e) < share] or examples[:1]
    ids = {e.id for e in val}
    return [e for e in examples if e.id not in ids], val


def _tune(
    key: str,
    scorer: KeyScorer,
    items: list[tuple[list[Candidate], np.ndarray, Value]],
    schema: Schema,
    summed: bool,
) -> float:
    """The threshold with the best F1 (the evaluation's definition) on held-out reports."""
    var = schema[key]
    best_t, best_f1 = 0.5, -1.0
    for t in np.linspace(0.05, 0.95, 19):
        tp = fp = fn = 0
        for cands, p, gold in items:
            value, _ = _decode(key, cands, p, float(t), schema, summed)
            equal = var.equal(gold, value)
            tp += value is not None and equal
            fp += value is not None and not equal
            fn += gold is not None and not equal
        f1 = 2 * tp / (2 * tp + fp + fn) if tp + fp + fn else 1.0
        if f1 > best_f1 + 1e-9:
            best_t, best_f1 = float(t), f1
    return best_t


def train_fast(
    examples: Sequence[TrainingExample],
    schema: Schema | str | None = None,
    config: FastConfig | None = None,
    *,
    progress: Callable[[str, float], None] | None = None,
) -> FastStudent:
    """Train the fast student on report / value pairs (with evidence spans when known)."""
    sch = schema if isinstance(schema, Schema) else load_schema(schema or "breast13")
    cfg = config or FastConfig()
    pairs = [e for e in examples if e.text and e.values]
    if not pairs:
        raise PathsynthError("no training pair: give reports with text and values")
    if not any(e.evidence for e in pairs):
        raise PathsynthError(
            "the training reports carry no evidence spans: train on generated reports "
            "(spans) or on the filter's kept reports (evidence)"
        )
    start = time.perf_counter()
    rng = random.Random(cfg.seed)
    train, val = _split(pairs, cfg.validation, cfg.seed)
    summed = set(_sum_keys(sch))
    rows: dict[str, list[list[str]]] = {k: [] for k in sch.keys}
    labels: dict[str, list[int]] = {k: [] for k in sch.keys}
    passes = max(1, cfg.epochs)
    total = len(train) * passes
    for n in range(passes):
        for i, ex in enumerate(train):
            copy = ex if n == 0 else augment(ex, rng)
            an = _analyse(copy.text, sch)
            for key in sch.keys:
                cands = an.candidates.get(key) or []
                if not cands:
                    continue
                rows[key] += candidate_features(
                    sch[key], cands, len(copy.text), an.rules.get(key, [])
                )
                labels[key] += _labels(key, cands, copy, sch, key in summed)
            if progress is not None and (i % 50 == 0 or i == len(train) - 1):
                progress("reading", (n * len(train) + i + 1) / total)
    # features seen often enough, one vocabulary for every key
    counts: dict[str, int] = {}
    for key_rows in rows.values():
        for feats in key_rows:
            for f in set(feats):
                counts[f] = counts.get(f, 0) + 1
    vocab = Vocabulary(sorted(f for f, c in counts.items() if c >= cfg.min_count))
    scorers: dict[str, KeyScorer] = {}
    for i, key in enumerate(sch.keys):
        y = np.asarray(labels[key], dtype=np.int32)
        if len(y):
            scorers[key] = fit_scorer(vocab.matrix(rows[key]), y, c=cfg.c, seed=cfg.seed)
        if progress is not None:
            progress("fitting", (i + 1) / len(sch.keys))
    # drop features no key weighs
    keep = (
        np.flatnonzero(
            np.max(np.abs(np.stack([s.coef for s in scorers.values()])), axis=0) >= cfg.prune
        )
        if scorers
        else np.zeros(0, dtype=np.int64)
    )
    vocab = vocab.keep(keep)
    for s in scorers.values():
        s.coef = s.coef[keep]
    # thresholds on held-out reports
    items: dict[str, list[tuple[list[Candidate], np.ndarray, Value]]] = {k: [] for k in scorers}
    for ex in val:
        an = _analyse(ex.text, sch)
        for key, scorer in scorers.items():
            cands = an.candidates.get(key) or []
            if cands:
                held = candidate_features(sch[key], cands, len(ex.text), an.rules.get(key, []))
                p = scorer.proba(vocab.matrix(held))
            else:
                p = np.zeros(0)
            items[key].append((cands, p, ex.values.get(key)))
    for key, scorer in scorers.items():
        scorer.threshold = _tune(key, scorer, items[key], sch, key in summed)
    meta = {
        "n_train": len(pairs),
        "n_threshold_reports": len(val),
        "n_features": len(vocab),
        "train_seconds": round(time.perf_counter() - start, 1),
    }
    return FastStudent(sch, cfg, vocab, scorers, meta)
