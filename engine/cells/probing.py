"""What the probes see of a compiled cell: its loop as an engine.gates.Trace, the record's
header, and the recurrent matrix of each marked gate.

A drawn cell has one layer and one direction. Its gates are the sigmoid nodes the user marked,
probed under their names; `hidden` is the emitted state at every step; `recurrent_input` is
a zero tensor added where each step reads the previous emitted state, so that
engine.gates.total_hidden_grad turns the two gradients autograd returns into ∂L/∂hₜ exactly
as it does for the fused cells (tests/test_cells_probes.py checks it against autograd on
every hₜ directly).
"""

from __future__ import annotations

import numpy as np
import torch

from ..gates import DirectionTrace, Trace
from .document import INPUT

DRAWN = "drawn"  # the record's "cell" is "<cell name> (drawn)": never a fused cell's name


def cell_label(cell) -> str:
    return f"{cell.doc.name} ({DRAWN})"


def probe_trace(cell, x: torch.Tensor, gate_rows: int | None = None) -> Trace:
    hook = x.new_zeros(x.shape[0], x.shape[1], cell.hidden_size).requires_grad_()
    run = cell._loop(x, None, record=True, hook=hook)
    rows = slice(None, gate_rows)
    gates = {name: values[rows] for name, values in run.gates.items()}
    direction = DirectionTrace(gates, run.output, None, reverse=False, recurrent_input=hook)
    return Trace(cell_label(cell), None, [[direction]], run.output, run.output[:, -1].unsqueeze(0), None)


def probe_header(cell) -> dict:
    names = list(cell._gate_nodes)
    return {
        "cell": cell_label(cell),
        "nonlinearity": None,
        "layers": 1,
        "directions": 1,
        "hidden_size": cell.hidden_size,
        "gates": names,
        "gate_kinds": {name: "sigmoid" for name in names},  # only sigmoids may be marked
    }


def gate_spectral_radii(cell) -> dict[str, np.ndarray]:
    """Per gate, (1, 1): the spectral radius of the H×H block of the Linear feeding its sigmoid
    (directly or through an Add) that multiplies the previous emitted state; NaN when none does."""
    from ..probes import spectral_radius  # the one definition of the estimate

    radii = {}
    for name, node_id in cell._gate_nodes.items():
        matrix = _recurrent_block(cell, node_id)
        radii[name] = np.array([[np.nan if matrix is None else spectral_radius(matrix.detach())]])
    return radii


def _recurrent_block(cell, gate_id: str) -> torch.Tensor | None:
    doc, first = cell.doc, cell.doc.states[0]
    names = (INPUT, *doc.states)
    source = doc.node(gate_id).inputs[0]
    if source in names:
        return None
    feeding = doc.node(source)
    candidates = [feeding]
    if feeding.op == "add":
        candidates = [doc.node(ref) for ref in feeding.inputs if ref not in names]
    for node in candidates:
        if node.op == "linear" and first in node.inputs and node.settings["units"] == 1:
            return cell._part(node.id, first)
    return None
