"""Built-in task: character-level language modelling on a generated English-like corpus.

The corpus comes from a small grammar (determiners, adjectives, nouns, verbs that agree in
number with their subject, questions that must end in '?'), so it is learnable and has
dependencies of a few dozen characters. Its vocabulary is fixed by the word lists, not by
the seed, so the signature is known without generating text.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import TypeVar

import numpy as np

from .base import Dataset, DataSignature, Param, Params, TaskSpec
from .chars import char_windows, encode
from .sampling import Pair, check_size, make_dataset, sample_count_params, split_generators

_DETERMINERS = (("the", "a", "this", "every", "my"), ("the", "these", "some", "many", "my"))
_NOUNS = (
    ("cat", "cats"),
    ("dog", "dogs"),
    ("bird", "birds"),
    ("farmer", "farmers"),
    ("child", "children"),
    ("teacher", "teachers"),
    ("fox", "foxes"),
    ("sailor", "sailors"),
    ("machine", "machines"),
    ("river", "rivers"),
    ("garden", "gardens"),
    ("lamp", "lamps"),
)
_ADJECTIVES = ("small", "quick", "old", "quiet", "bright", "green", "lazy", "happy", "young")
_INTRANSITIVE = (
    ("sleeps", "sleep"),
    ("runs", "run"),
    ("waits", "wait"),
    ("sings", "sing"),
    ("jumps", "jump"),
    ("works", "work"),
)
_TRANSITIVE = (
    ("sees", "see"),
    ("follows", "follow"),
    ("watches", "watch"),
    ("likes", "like"),
    ("finds", "find"),
    ("visits", "visit"),
)
_BASE_VERBS = tuple(v[1] for v in _INTRANSITIVE + _TRANSITIVE)
_PREPOSITIONS = ("near", "behind", "under", "with", "after", "beside")
_ADVERBS = ("today", "again", "slowly", "at night", "every morning", "quietly")
_CONJUNCTIONS = ("and", "but", "while")
_QUESTION_WORDS = ("does", "do")
_PUNCTUATION = " .,?"


def _all_words() -> list[str]:
    groups = [*_DETERMINERS, _ADJECTIVES, _PREPOSITIONS, _ADVERBS, _CONJUNCTIONS, _QUESTION_WORDS]
    pairs = [*_NOUNS, *_INTRANSITIVE, *_TRANSITIVE]
    return [w for g in groups for w in g] + [w for pair in pairs for w in pair]


def _corpus_vocabulary() -> list[str]:
    chars = set("".join(_all_words())) | set(_PUNCTUATION)
    # Sentences start with a determiner or a question word, capitalised.
    starters = [*_DETERMINERS[0], *_DETERMINERS[1], *_QUESTION_WORDS]
    chars |= {word[0].upper() for word in starters}
    return sorted(chars)


VOCABULARY: list[str] = _corpus_vocabulary()
T = TypeVar("T")


class _Draws:
    """Uniform numbers taken from a Generator in blocks: one numpy call per few thousand
    choices instead of one per word keeps corpus generation fast."""

    def __init__(self, rng: np.random.Generator) -> None:
        self._rng, self._buffer, self._next = rng, np.empty(0), 0

    def uniform(self) -> float:
        if self._next == len(self._buffer):
            self._buffer, self._next = self._rng.random(4096), 0
        self._next += 1
        return float(self._buffer[self._next - 1])

    def pick(self, items: Sequence[T]) -> T:
        return items[int(self.uniform() * len(items))]

    def chance(self, probability: float) -> bool:
        return self.uniform() < probability


def _noun_phrase(draws: _Draws, plural: int) -> str:
    words = [draws.pick(_DETERMINERS[plural])]
    if draws.chance(0.4):
        words.append(draws.pick(_ADJECTIVES))
    words.append(draws.pick(_NOUNS)[plural])
    if words[0] == "a" and words[1][0] in "aeiou":
        words[0] = "an"
    return " ".join(words)


def _clause(draws: _Draws) -> str:
    plural = int(draws.chance(0.5))
    words = [_noun_phrase(draws, plural)]
    if draws.chance(0.5):
        words += [draws.pick(_TRANSITIVE)[plural], _noun_phrase(draws, int(draws.chance(0.5)))]
    else:
        words.append(draws.pick(_INTRANSITIVE)[plural])
    if draws.chance(0.3):
        words += [draws.pick(_PREPOSITIONS), _noun_phrase(draws, int(draws.chance(0.5)))]
    if draws.chance(0.25):
        words.append(draws.pick(_ADVERBS))
    return " ".join(words)


def _question(draws: _Draws) -> str:
    plural = int(draws.chance(0.5))
    subject = _noun_phrase(draws, plural)
    return f"{_QUESTION_WORDS[plural]} {subject} {draws.pick(_BASE_VERBS)}?"


def _sentence(draws: _Draws) -> str:
    if draws.chance(0.2):
        text = _question(draws)
    elif draws.chance(0.3):
        text = f"{_clause(draws)}, {draws.pick(_CONJUNCTIONS)} {_clause(draws)}."
    else:
        text = _clause(draws) + "."
    return text[0].upper() + text[1:]


def generate_corpus(rng: np.random.Generator, n_chars: int) -> str:
    """At least `n_chars` characters of sentences separated by single spaces."""
    draws, sentences, total = _Draws(rng), [], -1  # -1: no space before the first sentence
    while total < n_chars:
        sentences.append(_sentence(draws))
        total += len(sentences[-1]) + 1
    return " ".join(sentences)


def _signature(p: Params, base_dir: Path | None) -> DataSignature:
    vocab = len(VOCABULARY)
    return DataSignature("tokens", None, vocab, p["length"], "tokens", vocab, "accuracy")


def _split(rng: np.random.Generator, n: int, length: int) -> Pair:
    # Non-overlapping windows: every character is seen once per epoch.
    codes = encode(generate_corpus(rng, n * length + 1), VOCABULARY)
    x, y = char_windows(codes, length, length)
    return x[:n], y[:n]


def _build(p: Params, base_dir: Path | None, seed: int) -> Dataset:
    check_size("char_lm", p["n_train"] + p["n_val"], 2 * p["length"])
    train_rng, val_rng = split_generators(seed)
    return make_dataset(
        _signature(p, base_dir),
        _split(train_rng, p["n_train"], p["length"]),
        _split(val_rng, p["n_val"], p["length"]),
        vocabulary=list(VOCABULARY),
        description=(
            f"Character language model on generated sentences ({len(VOCABULARY)} characters): "
            f"predict each next character in windows of {p['length']}."
        ),
    )


CHAR_LM = TaskSpec(
    name="char_lm",
    title="Character language model (generated text)",
    description="Predict the next character of simple generated English sentences.",
    params=(
        *sample_count_params(2000, 500),
        Param("length", "int", 64, 4, 1024, help="Characters per training window."),
    ),
    signature_fn=_signature,
    build_fn=_build,
)
