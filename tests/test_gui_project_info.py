"""The project can be named and described in the inspector: one undoable edit each, and the
name is what the title, the suggested file name and the run folders use."""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtWidgets import QFileDialog  # noqa: E402

from gui.project_info import ProjectInfoForm  # noqa: E402
from gui.testing import dialogs, small_project, window  # noqa: E402,F401


def test_the_project_is_named_and_described_in_the_inspector(window, monkeypatch, tmp_path):
    window.editor.set_project(small_project())
    window.scene.select_nodes([])
    [form] = window.inspector.findChildren(ProjectInfoForm)
    form.name.setText("Adder")
    form.name.editingFinished.emit()
    form.description.setPlainText("Sums two marked numbers.")
    form._commit()
    project = window.project
    assert (project.name, project.description) == ("Adder", "Sums two marked numbers.")
    assert window.windowTitle().startswith("Adder")
    seen = []
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda parent, title, start, *a: seen.append(start) or ("", ""))
    window.files.save_as()
    assert seen[0].endswith("adder.rsproj")
    window.editor.undo_stack.undo()
    assert project.description == "" and project.name == "Adder"
    window.editor.undo_stack.undo()
    assert project.name != "Adder" and form.name.text() == project.name
