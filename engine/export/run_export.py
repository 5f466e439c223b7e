"""Exporting a finished run: what the code view and Run ▸ Export do, headless
(`main.py export RUN_DIR --format py|safetensors|onnx -o PATH`).

"py" writes the standalone source of the run's own project copy (its state_dict keys are the
run's weights'), "safetensors" the trained weights, "onnx" the trained model.
"""

from __future__ import annotations

from pathlib import Path

from ..runs import load_run
from .errors import ExportError
from .files import export_weights, save_source
from .onnx import export_onnx
from .source import generate_source

FORMATS = ("py", "safetensors", "onnx")


def export_run(run_dir: Path | str, format: str, path: Path | str) -> Path:
    """Write run `run_dir` as `format` to `path`; ExportError, RunFolderError or DataError
    with a message for the user otherwise."""
    if format not in FORMATS:
        raise ExportError(f"unknown export format '{format}'; choose one of {', '.join(FORMATS)}")
    record = load_run(run_dir)
    project = record.project
    if format == "safetensors":
        return export_weights(record.weights(), path)
    signature = project.signature()
    if format == "py":
        return save_source(generate_source(project, signature), path)
    from ..run_model import trained_model

    return export_onnx(trained_model(record, signature), signature, path)
