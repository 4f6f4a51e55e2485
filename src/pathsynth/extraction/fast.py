"""The ``fast`` student: a CPU extractor learned from synthetic report / value pairs.

Design (chosen to carry over from synthetic to real reports, not to memorise one template):

1. **Token tagger.** Every token gets hashed, layout-independent features (the accent-folded
   word, its shape, its neighbours, a bag of the words before and after it, the head words of
   its line, number magnitude and unit) and one logistic-regression scorer per key says whether
   the token carries that key's value. Labels come from the evidence spans of the training
   reports (``evidence`` of kept reports, ``spans`` of generated ones). A key with no tagged
   token is "not stated".
2. **Values.** For numeric keys the tagged number token is read with its unit ("2,8 cm" → 28 mm,
   roman grades). Node counts come first from lymph-node fractions ("2/14", "0N+/4N", "1
   ganglion métastatique sur 12"): a stated total wins, a restated fraction counts once,
   per-specimen fractions add up; without fractions the tagged mentions of several specimens
   are summed unless one of them is a total. For categorical keys a second linear model per key
   reads the tagged span, its left context (character n-grams, so "négatifs", "NEGATIF" and
   "neg." land close) and the negation / presence cues of its clause, and chooses the canonical
   code. When the tagger finds no span, the specimen type falls back on the schema's surface
   forms (the procedure words) and the emboli reader reads the schema's names of the key.
3. **Augmentation.** Training copies are upper- or lower-cased, stripped of accents, flattened onto
   one line, shuffled line by line and sprinkled with OCR-like character confusions, so the model
   cannot lean on the teacher's casing, layout or spelling.

Features are strings mapped to columns by a vocabulary grown during training (``features.json``;
unseen features are ignored at extraction, which is faster than hashing them and free of
collisions). Weights are plain numpy arrays (``weights.npz``) next to a JSON manifest, both
checksummed: no pickle is loaded.
"""

from __future__ import annotations

import json
import math
import random
import time
import unicodedata
from bisect import bisect_right
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np

from pathsynth.errors import PathsynthError
from pathsynth.evaluation.scoring import values_equal
from pathsynth.extraction._manifest import read_manifest, write_manifest
from pathsynth.extraction._text import Span, TrainingExample
from pathsynth.extraction.base import Extraction
from pathsynth.schema import Lang, Schema, Value, Variable, load_schema
from pathsynth.text import fold as _fold_text
from pathsynth.text import tokenize

FAST_VERSION = 1
# Tokens repeat a lot: fold each distinct one once.
fold = lru_cache(maxsize=65536)(_fold_text)
ROMAN = {"i": 1, "ii": 2, "iii": 3}
# Counts written as words ("un ganglion", "aucun", "two of five nodes"): candidates for counts.
NUMBER_WORDS = {
    **dict.fromkeys(["aucun", "aucune", "zero", "none", "no"], 0),
    **dict.fromkeys(["un", "une", "one", "single"], 1),
    **{
        w: i
        for i, w in enumerate(
            [
                "deux",
                "trois",
                "quatre",
                "cinq",
                "six",
                "sept",
                "huit",
                "neuf",
                "dix",
                "onze",
                "douze",
            ],
            start=2,
        )
    },
    **{
        w: i
        for i, w in enumerate(
            [
                "two",
                "three",
                "four",
                "five",
                "six",
                "seven",
                "eight",
                "nine",
                "ten",
                "eleven",
                "twelve",
            ],
            start=2,
        )
    },
}
UNITS = {"mm": 1.0, "cm": 10.0}
NEGATION_CUES = {
    "pas", "absence", "absent", "absents", "absente", "absentes", "sans", "aucun", "aucune",
    "non", "ni", "negatif", "negatifs", "negative", "negatives", "no", "not", "none", "without",
    "free", "indemne", "indemnes", "saines", "saine", "sain", "sains", "nul", "nulle", "0",
}  # fmt: skip
PRESENCE_CUES = {
    "presence", "present", "presents", "presente", "presentes", "positif",
    "positifs", "positive", "positives", "identified", "seen", "noted", "yes", "oui", "+",
    "involved", "atteinte", "atteintes", "envahie", "envahies", "envahi", "focal", "extensive",
    "nombreux", "nombreuses", "quelques", "rares", "multiple", "multiples",
}  # fmt: skip
CLAUSE_ENDS = {".", ";"}
# Common abbreviations of schema values that surface forms do not list.
ABBREVIATIONS = {
    "echantillon": {
        "wle": "lumpectomy",
        "bcs": "lumpectomy",
        "alnd": "lymph_node_dissection",
        "mrm": "mastectomy",
        "cnb": "biopsy",
    }
}


def _stem(w: str) -> str:
    """A folded word without its plural ending ("microbiopsies" → "microbiopsie")."""
    return w[:-1] if len(w) > 3 and w[-1] in "sx" else w


TOTAL_WORDS = {"total", "totalite", "soit", "overall", "au"}
# Letter confusions typical of OCR'd pathology reports (same length, so spans stay valid).
OCR_CONFUSIONS = {
    "e": "c",
    "c": "e",
    "i": "l",
    "l": "1",
    "o": "0",
    "O": "0",
    "a": "o",
    "n": "m",
    "m": "n",
    "u": "v",
    "s": "5",
    "I": "l",
    "t": "f",
}


