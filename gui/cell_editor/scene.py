"""The cell drawn as a canvas: a card per name, wires between ports, drawn from the cell dict.

On the left the sources — x (the input) and each state's previous value — with an output
port; in between the primitive nodes, an input port per slot they read (and a free one where
they take more) and an output port; on the right each state's new value, with one input.
Wires are dragged as on the model's canvas (gui.canvas.interactions): the scene turns each
gesture into an engine.cells.wiring.Wire for the window to apply. Items are rebuilt from
the cell whenever it changes and hold nothing the cell lacks; a card without a saved
position is placed by its depth (how many nodes lie between it and the sources).
"""

from __future__ import annotations

from functools import cache
from typing import Any

from PySide6.QtCore import QPointF, QRectF, Qt, Signal
from PySide6.QtGui import QColor, QFont, QFontMetricsF, QPainter, QPen
from PySide6.QtWidgets import QGraphicsItem, QGraphicsScene, QStyleOptionGraphicsItem, QWidget

from engine.blocks import Port
from engine.cells.analysis import FEATURES, HIDDEN, CellAnalysis, size_words
from engine.cells.document import INPUT, NEW_VALUE
from engine.cells.ops import PRIMITIVES
from engine.cells.wiring import Wire
from engine.graph import Edge

from .. import theme
from ..canvas.edge_item import EdgeItem
from ..canvas.hover import HoverHighlight
from ..canvas.interactions import WireGestures
from ..canvas.node_item import BadgeItem
from ..canvas.port_item import INPUT as IN_PORT
from ..canvas.port_item import OUTPUT as OUT_PORT
from ..canvas.port_item import PortItem

CARD_W, HEADER_H, ROW_H, FOOTER_H, CORNER = 172.0, 38.0, 22.0, 22.0, 7.0
GAP_X, GAP_Y = 230.0, 30.0
OUT = "out"
SOURCE, NODE, STATE = "source", "node", "state"
_ROLE_COLOURS = {  # the card's header tint: where values come from, what a node does to them
    "source": "#3f9fc0",
    "state": "#56c28a",
    "learned": "#5aa2ff",
    "squash": "#9c7ad8",
    "gate": "#d86ab8",
    "arithmetic": "#8e96a3",
    "constant": "#c9a04e",
}
_SIZE_COLOURS = {HIDDEN: "#4cc3e6", FEATURES: "#a7d863"}


@cache
def _font(size: float, bold: bool = False) -> QFont:
    font = QFont()
    font.setPointSizeF(size)
    font.setBold(bold)
    return font


def edge_for(wire: Wire) -> Edge:
    target = f"{wire.target}{NEW_VALUE}" if wire.to_state else wire.target
    return Edge(wire.source, OUT, target, f"in{wire.slot}")


def wire_for(edge: Edge) -> Wire:
    """The cell wire an edge between two cards stands for."""
    slot = int(edge.target_port.removeprefix("in"))
    if edge.target.endswith(NEW_VALUE):
        return Wire(edge.source, edge.target.removesuffix(NEW_VALUE), 0, True)
    return Wire(edge.source, edge.target, slot)


class CellPort(PortItem):
    """A port coloured by the size it carries: H (the hidden size), F (the input's) or other."""

    def __init__(self, card: str, name: str, direction: str, parent: QGraphicsItem, label: str, size):
        super().__init__(card, Port(name, ("vector",), label), direction, parent)
        self.size = size
        self._refresh_tooltip()

    def kind_color(self) -> QColor:
        if self.size is None:
            return QColor(theme.UNDECIDED_PORT_COLOR)
        return QColor(_SIZE_COLOURS.get(self.size, theme.PORT_KIND_COLORS["vector"]))

    def _refresh_tooltip(self) -> None:
        size = getattr(self, "size", None)
        role = "Reads" if self.direction == IN_PORT else "Gives"
        lines = [f"<b>{role}</b> {self.port.help}", f"Size: {size_words(size) if size else 'not known yet'}"]
        lines.append("<i>Drag to a port of another card to wire it.</i>")
        self.setToolTip("<br>".join(lines))


