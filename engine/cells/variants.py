"""Drawn cells as variants in a cell comparison (engine.compare): the literature templates by
key (`lstm_1997`, `peephole_lstm`, …) and `drawn`, the project's own Custom cell as it is.

A variant turns every recurrent block into a Custom cell holding the variant's cell, keeping
its hidden size and output; a drawn cell has one layer and one direction, so a stacked or
bidirectional block's other settings do not carry over. Nothing here imports torch.
"""

from __future__ import annotations

from typing import Any

from ..errors import UserError
from .templates import TEMPLATES

CUSTOM_TYPE = "CustomCell"
OWN = "drawn"
VARIANTS = {t.key: t for t in TEMPLATES.values() if not t.builtin}  # the built-ins race as themselves


def variant_names() -> tuple[str, ...]:
    return (*VARIANTS, OWN)


def variant_help(name: str) -> str:
    """One line on what a variant is and tests."""
    if name == OWN:
        return "the project's own Custom cell, as drawn"
    return f"{VARIANTS[name].name}: {VARIANTS[name].description}"


def own_cell(graph: dict[str, Any]) -> dict[str, Any] | None:
    """The cell of the graph's first Custom cell block, or None."""
    return next((n["params"]["cell"] for n in graph["nodes"] if n["type"] == CUSTOM_TYPE), None)


def make_drawn(node: dict[str, Any], variant: str, own: dict[str, Any] | None) -> None:
    """Turn the recurrent block `node` (a graph dict's entry) into a Custom cell of `variant`."""
    if variant == OWN and own is None:
        raise UserError(f"the '{OWN}' variant races the project's own Custom cell, but the project has none")
    cell = own if variant == OWN else VARIANTS[variant].make()
    params = node["params"]
    node["type"] = CUSTOM_TYPE
    node["params"] = {"hidden_size": params["hidden_size"], "output": params.get("output", "sequence"), "cell": cell}
