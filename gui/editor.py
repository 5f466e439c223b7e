"""DocumentEditor: the one owner of the open project, its undo stack and its analysis.

Every edit the window offers is a method here that pushes an undoable command; a refused
edit returns the reason as text and changes nothing. Validation runs on a zero-delay
single-shot timer after edits, so a burst of edits (a paste, an auto-layout) is validated
once, after the burst, and never inside a paint.
"""

from __future__ import annotations

import copy
from typing import Any

from PySide6.QtCore import QObject, QTimer, Signal
from PySide6.QtGui import QUndoStack
from PySide6.QtWidgets import QWidget

from engine.fixes import fixes_for_connection, fixes_for_diagnostic
from engine.graph import Edge, GraphDocument
from engine.project import Project
from engine.settings import TRAINING_PARAMS
from engine.validation import Analysis, validate

from . import clipboard
from .commands import (
    AddNodeCommand,
    ApplySettingsCommand,
    CompositeCommand,
    ConnectCommand,
    DisconnectCommand,
    MoveNodeCommand,
    RemoveNodeCommand,
    RenameNodeCommand,
    RestoreEdgeCommand,
    SetParamCommand,
    command_for_op,
)
from .layout import auto_layout_positions
from .reading_progress import showing_reading_progress

PASTE_OFFSET = 40.0


