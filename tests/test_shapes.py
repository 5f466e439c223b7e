"""engine.shapes: the one place that puts port kinds, shapes and data signatures into words."""

from __future__ import annotations

from conftest import FakeSignature

from engine.shapes import (
    SEQUENCE,
    TOKENS,
    VECTOR,
    Shape,
    input_code_words,
    input_words,
    kinds_words,
    output_code_words,
    signature_words,
    target_brief,
)

FORECAST = FakeSignature(features=3, length=40, n_outputs=2)
CHARS = FakeSignature(input_kind="tokens", features=None, vocab_size=30, length=64, target_kind="tokens", n_outputs=30)
CLASSES = FakeSignature(features=3, length=40, target_kind="classification", n_outputs=4)


def test_a_shape_in_a_sentence_on_a_card_and_in_code():
    cases = [
        (Shape(SEQUENCE, 64, 40), "sequence [batch, 40, 64]", "[batch, 40, 64]", "(B, T, 64)"),
        (Shape(SEQUENCE, 64), "sequence [batch, time, 64]", "[batch, time, 64]", "(B, T, 64)"),
        (Shape(VECTOR, 8), "vector [batch, 8]", "[batch, 8]", "(B, 8)"),
        (Shape(TOKENS, 30, 64), "tokens [batch, 64] (vocabulary 30)", "[batch, 64] vocab 30", "(B, T)"),
    ]
    for shape, sentence, card, code in cases:
        assert (shape.describe(), shape.brief(), shape.dims()) == (sentence, card, code)


def test_port_kinds_in_words():
    assert kinds_words((SEQUENCE, VECTOR)) == "a sequence or a vector"
    assert kinds_words((TOKENS,), dims=True) == "tokens [batch, time]"


def test_signatures_in_words_for_people_cards_and_code():
    assert signature_words(FORECAST) == "takes a sequence [batch, 40, 3]; predicts 2 values per sequence (regression)"
    assert signature_words(CHARS) == (
        "takes tokens [batch, 64] (vocabulary 30); predicts the next token at every step (vocabulary 30)"
    )
    assert input_words(CLASSES) == "a sequence [batch, 40, 3]"
    assert [target_brief(s) for s in (FORECAST, CHARS, CLASSES)] == [
        "→ 2 values",
        "→ next token (vocab 30)",
        "→ 4 classes",
    ]
    assert input_code_words(CHARS) == "(B, T) int64 token ids, vocabulary 30"
    assert [output_code_words(s) for s in (FORECAST, CHARS, CLASSES)] == [
        "(B, 2) predicted values",
        "(B, T, 30) next-token logits",
        "(B, 4) class logits",
    ]
