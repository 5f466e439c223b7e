"""DocumentScene: draws a GraphDocument and follows its events.

Items are built from the document's node/edge events and hold no state the document lacks
(a node being dragged is the one exception until the mouse is released, when the move is
reported through `nodes_dragged` and comes back as a document edit). Analysis results are
pushed in with `apply_analysis`. Gestures edit through the link handler (the editor).
"""

from __future__ import annotations

from PySide6.QtCore import QPointF, Qt, Signal
from PySide6.QtWidgets import QGraphicsScene

from engine.graph import Edge, GraphDocument, Node
from engine.shapes import target_brief

from .edge_item import EdgeItem
from .interactions import LinkDrag, LinkHandler
from .node_item import NodeItem
from .port_item import INPUT, PortItem


class DocumentScene(QGraphicsScene):
    feedback = Signal(str)  # a message for the status bar: refusals, hints
    connection_refused = Signal(object, str)  # the Edge a wire drag asked for, and why it was refused
    nodes_dragged = Signal(dict)  # {node_id: (x, y)} after the user moved nodes with the mouse

    def __init__(self, parent=None):
        super().__init__(parent)
        self._doc: GraphDocument | None = None
        self._nodes: dict[str, NodeItem] = {}
        self._edges: dict[Edge, EdgeItem] = {}
        self._handler: LinkHandler | None = None
        self._drag: LinkDrag | None = None

    # -- the document -------------------------------------------------------------------
    def set_link_handler(self, handler: LinkHandler) -> None:
        self._handler = handler

    def set_document(self, doc: GraphDocument) -> None:
        if self._doc is not None:
            self._subscribe(self._doc, subscribe=False)
        self._drag = None
        self.clear()
        self._nodes.clear()
        self._edges.clear()
        self._doc = doc
        for node in doc.nodes():
            self._on_node_added(node)
        for edge in doc.edges():
            self._on_edge_added(edge)
        self._subscribe(doc, subscribe=True)

    def _subscribe(self, doc: GraphDocument, subscribe: bool) -> None:
        for event, handler in (
            (doc.node_added, self._on_node_added),
            (doc.node_removed, self._on_node_removed),
            (doc.node_moved, self._on_node_moved),
            (doc.node_renamed, self._on_node_renamed),
            (doc.edge_added, self._on_edge_added),
            (doc.edge_removed, self._on_edge_removed),
        ):
            (event.connect if subscribe else event.disconnect)(handler)

    def _on_node_added(self, node: Node) -> None:
        item = NodeItem(node)
        self._nodes[node.id] = item
        self.addItem(item)

    def _on_node_removed(self, node: Node) -> None:
        self.removeItem(self._nodes.pop(node.id))

    def _on_node_moved(self, node_id: str, position: tuple[float, float]) -> None:
        item = self._nodes[node_id]
        if (item.x(), item.y()) != position:
            item.setPos(*position)

    def _on_node_renamed(self, old_id: str, new_id: str) -> None:
        item = self._nodes.pop(old_id)
        item.rename(new_id)
        self._nodes[new_id] = item
        for edge_item in item.edges:
            old = edge_item.edge
            new = Edge(
                new_id if old.source == old_id else old.source,
                old.source_port,
                new_id if old.target == old_id else old.target,
                old.target_port,
            )
            self._edges[new] = self._edges.pop(old)
            edge_item.set_edge(new)

    def _on_edge_added(self, edge: Edge) -> None:
        source, target = self._nodes[edge.source], self._nodes[edge.target]
        item = EdgeItem(edge, source.output, target.inputs[edge.target_port])
        source.edges.add(item)
        target.edges.add(item)
        self._edges[edge] = item
        self.addItem(item)
        item.source.set_connected(True)
        item.target.set_connected(True)

    def _on_edge_removed(self, edge: Edge) -> None:
        item = self._edges.pop(edge)
        for node_id in (edge.source, edge.target):
            self._nodes[node_id].edges.discard(item)
        self.removeItem(item)
        item.target.set_connected(False)
        item.source.set_connected(any(e.source is item.source for e in self._edges.values()))

    # -- analysis -----------------------------------------------------------------------
    def apply_analysis(self, analysis, signature) -> None:
        """Show shapes, parameter counts and diagnostics from engine.validation.Analysis."""
        shapes, head_text = analysis.shapes, _head_text(signature)
        by_node: dict[str, list] = {}
        for diagnostic in analysis.diagnostics:
            by_node.setdefault(diagnostic.node, []).append(diagnostic)
        for node_id, item in self._nodes.items():
            item.set_analysis(
                shapes.outputs.get(node_id),
                shapes.inputs.get(node_id, {}),
                analysis.param_counts.get(node_id),
                by_node.get(node_id, []),
                head_text,
            )
        for edge_item in self._edges.values():
            edge_item.update()  # its colour follows the source port's inferred kind

    # -- lookup and selection -----------------------------------------------------------
    def node_item(self, node_id: str) -> NodeItem:
        return self._nodes[node_id]

    def node_items(self) -> list[NodeItem]:
        return list(self._nodes.values())

    def edge_item(self, edge: Edge) -> EdgeItem:
        return self._edges[edge]

    def selected_node_ids(self) -> list[str]:
        return [item.node_id for item in self.selectedItems() if isinstance(item, NodeItem)]

    def selected_edges(self) -> list[Edge]:
        return [item.edge for item in self.selectedItems() if isinstance(item, EdgeItem)]

    def select_nodes(self, node_ids) -> None:
        wanted = set(node_ids)
        self.clearSelection()
        for node_id in wanted:
            self._nodes[node_id].setSelected(True)

    def port_for_link(self, pos: QPointF, direction: str, exclude_node: str) -> PortItem | None:
        """The port a wire dropped at `pos` would use: a port under the mouse, or, over a
        node's card, its first free port of the wanted direction."""
        for item in self.items(pos):
            if isinstance(item, PortItem) and item.direction == direction and item.node_id != exclude_node:
                return item
            if isinstance(item, NodeItem) and item.node_id != exclude_node:
                return self._port_of_node(item, direction)
        return None

    def _port_of_node(self, item: NodeItem, direction: str) -> PortItem | None:
        if direction != INPUT:
            return item.output
        ports = list(item.inputs.values())
        free = [port for port in ports if self._edge_into(port) is None]
        return (free or ports or [None])[0]

    def _edge_into(self, port: PortItem) -> EdgeItem | None:
        return next((e for e in self._edges.values() if e.target is port), None)

    # -- gestures -----------------------------------------------------------------------
    def mousePressEvent(self, event) -> None:
        port = self._port_under(event.scenePos()) if event.button() == Qt.LeftButton else None
        if port is not None and self._handler is not None:
            picked = self._edge_into(port) if port.direction == INPUT else None
            anchor = picked.source if picked else port
            self._drag = LinkDrag(self, anchor, self._handler, picked)
            self._drag.move(event.scenePos(), event.screenPos())
            event.accept()
            return
        super().mousePressEvent(event)

    def _port_under(self, pos: QPointF) -> PortItem | None:
        return next((item for item in self.items(pos) if isinstance(item, PortItem)), None)

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
        self._report_moves()

    def keyPressEvent(self, event) -> None:
        if event.key() == Qt.Key_Escape and self._drag is not None:
            self._drag.cancel()
            self._drag = None
            return
        super().keyPressEvent(event)

    def _report_moves(self) -> None:
        if self._doc is None:
            return
        moved = {
            node_id: (item.x(), item.y())
            for node_id, item in self._nodes.items()
            if (item.x(), item.y()) != self._doc.node(node_id).position
        }
        if moved:
            self.nodes_dragged.emit(moved)


def _head_text(signature) -> str | None:
    """What a head produces, from the data signature, for the head's card footer."""
    return None if signature is None else target_brief(signature)
