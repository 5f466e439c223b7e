"""Project files in the window: save and reopen, broken files, unsaved-work prompts,
crash recovery, recent files and what the window remembers between starts."""

from __future__ import annotations

import json
import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import pytest  # noqa: E402
from PySide6.QtWidgets import QDockWidget, QFileDialog, QMessageBox  # noqa: E402

from engine.project import load_project, save_project  # noqa: E402
from gui import paths  # noqa: E402
from gui.recovery import AUTOSAVE_DELAY_MS, AUTOSAVE_MAX_WAIT_MS  # noqa: E402
from gui.testing import dialogs, make_window, small_project, snapshot, window  # noqa: E402,F401


@pytest.fixture
def save_dialog(monkeypatch, tmp_path):
    """The path the Save As dialog answers with."""
    target = tmp_path / "saved" / "model"
    monkeypatch.setattr(QFileDialog, "getSaveFileName", staticmethod(lambda *args, **kwargs: (str(target), "")))
    return target.with_suffix(".rsproj")


def _second_window(qtbot, tmp_path):
    other = make_window(tmp_path)
    qtbot.addWidget(other, before_close_func=lambda widget: widget.editor.mark_saved())
    return other


def test_save_close_and_reopen_gives_the_same_graph(window, qtbot, tmp_path, save_dialog):
    window.editor.set_project(small_project())
    window.editor.add_block("Dropout", (900.0, 40.0))
    window.editor.set_param("memory", "hidden_size", 24)
    assert window.isWindowModified() and "[*]" in window.windowTitle()
    window.actions.save.trigger()  # no path yet: Save asks where, like Save As
    assert save_dialog.exists() and not window.isWindowModified()
    saved = snapshot(window.project)
    window.close()
    reopened = _second_window(qtbot, tmp_path)
    assert reopened.files.open_path(save_dialog)
    assert snapshot(reopened.project) == saved
    assert reopened.windowTitle().startswith("model.rsproj")
    assert reopened.settings.recent_files()[0] == save_dialog.resolve()


@pytest.mark.parametrize(
    "content, words",
    [
        ("{not json", "is not valid JSON"),
        (
            json.dumps(
                {
                    "format": "recurrent-studio-project",
                    "version": 1,
                    "data": {"task": "adding"},
                    "graph": {"nodes": [{"id": "x", "type": "NoSuchBlock"}], "edges": []},
                }
            ),
            "NoSuchBlock",
        ),
    ],
)
def test_a_broken_file_shows_the_engine_message_and_keeps_the_current_work(window, tmp_path, dialogs, content, words):
    window.editor.set_project(small_project())
    window.editor.add_block("Linear", (0.0, 300.0))
    before, depth = snapshot(window.project), window.editor.undo_stack.count()
    broken = tmp_path / "broken.rsproj"
    broken.write_text(content, encoding="utf-8")
    assert not window.files.open_path(broken)
    [message] = dialogs.texts("critical")
    assert str(broken) in message and words in message
    assert snapshot(window.project) == before
    assert window.editor.undo_stack.count() == depth and window.isWindowModified()


def test_new_asks_before_losing_unsaved_work(window, dialogs, save_dialog):
    window.editor.set_project(small_project())
    window.editor.add_block("Linear", (0.0, 300.0))
    dialogs.answers["warning"] = QMessageBox.Cancel
    window.files.new_project()  # the start page's "Blank model" (File ▸ New… opens that page)
    assert len(window.editor.document) == 4
    dialogs.answers["warning"] = QMessageBox.Save
    window.files.new_project()
    assert save_dialog.exists() and len(load_project(save_dialog).graph) == 4
    assert len(window.editor.document) == 0 and not window.isWindowModified()


def test_quitting_with_unsaved_work_can_be_cancelled(window, dialogs):
    window.editor.set_project(small_project())
    window.editor.add_block("Linear", (0.0, 300.0))
    dialogs.answers["warning"] = QMessageBox.Cancel
    window.close()
    assert window.isVisible()
    assert "unsaved changes" in dialogs.texts("warning")[0]


def test_unsaved_work_is_autosaved_and_offered_after_a_crash(window, qtbot, tmp_path, dialogs):
    window.editor.set_project(small_project())
    window.editor.add_block("GRU", (0.0, 300.0))
    window.files.autosave()
    recovery = tmp_path / "recovery" / "recovery.rsproj"
    assert recovery.exists()
    edited = snapshot(window.project)
    # A crash: the window never closes normally, so the recovery file stays.
    dialogs.answers["question"] = QMessageBox.Yes
    restarted = _second_window(qtbot, tmp_path)
    restarted.files.start()
    assert "Recover it?" in dialogs.texts("question")[0]
    assert snapshot(restarted.project) == edited
    assert restarted.isWindowModified()
    restarted.editor.mark_saved()
    restarted.close()
    assert not recovery.exists()


