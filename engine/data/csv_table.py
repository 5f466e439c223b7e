"""Reading a CSV file into named columns, with errors that point at the line and column.

The first row is the header. The delimiter is detected among , ; tab and |. Empty lines
are skipped. Cells that are empty or say NA/N/A/NaN/null/none count as missing (NaN);
any other cell of a numeric column must be a finite number. Line numbers in messages are
the file's own (the header is line 1), as a text editor shows them.

pandas' C parser reads the cells (a million rows in about a second); the checks it does not
make the way a user needs them (one value per column on every row, the line of each data row)
are done here, vectorised over the file's bytes when no field is quoted.

A file over CHUNK_BYTES is parsed in chunks of about that size, reporting (bytes read, bytes
in all) after each to a progress callback: the one passed in, or the one `reading_progress`
installs around a command (the CLI's tqdm bar; the GUI can pass its own).
"""

from __future__ import annotations

import csv
import io
import warnings
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from .base import DataError
from .files import read_text, read_text_head

if TYPE_CHECKING:
    import pandas as pd

KIND = "CSV file"
# A CSV series is held whole in memory; a million rows of five columns is about 50 MB.
MAX_CSV_BYTES = 1024 * 1024 * 1024
CHUNK_BYTES = 4 * 1024 * 1024  # files over this are parsed in chunks of about this size, with progress
Progress = Callable[[int, int], None]  # (bytes read so far, bytes in all), increasing to the total
_progress: ContextVar[Progress | None] = ContextVar("csv_progress", default=None)
MISSING = frozenset({"", "na", "n/a", "nan", "null", "none"})
# pandas matches missing markers case-sensitively: list the spellings people write.
_NA_VALUES = sorted({form for word in MISSING for form in (word, word.upper(), word.capitalize())})


@dataclass(frozen=True)
class CsvTable:
    """A CSV file's header and its cells as pandas read them; `lines[i]` is row i's line."""

    path: Path
    header: list[str]
    frame: pd.DataFrame
    lines: np.ndarray  # int64 [rows]: the file line of each data row

    def column_index(self, name: str) -> int:
        """Index of column `name`, or DataError listing the columns there are."""
        if name not in self.header:
            available = ", ".join(f"'{h}'" for h in self.header)
            raise DataError(
                f"The CSV file '{self.path}' has no column '{name}'. "
                f"Its columns are: {available}. Check the spelling in the data settings."
            )
        return self.header.index(name)

    def column(self, name: str) -> pd.Series:
        """The column's cells as pandas read them (numbers, or text where any cell is not)."""
        return self.frame.iloc[:, self.column_index(name)]

    def __len__(self) -> int:
        return len(self.frame)


@contextmanager
def reading_progress(callback: Progress | None) -> Iterator[None]:
    """CSV files read inside the block (without their own callback) report to `callback`."""
    token = _progress.set(callback)
    try:
        yield
    finally:
        _progress.reset(token)


def _delimiter(text: str) -> str:
    sample = "\n".join(text.split("\n", 20)[:20])
    try:
        return csv.Sniffer().sniff(sample, delimiters=",;\t|").delimiter
    except csv.Error:
        return ","  # one column, or too irregular to guess: assume the common case


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


def _row_lines_unquoted(raw: bytes, delimiter: str, columns: int) -> tuple[np.ndarray, int, int]:
    """(line of each data row, line of the first row with the wrong number of values or 0,
    its value count), from the file's bytes at numpy speed (no quoted fields)."""
    data = np.frombuffer(raw, dtype=np.uint8)
    ends = np.flatnonzero(data == 10)
    if len(data) and data[-1] != 10:
        ends = np.append(ends, len(data))
    starts = np.concatenate(([0], ends[:-1] + 1))
    # Delimiters per line from their positions (a cumulative count per byte would take 8
    # bytes per byte of the file).
    found = np.flatnonzero(data == ord(delimiter))
    counts = np.searchsorted(found, ends) - np.searchsorted(found, starts) + 1
    line_numbers = np.arange(1, len(ends) + 1)
    filled = ends > starts
    header_at = int(np.argmax(filled))
    body = filled & (line_numbers > header_at + 1)
    wrong = np.flatnonzero(body & (counts != columns))
    if len(wrong):
        return line_numbers[body], int(line_numbers[wrong[0]]), int(counts[wrong[0]])
    return line_numbers[body], 0, 0


def _row_lines_quoted(raw: bytes, delimiter: str, columns: int) -> tuple[np.ndarray, int, int]:
    """The same as _row_lines_unquoted through the csv module, which understands quotes."""
    reader = csv.reader(io.StringIO(raw.decode("utf-8")), delimiter=delimiter)
    _first_row(reader)
    lines = []
    for row in reader:
        if not any(cell.strip() for cell in row):
            continue
        if len(row) != columns:
            return np.array(lines, dtype=np.int64), reader.line_num, len(row)
        lines.append(reader.line_num)
    return np.array(lines, dtype=np.int64), 0, 0


