"""The cell drawn as boxes and wires: the inputs (x and each previous state) on the left, the
nodes in between, the new states on the right. Items are rebuilt from the cell dict whenever
it changes; they hold nothing the cell lacks. A node without a saved position is placed by
its depth (how many nodes lie between it and the inputs).
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QLineF, QPointF, QRectF, Qt, Signal
from PySide6.QtGui import QBrush, QColor, QPen
from PySide6.QtWidgets import QGraphicsItem, QGraphicsRectItem, QGraphicsScene, QGraphicsSimpleTextItem

from engine.cells.document import INPUT
from engine.cells.ops import PRIMITIVES

BOX_W, BOX_H, GAP_X, GAP_Y = 140.0, 44.0, 190.0, 64.0
_FILL = {"source": "#34506b", "output": "#4e6b34", "gate": "#7a4e8a", "node": "#3d4452"}


class CellBox(QGraphicsRectItem):
    """One name of the cell: a source (x, a previous state), a node, or a state's new value."""

    def __init__(self, name: str, kind: str, title: str, subtitle: str):
        super().__init__(0, 0, BOX_W, BOX_H)
        self.name, self.kind = name, kind
        self.setBrush(QBrush(QColor(_FILL[kind])))
        self.setPen(QPen(QColor("#d0d4dc"), 1.0))
        self.setFlag(QGraphicsItem.ItemIsSelectable)
        self.setFlag(QGraphicsItem.ItemIsMovable, kind in ("node", "gate"))
        for text, y, bold in ((title, 5, True), (subtitle, 24, False)):
            label = QGraphicsSimpleTextItem(text, self)
            label.setBrush(QBrush(QColor("#f4f6fa")))
            font = label.font()
            font.setBold(bold)
            label.setFont(font)
            label.setPos(8, y)

    def anchor_in(self) -> QPointF:
        return self.pos() + QPointF(0, BOX_H / 2)

    def anchor_out(self) -> QPointF:
        return self.pos() + QPointF(BOX_W, BOX_H / 2)


class CellScene(QGraphicsScene):
    node_selected = Signal(str)  # the selected node's id, or "" when none
    node_moved = Signal(str, QPointF)  # a node dragged to a new place

    def __init__(self, parent=None):
        super().__init__(parent)
        self.boxes: dict[str, CellBox] = {}
        self.selectionChanged.connect(self._on_selection)

    def show_cell(self, cell: dict[str, Any], problems: dict[str, list[str]]) -> None:
        selected = self.selected_name()
        self.blockSignals(True)
        self.clear()
        self.boxes = {}
        places = _places(cell)
        for index, name in enumerate([INPUT, *cell["states"]]):
            title = "x (input)" if name == INPUT else f"{name} (previous)"
            self._add(
                CellBox(name, "source", title, "x_t" if name == INPUT else f"{name}_(t-1)"), QPointF(0, index * GAP_Y)
            )
        for node in cell["nodes"]:
            kind = "gate" if node.get("gate") else "node"
            subtitle = PRIMITIVES[node["op"]].label + (f" · gate '{node['gate']}'" if node.get("gate") else "")
            box = self._add(CellBox(node["id"], kind, node["id"], subtitle), places[node["id"]])
            if node["id"] in problems:
                box.setPen(QPen(QColor("#e05050"), 2.5))
                box.setToolTip("\n".join(problems[node["id"]]))
        right = max([p.x() for p in places.values()], default=0.0) + GAP_X
        for index, state in enumerate(cell["states"]):
            self._add(CellBox(f"{state}:new", "output", f"{state} (new)", f"{state}_t"), QPointF(right, index * GAP_Y))
        self._wire(cell)
        if selected in self.boxes:
            self.boxes[selected].setSelected(True)
        self.blockSignals(False)

    def selected_name(self) -> str:
        items = [item for item in self.selectedItems() if isinstance(item, CellBox)]
        return items[0].name if items else ""

    def _add(self, box: CellBox, position: QPointF) -> CellBox:
        box.setPos(position)
        self.addItem(box)
        self.boxes[box.name] = box
        return box

    def _wire(self, cell: dict[str, Any]) -> None:
        pen = QPen(QColor("#9aa3b2"), 1.4)
        for node in cell["nodes"]:
            for ref in node["inputs"]:
                if ref in self.boxes:
                    self.addLine(_line(self.boxes[ref].anchor_out(), self.boxes[node["id"]].anchor_in()), pen)
        for state, source in cell["outputs"].items():
            if source in self.boxes:
                self.addLine(_line(self.boxes[source].anchor_out(), self.boxes[f"{state}:new"].anchor_in()), pen)

    def _on_selection(self) -> None:
        name = self.selected_name()
        self.node_selected.emit(name if name in self.boxes and self.boxes[name].kind in ("node", "gate") else "")

    def mouseReleaseEvent(self, event) -> None:
        moved = [item for item in self.selectedItems() if isinstance(item, CellBox) and item.kind in ("node", "gate")]
        super().mouseReleaseEvent(event)
        if (
            event.button() == Qt.LeftButton
            and len(moved) == 1
            and event.buttonDownScenePos(Qt.LeftButton) != event.scenePos()
        ):
            self.node_moved.emit(moved[0].name, moved[0].pos())


def _line(start: QPointF, end: QPointF) -> QLineF:
    return QLineF(start, end)


def _places(cell: dict[str, Any]) -> dict[str, QPointF]:
    """Saved positions, else by depth: one column per step away from the inputs."""
    layout, depth, rows = cell.get("layout", {}), {}, {}
    ids = {node["id"] for node in cell["nodes"]}
    nodes = {node["id"]: node for node in cell["nodes"]}

    def node_depth(node_id: str, seen: frozenset = frozenset()) -> int:
        if node_id not in depth:
            refs = [r for r in nodes[node_id]["inputs"] if r in ids and r not in seen]
            depth[node_id] = 1 + max((node_depth(r, seen | {node_id}) for r in refs), default=0)
        return depth[node_id]

    places = {}
    for node_id in nodes:
        if node_id in layout:
            places[node_id] = QPointF(*layout[node_id])
            continue
        column = node_depth(node_id)
        row = rows.get(column, 0)
        rows[column] = row + 1
        places[node_id] = QPointF(column * GAP_X, row * GAP_Y)
    return places


def scene_rect(scene: QGraphicsScene) -> QRectF:
    return scene.itemsBoundingRect().adjusted(-40, -40, 40, 40)