def test_declining_recovery_discards_it(window, qtbot, tmp_path, dialogs):
    window.editor.set_project(small_project())
    window.editor.add_block("GRU", (0.0, 300.0))
    window.files.autosave()
    restarted = _second_window(qtbot, tmp_path)
    restarted.files.start()  # the recorder answers No
    assert not (tmp_path / "recovery" / "recovery.rsproj").exists()
    assert len(restarted.editor.document) != 4


def test_autosave_follows_an_edit_within_seconds(window, qtbot, tmp_path):
    window.editor.set_project(small_project())
    recovery = tmp_path / "recovery" / "recovery.rsproj"
    window.editor.add_block("GRU", (0.0, 300.0))
    assert not recovery.exists()  # not on every keystroke: after a pause
    qtbot.waitUntil(recovery.exists, timeout=AUTOSAVE_DELAY_MS + 3000)
    assert AUTOSAVE_DELAY_MS <= 5_000 and AUTOSAVE_MAX_WAIT_MS <= 30_000


def test_edits_that_never_pause_are_still_saved(qtbot, monkeypatch):
    from PySide6.QtCore import QObject

    from gui import recovery

    monkeypatch.setattr(recovery, "AUTOSAVE_DELAY_MS", 300)
    monkeypatch.setattr(recovery, "AUTOSAVE_MAX_WAIT_MS", 800)
    saves, parent = [], QObject()
    trigger = recovery.AutosaveTrigger(parent, lambda: saves.append(1))
    for _ in range(15):  # an edit every 100 ms for 1.5 s: the quiet countdown never runs out
        trigger.edited()
        qtbot.wait(100)
    assert len(saves) >= 1
    qtbot.waitUntil(lambda: len(saves) >= 2, timeout=2000)  # and the last burst once more


def _project_reading(folder, data_file):
    project = small_project()
    project.data = {"task": "text", "params": {"path": str(data_file), "length": 8}}
    path = folder / "reads_outside.rsproj"
    save_project(project, path)
    return path


def test_data_outside_the_project_folder_is_read_only_when_agreed(window, tmp_path, dialogs):
    secret = tmp_path / "elsewhere" / "id_rsa"
    secret.parent.mkdir()
    secret.write_text("not for training " * 10)
    (tmp_path / "projects").mkdir()
    path = _project_reading(tmp_path / "projects", secret)
    before = window.project
    assert not window.files.open_path(path)  # the recorder answers No
    assert window.project is before and str(secret) in dialogs.texts("question")[0]
    dialogs.answers["question"] = QMessageBox.Yes
    assert window.files.open_path(path) and window.project.path == path
    dialogs.answers["question"] = QMessageBox.No
    assert window.files.open_path(path)  # the folder is remembered: no second question
    assert len(dialogs.texts("question")) == 2


def test_data_inside_the_project_folder_is_read_without_a_question(window, tmp_path, dialogs):
    (tmp_path / "own.txt").write_text("plain text " * 10)
    assert window.files.open_path(_project_reading(tmp_path, tmp_path / "own.txt"))
    assert dialogs.texts("question") == []


def test_nothing_is_autosaved_when_nothing_is_unsaved(window, tmp_path):
    window.editor.set_project(small_project())
    window.files.autosave()
    assert not (tmp_path / "recovery" / "recovery.rsproj").exists()


def test_the_first_start_opens_an_example_and_later_starts_the_last_file(window, qtbot, tmp_path):
    window.files.start()
    example = load_project(paths.first_start_example())
    assert window.project.name == example.name and window.project.path is None
    assert len(window.editor.document) == len(example.graph)
    mine = small_project()
    save_project(mine, tmp_path / "mine.rsproj")
    window.settings.add_recent_file(tmp_path / "mine.rsproj")
    window.close()
    again = _second_window(qtbot, tmp_path)
    again.files.start()
    assert again.project.path == (tmp_path / "mine.rsproj").resolve()


def test_window_layout_and_recent_files_are_remembered(window, qtbot, tmp_path):
    window.findChild(QDockWidget, "dock_inspector").hide()
    window.settings.add_recent_file(tmp_path / "a.rsproj")
    window.close()
    assert window.settings.window_geometry() is not None
    again = _second_window(qtbot, tmp_path)
    assert again.findChild(QDockWidget, "dock_inspector").isHidden()
    assert not again.findChild(QDockWidget, "dock_blocks").isHidden()
    again.files.fill_recent_menu(again.menus.recent)
    assert str((tmp_path / "a.rsproj").resolve()) in [a.text() for a in again.menus.recent.actions()]


def test_examples_open_as_untitled_copies(window):
    window.files.fill_example_menu(window.menus.examples)
    entries = [a for a in window.menus.examples.actions() if a.isEnabled()]
    assert len(entries) == len(paths.example_projects()) > 0
    entries[0].trigger()
    assert window.project.path is None and len(window.editor.document) > 0
