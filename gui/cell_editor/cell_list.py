"""The palette's cell section: a blank cell, the templates, then the user's cell library, one row each;
double-click (or Enter) adds a Custom cell block holding that cell. The library is read
again whenever it is shown, so cells saved from the editor appear without a restart."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QListWidget, QListWidgetItem

from engine.cells.library import list_library
from engine.cells.templates import TEMPLATES, blank

_CELL_ROLE = Qt.UserRole


class CellList(QListWidget):
    cell_activated = Signal(dict)  # the cell dict to put in a new Custom cell block

    def __init__(self, library_folder: Path | None, parent=None):
        super().__init__(parent)
        self.library_folder = library_folder
        self.setObjectName("cell_list")
        self.setToolTip("Cells to add as a Custom cell block: double-click one")
        self.itemActivated.connect(self._on_activated)
        self.reload()

    def reload(self) -> None:
        self.clear()
        self._add("Blank cell (x and h only)", "Start from nothing: draw every node yourself", blank())
        for template in TEMPLATES.values():
            self._add(f"{template.name} (template)", template.description, template.make())
        for entry in list_library(self.library_folder) if self.library_folder else []:
            if entry.cell is None:
                row = QListWidgetItem(f"{entry.path.name} (unreadable)")
                row.setToolTip(entry.problem)
                row.setFlags(Qt.ItemIsEnabled)
                self.addItem(row)
            else:
                self._add(f"{entry.name} (library)", entry.cell.description, entry.cell.to_dict())

    def _add(self, title: str, description: str, cell: dict) -> None:
        row = QListWidgetItem(title)
        row.setToolTip(description)
        row.setData(_CELL_ROLE, cell)
        self.addItem(row)

    def showEvent(self, event) -> None:
        self.reload()
        super().showEvent(event)

    def _on_activated(self, row: QListWidgetItem) -> None:
        cell = row.data(_CELL_ROLE)
        if cell:
            self.cell_activated.emit(cell)
