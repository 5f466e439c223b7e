"""A drawn cell's loop in TorchScript, so ONNX export writes it as one ONNX Loop that runs any
sequence length, instead of unrolling the steps of the example it traced.

The step is `CompiledCell.plain_step` traced by torch.fx into a flat graph (the Python loop
over the cell's nodes runs once, at trace time) on the states packed side by side in one
(B, k·H) tensor, the emitted state first; `CellLoop` runs that step over time in TorchScript.
Both share the cell's parameters, so the export holds the trained weights.
"""

# No `from __future__ import annotations`: torch.fx and TorchScript read these annotations as types.

import torch
import torch.fx
from torch import nn

from .module import CompiledCell


class _PackedStep(nn.Module):
    """plain_step on packed states: (x_t (B, F), packed (B, k·H)) -> packed new states."""

    def __init__(self, cell: CompiledCell):
        super().__init__()
        self.cell = cell

    def forward(self, x_t: torch.Tensor, packed: torch.Tensor) -> torch.Tensor:
        hidden, states = self.cell.hidden_size, self.cell.doc.states
        state = {s: packed[:, i * hidden : (i + 1) * hidden] for i, s in enumerate(states)}
        new = self.cell.plain_step(x_t, state)
        return torch.cat([new[s] for s in states], dim=1)


class CellLoop(nn.Module):
    """The cell over a sequence, scriptable: x (B, T, F) -> (B, T, H), or the last step (B, H)."""

    def __init__(self, cell: CompiledCell):
        super().__init__()
        self.step = torch.jit.script(torch.fx.symbolic_trace(_PackedStep(cell)))
        self.hidden = cell.hidden_size
        self.width = cell.hidden_size * len(cell.doc.states)
        self.last = cell.emit == "last"

    def forward(self, x: torch.Tensor, lengths: torch.Tensor | None = None) -> torch.Tensor:
        """As CompiledCell.forward: padded steps run too (they come after the real ones), and
        "last" is each sequence's own last real step."""
        packed = torch.zeros(x.size(0), self.width, dtype=x.dtype, device=x.device)
        outputs: list[torch.Tensor] = []
        for t in range(x.size(1)):
            packed = self.step(x[:, t], packed)
            outputs.append(packed[:, : self.hidden])
        output = torch.stack(outputs, dim=1)
        if not self.last:
            return output
        if lengths is None:
            return output[:, -1]
        last = (lengths - 1).view(-1, 1, 1).expand(-1, 1, output.size(2))
        return output.gather(1, last).squeeze(1)


def scripted_loop(cell: CompiledCell) -> torch.jit.ScriptModule:
    return torch.jit.script(CellLoop(cell))
