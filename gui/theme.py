"""The calm dark theme: every colour the GUI paints with, and the style sheet applied.

Colours live here only; resources/style.qss refers to them as $names, so the palette,
canvas and panels cannot drift apart.
"""

from __future__ import annotations

from string import Template

from PySide6.QtGui import QColor, QFont, QPalette
from PySide6.QtWidgets import QApplication

from engine.blocks.categories import CATEGORY_COLOURS

from . import paths

COLORS = {
    "canvas": "#17191e",
    "grid_minor": "#1e2128",
    "grid_major": "#262a32",
    "window": "#1e2127",
    "panel": "#23262d",
    "raised": "#2c3039",
    "raised_hover": "#343945",
    "border": "#363b47",
    "text": "#d8dce3",
    "text_dim": "#8e96a3",
    "accent": "#5aa2ff",
    "selection": "#2f4a6e",
    "error": "#ef5b5b",
    "warning": "#f0a33a",
    "ok": "#56c28a",
    "node_body": "#272a32",
    "node_footer": "#21242b",
}

PORT_KIND_COLORS = {
    "sequence": "#4cc3e6",
    "vector": "#f2c14e",
    "tokens": "#a7d863",
}
# A port that accepts several kinds and has received none yet.
UNDECIDED_PORT_COLOR = "#aab2bf"


def color(name: str) -> QColor:
    return QColor(COLORS[name])


def category_color(category: str) -> QColor:
    """A block category's colour, which the engine's catalogue declares."""
    return QColor(CATEGORY_COLOURS.get(category, COLORS["text_dim"]))


def port_color(kinds: tuple[str, ...], known_kind: str | None = None) -> QColor:
    """The colour of a port: its inferred kind when known, else its only kind, else neutral."""
    if known_kind is not None:
        return QColor(PORT_KIND_COLORS[known_kind])
    if len(kinds) == 1:
        return QColor(PORT_KIND_COLORS[kinds[0]])
    return QColor(UNDECIDED_PORT_COLOR)


def apply_theme(app: QApplication) -> None:
    app.setStyle("Fusion")
    app.setPalette(_dark_palette())
    font = QFont(app.font())
    font.setPointSizeF(max(font.pointSizeF(), 9.5))
    app.setFont(font)
    app.setStyleSheet(style_sheet())


def style_sheet() -> str:
    template = Template(paths.STYLE_SHEET.read_text(encoding="utf-8"))
    return template.substitute(COLORS, ui_icons=paths.UI_ICONS.as_posix())


def _dark_palette() -> QPalette:
    palette = QPalette()
    roles = {
        QPalette.Window: "window",
        QPalette.WindowText: "text",
        QPalette.Base: "raised",
        QPalette.AlternateBase: "panel",
        QPalette.Text: "text",
        QPalette.Button: "raised",
        QPalette.ButtonText: "text",
        QPalette.Highlight: "selection",
        QPalette.HighlightedText: "text",
        QPalette.ToolTipBase: "raised",
        QPalette.ToolTipText: "text",
        QPalette.PlaceholderText: "text_dim",
        QPalette.Link: "accent",
    }
    for role, name in roles.items():
        palette.setColor(role, color(name))
    for role in (QPalette.Text, QPalette.ButtonText, QPalette.WindowText):
        palette.setColor(QPalette.Disabled, role, color("text_dim"))
    return palette
