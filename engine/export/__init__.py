"""Export: the compiled model as standalone PyTorch source, its weights as safetensors, and
the model as ONNX when the optional onnx package is installed.

Importing this package loads no torch; `generate_source` needs none at all.
"""

from __future__ import annotations

from .errors import ExportError
from .files import export_weights, save_source
from .onnx import MISSING_ONNX, export_onnx, onnx_available
from .run_export import FORMATS, export_run
from .source import generate_source

__all__ = [
    "ExportError",
    "FORMATS",
    "MISSING_ONNX",
    "export_onnx",
    "export_run",
    "export_weights",
    "generate_source",
    "onnx_available",
    "save_source",
]