@dataclass
class FastConfig:
    """Options of the fast student (the CLI exposes the main ones)."""

    seed: int = 0
    #: passes of stochastic gradient descent over the token table
    epochs: int = 6
    #: augmented copies of each training report (casing, accents, OCR noise, line order)
    augment: int = 1
    #: L2 regularisation of the token scorers
    alpha: float = 2e-6
    #: features whose weights all stay below this (absolute) are dropped from the saved model
    prune: float = 1e-4
    #: share of tokens negative for every key kept for training (reweighted, for speed)
    negative_rate: float = 0.4
    #: a token belongs to a key when its probability exceeds this
    threshold: float = 0.5
    #: integer keys whose mentions are summed over specimens
    sum_keys: tuple[str, ...] = ("numero_gang_prel", "numero_gang_att")
    #: categorical keys read from the schema's surface forms when the tagger finds no span
    #: (the procedure words name the specimen type: "microbiopsie", "curage axillaire")
    surface_keys: tuple[str, ...] = ("echantillon",)
    #: categorical keys whose value reader reads the schema's names of the key ("emboles +",
    #: "sans embole vasculaire") when the tagger finds no span
    name_keys: tuple[str, ...] = ("emboles",)


# --- features --------------------------------------------------------------------------------


@lru_cache(maxsize=65536)
def _shape(tok: str) -> str:
    out: list[str] = []
    for ch in tok[:6]:
        c = "d" if ch.isdigit() else "X" if ch.isupper() else "x" if ch.isalpha() else ch
        if not out or out[-1] != c:
            out.append(c)
    return "".join(out)


def _as_number(norm: str) -> float | None:
    if norm[:1].isdigit():
        try:
            return float(norm.replace(",", "."))
        except ValueError:
            return None
    return None


def _magnitude(x: float) -> str:
    if x != int(x):
        return "dec" if x < 10 else "dec10"
    for lim in (0, 1, 3, 9, 20, 50, 100):
        if x <= lim:
            return str(lim)
    return "big"


class _Doc:
    """A tokenised text with per-token features."""

    __slots__ = ("feats", "line_of", "norms", "nums", "section", "text", "toks")

    def __init__(self, text: str) -> None:
        self.text = text
        self.toks = tokenize(text)
        norms = [fold(t) for t, _, _ in self.toks]
        self.norms = norms
        self.nums = [_as_number(n) for n in norms]
        n = len(norms)
        line_starts = [0] + [i + 1 for i, ch in enumerate(text) if ch == "\n"]
        line_of = [bisect_right(line_starts, s) - 1 for _, s, _ in self.toks]
        self.line_of = line_of
        heads: dict[int, list[str]] = {}
        for i, ln in enumerate(line_of):
            h = heads.setdefault(ln, [])
            if len(h) < 3 and norms[i].isalpha():
                h.append(norms[i])
        # The section a token sits in: the last heading line above it (short, all capitals or
        # ending with ':'), e.g. "CONCLUSION", "Microscopie :"; repeats in a conclusion differ
        # from first mentions, and specimen blocks ("B/ Curage axillaire") matter for counts.
        lines = text.split("\n")
        section_of_line: list[str] = []
        current = ""
        for ln_text in lines:
            stripped = ln_text.strip()
            words = stripped.split()
            if 0 < len(words) <= 6 and (
                stripped.endswith(":")
                or (stripped.isupper() and not any(c.isdigit() for c in stripped))
            ):
                folded = [fold(w_) for w_ in words if w_[:1].isalpha()]
                current = folded[0] if folded else ""
            section_of_line.append(current)
        self.section = [section_of_line[ln] for ln in line_of]
        pad = ["<s>"] * 8
        padded = pad + norms + ["</s>"] * 4
        feats: list[list[str]] = []
        for i in range(n):
            w = norms[i]
            j = i + 8
            f = [
                "w=" + w,
                "s=" + _shape(self.toks[i][0]),
                "p=" + w[:3],
                "x=" + w[-3:],
                "w-1=" + padded[j - 1],
                "w-2=" + padded[j - 2],
                "w-3=" + padded[j - 3],
                "w+1=" + padded[j + 1],
                "w+2=" + padded[j + 2],
                "b-=" + padded[j - 1] + "|" + w,
                "b+=" + w + "|" + padded[j + 1],
                "b--=" + padded[j - 2] + "|" + padded[j - 1],
            ]
            f.extend(["L=" + x for x in padded[j - 8 : j]])
            f.extend(["R=" + x for x in padded[j + 1 : j + 4]])
            head = heads.get(line_of[i], [])
            f.extend(["H=" + x for x in head])
            f.append("S=" + section_of_line[line_of[i]])
            f.append(f"pos={10 * i // max(n, 1)}")
            if i == 0 or line_of[i - 1] != line_of[i]:
                f.append("bol")
            x = self.nums[i]
            if x is not None:
                f.append("num")
                f.append("mag=" + _magnitude(x))
                f.append("num|w-1=" + padded[j - 1])
                f.append("num|w+1=" + padded[j + 1])
                f.append("num|H=" + (head[0] if head else ""))
            elif w in ROMAN:
                f.append("roman")
            elif w in NUMBER_WORDS:
                f.append("numword")
                f.append("numword|w+1=" + padded[j + 1])
            feats.append(f)
        self.feats = feats


def _unit_after(doc: _Doc, i: int) -> float | None:
    """The unit factor (mm) of the number at token ``i``: 'cm' → 10, following '25 x 18 mm'."""
    for j in range(i + 1, min(i + 8, len(doc.norms))):
        w = doc.norms[j]
        if w in UNITS:
            return UNITS[w]
        if not (doc.nums[j] is not None or w in {"x", "×", "*", ",", "-"}):
            return None
    return None


