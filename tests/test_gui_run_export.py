"""Run ▸ Export Trained Model: disabled with the reason until a run with weights is on
display, then exports that run's model as code, safetensors and ONNX."""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from gui_run_helpers import open_in_window, tiny_project  # noqa: E402
from PySide6.QtCore import QStandardPaths  # noqa: E402
from safetensors.torch import load_file  # noqa: E402

from engine.export import MISSING_ONNX, onnx_available  # noqa: E402
from engine.runs import load_run  # noqa: E402
from engine.training import train  # noqa: E402
from gui.testing import dialogs, window  # noqa: E402,F401
from gui.training.run_export import NO_RUN  # noqa: E402

QStandardPaths.setTestModeEnabled(True)


def test_export_is_disabled_with_the_reason_until_a_run_is_shown_then_exports_it(window, tmp_path):
    project = tiny_project(tmp_path, steps=5, probe_every=0)
    open_in_window(window, project)
    export = window.training.export
    for action in (export.code, export.weights, export.onnx):
        assert not action.isEnabled() and action.toolTip() == NO_RUN

    run_dir = train(project, runs_dir=tmp_path / "runs").run_dir
    window.training.runs.refresh()
    window.training.runs.open_run(run_dir)
    assert export.code.isEnabled() and export.weights.isEnabled() and run_dir.name in export.code.toolTip()

    code = export.export_code(tmp_path / "model.py")
    assert "class RecurrentModel" in code.read_text()
    weights = export.export_weights(tmp_path / "w.safetensors")
    assert set(load_file(str(weights))) == set(load_run(run_dir).weights())
    if onnx_available():
        assert export.onnx.isEnabled() and export.export_onnx(tmp_path / "m.onnx").stat().st_size > 0
    else:
        assert not export.onnx.isEnabled() and export.onnx.toolTip() == MISSING_ONNX
