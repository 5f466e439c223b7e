"""Attacks on the bounded readers: non-regular files, size limits, hostile values in messages."""

from __future__ import annotations

import io
import os
import sys

import pytest

from engine import strict_json
from engine.safe_io import FileRefusedError, check_regular, iter_lines, open_regular, quote, read_limited

posix_only = pytest.mark.skipif(sys.platform == "win32", reason="FIFOs and /dev/zero are POSIX")


def _refusal(path, **kwargs) -> str:
    with pytest.raises(FileRefusedError) as caught:
        with open_regular(path, "data file", **kwargs):
            pass
    message = str(caught.value)
    assert "\n" not in message
    return message


@posix_only
def test_fifo_is_refused_without_blocking(tmp_path):
    fifo = tmp_path / "pipe.csv"
    os.mkfifo(fifo)
    assert "pipe (FIFO)" in _refusal(fifo)  # a blocking open would hang here forever


@posix_only
def test_device_is_refused():
    assert "device" in _refusal("/dev/zero")


def test_folder_missing_file_and_symlink_loop_are_refused(tmp_path):
    assert "folder" in _refusal(tmp_path)
    assert "does not exist" in _refusal(tmp_path / "absent.csv")
    loop = tmp_path / "loop.csv"
    try:
        loop.symlink_to(loop)
    except OSError:
        pytest.skip("symbolic links not available")
    assert "symbolic link loop" in _refusal(loop)


def test_size_limit_names_size_and_limit(tmp_path):
    path = tmp_path / "big.rsproj"
    path.write_bytes(b"x" * 5000)
    message = _refusal(path, max_bytes=1000)
    assert "5.0 kB" in message and "1.0 kB" in message
    with pytest.raises(FileRefusedError):
        check_regular(path, "project file", 1000)
    assert read_limited(path, "data file", 10, refuse_larger=False) == b"x" * 10
    with pytest.raises(FileRefusedError):
        read_limited(path, "project file", 10)


def test_iter_lines_stops_at_line_length_and_budget():
    lines = list(iter_lines(io.BytesIO(b"a\nbb\n"), "f", "data file", budget=100, max_line=10))
    assert lines == [b"a\n", b"bb\n"]
    with pytest.raises(FileRefusedError, match="Line 2"):
        list(iter_lines(io.BytesIO(b"a\n" + b"b" * 50), "f", "data file", budget=100, max_line=10))
    with pytest.raises(FileRefusedError, match="larger than"):
        list(iter_lines(io.BytesIO(b"abc\n" * 50), "f", "data file", budget=100, max_line=10))


def test_quote_is_short_single_line_and_escapes_terminal_codes():
    hostile = "\x1b[2J\nrm -rf /\r" * 100_000
    shown = quote(hostile)
    assert len(shown) < 120 and "\n" not in shown and "\x1b" not in shown and "\r" not in shown
    assert "\\x1b" in shown and "characters" in shown
    assert quote("ok") == "'ok'"
    assert "digits" in quote(10**5000)  # str() of it would raise ValueError
    assert quote(float("nan")) == "nan"


@pytest.mark.parametrize(
    "text, words",
    [
        ('{"a": NaN}', "NaN"),
        ('{"a": -Infinity}', "Infinity"),
        ('{"a": 1e400}', "too large"),
        ('{"a": ' + "9" * 5000 + "}", "5000 digits"),
        ("[" * 1000 + "]" * 1000, "levels deep"),
        ("[" * 70 + "]" * 70, "levels deep"),
        ('{"a": 1', "line 1"),
    ],
)
def test_strict_json_refuses_what_python_accepts(text, words):
    with pytest.raises(strict_json.StrictJSONError, match=words):
        strict_json.loads(text)


def test_strict_json_locates_the_bad_literal_outside_strings():
    with pytest.raises(strict_json.StrictJSONError) as caught:
        strict_json.loads('{"name": "NaN",\n  "lr": NaN}')
    assert (caught.value.line, caught.value.column) == (2, 9)


def test_strict_json_writes_null_for_non_finite():
    assert strict_json.dumps({"a": float("nan"), "b": [float("inf"), 1.5]}) == '{"a": null, "b": [null, 1.5]}'
    assert strict_json.loads('{"a": [1, 2.5, "x"]}') == {"a": [1, 2.5, "x"]}
