"""The cell editor window: primitives on the left, the cell on a canvas of its own, the
selected node's settings on the right, the cell's problems (with their fixes) below.

Drag a primitive onto the canvas (or double-click it) to add a node; drag from a port to
another to wire them, from a wired input to elsewhere to move or cut the wire; Delete
removes the selection; right-click for what applies where you click. The window edits
nothing itself: each action computes a new cell with engine.cells (edits, wiring, fixes)
and pushes a SetCellCommand onto the project's own undo stack, so Undo here and in the main
window walk one history; the canvas redraws when the block's parameters change, whoever
changed them.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from PySide6.QtCore import QMimeData, QPoint, QPointF, Qt
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QDoubleSpinBox,
    QFormLayout,
    QInputDialog,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QMenu,
    QPushButton,
    QSpinBox,
    QSplitter,
    QToolBar,
    QVBoxLayout,
    QWidget,
)

from engine.cells import analyse, edits, from_dict
from engine.cells.analysis import CellAnalysis
from engine.cells.document import INPUT, NEW_VALUE, CellFormatError
from engine.cells.fixes import fixes_for_diagnostic, fixes_for_wire
from engine.cells.library import save_cell_file
from engine.cells.ops import GATE_OPS, PRIMITIVES
from engine.cells.wiring import connect as connect_wire
from engine.cells.wiring import connection_problem, disconnect, reconnect
from engine.errors import UserError
from engine.graph import Edge

from ..canvas.view import CanvasView
from ..fix_bar import FixBar
from ..problems import ProblemsPanel
from .commands import SetCellCommand
from .scene import NODE, CellScene, wire_for

PRIMITIVE_MIME_TYPE = "application/x-recurrent-studio-cell-primitive"
_OP_ROLE = Qt.UserRole


class PrimitiveList(QListWidget):
    """The primitives, to drag onto the cell's canvas (or double-click)."""

    def __init__(self, parent=None):
        super().__init__(parent)
        self.setObjectName("primitives")
        self.setDragEnabled(True)
        self.setDragDropMode(QAbstractItemView.DragOnly)
        for op, primitive in PRIMITIVES.items():
            item = QListWidgetItem(primitive.label)
            item.setData(_OP_ROLE, op)
            item.setToolTip(f"{primitive.description}<br><i>{primitive.arity_words()}; drag onto the canvas</i>")
            self.addItem(item)

    def mimeTypes(self) -> list[str]:
        return [PRIMITIVE_MIME_TYPE]

    def mimeData(self, items) -> QMimeData:
        mime = QMimeData()
        if items:
            mime.setData(PRIMITIVE_MIME_TYPE, items[0].data(_OP_ROLE).encode("utf-8"))
        return mime


