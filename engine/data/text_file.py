"""User task: a character language model trained on the user's own plain-text file.

The text is split chronologically: the first (1 - split) of its characters give training
windows and the last part validation windows, so no window spans both. The vocabulary is
every distinct character of the whole file, sorted. The seed is unused: nothing is random.

The file is read whole, so it is limited to files.MAX_TEXT_BYTES (a larger one is refused at
once, from its size). Validation needs only the character count and the vocabulary; they are
remembered per file version (size, modification time), so re-validating after every edit
does not re-read the file.
"""

from __future__ import annotations

import os
from functools import lru_cache
from pathlib import Path

import numpy as np

from ..safe_io import format_bytes, quote_path
from .base import DataError, Dataset, DataSignature, Param, Params, TaskSpec
from .chars import char_windows, encode, vocabulary_of, window_count
from .files import SAMPLE_TEXT, read_text, read_text_head, resolve_path
from .sampling import MAX_ELEMENTS, make_dataset

KIND = "text file"


def text_preview(path: Path | str, lines: int = 10) -> list[str]:
    """The first `lines` lines of a text file (without line ends), or DataError."""
    return read_text_head(path, KIND).split("\n")[:lines]


def _load_text_at(path: Path, length: int) -> str:
    text = read_text(path, KIND)
    if len(text) < length + 1:
        raise DataError(
            f"The text file {quote_path(path)} has {len(text)} characters, but one sample needs "
            f"length + 1 = {length + 1}. Use a longer file or a smaller length."
        )
    return text


def _split_point(path: Path, n_chars: int, p: Params) -> int:
    cut = round(n_chars * (1 - p["split"]))
    need = p["length"] + 1
    if cut < need or n_chars - cut < need:
        raise DataError(
            f"Splitting the {n_chars} characters of {quote_path(path)} at {1 - p['split']:.0%} leaves "
            f"{cut} for training and {n_chars - cut} for validation; each part needs at least "
            f"length + 1 = {need}. Use a smaller length, a split nearer 0.5, or a longer file."
        )
    return cut


def _signature_from(vocab: int, p: Params) -> DataSignature:
    return DataSignature("tokens", None, vocab, p["length"], "tokens", vocab, "accuracy")


def _text_facts(path: Path, length: int) -> tuple[int, int]:
    """(characters, distinct characters) of a text file; DataError if unusable."""
    text = _load_text_at(path, length)
    return len(text), _distinct_characters(text)


def _distinct_characters(text: str) -> int:
    """len(vocabulary_of(text)), fast for ASCII: a byte count instead of a set of 30M characters."""
    if text.isascii():
        return int(np.count_nonzero(np.bincount(np.frombuffer(text.encode("ascii"), np.uint8), minlength=128)))
    return len(vocabulary_of(text))


# Keyed on the file's size and modification time as well, so an edited file is re-read.
_cached_text_facts = lru_cache(maxsize=8)(lambda path, length, size, mtime_ns: _text_facts(path, length))


def _signature(p: Params, base_dir: Path | None) -> DataSignature:
    path = resolve_path(p["path"], base_dir, SAMPLE_TEXT)
    try:
        info = os.stat(path)
    except (OSError, ValueError):  # reading says what is wrong with the path, in the usual words
        n_chars, vocab = _text_facts(path, p["length"])
    else:
        n_chars, vocab = _cached_text_facts(path, p["length"], info.st_size, info.st_mtime_ns)
    _check_windowed_size(path, n_chars, _split_point(path, n_chars, p), p)
    return _signature_from(vocab, p)


def _check_windowed_size(path: Path, n_chars: int, cut: int, p: Params) -> None:
    """DataError if the windows (x and y, int64) would not fit: stride 1 copies each character
    2 × length times, so a 30 MB text can become gigabytes."""
    windows = window_count(cut, p["length"], p["stride"]) + window_count(n_chars - cut, p["length"], p["stride"])
    numbers = windows * 2 * p["length"]
    if numbers > MAX_ELEMENTS:
        raise DataError(
            f"Windowing the {n_chars:,} characters of {quote_path(path)} gives {windows:,} windows of "
            f"{p['length']}, about {format_bytes(numbers * 8)} of data; the limit is "
            f"{format_bytes(MAX_ELEMENTS * 8)}. Raise the stride, lower the length or use a shorter file."
        )


def _build(p: Params, base_dir: Path | None, seed: int) -> Dataset:
    path = resolve_path(p["path"], base_dir, SAMPLE_TEXT)
    text = _load_text_at(path, p["length"])
    cut = _split_point(path, len(text), p)
    _check_windowed_size(path, len(text), cut, p)
    vocabulary = vocabulary_of(text)
    codes = encode(text, vocabulary)
    train = char_windows(codes[:cut], p["length"], p["stride"])
    val = char_windows(codes[cut:], p["length"], p["stride"])
    return make_dataset(
        _signature_from(len(vocabulary), p),
        train,
        val,
        vocabulary=vocabulary,
        description=(
            f"Character model on '{path.name}': {len(text)} characters, {len(vocabulary)} "
            f"distinct; {len(train[0])} training and {len(val[0])} validation windows of "
            f"{p['length']}."
        ),
    )


TEXT_FILE = TaskSpec(
    name="text",
    title="Character language model (your text file)",
    description="Predict the next character of a plain-text (UTF-8) file you choose.",
    params=(
        Param(
            "path",
            "path",
            "",
            help="Plain-text UTF-8 file; relative paths start at the project's folder. Empty: the bundled sample text.",
        ),
        Param("length", "int", 64, 4, 4096, help="Characters per training window."),
        Param(
            "stride",
            "int",
            32,
            1,
            4096,
            help="Characters between the starts of consecutive windows; less than length "
            "gives overlapping windows and more samples.",
        ),
        Param(
            "split",
            "float",
            0.1,
            0.01,
            0.5,
            help="Fraction of the text, taken from its end, used for validation.",
        ),
    ),
    signature_fn=_signature,
    build_fn=_build,
)
