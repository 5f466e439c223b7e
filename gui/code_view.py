"""The code view: the model as standalone PyTorch source (engine.export.generate_source), with
Python syntax highlighting; copy it, save it as a .py file, and export a run's trained
weights as safetensors or the trained model as ONNX.

The source shown is for the run on display when it has weights (the model that run trained,
whose weights load into the class as they are), else for the project as drawn, which has no
trained weights to export yet.
"""

from __future__ import annotations

import re
from pathlib import Path

from PySide6.QtCore import QRegularExpression
from PySide6.QtGui import QColor, QFont, QGuiApplication, QSyntaxHighlighter, QTextCharFormat
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QPlainTextEdit,
    QPushButton,
    QVBoxLayout,
)

from engine.export import (
    MISSING_ONNX,
    ExportError,
    export_onnx,
    export_weights,
    generate_source,
    onnx_available,
    save_source,
)
from engine.run_model import trained_model
from engine.runs import RunFolderError, load_run

STYLES = {
    "keyword": "#c792ea",
    "builtin": "#82aaff",
    "string": "#c3e88d",
    "comment": "#697098",
    "number": "#f78c6c",
    "definition": "#ffcb6b",
    "self": "#f07178",
    "decorator": "#89ddff",
}
KEYWORDS = (
    "and as assert break class continue def del elif else except False finally for from global if "
    "import in is lambda None nonlocal not or pass raise return True try while with yield"
).split()
BUILTINS = "int float str len range super isinstance list dict tuple print type".split()


def _format(name: str, italic: bool = False) -> QTextCharFormat:
    text_format = QTextCharFormat()
    text_format.setForeground(QColor(STYLES[name]))
    text_format.setFontItalic(italic)
    return text_format


class PythonHighlighter(QSyntaxHighlighter):
    """Keywords, built-ins, self, names being defined, decorators, numbers, comments and
    strings; triple-quoted strings may span lines (the block state says we are inside one)."""

    RULES = [
        (rf"\b({'|'.join(KEYWORDS)})\b", "keyword"),
        (rf"\b({'|'.join(BUILTINS)})\b", "builtin"),
        (r"\bself\b", "self"),
        (r"(?<=\bdef |class )\w+", "definition"),
        (r"@\w+(\.\w+)*", "decorator"),
        (r"\b\d+(\.\d+)?([eE][-+]?\d+)?\b", "number"),
        (r"'[^'\n]*'|\"[^\"\n]*\"", "string"),
        (r"#[^\n]*", "comment"),
    ]
    TRIPLE = re.compile(r'"""|\'\'\'')

    def __init__(self, document):
        super().__init__(document)
        self.rules = [(QRegularExpression(pattern), _format(name, name == "comment")) for pattern, name in self.RULES]
        self.string_format = _format("string")

    def highlightBlock(self, text: str) -> None:
        for expression, text_format in self.rules:
            matches = expression.globalMatch(text)
            while matches.hasNext():
                match = matches.next()
                self.setFormat(match.capturedStart(), match.capturedLength(), text_format)
        self._triple_quoted(text)

    def _triple_quoted(self, text: str) -> None:
        inside, start = self.previousBlockState() == 1, 0
        for match in self.TRIPLE.finditer(text):
            if inside:
                self.setFormat(start, match.end() - start, self.string_format)
            else:
                start = match.start()
            inside = not inside
        if inside:
            self.setFormat(start, len(text) - start, self.string_format)
        self.setCurrentBlockState(1 if inside else 0)


