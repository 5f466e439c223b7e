"""What flows along a connection, and the one place that puts it into words.

Port kinds: `sequence` float [batch, time, features], `vector` float [batch, features],
`tokens` int64 [batch, time] whose `size` is the vocabulary. A `Shape` is the inferred shape
at a port; a data signature (engine.data.DataSignature) says what a model takes and gives.
Diagnostics, node cards, the data form, exported source and the command line all describe
shapes and signatures with the functions here, so they always say the same thing.

Nothing here imports torch or the rest of the engine.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

SEQUENCE = "sequence"  # float [batch, time, features]
VECTOR = "vector"  # float [batch, features]
TOKENS = "tokens"  # int64 [batch, time]; `size` is the vocabulary size
PORT_KINDS = (SEQUENCE, VECTOR, TOKENS)

_KIND_NAMES = {SEQUENCE: "a sequence", VECTOR: "a vector", TOKENS: "tokens"}
_KIND_DIMS = {SEQUENCE: "[batch, time, features]", VECTOR: "[batch, features]", TOKENS: "[batch, time]"}


@dataclass(frozen=True)
class Shape:
    """The inferred shape at a port. Batch is implicit; `length` is the time dimension."""

    kind: str
    size: int
    length: int | None = None

    def describe(self) -> str:
        """In a sentence: 'sequence [batch, 40, 64]', 'tokens [batch, 64] (vocabulary 30)'."""
        if self.kind == TOKENS:
            return f"tokens {self._brackets()} (vocabulary {self.size})"
        return f"{self.kind} {self._brackets()}"

    def brief(self) -> str:
        """In the few characters a node card has room for: '[batch, 40, 64]'."""
        if self.kind == TOKENS:
            return f"{self._brackets()} vocab {self.size}"
        return self._brackets()

    def dims(self) -> str:
        """As a shape comment in code: '(B, T, 64)'."""
        return {SEQUENCE: f"(B, T, {self.size})", VECTOR: f"(B, {self.size})", TOKENS: "(B, T)"}[self.kind]

    def _brackets(self) -> str:
        time = self.length if self.length is not None else "time"
        if self.kind == VECTOR:
            return f"[batch, {self.size}]"
        if self.kind == TOKENS:
            return f"[batch, {time}]"
        return f"[batch, {time}, {self.size}]"


class ShapeError(ValueError):
    """Raised by a shape rule when its inputs cannot work; the message is for the user."""

    def __init__(self, message: str, port: str | None = None):
        super().__init__(message)
        self.port = port


def kinds_words(kinds: tuple[str, ...], dims: bool = False) -> str:
    """'a sequence or a vector'; with `dims`, 'a sequence [batch, time, features] or ...'."""
    return " or ".join(_KIND_NAMES[kind] + (f" {_KIND_DIMS[kind]}" if dims else "") for kind in kinds)


# -- data signatures -----------------------------------------------------------------------
def input_shape(signature: Any) -> Shape:
    """The shape an input block gives for the data."""
    if signature.input_kind == TOKENS:
        return Shape(TOKENS, signature.vocab_size, signature.length)
    return Shape(SEQUENCE, signature.features, signature.length)


def output_shape(signature: Any) -> Shape:
    """The shape of a head's prediction for the data: logits, or values."""
    if signature.target_kind == "tokens":
        return Shape(SEQUENCE, signature.n_outputs, signature.length)
    return Shape(VECTOR, signature.n_outputs)


def input_words(signature: Any) -> str:
    """'a sequence [batch, 40, 3]' or 'tokens [batch, 64] (vocabulary 30)'."""
    shape = input_shape(signature)
    return shape.describe() if shape.kind == TOKENS else f"a {shape.describe()}"


def target_words(signature: Any) -> str:
    """What the model must predict: '1 value per sequence (regression)', ..."""
    count = signature.n_outputs
    if signature.target_kind == "regression":
        return f"{_values(count)} per sequence (regression)"
    if signature.target_kind == "classification":
        return f"one of {count} classes per sequence"
    return f"the next token at every step (vocabulary {count})"


def target_brief(signature: Any) -> str:
    """What a head gives, for its node card: '→ 3 values', '→ 4 classes'."""
    count = signature.n_outputs
    if signature.target_kind == "regression":
        return f"→ {_values(count)}"
    if signature.target_kind == "classification":
        return f"→ {count} classes"
    return f"→ next token (vocab {count})"


def input_code_words(signature: Any) -> str:
    """The input as exported code documents it: '(B, T, 3) float features'."""
    if signature.input_kind == TOKENS:
        return f"(B, T) int64 token ids, vocabulary {signature.vocab_size}"
    return f"(B, T, {signature.features}) float features"


def output_code_words(signature: Any) -> str:
    """The prediction as exported code documents it: '(B, 4) class logits'."""
    what = {"tokens": "next-token logits", "classification": "class logits", "regression": "predicted values"}
    return f"{output_shape(signature).dims()} {what[signature.target_kind]}"


def signature_words(signature: Any) -> str:
    """The whole signature in one line, as the command line and the data form show it."""
    return f"takes {input_words(signature)}; predicts {target_words(signature)}"


def _values(count: int) -> str:
    return f"{count} value{'s' if count != 1 else ''}"
