"""Declarative description of a block type: everything the app knows about it.

A `BlockSpec` carries the block's ports, parameters, shape rule, parameter count, module
factory, export renderer, head rule (loss and metric), category (with its colour) and icon:
pure data plus a few small functions, so adding a block type is adding one spec
(docs/adding-a-block.md). Nothing here imports torch, so the
catalogue, validation and shape inference stay cheap enough to run on every edit; the
module factory imports torch only when it is called.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from ..params import Param
from ..shapes import PORT_KINDS, SEQUENCE, TOKENS, VECTOR, Shape, ShapeError
from .categories import CATEGORY_COLOURS
from .codegen import Renderer

__all__ = [
    "PORT_KINDS",
    "SEQUENCE",
    "TOKENS",
    "VECTOR",
    "BlockContext",
    "BlockSpec",
    "HeadRule",
    "Loss",
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
    warnings: Callable[[Mapping[str, Any]], list[str]] = lambda params: []  # advice on the parameters
    export: Renderer | None = None  # the block's part of exported source (engine.blocks.codegen)
    icon: str | None = None  # SVG under resources/icons; None: "<type_name>.svg"

    def __post_init__(self) -> None:
        if self.category not in CATEGORY_COLOURS:
            raise ValueError(f"{self.type_name}: unknown category {self.category!r}; add it to blocks/categories.py")

    @property
    def colour(self) -> str:
        """The category's colour, as '#rrggbb'."""
        return CATEGORY_COLOURS[self.category]

    @property
    def icon_name(self) -> str:
        return self.icon or f"{self.type_name}.svg"

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
class Loss:
    """A head's loss in words (for people), as an expression over `prediction` and `target`
    (for exported source) and as the loss plot's axis label names it."""

    words: str
    code: str
    axis: str


@dataclass(frozen=True)
class HeadRule:
    """How a head meets the data: the target kind it fits and the loss it trains with.
    `losses` is keyed by the value of the `loss_param` parameter, or by None when the head
    has a single loss."""

    target_kind: str
    losses: Mapping[str | None, Loss]
    loss_param: str | None = None  # parameter naming the loss, when the user can choose

    def loss(self, params: Mapping[str, Any]) -> Loss:
        return self.losses[params[self.loss_param] if self.loss_param else None]
