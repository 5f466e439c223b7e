"""The window's training settings offer 'processes' (the same schema the CLI's --nproc
overrides); a run with 2 goes through gui.training.child's job, tested in test_distributed."""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from gui.testing import dialogs, small_project, window  # noqa: E402,F401


def test_processes_is_a_training_setting_in_the_window(window, qtbot):
    window.editor.set_project(small_project())
    form = window.inspector.project_form.training_form
    spin = form.widget("processes")
    assert spin.value() == 1
    spin.setValue(2)
    spin.editingFinished.emit()
    assert window.project.training["processes"] == 2
    window.editor.undo_stack.undo()
    assert window.project.training["processes"] == 1
