"""Cells a user draws: a cell document (engine.cells.document), its checks
(engine.cells.analysis), templates (engine.cells.templates), the compiled module
(engine.cells.module, which imports torch) and its standalone source (engine.cells.source).

Importing this package loads no torch.
"""

from __future__ import annotations

from .analysis import CellAnalysis, CellDiagnostic, analyse, parameter_count
from .document import CELL_FORMAT, CELL_VERSION, CellDocument, CellFormatError, CellNode, from_dict
from .templates import TEMPLATES, builtin_kind, template_for_builtin

__all__ = [
    "CELL_FORMAT",
    "CELL_VERSION",
    "TEMPLATES",
    "CellAnalysis",
    "CellDiagnostic",
    "CellDocument",
    "CellFormatError",
    "CellNode",
    "analyse",
    "builtin_kind",
    "from_dict",
    "parameter_count",
    "template_for_builtin",
]