class DocumentEditor(QObject):
    project_replaced = Signal(object)  # Project: a new or opened project replaced the old one
    analysis_changed = Signal(object)  # Analysis: fresh validation results
    settings_changed = Signal()  # the project's data or training settings changed
    dirty_changed = Signal(bool)  # unsaved changes appeared or went away
    nodes_added = Signal(list)  # ids a paste or duplicate added, to select them

    def __init__(self, parent: QObject | None = None):
        super().__init__(parent)
        self.undo_stack = QUndoStack(self)
        self.undo_stack.cleanChanged.connect(lambda clean: self.dirty_changed.emit(self.is_dirty()))
        self._project = Project()
        self._analysis: Analysis | None = None
        self._unsaved_without_history = False  # e.g. recovered work: dirty though nothing to undo
        self._pastes = 0
        self.data_problem: str | None = None
        self._validation = QTimer(self, singleShot=True, interval=0)
        self._validation.timeout.connect(self._validate)
        self.document.changed.connect(self._schedule_validation)

    # -- the project --------------------------------------------------------------------
    @property
    def project(self) -> Project:
        return self._project

    @property
    def document(self) -> GraphDocument:
        return self._project.graph

    def set_project(self, project: Project, unsaved: bool = False) -> None:
        # First, while the editor still holds the old project whole: reading a big data file
        # lets the window paint and its timers run (validation, autosave, start-up).
        data_problem = self._read_signature(project)
        self.document.changed.disconnect(self._schedule_validation)
        self._project = project
        self._analysis = None  # listeners of project_replaced must not see the old analysis
        self.undo_stack.clear()
        self.undo_stack.setClean()
        self._unsaved_without_history = unsaved
        self.data_problem = data_problem
        project.graph.changed.connect(self._schedule_validation)
        self.project_replaced.emit(project)
        self.dirty_changed.emit(self.is_dirty())
        self._validate()

    def _read_signature(self, project: Project) -> str | None:
        """The project's data signature, read with a progress dialog for a big CSV file."""
        parent = self.parent()
        with showing_reading_progress(parent if isinstance(parent, QWidget) else None):
            return project.refresh_signature()

    def is_dirty(self) -> bool:
        return self._unsaved_without_history or not self.undo_stack.isClean()

    def mark_saved(self) -> None:
        self._unsaved_without_history = False
        self.undo_stack.setClean()
        self.dirty_changed.emit(False)

    # -- analysis -----------------------------------------------------------------------
    @property
    def analysis(self) -> Analysis:
        """The current analysis, validating first if an edit is still pending."""
        if self._analysis is None or self._validation.isActive():
            self._validate()
        return self._analysis

    def _schedule_validation(self) -> None:
        self._validation.start()

    def _validate(self) -> None:
        self._validation.stop()
        self._analysis = validate(self.document, self.document.data, self.project.training)
        self.analysis_changed.emit(self._analysis)

    # -- node edits ---------------------------------------------------------------------
    def add_block(self, type_name: str, position: tuple[float, float]) -> str:
        node_id = self.document.unique_id(type_name)
        self.undo_stack.push(AddNodeCommand(self.document, type_name, {}, position, node_id))
        return node_id

    def delete(self, node_ids: list[str], edges: list[Edge] = (), text: str = "Delete") -> None:
        doomed = set(node_ids)
        loose = [e for e in edges if e.source not in doomed and e.target not in doomed]
        if not doomed and not loose:
            return
        edit = CompositeCommand(_describe(text, len(doomed), len(loose)))
        for edge in loose:
            edit.add(DisconnectCommand(self.document, edge))
        for node_id in node_ids:
            edit.add(RemoveNodeCommand(self.document, node_id))
        self.undo_stack.push(edit)

    def move_nodes(self, positions: dict[str, tuple[float, float]], text: str = "Move") -> None:
        edit = CompositeCommand(_describe(text, len(positions), 0))
        for node_id, new in positions.items():
            old = self.document.node(node_id).position
            if tuple(new) != old:
                edit.add(MoveNodeCommand(self.document, node_id, old, tuple(new)))
        if edit.children:
            self.undo_stack.push(edit)

    def set_param(self, node_id: str, name: str, value: Any) -> str | None:
        node = self.document.node(node_id)
        try:
            value = node.spec.param(name).check(value)
        except (KeyError, ValueError) as error:
            return str(error.args[0])
        if value != node.params[name]:
            self.undo_stack.push(SetParamCommand(self.document, node_id, name, node.params[name], value))
        return None

    def rename_node(self, node_id: str, new_id: str) -> str | None:
        if new_id == node_id:
            return None
        problem = self.document.id_problem(new_id)
        if problem is None:
            self.undo_stack.push(RenameNodeCommand(self.document, node_id, new_id))
        return problem

    def auto_layout(self) -> None:
        self.move_nodes(auto_layout_positions(self.document), "Auto-layout")

    # -- connections (the canvas's LinkHandler) -----------------------------------------
    def connection_problem(self, edge: Edge) -> str | None:
        problem = self.document.connection_problem(edge)
        return str(problem) if problem else None

    def connect_ports(self, edge: Edge) -> str | None:
        problem = self.connection_problem(edge)
        if problem is None:
            self.undo_stack.push(ConnectCommand(self.document, edge))
        return problem

    def reconnect(self, old: Edge, new: Edge) -> str | None:
        problem = self.connection_problem(new)
        if problem is None:
            edit = CompositeCommand(f"Reconnect '{new.source}' to '{new.target}'")
            edit.add(DisconnectCommand(self.document, old))
            edit.add(ConnectCommand(self.document, new))
            self.undo_stack.push(edit)
        return problem

    def disconnect(self, edge: Edge) -> None:
        self.undo_stack.push(DisconnectCommand(self.document, edge))

    def disconnect_all(self, node_id: str) -> None:
        wires = self.document.incoming(node_id) + self.document.outgoing(node_id)
        if wires:
            edit = CompositeCommand(f"Disconnect '{node_id}'")
            for edge in wires:
                edit.add(DisconnectCommand(self.document, edge))
            self.undo_stack.push(edit)

    # -- fix-its (engine.fixes) ---------------------------------------------------------
    def fixes_for_connection(self, edge: Edge) -> list:
        return fixes_for_connection(self.document, edge)

    def fixes_for_diagnostic(self, diagnostic) -> list:
        if diagnostic.node is None or diagnostic.port is None or not self.document.has_node(diagnostic.node):
            return []
        return fixes_for_diagnostic(self.document, diagnostic.node, diagnostic.port)

    def apply_fix(self, fix) -> None:
        """The fix's edits as one undoable step."""
        edit = CompositeCommand(fix.title)
        for op in fix.ops:
            edit.add(command_for_op(self.document, op))
        self.undo_stack.push(edit)

    # -- clipboard ----------------------------------------------------------------------
    def copy(self, node_ids: list[str]) -> None:
        if node_ids:
            clipboard.put_on_clipboard(clipboard.make_fragment(self.document, node_ids))
            self._pastes = 0

    def cut(self, node_ids: list[str]) -> None:
        self.copy(node_ids)
        self.delete(node_ids, text="Cut")

    def paste(self, at: tuple[float, float] | None = None) -> list[str]:
        """Paste the clipboard's blocks with their top-left block at `at` (the mouse, in scene
        coordinates), or, without a point, a step further down-right at each paste."""
        fragment = clipboard.fragment_on_clipboard()
        if not fragment:
            return []
        self._pastes += 1
        return self._add_fragment(fragment, _offset(fragment, at, PASTE_OFFSET * self._pastes), "Paste")

    def duplicate(self, node_ids: list[str], at: tuple[float, float] | None = None) -> list[str]:
        if not node_ids:
            return []
        fragment = clipboard.make_fragment(self.document, node_ids)
        return self._add_fragment(fragment, _offset(fragment, at, PASTE_OFFSET), "Duplicate")

    def _add_fragment(self, fragment: dict, offset: tuple[float, float], text: str) -> list[str]:
        nodes, edges = clipboard.plan_paste(self.document, fragment, offset)
        edit = CompositeCommand(_describe(text, len(nodes), 0))
        for node_id, type_name, params, position in nodes:
            edit.add(AddNodeCommand(self.document, type_name, params, position, node_id))
        for edge in edges:
            edit.add(RestoreEdgeCommand(self.document, edge))
        self.undo_stack.push(edit)
        ids = [node[0] for node in nodes]
        self.nodes_added.emit(ids)
        return ids

    # -- project settings ---------------------------------------------------------------
    def set_data_settings(self, settings: dict[str, Any]) -> None:
        old = copy.deepcopy(self.project.data)
        if settings != old:
            self.undo_stack.push(
                ApplySettingsCommand("Change data settings", self._apply_data, old, copy.deepcopy(settings))
            )

    def set_training_setting(self, name: str, value: Any) -> str | None:
        param = next(p for p in TRAINING_PARAMS if p.name == name)
        try:
            value = param.check(value)
        except ValueError as error:
            return str(error)
        old = dict(self.project.training)
        if old[name] != value:
            self.undo_stack.push(
                ApplySettingsCommand(f"Set training {name}", self._apply_training, old, {**old, name: value})
            )
        return None

    def set_project_info(self, name: str, description: str) -> None:
        """Rename or describe the project (one undoable edit)."""
        old = (self.project.name, self.project.description)
        if (name, description) != old:
            self.undo_stack.push(ApplySettingsCommand("Rename project", self._apply_info, old, (name, description)))

    def _apply_info(self, info: tuple[str, str]) -> None:
        self.project.name, self.project.description = info
        self.settings_changed.emit()

    def _apply_data(self, settings: dict[str, Any]) -> None:
        self.project.data = copy.deepcopy(settings)
        self.data_problem = self._read_signature(self.project)
        self.settings_changed.emit()
        self._schedule_validation()  # new data can change every inferred shape

    def _apply_training(self, settings: dict[str, Any]) -> None:
        self.project.training = dict(settings)
        self.settings_changed.emit()
        self._schedule_validation()  # batch size and length change the memory estimate


def _offset(fragment: dict, at: tuple[float, float] | None, step: float) -> tuple[float, float]:
    """How far to move a fragment: its top-left block to `at`, or `step` down and right."""
    if at is None or not fragment["nodes"]:
        return (step, step)
    left = min(entry["position"][0] for entry in fragment["nodes"])
    top = min(entry["position"][1] for entry in fragment["nodes"])
    return (at[0] - left, at[1] - top)


def _describe(verb: str, nodes: int, edges: int) -> str:
    parts = [
        f"{nodes} block{'s' if nodes != 1 else ''}" if nodes else "",
        f"{edges} connection{'s' if edges != 1 else ''}" if edges else "",
    ]
    return " ".join([verb] + [" and ".join(p for p in parts if p)]).strip()
