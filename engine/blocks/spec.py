"""Declarative description of a block type: ports, parameters, shape rule, module factory.

A `BlockSpec` is pure data plus three small functions. Nothing here imports torch, so the
catalogue, validation and shape inference stay cheap enough to run on every edit; the
module factory imports torch only when it is called.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

SEQUENCE = "sequence"  # float [batch, time, features]
VECTOR = "vector"  # float [batch, features]
TOKENS = "tokens"  # int64 [batch, time]; `size` is the vocabulary size
PORT_KINDS = (SEQUENCE, VECTOR, TOKENS)


@dataclass(frozen=True)
class Shape:
    """The inferred shape at a port. Batch is implicit; `length` is the time dimension."""

    kind: str
    size: int
    length: int | None = None

    def describe(self) -> str:
        if self.kind == VECTOR:
            return f"vector [batch, {self.size}]"
        time = self.length if self.length is not None else "time"
        if self.kind == TOKENS:
            return f"tokens [batch, {time}] (vocabulary {self.size})"
        return f"sequence [batch, {time}, {self.size}]"


@dataclass(frozen=True)
class Port:
    name: str
    kinds: tuple[str, ...]
    help: str = ""


@dataclass(frozen=True)
class Param:
    """One typed block parameter. `type` is "int", "float", "bool" or "choice"."""

    name: str
    type: str
    default: Any
    help: str
    minimum: float | None = None
    maximum: float | None = None
    choices: tuple[str, ...] = ()

    def check(self, value: Any) -> Any:
        """Return `value` coerced to this parameter's type, or raise ValueError saying why."""
        if self.type == "bool":
            if not isinstance(value, bool):
                raise ValueError(f"'{self.name}' must be true or false, not {value!r}")
            return value
        if self.type == "choice":
            if value not in self.choices:
                raise ValueError(f"'{self.name}' must be one of {', '.join(self.choices)}; got {value!r}")
            return value
        value = self._number(value)
        if self.minimum is not None and value < self.minimum:
            raise ValueError(f"'{self.name}' must be at least {self.minimum:g}; got {value:g}")
        if self.maximum is not None and value > self.maximum:
            raise ValueError(f"'{self.name}' must be at most {self.maximum:g}; got {value:g}")
        return value

    def _number(self, value: Any) -> int | float:
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise ValueError(f"'{self.name}' must be a number, not {value!r}")
        if self.type == "int":
            if float(value) != int(value):
                raise ValueError(f"'{self.name}' must be a whole number; got {value!r}")
            return int(value)
        return float(value)


class ShapeError(ValueError):
    """Raised by a shape rule when its inputs cannot work; the message is for the user."""

    def __init__(self, message: str, port: str | None = None):
        super().__init__(message)
        self.port = port


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
