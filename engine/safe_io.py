"""Reading files that may be hostile: only regular files, only a bounded number of bytes.

Every reader of a user-supplied file (projects, data files, run folders) opens it through
`open_regular`, which refuses pipes, devices, folders and symbolic-link loops *before* a
single byte is read and, optionally, files over a size limit. The check is made on the open
descriptor (fstat), so a path swapped between check and read cannot slip through, and a FIFO
is opened non-blocking so it can never hang the caller.

`read_limited` and `iter_lines` never read more than their budget, even from a file that
grows while it is read. `quote` puts an untrusted value into a one-line message: at most
~80 characters, control characters and terminal escapes shown escaped, huge integers
described rather than printed.

Errors are `FileRefusedError`, a ValueError whose message is one line naming the file and
saying what to do; callers re-raise it as their own error type (DataError, ProjectFileError).
"""

from __future__ import annotations

import errno
import os
import reprlib
import stat
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, BinaryIO

from .errors import UserError

QUOTE_LIMIT = 80

_CONTROL_ESCAPES = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}


class FileRefusedError(UserError, ValueError):
    """A file that is not read: not a regular file, too large, unreadable. One line."""

    def __init__(self, path: Path | str, message: str):
        self.path = Path(path)
        super().__init__(message)


def format_bytes(count: int) -> str:
    """A byte count in words a person reads at a glance: '512 bytes', '3.2 MB', '2.1 GB'."""
    if count < 1000:
        return f"{count} bytes"
    for unit in ("kB", "MB", "GB", "TB"):
        count /= 1000
        if count < 1000 or unit == "TB":
            return f"{count:.1f} {unit}"
    raise AssertionError("unreachable")


def _escape_char(char: str) -> str:
    # Control characters (newlines, ESC of terminal codes, DEL, C1) would break a one-line
    # message or drive the terminal; show them as escapes instead.
    code = ord(char)
    if char in _CONTROL_ESCAPES:
        return _CONTROL_ESCAPES[char]
    if code < 0x20 or 0x7F <= code < 0xA0:
        return f"\\x{code:02x}"
    if char in "\u2028\u2029":
        return f"\\u{code:04x}"
    return char


def _escape(text: str) -> str:
    return "".join(_escape_char(char) for char in text)


def _escape_cut(text: str, limit: int) -> tuple[str, bool]:
    """`text` escaped and cut to at most `limit` characters (never inside an escape)."""
    out, length = [], 0
    for char in text:
        piece = _escape_char(char)
        if length + len(piece) > limit:
            return "".join(out), True
        out.append(piece)
        length += len(piece)
    return "".join(out), False


_REPR = reprlib.Repr()
_REPR.maxstring = QUOTE_LIMIT
_REPR.maxother = QUOTE_LIMIT
_REPR.maxlevel = 3


def quote(value: Any, limit: int = QUOTE_LIMIT) -> str:
    """`value` shown safely inside a one-line message: bounded length, control chars escaped.

    Strings are shown in quotes; a string over the limit is cut and its length given.
    Integers too long to print (Python refuses str() past 4,300 digits) are described.
    """
    if isinstance(value, bool) or value is None:
        return str(value).lower() if value is not None else "null"
    if isinstance(value, int):
        if value.bit_length() > 3 * limit:  # about limit digits: described, not printed
            return f"an integer of about {int(value.bit_length() * 0.30103) + 1} digits"
        text = str(value)
    elif isinstance(value, str):
        shown, cut = _escape_cut(value[: limit + 1], limit)
        if not cut:
            return f"'{shown}'"
        shown, _ = _escape_cut(value[:limit], limit - 1)
        return f"'{shown}…' ({len(value)} characters)"
    else:
        text = _REPR.repr(value)
    text = _escape(text)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def one_line(message: str, limit: int = 1000) -> str:
    """`message` made safe to show: control characters escaped, at most `limit` characters.

    The last line of defence for messages built from untrusted text that was not quoted.
    """
    shown, cut = _escape_cut(message, limit)
    return shown[: limit - 1] + "…" if cut else shown


def quote_path(path: Path | str, limit: int = 160) -> str:
    """A path for a message: escaped, and if long, its start and its end around '…'."""
    text = _escape(str(path))
    if len(text) <= limit:
        return f"'{text}'"
    half = (limit - 1) // 2
    return f"'{text[:half]}…{text[-half:]}'"


def _kind_of(mode: int) -> str | None:
    """What a non-regular file is, in words; None for a regular file."""
    if stat.S_ISREG(mode):
        return None
    if stat.S_ISDIR(mode):
        return "a folder"
    if stat.S_ISFIFO(mode):
        return "a pipe (FIFO)"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "a device"
    if stat.S_ISSOCK(mode):
        return "a socket"
    return "not a regular file"


