"""The text toolkit every reader shares: folding with OCR repair, numbers in words and roman
numerals, negation and hedge cues, tokens, and the sectioner."""

from pathsynth.text.cues import NEGATION, NOT_DONE, PRESENT, UNCERTAIN, clause_with, polarity
from pathsynth.text.fold import fold, fold_report, join_hyphenated, squash, words
from pathsynth.text.numbers import (
    NUM,
    NUMBER_WORD,
    count_value,
    number_words,
    parse_decimal,
    roman,
    roman_value,
    to_float,
)
from pathsynth.text.patterns import word_union
from pathsynth.text.spelling import Vocabulary
from pathsynth.text.tokens import guess_lang, tokenize

__all__ = [
    "NEGATION",
    "NOT_DONE",
    "NUM",
    "NUMBER_WORD",
    "PRESENT",
    "UNCERTAIN",
    "Vocabulary",
    "clause_with",
    "count_value",
    "fold",
    "fold_report",
    "guess_lang",
    "join_hyphenated",
    "number_words",
    "parse_decimal",
    "polarity",
    "roman",
    "roman_value",
    "squash",
    "to_float",
    "tokenize",
    "word_union",
    "words",
]
