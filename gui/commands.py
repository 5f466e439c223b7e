"""Undoable edits. Each command's redo and undo make exactly one call on the document
(or, for project settings, one call to the function that applies them); composite edits
are a CompositeCommand of such commands. Commands never touch scene items: the scene
follows the document's events.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtGui import QUndoCommand

from engine.graph import Edge, GraphDocument

_SET_PARAM_ID = 1001


class CompositeCommand(QUndoCommand):
    """Child commands done in order and undone in reverse, as one step.

    Children are held in a Python list rather than through QUndoCommand's C++ parent:
    PySide does not keep a child created with a parent alive, and the stack would then
    call a deleted command.
    """

    def __init__(self, text: str):
        super().__init__(text)
        self.children: list[QUndoCommand] = []

    def add(self, command: QUndoCommand) -> QUndoCommand:
        self.children.append(command)
        return command

    def redo(self) -> None:
        for command in self.children:
            command.redo()

    def undo(self) -> None:
        for command in reversed(self.children):
            command.undo()


class AddNodeCommand(QUndoCommand):
    def __init__(
        self, doc: GraphDocument, type_name: str, params: dict[str, Any], position: tuple[float, float], node_id: str
    ):
        super().__init__(f"Add {type_name} '{node_id}'")
        self._doc, self._type_name, self._params = doc, type_name, dict(params)
        self._position, self.node_id = position, node_id

    def redo(self) -> None:
        self._doc.add_node(self._type_name, self._params, self._position, self.node_id)

    def undo(self) -> None:
        self._doc.remove_node(self.node_id)


class RemoveNodeCommand(QUndoCommand):
    def __init__(self, doc: GraphDocument, node_id: str):
        super().__init__(f"Delete '{node_id}'")
        self._doc, self._node_id, self._removed = doc, node_id, None

    def redo(self) -> None:
        self._removed = self._doc.remove_node(self._node_id)

    def undo(self) -> None:
        self._doc.restore_node(self._removed)


class ConnectCommand(QUndoCommand):
    """A new connection, checked by the document (it raises if refused)."""

    def __init__(self, doc: GraphDocument, edge: Edge):
        super().__init__(f"Connect '{edge.source}' to '{edge.target}'")
        self._doc, self._edge = doc, edge

    def redo(self) -> None:
        self._doc.connect(self._edge.source, self._edge.source_port, self._edge.target, self._edge.target_port)

    def undo(self) -> None:
        self._doc.disconnect(self._edge)


class RestoreEdgeCommand(QUndoCommand):
    """A copied connection put back as it was (pasting keeps even a clashing wire)."""

    def __init__(self, doc: GraphDocument, edge: Edge):
        super().__init__(f"Connect '{edge.source}' to '{edge.target}'")
        self._doc, self._edge = doc, edge

    def redo(self) -> None:
        self._doc.restore_edge(self._edge)

    def undo(self) -> None:
        self._doc.disconnect(self._edge)


class DisconnectCommand(QUndoCommand):
    def __init__(self, doc: GraphDocument, edge: Edge):
        super().__init__(f"Disconnect '{edge.source}' from '{edge.target}'")
        self._doc, self._edge, self._removed = doc, edge, None

    def redo(self) -> None:
        self._removed = self._doc.disconnect(self._edge)

    def undo(self) -> None:
        self._doc.restore_edge(self._removed)  # at its old place in the document's order


class MoveNodeCommand(QUndoCommand):
    def __init__(self, doc: GraphDocument, node_id: str, old: tuple[float, float], new: tuple[float, float]):
        super().__init__(f"Move '{node_id}'")
        self._doc, self._node_id, self._old, self._new = doc, node_id, old, new

    def redo(self) -> None:
        self._doc.move_node(self._node_id, self._new)

    def undo(self) -> None:
        self._doc.move_node(self._node_id, self._old)


class SetParamCommand(QUndoCommand):
    """One parameter change. Successive changes of the same parameter merge into one step,
    so stepping a spin box ten times is undone at once."""

    def __init__(self, doc: GraphDocument, node_id: str, name: str, old: Any, new: Any):
        super().__init__(f"Set {name} of '{node_id}'")
        self._doc, self.node_id, self.name, self._old, self._new = doc, node_id, name, old, new

    def id(self) -> int:
        return _SET_PARAM_ID

    def mergeWith(self, other: QUndoCommand) -> bool:
        if not isinstance(other, SetParamCommand) or (other.node_id, other.name) != (self.node_id, self.name):
            return False
        self._new = other._new
        return True

    def redo(self) -> None:
        self._doc.set_param(self.node_id, self.name, self._new)

    def undo(self) -> None:
        self._doc.set_param(self.node_id, self.name, self._old)


class RenameNodeCommand(QUndoCommand):
    def __init__(self, doc: GraphDocument, old_id: str, new_id: str):
        super().__init__(f"Rename '{old_id}' to '{new_id}'")
        self._doc, self._old, self._new = doc, old_id, new_id

    def redo(self) -> None:
        self._doc.rename_node(self._old, self._new)

    def undo(self) -> None:
        self._doc.rename_node(self._new, self._old)


class ApplySettingsCommand(QUndoCommand):
    """A change of project settings (data or training): `apply` puts a whole value in place."""

    def __init__(self, text: str, apply: Callable[[Any], None], old: Any, new: Any):
        super().__init__(text)
        self._apply, self._old, self._new = apply, old, new

    def redo(self) -> None:
        self._apply(self._new)

    def undo(self) -> None:
        self._apply(self._old)


def command_for_op(doc: GraphDocument, op) -> QUndoCommand:
    """The undoable command for one edit of an engine fix (engine.fixes.Op)."""
    args = op.args
    if op.kind == "add_node":
        return AddNodeCommand(doc, args["type"], args["params"], args["position"], args["id"])
    if op.kind == "set_param":
        old = doc.node(args["node"]).params[args["name"]]
        return SetParamCommand(doc, args["node"], args["name"], old, args["value"])
    if op.kind == "connect":
        return ConnectCommand(doc, args["edge"])
    if op.kind == "disconnect":
        return DisconnectCommand(doc, args["edge"])
    raise ValueError(f"unknown fix operation '{op.kind}'")
