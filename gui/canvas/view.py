"""CanvasView: the window onto the scene. Zoom on the wheel, pan with the middle button or
space + left drag, a grid behind the nodes, and a drop target for blocks from the palette.
"""

from __future__ import annotations

import math

from PySide6.QtCore import QPoint, QPointF, QRectF, Qt, Signal
from PySide6.QtGui import QPainter, QPen
from PySide6.QtWidgets import QGraphicsView, QLabel

from .. import theme
from .geometry import GRID

BLOCK_MIME_TYPE = "application/x-recurrent-studio-block"
MIN_ZOOM, MAX_ZOOM = 0.15, 3.0
# The scene is effectively unbounded; a fixed large rect keeps scroll-based panning simple.
_WORLD = QRectF(-50_000, -50_000, 100_000, 100_000)
EMPTY_HINT = (
    "An empty model. Drag blocks from the palette on the left onto the canvas (or right-click "
    "here: Add Block Here), then drag from a block's output port to another's input port to "
    "connect them. File ▸ New… offers examples and a model made for your data file."
)


class CanvasView(QGraphicsView):
    block_dropped = Signal(str, QPointF)  # what was dropped (a block type or primitive), scene position
    zoom_changed = Signal(float)
    context_menu_requested = Signal(QPointF, QPoint)  # scene position, screen position
    node_double_clicked = Signal(str)  # a block's id: open its cell (gui.cell_editor)

    def __init__(self, scene, parent=None, mime_type: str = BLOCK_MIME_TYPE):
        super().__init__(scene, parent)
        self.setObjectName("canvas")
        self.mime_type = mime_type  # what the palette's drags carry: a block type, or a cell primitive
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
        self._hint: QLabel | None = None
        self._legend: QLabel | None = None

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

    def mouseDoubleClickEvent(self, event) -> None:
        item = self.itemAt(event.position().toPoint())
        while item is not None and not hasattr(item, "node_id"):  # a node card, its port or label
            item = item.parentItem()
        if item is not None and event.button() == Qt.LeftButton:
            self.node_double_clicked.emit(item.node_id)
            event.accept()
            return
        super().mouseDoubleClickEvent(event)

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

    # -- the empty-canvas hint ----------------------------------------------------------
    def set_empty(self, empty: bool) -> None:
        """On an empty canvas, say how to begin (a label over the viewport, not a scene item:
        it must not move with pan and zoom, nor count in fit-to-view)."""
        if self._hint is None:
            self._hint = QLabel(EMPTY_HINT, self.viewport(), objectName="canvasHint", alignment=Qt.AlignCenter)
            self._hint.setWordWrap(True)
            self._hint.setStyleSheet(f"color: {theme.COLORS['text_dim']}; font-size: 11pt; background: transparent")
            self._hint.setAttribute(Qt.WA_TransparentForMouseEvents)
        self._hint.setVisible(empty)
        self._place_hint()

    def set_legend(self, html: str) -> None:
        """The port-kind colours, in the canvas's bottom-left corner."""
        self._legend = QLabel(html, self.viewport(), objectName="dim")
        self._legend.setAttribute(Qt.WA_TransparentForMouseEvents)
        self._legend.setStyleSheet("background: transparent")
        self._legend.adjustSize()
        self._place_hint()

    def _place_hint(self) -> None:
        if self._legend is not None:
            self._legend.move(10, self.viewport().height() - self._legend.height() - 8)
        if self._hint is not None:
            area = self.viewport().rect()
            width = min(520, area.width() - 40)
            self._hint.setFixedWidth(max(width, 100))
            self._hint.adjustSize()
            self._hint.move((area.width() - self._hint.width()) // 2, (area.height() - self._hint.height()) // 2)

    def resizeEvent(self, event) -> None:
        super().resizeEvent(event)
        self._place_hint()

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
        if event.mimeData().hasFormat(self.mime_type):
            event.acceptProposedAction()
        else:
            super().dragEnterEvent(event)

    def dragMoveEvent(self, event) -> None:
        # Without this override the base class asks the scene, which refuses the drop.
        if event.mimeData().hasFormat(self.mime_type):
            event.acceptProposedAction()
        else:
            super().dragMoveEvent(event)

    def dropEvent(self, event) -> None:
        if not event.mimeData().hasFormat(self.mime_type):
            super().dropEvent(event)
            return
        type_name = bytes(event.mimeData().data(self.mime_type)).decode("utf-8")
        self.block_dropped.emit(type_name, self.mapToScene(event.position().toPoint()))
        event.acceptProposedAction()
