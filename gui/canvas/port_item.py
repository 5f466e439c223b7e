"""A port on a node: a dot coloured by the kind it carries, with a generous hit area.

Ports are children of their node item. They know which node and port they stand for and
which way data flows; wire gestures (canvas.interactions) start and end on them.
"""

from __future__ import annotations

from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QColor, QPainter, QPainterPath, QPen
from PySide6.QtWidgets import QGraphicsItem, QStyleOptionGraphicsItem, QWidget

from engine.blocks import Port, Shape

from .. import theme
from .geometry import PORT_HIT_RADIUS, PORT_RADIUS
from .hover import HoverHighlight

INPUT, OUTPUT = "input", "output"


class PortItem(HoverHighlight, QGraphicsItem):
    def __init__(self, node_id: str, port: Port, direction: str, parent: QGraphicsItem):
        super().__init__(parent)
        self.node_id, self.port, self.direction = node_id, port, direction
        self._shape: Shape | None = None
        self._connected = False
        self._hovered = self._highlighted = self._refused = False
        self.setAcceptHoverEvents(True)
        self.setCursor(Qt.CrossCursor)
        self._refresh_tooltip()

    @property
    def name(self) -> str:
        return self.port.name

    def set_inferred_shape(self, shape: Shape | None) -> None:
        if shape != self._shape:
            self._shape = shape
            self._refresh_tooltip()
            self.update()

    def set_connected(self, connected: bool) -> None:
        if connected != self._connected:
            self._connected = connected
            self.update()

    def set_highlighted(self, highlighted: bool, refused: bool = False) -> None:
        """Shown while a wire is dragged over this port; red when it would be refused."""
        if (highlighted, refused) != (self._highlighted, self._refused):
            self._highlighted, self._refused = highlighted, refused
            self.update()

    def kind_color(self):
        return theme.port_color(self.port.kinds, self._shape.kind if self._shape else None)

    def boundingRect(self) -> QRectF:
        r = PORT_HIT_RADIUS
        return QRectF(-r, -r, 2 * r, 2 * r)

    def shape(self) -> QPainterPath:
        path = QPainterPath()
        path.addEllipse(QPointF(0, 0), PORT_HIT_RADIUS, PORT_HIT_RADIUS)
        return path

    def paint(self, painter: QPainter, option: QStyleOptionGraphicsItem, widget: QWidget | None = None) -> None:
        radius = PORT_RADIUS + (1.8 if self._hovered or self._highlighted else 0.0)
        colour = self.kind_color()
        painter.setRenderHint(QPainter.Antialiasing)
        if self._highlighted:
            halo = theme.color("error") if self._refused else QColor(colour)
            halo.setAlpha(90)
            painter.setPen(Qt.NoPen)
            painter.setBrush(halo)
            painter.drawEllipse(QPointF(0, 0), PORT_HIT_RADIUS - 1, PORT_HIT_RADIUS - 1)
        painter.setPen(QPen(colour if not self._connected else theme.color("node_body"), 2.0))
        painter.setBrush(colour if self._connected or self._hovered else theme.color("node_body"))
        painter.drawEllipse(QPointF(0, 0), radius, radius)

    def _refresh_tooltip(self) -> None:
        kinds = " or ".join(self.port.kinds)
        role = "Input" if self.direction == INPUT else "Output"
        lines = [f"<b>{role} '{self.port.name}'</b> — {kinds}"]
        if self.port.help:
            lines.append(self.port.help)
        lines.append(f"Now: {self._shape.describe()}" if self._shape else "Shape not known yet")
        lines.append("<i>Drag to another port to connect.</i>")
        self.setToolTip("<br>".join(lines))
