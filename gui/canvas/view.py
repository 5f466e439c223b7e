"""CanvasView: the window onto the scene. Zoom on the wheel, pan with the middle button or
space + left drag, a grid behind the nodes, and a drop target for blocks from the palette.
"""

from __future__ import annotations

import math

from PySide6.QtCore import QPoint, QPointF, QRectF, Qt, Signal
from PySide6.QtGui import QPainter, QPen
from PySide6.QtWidgets import QGraphicsView

from .. import theme
from .geometry import GRID

BLOCK_MIME_TYPE = "application/x-recurrent-studio-block"
MIN_ZOOM, MAX_ZOOM = 0.15, 3.0
# The scene is effectively unbounded; a fixed large rect keeps scroll-based panning simple.
_WORLD = QRectF(-50_000, -50_000, 100_000, 100_000)


class CanvasView(QGraphicsView):
    block_dropped = Signal(str, QPointF)  # block type, scene position
    zoom_changed = Signal(float)
    context_menu_requested = Signal(QPointF, QPoint)  # scene position, screen position

    def __init__(self, scene, parent=None):
        super().__init__(scene, parent)
        self.setObjectName("canvas")
        self.setRenderHints(QPainter.Antialiasing | QPainter.TextAntialiasing | QPainter.SmoothPixmapTransform)
        self.setDragMode(QGraphicsView.RubberBandDrag)
        self.setTransformationAnchor(QGraphicsView.AnchorUnderMouse)
        self.setViewportUpdateMode(QGraphicsView.SmartViewportUpdate)
        self.setCacheMode(QGraphicsView.CacheBackground)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarAlwaysOff)
        self.setVerticalScrollBarPolicy(Qt.ScrollBarAlwaysOff)
        self.setSceneRect(_WORLD)
        self.setAcceptDrops(True)
        self._pan_from: QPointF | None = None
        self._space_held = False

    # -- zoom ---------------------------------------------------------------------------
    def zoom(self) -> float:
        return self.transform().m11()

    def set_zoom(self, factor: float) -> None:
        factor = min(max(factor, MIN_ZOOM), MAX_ZOOM)
        self.scale(factor / self.zoom(), factor / self.zoom())
        self.zoom_changed.emit(factor)

    def wheelEvent(self, event) -> None:
        steps = event.angleDelta().y() / 120.0
        if steps:
            self.set_zoom(self.zoom() * math.pow(1.15, steps))
        event.accept()

    def reset_zoom(self) -> None:
        self.set_zoom(1.0)

    def fit_to_content(self, margin: float = 60.0) -> None:
        """Show every node, no closer than 100 % so a small graph is not blown up."""
        rect = self.scene().itemsBoundingRect()
        if rect.isEmpty():
            self.reset_zoom()
            self.centerOn(0, 0)
            return
        self.fitInView(rect.adjusted(-margin, -margin, margin, margin), Qt.KeepAspectRatio)
        self.set_zoom(min(self.zoom(), 1.0))
        self.centerOn(rect.center())

    # -- panning ------------------------------------------------------------------------
    def keyPressEvent(self, event) -> None:
        if event.key() == Qt.Key_Space and not event.isAutoRepeat():
            self._space_held = True
            self.viewport().setCursor(Qt.OpenHandCursor)
            return
        super().keyPressEvent(event)

    def keyReleaseEvent(self, event) -> None:
        if event.key() == Qt.Key_Space and not event.isAutoRepeat():
            self._space_held = False
            self.viewport().unsetCursor()
            return
        super().keyReleaseEvent(event)

    def mousePressEvent(self, event) -> None:
        if event.button() == Qt.MiddleButton or (event.button() == Qt.LeftButton and self._space_held):
            self._pan_from = event.position()
            self.viewport().setCursor(Qt.ClosedHandCursor)
            event.accept()
            return
        super().mousePressEvent(event)

    def mouseMoveEvent(self, event) -> None:
        if self._pan_from is not None:
            delta = event.position() - self._pan_from
            self._pan_from = event.position()
            self.horizontalScrollBar().setValue(self.horizontalScrollBar().value() - round(delta.x()))
            self.verticalScrollBar().setValue(self.verticalScrollBar().value() - round(delta.y()))
            event.accept()
            return
        super().mouseMoveEvent(event)

    def mouseReleaseEvent(self, event) -> None:
        if self._pan_from is not None:
            self._pan_from = None
            if self._space_held:
                self.viewport().setCursor(Qt.OpenHandCursor)
            else:
                self.viewport().unsetCursor()
            event.accept()
            return
        super().mouseReleaseEvent(event)

    # -- the grid -----------------------------------------------------------------------
    def drawBackground(self, painter: QPainter, rect: QRectF) -> None:
        painter.fillRect(rect, theme.color("canvas"))
        if self.zoom() >= 0.45:
            self._draw_grid(painter, rect, GRID, theme.color("grid_minor"))
        self._draw_grid(painter, rect, GRID * 5, theme.color("grid_major"))

    @staticmethod
    def _draw_grid(painter: QPainter, rect: QRectF, step: float, colour) -> None:
        painter.setPen(QPen(colour, 0))  # cosmetic: one pixel at any zoom
        left, top = math.floor(rect.left() / step) * step, math.floor(rect.top() / step) * step
        x = left
        while x < rect.right():
            painter.drawLine(QPointF(x, rect.top()), QPointF(x, rect.bottom()))
            x += step
        y = top
        while y < rect.bottom():
            painter.drawLine(QPointF(rect.left(), y), QPointF(rect.right(), y))
            y += step

    # -- dropping blocks from the palette ----------------------------------------------
    def contextMenuEvent(self, event) -> None:
        self.context_menu_requested.emit(self.mapToScene(event.pos()), event.globalPos())
        event.accept()

    def dragEnterEvent(self, event) -> None:
        if event.mimeData().hasFormat(BLOCK_MIME_TYPE):
            event.acceptProposedAction()
        else:
            super().dragEnterEvent(event)

    def dragMoveEvent(self, event) -> None:
        # Without this override the base class asks the scene, which refuses the drop.
        if event.mimeData().hasFormat(BLOCK_MIME_TYPE):
            event.acceptProposedAction()
        else:
            super().dragMoveEvent(event)

    def dropEvent(self, event) -> None:
        if not event.mimeData().hasFormat(BLOCK_MIME_TYPE):
            super().dropEvent(event)
            return
        type_name = bytes(event.mimeData().data(BLOCK_MIME_TYPE)).decode("utf-8")
        self.block_dropped.emit(type_name, self.mapToScene(event.position().toPoint()))
        event.acceptProposedAction()
