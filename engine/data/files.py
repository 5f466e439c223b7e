"""Finding and reading user data files, with errors a user can act on.

Invariants: relative paths are resolved against the project's folder (base_dir) when one is
given; an empty path means the task's bundled sample file; every failure to find, read or
decode a file is a DataError naming the file. Text is decoded as UTF-8 (a leading byte-order
mark is dropped) and Windows line endings become '\n'.

Every read goes through engine.safe_io: only regular files are opened (a FIFO, /dev/zero, a
folder or a link loop is refused before a byte is read) and never more than a stated number
of bytes is read, so a hostile path can neither hang the app nor fill its memory.
"""

from __future__ import annotations

import codecs
import os
from pathlib import Path
from typing import Any

from ..safe_io import FileRefusedError, format_bytes, open_regular, quote_path
from .base import DataError
from .real_series import builtin_path, is_builtin

# The one place that knows where the bundled sample data lives.
SAMPLE_DIR = Path(__file__).resolve().parents[2] / "resources" / "data"
SAMPLE_CSV = SAMPLE_DIR / "sample_timeseries.csv"
SAMPLE_TEXT = SAMPLE_DIR / "sample_text.txt"

PREVIEW_BYTES = 256 * 1024
# The most read whole as text (a character model's corpus); a bigger file is refused at once.
MAX_TEXT_BYTES = 32 * 1024 * 1024


def resolve_path(raw: str, base_dir: Path | str | None, sample: Path) -> Path:
    """The file a path setting refers to: `sample` if empty, else relative to base_dir."""
    if not raw.strip():
        return sample
    path = Path(raw.strip()).expanduser()
    if not path.is_absolute() and base_dir is not None:
        path = Path(base_dir) / path
    return path


def user_data_path(settings: Any, base_dir: Path | str | None) -> Path | None:
    """The absolute path of the file a data setting reads; None for generated data and for
    the bundled sample files (an empty path)."""
    from .registry import TASKS  # late: the registry imports the tasks, which import this module

    if not isinstance(settings, dict) or settings.get("task") not in TASKS:
        return None
    params = settings.get("params") if isinstance(settings.get("params"), dict) else {}
    for param in TASKS[settings["task"]].params:
        raw = params.get(param.name, param.default)
        if param.type == "path" and isinstance(raw, str) and raw.strip():
            return (
                _builtin_file(raw)
                if is_builtin(raw)
                else Path(os.path.abspath(resolve_path(raw, base_dir, SAMPLE_DIR)))
            )
    return None


def with_absolute_paths(settings: Any, base_dir: Path | str | None) -> Any:
    """Data settings whose file path is made absolute (a relative one against `base_dir`), so
    a copy of the project kept elsewhere (a run folder's) still reads the same file."""
    path = user_data_path(settings, base_dir)
    if path is None:
        return settings
    from .registry import TASKS  # late: the registry imports the tasks, which import this module

    params = dict(settings["params"])
    for param in TASKS[settings["task"]].params:
        raw = params.get(param.name)
        if param.type == "path" and isinstance(raw, str) and raw.strip() and not is_builtin(raw):
            params[param.name] = str(path)
    return {**settings, "params": params}


def _builtin_file(raw: str) -> Path | None:
    """The file inside the statsmodels wheel a "builtin:NAME" path reads (None if unknown:
    loading the data then says why)."""
    try:
        return builtin_path(raw)
    except DataError:
        return None


def is_inside(path: Path, folder: Path) -> bool:
    """Whether `path`, with links resolved, lies inside `folder` (also resolved)."""
    try:
        Path(os.path.realpath(path)).relative_to(os.path.realpath(folder))
    except ValueError:
        return False
    return True


def read_bytes(path: Path | str, kind: str, limit: int, refuse_larger: bool = False) -> bytes:
    """At most `limit` bytes of the file, or DataError saying why it cannot be read.

    refuse_larger: a file over `limit` is refused with its size instead of being cut.
    """
    path = Path(path)
    try:
        with open_regular(path, kind) as handle:
            size = os.fstat(handle.fileno()).st_size
            if refuse_larger and size > limit:
                raise DataError(
                    f"The {kind} {quote_path(path)} is {format_bytes(size)}; at most {format_bytes(limit)} "
                    "is read. Use a shorter part of it (its first lines, say)."
                )
            # read() allocates its whole argument up front: ask for no more than the file holds.
            data = handle.read(min(limit, size) + 1)
    except FileRefusedError as error:
        raise DataError(_refusal_advice(error, kind)) from None
    except OSError as error:
        raise DataError(f"Cannot read the {kind} {quote_path(path)}: {error.strerror or error}.") from None
    if refuse_larger and len(data) > limit:  # it grew while being read
        raise DataError(f"The {kind} {quote_path(path)} is over {format_bytes(limit)}, the limit.")
    return data[:limit]


def _refusal_advice(error: FileRefusedError, kind: str) -> str:
    if not os.path.lexists(error.path):
        return (
            f"Cannot find the {kind} {quote_path(error.path)}. Check the path in the data settings "
            "(a relative path is read from the project's folder)."
        )
    return str(error)


def decode_utf8(data: bytes, path: Path | str, kind: str, final: bool = True) -> str:
    """`data` as text; DataError with the byte offset and line of the first bad byte.

    With final=False an incomplete character cut off at the end is dropped, so a file's
    first bytes can be decoded for a preview.
    """
    decoder = codecs.getincrementaldecoder("utf-8-sig")("strict")
    try:
        text = decoder.decode(data, final=final)
    except UnicodeDecodeError as error:
        line = data.count(b"\n", 0, error.start) + 1
        raise DataError(
            f"The {kind} {quote_path(path)} is not UTF-8 text: the byte at offset {error.start} "
            f"(line {line}) cannot be read. Save the file with UTF-8 encoding "
            "(most editors offer this under 'Save as')."
        ) from error
    return text.replace("\r\n", "\n").replace("\r", "\n")


def read_text(path: Path | str, kind: str, limit: int = MAX_TEXT_BYTES) -> str:
    """The whole file (at most `limit` bytes) as text, or DataError; an empty file is an error too."""
    text = decode_utf8(read_bytes(path, kind, limit, refuse_larger=True), path, kind)
    if not text.strip():
        raise DataError(f"The {kind} {quote_path(path)} is empty. Choose a file that holds data.")
    return text


def read_text_head(path: Path | str, kind: str) -> str:
    """The file's first lines (up to PREVIEW_BYTES) as text for a preview, or DataError.

    A line cut by the byte limit is dropped so a preview never shows half a row.
    """
    data = read_bytes(path, kind, PREVIEW_BYTES + 1)
    truncated = len(data) > PREVIEW_BYTES
    text = decode_utf8(data[:PREVIEW_BYTES], path, kind, final=not truncated)
    if truncated and "\n" in text:
        text = text[: text.rindex("\n") + 1]
    if not text.strip():
        raise DataError(f"The {kind} {quote_path(path)} is empty. Choose a file that holds data.")
    return text
