"""User task: classify each text of a CSV/TSV file (a review, a message) into its label.

One column holds the text, one the label (text or whole numbers, two or more classes). Texts
are tokenised by word or character; the vocabulary comes from the training rows only, so the
validation score is honest about unseen words (they become the OOV token). The split is
stratified and seeded by its own `split_seed`, never by the run's seed, so every run of a
project is judged on the same validation texts and `describe` knows the vocabulary size.
Texts longer than max_length tokens are cut (and counted in the description); rows with no
text are skipped and counted, unless most rows are empty (then the column is wrong).

Reading, tokenising and building the vocabulary are remembered per file version (path, size,
modification time) and settings, so validating after every edit does not redo them.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np

from ..params import Param
from ..safe_io import quote_path
from .base import DataError, Dataset, DataSignature, Params, TaskSpec
from .csv_table import read_csv_table
from .files import SAMPLE_DIR, resolve_path
from .labels import class_counts, encode_labels, split_params, stratified_split
from .sampling import long_tensor, make_dataset
from .tokenize import LEVELS, PUNCTUATION, Tokenizer, Vocabulary, build_vocabulary, encode_padded

SAMPLE_REVIEWS = SAMPLE_DIR / "sample_reviews.csv"


@dataclass(frozen=True)
class TextTable:
    """A file's usable rows, tokenised and split, with what the description reports."""

    texts: list[str]
    tokens: list[list[str]]
    labels: np.ndarray  # int64 [N]
    class_names: list[str]
    train_rows: np.ndarray
    val_rows: np.ndarray
    vocabulary: Vocabulary
    skipped_lines: list[int]  # file lines of rows without text

    def encoded(self, rows: np.ndarray, max_length: int) -> tuple[np.ndarray, np.ndarray, int]:
        return encode_padded([self.tokens[i] for i in rows], self.vocabulary, max_length)

    def longest(self, max_length: int) -> int:
        return min(max_length, max(len(tokens) for tokens in self.tokens))


def _read(p: Params, base_dir: Path | None) -> TextTable:
    path = resolve_path(p["path"], base_dir, SAMPLE_REVIEWS)
    try:
        info = os.stat(path)
        version = (info.st_size, info.st_mtime_ns)
    except OSError:
        version = None  # read_csv_table reports the missing file
    key = (p["text_column"], p["label_column"], p["tokens"], p["lowercase"], p["punctuation"])
    return _read_cached(path, version, key, p["val_fraction"], p["split_seed"], p["min_count"], p["max_vocab"])


@lru_cache(maxsize=8)
def _read_cached(
    path: Path, version, key: tuple, val_fraction: float, split_seed: int, min_count: int, max_vocab: int
) -> TextTable:
    text_column, label_column, level, lowercase, punctuation = key
    table = read_csv_table(path)
    if text_column == label_column:
        raise DataError(f"The text and label columns are both '{text_column}'; choose two different columns.")
    texts = table.column(text_column)
    others = [name for name in table.header if name not in (text_column, label_column)]
    labels_all, names = encode_labels(table.column(label_column), table.lines, path, label_column, others)
    tokenizer = Tokenizer(level, lowercase, punctuation)
    raw = ["" if cell is None or cell != cell else str(cell) for cell in texts.tolist()]  # NaN != NaN
    tokens_all = [tokenizer.tokens(text) for text in raw]
    keep = np.array([bool(tokens) for tokens in tokens_all])
    _check_enough_text(path, text_column, keep, table.lines)
    rows = np.flatnonzero(keep)
    labels = labels_all[rows]
    if len(np.unique(labels)) < 2:
        raise DataError(
            f"Only one class is left in {quote_path(path)} once the rows without text are skipped; "
            "a classifier needs at least two classes with text."
        )
    train_rows, val_rows = stratified_split(labels, val_fraction, split_seed)
    if not len(val_rows):
        raise DataError(
            f"{quote_path(path)} has too few rows with text ({len(rows)}) to keep any for validation; add rows."
        )
    tokens = [tokens_all[i] for i in rows]
    vocabulary = build_vocabulary((tokens[i] for i in train_rows), min_count, max_vocab)
    skipped = [int(line) for line in table.lines[~keep]]
    return TextTable([raw[i] for i in rows], tokens, labels, names, train_rows, val_rows, vocabulary, skipped)


def _check_enough_text(path: Path, column: str, keep: np.ndarray, lines: np.ndarray) -> None:
    if keep.sum() * 2 >= len(keep):
        return
    first = int(lines[int(np.argmin(keep))])
    raise DataError(
        f"{int((~keep).sum())} of the {len(keep)} rows of {quote_path(path)} have no text in column "
        f"'{column}' (the first at line {first}). Check that '{column}' is the text column, or fill in the texts."
    )


def _signature(p: Params, base_dir: Path | None) -> DataSignature:
    table = _read(p, base_dir)
    return DataSignature(
        "tokens",
        None,
        len(table.vocabulary),
        table.longest(p["max_length"]),
        "classification",
        len(table.class_names),
        "accuracy",
        variable_length=True,
    )


