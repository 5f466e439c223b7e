"""A built-in RNN, LSTM or GRU block turned into a Custom cell drawn from its template: what
double-clicking such a block in the app does first, and what `main.py cell --open` does.

Only a one-layer, one-direction block has a single cell to draw (and the Elman RNN template
is tanh), so anything else is refused in words saying which setting to change. The block
keeps its hidden size and output; its weights start afresh under the cell's node names.
Nothing here imports torch or Qt.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from ..errors import UserError
from .templates import TEMPLATES, template_for_builtin
from .variants import CUSTOM_TYPE


def has_template(type_name: str) -> bool:
    """Whether blocks of `type_name` (RNN, LSTM, GRU) have a template to open as."""
    return any(template.builtin == type_name for template in TEMPLATES.values())


def custom_params_for_builtin(node) -> dict[str, Any]:
    """The params of the Custom cell replacing the built-in block `node` (an engine.graph.Node)."""
    params = node.params
    if params["layers"] != 1 or params["bidirectional"]:
        raise UserError(
            f"{node.label()} is stacked or bidirectional; a drawn cell is one layer, one direction: "
            "set layers to 1 and bidirectional off to open its cell"
        )
    if node.type_name == "RNN" and params["nonlinearity"] != "tanh":
        raise UserError(
            f"{node.label()} uses relu; the Elman RNN template is tanh: set nonlinearity to tanh to open its cell"
        )
    cell = template_for_builtin(node.type_name).to_dict()
    return {"hidden_size": params["hidden_size"], "output": params["output"], "cell": cell}


def open_builtin(graph, node_id: str):
    """Replace the built-in block `node_id` of `graph` (an engine.graph.GraphDocument) by its
    Custom cell in place: same id, position, connections and place in the block order."""
    node = graph.node(node_id)
    if node.type_name == CUSTOM_TYPE:
        raise UserError(f"{node.label()} is a Custom cell already")
    if not has_template(node.type_name):
        raise UserError(f"{node.label()} is not an RNN, LSTM or GRU block: only those open as a Custom cell")
    params = custom_params_for_builtin(node)  # before removing: a refusal leaves the graph as it was
    removed = graph.remove_node(node_id)
    graph.restore_node(replace(removed, node=replace(node, type_name=CUSTOM_TYPE, params=params)))
    return graph.node(node_id)