def _open_error(path: Path, what: str, error: OSError) -> FileRefusedError:
    shown = quote_path(path)
    if error.errno == errno.ENOENT:
        return FileRefusedError(path, f"The {what} {shown} does not exist. Check the path.")
    if error.errno == errno.ELOOP:
        return FileRefusedError(path, f"The {what} {shown} is a symbolic link loop; point it at a real file.")
    if error.errno == errno.EISDIR:
        return FileRefusedError(path, f"The {what} {shown} is a folder, not a file. Choose a file inside it.")
    if error.errno in (errno.EACCES, errno.EPERM):
        return FileRefusedError(path, f"The {what} {shown} cannot be read: permission denied.")
    if error.errno == errno.ENAMETOOLONG:
        return FileRefusedError(path, f"The {what} path {shown} is too long for this system.")
    reason = error.strerror or type(error).__name__
    return FileRefusedError(path, f"The {what} {shown} cannot be read ({reason}).")


def check_regular(path: Path | str, what: str, max_bytes: int | None = None) -> os.stat_result:
    """Stat `path` (following links) and refuse anything but a regular file within max_bytes."""
    path = Path(path)
    try:
        info = os.stat(path)
    except (OSError, ValueError) as error:  # ValueError: a NUL byte in the path
        if isinstance(error, ValueError):
            raise FileRefusedError(path, f"The {what} path {quote_path(path)} is not a valid path.") from None
        raise _open_error(path, what, error) from None
    _refuse_irregular(path, what, info, max_bytes)
    return info


def _refuse_irregular(path: Path, what: str, info: os.stat_result, max_bytes: int | None) -> None:
    kind = _kind_of(info.st_mode)
    if kind == "a folder":
        raise FileRefusedError(path, f"The {what} {quote_path(path)} is a folder, not a file. Choose a file inside it.")
    if kind:
        raise FileRefusedError(path, f"The {what} {quote_path(path)} is {kind}, not a regular file; choose a file.")
    if max_bytes is not None and info.st_size > max_bytes:
        raise FileRefusedError(
            path,
            f"The {what} {quote_path(path)} is {format_bytes(info.st_size)}; the limit is {format_bytes(max_bytes)}.",
        )


@contextmanager
def open_regular(path: Path | str, what: str, max_bytes: int | None = None) -> Iterator[BinaryIO]:
    """Open `path` for binary reading if, and only if, it is a regular file within max_bytes.

    Non-blocking open: a FIFO is refused instead of waiting for a writer forever.
    """
    path = Path(path)
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0)
    try:
        descriptor = os.open(path, flags)
    except ValueError:
        raise FileRefusedError(path, f"The {what} path {quote_path(path)} is not a valid path.") from None
    except OSError as error:
        raise _open_error(path, what, error) from None
    try:
        _refuse_irregular(path, what, os.fstat(descriptor), max_bytes)
        if hasattr(os, "set_blocking"):
            os.set_blocking(descriptor, True)
        stream = os.fdopen(descriptor, "rb")
    except BaseException:
        os.close(descriptor)
        raise
    with stream:
        yield stream


def read_limited(path: Path | str, what: str, limit: int, *, refuse_larger: bool = True) -> bytes:
    """At most `limit` bytes of a regular file.

    refuse_larger=True: a larger file is refused with its size and the limit (a project
    file, a run's JSON). False: the first `limit` bytes are returned (a preview, a sample).
    """
    with open_regular(path, what, limit if refuse_larger else None) as stream:
        data = stream.read(limit + 1)
    if len(data) > limit:
        if refuse_larger:  # grew after the size check
            raise FileRefusedError(path, f"The {what} {quote_path(path)} is over {format_bytes(limit)}, the limit.")
        data = data[:limit]
    return data


def iter_lines(stream: BinaryIO, path: Path | str, what: str, budget: int, max_line: int) -> Iterator[bytes]:
    """The lines of an open binary stream, within a total byte budget and a line length limit.

    A line longer than max_line, or more than `budget` bytes in all, is refused with the line
    number, so a file without newlines (or /dev/zero behind a link) never fills memory.
    """
    used = 0
    number = 0
    while True:
        line = stream.readline(max_line + 1)
        if not line:
            return
        number += 1
        if len(line) > max_line and not line.endswith(b"\n"):
            raise FileRefusedError(
                path,
                f"Line {number} of the {what} {quote_path(path)} is longer than {format_bytes(max_line)}; "
                "is it the right file?",
            )
        used += len(line)
        if used > budget:
            raise FileRefusedError(
                path, f"The {what} {quote_path(path)} is larger than {format_bytes(budget)}, the limit for this file."
            )
        yield line
