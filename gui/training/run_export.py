"""Run ▸ Export: the trained model of the run on display (or the last run) as PyTorch code,
safetensors weights or ONNX, straight from the Run menu.

An export that cannot run is disabled, and its tooltip and status tip say why (no finished
run with weights yet; ONNX support not installed). The actions follow the plots: after a run
ends, or when a run is opened from the Runs panel, they export that run's model.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QObject
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QFileDialog

from engine.export import MISSING_ONNX, ExportError, export_onnx, export_weights, generate_source, onnx_available
from engine.run_model import trained_model
from engine.runs import WEIGHTS, RunFolderError, load_run

NO_RUN = "Train the model (or open a run in the Runs panel) first: a finished run's trained model is exported"


class RunExport(QObject):
    def __init__(self, window, view, session):
        super().__init__(window)
        self.window, self.view, self.session = window, view, session
        menu = window.run_menu.addMenu("&Export Trained Model")
        self.menu = menu
        self.code = self._action(menu, "Model Code (.&py)…", self.export_code)
        self.weights = self._action(menu, "Trained &Weights (.safetensors)…", self.export_weights)
        self.onnx = self._action(menu, "&ONNX Model…", self.export_onnx)
        view.data_replaced.connect(lambda data: self.refresh())
        session.run_ended.connect(lambda *args: self.refresh())
        self.refresh()

    def _action(self, menu, text: str, slot) -> QAction:
        action = menu.addAction(text)
        action.triggered.connect(lambda checked=False: slot())
        return action

    def run_dir(self) -> Path | None:
        """The run whose model is exported: the one on display, else the last one started here."""
        for data in (self.view.data, self.session.data):
            if data is not None and not data.live and data.run_dir is not None and (data.run_dir / WEIGHTS).exists():
                return data.run_dir
        return None

    def refresh(self) -> None:
        run_dir = self.run_dir()
        why = "" if run_dir else NO_RUN
        for action, reason in ((self.code, why), (self.weights, why), (self.onnx, why or self._onnx_problem())):
            action.setEnabled(not reason)
            tip = reason or f"Export the model trained in {run_dir.name}"
            action.setToolTip(tip)
            action.setStatusTip(tip)
        self.menu.setToolTipsVisible(True)

    @staticmethod
    def _onnx_problem() -> str:
        return "" if onnx_available() else MISSING_ONNX

    # -- exports ------------------------------------------------------------------------
    def export_code(self, path: Path | None = None) -> Path | None:
        return self._export("Save model code", "model.py", "Python files (*.py)", path, self._write_code)

    def export_weights(self, path: Path | None = None) -> Path | None:
        return self._export(
            "Export trained weights",
            "weights.safetensors",
            "safetensors (*.safetensors)",
            path,
            lambda record, target: export_weights(record.weights(), target),
        )

    def export_onnx(self, path: Path | None = None) -> Path | None:
        return self._export(
            "Export ONNX",
            "model.onnx",
            "ONNX models (*.onnx)",
            path,
            lambda record, target: export_onnx(trained_model(record), record.project.graph.data, target),
        )

    @staticmethod
    def _write_code(record, target: Path) -> None:
        from engine.export import save_source

        save_source(generate_source(record.project, record.project.graph.data), target)

    def _export(self, title: str, name: str, file_filter: str, path: Path | None, write) -> Path | None:
        run_dir = self.run_dir()
        if run_dir is None:
            self.window.show_message(NO_RUN)
            return None
        if path is None:
            start = (self.window.project.base_dir or run_dir) / name
            chosen, _ = QFileDialog.getSaveFileName(self.window, title, str(start), file_filter)
            if not chosen:
                return None
            path = Path(chosen)
        try:
            write(load_run(run_dir), path)
        except (ExportError, RunFolderError, OSError) as error:
            self.window.show_message(f"Export failed: {error}")
            return None
        self.window.show_message(f"Exported the model of {run_dir.name} to {path}")
        return path