def _build(p: Params, base_dir: Path | None, seed: int) -> Dataset:
    table = _read(p, base_dir)
    signature = _signature(p, base_dir)
    x_train, len_train, cut_train = table.encoded(table.train_rows, p["max_length"])
    x_val, len_val, cut_val = table.encoded(table.val_rows, p["max_length"])
    steps = signature.length
    return make_dataset(
        signature,
        (long_tensor(_pad_to(x_train, steps)), long_tensor(table.labels[table.train_rows])),
        (long_tensor(_pad_to(x_val, steps)), long_tensor(table.labels[table.val_rows])),
        vocabulary=list(table.vocabulary.tokens),
        class_names=table.class_names,
        lengths_train=long_tensor(len_train),
        lengths_val=long_tensor(len_val),
        texts_val=[table.texts[i] for i in table.val_rows],
        description=_describe(table, p, cut_train + cut_val),
    )


def _pad_to(ids: np.ndarray, steps: int) -> np.ndarray:
    """Train and validation share one length: the longest text of either (after cutting)."""
    return np.pad(ids, ((0, 0), (0, steps - ids.shape[1])))


def _describe(table: TextTable, p: Params, cut: int) -> str:
    counts = class_counts(table.labels[table.train_rows], table.class_names)
    balance = ", ".join(f"{name} {count}" for name, count in counts.items())
    notes = []
    if cut:
        notes.append(f"{cut} text(s) longer than {p['max_length']} {p['tokens']} tokens were cut")
    if table.skipped_lines:
        notes.append(f"{len(table.skipped_lines)} row(s) without text skipped (first at line {table.skipped_lines[0]})")
    return (
        f"Text classification: {len(table.train_rows)} training and {len(table.val_rows)} validation texts, "
        f"{p['tokens']} tokens, vocabulary {len(table.vocabulary)} (from the training texts), "
        f"up to {table.longest(p['max_length'])} tokens. Training classes: {balance}."
        + "".join(f" {note[0].upper()}{note[1:]}." for note in notes)
    )


def text_classification_preview(p: Params, base_dir: Path | None, rows: int = 8) -> dict:
    """What the data form shows: sample texts with labels, the class balance, vocabulary size."""
    table = _read(p, base_dir)
    labels = table.labels
    return {
        "rows": [(table.texts[i], table.class_names[labels[i]]) for i in range(min(rows, len(labels)))],
        "class_counts": class_counts(labels, table.class_names),
        "vocabulary_size": len(table.vocabulary),
        "longest": max(len(tokens) for tokens in table.tokens),
        "skipped_rows": len(table.skipped_lines),
    }


def _summary(p: Params, base_dir: Path | None) -> str:
    preview = text_classification_preview(p, base_dir)
    balance = ", ".join(f"{name} {count}" for name, count in preview["class_counts"].items())
    skipped = f" · {preview['skipped_rows']} row(s) without text skipped" if preview["skipped_rows"] else ""
    return (
        f"Classes: {balance} · vocabulary {preview['vocabulary_size']} (training texts) · "
        f"longest text {preview['longest']} tokens{skipped}"
    )


TEXT_CLASSIFICATION = TaskSpec(
    name="text_classification",
    title="Text classification (CSV)",
    description="Classify each text of a CSV or TSV file (a review, a message) into its label.",
    params=(
        Param(name="path", type="path", default="", help="CSV/TSV file; empty uses the bundled sample reviews."),
        Param(name="text_column", type="column", default="text", help="Column holding each row's text."),
        Param(name="label_column", type="column", default="label", help="Column holding each row's class."),
        Param(
            name="tokens",
            type="choice",
            default="word",
            choices=LEVELS,
            help="Split texts into words or into single characters.",
        ),
        Param(name="lowercase", type="bool", default=True, help="Lower-case texts first, so 'Good' and 'good' match."),
        Param(
            name="punctuation",
            type="choice",
            default="split",
            choices=PUNCTUATION,
            help="'split': marks are tokens of their own; 'strip': marks are dropped; 'keep': split at spaces only.",
        ),
        Param(
            name="min_count",
            type="int",
            default=1,
            minimum=1,
            maximum=1000,
            help="Tokens seen fewer times in the training texts become the unknown token <unk>.",
        ),
        Param(
            name="max_vocab",
            type="int",
            default=20000,
            minimum=3,
            maximum=1_000_000,
            help="Largest vocabulary, <pad> and <unk> included; the commonest training tokens are kept.",
        ),
        Param(
            name="max_length",
            type="int",
            default=200,
            minimum=1,
            maximum=10000,
            help="Tokens per text at most; longer texts are cut (the description says how many).",
        ),
        *split_params("rows"),
    ),
    signature_fn=_signature,
    build_fn=_build,
    sample=SAMPLE_REVIEWS,
    summary_fn=_summary,
)
