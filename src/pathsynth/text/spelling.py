"""OCR repair against a domain's vocabulary, keeping the text's length.

Exported reports carry OCR damage: words broken by a stray space ("carci nome"), letters
swapped, doubled or misread ("positvie", "gaanglion", "MICKOSCOPIC", "diagnosts"). A word of a
domain's vocabulary one edit away (substitution, adjacent transposition, one letter more or
less) replaces the damaged one when it is the only such word; a shorter repair is padded with a
space so every later character keeps its offset (evidence spans rely on it).
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Iterable

__all__ = ["Vocabulary"]

_TOKEN = re.compile(r"[a-z]+")
#: Words shorter than this are never "repaired" (too many neighbours: "node" / "note").
MIN_LENGTH = 6


def _deletes(word: str) -> set[str]:
    return {word[:i] + word[i + 1 :] for i in range(len(word))}


def _one_edit(a: str, b: str) -> bool:
    """Whether ``a`` and ``b`` are one substitution, insertion, deletion or adjacent
    transposition apart."""
    if a == b or abs(len(a) - len(b)) > 1:
        return False
    i = 0
    while i < min(len(a), len(b)) and a[i] == b[i]:
        i += 1
    if len(a) == len(b):
        if a[i + 1 :] == b[i + 1 :]:
            return True
        return a[i + 2 :] == b[i + 2 :] and a[i : i + 2] == b[i : i + 2][::-1]
    longer, shorter = (a, b) if len(a) > len(b) else (b, a)
    return longer[i + 1 :] == shorter[i:]


def _plural_pair(a: str, b: str) -> bool:
    return a + "s" == b or b + "s" == a or a + "x" == b or b + "x" == a


class Vocabulary:
    """A set of folded words that damaged words are repaired towards."""

    def __init__(self, words: Iterable[str]) -> None:
        self.words = frozenset(w for w in words if w.isalpha())
        self._by_delete: dict[str, set[str]] = {}
        for w in self.words:
            if len(w) >= MIN_LENGTH - 1:
                for d in _deletes(w):
                    self._by_delete.setdefault(d, set()).add(w)
        self._cache: dict[str, str | None] = {}

    def __contains__(self, word: object) -> bool:
        return word in self.words

    def __or__(self, other: Vocabulary) -> Vocabulary:
        return Vocabulary(self.words | other.words)

    def nearest(self, token: str) -> str | None:
        """The one vocabulary word one edit away from ``token`` (``None``: none, or several)."""
        if token in self._cache:
            return self._cache[token]
        found: set[str] = set()
        if len(token) >= MIN_LENGTH and token not in self.words:
            found |= self._by_delete.get(token, set())  # a letter lost
            for d in _deletes(token):
                if d in self.words:
                    found.add(d)  # a letter too many
                found |= self._by_delete.get(d, set())  # a letter misread or two swapped
        # a repair must fit in place; a plural is no misspelling
        found = {
            w
            for w in found
            if len(w) <= len(token) and _one_edit(w, token) and not _plural_pair(w, token)
        }
        if not found and "rn" in token and token.replace("rn", "m") in self.words:
            found = {token.replace("rn", "m")}  # OCR reads "m" as "rn" ("carcinorna")
        result = next(iter(found)) if len(found) == 1 else None
        self._cache[token] = result
        return result

    def repair(self, folded: str) -> str:
        """``folded`` with broken and misspelt vocabulary words repaired, same length."""
        chars = list(folded)
        tokens = list(_TOKEN.finditer(folded))
        joined_at: set[int] = set()
        # "carci nome" -> "carcinome ": rejoin halves of a vocabulary word
        for a, b in itertools.pairwise(tokens):
            if b.start() != a.end() + 1 or folded[a.end()] != " ":
                continue
            joined = a.group(0) + b.group(0)
            if joined in self.words and a.group(0) not in self.words:
                chars[a.start() : b.end()] = [*joined, " "]
                joined_at.update((a.start(), b.start()))
        for t in tokens:
            if t.start() in joined_at:
                continue
            word = self.nearest(t.group(0))
            if word is not None:
                chars[t.start() : t.end()] = list(word.ljust(t.end() - t.start()))
        return "".join(chars)
