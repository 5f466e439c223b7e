"""The user's cell library: a folder of cell files (`*.rscell`, the cell dict as JSON) that the
palette lists beside the templates.

A file is read within a size limit, as strict JSON, and checked by engine.cells.document; a
file that cannot be read is listed with its problem rather than hiding the others. Saving is
atomic (engine.project.write_atomic). Loading never runs code: a cell names primitives only.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path

from ..errors import UserError
from ..project import write_atomic
from ..safe_io import quote_path, read_limited
from ..strict_json import loads
from .document import CellDocument, CellFormatError, from_dict

SUFFIX = ".rscell"
MAX_BYTES = 1_000_000  # a drawn cell is a few kilobytes
MAX_FILES = 500


class CellFileError(UserError, ValueError):
    """A cell file that cannot be read or written; the message names the file."""


@dataclass(frozen=True)
class LibraryEntry:
    path: Path
    cell: CellDocument | None  # None when the file cannot be read
    problem: str | None = None

    @property
    def name(self) -> str:
        return self.cell.name if self.cell else self.path.stem


def load_cell_file(path: Path | str) -> CellDocument:
    path = Path(path)
    try:
        text = read_limited(path, "cell file", MAX_BYTES).decode("utf-8")
        return from_dict(loads(text))
    except (UnicodeDecodeError, ValueError) as error:  # CellFormatError and StrictJSONError are ValueErrors
        raise CellFileError(f"{quote_path(path)}: {error}") from None


def save_cell_file(doc: CellDocument, folder: Path | str, file_name: str | None = None) -> Path:
    """Write `doc` into `folder` as <file_name or a name made from the cell's>.rscell."""
    stem = file_name or re.sub(r"[^A-Za-z0-9_-]+", "_", doc.name).strip("_") or "cell"
    path = Path(folder) / (stem if stem.endswith(SUFFIX) else stem + SUFFIX)
    try:
        write_atomic(path, json.dumps(doc.to_dict(), indent=2) + "\n")
    except OSError as error:
        raise CellFileError(f"{quote_path(path)} could not be written: {error.strerror or error}") from None
    return path


def list_library(folder: Path | str) -> list[LibraryEntry]:
    """The cell files in `folder`, by name; none when the folder does not exist."""
    folder = Path(folder)
    if not folder.is_dir():
        return []
    entries = []
    for path in sorted(folder.glob(f"*{SUFFIX}"))[:MAX_FILES]:
        try:
            entries.append(LibraryEntry(path, load_cell_file(path)))
        except (CellFileError, CellFormatError, UserError) as error:
            entries.append(LibraryEntry(path, None, str(error)))
    return entries
