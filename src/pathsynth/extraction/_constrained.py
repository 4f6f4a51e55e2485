"""Constrained decoding of the answer for transformers models: at each step only the tokens
that keep the text a prefix of a valid answer (the exact format of ``answer_text``: keys in
schema order, each value one of the schema's codes, a number, or ``null``) may be chosen, so a
generated answer is always a readable record. llama.cpp gets the same language as a grammar
(``answer_gbnf``).

The allowed tokens of a state are found by walking the continuations the answer format allows,
pruned by the set of all prefixes of the vocabulary's token strings, so a step costs a few
hundred set look-ups rather than a scan of the vocabulary.
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from pathsynth.schema import Schema, Variable

_INT = re.compile(r"0|[1-9]\d{0,2}")
_NUM = re.compile(r"(?:0|[1-9]\d{0,2})(?:\.\d{1,2})?")
_INT_PREFIX = re.compile(r"(?:0|[1-9]\d{0,2})?")
_NUM_PREFIX = re.compile(r"(?:0|[1-9]\d{0,2})(?:\.\d{0,2})?|")
_MAX_TOKEN_CHARS = 24


@dataclass(frozen=True)
class _State:
    seg: int
    """Index of the current segment (literal or value slot); ``len(segments)`` = complete."""
    text: str = ""
    """Characters of the current segment written so far."""


class AnswerFormat:
    """The answer language as segments: literal text and value slots, alternating."""

    def __init__(self, schema: Schema) -> None:
        self.segments: list[str | Variable] = []
        for i, var in enumerate(schema.variables):
            self.segments.append(("{" if i == 0 else ", ") + json.dumps(var.key) + ": ")
            self.segments.append(var)
        self.segments.append("}")
        self.options: dict[int, list[str]] = {
            i: [*(json.dumps(c, ensure_ascii=False) for c in seg.codes), "null"]
            for i, seg in enumerate(self.segments)
            if isinstance(seg, Variable) and seg.type == "categorical"
        }

    @property
    def start(self) -> _State:
        return _State(0)

    def done(self, state: _State) -> bool:
        return state.seg >= len(self.segments)

    def _number_complete(self, var: Variable, text: str) -> bool:
        if text == "null":
            return True
        if var.type == "integer" and var.max is not None and var.max <= 9:
            return len(text) == 1 and text.isdigit() and (var.min or 0) <= int(text) <= var.max
        pattern = _INT if var.type == "integer" else _NUM
        return pattern.fullmatch(text) is not None

    def _number_prefix(self, var: Variable, text: str) -> bool:
        if "null".startswith(text):
            return True
        if var.type == "integer" and var.max is not None and var.max <= 9:
            return len(text) == 1 and text.isdigit() and (var.min or 0) <= int(text) <= var.max
        pattern = _INT_PREFIX if var.type == "integer" else _NUM_PREFIX
        return pattern.fullmatch(text) is not None

    def step(self, state: _State, ch: str) -> _State | None:
        """The state after writing ``ch``, or ``None`` when ``ch`` breaks the format."""
        if self.done(state):
            return None
        seg = self.segments[state.seg]
        if isinstance(seg, str):
            if seg[len(state.text)] != ch:
                return None
            text = state.text + ch
            return _State(state.seg + 1) if text == seg else _State(state.seg, text)
        text = state.text + ch
        if state.seg in self.options:
            opts = self.options[state.seg]
            if text in opts:
                return _State(state.seg + 1)
            return _State(state.seg, text) if any(o.startswith(text) for o in opts) else None
        # A number ends where the next literal begins.
        nxt = self.segments[state.seg + 1]
        assert isinstance(nxt, str)
        if ch == nxt[0] and self._number_complete(seg, state.text):
            return self.step(_State(state.seg + 1), ch)
        return _State(state.seg, text) if self._number_prefix(seg, text) else None

    def walk(self, state: _State, text: str) -> _State | None:
        """The state after writing ``text``."""
        cur: _State | None = state
        for ch in text:
            if cur is None:
                return None
            cur = self.step(cur, ch)
        return cur

    def next_chars(self, state: _State) -> list[str]:
        """Characters that may come next."""
        if self.done(state):
            return []
        seg = self.segments[state.seg]
        if isinstance(seg, str):
            return [seg[len(state.text)]]
        if state.seg in self.options:
            n = len(state.text)
            return sorted(
                {o[n] for o in self.options[state.seg] if o.startswith(state.text) and len(o) > n}
            )
        chars = [c for c in "0123456789.nul" if self._number_prefix(seg, state.text + c)]
        nxt = self.segments[state.seg + 1]
        if isinstance(nxt, str) and self._number_complete(seg, state.text):
            chars.append(nxt[0])
        return chars


def token_strings(tokenizer: Any) -> list[str | None]:
    """The text each token id writes (``None`` for special tokens), for SentencePiece-style
    (``▁`` = space) and byte-level (``Ġ`` = space) vocabularies."""
    pieces = tokenizer.convert_ids_to_tokens(list(range(len(tokenizer))))
    special = set(getattr(tokenizer, "all_special_ids", []) or [])
    byte_level = any(p is not None and "Ġ" in p for p in pieces[:5000])
    decoder: dict[str, int] = {}
    if byte_level:
        # GPT-2's printable stand-ins for bytes, inverted.
        bs = [*range(33, 127), *range(161, 173), *range(174, 256)]
        cs = list(bs)
        extra = 0
        for b in range(256):
            if b not in bs:
                bs.append(b)
                cs.append(256 + extra)
                extra += 1
        decoder = {chr(c): b for b, c in zip(bs, cs, strict=True)}
    out: list[str | None] = []
    for i, piece in enumerate(pieces):
        if piece is None or i in special or (piece.startswith("<") and piece.endswith(">")):
            out.append(None)
            continue
        if byte_level:
            try:
                out.append(bytes(decoder[c] for c in piece).decode("utf-8"))
            except (KeyError, UnicodeDecodeError):
                out.append(None)
        else:
            out.append(piece.replace("▁", " "))
    return out


class AnswerConstraint:
    """The tokens allowed after a partial answer, for one tokenizer and schema."""

    def __init__(self, schema: Schema, tokenizer: Any) -> None:
        self.format = AnswerFormat(schema)
        self.strings = token_strings(tokenizer)
        self.eos = tokenizer.eos_token_id
        self.by_string: dict[str, list[int]] = {}
        self.prefixes: set[str] = set()
        for i, s in enumerate(self.strings):
            if s and len(s) <= _MAX_TOKEN_CHARS:
                self.by_string.setdefault(s, []).append(i)
                self.prefixes.update(s[:k] for k in range(1, len(s)))
        self._cache: dict[_State, list[int]] = {}

    def allowed(self, state: _State | None) -> list[int]:
        """Token ids that may follow ``state`` (EOS once the answer is complete)."""
        if state is None or self.format.done(state):
            return [self.eos]
        if state in self._cache:
            return self._cache[state]
        found: list[int] = []
        stack = [(state, "")]
        while stack:
            st, text = stack.pop()
            for ch in self.format.next_chars(st):
                nxt = self.format.step(st, ch)
                if nxt is None:
                    continue
                s = text + ch
                found.extend(self.by_string.get(s, ()))
                if s in self.prefixes and not self.format.done(nxt):
                    stack.append((nxt, s))
        self._cache[state] = found
        return found

    def advance(self, state: _State | None, token_id: int) -> _State | None:
        """The state after a generated token."""
        if state is None:
            return None
        s = self.strings[token_id] if 0 <= token_id < len(self.strings) else None
        return None if s is None else self.format.walk(state, s)


class ConstrainedLogits:
    """A transformers ``LogitsProcessor`` masking every token the answer format forbids."""

    def __init__(self, constraint: AnswerConstraint, prompt_len: int, batch: int) -> None:
        self.constraint = constraint
        self.prompt_len = prompt_len
        self.states: list[_State | None] = [constraint.format.start] * batch
        self.seen = 0

    def __call__(self, input_ids: Any, scores: Any) -> Any:
        import torch

        new = input_ids.shape[1] - self.prompt_len
        if new > self.seen:  # the token chosen at the previous step
            last = input_ids[:, -1].tolist()
            self.states = [
                self.constraint.advance(st, t) for st, t in zip(self.states, last, strict=True)
            ]
            self.seen = new
        mask = torch.full_like(scores, float("-inf"))
        for row, st in enumerate(self.states):
            ids = self.constraint.allowed(st)
            mask[row, torch.tensor(ids, dtype=torch.long, device=scores.device)] = 0.0
        return scores + mask


def answer_char_limit(schema: Schema) -> int:
    """An upper bound on an answer's length in characters (the longest value everywhere)."""
    fmt = AnswerFormat(schema)
    n = 0
    for i, seg in enumerate(fmt.segments):
        if isinstance(seg, str):
            n += len(seg)
        else:
            n += max(len(o) for o in fmt.options[i]) if i in fmt.options else 6
    return n


__all__: Sequence[str] = ["AnswerConstraint", "ConstrainedLogits", "answer_char_limit"]
