"""The inspector: what is selected, editable. One node: its name and parameters, the
shapes it receives and produces, its parameter count and problems. Several nodes: a
summary. Nothing: the project's data and training settings (gui.project_form).

Pages are rebuilt only when the selection changes; after an edit they refresh their
values in place, so the field being edited keeps its focus.
"""

from __future__ import annotations

from html import escape

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QFormLayout,
    QFrame,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QScrollArea,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from . import theme
from .editor import DocumentEditor
from .forms import LABEL_WIDTH, ParamForm
from .icons import block_pixmap
from .project_form import ProjectForm


def section_title(text: str) -> QLabel:
    label = QLabel(text)
    label.setObjectName("sectionTitle")
    return label


def _scrolling(widget: QWidget) -> QScrollArea:
    area = QScrollArea()
    area.setWidget(widget)
    area.setWidgetResizable(True)
    area.setFrameShape(QFrame.NoFrame)
    area.setHorizontalScrollBarPolicy(Qt.ScrollBarAlwaysOff)
    return area


class NodePage(QWidget):
    """The selected node. Built for one node id; `refresh` re-reads document and analysis."""

    def __init__(self, editor: DocumentEditor, node_id: str, report):
        super().__init__()
        self._editor, self.node_id, self._report = editor, node_id, report
        spec = editor.document.node(node_id).spec
        layout = QVBoxLayout(self)
        layout.setContentsMargins(12, 12, 12, 12)
        layout.setSpacing(8)
        layout.addLayout(self._header(spec))
        self.name = QLineEdit(node_id, toolTip="The block's name: it names its weights in the saved model")
        self.name.editingFinished.connect(self._rename)
        names = QFormLayout()
        names.addRow(QLabel("Name", minimumWidth=LABEL_WIDTH), self.name)
        layout.addLayout(names)
        self.form = ParamForm(spec.params)
        self.form.edited.connect(self._set_param)
        if spec.params:
            layout.addWidget(section_title("Parameters"))
            layout.addWidget(self.form)
        layout.addWidget(section_title("Shapes"))
        self.shapes = QLabel(textFormat=Qt.RichText, wordWrap=True)
        layout.addWidget(self.shapes)
        layout.addWidget(section_title("Problems"))
        self.problems = QLabel(textFormat=Qt.RichText, wordWrap=True)
        layout.addWidget(self.problems)
        layout.addStretch(1)

    def _header(self, spec) -> QHBoxLayout:
        icon = QLabel()
        icon.setPixmap(block_pixmap(spec.type_name, 36))
        title = QLabel(
            f"<span style='font-size:13pt; font-weight:600'>{spec.type_name}</span>"
            f"<br><span style='color:{spec.colour}'>{spec.category}</span>"
        )
        description = QLabel(spec.description, wordWrap=True, objectName="dim")
        column = QVBoxLayout()
        column.addWidget(title)
        column.addWidget(description)
        row = QHBoxLayout()
        row.addWidget(icon, 0, Qt.AlignTop)
        row.addLayout(column, 1)
        return row

    def refresh(self) -> None:
        node = self._editor.document.node(self.node_id)
        if not self.name.hasFocus():
            self.name.setText(node.id)
        self.form.set_values(node.params)
        analysis = self._editor.analysis
        self.shapes.setText(self._shapes_html(node, analysis))
        self.problems.setText(_problems_html(analysis.for_node(self.node_id)))

    def _shapes_html(self, node, analysis) -> str:
        received = analysis.shapes.inputs.get(node.id, {})
        rows = [
            (f"input '{port.name}'", received[port.name].describe() if port.name in received else "not known yet")
            for port in node.spec.inputs
        ]
        if node.spec.output is not None:
            output = analysis.shapes.outputs.get(node.id)
            rows.append(("output", output.describe() if output else "not known yet"))
        count = analysis.param_counts.get(node.id)
        rows.append(("parameters", f"{count:,}" if count is not None else "not known yet"))
        cells = "".join(
            f"<tr><td style='color:{theme.COLORS['text_dim']}; padding-right:10px'>{escape(k)}</td>"
            f"<td>{escape(v)}</td></tr>"
            for k, v in rows
        )
        return f"<table cellspacing='0' cellpadding='2'>{cells}</table>"

    def _rename(self) -> None:
        new_id = self.name.text().strip()
        problem = self._editor.rename_node(self.node_id, new_id)
        if problem:
            self.name.setText(self.node_id)
            self._report(f"Cannot rename: {problem}")

    def _set_param(self, name: str, value) -> None:
        problem = self._editor.set_param(self.node_id, name, value)
        if problem:
            self._report(problem)
            self.refresh()


def _problems_html(diagnostics) -> str:
    if not diagnostics:
        return f"<span style='color:{theme.COLORS['ok']}'>No problems</span>"
    return "<br>".join(
        f"<span style='color:{theme.COLORS[d.severity]}'>●</span> {escape(d.message)}" for d in diagnostics
    )


class SelectionSummary(QWidget):
    def __init__(self):
        super().__init__()
        layout = QVBoxLayout(self)
        layout.setContentsMargins(12, 12, 12, 12)
        self.text = QLabel(textFormat=Qt.RichText, wordWrap=True)
        layout.addWidget(self.text)
        layout.addStretch(1)

    def show_nodes(self, editor: DocumentEditor, node_ids: list[str]) -> None:
        counts = editor.analysis.param_counts
        total = sum(counts.get(node_id, 0) for node_id in node_ids)
        self.text.setText(
            f"<span style='font-size:13pt; font-weight:600'>{len(node_ids)} blocks selected</span>"
            f"<p>{total:,} parameters together.</p>"
            f"<p style='color:{theme.COLORS['text_dim']}'>Select a single block to edit it; "
            "click empty canvas for the project's data and training settings.</p>"
        )


class Inspector(QStackedWidget):
    def __init__(self, editor: DocumentEditor, report, parent: QWidget | None = None):
        """`report(message)` shows a message to the user (the status bar)."""
        super().__init__(parent)
        self._editor, self._report = editor, report
        self._selection: list[str] | None = None
        self._node_page: NodePage | None = None
        self.project_form = ProjectForm(editor, report)
        self._summary = SelectionSummary()
        self._node_area = _scrolling(QWidget())
        for page in (_scrolling(self.project_form), self._summary, self._node_area):
            self.addWidget(page)
        editor.settings_changed.connect(self._refresh_project)
        editor.project_replaced.connect(lambda project: self.show_nodes([], force=True))
        self.show_nodes([], force=True)  # the project the editor holds now, before any is opened

    @property
    def node_page(self) -> NodePage | None:
        return self._node_page if self.currentWidget() is self._node_area else None

    def show_nodes(self, node_ids: list[str], force: bool = False) -> None:
        """Show the page for this selection; refresh in place if it is the same selection."""
        if node_ids == self._selection and not force:
            self.refresh()
            return
        self._selection = list(node_ids)
        if len(node_ids) == 1:
            self._node_page = NodePage(self._editor, node_ids[0], self._report)
            self._node_area.setWidget(self._node_page)
            self.setCurrentWidget(self._node_area)
        elif node_ids:
            self.setCurrentWidget(self._summary)
        else:
            self.project_form.rebuild()
            self.setCurrentIndex(0)
        self.refresh()

    def refresh(self) -> None:
        if self.node_page is not None:
            self.node_page.refresh()
        elif self._selection:
            self._summary.show_nodes(self._editor, self._selection)
        else:
            self.project_form.refresh()

    def _refresh_project(self) -> None:
        if not self._selection:
            self.project_form.refresh()
