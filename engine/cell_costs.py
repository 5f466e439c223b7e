"""What a recurrent model costs per time step, and which kernel PyTorch actually ran.

Two figures that make a speed comparison of cells fair (see TECHNICAL-NOTES, "Recurrent
kernels on CPU"): on CPU PyTorch runs nn.LSTM on a fused oneDNN kernel and nn.GRU / nn.RNN
on its generic path, so a GRU can take longer per step than an LSTM despite its ¾ of the
parameters. Time per step alone would mislead; the kernel says why.

- `macs_per_step`: multiply-adds per time step and sequence in the recurrent blocks: every
  weight-matrix entry of a recurrent block is used once per step (W_ih xₜ, W_hh hₜ₋₁), so
  the count is the blocks' weight entries; biases and elementwise gate arithmetic, a few
  operations per unit, are left out.
- `kernel_name`: the kernel PyTorch picks for a recurrent block, by the rule ATen's RNN.cpp
  applies (oneDNN inside `lstm()` only, for CPU float32 without proj_size, when
  torch.backends.mkldnn is enabled; cuDNN on CUDA; the generic path otherwise).
  tests/test_compare_speed.py checks the rule against torch.profiler's record of what ran.
"""

from __future__ import annotations

import torch
from torch import nn


def macs_per_step(model: nn.Module) -> int:
    """Multiply-adds per time step and sequence in the model's recurrent blocks."""
    total = 0
    for node_id in model.recurrent_ids():
        block = getattr(model, node_id)
        total += sum(p.numel() for name, p in block.named_parameters() if p.dim() >= 2 and "weight" in name)
    return total


def kernel_name(block: nn.Module, device: torch.device | str = "cpu") -> str:
    """The kernel: "oneDNN fused", "cuDNN fused", "generic ATen" or "PyTorch ops" (a block not a
    fused nn.RNN/LSTM/GRU, such as a min-cell's parallel scan)."""
    if not isinstance(block, nn.RNNBase):
        return "PyTorch ops"
    device = torch.device(device)
    if device.type == "cuda":
        return "cuDNN fused" if torch.backends.cudnn.is_available() and torch.backends.cudnn.enabled else "generic ATen"
    dtype = next(block.parameters()).dtype
    onednn = torch.backends.mkldnn.is_available() and torch.backends.mkldnn.enabled
    if block.mode == "LSTM" and onednn and dtype == torch.float32 and not block.proj_size:
        return "oneDNN fused"
    return "generic ATen"


def kernels(model: nn.Module, device: torch.device | str = "cpu") -> str:
    """The kernels of all recurrent blocks of a compiled model, each named once."""
    names = []
    for node_id in model.recurrent_ids():
        name = kernel_name(getattr(model, node_id), device)
        if name not in names:
            names.append(name)
    return " + ".join(names)