def _parse(
    raw: bytes,
    delimiter: str,
    names: list[str],
    progress: Progress | None = None,
    chunk_rows: int = 0,
    all_rows: int = 0,
) -> pd.DataFrame:
    """The cells, in one go, or `chunk_rows` rows at a time reporting bytes to `progress`."""
    import pandas as pd

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # dtype guesses on mixed columns: judged per column later
        options = dict(
            sep=delimiter,
            engine="c",
            skipinitialspace=True,
            keep_default_na=False,
            na_values=_NA_VALUES,
            skip_blank_lines=True,
            low_memory=False,
        )
        source = io.BytesIO(raw)  # bytes parse faster than text: the C parser skips re-encoding
        if progress is None or chunk_rows <= 0:
            frame = pd.read_csv(source, **options)
        else:
            frame = _parse_in_chunks(source, options, len(raw), progress, chunk_rows, all_rows)
    frame.columns = names
    return frame


def _parse_in_chunks(
    source: io.BytesIO, options: dict, total: int, progress: Progress, rows: int, all_rows: int
) -> pd.DataFrame:
    """Chunks of `rows` rows; the bytes done are estimated from the rows done (rows are alike)."""
    import pandas as pd

    chunks, done, reported = [], 0, 0
    progress(0, total)
    with pd.read_csv(source, chunksize=rows, **options) as reader:
        for chunk in reader:
            chunks.append(chunk)
            done += len(chunk)
            now = min(total, round(total * done / max(all_rows, 1)))
            if now > reported:
                progress(now, total)
                reported = now
    if reported < total:
        progress(total, total)
    return pd.concat(chunks, ignore_index=True)


def read_csv_table(path: Path, progress: Progress | None = None, chunk_bytes: int | None = None) -> CsvTable:
    """The whole CSV file, checked for a header, consistent rows and at least one data row.
    Files over `chunk_bytes` are parsed in chunks, reporting to `progress` (see module doc)."""
    text = read_text(path, KIND, MAX_CSV_BYTES)
    delimiter = _delimiter(text)
    header = _check_header(path, _first_row(csv.reader(io.StringIO(text), delimiter=delimiter)))
    raw = text.encode("utf-8")  # checked UTF-8, without byte-order mark, '\n' line ends
    count_rows = _row_lines_quoted if '"' in text else _row_lines_unquoted
    lines, bad_line, values = count_rows(raw, delimiter, len(header))
    if bad_line:
        raise DataError(
            f"Line {bad_line} of '{path}' has {values} values but the header has "
            f"{len(header)} columns. Make every row have one value per column."
        )
    if not len(lines):
        raise DataError(f"The CSV file '{path}' has a header but no data rows.")
    progress, chunk_bytes = progress or _progress.get(), chunk_bytes or CHUNK_BYTES
    chunk_rows = max(1, int(len(lines) * chunk_bytes / len(raw))) if len(raw) > chunk_bytes else 0
    frame = _parse(raw, delimiter, header, progress, chunk_rows, len(lines))
    if len(frame) != len(lines):  # whitespace-only lines: pandas and the count disagree
        lines = _row_lines_quoted(raw, delimiter, len(header))[0]
        frame = frame.iloc[: len(lines)]
    return CsvTable(path, header, frame, lines)


def csv_preview(path: Path | str, rows: int = 10) -> tuple[list[str], list[list[str]]]:
    """(header, first `rows` data rows) of a CSV file as text, or DataError."""
    text = read_text_head(path, KIND)
    reader = csv.reader(io.StringIO(text), delimiter=_delimiter(text))
    header = [name.strip() for name in _first_row(reader)]
    body: list[list[str]] = []
    for row in reader:
        if len(body) == rows:
            break
        if any(cell.strip() for cell in row):
            body.append(row)
    return header, body


def _as_numbers(column: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    """(float64 values with NaN where missing or not a number, mask of cells not a number)."""
    import pandas as pd

    missing = column.isna().to_numpy()
    values = pd.to_numeric(column, errors="coerce").to_numpy(dtype=np.float64, na_value=np.nan, copy=True)
    bad = ~np.isfinite(values) & ~missing
    values[bad] = np.nan
    return values, bad


def is_numeric_column(table: CsvTable, name: str) -> bool:
    """True if the column's first non-missing cell is a number.

    Judging by the first value (not all) means a numeric column with one typo still counts
    as numeric, so the typo is reported by line instead of the column silently vanishing.
    """
    column = table.column(name)
    present = column.dropna()
    if present.empty:
        return False
    values, bad = _as_numbers(present.iloc[:1])
    return not bad[0]


def numeric_column(table: CsvTable, name: str, fix_hint: str) -> np.ndarray:
    """The column as float64 with NaN for missing cells; DataError at the first non-number."""
    column = table.column(name)
    values, bad = _as_numbers(column)
    if bad.any():
        row = int(np.argmax(bad))
        raise DataError(
            f"'{table.path}', line {table.lines[row]}, column '{name}': "
            f"{str(column.iloc[row]).strip()!r} is not a number. Correct the value, or {fix_hint}."
        )
    return values
