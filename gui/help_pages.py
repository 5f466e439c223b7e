"""Help ▸ Getting Started (docs/getting-started.md) and Help ▸ Keyboard Shortcuts (read from
the window's own actions, so the list cannot go stale)."""

from __future__ import annotations

from html import escape

from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QDialog, QDialogButtonBox, QTextBrowser, QVBoxLayout

from . import paths


def shortcut_rows(window) -> list[tuple[str, str]]:
    """(action, shortcuts) for every action of the window that has a shortcut, by menu text."""
    rows = {}
    for action in window.findChildren(QAction):
        keys = [key.toString(QKeySequence.NativeText) for key in action.shortcuts()]
        text = action.text().replace("&", "").rstrip("…")
        if keys and text:
            rows[text] = ", ".join(keys)
    return sorted(rows.items())


class TextPage(QDialog):
    def __init__(self, parent, title: str, object_name: str):
        super().__init__(parent)
        self.setWindowTitle(title)
        self.setObjectName(object_name)
        self.resize(620, 640)
        self.browser = QTextBrowser(openExternalLinks=True)
        buttons = QDialogButtonBox(QDialogButtonBox.Close)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.browser)
        layout.addWidget(buttons)


def getting_started(parent) -> TextPage:
    page = TextPage(parent, "Getting started", "gettingStarted")
    page.browser.setMarkdown(paths.GETTING_STARTED.read_text(encoding="utf-8"))
    return page


def keyboard_shortcuts(window) -> TextPage:
    page = TextPage(window, "Keyboard shortcuts", "keyboardShortcuts")
    rows = "".join(
        f"<tr><td>{escape(action)}</td><td><b>{escape(keys)}</b></td></tr>" for action, keys in shortcut_rows(window)
    )
    extra = (
        "<tr><td>Pan</td><td><b>middle-drag, or Space + drag</b></td></tr>"
        "<tr><td>Zoom</td><td><b>mouse wheel</b></td></tr>"
        "<tr><td>Menus for a block, wire, port or the canvas</td><td><b>right-click</b></td></tr>"
    )
    page.browser.setHtml(f"<table cellpadding='4'>{rows}{extra}</table>")
    return page
