"""Turning texts into token ids: tokenisation by word or character, and a vocabulary.

Invariants: id 0 is the padding token and id 1 the out-of-vocabulary token in every
vocabulary, so padded batches and unseen words mean the same thing in every task; the
vocabulary's order depends only on the token counts (ties broken by the token's text), so the
same training texts always give the same ids. Plain Python and numpy, no torch.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import numpy as np

PAD, OOV = "<pad>", "<unk>"
PAD_ID, OOV_ID = 0, 1
LEVELS = ("word", "char")
PUNCTUATION = ("split", "strip", "keep")

# A word keeps its inner apostrophes ("don't", "isn't"): negations must stay one token.
_WORD = re.compile(r"\w+(?:['’]\w+)*")
_WORD_OR_MARK = re.compile(r"\w+(?:['’]\w+)*|[^\w\s]")
_MARK = re.compile(r"[^\w\s]")


@dataclass(frozen=True)
class Tokenizer:
    """level "word" or "char"; punctuation "split" (marks are tokens of their own), "strip"
    (marks are dropped) or "keep" (words are split at spaces only, marks stay attached)."""

    level: str = "word"
    lowercase: bool = True
    punctuation: str = "split"

    def __post_init__(self) -> None:
        if self.level not in LEVELS or self.punctuation not in PUNCTUATION:
            raise ValueError(f"unknown tokenizer settings: {self}")

    def tokens(self, text: str) -> list[str]:
        if self.lowercase:
            text = text.lower()
        if self.level == "char":
            return list(_MARK.sub("", text) if self.punctuation == "strip" else text)
        if self.punctuation == "keep":
            return text.split()
        return (_WORD if self.punctuation == "strip" else _WORD_OR_MARK).findall(text)


class Vocabulary:
    """id -> token (`tokens`); ids 0 and 1 are PAD and OOV."""

    def __init__(self, tokens: Iterable[str]):
        self.tokens = tuple(tokens)
        self._index = {token: i for i, token in enumerate(self.tokens)}

    def __len__(self) -> int:
        return len(self.tokens)

    def encode(self, tokens: Iterable[str]) -> list[int]:
        index = self._index
        return [index.get(token, OOV_ID) for token in tokens]


def build_vocabulary(
    token_lists: Iterable[Sequence[str]], min_count: int = 1, max_size: int | None = None
) -> Vocabulary:
    """The tokens seen at least `min_count` times, commonest first, at most `max_size`
    entries in all (PAD and OOV included)."""
    counts = Counter()
    for tokens in token_lists:
        counts.update(tokens)
    kept = sorted((token for token, n in counts.items() if n >= min_count), key=lambda t: (-counts[t], t))
    if max_size is not None:
        kept = kept[: max(0, max_size - 2)]
    return Vocabulary((PAD, OOV, *kept))


def encode_padded(
    token_lists: Sequence[Sequence[str]], vocabulary: Vocabulary, max_length: int
) -> tuple[np.ndarray, np.ndarray, int]:
    """(ids int64 [N, T] padded with PAD_ID, lengths int64 [N], how many were cut to max_length).

    T is the longest text after cutting. Every text must have at least one token.
    """
    lengths = np.array([min(len(tokens), max_length) for tokens in token_lists], dtype=np.int64)
    cut = sum(len(tokens) > max_length for tokens in token_lists)
    ids = np.full((len(token_lists), int(lengths.max()) if len(lengths) else 1), PAD_ID, dtype=np.int64)
    for row, tokens in enumerate(token_lists):
        ids[row, : lengths[row]] = vocabulary.encode(tokens[:max_length])
    return ids, lengths, int(cut)
