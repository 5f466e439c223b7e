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


def forward_argument(step: CodeStep) -> Fragment:
    """Input blocks: their value is forward's argument, so they write nothing."""
    return Fragment()