class CodeViewDialog(QDialog):
    def __init__(self, parent, project, run_dir: Path | None = None):
        super().__init__(parent)
        self.setWindowTitle("Model code")
        self.setObjectName("codeView")
        self.resize(900, 720)
        self.project, self.run = project, self._load_run(run_dir)
        self.source = QComboBox()
        self.source.addItem("The project as drawn (untrained)", "project")
        if self.run is not None:
            self.source.insertItem(0, f"The model trained in run {self.run.path.name}", "run")
            self.source.setCurrentIndex(0)
        self.source.currentIndexChanged.connect(self.show_source)
        self.editor = QPlainTextEdit(readOnly=True, lineWrapMode=QPlainTextEdit.NoWrap)
        self.editor.setFont(QFont("DejaVu Sans Mono", 9))
        self.highlighter = PythonHighlighter(self.editor.document())
        self.status = QLabel(objectName="dim", wordWrap=True)
        top = QHBoxLayout()
        top.addWidget(QLabel("Model"))
        top.addWidget(self.source, 1)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.editor, 1)
        layout.addWidget(self.status)
        layout.addLayout(self._buttons())
        self.show_source()

    @staticmethod
    def _load_run(run_dir: Path | None):
        if run_dir is None:
            return None
        try:
            record = load_run(run_dir)
        except RunFolderError:
            return None
        return record if (record.path / "weights.safetensors").exists() else None

    def _buttons(self) -> QHBoxLayout:
        self.copy_button = QPushButton("Copy")
        self.save_button = QPushButton("Save as .py…")
        self.weights_button = QPushButton("Export weights (.safetensors)…")
        self.onnx_button = QPushButton("Export ONNX…")
        if not onnx_available():
            self.onnx_button.setToolTip(MISSING_ONNX)
        close = QPushButton("Close")
        row = QHBoxLayout()
        for button, slot in (
            (self.copy_button, self.copy),
            (self.save_button, self.save_source),
            (self.weights_button, self.export_weights),
            (self.onnx_button, self.export_onnx),
            (close, self.accept),
        ):
            button.clicked.connect(lambda checked=False, s=slot: s())
            row.addWidget(button)
        row.insertStretch(4, 1)
        return row

    # -- the model shown ----------------------------------------------------------------
    def _model_project(self):
        return self.run.project if self.source.currentData() == "run" else self.project

    def show_source(self) -> None:
        trained = self.source.currentData() == "run"
        self.weights_button.setEnabled(trained)
        self.onnx_button.setEnabled(trained and onnx_available())
        for button in (self.weights_button, self.onnx_button):
            if not trained:
                button.setToolTip("Train the model first: only a run has trained weights to export")
        if trained and not onnx_available():
            self.onnx_button.setToolTip(MISSING_ONNX)
        project = self._model_project()
        try:
            text = generate_source(project, project.graph.data)
        except ExportError as error:
            self.editor.setPlainText("")
            self.status.setText(f"No code yet: {error}")
            self.save_button.setEnabled(False)
            return
        self.editor.setPlainText(text)
        self.save_button.setEnabled(True)
        self.status.setText(
            "Its state_dict keys match the run's weights.safetensors: "
            "model.load_state_dict(safetensors.torch.load_file(path))"
            if trained
            else "Train the model to export trained weights or ONNX."
        )

    # -- actions ------------------------------------------------------------------------
    def copy(self) -> None:
        QGuiApplication.clipboard().setText(self.editor.toPlainText())
        self.status.setText("Copied to the clipboard.")

    def save_source(self, path: Path | None = None) -> Path | None:
        path = path or self._ask("Save model code", "model.py", "Python files (*.py)")
        return self._attempt(lambda: save_source(self.editor.toPlainText(), path), path)

    def export_weights(self, path: Path | None = None) -> Path | None:
        path = path or self._ask("Export weights", "weights.safetensors", "safetensors (*.safetensors)")
        return self._attempt(lambda: export_weights(self.run.weights(), path), path)

    def export_onnx(self, path: Path | None = None) -> Path | None:
        if not onnx_available():  # say so before asking where to save
            self.status.setText(MISSING_ONNX)
            return None
        path = path or self._ask("Export ONNX", "model.onnx", "ONNX models (*.onnx)")
        return self._attempt(lambda: export_onnx(trained_model(self.run), self.run.project.graph.data, path), path)

    def _attempt(self, export, path: Path | None) -> Path | None:
        if path is None:
            return None
        try:
            export()
        except (ExportError, RunFolderError, OSError) as error:
            self.status.setText(f"Export failed: {error}")
            return None
        self.status.setText(f"Saved {path}")
        return path

    def _ask(self, title: str, name: str, file_filter: str) -> Path | None:
        start = (self.run.path if self.run is not None else self.project.base_dir or Path.home()) / name
        chosen, _ = QFileDialog.getSaveFileName(self, title, str(start), file_filter)
        return Path(chosen) if chosen else None