def _number_value(doc: _Doc, i: int, var: Variable) -> float | None:
    """The value of ``var`` written by token ``i`` (a number or, for grades, a roman numeral)."""
    x = doc.nums[i]
    if x is None:
        if var.type == "integer" and (var.max or 0) <= 3 and doc.norms[i] in ROMAN:
            return float(ROMAN[doc.norms[i]])
        if var.type == "integer" and (var.max or 0) > 3 and doc.norms[i] in NUMBER_WORDS:
            return float(NUMBER_WORDS[doc.norms[i]])
        return None
    if var.unit == "mm":
        factor = _unit_after(doc, i)
        if factor is not None:
            x = x * factor
    if var.type == "integer" and x != int(x):
        return None
    if not var.is_valid(int(x) if var.type == "integer" else x):
        return None
    return x


def _reader_features(doc: _Doc, a: int, b: int) -> list[str]:
    """Features of the tagged tokens ``a..b`` (inclusive) for a categorical value reader."""
    f = ["bias"]
    for k in range(a, b + 1):
        w = doc.norms[k]
        f.append("w=" + w)
        padded = f"#{w}#"
        for n in (3, 4):
            f.extend("c=" + padded[q : q + n] for q in range(max(1, len(padded) - n + 1)))
    for k in range(max(0, a - 5), a):
        f.append("L=" + doc.norms[k])
    for k in range(b + 1, min(len(doc.norms), b + 4)):
        f.append("R=" + doc.norms[k])
    # Negation and presence cues of the clause around the span, by side: they carry over
    # between wordings ("pas d'emboles", "LVI: not identified", "emboles : présents").
    line = doc.line_of[a]
    for side, lo, hi in (("L", max(0, a - 6), a), ("I", a, b + 1), ("R", b + 1, b + 7)):
        for k in range(lo, min(hi, len(doc.norms))):
            w = doc.norms[k]
            if doc.line_of[k] != line or (side == "R" and w in CLAUSE_ENDS):
                if side == "R":
                    break
                continue
            if w in NEGATION_CUES:
                f.append("neg" + side)
            elif w in PRESENCE_CUES:
                f.append("pos" + side)
    return f


# --- augmentation ----------------------------------------------------------------------------


def _strip_accents(text: str) -> str:
    return "".join(
        (unicodedata.normalize("NFKD", ch)[:1] or ch) if ord(ch) > 127 else ch for ch in text
    )


def augment(ex: TrainingExample, rng: random.Random) -> TrainingExample:
    """A noisy copy of ``ex`` with its evidence spans moved along (casing, accents, OCR, order)."""
    text = ex.text
    evidence = {k: list(v) for k, v in ex.evidence.items()}
    # Line order: only when every span sits inside one line, so each can move with its line.
    if rng.random() < 0.35 and "\n" in text:
        lines = text.split("\n")
        starts = []
        pos = 0
        for ln in lines:
            starts.append(pos)
            pos += len(ln) + 1

        def line_of(p: int) -> int:
            return bisect_right(starts, p) - 1

        ok = all(line_of(s) == line_of(e - 1) for v in evidence.values() for s, e in v)
        if ok and len(lines) > 2:
            order = list(range(len(lines)))
            rng.shuffle(order)
            new_start = {}
            pos = 0
            for idx in order:
                new_start[idx] = pos
                pos += len(lines[idx]) + 1
            text = "\n".join(lines[i] for i in order)
            evidence = {
                k: [
                    (
                        new_start[line_of(s)] + s - starts[line_of(s)],
                        new_start[line_of(s)] + e - starts[line_of(s)],
                    )
                    for s, e in v
                ]
                for k, v in evidence.items()
            }
    r = rng.random()
    if r < 0.25:
        text = text.upper()
    elif r < 0.35:
        text = text.lower()
    if rng.random() < 0.3:
        text = _strip_accents(text)
    if rng.random() < 0.2:
        text = text.replace("\n", " ")
    if rng.random() < 0.35:
        rate = rng.uniform(0.005, 0.03)
        chars = list(text)
        for q, ch in enumerate(chars):
            if ch in OCR_CONFUSIONS and rng.random() < rate:
                chars[q] = OCR_CONFUSIONS[ch]
        text = "".join(chars)
    if len(text) != len(ex.text):  # upper() can lengthen a few letters (ß → SS): keep original
        return ex
    return TrainingExample(ex.id, text, dict(ex.values), evidence, ex.lang)


# --- the model -------------------------------------------------------------------------------


class _Vocab:
    """Feature strings to column ids: grows while training, fixed for extraction."""

    def __init__(self, names: Sequence[str] = ()) -> None:
        self.index: dict[str, int] = {n: i for i, n in enumerate(names)}

    def __len__(self) -> int:
        return len(self.index)

    def names(self) -> list[str]:
        return list(self.index)

    def columns(self, rows: Sequence[Sequence[str]], *, grow: bool = False) -> tuple[Any, Any]:
        """CSR ``indices`` and ``indptr`` arrays of ``rows`` (a feature counts once per mention)."""
        indices: list[int] = []
        indptr = [0]
        if grow:
            index = self.index
            for feats in rows:
                for f in feats:
                    i = index.get(f)
                    if i is None:
                        i = index[f] = len(index)
                    indices.append(i)
                indptr.append(len(indices))
            return np.asarray(indices, dtype=np.int32), np.asarray(indptr, dtype=np.int64)
        # Extraction: one flat lookup (unknown features → -1), then drop the -1s with numpy.
        get = self.index.get
        lengths = np.fromiter((len(f) for f in rows), dtype=np.int64, count=len(rows))
        flat = np.fromiter(
            (get(f, -1) for feats in rows for f in feats), dtype=np.int64, count=int(lengths.sum())
        )
        known = flat >= 0
        row_of = np.repeat(np.arange(len(rows)), lengths)
        counts = np.bincount(row_of[known], minlength=len(rows))
        indptr_arr = np.concatenate([[0], np.cumsum(counts)])
        return flat[known].astype(np.int32), indptr_arr

    def transform(self, rows: Sequence[Sequence[str]], *, grow: bool = False) -> Any:
        from scipy import sparse

        indices, indptr = self.columns(rows, grow=grow)
        data = np.ones(len(indices), dtype=np.float32)
        return sparse.csr_matrix((data, indices, indptr), shape=(len(rows), max(len(self), 1)))


