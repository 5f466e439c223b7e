"""Pasting what another program put on the clipboard: hostile text is ignored, never a crash."""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import pytest  # noqa: E402
from PySide6.QtWidgets import QApplication  # noqa: E402

from gui.clipboard import FRAGMENT_FORMAT, fragment_on_clipboard  # noqa: E402


@pytest.mark.parametrize(
    "text",
    [
        '{"format": "%s", "nodes": ' + "[" * 5000 + "]" * 5000 + "}",  # RecursionError in json
        '{"format": "%s", "nodes": [], "edges": [], "x": 1e400}',
        '{"format": "%s", "nodes": [], "edges": [], "x": NaN}',
        '{"format": "%s", "nodes": [], "edges": [], "pad": "' + "x" * 9_000_000 + '"}',
    ],
    ids=["deep", "overflow", "nan", "huge"],
)
def test_hostile_clipboard_text_is_not_a_fragment(qapp, text):
    QApplication.clipboard().setText(text.replace("%s", FRAGMENT_FORMAT, 1))
    assert fragment_on_clipboard() is None