class CellCard(HoverHighlight, QGraphicsItem):
    """One name of the cell: a source, a node, or a state's new value."""

    def __init__(self, name: str, kind: str, title: str, subtitle: str, role: str):
        super().__init__()
        self.node_id, self.kind, self.title, self.subtitle, self.role = name, kind, title, subtitle, role
        self.inputs: dict[str, CellPort] = {}
        self.output: CellPort | None = None
        self.edges: set[EdgeItem] = set()
        self.size_text = ""
        self._labels: list[str] = []
        self._hovered = False
        self.setFlags(
            QGraphicsItem.ItemIsMovable | QGraphicsItem.ItemIsSelectable | QGraphicsItem.ItemSendsGeometryChanges
        )
        self.setAcceptHoverEvents(True)
        self.badge = BadgeItem(self)
        self.badge.setPos(CARD_W - 14, 14)

    def add_input(self, slot: int, label: str, size) -> CellPort:
        port = CellPort(self.node_id, f"in{slot}", IN_PORT, self, label, size)
        port.setPos(0.0, self._row_y(len(self._labels)))
        self._labels.append(label)
        self.inputs[port.name] = port
        return port

    def add_output(self, size) -> None:
        self.output = CellPort(self.node_id, OUT, OUT_PORT, self, f"'{self.node_id}'", size)
        self.output.setPos(CARD_W, self._row_y(0))

    def height(self) -> float:
        return HEADER_H + max(len(self._labels), 1) * ROW_H + FOOTER_H

    @staticmethod
    def _row_y(row: int) -> float:
        return HEADER_H + (row + 0.5) * ROW_H

    def boundingRect(self) -> QRectF:
        return QRectF(-2, -2, CARD_W + 4, self.height() + 4)

    def paint(self, painter: QPainter, option: QStyleOptionGraphicsItem, widget: QWidget | None = None) -> None:
        painter.setRenderHint(QPainter.Antialiasing)
        card, tint = QRectF(0, 0, CARD_W, self.height()), QColor(_ROLE_COLOURS[self.role])
        painter.setPen(Qt.NoPen)
        painter.setBrush(theme.color("node_body"))
        painter.drawRoundedRect(card, CORNER, CORNER)
        painter.save()
        painter.setClipRect(QRectF(0, 0, CARD_W, HEADER_H))
        header = QColor(tint)
        header.setAlpha(105)
        painter.setBrush(header)
        painter.drawRoundedRect(card, CORNER, CORNER)
        painter.restore()
        outline = theme.color("accent") if self.isSelected() else tint.lighter(125 if self._hovered else 85)
        painter.setPen(QPen(outline, 2.2 if self.isSelected() else 1.2))
        painter.setBrush(Qt.NoBrush)
        painter.drawRoundedRect(card, CORNER, CORNER)
        self._paint_texts(painter, card)

    def _paint_texts(self, painter: QPainter, card: QRectF) -> None:
        width = CARD_W - 20 - (18 if self.badge.isVisible() else 0)
        painter.setPen(theme.color("text"))
        painter.setFont(_font(9.5, bold=True))
        title = QFontMetricsF(_font(9.5, True)).elidedText(self.title, Qt.ElideRight, width)
        painter.drawText(QRectF(10, 3, width, 18), Qt.AlignLeft | Qt.AlignVCenter, title)
        painter.setFont(_font(8))
        painter.setPen(QColor(_ROLE_COLOURS[self.role]).lighter(140))
        painter.drawText(QRectF(10, 19, width, 15), Qt.AlignLeft | Qt.AlignVCenter, self.subtitle)
        painter.setPen(theme.color("text_dim"))
        for row, label in enumerate(self._labels):
            rect = QRectF(12, self._row_y(row) - ROW_H / 2, CARD_W - 24, ROW_H)
            painter.drawText(rect, Qt.AlignLeft | Qt.AlignVCenter, label)
        if self.output is not None and self.kind == SOURCE:
            rect = QRectF(12, self._row_y(0) - ROW_H / 2, CARD_W - 24, ROW_H)
            painter.drawText(rect, Qt.AlignRight | Qt.AlignVCenter, "value")
        painter.setPen(QPen(theme.color("border"), 1.0))
        top = card.bottom() - FOOTER_H
        painter.drawLine(QPointF(1, top), QPointF(CARD_W - 1, top))
        painter.setPen(theme.color("text_dim"))
        painter.drawText(QRectF(10, top, CARD_W - 20, FOOTER_H), Qt.AlignLeft | Qt.AlignVCenter, self.size_text)

    def itemChange(self, change, value):
        if change == QGraphicsItem.ItemPositionHasChanged:
            for edge in self.edges:
                edge.adjust()
        return super().itemChange(change, value)