def _sigmoid(z: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-np.clip(z, -30, 30)))


@dataclass
class _Reader:
    """A linear categorical value reader: hashed features → one of ``classes``."""

    classes: list[str]
    coef: np.ndarray  # (n_classes, n_features) or (1, n_features) for two classes
    intercept: np.ndarray

    def proba(self, X: Any) -> np.ndarray:
        z = np.asarray(X @ self.coef.T) + self.intercept
        if len(self.classes) == 1:
            return np.ones((z.shape[0], 1))
        if self.coef.shape[0] == 1:
            p = _sigmoid(z[:, 0])
            return np.stack([1 - p, p], axis=1)
        z = z - z.max(axis=1, keepdims=True)
        e = np.exp(z)
        return np.asarray(e / e.sum(axis=1, keepdims=True))


@dataclass
class FastStudent:
    """The trained fast student (an :class:`~pathsynth.extraction.base.Extractor`)."""

    schema: Schema
    config: FastConfig
    tagger_coef: np.ndarray  # (n_features, n_keys) float32
    tagger_intercept: np.ndarray  # (n_keys,)
    readers: dict[str, _Reader]
    tagger_vocab: _Vocab
    reader_vocab: _Vocab
    meta: dict[str, Any] = field(default_factory=dict)
    name: str = "fast"
    _surfaces: dict[str, list[tuple[tuple[str, ...], str]]] = field(
        default_factory=dict, repr=False
    )

    def _surface_table(self, key: str) -> list[tuple[tuple[str, ...], str]]:
        """Folded token sequences of ``key``'s surface forms (both languages), longest first."""
        table = self._surfaces.get(key)
        if table is None:
            seen: set[tuple[str, ...]] = set()
            table = []
            for v in self.schema[key].values:
                for form in [*v.surface.all(), *v.label.all()]:
                    toks = tuple(_stem(t) for t, _, _ in tokenize(fold(form)))
                    if toks and toks not in seen:
                        seen.add(toks)
                        table.append((toks, str(v.code)))
            codes = {str(v.code) for v in self.schema[key].values}
            table += [((w,), c) for w, c in ABBREVIATIONS.get(key, {}).items() if c in codes]
            table.sort(key=lambda e: -len(e[0]))
            self._surfaces[key] = table
        return table

    def _name_runs(self, doc: _Doc, key: str) -> list[tuple[int, int]]:
        """Token runs (first, last) where one of the schema's names of ``key`` is written."""
        cache_key = "\x00names:" + key  # cannot collide with a schema key
        table = self._surfaces.get(cache_key)
        if table is None:
            names = self.schema[key].names
            forms = {tuple(_stem(t) for t, _, _ in tokenize(fold(x))) for x in names.all()}
            table = sorted(((f, key) for f in forms if f), key=lambda e: -len(e[0]))
            self._surfaces[cache_key] = table
        firsts = {toks[0] for toks, _ in table}
        norms = [_stem(w) for w in doc.norms]
        runs: list[tuple[int, int]] = []
        i = 0
        while i < len(norms):
            if norms[i] in firsts:
                m = next((len(t) for t, _ in table if tuple(norms[i : i + len(t)]) == t), 0)
                if m:
                    runs.append((i, i + m - 1))
                    i += m
                    continue
            i += 1
        return runs

    def _surface_match(self, doc: _Doc, key: str) -> tuple[str, Span] | None:
        """The first surface form of ``key`` written in ``doc`` (longest at that place)."""
        table = self._surface_table(key)
        firsts = {toks[0] for toks, _ in table}
        norms = [_stem(w) for w in doc.norms]
        for i, w in enumerate(norms):
            if w not in firsts:
                continue
            for toks, code in table:
                if tuple(norms[i : i + len(toks)]) == toks:
                    return code, (doc.toks[i][1], doc.toks[i + len(toks) - 1][2])
        return None

    def extract(self, texts: Sequence[str], *, lang: Lang | None = None) -> list[Extraction]:
        """Values and evidence spans of each text (language-independent; ``lang`` is unused)."""
        docs = [_Doc(t) for t in texts]
        rows = [f for d in docs for f in d.feats]
        if not rows:
            return [Extraction(self.schema.empty_values()) for _ in docs]
        X = self.tagger_vocab.transform(rows)
        P = _sigmoid(np.asarray(X @ self.tagger_coef) + self.tagger_intercept)
        out = []
        # Categorical spans of all texts are read in one batch per key (much faster).
        pending: dict[str, list[tuple[int, list[tuple[int, int]], np.ndarray]]] = {}
        pos = 0
        for di, d in enumerate(docs):
            n = len(d.toks)
            out.append(self._decode(d, P[pos : pos + n], di, pending))
            pos += n
        for key, items in pending.items():
            reader = self.readers[key]
            feats = [_reader_features(docs[di], a, b) for di, groups, _ in items for a, b in groups]
            probs = reader.proba(self.reader_vocab.transform(feats))
            q = 0
            for di, groups, weights in items:
                p = probs[q : q + len(groups)]
                q += len(groups)
                best = int(np.argmax((p * weights[:, None]).sum(axis=0)))
                out[di].values[key] = reader.classes[best]
        return out

    def _decode(
        self,
        doc: _Doc,
        P: np.ndarray,
        di: int,
        pending: dict[str, list[tuple[int, list[tuple[int, int]], np.ndarray]]],
    ) -> Extraction:
        values: dict[str, Value] = self.schema.empty_values()
        evidence: dict[str, list[Span]] = {}
        thr = self.config.threshold
        # Lymph-node fractions are read structurally: a per-token tagger cannot tell a total
        # from a per-specimen count or a repeat, but "x/y" says both counts at once.
        nodes = _node_fractions(doc) if len(self.config.sum_keys) == 2 else None
        if nodes is not None:
            prel_key, att_key = self.config.sum_keys
            for key, count in ((att_key, nodes[0]), (prel_key, nodes[1])):
                if key in self.schema.keys and self.schema[key].is_valid(count):
                    values[key] = self.schema[key].canonical(count)
                    evidence[key] = [
                        (doc.toks[a][1], doc.toks[b][2])
                        for a, b in zip(nodes[2][0::2], nodes[2][1::2], strict=True)
                    ]
        for ki, key in enumerate(self.schema.keys):
            var = self.schema[key]
            if key in evidence:
                continue
            col = P[:, ki]
            hits = np.flatnonzero(col > thr)
            if hits.size == 0:
                if key in self.config.surface_keys and var.type == "categorical":
                    found = self._surface_match(doc, key)
                    if found is not None:
                        values[key] = var.canonical(found[0])
                        evidence[key] = [found[1]]
                elif key in self.config.name_keys and key in self.readers:
                    runs = self._name_runs(doc, key)
                    if runs:
                        pending.setdefault(key, []).append((di, runs, np.ones(len(runs))))
                        evidence[key] = [(doc.toks[a][1], doc.toks[b][2]) for a, b in runs]
                continue
            if var.type == "categorical":
                if key not in self.readers:
                    continue
                groups = _runs(hits.tolist())
                weights = np.array([col[a : b + 1].mean() for a, b in groups])
                pending.setdefault(key, []).append((di, groups, weights))
                evidence[key] = [(doc.toks[a][1], doc.toks[b][2]) for a, b in groups]
            else:
                cands = [
                    (float(col[i]), i, v)
                    for i in hits.tolist()
                    if (v := _number_value(doc, i, var)) is not None
                ]
                if not cands:
                    continue
                if key in self.config.sum_keys and len(cands) > 1:
                    value, used = _sum_mentions(doc, cands)
                else:
                    top = max(cands)
                    value, used = top[2], [top[1]]
                canon = var.canonical(int(value) if var.type == "integer" else value)
                if not var.is_valid(canon):
                    continue
                values[key] = canon
                evidence[key] = [(doc.toks[i][1], doc.toks[i][2]) for i in sorted(used)]
        return Extraction(values, evidence)

    # --- persistence -------------------------------------------------------------------------

    def save(self, out_dir: str | Path, *, manifest_extra: dict[str, Any] | None = None) -> Path:
        """Write ``manifest.json`` and ``weights.npz`` into ``out_dir`` (atomically per file)."""
        out = Path(out_dir)
        out.mkdir(parents=True, exist_ok=True)
        arrays: dict[str, np.ndarray] = {
            "tagger_coef": self.tagger_coef.astype(np.float32),
            "tagger_intercept": self.tagger_intercept.astype(np.float32),
        }
        readers = {}
        for key, r in self.readers.items():
            arrays[f"reader_{key}_coef"] = r.coef.astype(np.float32)
            arrays[f"reader_{key}_intercept"] = r.intercept.astype(np.float32)
            readers[key] = r.classes
        from pathsynth._io import atomic_path

        with atomic_path(out / "weights.npz") as tmp:
            with tmp.open("wb") as fh:
                np.savez_compressed(fh, **arrays)  # type: ignore[arg-type]
            digest = _sha256(tmp)
        features = {"tagger": self.tagger_vocab.names(), "reader": self.reader_vocab.names()}
        with atomic_path(out / "features.json") as tmp:
            tmp.write_text(json.dumps(features, ensure_ascii=False), encoding="utf-8")
            features_digest = _sha256(tmp)
        manifest = {
            "kind": "fast",
            "version": FAST_VERSION,
            "schema": self.schema.model_dump(mode="json"),
            "config": {
                **asdict(self.config),
                "sum_keys": list(self.config.sum_keys),
                "surface_keys": list(self.config.surface_keys),
                "name_keys": list(self.config.name_keys),
            },
            "readers": readers,
            "weights_sha256": digest,
            "features_sha256": features_digest,
            **self.meta,
            **(manifest_extra or {}),
        }
        write_manifest(out, manifest)
        return out

    @classmethod
    def load(cls, model_dir: str | Path) -> FastStudent:
        """Load a student saved by :meth:`save` (checks the weights' SHA-256)."""
        d = Path(model_dir)
        manifest = read_manifest(d, "fast", FAST_VERSION)
        weights = d / "weights.npz"
        if not weights.is_file() or _sha256(weights) != manifest.get("weights_sha256"):
            raise PathsynthError(f"{d}: weights.npz is missing or does not match its checksum")
        feats_path = d / "features.json"
        if not feats_path.is_file() or _sha256(feats_path) != manifest.get("features_sha256"):
            raise PathsynthError(f"{d}: features.json is missing or does not match its checksum")
        features = json.loads(feats_path.read_text("utf-8"))
        from pathsynth.schema import Schema

        schema = Schema.model_validate(manifest["schema"])
        cfg = dict(manifest["config"])
        cfg["sum_keys"] = tuple(cfg.get("sum_keys", ()))
        for opt in ("surface_keys", "name_keys"):
            if opt in cfg:
                cfg[opt] = tuple(cfg[opt])
        config = FastConfig(**cfg)
        with np.load(weights, allow_pickle=False) as z:
            readers = {
                key: _Reader(
                    classes=list(classes),
                    coef=z[f"reader_{key}_coef"],
                    intercept=z[f"reader_{key}_intercept"],
                )
                for key, classes in manifest["readers"].items()
            }
            meta: dict[str, Any] = {
                k: manifest[k]
                for k in ("training_data_sha256", "n_train", "n_features", "train_seconds")
                if k in manifest
            }
            return cls(
                schema=schema,
                config=config,
                tagger_coef=z["tagger_coef"],
                tagger_intercept=z["tagger_intercept"],
                readers=readers,
                tagger_vocab=_Vocab(features["tagger"]),
                reader_vocab=_Vocab(features["reader"]),
                meta=meta,
            )


