"""Class labels from a user's file and the stratified train/validation split they get.

Shared by the classification tasks on user files (texts, long-format sequences). Labels may
be text or whole numbers; classes are numbered in sorted order (numerically for numbers), so
the same file always gives the same class ids. A label column that cannot be classes (one
value only, or free text with a different value on most rows) is refused with what to do.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from ..params import Param
from ..safe_io import quote, quote_path
from .base import DataError

if TYPE_CHECKING:
    import pandas as pd

MAX_CLASSES = 100  # more distinct values than this is free text or an id, not a class


def encode_labels(
    values: pd.Series, lines: np.ndarray, path, column: str, other_columns: list[str]
) -> tuple[np.ndarray, list[str]]:
    """(class id of every row int64 [N], class names) from a label column's cells.

    `lines` are the rows' file lines (for messages); `other_columns` are offered as choices
    when this column does not hold classes.
    """
    missing = values.isna().to_numpy()
    if missing.any():
        row = int(np.argmax(missing))
        raise DataError(
            f"{quote_path(path)}, line {lines[row]}: the label column '{column}' is empty there "
            f"({int(missing.sum())} row(s) have no label). Give every row a label, or remove those rows."
        )
    classes, codes = _sorted_classes(values)
    if len(classes) < 2:
        raise DataError(
            f"Every row of {quote_path(path)} has the label {quote(classes[0])} in column '{column}'; "
            "a classifier needs at least two classes. Add examples of another class, or choose another label column."
        )
    if len(classes) > MAX_CLASSES or (len(values) >= 20 and len(classes) > len(values) / 2):
        raise DataError(
            f"The label column '{column}' of {quote_path(path)} has {len(classes)} different values in "
            f"{len(values)} rows, so it looks like free text or an id, not classes.{_suggest(other_columns)}"
        )
    return codes.astype(np.int64), [str(name) for name in classes]


def _sorted_classes(values: pd.Series) -> tuple[list, np.ndarray]:
    import pandas as pd

    numbers = pd.to_numeric(values, errors="coerce")
    if not numbers.isna().any() and (numbers == numbers.round()).all():
        values = numbers.astype(np.int64)  # 1, 2, 10 sort as numbers, not as text
    else:
        values = values.astype(str).str.strip()
    classes, codes = np.unique(values.to_numpy(), return_inverse=True)
    return list(classes), codes


def _suggest(columns: list[str]) -> str:
    if not columns:
        return " Choose the column that holds each row's class."
    names = ", ".join(f"'{name}'" for name in columns[:6])
    return f" Choose the column that holds each row's class (the file's columns: {names})."


def split_params(items: str) -> tuple[Param, Param]:
    """The two settings of `stratified_split`, worded for the task's `items` ("rows", "sequences")."""
    return (
        Param(
            name="val_fraction",
            type="float",
            default=0.2,
            minimum=0.05,
            maximum=0.5,
            help=f"Share of each class's {items} kept for validation.",
        ),
        Param(
            name="split_seed",
            type="int",
            default=0,
            minimum=0,
            maximum=2**31 - 1,
            help=f"Which {items} are kept for validation; fixed apart from the run's seed so runs compare.",
        ),
    )


def stratified_split(labels: np.ndarray, val_fraction: float, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """(training rows, validation rows), each class split in the same proportion.

    A class with at least two examples keeps at least one on each side; a class with one
    example trains. Rows are shuffled by `seed` alone, so the split never depends on the run.
    """
    rng = np.random.default_rng([seed, 2])
    train, val = [], []
    for label in np.unique(labels):
        rows = rng.permutation(np.flatnonzero(labels == label))
        n_val = min(len(rows) - 1, max(1, round(len(rows) * val_fraction))) if len(rows) > 1 else 0
        val.append(rows[:n_val])
        train.append(rows[n_val:])
    return np.sort(np.concatenate(train)), np.sort(np.concatenate(val))


def class_counts(labels: np.ndarray, names: list[str]) -> dict[str, int]:
    """{class name: number of rows}, in class-id order."""
    counts = np.bincount(labels, minlength=len(names))
    return {name: int(count) for name, count in zip(names, counts)}
