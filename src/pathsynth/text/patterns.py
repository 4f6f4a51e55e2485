"""Regex building blocks: a list of words compiled as a trie, so that an alternative of hundreds
of words ("vingt-trois", every surface form of a schema) costs one pass, not one try per word."""

from __future__ import annotations

import re
from collections.abc import Iterable

__all__ = ["word_union"]


def _trie_regex(node: dict[str, dict], end: str) -> str:
    alts = [re.escape(ch) + _trie_regex(node[ch], end) for ch in sorted(node) if ch != end]
    if not alts:
        return ""
    optional = end in node
    if len(alts) == 1 and not optional:
        return alts[0]
    group = "(?:" + "|".join(alts) + ")"
    return group + "?" if optional else group


def word_union(words: Iterable[str]) -> str:
    """A regex (no anchors) matching exactly the given strings, longest match first."""
    end = "\x00"
    root: dict[str, dict] = {}
    for w in set(words):
        if not w:
            continue
        node = root
        for ch in w:
            node = node.setdefault(ch, {})
        node[end] = {}
    return "(?:" + _trie_regex(root, end) + ")" if root else "(?!)"
