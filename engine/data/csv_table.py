"""Reading a CSV file into named columns, with errors that point at the line and column.

The first row is the header. The delimiter is detected among , ; tab and |. Empty lines
are skipped. Cells that are empty or say NA/N/A/NaN/null/none count as missing (NaN);
any other cell of a numeric column must be a finite number. Line numbers in messages are
the file's own (the header is line 1), as a text editor shows them.
"""

from __future__ import annotations

import csv
import io
import math
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from .base import DataError
from .files import read_text, read_text_head

KIND = "CSV file"
MISSING = frozenset({"", "na", "n/a", "nan", "null", "none"})


@dataclass(frozen=True)
class CsvTable:
    """A CSV file's header and data rows as text; `lines[i]` is row i's line in the file."""

    path: Path
    header: list[str]
    rows: list[list[str]]
    lines: list[int]

    def column_index(self, name: str) -> int:
        """Index of column `name`, or DataError listing the columns there are."""
        if name not in self.header:
            available = ", ".join(f"'{h}'" for h in self.header)
            raise DataError(
                f"The CSV file '{self.path}' has no column '{name}'. "
                f"Its columns are: {available}. Check the spelling in the data settings."
            )
        return self.header.index(name)


def _reader(text: str) -> Any:
    sample = "\n".join(text.split("\n", 20)[:20])
    try:
        delimiter = csv.Sniffer().sniff(sample, delimiters=",;\t|").delimiter
    except csv.Error:
        delimiter = ","  # one column, or too irregular to guess: assume the common case
    return csv.reader(io.StringIO(text), delimiter=delimiter)


def _first_row(reader: Any) -> list[str]:
    # Blank lines before the header are harmless; read_text guarantees some content follows.
    for row in reader:
        if any(cell.strip() for cell in row):
            return row
    return []


def _check_header(path: Path, header: list[str]) -> list[str]:
    names = [name.strip() for name in header]
    for position, name in enumerate(names, start=1):
        if not name:
            raise DataError(
                f"Column {position} of the header (line 1) of '{path}' has no name. "
                "Give every column a name in the first row."
            )
        if names.index(name) != position - 1:
            raise DataError(
                f"The header of '{path}' names two columns '{name}' (columns "
                f"{names.index(name) + 1} and {position}). Give each column its own name."
            )
    return names


def read_csv_table(path: Path) -> CsvTable:
    """The whole CSV file, checked for a header, consistent rows and at least one data row."""
    reader = _reader(read_text(path, KIND))
    header = _check_header(path, _first_row(reader))
    rows, lines = [], []
    for row in reader:
        if not any(cell.strip() for cell in row):
            continue
        if len(row) != len(header):
            raise DataError(
                f"Line {reader.line_num} of '{path}' has {len(row)} values but the header has "
                f"{len(header)} columns. Make every row have one value per column."
            )
        rows.append(row)
        lines.append(reader.line_num)
    if not rows:
        raise DataError(f"The CSV file '{path}' has a header but no data rows.")
    return CsvTable(path, header, rows, lines)


def csv_preview(path: Path | str, rows: int = 10) -> tuple[list[str], list[list[str]]]:
    """(header, first `rows` data rows) of a CSV file as text, or DataError."""
    reader = _reader(read_text_head(path, KIND))
    header = [name.strip() for name in _first_row(reader)]
    body: list[list[str]] = []
    for row in reader:
        if len(body) == rows:
            break
        if any(cell.strip() for cell in row):
            body.append(row)
    return header, body


def _parse_cell(cell: str) -> float | None:
    """The cell's number, NaN if missing, None if it is not a number."""
    text = cell.strip()
    if text.lower() in MISSING:
        return math.nan
    try:
        number = float(text)
    except ValueError:
        return None
    return number if math.isfinite(number) else None


def is_numeric_column(table: CsvTable, name: str) -> bool:
    """True if the column's first non-missing cell is a number.

    Judging by the first value (not all) means a numeric column with one typo still counts
    as numeric, so the typo is reported by line instead of the column silently vanishing.
    """
    index = table.column_index(name)
    for row in table.rows:
        number = _parse_cell(row[index])
        if number is None or not math.isnan(number):
            return number is not None
    return False


def numeric_column(table: CsvTable, name: str, fix_hint: str) -> np.ndarray:
    """The column as float64 with NaN for missing cells; DataError at the first non-number."""
    index = table.column_index(name)
    values = np.empty(len(table.rows))
    for i, row in enumerate(table.rows):
        number = _parse_cell(row[index])
        if number is None:
            raise DataError(
                f"'{table.path}', line {table.lines[i]}, column '{name}': "
                f"{row[index].strip()!r} is not a number. Correct the value, or {fix_hint}."
            )
        values[i] = number
    return values
