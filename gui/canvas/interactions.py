"""Mouse gestures on the canvas that are more than a click: dragging a wire.

A `LinkDrag` starts on a port. From an output (or a free input) it draws a new wire that
follows the mouse; over a port or node it snaps to the port it would use and says at once
whether the document would accept the connection. From a connected input it picks that
wire up: drop it on another input to reconnect, or on empty canvas to disconnect. The
gesture only asks a `LinkHandler` (the editor) to edit; the scene follows the document.
`WireGestures` gives a scene these gestures: the model's canvas and the cell editor's both.
"""

from __future__ import annotations

from typing import Protocol

from PySide6.QtCore import QPoint, QPointF, Qt
from PySide6.QtGui import QColor, QPen
from PySide6.QtWidgets import QGraphicsPathItem, QToolTip

from engine.graph import Edge

from .. import theme
from .edge_item import EdgeItem, wire_path
from .port_item import INPUT, OUTPUT, PortItem


class LinkHandler(Protocol):
    def connection_problem(self, edge: Edge) -> str | None: ...
    def connect_ports(self, edge: Edge) -> str | None: ...
    def reconnect(self, old: Edge, new: Edge) -> str | None: ...
    def disconnect(self, edge: Edge) -> None: ...


class LinkDrag:
    def __init__(self, scene, anchor: PortItem, handler: LinkHandler, picked: EdgeItem | None = None):
        self._scene, self._anchor, self._handler, self._picked = scene, anchor, handler, picked
        self._wanted = INPUT if anchor.direction == OUTPUT else OUTPUT
        self._target: PortItem | None = None
        self._problem: str | None = None
        self._curve = QGraphicsPathItem()
        self._curve.setZValue(10)
        scene.addItem(self._curve)
        if picked is not None:
            picked.hide()

    def move(self, pos: QPointF, screen_pos: QPoint | None = None) -> None:
        target = self._scene.port_for_link(pos, self._wanted, self._anchor.node_id)
        if target is not self._target:
            self._retarget(target, screen_pos)
        end = target.scenePos() if target else pos
        start = self._anchor.scenePos()
        self._curve.setPath(wire_path(start, end) if self._anchor.direction == OUTPUT else wire_path(end, start))
        self._curve.setPen(self._pen())

    def finish(self, pos: QPointF) -> None:
        self.move(pos)
        self._clear()
        message = self._apply()
        if message:
            self._scene.feedback.emit(f"Cannot connect: {message}")
            if self._picked is None and self._target is not None:
                self._scene.connection_refused.emit(self._edge_to(self._target), message)

    def cancel(self) -> None:
        self._clear()
        if self._picked is not None:
            self._picked.show()

    def _apply(self) -> str | None:
        """Ask the handler for the edit this gesture means; the refusal reason, if any."""
        if self._picked is None:
            return self._handler.connect_ports(self._edge_to(self._target)) if self._target else None
        if self._target is None:
            self._handler.disconnect(self._picked.edge)
            return None
        if self._target is self._picked.target:
            self._picked.show()
            return None
        message = self._handler.reconnect(self._picked.edge, self._edge_to(self._target))
        if message:
            self._picked.show()
        return message

    def _retarget(self, target: PortItem | None, screen_pos: QPoint | None) -> None:
        if self._target is not None:
            self._target.set_highlighted(False)
        self._target, self._problem = target, None
        if target is None:
            QToolTip.hideText()
            return
        if self._picked is None or target is not self._picked.target:
            self._problem = self._handler.connection_problem(self._edge_to(target))
        target.set_highlighted(True, refused=bool(self._problem))
        if self._problem:
            self._scene.feedback.emit(f"Cannot connect: {self._problem}")
            if screen_pos is not None:
                QToolTip.showText(screen_pos, self._problem)

    def _edge_to(self, target: PortItem) -> Edge:
        source, sink = (self._anchor, target) if self._anchor.direction == OUTPUT else (target, self._anchor)
        return Edge(source.node_id, source.name, sink.node_id, sink.name)

    def _pen(self) -> QPen:
        if self._problem:
            return QPen(theme.color("error"), 2.2, Qt.DashLine, Qt.RoundCap)
        colour = QColor(self._anchor.kind_color())
        return QPen(colour.lighter(120), 2.4, Qt.SolidLine, Qt.RoundCap)

    def _clear(self) -> None:
        if self._target is not None:
            self._target.set_highlighted(False)
        QToolTip.hideText()
        self._scene.removeItem(self._curve)


