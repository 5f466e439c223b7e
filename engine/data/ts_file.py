"""Reading the sktime/aeon `.ts` format of the UCR/UEA classification archives.

A `.ts` file has `#` comment lines, `@` header lines (`@dimensions 12`, `@classLabel true 1 2
...`), then after `@data` one case per line: the dimensions separated by ':', each a comma-
separated series, and the class label last. Cases may differ in length (`@equalLength
false`), but within one case every dimension has the same length. Only numbers are read:
nothing in a file is ever evaluated.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from ..safe_io import quote_path
from .base import DataError
from .files import read_text

KIND = ".ts file"


def read_ts(path: Path) -> tuple[list[np.ndarray], list[str], list[str]]:
    """(cases, each float64 [T_i, D]; the label of each case; the declared class labels)."""
    lines = read_text(path, KIND).split("\n")
    headers, start = _headers(path, lines)
    declared = headers.get("@classlabel", "").split()
    if not declared or declared[0].lower() != "true":
        raise DataError(
            f"{quote_path(path)} declares no class labels (@classLabel true ...); it is not a classification set."
        )
    cases, labels = [], []
    for number, line in enumerate(lines[start:], start=start + 1):
        if line.strip() and not line.startswith("#"):
            case, label = _case(path, number, line)
            cases.append(case)
            labels.append(label)
    if not cases:
        raise DataError(f"{quote_path(path)} has no cases after @data.")
    return cases, labels, declared[1:]


def _headers(path: Path, lines: list[str]) -> tuple[dict[str, str], int]:
    headers = {}
    for index, line in enumerate(lines):
        if line.startswith("@"):
            key, _, value = line.strip().partition(" ")
            if key.lower() == "@data":
                return headers, index + 1
            headers[key.lower()] = value
    raise DataError(f"{quote_path(path)} has no @data line; it is not a .ts file.")


def _case(path: Path, number: int, line: str) -> tuple[np.ndarray, str]:
    *dimensions, label = line.strip().split(":")
    try:
        series = [np.array(dimension.split(","), dtype=np.float64) for dimension in dimensions]
    except ValueError as error:
        raise DataError(f"{quote_path(path)}, line {number}: a value is not a number ({error}).") from error
    if not series or len({len(s) for s in series}) != 1:
        raise DataError(f"{quote_path(path)}, line {number}: the dimensions of this case differ in length.")
    case = np.stack(series, axis=1)  # (T, D)
    if not np.isfinite(case).all():
        raise DataError(f"{quote_path(path)}, line {number}: missing or non-finite values are not supported.")
    return case, label.strip()
