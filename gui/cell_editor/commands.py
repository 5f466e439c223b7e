"""The cell editor's one undoable edit: put a new cell in place of the old one.

Each edit of the cell (engine.cells.edits) becomes a SetCellCommand on the project's own
undo stack, so Undo in either window walks back through cell and graph edits in the order
they were made. Unlike parameter edits, cell edits never merge: each is its own step.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtGui import QUndoCommand

from engine.graph import GraphDocument


class SetCellCommand(QUndoCommand):
    def __init__(self, doc: GraphDocument, node_id: str, old: dict[str, Any], new: dict[str, Any], text: str):
        super().__init__(f"{text} in the cell of '{node_id}'")
        self._doc, self.node_id, self._old, self._new = doc, node_id, old, new

    def redo(self) -> None:
        self._doc.set_param(self.node_id, "cell", self._new)

    def undo(self) -> None:
        self._doc.set_param(self.node_id, "cell", self._old)
