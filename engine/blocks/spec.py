"""Declarative description of a block type: ports, parameters, shape rule, module factory.

A `BlockSpec` is pure data plus three small functions. Nothing here imports torch, so the
catalogue, validation and shape inference stay cheap enough to run on every edit; the
module factory imports torch only when it is called.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from ..params import Param
from ..shapes import PORT_KINDS, SEQUENCE, TOKENS, VECTOR, Shape, ShapeError

__all__ = [
    "PORT_KINDS",
    "SEQUENCE",
    "TOKENS",
    "VECTOR",
    "BlockContext",
    "BlockSpec",
    "HeadRule",
    "Param",
    "Port",
    "Shape",
    "ShapeError",
]


@dataclass(frozen=True)
class Port:
    name: str
    kinds: tuple[str, ...]
    help: str = ""


@dataclass(frozen=True)
class BlockContext:
    """What a shape rule or factory may know: the parameters, input shapes and the data."""

    params: Mapping[str, Any]
    inputs: Mapping[str, Shape]
    data: Any = None  # engine.data.DataSignature, or None when the data is unknown


@dataclass(frozen=True)
class BlockSpec:
    """A block type. `infer` returns the output shape (or None for heads) and may raise
    ShapeError; `count_params` returns the parameter count from the same context without
    building anything; `build` returns the nn.Module, whose forward takes the inputs in
    port order and returns one tensor."""

    type_name: str
    category: str
    description: str
    inputs: tuple[Port, ...]
    output: Port | None
    params: tuple[Param, ...]
    infer: Callable[[BlockContext], Shape | None]
    build: Callable[[BlockContext], Any]
    count_params: Callable[[BlockContext], int] = lambda ctx: 0
    head: Any = None  # HeadRule for heads: which data they fit and how they score
    recurrent: bool = False

    def param(self, name: str) -> Param:
        for param in self.params:
            if param.name == name:
                return param
        raise KeyError(f"{self.type_name} has no parameter '{name}'")

    def defaults(self) -> dict[str, Any]:
        return {param.name: param.default for param in self.params}

    def input_port(self, name: str) -> Port:
        for port in self.inputs:
            if port.name == name:
                return port
        raise KeyError(f"{self.type_name} has no input port '{name}'")


@dataclass(frozen=True)
class HeadRule:
    """How a head meets the data: the target kind it fits and its loss/metric names."""

    target_kind: str
    loss_param: str | None = None  # parameter naming the loss, when the user can choose
    metric: str | None = None
    extra: dict = field(default_factory=dict)