class WireGestures:
    """Wires for a QGraphicsScene: mix in before the Qt base. The scene provides the
    `feedback` and `connection_refused` signals, `link_handler`, `card_type` (the item class
    of its cards, each with `node_id`, `inputs` {name: PortItem}, `output` and `edges`) and
    an `_edges` dict {Edge: EdgeItem} that `add_wire_item` fills."""

    link_handler: LinkHandler | None = None
    card_type: type = object
    _edges: dict[Edge, EdgeItem]
    _drag: LinkDrag | None = None

    def wire_items(self) -> list[EdgeItem]:
        return list(self._edges.values())

    def add_wire_item(self, edge: Edge, source, target) -> EdgeItem:
        """Draw `edge` from card `source`'s output to card `target`'s input port."""
        item = EdgeItem(edge, source.output, target.inputs[edge.target_port])
        source.edges.add(item)
        target.edges.add(item)
        self._edges[edge] = item
        self.addItem(item)
        item.source.set_connected(True)
        item.target.set_connected(True)
        return item

    def port_for_link(self, pos: QPointF, direction: str, exclude_node: str) -> PortItem | None:
        """The port a wire dropped at `pos` would use: a port under the mouse, or, over a
        card, its first free port of the wanted direction."""
        for item in self.items(pos):
            if isinstance(item, PortItem) and item.direction == direction and item.node_id != exclude_node:
                return item
            if isinstance(item, self.card_type) and item.node_id != exclude_node:
                return self._port_of_card(item, direction)
        return None

    def _port_of_card(self, item, direction: str) -> PortItem | None:
        if direction != INPUT:
            return item.output
        ports = list(item.inputs.values())
        free = [port for port in ports if self._edge_into(port) is None]
        return (free or ports or [None])[0]

    def _edge_into(self, port: PortItem) -> EdgeItem | None:
        return next((e for e in self.wire_items() if e.target is port), None)

    def _port_under(self, pos: QPointF) -> PortItem | None:
        return next((item for item in self.items(pos) if isinstance(item, PortItem)), None)

    def mousePressEvent(self, event) -> None:
        port = self._port_under(event.scenePos()) if event.button() == Qt.LeftButton else None
        if port is not None and self.link_handler is not None:
            picked = self._edge_into(port) if port.direction == INPUT else None
            anchor = picked.source if picked else port
            self._drag = LinkDrag(self, anchor, self.link_handler, picked)
            self._drag.move(event.scenePos(), event.screenPos())
            event.accept()
            return
        super().mousePressEvent(event)

    def mouseMoveEvent(self, event) -> None:
        if self._drag is not None:
            self._drag.move(event.scenePos(), event.screenPos())
            return
        super().mouseMoveEvent(event)

    def mouseReleaseEvent(self, event) -> None:
        if self._drag is not None:
            drag, self._drag = self._drag, None
            drag.finish(event.scenePos())
            return
        super().mouseReleaseEvent(event)
        self.cards_released()

    def cards_released(self) -> None:
        """After a plain mouse release: report cards the user moved (override)."""

    def keyPressEvent(self, event) -> None:
        if event.key() == Qt.Key_Escape and self._drag is not None:
            self._drag.cancel()
            self._drag = None
            return
        super().keyPressEvent(event)