def _sha256(path: Path) -> str:
    import hashlib

    h = hashlib.sha256()
    with path.open("rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def _prune(coefs: list[np.ndarray], vocab: _Vocab, tol: float) -> tuple[list[np.ndarray], _Vocab]:
    """Drop vocabulary columns whose weights are all below ``tol`` in every matrix.

    Each matrix has the features on its last axis.
    """
    if not len(vocab):
        return coefs, vocab
    keep = np.zeros(len(vocab), dtype=bool)
    for c in coefs:
        keep |= (np.abs(c) >= tol).reshape(-1, len(vocab)).any(axis=0)
    names = vocab.names()
    kept = _Vocab([names[i] for i in np.flatnonzero(keep)])
    return [c[..., keep] for c in coefs], kept


def _runs(idx: list[int]) -> list[tuple[int, int]]:
    """Consecutive token indices grouped into (first, last) runs."""
    runs: list[tuple[int, int]] = []
    for i in idx:
        if runs and i == runs[-1][1] + 1:
            runs[-1] = (runs[-1][0], i)
        else:
            runs.append((i, i))
    return runs


def _sum_mentions(doc: _Doc, cands: list[tuple[float, int, float]]) -> tuple[float, list[int]]:
    """Node counts over several specimens.

    Mentions of one count close together ("one lymph node ... (0/1)") are one mention; a stated
    total wins; one count repeated in several sections (microscopy, conclusion, synoptic table)
    is that count; a count equal to the sum of the others is their total; a later section whose
    counts add up to the earlier ones is a recapitulation; otherwise counts add up (specimens).
    """
    for _, i, v in cands:
        if any(doc.norms[k] in TOTAL_WORDS for k in range(max(0, i - 4), i)):
            return v, [i]
    groups: list[tuple[int, float]] = []  # (first token, value) in reading order
    last = -1000
    for _, i, v in sorted(cands, key=lambda c: c[1]):
        if groups and groups[-1][1] == v and i - last <= 30:
            last = i
            continue
        groups.append((i, v))
        last = i
    vals = [v for _, v in groups]
    if len(groups) == 1:
        return vals[0], [groups[0][0]]
    if len(set(vals)) == 1 and len({doc.section[i] for i, _ in groups}) > 1:
        return vals[0], [groups[0][0]]
    top = max(range(len(vals)), key=lambda q: vals[q])
    if vals[top] == sum(vals) - vals[top]:
        return vals[top], [groups[top][0]]
    for k in range(1, len(groups)):
        head, tail = groups[:k], groups[k:]
        if (
            doc.section[head[-1][0]] != doc.section[tail[0][0]]
            and len(tail) <= len(head)
            and sum(v for _, v in head) == sum(v for _, v in tail)
        ):
            return float(sum(v for _, v in head)), [i for i, _ in head]
    return float(sum(vals)), [i for i, _ in groups]


# Words that make a nearby fraction a lymph-node count ("pN1a (2/14)", "4 ganglions sur 19").
NODE_CUES = {
    "ganglion", "ganglions", "gangl", "gg", "gs", "gs1", "gs2", "sln", "node", "nodes", "ln",
    "lymph", "curage", "sentinelle", "sentinelles", "sentinel", "axillaire", "axillary",
    "dissection", "pn", "n", "adenopathie", "adenopathies", "ganglionnaire", "ganglionnaires",
}  # fmt: skip
# Word forms linking "x ... sur/of y" ("1 ganglion métastatique sur 12", "2 of 14 nodes").
FRACTION_WORDS = {"sur", "of", "/"}


def _fractions(doc: _Doc) -> list[tuple[int, int, int, int]]:
    """Lymph-node fractions ``x/y`` of ``doc``: (positive, examined, first token, last token).

    A fraction is ``x / y``, ``x sur y``, ``x of y`` or ``x <up to 3 words> sur|of y`` with
    ``x <= y`` and a node word (or a pN stage) on the same line within a few tokens.
    """
    norms, nums, line_of = doc.norms, doc.nums, doc.line_of
    n = len(norms)
    out: list[tuple[int, int, int, int]] = []
    for i in range(n):
        x = nums[i]
        if x is None or x != int(x):
            continue
        for j in range(i + 1, min(i + 5, n)):
            if norms[j] in FRACTION_WORDS:
                break
            if j <= i + 2 and norms[j] in {"n", "+"}:  # "0N+/4N"
                continue
            if nums[j] is not None or not norms[j].isalpha():
                j = -1
                break
        else:
            continue
        if j < 0 or j + 1 >= n:
            continue
        k = j + 1
        y = nums[k]
        if y is None and norms[k] == "the" and k + 1 < n:  # "2 out of the 14"
            k += 1
            y = nums[k]
        if y is None or y != int(y) or not (0 <= x <= y <= 80) or y == 0:
            continue
        if norms[j] == "/" and (j > i + 3 or (k + 1 < n and norms[k + 1] == "%")):
            continue
        if norms[j] == "/" and k + 1 < n and norms[k + 1] == "/":  # a date 12/03/2024
            continue
        if i > 0 and norms[i - 1] == "/":
            continue
        lo, hi = max(0, i - 30), min(n, k + 5)
        if not any(
            line_of[q] == line_of[i] and (norms[q] in NODE_CUES or norms[q].startswith("gangl"))
            for q in range(lo, hi)
        ):
            continue
        out.append((int(x), int(y), i, k))
    return out


def _node_fractions(doc: _Doc) -> tuple[int, int, list[int]] | None:
    """(positive, examined, evidence tokens) from the node fractions of ``doc``, if any.

    A stated total wins (a fraction whose examined count covers all the others together, e.g.
    the conclusion's "pN1a (2/14)" after per-specimen "1/1", "0/1", "1 sur 12"); one fraction
    repeated in several places counts once; otherwise per-specimen fractions add up.
    """
    fr = _fractions(doc)
    if not fr:
        return None
    # One fraction written twice is one count restated (microscopy, conclusion, synoptic
    # table): real reports repeat far more often than two specimens share the same "x/y".
    best: dict[tuple[int, int], list[tuple[int, int, int, int]]] = {}
    for f in fr:
        best.setdefault((f[0], f[1]), [f])
    uniq = [f for fs in best.values() for f in fs]
    top = max(uniq, key=lambda f: (f[1], f[0]))
    rest = [f for f in uniq if (f[0], f[1]) != (top[0], top[1])]
    if len(best[(top[0], top[1])]) == 1:
        if not rest:
            return top[0], top[1], [top[2], top[3]]
        rx, ry = sum(f[0] for f in rest), sum(f[1] for f in rest)
        # A total: the others add up to it, or it comes last in a section of its own (a
        # conclusion) and covers them; otherwise it is one specimen among others.
        summed = (rx, ry) == (top[0], top[1])
        last = top[2] > max(f[2] for f in rest) and doc.section[top[2]] not in {
            doc.section[f[2]] for f in rest
        }
        if summed or (last and rx <= top[0] and ry <= top[1]):
            return top[0], top[1], [top[2], top[3]]
    return (
        sum(f[0] for f in uniq),
        sum(f[1] for f in uniq),
        [q for f in uniq for q in (f[2], f[3])],
    )


# --- training --------------------------------------------------------------------------------


def _token_labels(
    doc: _Doc, ex: TrainingExample, schema: Schema, sum_keys: Sequence[str]
) -> tuple[np.ndarray, np.ndarray, list[tuple[str, int, int]]]:
    """Per-token labels (n_tokens, n_keys), per-key weights, and reader spans (key, a, b)."""
    n, K = len(doc.toks), len(schema.keys)
    Y = np.zeros((n, K), dtype=np.int8)
    W = np.ones(K, dtype=np.float32)
    readers: list[tuple[str, int, int]] = []
    starts = [s for _, s, _ in doc.toks]
    ends = [e for _, _, e in doc.toks]
    for ki, key in enumerate(schema.keys):
        var = schema[key]
        gold = ex.values.get(key)
        if gold is None:
            continue  # not stated: every token is a negative for this key
        spans = ex.evidence.get(key, [])
        tok_spans = []
        for s, e in spans:
            a = bisect_right(ends, s)  # first token ending after s
            b = bisect_right(starts, e - 1) - 1  # last token starting before e
            if a <= b:
                tok_spans.append((a, b))
        if var.type == "categorical":
            if not tok_spans:
                W[ki] = 0.0  # stated but not located: teaches nothing about this key
                continue
            for a, b in tok_spans:
                Y[a : b + 1, ki] = 1
                readers.append((key, a, b))
            continue
        chosen: list[int] = []
        for a, b in tok_spans:
            nums = [i for i in range(a, b + 1) if _number_value(doc, i, var) is not None]
            match = [i for i in nums if values_equal(var, gold, _number_value(doc, i, var))]
            if match:
                chosen.append(match[0])
            elif nums and key in sum_keys:
                chosen.extend(nums[:1])
            elif nums:
                chosen.append(nums[0])
        if not tok_spans:
            match = [
                i
                for i in range(n)
                if (v := _number_value(doc, i, var)) is not None and values_equal(var, gold, v)
            ]
            if len(match) == 1:
                chosen = match
        if not chosen:
            W[ki] = 0.0
            continue
        Y[chosen, ki] = 1
    return Y, W, readers


def train_fast(
    examples: Sequence[TrainingExample],
    schema: Schema | None = None,
    config: FastConfig | None = None,
    *,
    progress: Callable[[str, float], None] | None = None,
) -> FastStudent:
    """Train a :class:`FastStudent` on report / value pairs with evidence spans."""
    from scipy import sparse
    from sklearn.linear_model import SGDClassifier

    schema = schema or load_schema("breast13")
    config = config or FastConfig()
    if not examples:
        raise PathsynthError("no training report")
    if not any(ex.evidence for ex in examples):
        raise PathsynthError(
            "the training reports carry no evidence spans: train on `reports filter` output "
            "(kept reports have 'evidence') or on generated reports with 'spans'"
        )
    t0 = time.perf_counter()
    rng = random.Random(config.seed)
    report = progress or (lambda stage, frac: None)
    sum_keys = [k for k in config.sum_keys if k in schema]
    K = len(schema.keys)
    tag_vocab, read_vocab = _Vocab(), _Vocab()
    blocks_X, blocks_Y, blocks_W = [], [], []
    reader_rows: dict[str, list[list[str]]] = {k: [] for k in schema.keys}
    reader_y: dict[str, list[str]] = {k: [] for k in schema.keys}
    batch: list[list[str]] = []
    batch_Y: list[np.ndarray] = []
    batch_W: list[np.ndarray] = []

    def flush() -> None:
        if batch:
            blocks_X.append(tag_vocab.columns(batch, grow=True))
            blocks_Y.append(np.vstack(batch_Y))
            blocks_W.append(np.vstack(batch_W))
            batch.clear()
            batch_Y.clear()
            batch_W.clear()

    total = len(examples)
    for n_ex, ex in enumerate(examples):
        variants = [ex] + [augment(ex, rng) for _ in range(config.augment)]
        for v in variants:
            doc = _Doc(v.text)
            if not doc.toks:
                continue
            Y, Wk, spans = _token_labels(doc, v, schema, sum_keys)
            keep: np.ndarray = np.asarray(Y.any(axis=1))
            for i in range(len(doc.toks)):
                if keep[i] or rng.random() < config.negative_rate:
                    batch.append(doc.feats[i])
                    batch_Y.append(Y[i])
                    w = Wk if keep[i] else Wk / config.negative_rate
                    batch_W.append(w)
            for key, a, b in spans:
                reader_rows[key].append(_reader_features(doc, a, b))
                reader_y[key].append(str(v.values[key]))
        if len(batch) > 50_000:
            flush()
        if n_ex % 200 == 0:
            report("features", n_ex / total)
    flush()
    n_cols = max(len(tag_vocab), 1)
    indices = np.concatenate([blk[0] for blk in blocks_X])
    offsets = np.cumsum([0] + [int(blk[1][-1]) for blk in blocks_X[:-1]])
    indptr = np.concatenate(
        [blocks_X[0][1][:1]]
        + [blk[1][1:] + off for blk, off in zip(blocks_X, offsets, strict=True)]
    )
    X = sparse.csr_matrix(
        (np.ones(len(indices), np.float32), indices, indptr), shape=(len(indptr) - 1, n_cols)
    )
    Y = np.vstack(blocks_Y)
    Wt = np.vstack(blocks_W)
    report("features", 1.0)
    coef = np.zeros((K, n_cols), dtype=np.float32)
    intercept = np.full(K, -10.0, dtype=np.float32)
    for ki in range(K):
        y = Y[:, ki]
        sw = Wt[:, ki]
        mask = sw > 0
        if y[mask].min(initial=0) == y[mask].max(initial=0):
            continue  # a key never (or always) present: stays "not stated"
        clf = SGDClassifier(
            loss="log_loss",
            alpha=config.alpha,
            max_iter=config.epochs,
            tol=None,
            random_state=config.seed,
        )
        clf.fit(X[mask], y[mask], sample_weight=sw[mask])
        coef[ki] = clf.coef_[0]
        intercept[ki] = clf.intercept_[0]
        report("tagger", (ki + 1) / K)
    for key in schema.keys:
        read_vocab.columns(reader_rows[key], grow=True)
    fitted: dict[str, tuple[list[str], np.ndarray, np.ndarray]] = {}
    for key in schema.keys:
        if schema[key].type != "categorical" or not reader_rows[key]:
            continue
        classes = sorted(set(reader_y[key]))
        if len(classes) == 1:
            fitted[key] = (
                classes,
                np.zeros((1, max(len(read_vocab), 1)), np.float32),
                np.zeros(1, np.float32),
            )
            continue
        Xr = read_vocab.transform(reader_rows[key])
        # SGD rather than L-BFGS: a few passes suffice and keep training within minutes.
        lr = SGDClassifier(
            loss="log_loss", alpha=1e-5, max_iter=20, tol=None, random_state=config.seed
        )
        lr.fit(Xr, reader_y[key])
        fitted[key] = (
            [str(c) for c in lr.classes_],
            lr.coef_.astype(np.float32),
            lr.intercept_.astype(np.float32),
        )
    report("readers", 1.0)
    if math.isnan(float(coef.sum())):
        raise PathsynthError("training diverged (NaN weights): lower --epochs or check the data")
    (coef,), tag_vocab = _prune([coef], tag_vocab, config.prune)
    reader_coefs, read_vocab = _prune([c for _, c, _ in fitted.values()], read_vocab, config.prune)
    readers = {
        key: _Reader(classes, rc, ri)
        for (key, (classes, _, ri)), rc in zip(fitted.items(), reader_coefs, strict=True)
    }
    meta = {
        "n_train": len(examples),
        "n_token_rows": int(X.shape[0]),
        "n_features": len(tag_vocab),
        "train_seconds": round(time.perf_counter() - t0, 2),
    }
    return FastStudent(
        schema,
        config,
        np.ascontiguousarray(coef.T),
        intercept,
        readers,
        tag_vocab,
        read_vocab,
        meta,
    )
