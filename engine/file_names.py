"""The one place that turns free text (a project name) into part of a file or folder name.

The result is valid on Linux, macOS and Windows: letters and digits of any script, '-' and
'_' are kept, everything else becomes '_'; no leading or trailing dots, spaces or
underscores; never a name Windows reserves (CON, NUL, COM1, ...). It is cut by UTF-8 *bytes*
(file systems limit bytes, not characters: 240 Greek letters are 480 bytes), never inside a
character, so a stamp and a suffix can be added and the whole stays under 255 bytes.
"""

from __future__ import annotations

import re
import unicodedata

MAX_STEM_BYTES = 80

_WINDOWS_RESERVED = frozenset(
    ["CON", "PRN", "AUX", "NUL"] + [f"COM{i}" for i in range(1, 10)] + [f"LPT{i}" for i in range(1, 10)]
)


def cut_to_bytes(text: str, limit: int) -> str:
    """`text` cut to at most `limit` UTF-8 bytes, never inside a character."""
    encoded = text.encode("utf-8")[:limit]
    return encoded.decode("utf-8", "ignore")  # drops a character cut in half


def safe_stem(name: str, fallback: str = "run", max_bytes: int = MAX_STEM_BYTES) -> str:
    """`name` as a file-name part: portable characters only, at most `max_bytes` UTF-8 bytes."""
    # NFC: macOS stores decomposed names; composing first keeps 'é' one letter, not 'e' + '_'.
    text = unicodedata.normalize("NFC", name)
    text = "".join(char if char.isalnum() or char in "-_" else "_" for char in text)
    text = re.sub(r"_{2,}", "_", text)
    text = cut_to_bytes(text, max_bytes).strip("_-")
    if not text:
        return fallback
    if text.upper() in _WINDOWS_RESERVED:
        text += "_"
    return text