class CellEditorWindow(QWidget):
    """Edits the cell of block `node_id` through `editor` (the gui.editor.DocumentEditor)."""

    def __init__(self, editor, node_id: str, library_folder: Path | None = None, parent=None, settings=None):
        super().__init__(parent, Qt.Window)
        self.editor, self.node_id, self.library_folder = editor, node_id, library_folder
        self.settings = settings  # gui.settings.AppSettings: where the window's size is remembered
        self.setWindowTitle(f"Cell of '{node_id}' — Recurrent Studio")
        self.resize(1180, 720)
        if settings is not None and settings.cell_editor_geometry() is not None:
            self.restoreGeometry(settings.cell_editor_geometry())
        self.analysis: CellAnalysis | None = None
        self.scene = CellScene(self)
        self.scene.link_handler = self
        self.view = CanvasView(self.scene, self, PRIMITIVE_MIME_TYPE)
        self.fix_bar = FixBar(self.view, lambda fix: self.apply(fix.cell, fix.title))
        self.primitives = PrimitiveList()
        self.primitives.itemActivated.connect(lambda item: self.add_node(item.data(_OP_ROLE)))
        self.form_host = QWidget()
        self.form = QFormLayout(self.form_host)
        self.problems = ProblemsPanel(self, "Node", "No problems: the cell compiles.")
        self.status = QLabel(objectName="dim")
        self.summary = QLabel(objectName="dim")
        self._build_layout()
        self.scene.node_selected.connect(self._show_node)
        self.scene.cards_moved.connect(self._on_moved)
        self.scene.feedback.connect(self.status.setText)
        self.scene.connection_refused.connect(self._offer_wire_fixes)
        self.view.block_dropped.connect(lambda op, where: self.add_node(op, where))
        self.view.context_menu_requested.connect(self._context_menu)
        self.problems.node_activated.connect(self._focus)
        self.problems.fix_chosen.connect(lambda fix: self.apply(fix.cell, fix.title))
        self._doc = editor.document  # the document subscribed to, until the window closes
        self._doc.node_changed.connect(self._on_node_changed)
        self._doc.node_removed.connect(self._on_node_removed)
        self.editor.analysis_changed.connect(lambda _: self._show_summary())
        self.editor.project_replaced.connect(lambda _: self.close())
        self.refresh()
        self.view.fit_to_content()

    # -- reading ------------------------------------------------------------------------
    def cell(self) -> dict[str, Any]:
        return self.editor.document.node(self.node_id).params["cell"]

    def refresh(self) -> None:
        cell = self.cell()
        try:
            self.analysis = analyse(from_dict(cell))
        except CellFormatError as error:
            self.analysis = None
            self.status.setText(f"error: {error}")
        self.scene.show_cell(cell, self.analysis, *self._hidden_and_input_sizes())
        if self.analysis is not None:
            self.problems.show_analysis(self.analysis, None, lambda d: fixes_for_diagnostic(self.cell(), d))
        self._show_node(self.scene.selected_name())
        self._show_summary()

    def _hidden_and_input_sizes(self) -> tuple[int | None, int | None]:
        """H from the block, F from the shape the model's validation found at its input."""
        hidden = self._doc.node(self.node_id).params.get("hidden_size")
        received = self.editor.analysis.shapes.inputs.get(self.node_id, {}).get("in")
        return hidden, (received.size if received is not None else None)

    def _show_summary(self) -> None:
        """The cell in a line: its name, states, gates and (from the model's validation, which
        knows the data's input size) its parameter count."""
        doc = self._doc
        if doc is None or not doc.has_node(self.node_id) or "cell" not in doc.node(self.node_id).params:
            return  # the window closed: its block went, or its project was replaced
        cell, count = self.cell(), self.editor.analysis.param_counts.get(self.node_id)
        gates = [node["gate"] for node in cell["nodes"] if node.get("gate")]
        parts = [f"<b>{cell['name']}</b>", f"states {', '.join(cell['states'])}"]
        parts.append(f"gates {', '.join(gates)}" if gates else "no marked gates")
        hidden = self.editor.document.node(self.node_id).params.get("hidden_size")
        if count is not None:
            parts.append(f"{count:,} parameters at hidden size {hidden}")
        self.summary.setText(" · ".join(parts))

    # -- edits --------------------------------------------------------------------------
    def apply(self, new_cell: dict[str, Any], text: str) -> None:
        old = self.cell()
        if new_cell == old:
            return
        self.fix_bar.hide()
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

    def add_node(self, op: str, where: QPointF | None = None) -> str | None:
        """A new `op` node at `where` (else beside the selected node, reading it)."""
        selected = self.scene.selected_name()
        reads = [selected] if where is None and selected and PRIMITIVES[op].max_inputs != 0 else []
        if where is None:
            where = self.view.mapToScene(self.view.viewport().rect().center())
        made = {}

        def make():
            cell, made["id"] = edits.add_node(self.cell(), op, reads, (where.x(), where.y()))
            return cell

        self.attempt(make, f"Add {PRIMITIVES[op].label}")
        return made.get("id")

    def delete_selection(self) -> None:
        """Delete the selected nodes and wires, as one step."""
        names = [name for name in self.scene.selected_names() if self.scene.boxes[name].kind == NODE]
        wires = self.scene.selected_wires()

        def make():
            cell = self.cell()
            for wire in sorted(wires, key=lambda w: -w.slot):  # later slots first: earlier stay put
                if wire.source not in names and wire.target not in names:
                    cell = disconnect(cell, wire)
            for name in names:
                cell = edits.remove_node(cell, name)
            return cell

        if names or wires:
            self.attempt(make, f"Delete {len(names) + len(wires)} item{'s' if len(names) + len(wires) != 1 else ''}")

    def add_state(self, name: str | None = None) -> str | None:
        if name is None:
            name, ok = QInputDialog.getText(self, "Add a state", "Name of the new state (like c for a cell state):")
            if not ok or not name.strip():
                return None
        return self.attempt(lambda: edits.add_state(self.cell(), name.strip()), f"Add state '{name.strip()}'")

    def _on_moved(self, moved: dict) -> None:
        def make():
            cell = self.cell()
            for name, position in moved.items():
                cell = edits.move_node(cell, name, position)
            return cell

        self.attempt(make, "Move " + (f"'{next(iter(moved))}'" if len(moved) == 1 else f"{len(moved)} cards"))

    def save_to_library(self) -> Path | None:
        if self.library_folder is None:
            return None
        try:
            path = save_cell_file(from_dict(self.cell()), self.library_folder)
        except (UserError, ValueError) as error:
            self.status.setText(str(error))
            return None
        self.status.setText(f"Saved to the cell library: {path.name} (it appears in the palette's cell list)")
        return path

    # -- wires: the canvas's link handler (gui.canvas.interactions.LinkHandler) -----------
    def connection_problem(self, edge: Edge) -> str | None:
        return connection_problem(self.cell(), wire_for(edge))

    def connect_ports(self, edge: Edge) -> str | None:
        wire = wire_for(edge)
        return self.attempt(lambda: connect_wire(self.cell(), wire), f"Wire {wire.describe()}")

    def reconnect(self, old: Edge, new: Edge) -> str | None:
        wire = wire_for(new)
        return self.attempt(lambda: reconnect(self.cell(), wire_for(old), wire), f"Move a wire to {wire.describe()}")

    def disconnect(self, edge: Edge) -> None:
        wire = wire_for(edge)
        self.attempt(lambda: disconnect(self.cell(), wire), f"Cut {wire.describe()}")

    def _offer_wire_fixes(self, edge: Edge, message: str) -> None:
        self.fix_bar.offer(message, fixes_for_wire(self.cell(), wire_for(edge)))

    # -- menus and focus ----------------------------------------------------------------
    def _context_menu(self, scene_pos: QPointF, screen_pos: QPoint) -> None:
        menu = QMenu(self)
        card = next((i for i in self.scene.items(scene_pos) if i in self.scene.boxes.values()), None)
        wire = next((i for i in self.scene.items(scene_pos) if i in self.scene.wire_items()), None)
        if card is not None and card.kind == NODE:
            self._node_menu(menu, card.node_id)
        elif card is not None and card.node_id != INPUT:
            self._state_menu(menu, card.node_id.removesuffix(NEW_VALUE))
        elif wire is not None:
            menu.addAction("Cut this wire", lambda: self.disconnect(wire.edge))
        else:
            add = menu.addMenu("Add here")
            for op, primitive in PRIMITIVES.items():
                add.addAction(primitive.label, lambda o=op: self.add_node(o, scene_pos))
            menu.addAction("Add a state…", self.add_state)
            menu.addAction("Fit to view", self.view.fit_to_content)
        menu.exec(screen_pos)

    def _node_menu(self, menu: QMenu, node_id: str) -> None:
        node = from_dict(self.cell()).node(node_id)
        if node.op in GATE_OPS:
            if node.gate:
                menu.addAction(
                    f"Unmark gate '{node.gate}'",
                    lambda: self.attempt(lambda: edits.set_gate(self.cell(), node_id, None), "Unmark gate"),
                )
            else:
                menu.addAction("Mark as gate…", lambda: self._ask_gate(node_id))
        writes = menu.addMenu("Write the new value of")
        for state in self.cell()["states"]:
            writes.addAction(
                state, lambda s=state: self.attempt(lambda: edits.set_output(self.cell(), s, node_id), f"Write '{s}'")
            )
        menu.addSeparator()
        menu.addAction("Rename…", lambda: self.ask_rename(node_id))
        menu.addAction(
            "Delete", lambda: self.attempt(lambda: edits.remove_node(self.cell(), node_id), f"Delete '{node_id}'")
        )

    def _state_menu(self, menu: QMenu, state: str) -> None:
        menu.addAction(f"Rename state '{state}'…", lambda: self.ask_rename(state))
        menu.addAction(
            f"Remove state '{state}'",
            lambda: self.attempt(lambda: edits.remove_state(self.cell(), state), f"Remove state '{state}'"),
        )

    def ask_rename(self, name: str) -> None:
        new, ok = QInputDialog.getText(self, "Rename", f"New name for '{name}':", text=name)
        if ok and new.strip() and new.strip() != name:
            self.attempt(lambda: edits.rename(self.cell(), name, new.strip()), f"Rename '{name}' to '{new.strip()}'")

    def _ask_gate(self, node_id: str) -> None:
        name, ok = QInputDialog.getText(self, "Mark as gate", "Gate name (shown in the gates dock):", text=node_id)
        if ok and name.strip():
            self.attempt(lambda: edits.set_gate(self.cell(), node_id, name.strip()), "Mark gate")

    def _focus(self, name: str) -> None:
        self.scene.select(name)
        selected = self.scene.selectedItems()
        if selected:
            self.view.centerOn(selected[0])

    # -- the node form ------------------------------------------------------------------
    def _show_node(self, node_id: str) -> None:
        while self.form.rowCount():
            self.form.removeRow(0)
        cell = self.cell()
        node = next((n for n in cell["nodes"] if n["id"] == node_id), None)
        if node is None:
            hint = QLabel(
                "Drag a primitive onto the canvas to add a node, and from a port to another to wire them. "
                "Select a node to edit its settings; right-click for more.",
                wordWrap=True,
            )
            self.form.addRow(hint)
            return
        primitive = PRIMITIVES[node["op"]]
        self.form.addRow(QLabel(f"<b>{node_id}</b>: {primitive.description}", wordWrap=True))
        self.form.addRow("Reads", QLabel(", ".join(node["inputs"]) or "nothing yet: wire its inputs"))
        for setting in primitive.settings:
            field = self._setting_field(node_id, setting, node.get("settings", {}))
            field.setToolTip(setting.help)
            self.form.addRow(setting.name, field)
        if node["op"] in GATE_OPS:
            gate = QLineEdit(node.get("gate", ""), objectName="gate")
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

    def _set_setting(self, node_id: str, name: str, value) -> None:
        self.attempt(lambda: edits.set_setting(self.cell(), node_id, name, value), f"Set {name} of '{node_id}'")

    # -- plumbing -----------------------------------------------------------------------
    def _on_node_changed(self, node_id: str) -> None:
        if node_id == self.node_id and self._doc.has_node(node_id):
            self.refresh()

    def _on_node_removed(self, node) -> None:
        """The block went (deleted, or an undo turned it back into a built-in): nothing to edit."""
        if node.id == self.node_id:
            self.close()

    def closeEvent(self, event) -> None:
        if self.settings is not None:
            self.settings.save_cell_editor_geometry(self.saveGeometry())
        if self._doc is not None:
            self._doc.node_changed.disconnect(self._on_node_changed)
            self._doc.node_removed.disconnect(self._on_node_removed)
            self._doc = None
        super().closeEvent(event)

    def _build_layout(self) -> None:
        toolbar = QToolBar()
        stack = self.editor.undo_stack
        self.toolbar_actions: dict[str, QAction] = {}
        for text, slot, keys in (
            ("Undo", stack.undo, [QKeySequence.Undo]),
            ("Redo", stack.redo, [QKeySequence.Redo, "Ctrl+Y"]),
            ("Delete", self.delete_selection, [QKeySequence.Delete, "Backspace"]),
            ("Add state…", self.add_state, []),
            ("Fit to view", self.view.fit_to_content, ["Home"]),
        ):
            action = QAction(text, self, triggered=slot)
            action.setShortcuts([QKeySequence(key) for key in keys])
            action.setToolTip(f"{text} ({QKeySequence(keys[0]).toString()})" if keys else text)
            toolbar.addAction(action)
            self.toolbar_actions[text] = action
        for text, can, changed in (
            ("Undo", stack.canUndo, stack.canUndoChanged),
            ("Redo", stack.canRedo, stack.canRedoChanged),
        ):
            self.toolbar_actions[text].setEnabled(can())
            changed.connect(self.toolbar_actions[text].setEnabled)
        if self.library_folder is not None:
            toolbar.addAction("Save to cell library", self.save_to_library)
        toolbar.addSeparator()
        toolbar.addWidget(self.summary)
        left = QWidget()
        left_layout = QVBoxLayout(left)
        left_layout.setContentsMargins(6, 6, 0, 6)
        left_layout.addWidget(QLabel("Primitives — drag onto the canvas", wordWrap=True))
        left_layout.addWidget(self.primitives)
        splitter = QSplitter()
        splitter.addWidget(left)
        splitter.addWidget(self.view)
        splitter.addWidget(self.form_host)
        splitter.setSizes([170, 760, 250])
        vertical = QSplitter(Qt.Vertical)
        vertical.addWidget(splitter)
        vertical.addWidget(self.problems)
        vertical.setSizes([560, 140])
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 4)
        layout.addWidget(toolbar)
        layout.addWidget(vertical, 1)
        layout.addWidget(self.status)
