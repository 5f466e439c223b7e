"""User task: classify whole sequences of different lengths given as a long-format CSV.

One row per time step: a sequence-id column, an optional time column (else the file's order),
numeric feature columns and a label that is the same on every row of a sequence (the speaker,
the activity). Sequences are padded at the end and carry their lengths, so the model reads
each one's real steps only (engine.packing). The split is stratified over sequences and seeded
by `split_seed` alone; features are standardised with the training sequences' steps only.
`sequence_dataset` is shared with the built-in variable-length sets (Japanese vowels).

Reading is remembered per file version (path, size, modification time) and settings, so
validating after every edit does not re-read the file.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np

from ..params import Param
from ..safe_io import quote, quote_path
from .base import DataError, Dataset, DataSignature, Params, TaskSpec
from .csv_table import CsvTable, is_numeric_column, numeric_column, read_csv_table
from .files import SAMPLE_DIR, resolve_path
from .labels import class_counts, encode_labels, split_params, stratified_split
from .sampling import float_tensor, long_tensor, make_dataset

SAMPLE_GESTURES = SAMPLE_DIR / "sample_gestures.csv"


@dataclass(frozen=True)
class LabelledSequences:
    """Sequences (each float64 [T_i, F]) with a class each, and the split to use."""

    sequences: list[np.ndarray]
    labels: np.ndarray  # int64 [N]
    class_names: list[str]
    feature_names: list[str]
    train_rows: np.ndarray
    val_rows: np.ndarray

    def longest(self, max_length: int) -> int:
        return min(max_length, max(len(s) for s in self.sequences))


def sequence_signature(data: LabelledSequences, max_length: int) -> DataSignature:
    return DataSignature(
        "sequence",
        len(data.feature_names),
        None,
        data.longest(max_length),
        "classification",
        len(data.class_names),
        "accuracy",
        variable_length=True,
    )


def sequence_dataset(data: LabelledSequences, max_length: int, normalise: bool, what: str) -> Dataset:
    """Padded tensors with lengths; `what` opens the description ("Long-format CSV ...")."""
    from ..packing import pad_sequences  # late: packing loads torch, describe() must not

    cut = [s[:max_length] for s in data.sequences]
    if normalise:
        steps = np.concatenate([cut[i] for i in data.train_rows])
        mean, std = steps.mean(axis=0), steps.std(axis=0)
        cut = [(s - mean) / np.where(std > 0, std, 1.0) for s in cut]
    longest = data.longest(max_length)

    def split(rows: np.ndarray):
        padded, lengths = pad_sequences([cut[i] for i in rows], 0.0, np.float32)
        padded = np.pad(padded, ((0, 0), (0, longest - padded.shape[1]), (0, 0)))  # one length for both
        return float_tensor(padded), long_tensor(data.labels[rows]), long_tensor(lengths)

    (x_train, y_train, len_train), (x_val, y_val, len_val) = split(data.train_rows), split(data.val_rows)
    return make_dataset(
        sequence_signature(data, max_length),
        (x_train, y_train),
        (x_val, y_val),
        class_names=data.class_names,
        lengths_train=len_train,
        lengths_val=len_val,
        description=_describe(data, max_length, what),
    )


def _describe(data: LabelledSequences, max_length: int, what: str) -> str:
    lengths = np.array([len(s) for s in data.sequences])
    counts = class_counts(data.labels[data.train_rows], data.class_names)
    balance = ", ".join(f"{name} {count}" for name, count in counts.items())
    cut = int((lengths > max_length).sum())
    note = f" {cut} sequence(s) longer than {max_length} steps keep their first {max_length}." if cut else ""
    return (
        f"{what}: {len(data.train_rows)} training and {len(data.val_rows)} validation sequences of "
        f"{lengths.min()} to {lengths.max()} steps, {len(data.feature_names)} feature(s) "
        f"({', '.join(data.feature_names[:6])}{', ...' if len(data.feature_names) > 6 else ''}). "
        f"Training classes: {balance}.{note}"
    )


def _read(p: Params, base_dir: Path | None) -> LabelledSequences:
    path = resolve_path(p["path"], base_dir, SAMPLE_GESTURES)
    try:
        info = os.stat(path)
        version = (info.st_size, info.st_mtime_ns)
    except OSError:
        version = None  # read_csv_table reports the missing file
    columns = (p["sequence_column"], p["time_column"], tuple(p["feature_columns"]), p["label_column"])
    return _read_cached(path, version, columns, p["val_fraction"], p["split_seed"])


@lru_cache(maxsize=8)
def _read_cached(path: Path, version, columns: tuple, val_fraction: float, split_seed: int) -> LabelledSequences:
    id_column, time_column, features, label_column = columns
    table = read_csv_table(path)
    used = [name for name in (id_column, time_column, label_column) if name]
    if len(set(used)) != len(used):
        raise DataError("The sequence-id, time and label columns must be three different columns (or no time column).")
    features = list(features) or _numeric_columns(table, used)
    order = _row_order(table, id_column, time_column)
    ids = table.column(id_column).astype(str).str.strip().to_numpy()[order]
    starts = np.flatnonzero(np.r_[True, ids[1:] != ids[:-1]])
    values = np.column_stack([_feature(table, name) for name in features])[order]
    labels, names = _sequence_labels(table, label_column, order, starts, ids)
    sequences = np.split(values, starts[1:])
    train, val = stratified_split(labels, val_fraction, split_seed)
    if not len(val):
        raise DataError(f"{quote_path(path)} has too few sequences ({len(sequences)}) to keep any for validation.")
    return LabelledSequences(sequences, labels, names, features, train, val)


def _numeric_columns(table: CsvTable, used: list[str]) -> list[str]:
    names = [name for name in table.header if name not in used and is_numeric_column(table, name)]
    if not names:
        raise DataError(
            f"{quote_path(table.path)} has no numeric column besides the id, time and label columns; "
            "a sequence needs at least one numeric feature per step."
        )
    return names


def _feature(table: CsvTable, name: str) -> np.ndarray:
    values = numeric_column(table, name, "leave the column out of feature_columns")
    missing = np.isnan(values)
    if missing.any():
        raise DataError(
            f"{quote_path(table.path)}, line {table.lines[int(np.argmax(missing))]}: column '{name}' is empty. "
            "Fill in every feature value, or leave the column out of feature_columns."
        )
    return values


def _row_order(table: CsvTable, id_column: str, time_column: str) -> np.ndarray:
    """Rows grouped by sequence (in order of first appearance), each sorted by time."""
    import pandas as pd

    ids = table.column(id_column)
    missing = ids.isna().to_numpy()
    if missing.any():
        line = table.lines[int(np.argmax(missing))]
        raise DataError(f"{quote_path(table.path)}, line {line}: the sequence-id column '{id_column}' is empty.")
    group = pd.factorize(ids.astype(str).str.strip())[0]
    if not time_column:
        return np.argsort(group, kind="stable")
    time = numeric_column(table, time_column, "choose a numeric time column, or none to use the file's order")
    if np.isnan(time).any():
        line = table.lines[int(np.argmax(np.isnan(time)))]
        raise DataError(f"{quote_path(table.path)}, line {line}: the time column '{time_column}' is empty.")
    return np.lexsort((time, group))


def _sequence_labels(table: CsvTable, column: str, order: np.ndarray, starts: np.ndarray, ids: np.ndarray):
    cells = table.column(column)
    text = cells.astype(str).str.strip().to_numpy()[order]
    first = np.repeat(text[starts], np.diff(np.r_[starts, len(text)]))
    differs = np.flatnonzero(text != first)
    if len(differs):
        row = int(differs[0])
        start = starts[np.searchsorted(starts, row, side="right") - 1]
        raise DataError(
            f"Sequence {quote(ids[row])} of {quote_path(table.path)} has two labels in column '{column}': "
            f"{quote(first[row])} (line {table.lines[order[start]]}) and {quote(text[row])} "
            f"(line {table.lines[order[row]]}). Give every row of a sequence the sequence's one label."
        )
    first_rows = order[starts]
    others = [name for name in table.header if name != column]
    return encode_labels(cells.iloc[first_rows], table.lines[first_rows], table.path, column, others)


def _signature(p: Params, base_dir: Path | None) -> DataSignature:
    return sequence_signature(_read(p, base_dir), p["max_length"])


def _build(p: Params, base_dir: Path | None, seed: int) -> Dataset:
    return sequence_dataset(_read(p, base_dir), p["max_length"], p["normalise"], "Sequence classification (long CSV)")


def _summary(p: Params, base_dir: Path | None) -> str:
    data = _read(p, base_dir)
    lengths = [len(s) for s in data.sequences]
    balance = ", ".join(f"{name} {count}" for name, count in class_counts(data.labels, data.class_names).items())
    return (
        f"Classes: {balance} · {len(lengths)} sequences of {min(lengths)} to {max(lengths)} steps · "
        f"features: {', '.join(data.feature_names)}"
    )


SEQUENCE_TABLE = TaskSpec(
    name="sequence_classification",
    title="Sequence classification (long-format CSV)",
    description="Classify whole sequences of different lengths: one CSV row per step, one label per sequence.",
    params=(
        Param(name="path", type="path", default="", help="Long-format CSV/TSV; empty uses the bundled gestures."),
        Param(name="sequence_column", type="column", default="sequence", help="Column naming each row's sequence."),
        Param(
            name="time_column",
            type="column",
            default="",
            help="Numeric column ordering the steps of a sequence; empty keeps the file's order.",
        ),
        Param(
            name="feature_columns",
            type="columns",
            default=(),
            help="Numeric columns read at every step; empty takes every other numeric column.",
        ),
        Param(name="label_column", type="column", default="label", help="Column holding each sequence's class."),
        Param(
            name="normalise",
            type="bool",
            default=True,
            help="Standardise each feature with the training sequences' mean and spread.",
        ),
        Param(
            name="max_length",
            type="int",
            default=1000,
            minimum=1,
            maximum=100_000,
            help="Steps per sequence at most; longer sequences keep their first steps (the description counts them).",
        ),
        *split_params("sequences"),
    ),
    signature_fn=_signature,
    build_fn=_build,
    sample=SAMPLE_GESTURES,
    summary_fn=_summary,
)
