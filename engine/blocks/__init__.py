"""The block catalogue: every block type the builder offers, by type name.

Adding a block type is adding one BlockSpec to one of the category modules listed here.
"""

from __future__ import annotations

from . import heads, inputs, layers, recurrent, sequence_ops
from .spec import (
    PORT_KINDS,
    SEQUENCE,
    TOKENS,
    VECTOR,
    BlockContext,
    BlockSpec,
    HeadRule,
    Param,
    Port,
    Shape,
    ShapeError,
)

CATALOGUE: dict[str, BlockSpec] = {
    spec.type_name: spec for module in (inputs, recurrent, layers, sequence_ops, heads) for spec in module.SPECS
}
CATEGORIES: tuple[str, ...] = ("Inputs", "Recurrent", "Layers", "Sequence", "Heads")


def get_spec(type_name: str) -> BlockSpec:
    try:
        return CATALOGUE[type_name]
    except KeyError:
        known = ", ".join(sorted(CATALOGUE))
        raise KeyError(f"unknown block type '{type_name}'; known types: {known}") from None


__all__ = [
    "CATALOGUE",
    "CATEGORIES",
    "get_spec",
    "BlockContext",
    "BlockSpec",
    "HeadRule",
    "Param",
    "Port",
    "Shape",
    "ShapeError",
    "PORT_KINDS",
    "SEQUENCE",
    "TOKENS",
    "VECTOR",
]
