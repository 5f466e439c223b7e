"""The project's name and description, edited at the top of the inspector when nothing is
selected. The name names the file suggested on first save, the run folders and the
exported code; each change is one undoable edit (editor.set_project_info)."""

from __future__ import annotations

from PySide6.QtWidgets import QFormLayout, QLineEdit, QPlainTextEdit, QWidget

DESCRIPTION_LINES = 3


class ProjectInfoForm(QWidget):
    def __init__(self, editor):
        super().__init__()
        self._editor = editor
        self.name = QLineEdit(
            placeholderText="Untitled", toolTip="The project's name: file, run folders, exported code"
        )
        self.name.setStyleSheet("font-size: 13pt; font-weight: 600")
        self.name.editingFinished.connect(self._commit)
        self.description = QPlainTextEdit(placeholderText="What this model is for (optional)")
        self.description.setTabChangesFocus(True)
        lines = self.description.fontMetrics().lineSpacing() * DESCRIPTION_LINES
        self.description.setFixedHeight(lines + 12)
        self.description.focusOutEvent = self._description_left(self.description.focusOutEvent)
        layout = QFormLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addRow(self.name)
        layout.addRow(self.description)

    def _description_left(self, original):
        def focus_out(event):
            self._commit()
            original(event)

        return focus_out

    def refresh(self) -> None:
        project = self._editor.project
        if self.name.text() != project.name:
            self.name.setText(project.name)
        if self.description.toPlainText() != project.description:
            self.description.setPlainText(project.description)

    def _commit(self) -> None:
        name = self.name.text().strip() or self._editor.project.name
        self._editor.set_project_info(name, self.description.toPlainText().strip())
        self.refresh()
