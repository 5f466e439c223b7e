"""The cell editor window: primitives on the left, the cell on a canvas, the selected node's
settings on the right, the cell's problems below, and Undo/Redo of the project's stack.

The window edits nothing itself: each action computes a new cell with engine.cells.edits
and pushes a SetCellCommand onto the project's undo stack; the window redraws when the
block's parameters change, whoever changed them (an undo in the main window included).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from PySide6.QtCore import QPointF, Qt
from PySide6.QtWidgets import (
    QComboBox,
    QDoubleSpinBox,
    QFormLayout,
    QGraphicsView,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QSpinBox,
    QSplitter,
    QToolBar,
    QVBoxLayout,
    QWidget,
)

from engine.cells import analyse, edits, from_dict
from engine.cells.document import CellFormatError
from engine.cells.library import save_cell_file
from engine.cells.ops import PRIMITIVES
from engine.errors import UserError

from .commands import SetCellCommand
from .scene import CellScene, scene_rect


class CellEditorWindow(QWidget):
    """Edits the cell of block `node_id` through `editor` (the gui.editor.DocumentEditor)."""

    def __init__(self, editor, node_id: str, library_folder: Path | None = None, parent=None):
        super().__init__(parent, Qt.Window)
        self.editor, self.node_id, self.library_folder = editor, node_id, library_folder
        self.setWindowTitle(f"Cell of '{node_id}' — Recurrent Studio")
        self.resize(1100, 640)
        self.scene = CellScene(self)
        self.view = QGraphicsView(self.scene)
        self.view.setRenderHint(self.view.renderHints().Antialiasing)
        self.primitives = QListWidget()
        for op, primitive in PRIMITIVES.items():
            item = QListWidgetItem(primitive.label)
            item.setData(Qt.UserRole, op)
            item.setToolTip(primitive.description)
            self.primitives.addItem(item)
        self.primitives.itemDoubleClicked.connect(lambda item: self.add_node(item.data(Qt.UserRole)))
        self.form_host = QWidget()
        self.form = QFormLayout(self.form_host)
        self.problems = QListWidget()
        self.status = QLabel()
        self._build_layout()
        self.scene.node_selected.connect(self._show_node)
        self.scene.node_moved.connect(self._on_moved)
        self.editor.document.node_changed.connect(self._on_node_changed)
        self.refresh()

    # -- reading ------------------------------------------------------------------------
    def cell(self) -> dict[str, Any]:
        return self.editor.document.node(self.node_id).params["cell"]

    def refresh(self) -> None:
        cell = self.cell()
        try:
            analysis = analyse(from_dict(cell))
        except CellFormatError as error:
            self.problems.clear()
            self.problems.addItem(f"error: {error}")
            return
        problems: dict[str, list[str]] = {}
        for diagnostic in analysis.diagnostics:
            problems.setdefault(diagnostic.node or "", []).append(diagnostic.message)
        self.scene.show_cell(cell, problems)
        self.view.setSceneRect(scene_rect(self.scene))
        self.problems.clear()
        for diagnostic in analysis.diagnostics:
            self.problems.addItem(f"{diagnostic.severity}: {diagnostic.message}")
        if not analysis.diagnostics:
            self.problems.addItem("No problems: the cell compiles.")
        self._show_node(self.scene.selected_name())

    # -- edits --------------------------------------------------------------------------
    def apply(self, new_cell: dict[str, Any], text: str) -> None:
        old = self.cell()
        if new_cell == old:
            return
        self.editor.undo_stack.push(SetCellCommand(self.editor.document, self.node_id, old, new_cell, text))

    def attempt(self, make, text: str) -> str | None:
        """Apply the cell `make()` returns; a refused edit is shown and returned as text."""
        try:
            self.apply(make(), text)
        except (UserError, ValueError) as error:
            self.status.setText(str(error))
            return str(error)
        self.status.setText("")
        return None

    def add_node(self, op: str) -> str | None:
        selected = self.scene.selected_name()
        inputs = [selected] if selected and PRIMITIVES[op].max_inputs != 0 else []
        made = {}

        def make():
            cell, made["id"] = edits.add_node(self.cell(), op, inputs)
            return cell

        self.attempt(make, f"Add {PRIMITIVES[op].label}")
        return made.get("id")

    def _on_moved(self, node_id: str, position: QPointF) -> None:
        self.attempt(lambda: edits.move_node(self.cell(), node_id, (position.x(), position.y())), f"Move '{node_id}'")

    def save_to_library(self) -> Path | None:
        if self.library_folder is None:
            return None
        try:
            path = save_cell_file(from_dict(self.cell()), self.library_folder)
        except (UserError, ValueError) as error:
            self.status.setText(str(error))
            return None
        self.status.setText(f"Saved to the cell library: {path.name}")
        return path

    # -- the node form ------------------------------------------------------------------
    def _show_node(self, node_id: str) -> None:
        while self.form.rowCount():
            self.form.removeRow(0)
        cell = self.cell()
        node = next((n for n in cell["nodes"] if n["id"] == node_id), None)
        if node is None:
            self.form.addRow(QLabel("Select a node to edit it; double-click a primitive to add one."))
            self._state_rows(cell)
            return
        primitive = PRIMITIVES[node["op"]]
        self.form.addRow(QLabel(f"<b>{node_id}</b>: {primitive.description}"))
        inputs = QLineEdit(", ".join(node["inputs"]))
        inputs.setToolTip("Names this node reads, comma-separated: x, a state (its previous value) or a node")
        inputs.editingFinished.connect(lambda: self._set_inputs(node_id, inputs.text()))
        self.form.addRow("Inputs", inputs)
        for setting in primitive.settings:
            self.form.addRow(setting.name, self._setting_field(node_id, setting, node.get("settings", {})))
        if node["op"] == "sigmoid":
            gate = QLineEdit(node.get("gate", ""))
            gate.setPlaceholderText("a name marks it as a probed gate")
            gate.editingFinished.connect(
                lambda: self.attempt(lambda: edits.set_gate(self.cell(), node_id, gate.text().strip()), "Mark gate")
            )
            self.form.addRow("Gate", gate)
        delete = QPushButton("Delete node")
        delete.clicked.connect(
            lambda: self.attempt(lambda: edits.remove_node(self.cell(), node_id), f"Delete '{node_id}'")
        )
        self.form.addRow(delete)
        self._state_rows(cell)

    def _state_rows(self, cell: dict[str, Any]) -> None:
        names = [n["id"] for n in cell["nodes"]]
        for state in cell["states"]:
            choice = QComboBox()
            choice.addItems(["(not written)", *names])
            choice.setCurrentText(cell["outputs"].get(state, "(not written)"))
            choice.activated.connect(lambda _, s=state, c=choice: self._set_output(s, c.currentText()))
            self.form.addRow(f"New {state} from", choice)

    def _setting_field(self, node_id: str, setting, values: dict) -> QWidget:
        value = values.get(setting.name, setting.default)
        if setting.type == "bool":
            field = QComboBox()
            field.addItems(["true", "false"])
            field.setCurrentText("true" if value else "false")
            field.activated.connect(lambda _: self._set_setting(node_id, setting.name, field.currentText() == "true"))
            return field
        field = QSpinBox() if setting.type == "int" else QDoubleSpinBox()
        field.setRange(setting.minimum if setting.minimum is not None else -1e6, setting.maximum or 1e6)
        field.setValue(value)
        field.editingFinished.connect(lambda: self._set_setting(node_id, setting.name, field.value()))
        return field

    def _set_inputs(self, node_id: str, text: str) -> None:
        names = [name.strip() for name in text.split(",") if name.strip()]
        self.attempt(lambda: edits.set_inputs(self.cell(), node_id, names), f"Set the inputs of '{node_id}'")

    def _set_setting(self, node_id: str, name: str, value) -> None:
        self.attempt(lambda: edits.set_setting(self.cell(), node_id, name, value), f"Set {name} of '{node_id}'")

    def _set_output(self, state: str, source: str) -> None:
        node_id = None if source == "(not written)" else source
        self.attempt(lambda: edits.set_output(self.cell(), state, node_id), f"Write state '{state}'")

    # -- plumbing -----------------------------------------------------------------------
    def _on_node_changed(self, node_id: str) -> None:
        if node_id == self.node_id and self.editor.document.has_node(node_id):
            self.refresh()

    def _build_layout(self) -> None:
        toolbar = QToolBar()
        toolbar.addAction("Undo", self.editor.undo_stack.undo)
        toolbar.addAction("Redo", self.editor.undo_stack.redo)
        if self.library_folder is not None:
            toolbar.addAction("Save to cell library", self.save_to_library)
        left = QWidget()
        left_layout = QVBoxLayout(left)
        left_layout.addWidget(QLabel("Primitives (double-click to add)"))
        left_layout.addWidget(self.primitives)
        splitter = QSplitter()
        splitter.addWidget(left)
        splitter.addWidget(self.view)
        splitter.addWidget(self.form_host)
        splitter.setSizes([180, 640, 280])
        layout = QVBoxLayout(self)
        layout.addWidget(toolbar)
        layout.addWidget(splitter, 3)
        bottom = QHBoxLayout()
        bottom.addWidget(self.problems, 1)
        layout.addLayout(bottom, 1)
        layout.addWidget(self.status)
