"""Character-level helpers shared by the generated corpus and the user text task.

A text becomes token ids through a vocabulary (id -> character); samples are windows of
`length` characters where the target at each step is the next character.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:  # torch loads only when data is generated: the window validates without it
    import torch
from numpy.lib.stride_tricks import sliding_window_view

from .sampling import long_tensor


def vocabulary_of(text: str) -> list[str]:
    """The distinct characters of `text`, sorted so ids do not depend on text order."""
    return sorted(set(text))


def encode(text: str, vocabulary: list[str]) -> np.ndarray:
    """Token ids of `text`; every character must be in `vocabulary`."""
    index = {char: i for i, char in enumerate(vocabulary)}
    return np.fromiter((index[char] for char in text), dtype=np.int64, count=len(text))


def window_count(n_chars: int, length: int, stride: int) -> int:
    """How many (input, next-character target) windows fit in `n_chars` characters."""
    if n_chars < length + 1:
        return 0
    return (n_chars - length - 1) // stride + 1


def char_windows(codes: np.ndarray, length: int, stride: int) -> tuple[torch.Tensor, torch.Tensor]:
    """(x [N, length], y [N, length]): windows `stride` apart; y[:, t] is the character after x[:, t]."""
    count = window_count(len(codes), length, stride)
    if count == 0:
        empty = np.zeros((0, length), dtype=np.int64)
        return long_tensor(empty), long_tensor(empty)
    spans = sliding_window_view(codes, length + 1)[: (count - 1) * stride + 1 : stride]
    return long_tensor(spans[:, :-1]), long_tensor(spans[:, 1:])


CHARACTER_CLASSES = ("vowel", "consonant", "digit", "space", "punctuation", "other")


def character_class(character: str) -> str:
    """One of CHARACTER_CLASSES, for colouring a character model's hidden states."""
    if len(character) != 1:
        return "other"  # special tokens such as "<unk>"
    if character.isalpha():
        return "vowel" if character.lower() in "aeiouäöüéèáíóú" else "consonant"
    if character.isdigit():
        return "digit"
    if character.isspace():
        return "space"
    return "punctuation" if character.isprintable() else "other"
