"""The first hour: the start page (first start and File ▸ New…), the empty-canvas hint,
Help ▸ Getting Started and Keyboard Shortcuts, and shortcuts that work (Ctrl+Q, Ctrl+Y,
Ctrl+=)."""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtGui import QKeySequence  # noqa: E402
from PySide6.QtWidgets import QFileDialog, QMessageBox  # noqa: E402

from engine.project import load_project, save_project  # noqa: E402
from gui import paths  # noqa: E402
from gui.help_pages import TextPage, shortcut_rows  # noqa: E402
from gui.start_page import StartPage  # noqa: E402
from gui.testing import dialogs, small_project, window  # noqa: E402,F401


def start_page(window) -> StartPage:
    page = window.findChild(StartPage, "startPage")
    assert page is not None and page.isVisible()
    return page


def test_the_first_start_shows_the_start_page_over_an_example(window):
    window.files.start()
    page = start_page(window)
    titles = [page.examples.item(i).text().split("\n")[0] for i in range(page.examples.count())]
    assert titles == [load_project(p).name for p in paths.example_projects()]
    assert "long-range dependency" in page.examples.item(titles.index("Adding problem, length 50 (LSTM)")).text()
    page.open_example(paths.example_projects()[0])
    assert not page.isVisible() and window.project.path is None
    assert window.project.name == titles[0]


def test_new_opens_the_start_page_and_blank_asks_before_losing_work(window, dialogs):
    window.editor.set_project(small_project())
    window.editor.add_block("Linear", (0.0, 300.0))
    window.actions.new.trigger()
    dialogs.answers["warning"] = QMessageBox.Discard
    start_page(window).blank.click()
    assert dialogs.texts("warning") and len(window.editor.document) == 0
    assert window.view._hint.isVisible() and "Drag blocks" in window.view._hint.text()
    window.editor.add_block("Linear", (0.0, 0.0))
    assert window.editor.analysis is not None  # validation runs, the window follows
    assert not window.view._hint.isVisible()


def test_recent_projects_are_listed_and_open(window, tmp_path):
    save_project(small_project(), tmp_path / "mine.rsproj")
    window.settings.add_recent_file(tmp_path / "mine.rsproj")
    window.show_start_page()
    page = start_page(window)
    assert page.recent.item(0).text().startswith("mine.rsproj")
    page.recent.itemActivated.emit(page.recent.item(0))
    assert window.project.path == (tmp_path / "mine.rsproj").resolve()


def test_from_a_data_file_makes_and_opens_a_model(window, tmp_path, monkeypatch):
    data = tmp_path / "series.csv"
    data.write_text("value\n" + "\n".join(str((i % 12) / 12) for i in range(400)) + "\n")
    window.show_start_page()
    project = start_page(window).choose_data_file(data, tmp_path / "series.rsproj")
    assert project is not None, "create_project refused a plain CSV series"
    assert window.project.path == project.resolve() and window.editor.analysis.ok


def test_help_pages_and_shortcuts(window):
    window.actions.getting_started.trigger()
    page = window.findChild(TextPage, "gettingStarted")
    assert page.isVisible() and "Drag blocks" in page.browser.toPlainText()
    rows = dict(shortcut_rows(window))
    assert rows["Quit"] == QKeySequence("Ctrl+Q").toString(QKeySequence.NativeText)  # once: not ambiguous
    assert "Ctrl+Y" in rows["Redo"] and "Ctrl+=" in rows["Zoom In"] and rows["Train"] == "Ctrl+R, F5"
    window.actions.shortcuts.trigger()
    assert "Ctrl+R" in window.findChild(TextPage, "keyboardShortcuts").browser.toPlainText()


def test_file_dialogs_open_in_the_project_folder(window, tmp_path, monkeypatch):
    project = small_project()
    save_project(project, tmp_path / "mine.rsproj")
    window.files.open_path(tmp_path / "mine.rsproj")
    seen = []
    monkeypatch.setattr(QFileDialog, "getOpenFileName", lambda parent, title, start, *a: seen.append(start) or ("", ""))
    window.files.open_dialog()
    assert seen == [str(tmp_path.resolve())]
