"""A connection between two ports, drawn as a horizontal S-curve in its data's kind colour."""

from __future__ import annotations

from PySide6.QtCore import QPointF, Qt
from PySide6.QtGui import QColor, QPainter, QPainterPath, QPainterPathStroker, QPen
from PySide6.QtWidgets import QGraphicsItem, QGraphicsPathItem, QStyleOptionGraphicsItem, QWidget

from engine.graph import Edge

from .. import theme
from .hover import HoverHighlight
from .port_item import PortItem


def wire_path(start: QPointF, end: QPointF) -> QPainterPath:
    """A cubic curve leaving `start` to the right and entering `end` from the left."""
    reach = max(abs(end.x() - start.x()) * 0.5, 50.0)
    path = QPainterPath(start)
    path.cubicTo(start + QPointF(reach, 0), end - QPointF(reach, 0), end)
    return path


class EdgeItem(HoverHighlight, QGraphicsPathItem):
    def __init__(self, edge: Edge, source: PortItem, target: PortItem):
        super().__init__()
        self.source, self.target = source, target
        self._hovered = False
        self.setFlag(QGraphicsItem.ItemIsSelectable)
        self.setAcceptHoverEvents(True)
        self.setZValue(-1)
        self.set_edge(edge)
        self.adjust()

    def set_edge(self, edge: Edge) -> None:
        """The document edge this item draws (it changes when a node is renamed)."""
        self.edge = edge
        self.setToolTip(f"{edge.source}.{edge.source_port} → {edge.target}.{edge.target_port}")

    def adjust(self) -> None:
        """Follow the ports after a node moved."""
        self.setPath(wire_path(self.source.scenePos(), self.target.scenePos()))

    def shape(self) -> QPainterPath:
        stroker = QPainterPathStroker()
        stroker.setWidth(12.0)  # easy to click without being pixel-precise
        return stroker.createStroke(self.path())

    def boundingRect(self):
        return super().boundingRect().adjusted(-6, -6, 6, 6)

    def paint(self, painter: QPainter, option: QStyleOptionGraphicsItem, widget: QWidget | None = None) -> None:
        painter.setRenderHint(QPainter.Antialiasing)
        colour = QColor(self.source.kind_color())
        if self.isSelected():
            halo = QColor(theme.COLORS["accent"])
            halo.setAlpha(110)
            painter.setPen(QPen(halo, 7.0, Qt.SolidLine, Qt.RoundCap))
            painter.drawPath(self.path())
        width = 3.2 if self._hovered or self.isSelected() else 2.2
        painter.setPen(QPen(colour.lighter(115) if self._hovered else colour, width, Qt.SolidLine, Qt.RoundCap))
        painter.setBrush(Qt.NoBrush)
        painter.drawPath(self.path())
