"""The block catalogue: every block type the builder offers, by type name.

Adding a block type is adding one BlockSpec to one of the modules listed here (see
docs/adding-a-block.md); everything else (palette, inspector, validation, compiler,
export, comparisons) asks the catalogue.
"""

from __future__ import annotations

from . import custom_cell, heads, inputs, layers, min_cells, recurrent, sequence_ops
from .categories import CATEGORIES, CATEGORY_COLOURS
from .spec import (
    PORT_KINDS,
    SEQUENCE,
    TOKENS,
    VECTOR,
    BlockContext,
    BlockSpec,
    HeadRule,
    Loss,
    Param,
    Port,
    Shape,
    ShapeError,
)

CATALOGUE: dict[str, BlockSpec] = {
    spec.type_name: spec
    for module in (inputs, recurrent, min_cells, custom_cell, layers, sequence_ops, heads)
    for spec in module.SPECS
}


def get_spec(type_name: str) -> BlockSpec:
    try:
        return CATALOGUE[type_name]
    except KeyError:
        known = ", ".join(sorted(CATALOGUE))
        raise KeyError(f"unknown block type '{type_name}'; known types: {known}") from None


__all__ = [
    "CATALOGUE",
    "CATEGORIES",
    "CATEGORY_COLOURS",
    "get_spec",
    "BlockContext",
    "BlockSpec",
    "HeadRule",
    "Loss",
    "Param",
    "Port",
    "Shape",
    "ShapeError",
    "PORT_KINDS",
    "SEQUENCE",
    "TOKENS",
    "VECTOR",
]
