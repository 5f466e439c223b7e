"""Opening a block's inside: a Custom cell opens in the cell editor; a one-layer, one-direction
RNN/LSTM/GRU is first turned into a Custom cell drawn from its template (one undoable step:
the block keeps its id, position, hidden size, output and connections; its weights start
afresh under the cell's names). One editor window per block: asking again raises it.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QStandardPaths

from engine.cells.conversion import custom_params_for_builtin, has_template
from engine.cells.variants import CUSTOM_TYPE
from engine.errors import UserError

from ..commands import AddNodeCommand, CompositeCommand, RemoveNodeCommand, RestoreEdgeCommand
from .window import CellEditorWindow


def library_folder() -> Path:
    """The user's cell library: `cells/` in the app's data folder."""
    return Path(QStandardPaths.writableLocation(QStandardPaths.AppLocalDataLocation)) / "cells"


def can_open_cell(type_name: str) -> bool:
    """Whether a block of `type_name` has an inside to open: a Custom cell, or a built-in cell
    with a template."""
    return type_name == CUSTOM_TYPE or has_template(type_name)


def open_cell_editor(
    editor, node_id: str, parent=None, windows: dict | None = None, settings=None
) -> CellEditorWindow | str:
    """The editor window for block `node_id`, shown; or, for a block without an inside, why."""
    node = editor.document.node(node_id)
    if has_template(node.type_name):
        problem = _convert_builtin(editor, node)
        if problem:
            return problem
    elif node.type_name != CUSTOM_TYPE:
        return f"{node.label()} has no cell to open; double-click an RNN, LSTM, GRU or Custom cell block"
    windows = {} if windows is None else windows
    window = windows.get(node_id)
    if window is None or not window.isVisible():
        window = windows[node_id] = CellEditorWindow(editor, node_id, library_folder(), parent, settings)
    window.show()
    window.raise_()
    return window


def _convert_builtin(editor, node) -> str | None:
    try:
        new_params = custom_params_for_builtin(node)
    except UserError as error:
        return str(error)
    doc = editor.document
    edges = doc.incoming(node.id) + doc.outgoing(node.id)
    edit = CompositeCommand(f"Open the cell of '{node.id}' as a Custom cell")
    edit.add(RemoveNodeCommand(doc, node.id))
    edit.add(AddNodeCommand(doc, CUSTOM_TYPE, new_params, node.position, node.id))
    for edge in edges:
        edit.add(RestoreEdgeCommand(doc, edge))
    editor.undo_stack.push(edit)
    return None


def open_from_window(window, node_id: str) -> None:
    """The main window's double-click on a block: open its cell, or say in the status bar why not."""
    windows = window.__dict__.setdefault("_cell_editors", {})
    result = open_cell_editor(window.editor, node_id, window, windows, window.settings)
    if isinstance(result, str):
        window.show_message(result)


def add_cell_block(window, cell: dict) -> str:
    """A new Custom cell block holding `cell`, in the middle of the view (one undo step)."""
    editor = window.editor
    centre = window.view.mapToScene(window.view.viewport().rect().center())
    node_id = editor.document.unique_id(CUSTOM_TYPE)
    command = AddNodeCommand(editor.document, CUSTOM_TYPE, {"cell": cell}, (centre.x(), centre.y()), node_id)
    editor.undo_stack.push(command)
    return node_id
