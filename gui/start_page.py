"""The start page: what to begin with. Shown on the very first start and by File ▸ New.

Three ways in: a blank model, a model made for a data file (engine.new_project, what
`main.py new` does), or an example (its title and one-line description); and the recent
projects. Every choice goes through ProjectFiles, so unsaved work is asked about first.
The page does not block the window (it is opened, never exec'd).
"""

from __future__ import annotations

import json
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QDialog,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QMessageBox,
    QPushButton,
    QVBoxLayout,
)

from . import paths

_PATH_ROLE = Qt.UserRole
DATA_FILTER = "Data files (*.csv *.txt *.text *.md);;All files (*)"


def example_summary(path: Path) -> tuple[str, str]:
    """An example's title and first sentence, read as plain JSON (no data is loaded)."""
    try:
        content = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return path.stem.replace("_", " "), ""
    description = str(content.get("description") or "")
    first = description.split(". ")[0].rstrip(".")
    return str(content.get("name") or path.stem.replace("_", " ")), (first + "." if first else "")


class StartPage(QDialog):
    def __init__(self, window):
        super().__init__(window)
        self.window = window
        self.setObjectName("startPage")
        self.setWindowTitle("Start — Recurrent Studio")
        self.resize(760, 560)
        self.blank = QPushButton("Blank model", toolTip="An empty canvas: drag blocks from the palette")
        self.from_data = QPushButton("From a data file…", toolTip="A ready model for your CSV series or text file")
        self.blank.clicked.connect(self.choose_blank)
        self.from_data.clicked.connect(lambda: self.choose_data_file())
        self.examples = self._list("Double-click an example to open a copy of it")
        for path in paths.example_projects():
            title, description = example_summary(path)
            self._add(self.examples, f"{title}\n{description}" if description else title, path)
        self.examples.itemActivated.connect(lambda item: self.open_example(item.data(_PATH_ROLE)))
        self.recent = self._list("Double-click to open")
        for path in window.settings.recent_files():
            self._add(self.recent, f"{path.name}\n{path.parent}", path)
        if not self.recent.count():
            self.recent.addItem("No recent projects yet")
        self.recent.itemActivated.connect(self._open_recent)
        self._lay_out()

    def _list(self, tip: str) -> QListWidget:
        widget = QListWidget(toolTip=tip, wordWrap=True, alternatingRowColors=True)
        widget.setSpacing(2)
        return widget

    @staticmethod
    def _add(widget: QListWidget, text: str, path: Path) -> None:
        item = QListWidgetItem(text)
        item.setData(_PATH_ROLE, path)
        widget.addItem(item)

    def _lay_out(self) -> None:
        new_row = QHBoxLayout()
        new_row.addWidget(self.blank)
        new_row.addWidget(self.from_data)
        new_row.addStretch(1)
        columns = QHBoxLayout()
        for title, widget, stretch in (("Examples", self.examples, 3), ("Recent projects", self.recent, 2)):
            column = QVBoxLayout()
            column.addWidget(QLabel(f"<b>{title}</b>"))
            column.addWidget(widget, 1)
            columns.addLayout(column, stretch)
        close = QPushButton("Close")
        close.clicked.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(QLabel("<h2>Start</h2>Build a recurrent model, train it, and watch inside it as it learns."))
        layout.addLayout(new_row)
        layout.addLayout(columns, 1)
        layout.addWidget(close, 0, Qt.AlignRight)

    # -- choices ------------------------------------------------------------------------
    def choose_blank(self) -> None:
        self.accept()
        self.window.files.new_project()

    def open_example(self, path: Path) -> None:
        self.accept()
        self.window.files.open_if_saved(path, as_example=True)

    def _open_recent(self, item: QListWidgetItem) -> None:
        path = item.data(_PATH_ROLE)
        if path is not None:
            self.accept()
            self.window.files.open_if_saved(path)

    def choose_data_file(self, data: Path | None = None, project: Path | None = None) -> Path | None:
        """Ask for the data file and where to save the project, make it, open it."""
        start = str(self.window.files.dialog_folder())
        if data is None:
            chosen, _ = QFileDialog.getOpenFileName(self, "Data file for a new model", start, DATA_FILTER)
            data = Path(chosen) if chosen else None
        if data is not None and project is None:
            suggestion = str(data.with_suffix(".rsproj"))
            chosen, _ = QFileDialog.getSaveFileName(self, "Save the new project as", suggestion, "Projects (*.rsproj)")
            project = Path(chosen) if chosen else None
        if data is None or project is None:
            return None
        return self._create(data, project)

    def _create(self, data: Path, project: Path) -> Path | None:
        from engine.errors import UserError
        from engine.new_project import NewProjectChoices, create_project

        try:
            _, notes = create_project(project, NewProjectChoices(data=str(data)))
        except (UserError, OSError) as error:
            QMessageBox.warning(self, "Cannot make a model for this file", str(error))
            return None
        self.accept()
        if self.window.files.open_if_saved(project):
            self.window.show_message(f"New model for {data.name}: " + "; ".join(notes))
        return project