class CellScene(WireGestures, QGraphicsScene):
    feedback = Signal(str)  # a refusal or hint for the editor's status line
    connection_refused = Signal(object, str)  # the Edge a wire drag asked for, and why it was refused
    node_selected = Signal(str)  # the selected node's id, or "" when none (or a source/state)
    cards_moved = Signal(dict)  # {card name: (x, y)} after the user dragged cards

    def __init__(self, parent=None):
        super().__init__(parent)
        self.card_type = CellCard
        self.boxes: dict[str, CellCard] = {}
        self._edges: dict[Edge, EdgeItem] = {}
        self._placed: dict[str, tuple[float, float]] = {}
        self._sizes_known: tuple[int | None, int | None] = (None, None)
        self.selectionChanged.connect(self._on_selection)

    def wire_item(self, wire: Wire) -> EdgeItem:
        return self._edges[edge_for(wire)]

    # -- drawing the cell -----------------------------------------------------------------
    def show_cell(
        self,
        cell: dict[str, Any],
        analysis: CellAnalysis | None,
        hidden: int | None = None,
        features: int | None = None,
    ) -> None:
        """Redraw everything from `cell` and its analysis (None: the cell does not read). With
        the hidden and input sizes, sizes also show as numbers: '4H (64)'."""
        self._sizes_known = (hidden, features) if hidden and features else (None, None)
        selected = set(self.selected_names())
        self.blockSignals(True)
        self._drag = None
        self.clear()
        self.boxes, self._edges = {}, {}
        sizes = dict(analysis.sizes) if analysis else {}
        sizes.update({INPUT: FEATURES, **{state: HIDDEN for state in cell["states"]}})
        problems = _problems_by_name(analysis)
        for name, card in self._cards(cell, sizes).items():
            self.boxes[name] = card
            self.addItem(card)
            found = (
                [] if card.kind == SOURCE else problems.get(name.removesuffix(NEW_VALUE), [])
            )  # a state's: on its new value
            errors = [d.message for d in found if d.severity == "error"]
            card.badge.show_messages(
                "error" if errors else "warning", errors + [d.message for d in found if d.severity != "error"]
            )
        self._place(cell)
        self._wire(cell)
        for name in selected & set(self.boxes):
            self.boxes[name].setSelected(True)
        self.blockSignals(False)

    def _cards(self, cell: dict[str, Any], sizes) -> dict[str, CellCard]:
        cards = {}
        for name in [INPUT, *cell["states"]]:
            title, subtitle = ("x", "the input xₜ") if name == INPUT else (name, f"previous {name}: {name}ₜ₋₁")
            card = CellCard(name, SOURCE, title, subtitle, "source")
            card.add_output(sizes[name])
            card.size_text = f"size {self.size_text(sizes[name])}"
            cards[name] = card
        for node in cell["nodes"]:
            cards[node["id"]] = self._node_card(node, sizes)
            known = node["id"] in sizes
            cards[node["id"]].size_text = f"size {self.size_text(sizes[node['id']])}" if known else "size not known yet"
        for state in cell["states"]:
            card = CellCard(
                f"{state}{NEW_VALUE}", STATE, f"new {state}", f"{state}ₜ, carried to the next step", "state"
            )
            source = cell["outputs"].get(state)
            card.add_input(0, source or "(not written)", sizes.get(source))
            card.size_text = "must be size H"
            cards[card.node_id] = card
        return cards

    @staticmethod
    def _node_card(node: dict[str, Any], sizes) -> CellCard:
        primitive = PRIMITIVES[node["op"]]
        subtitle = primitive.label + (f" · gate '{node['gate']}'" if node.get("gate") else "")
        card = CellCard(node["id"], NODE, node["id"], subtitle, _role(node))
        card.setToolTip(f"<b>{primitive.label}</b> ({primitive.arity_words()})<br>{primitive.description}")
        for slot, ref in enumerate(node["inputs"]):
            card.add_input(slot, ref, sizes.get(ref))
        if primitive.max_inputs is None or len(node["inputs"]) < primitive.max_inputs:
            card.add_input(len(node["inputs"]), "+ input" if node["inputs"] else "input", None)
        card.add_output(sizes.get(node["id"]))
        return card

    def size_text(self, size) -> str:
        return size_words(size, *self._sizes_known)

    def _place(self, cell: dict[str, Any]) -> None:
        places = _places(cell, {name: card.height() for name, card in self.boxes.items()})
        self._placed = places
        for name, card in self.boxes.items():
            card.setPos(*places[name])

    def _wire(self, cell: dict[str, Any]) -> None:
        for node in cell["nodes"]:
            for slot, ref in enumerate(node["inputs"]):
                self._add_wire(Wire(ref, node["id"], slot))
        for state, source in cell["outputs"].items():
            self._add_wire(Wire(source, state, 0, True))

    def _add_wire(self, wire: Wire) -> None:
        edge = edge_for(wire)
        source, target = self.boxes.get(edge.source), self.boxes.get(edge.target)
        if source is None or target is None or source.output is None:
            return  # a name that is no name: the diagnostics say so
        self.add_wire_item(edge, source, target).setToolTip(wire.describe())

    # -- selection and moves --------------------------------------------------------------
    def selected_names(self) -> list[str]:
        return [item.node_id for item in self.selectedItems() if isinstance(item, CellCard)]

    def selected_name(self) -> str:
        names = self.selected_names()
        return names[0] if len(names) == 1 else ""

    def selected_wires(self) -> list[Wire]:
        return [wire_for(item.edge) for item in self.selectedItems() if isinstance(item, EdgeItem)]

    def select(self, name: str) -> None:
        self.clearSelection()
        if name in self.boxes:
            self.boxes[name].setSelected(True)
        elif f"{name}{NEW_VALUE}" in self.boxes:
            self.boxes[f"{name}{NEW_VALUE}"].setSelected(True)

    def _on_selection(self) -> None:
        name = self.selected_name()
        self.node_selected.emit(name if name in self.boxes and self.boxes[name].kind == NODE else "")

    def cards_released(self) -> None:
        moved = {
            name: (card.x(), card.y())
            for name, card in self.boxes.items()
            if (card.x(), card.y()) != self._placed[name]
        }
        if moved:
            self.cards_moved.emit(moved)


