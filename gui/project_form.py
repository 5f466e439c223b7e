"""The project's settings, shown when nothing is selected: the data (a built-in task and its
parameters, or a CSV/text file with a preview and its columns) and the training settings.
Every change is an undoable edit through the editor.
"""

from __future__ import annotations

from html import escape
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHeaderView,
    QLabel,
    QPlainTextEdit,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from engine.data import TASKS, DataError, csv_preview, text_preview
from engine.data.files import SAMPLE_CSV, SAMPLE_TEXT, resolve_path
from engine.data.real_series import PREFIX, REAL_SERIES, builtin_path, is_builtin
from engine.data.registry import data_summary
from engine.settings import TRAINING_PARAMS
from engine.shapes import input_words, target_words

from . import theme
from .forms import ParamForm, compact_combo
from .project_info import ProjectInfoForm

PREVIEW_ROWS = 8


def _title(text: str) -> QLabel:
    label = QLabel(text)
    label.setObjectName("sectionTitle")
    return label


class ProjectForm(QWidget):
    def __init__(self, editor, report):
        super().__init__()
        self._editor, self._report = editor, report
        self._task_form: ParamForm | None = None
        self._form_task: str | None = None
        self._previewed: tuple[str, str] | None = None
        self._preview_failed = False
        self._layout = QVBoxLayout(self)
        self._layout.setContentsMargins(12, 12, 12, 12)
        self._layout.setSpacing(8)
        self.info = ProjectInfoForm(editor)  # the project's name and description, editable
        self._layout.addWidget(self.info)
        self._build_data_section()
        self._build_training_section()
        self._layout.addStretch(1)

    @property
    def data_form(self) -> ParamForm | None:
        return self._task_form

    def _build_data_section(self) -> None:
        self._layout.addWidget(_title("Data"))
        self.task = compact_combo()
        for spec in TASKS.values():
            self.task.addItem(spec.title, spec.name)
        self.task.activated.connect(self._choose_task)
        self.task.setToolTip("Where the data comes from: a built-in task or your own file")
        self._layout.addWidget(self.task)
        self.task_description = QLabel(wordWrap=True, objectName="dim")
        self._layout.addWidget(self.task_description)
        self.signature = QLabel(textFormat=Qt.RichText, wordWrap=True)
        self._layout.addWidget(self.signature)
        self._task_form_slot = QVBoxLayout()
        self._layout.addLayout(self._task_form_slot)
        self.preview_title = QLabel(objectName="dim")
        self.preview_table = QTableWidget(editTriggers=QAbstractItemView.NoEditTriggers, maximumHeight=200)
        self.preview_table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeToContents)
        self.preview_table.verticalHeader().hide()
        self.preview_table.verticalHeader().setDefaultSectionSize(22)
        self.preview_text = QPlainTextEdit(readOnly=True, maximumHeight=160, objectName="preview")
        self.preview_text.setLineWrapMode(QPlainTextEdit.NoWrap)
        # Classification files: class balance and vocabulary (the task's summary_fn).
        self.data_summary = QLabel(wordWrap=True, objectName="dim", visible=False)
        for widget in (self.preview_title, self.preview_table, self.preview_text, self.data_summary):
            self._layout.addWidget(widget)

    def _build_training_section(self) -> None:
        self._layout.addWidget(_title("Training"))
        self.training_form = ParamForm(TRAINING_PARAMS)
        self.training_form.edited.connect(self._set_training)
        self._layout.addWidget(self.training_form)

    # -- refreshing -----------------------------------------------------------------------
    def rebuild(self) -> None:
        """Forget what was built for the previous project."""
        self._form_task, self._previewed = None, None
        self.refresh()

    def refresh(self) -> None:
        project = self._editor.project
        self.info.refresh()
        spec = TASKS.get(project.data["task"])
        self.task.setCurrentIndex(max(self.task.findData(project.data["task"]), 0))
        self.task_description.setText(spec.description if spec else "")
        if spec is not None and spec.name != self._form_task:
            self._make_task_form(spec)
        values = {**spec.defaults(), **project.data.get("params", {})} if spec else {}
        self._refresh_preview(spec, values)
        self._refresh_summary(spec, project)
        if self._task_form is not None:
            self._task_form.set_values(values)
        self.training_form.set_values(project.training)
        self.signature.setText(self._signature_html())

    def _make_task_form(self, spec) -> None:
        if self._task_form is not None:
            self._task_form.setParent(None)
            self._task_form.deleteLater()
        self._task_form = ParamForm(spec.params)
        self._task_form.edited.connect(self._set_data_param)
        self._task_form_slot.addWidget(self._task_form)
        self._form_task, self._previewed = spec.name, None

    def _refresh_preview(self, spec, values: dict) -> None:
        source = _preview_source(spec, values, self._editor.project.base_dir)
        self.preview_title.setVisible(source is not None)
        if source is None:
            self.preview_table.hide()
            self.preview_text.hide()
            return
        if source != self._previewed:
            self._previewed = source
            self._preview_failed = not self._load_preview(*source)
        show_table = source[0] == "csv" and not self._preview_failed
        self.preview_table.setVisible(show_table)
        self.preview_text.setVisible(not show_table)

    def _refresh_summary(self, spec, project) -> None:
        summary = None
        if spec is not None and spec.summary_fn is not None:
            try:
                summary = data_summary(project.data, project.base_dir)
            except DataError:
                summary = None  # the signature line above already says what is wrong
        self.data_summary.setVisible(summary is not None)
        self.data_summary.setText(summary or "")

    def _load_preview(self, kind: str, path: str) -> bool:
        """Fill the preview from the file; on failure show why and return False."""
        self.preview_title.setText(f"Preview of {Path(path).name}")
        self.preview_title.setToolTip(_builtin_credit(self._editor.project.data))
        try:
            if kind == "csv":
                self._show_csv(path)
            else:
                self.preview_text.setPlainText("\n".join(text_preview(path, PREVIEW_ROWS)))
        except DataError as error:
            self.preview_text.setPlainText(str(error))
            if kind == "csv" and self._task_form is not None:
                self._task_form.set_column_choices([])  # not the previous file's columns
            return False
        return True

    def _show_csv(self, path: str) -> None:
        header, rows = csv_preview(path, PREVIEW_ROWS)
        table = self.preview_table
        table.clear()
        table.setColumnCount(len(header))
        table.setRowCount(len(rows))
        table.setHorizontalHeaderLabels(header)
        for r, row in enumerate(rows):
            for c, cell in enumerate(row[: len(header)]):
                table.setItem(r, c, QTableWidgetItem(cell))
        if self._task_form is not None:
            self._task_form.set_column_choices(header)

    def _signature_html(self) -> str:
        problem = self._editor.data_problem
        if problem:
            return f"<span style='color:{theme.COLORS['error']}'>● {escape(problem)}</span>"
        signature = self._editor.document.data
        if signature is None:
            return ""
        dim = theme.COLORS["text_dim"]
        return (
            f"<span style='color:{dim}'>The model reads</span> {escape(input_words(signature))}<br>"
            f"<span style='color:{dim}'>and predicts</span> {escape(target_words(signature))}"
        )

    # -- edits ----------------------------------------------------------------------------
    def _choose_task(self, index: int) -> None:
        self._editor.set_data_settings({"task": self.task.itemData(index), "params": {}})

    def _set_data_param(self, name: str, value) -> None:
        data = self._editor.project.data
        self._editor.set_data_settings({"task": data["task"], "params": {**data.get("params", {}), name: value}})

    def _set_training(self, name: str, value) -> None:
        problem = self._editor.set_training_setting(name, value)
        if problem:
            self._report(problem)
            self.refresh()


def _preview_source(spec, values: dict, base_dir) -> tuple[str, str] | None:
    """("csv" or "text", file path) for a task that reads a file, else None."""
    if spec is None or not any(p.type == "path" for p in spec.params):
        return None
    is_csv = any(p.type in ("column", "columns") for p in spec.params)
    sample = spec.sample or (SAMPLE_CSV if is_csv else SAMPLE_TEXT)
    raw = str(values.get("path", ""))
    if is_csv and is_builtin(raw):
        try:
            return "csv", str(builtin_path(raw))
        except DataError:
            return None  # the data problem line says why
    path = resolve_path(raw, base_dir, sample)
    return ("csv" if is_csv else "text", str(path))


def _builtin_credit(data: dict) -> str:
    """Where a built-in real series comes from and its licence, for the preview's tooltip."""
    raw = str(data.get("params", {}).get("path", ""))
    series = REAL_SERIES.get(raw.strip()[len(PREFIX) :]) if is_builtin(raw) else None
    return f"{series.title}. Source: {series.source}. Licence: {series.licence}." if series else ""
