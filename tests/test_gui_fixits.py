"""Fix-its in the window: a refused wire says why over the canvas and offers the engine's
fixes as buttons; one click applies one as a single undoable step. The Problems panel lists
the same fixes under a problem on an existing wire."""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtCore import Qt  # noqa: E402
from PySide6.QtTest import QTest  # noqa: E402

from engine.graph import Edge  # noqa: E402
from gui.testing import dialogs, mouse_drag, port_position, small_project, snapshot, window  # noqa: E402,F401


def sequence_output_project():
    project = small_project()
    project.graph.set_param("memory", "output", "sequence")  # the newcomer's first wiring
    project.graph.disconnect(Edge("memory", "out", "head", "in"))
    return project


def test_a_refused_wire_offers_fixes_and_one_click_applies_one_undoable_fix(window, qtbot):
    window.editor.set_project(sequence_output_project())
    before = snapshot(window.project)
    mouse_drag(window, port_position(window, "memory"), port_position(window, "head", "in"))

    bar = window.fix_bar
    assert bar.isVisible() and "takes a vector" in bar.message.text()
    assert [b.text() for b in bar.buttons] == [
        "Set LSTM 'memory' output to 'last'",
        "Insert a LastStep between 'memory' and 'head'",
        "Insert a MeanOverTime between 'memory' and 'head'",
    ]
    QTest.mouseClick(bar.buttons[1], Qt.LeftButton)
    assert not bar.isVisible()
    doc = window.editor.document
    assert {(e.source, e.target) for e in doc.edges()} >= {("memory", "last_step_1"), ("last_step_1", "head")}
    assert window.editor.analysis.ok
    window.editor.undo_stack.undo()  # the whole fix is one step
    assert snapshot(window.project) == before


def test_the_problems_panel_lists_the_fix_for_a_wire_that_does_not_fit(window, qtbot):
    project = small_project()
    project.graph.set_param("memory", "output", "sequence")  # the wire stays, now wrong
    window.editor.set_project(project)
    fixes = window.problems.fix_items()
    assert [item.text(1) for item in fixes][:1] == ["Fix: Set LSTM 'memory' output to 'last'"]
    window.problems.itemClicked.emit(fixes[0], 1)
    qtbot.waitUntil(lambda: window.editor.analysis.ok, timeout=2000)
    assert window.editor.document.node("memory").params["output"] == "last"