def _role(node: dict[str, Any]) -> str:
    primitive = PRIMITIVES[node["op"]]
    if node.get("gate"):
        return "gate"
    if primitive.learned:
        return "learned"
    if primitive.squashes or node["op"] == "relu":
        return "squash"
    return "constant" if node["op"] == "constant" else "arithmetic"


def _problems_by_name(analysis: CellAnalysis | None) -> dict[str, list]:
    found: dict[str, list] = {}
    for diagnostic in analysis.diagnostics if analysis else []:
        found.setdefault(diagnostic.node or "", []).append(diagnostic)
    return found


def _places(cell: dict[str, Any], heights: dict[str, float]) -> dict[str, tuple[float, float]]:
    """Saved positions, else one column per step away from the sources, cards stacked."""
    layout, depth = cell.get("layout", {}), {}
    nodes = {node["id"]: node for node in cell["nodes"]}

    def node_depth(node_id: str, seen: frozenset = frozenset()) -> int:
        if node_id not in depth:
            refs = [r for r in nodes[node_id]["inputs"] if r in nodes and r not in seen]
            depth[node_id] = 1 + max((node_depth(r, seen | {node_id}) for r in refs), default=0)
        return depth[node_id]

    columns: dict[int, list[str]] = {0: [INPUT, *cell["states"]]}
    for node_id in nodes:
        columns.setdefault(node_depth(node_id), []).append(node_id)
    last = max(columns) + 1
    columns[last] = [f"{state}{NEW_VALUE}" for state in cell["states"]]
    places = {}
    for column, names in columns.items():
        y = 0.0
        for name in names:
            places[name] = tuple(layout[name]) if name in layout else (column * GAP_X, y)
            y += heights[name] + GAP_Y
    return places
