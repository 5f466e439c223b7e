"""DocumentScene: draws a GraphDocument and follows its events.

Items are built from the document's node/edge events and hold no state the document lacks
(a node being dragged is the one exception until the mouse is released, when the move is
reported through `nodes_dragged` and comes back as a document edit). Analysis results are
pushed in with `apply_analysis`. Gestures edit through the link handler (the editor).
"""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QGraphicsScene

from engine.graph import Edge, GraphDocument, Node
from engine.shapes import target_brief

from .edge_item import EdgeItem
from .interactions import LinkHandler, WireGestures
from .node_item import NodeItem

# Below this zoom a port's grab circle is under 3 px: too small to aim at, and hundreds of
# such specks cost a paint call each per frame, so ports are hidden.
PORTS_MIN_ZOOM = 0.25


class DocumentScene(WireGestures, QGraphicsScene):
    feedback = Signal(str)  # a message for the status bar: refusals, hints
    connection_refused = Signal(object, str)  # the Edge a wire drag asked for, and why it was refused
    nodes_dragged = Signal(dict)  # {node_id: (x, y)} after the user moved nodes with the mouse

    def __init__(self, parent=None):
        super().__init__(parent)
        self._doc: GraphDocument | None = None
        self._nodes: dict[str, NodeItem] = {}
        self._edges: dict[Edge, EdgeItem] = {}
        self.card_type = NodeItem
        self._detailed = True  # ports shown: the view is zoomed in enough to see them

    # -- the document -------------------------------------------------------------------
    def set_link_handler(self, handler: LinkHandler) -> None:
        self.link_handler = handler

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

    def set_zoom(self, zoom: float) -> None:
        """Follow the view's zoom: below PORTS_MIN_ZOOM, ports are not drawn."""
        detailed = zoom >= PORTS_MIN_ZOOM
        if detailed != self._detailed:
            self._detailed = detailed
            for item in self._nodes.values():
                item.show_ports(detailed)

    def _on_node_added(self, node: Node) -> None:
        item = NodeItem(node)
        if not self._detailed:
            item.show_ports(False)
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
        self.add_wire_item(edge, self._nodes[edge.source], self._nodes[edge.target])

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

    def cards_released(self) -> None:
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
