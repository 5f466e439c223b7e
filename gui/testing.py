"""Helpers for driving the real window in pytest-qt tests on the offscreen platform.

Real QDrag drops never arrive offscreen, so a palette drop is the palette's own mime data
sent as QDragEnter/QDragMove/QDrop events to the canvas viewport; wires are dragged with
QTest mouse events on the viewport. Windows use throwaway settings and recovery folders,
never the user's.
"""

from __future__ import annotations

import copy
from pathlib import Path

import pytest
from PySide6.QtCore import QPointF, QSettings, Qt
from PySide6.QtGui import QDragEnterEvent, QDragMoveEvent, QDropEvent
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QMessageBox

from engine.project import Project

from .main_window import MainWindow
from .recovery import RecoveryStore
from .settings import AppSettings


def make_window(folder: Path) -> MainWindow:
    settings = AppSettings(QSettings(str(folder / "settings.ini"), QSettings.IniFormat))
    window = MainWindow(settings, RecoveryStore(folder / "recovery"))
    window.show()
    return window


class DialogRecorder:
    """Stands in for QMessageBox's static dialogs: records them and answers at once, so a
    test can never hang on a modal dialog. Set `answers[kind]` to choose a button."""

    KINDS = ("critical", "warning", "question", "information")

    def __init__(self):
        self.shown: list[tuple[str, str, str]] = []
        self.answers = {
            "critical": QMessageBox.Ok,
            "warning": QMessageBox.Cancel,
            "question": QMessageBox.No,
            "information": QMessageBox.Ok,
        }

    def install(self, monkeypatch) -> None:
        for kind in self.KINDS:
            monkeypatch.setattr(QMessageBox, kind, self._answerer(kind))

    def _answerer(self, kind: str):
        def answer(parent, title, text, *args, **kwargs):
            self.shown.append((kind, title, text))
            return self.answers[kind]

        return staticmethod(answer)

    def texts(self, kind: str) -> list[str]:
        return [text for shown_kind, _, text in self.shown if shown_kind == kind]


@pytest.fixture
def dialogs(monkeypatch) -> DialogRecorder:
    recorder = DialogRecorder()
    recorder.install(monkeypatch)
    return recorder


@pytest.fixture
def window(qtbot, tmp_path, dialogs):
    """A shown main window with throwaway settings; closed without prompts afterwards."""
    main = make_window(tmp_path)
    qtbot.addWidget(main, before_close_func=lambda widget: widget.editor.mark_saved())
    return main


def snapshot(project: Project) -> dict:
    """The project exactly as saved, node and edge order included: the order decides the
    order in which the compiler builds and seeds modules, so undo must restore it too."""
    return copy.deepcopy(project.to_dict())


def drop_block(window: MainWindow, type_name: str, scene_pos: QPointF) -> None:
    """Drop `type_name` from the palette at `scene_pos`, as a drag from the palette would."""
    drop_mime(window.view, window.palette.mime_data_for(type_name), scene_pos)


def drop_mime(view, mime, scene_pos: QPointF) -> None:
    """Drag-enter, move and drop `mime` on `view` at `scene_pos`."""
    viewport = view.viewport()
    where = QPointF(view.mapFromScene(scene_pos))
    buttons, modifiers = Qt.LeftButton, Qt.NoModifier
    for event in (
        QDragEnterEvent(where.toPoint(), Qt.CopyAction, mime, buttons, modifiers),
        QDragMoveEvent(where.toPoint(), Qt.CopyAction, mime, buttons, modifiers),
        QDropEvent(where, Qt.CopyAction, mime, buttons, modifiers),
    ):
        QApplication.sendEvent(viewport, event)


def mouse_drag(window: MainWindow, start: QPointF, end: QPointF, steps: int = 4) -> None:
    """Press at scene point `start`, move in steps, release at scene point `end`."""
    view, viewport = window.view, window.view.viewport()
    a, b = view.mapFromScene(start), view.mapFromScene(end)
    QTest.mousePress(viewport, Qt.LeftButton, Qt.NoModifier, a)
    for step in range(1, steps + 1):
        QTest.mouseMove(viewport, a + (b - a) * step / steps)
    QTest.mouseRelease(viewport, Qt.LeftButton, Qt.NoModifier, b)


def port_position(window: MainWindow, node_id: str, port: str = "out") -> QPointF:
    item = window.scene.node_item(node_id)
    port_item = item.output if item.output is not None and item.output.name == port else item.inputs[port]
    return port_item.scenePos()


def small_project() -> Project:
    """input → memory (LSTM, last step) → head (Regression), on the adding task."""
    project = Project(data={"task": "adding", "params": {"length": 20}})
    doc = project.graph
    doc.add_node("SequenceInput", position=(0.0, 0.0), node_id="input")
    doc.add_node("LSTM", {"hidden_size": 16, "output": "last"}, position=(300.0, 0.0), node_id="memory")
    doc.add_node("Regression", position=(600.0, 0.0), node_id="head")
    doc.connect("input", "out", "memory", "in")
    doc.connect("memory", "out", "head", "in")
    return project
