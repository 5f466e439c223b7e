"""What a block spec's `export` renderer receives and returns: the block's part of the
standalone PyTorch source that engine.export.source writes.

A renderer gets a `CodeStep` (the block's id, parameters, input shapes, the local variable
names of its inputs and of its output) and returns a `Fragment`: the submodule to create in
`__init__` (a constructor such as "nn.Linear" and its keyword arguments), or None for a
block without weights, and the lines of `forward` that compute the block's output.

The state_dict key contract: the submodule a fragment creates must have the same state_dict
keys as the module the spec's `build` returns, so a run's saved weights load into the
exported class with strict=True (tests/test_block_specs.py checks every block).

Nothing here imports torch.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from ..shapes import Shape


@dataclass(frozen=True)
class CodeStep:
    """One block as the generated code sees it: inputs and names in port order."""

    node_id: str  # also the submodule's attribute: `self.<node_id>`
    type_name: str
    params: dict[str, Any]
    inputs: tuple[Shape, ...]
    args: tuple[str, ...]  # local variables holding the inputs
    var: str  # the local variable to assign the output to
    output: Shape
    lengths: bool = False  # variable-length data: forward also takes `lengths`, int64 [B]


@dataclass(frozen=True)
class Fragment:
    module: tuple[str, dict[str, Any]] | None = None  # (constructor, keyword arguments)
    lines: tuple[str, ...] = ()
    definitions: tuple[str, ...] = ()  # top-level code the module needs (a drawn cell's class); each text once


Renderer = Callable[[CodeStep], Fragment]


def comment(shape: Shape, note: str = "") -> str:
    """The shape comment ending every forward line: '# (B, T, 64): the last step'."""
    return f"# {shape.dims()}: {note}" if note else f"# {shape.dims()}"


def call_module(step: CodeStep, note: str = "") -> tuple[str, ...]:
    """`out = self.<id>(inputs)  # shape` — the forward line of a block with a submodule."""
    return (f"{step.var} = self.{step.node_id}({', '.join(step.args)})  {comment(step.output, note)}",)


def module(constructor: str, kwargs: Callable[[CodeStep], dict[str, Any]], note: str = "") -> Renderer:
    """A renderer for a block that is one torch module called on its inputs."""

    def render(step: CodeStep) -> Fragment:
        return Fragment((constructor, kwargs(step)), call_module(step, note))

    return render


def expression(template: str, note: str = "") -> Renderer:
    """A renderer for a block without weights: `template` formatted with the input names."""

    def render(step: CodeStep) -> Fragment:
        return Fragment(None, (f"{step.var} = {template.format(*step.args)}  {comment(step.output, note)}",))

    return render


# The masking the compiled model applies to a padded variable-length batch (engine.packing),
# written into exports of variable-length models; without lengths each helper is bypassed.
LENGTH_HELPERS = '''def step_mask(lengths, steps):
    """bool (B, T): True at each sequence's real steps."""
    return torch.arange(steps, device=lengths.device)[None, :] < lengths[:, None]


def last_real_step(x, lengths):
    """(B, T, F) -> (B, F): each sequence's step at lengths - 1 (the last step without lengths)."""
    if lengths is None:
        return x[:, -1]
    return x[torch.arange(x.shape[0], device=x.device), lengths.to(x.device) - 1]


def mean_over_real_steps(x, lengths):
    """(B, T, F) -> (B, F): the mean over each sequence's real steps, padding excluded."""
    if lengths is None:
        return x.mean(dim=1)
    lengths = lengths.to(x.device)
    mask = step_mask(lengths, x.shape[1]).unsqueeze(-1).to(x.dtype)
    return (x * mask).sum(dim=1) / lengths.unsqueeze(-1).to(x.dtype)


def zero_padding(x, lengths):
    """(B, T, F) with zeros at each sequence's padding steps."""
    if lengths is None:
        return x
    return x * step_mask(lengths.to(x.device), x.shape[1]).unsqueeze(-1).to(x.dtype)


def run_packed(layer, x, lengths):
    """A bidirectional nn.RNN/LSTM/GRU on x packed by lengths, so the backward direction starts
    at each sequence's own last step: (output with zeros at padding, final state)."""
    if lengths is None:
        return layer(x)
    packed = nn.utils.rnn.pack_padded_sequence(x, lengths.cpu(), batch_first=True, enforce_sorted=False)
    out, state = layer(packed)
    out, _ = nn.utils.rnn.pad_packed_sequence(out, batch_first=True, total_length=x.shape[1])
    return out, state'''
LENGTH_NAMES = ("lengths", "step_mask", "last_real_step", "mean_over_real_steps", "zero_padding", "run_packed")


def pooling(template: str, helper: str, note: str) -> Renderer:
    """A pooling block: `template` for fixed-length data, `helper(x, lengths)` (one of
    LENGTH_HELPERS) for variable-length data."""
    fixed = expression(template, note)

    def render(step: CodeStep) -> Fragment:
        if not step.lengths:
            return fixed(step)
        line = f"{step.var} = {helper}({step.args[0]}, lengths)  {comment(step.output, note + ', real steps only')}"
        return Fragment(None, (line,), (LENGTH_HELPERS,))

    return render


def forward_argument(step: CodeStep) -> Fragment:
    """Input blocks: their value is forward's argument, so they write nothing."""
    return Fragment()
