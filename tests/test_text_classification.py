"""Text classification from a CSV/TSV: tokenising, vocabulary from training rows only,
stratified split, truncation, and the messages a bad file gets."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from engine.data import DataError, describe, load_dataset
from engine.data.labels import stratified_split
from engine.data.review_corpus import write_reviews
from engine.data.text_classification import text_classification_preview
from engine.data.tokenize import OOV_ID, PAD_ID, Tokenizer, build_vocabulary, encode_padded


def _settings(path, **params):
    return {"task": "text_classification", "params": {"path": str(path), **params}}


def _write(tmp_path, rows, header="review,label", name="reviews.csv"):
    path = tmp_path / name
    path.write_text("\n".join([header, *rows]) + "\n", encoding="utf-8")
    return path


def test_word_and_char_tokenising_options():
    text = "Not GOOD, don't buy!"
    assert Tokenizer("word").tokens(text) == ["not", "good", ",", "don't", "buy", "!"]
    assert Tokenizer("word", punctuation="strip").tokens(text) == ["not", "good", "don't", "buy"]
    assert Tokenizer("word", lowercase=False, punctuation="keep").tokens(text) == ["Not", "GOOD,", "don't", "buy!"]
    assert Tokenizer("char", punctuation="strip").tokens("a, b!") == ["a", " ", "b"]
    assert Tokenizer("char").tokens("Ab") == ["a", "b"]


def test_vocabulary_min_count_max_size_and_special_ids():
    vocabulary = build_vocabulary([["b", "a", "b"], ["c", "a", "b", "d"]], min_count=2, max_size=3)
    assert vocabulary.tokens == ("<pad>", "<unk>", "b")  # a (2) loses to b (3) at max_size
    assert vocabulary.encode(["b", "a", "zzz"]) == [2, OOV_ID, OOV_ID]
    ids, lengths, cut = encode_padded([["b"], ["b", "b", "b"]], vocabulary, max_length=2)
    assert ids.tolist() == [[2, PAD_ID], [2, 2]] and lengths.tolist() == [1, 2] and cut == 1


def test_stratified_split_keeps_class_shares_and_depends_on_its_seed_only():
    labels = np.array([0] * 80 + [1] * 20)
    train, val = stratified_split(labels, 0.25, seed=3)
    assert sorted(np.bincount(labels[val]).tolist()) == [5, 20]
    assert len(np.intersect1d(train, val)) == 0 and len(train) + len(val) == 100
    assert np.array_equal(val, stratified_split(labels, 0.25, seed=3)[1])
    assert not np.array_equal(val, stratified_split(labels, 0.25, seed=4)[1])


def test_bundled_reviews_become_a_padded_token_dataset_with_lengths():
    data = load_dataset({"task": "text_classification", "params": {}})
    sig = data.signature
    assert (sig.input_kind, sig.target_kind, sig.n_outputs) == ("tokens", "classification", 2)
    assert sig == describe({"task": "text_classification", "params": {}})
    assert data.class_names == ["negative", "positive"]
    assert int(data.lengths_train.max()) <= sig.length and data.x_train.shape[1] == sig.length
    row = int(torch.argmin(data.lengths_val))
    assert torch.all(data.x_val[row, data.lengths_val[row] :] == PAD_ID)
    assert len(data.texts_val) == len(data.x_val)
    assert "vocabulary" in data.description and abs(data.baseline_loss - np.log(2)) < 0.01


def test_vocabulary_comes_from_training_rows_only(tmp_path):
    rows = [f"good film g{i},pos" for i in range(10)] + [f"bad film b{i},neg" for i in range(10)]
    data = load_dataset(_settings(_write(tmp_path, rows), text_column="review", val_fraction=0.25))
    val_words = {text.split()[-1] for text in data.texts_val}  # each row's own word: g3, b7, ...
    assert len(val_words) == 4 and not val_words & set(data.vocabulary)  # round(2.5) = 2 per class
    assert (data.x_val[:, 2] == OOV_ID).all()  # so validation sees them as unknown
    assert len(data.vocabulary) == 2 + 3 + 16  # <pad>, <unk>, good/bad/film, the 16 training rows' words


def test_integer_labels_sort_as_numbers_and_tsv_is_read(tmp_path):
    rows = [f"text number {i}\t{label}" for i, label in enumerate([10, 2, 1] * 6)]
    path = _write(tmp_path, rows, header="review\tstars", name="r.tsv")
    data = load_dataset(_settings(path, text_column="review", label_column="stars"))
    assert data.class_names == ["1", "2", "10"]


def test_long_texts_are_cut_and_counted(tmp_path):
    rows = [("word " * 30).strip() + ",a", "short,b"] * 6
    data = load_dataset(_settings(_write(tmp_path, rows), text_column="review", max_length=5))
    assert data.signature.length == 5 and int(data.lengths_train.max()) == 5
    assert "6 text(s) longer than 5 word tokens were cut" in data.description


def test_preview_shows_texts_labels_balance_and_vocabulary(tmp_path):
    path = tmp_path / "reviews.csv"
    write_reviews(path, rows=40, seed=1)
    preview = text_classification_preview({**load_defaults(), "path": str(path)}, None)
    assert len(preview["rows"]) == 8 and preview["rows"][0][1] in ("positive", "negative")
    assert sum(preview["class_counts"].values()) == 40 and preview["vocabulary_size"] > 10


def load_defaults():
    from engine.data import TASKS

    return TASKS["text_classification"].defaults()


@pytest.mark.parametrize(
    ("rows", "params", "message"),
    [
        (["nice,pos", "bad,neg"], {"text_column": "body"}, "no column 'body'"),
        (["nice,pos", "bad,pos", "fine,pos"], {}, "a classifier needs at least two classes"),
        ([f"text {i},{i}" for i in range(30)], {}, "30 different values in 30 rows"),
        ([",pos", ",neg", ",pos", "ok,neg"], {}, "3 of the 4 rows"),
        (["nice,pos", "bad,"], {}, "line 3: the label column 'label' is empty"),
        (["nice,pos", "bad,neg"], {"label_column": "review"}, "both 'review'"),
    ],
)
def test_bad_files_get_messages_that_say_what_to_do(tmp_path, rows, params, message):
    path = _write(tmp_path, rows)
    settings = _settings(path, **{"text_column": "review", **params})
    with pytest.raises(DataError, match=message):
        describe(settings)


def test_free_text_label_message_suggests_other_columns(tmp_path):
    rows = [f"t{i},label {i},{i % 2}" for i in range(200)]
    path = _write(tmp_path, rows, header="review,comment,sentiment")
    with pytest.raises(DataError, match=r"looks like free text.*'sentiment'"):
        describe(_settings(path, text_column="review", label_column="comment"))


def test_rows_without_text_are_skipped_and_noted(tmp_path):
    rows = ["good one,pos", "bad one,neg"] * 5 + [",pos"]
    data = load_dataset(_settings(_write(tmp_path, rows), text_column="review"))
    assert len(data.x_train) + len(data.x_val) == 10
    assert "1 row(s) without text skipped (first at line 12)" in data.description


def test_negation_example_reports_accuracy_for_every_distance():
    import importlib.util
    from pathlib import Path

    script = Path(__file__).resolve().parents[1] / "projects" / "negation_by_distance.py"
    spec = importlib.util.spec_from_file_location("negation_by_distance", script)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    table, baseline = module.accuracy_by_distance("gru", steps=3)
    assert sorted(table) == [-1, *range(9)]  # not negated, and negated 0-8 words before
    assert sum(total for _, total in table.values()) == 600 and 0.45 < baseline < 0.55
    assert all(0 <= correct <= total for correct, total in table.values())
