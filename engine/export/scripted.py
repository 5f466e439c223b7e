"""A compiled model as one TorchScript module, for ONNX export of models with a drawn cell.

ONNX's tracing exporter unrolls a Python loop to the example's length, and refuses a
scripted submodule inside a traced model; a model that is TorchScript all through exports
with its loops as ONNX Loops. So: torch.fx records how the compiled model wires its blocks
(each block a leaf), each drawn cell becomes its scripted loop (engine.cells.export_loop),
every other block is traced on the input it receives from the example (its own code has no
loop over time: the fused recurrent kernels are single operators), and the wiring is
scripted around them. A block that cannot be traced this way is named in an ExportError.
"""

from __future__ import annotations

import inspect

import torch
import torch.fx
from torch import nn

from .errors import ExportError


class _FixedLength(nn.Module):
    """The model on input without lengths: what a fixed-length export takes."""

    def __init__(self, model: nn.Module):
        super().__init__()
        self.model = model

    def forward(self, x):
        return self.model(x)


class _WithLengths(_FixedLength):
    """The model on a padded batch and each sequence's real length."""

    def forward(self, x, lengths):
        return self.model(x, lengths)


class _BlocksAsLeaves(torch.fx.Tracer):
    """Records the compiled model's own wiring; every block (`model.<id>`) is one call."""

    def is_leaf_module(self, module: nn.Module, qualified_name: str) -> bool:
        return qualified_name.count(".") == 1


def scripted_model(model: nn.Module, example: torch.Tensor, lengths: torch.Tensor | None = None):
    """`model` (an engine.compiler.CompiledModel) in TorchScript, taking `lengths` as well
    when they are given (a variable-length export)."""
    from ..cells.export_loop import scripted_loop
    from ..cells.module import CompiledCell

    received = _block_inputs(model, example, lengths)
    root = _FixedLength(model) if lengths is None else _WithLengths(model)
    wiring = torch.fx.GraphModule(root, _BlocksAsLeaves().trace(root))
    blocks = wiring.get_submodule("model")
    for name, block in model.named_children():
        if name not in received:
            continue  # not on the path to the head: never called
        try:
            if isinstance(block, CompiledCell) and not block.builtin:
                replacement = scripted_loop(block)
            else:
                replacement = torch.jit.trace(block, example_kwarg_inputs=received[name], check_trace=False)
        except (RuntimeError, TypeError, torch.jit.Error) as error:
            raise ExportError(f"ONNX export cannot write block '{name}': {_first_line(error)}") from None
        setattr(blocks, name, replacement)
    try:
        return torch.jit.script(wiring)
    except (RuntimeError, torch.jit.Error) as error:
        raise ExportError(f"ONNX export cannot script the model's wiring: {_first_line(error)}") from None


def _block_inputs(model: nn.Module, example: torch.Tensor, lengths: torch.Tensor | None) -> dict[str, dict]:
    """What each block receives when the model runs on `example`, by argument name."""
    received, hooks = {}, []

    def record(name: str, block: nn.Module, args: tuple, kwargs: dict) -> None:
        names = list(inspect.signature(block.forward).parameters)
        received.setdefault(name, {**dict(zip(names, args)), **kwargs})

    for name, block in model.named_children():
        hook = block.register_forward_pre_hook(
            lambda module, args, kwargs, name=name: record(name, module, args, kwargs), with_kwargs=True
        )
        hooks.append(hook)
    try:
        with torch.no_grad():
            model(example) if lengths is None else model(example, lengths)
    finally:
        for hook in hooks:
            hook.remove()
    return received


def _first_line(error: Exception) -> str:
    return str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__
