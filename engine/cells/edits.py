"""Edits of a cell, as pure functions from a cell dict to a new cell dict.

The cell editor applies each edit by setting its block's `cell` parameter to the result, one
undoable command on the project's undo stack, so undo walks back through cell edits and
outer-graph edits alike. Every function checks what it is given and raises CellEditError
(a UserError) in words; the result always reads back with engine.cells.document.from_dict.
Nothing here imports torch or Qt: these are the headless equivalents of the editor's actions.
"""

from __future__ import annotations

import copy
from typing import Any

from ..errors import UserError
from .document import INPUT, from_dict, name_problem
from .ops import PRIMITIVES


class CellEditError(UserError, ValueError):
    """An edit that cannot be made; the message says why."""


def _checked(cell: dict[str, Any]) -> dict[str, Any]:
    from_dict(cell)  # raises CellFormatError for anything malformed
    return cell


def node_entry(cell: dict[str, Any], node_id: str) -> dict[str, Any]:
    for node in cell["nodes"]:
        if node["id"] == node_id:
            return node
    raise CellEditError(f"the cell has no node '{node_id}'")


def unique_id(cell: dict[str, Any], op: str) -> str:
    taken = {INPUT, *cell["states"], *(n["id"] for n in cell["nodes"])}
    number = 1
    while f"{op}_{number}" in taken:
        number += 1
    return f"{op}_{number}"


def add_node(cell: dict[str, Any], op: str, inputs: list[str] = (), position=None, node_id: str | None = None):
    """(new cell, the new node's id): a primitive `op` reading `inputs`."""
    if op not in PRIMITIVES:
        raise CellEditError(f"unknown primitive '{op}'; one of {', '.join(PRIMITIVES)}")
    result = copy.deepcopy(cell)
    node_id = node_id or unique_id(result, op)
    result["nodes"].append({"id": node_id, "op": op, "inputs": list(inputs)})
    if position is not None:
        result.setdefault("layout", {})[node_id] = [float(position[0]), float(position[1])]
    try:
        return _checked(result), node_id
    except ValueError as error:
        raise CellEditError(str(error)) from None


def remove_node(cell: dict[str, Any], node_id: str) -> dict[str, Any]:
    """Without the node; whatever read it reads nothing in its place (the diagnostics say so)."""
    result = copy.deepcopy(cell)
    result["nodes"].remove(node_entry(result, node_id))
    for node in result["nodes"]:
        node["inputs"] = [ref for ref in node["inputs"] if ref != node_id]
    result["outputs"] = {state: source for state, source in result["outputs"].items() if source != node_id}
    result.get("layout", {}).pop(node_id, None)
    return _checked(result)


def set_inputs(cell: dict[str, Any], node_id: str, inputs: list[str]) -> dict[str, Any]:
    result = copy.deepcopy(cell)
    node_entry(result, node_id)["inputs"] = list(inputs)
    return _checked(result)


def set_setting(cell: dict[str, Any], node_id: str, name: str, value: Any) -> dict[str, Any]:
    result = copy.deepcopy(cell)
    node = node_entry(result, node_id)
    node.setdefault("settings", {})[name] = value
    try:
        return _checked(result)
    except ValueError as error:
        raise CellEditError(str(error)) from None


def set_gate(cell: dict[str, Any], node_id: str, gate: str | None) -> dict[str, Any]:
    """Mark (or, with None or "", unmark) a node as a gate probed under `gate`."""
    result = copy.deepcopy(cell)
    node = node_entry(result, node_id)
    if gate:
        node["gate"] = gate
    else:
        node.pop("gate", None)
    return _checked(result)


def set_output(cell: dict[str, Any], state: str, node_id: str | None) -> dict[str, Any]:
    """Make `node_id` compute the new value of `state` (None: leave it unwritten)."""
    if state not in cell["states"]:
        raise CellEditError(f"'{state}' is not a state of this cell ({', '.join(cell['states'])})")
    result = copy.deepcopy(cell)
    if node_id is None:
        result["outputs"].pop(state, None)
    else:
        node_entry(result, node_id)
        result["outputs"][state] = node_id
    return _checked(result)


def add_state(cell: dict[str, Any], name: str) -> dict[str, Any]:
    problem = name_problem(name)
    taken = {*cell["states"], *(n["id"] for n in cell["nodes"])}
    if problem or name in taken:
        raise CellEditError(problem or f"the name '{name}' is taken")
    result = copy.deepcopy(cell)
    result["states"].append(name)
    return _checked(result)


def move_node(cell: dict[str, Any], node_id: str, position) -> dict[str, Any]:
    result = copy.deepcopy(cell)
    result.setdefault("layout", {})[node_id] = [float(position[0]), float(position[1])]
    return _checked(result)
