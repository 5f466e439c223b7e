"""Block icons: the category-coloured tile with the block's white SVG glyph on it.

The same pixmaps appear in the palette and on canvas nodes, so a block looks the same in
both places. Pixmaps are rendered once per (type, size) and cached.
"""

from __future__ import annotations

from functools import cache, lru_cache

from PySide6.QtCore import QRectF, Qt
from PySide6.QtGui import QColor, QIcon, QPainter, QPixmap
from PySide6.QtSvg import QSvgRenderer

from engine.blocks import get_spec

from . import paths
from .theme import category_color


@cache
def block_pixmap(type_name: str, size: int, device_pixel_ratio: float = 2.0) -> QPixmap:
    """A rounded tile `size` logical pixels wide, rendered at `device_pixel_ratio`."""
    pixels = round(size * device_pixel_ratio)
    pixmap = QPixmap(pixels, pixels)
    pixmap.fill(Qt.transparent)
    painter = QPainter(pixmap)
    painter.setRenderHint(QPainter.Antialiasing)
    tile = QRectF(0, 0, pixels, pixels)
    painter.setPen(Qt.NoPen)
    painter.setBrush(category_color(get_spec(type_name).category))
    painter.drawRoundedRect(tile, pixels * 0.22, pixels * 0.22)
    _render_glyph(painter, type_name, tile.adjusted(pixels * 0.14, pixels * 0.14, -pixels * 0.14, -pixels * 0.14))
    painter.end()
    pixmap.setDevicePixelRatio(device_pixel_ratio)
    return pixmap


def _render_glyph(painter: QPainter, type_name: str, area: QRectF) -> None:
    path = paths.block_icon_path(type_name)
    if path.exists():
        QSvgRenderer(str(path)).render(painter, area)
        return
    # A block type added without an icon still gets a readable tile: its initial.
    painter.setPen(QColor("#f4f6fa"))
    font = painter.font()
    font.setPixelSize(int(area.height() * 0.8))
    font.setBold(True)
    painter.setFont(font)
    painter.drawText(area, Qt.AlignCenter, type_name[:1])


@lru_cache(maxsize=1)
def app_icon() -> QIcon:
    return QIcon(str(paths.APP_ICON))


@cache
def action_icon(name: str) -> QIcon:
    return QIcon(str(paths.action_icon_path(name)))
