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
from .document import INPUT, NEW_VALUE, from_dict, name_problem
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


def remove_state(cell: dict[str, Any], name: str) -> dict[str, Any]:
    """Without state `name`: nothing writes it, and whatever read its previous value reads
    nothing in its place (the diagnostics say so). A cell keeps at least one state."""
    if name not in cell["states"]:
        raise CellEditError(f"'{name}' is not a state of this cell ({', '.join(cell['states'])})")
    if len(cell["states"]) == 1:
        raise CellEditError(f"'{name}' is the cell's only state; a recurrent cell needs one")
    result = copy.deepcopy(cell)
    result["states"].remove(name)
    result["outputs"].pop(name, None)
    for node in result["nodes"]:
        node["inputs"] = [ref for ref in node["inputs"] if ref != name]
    for key in (name, name + NEW_VALUE):
        result.get("layout", {}).pop(key, None)
    return _checked(result)


def rename(cell: dict[str, Any], old: str, new: str) -> dict[str, Any]:
    """Node or state `old` called `new` everywhere it is read, written or placed. A node's
    learned weights are named after it, so renaming a Linear starts its weights afresh."""
    problem = name_problem(new)
    if problem:
        raise CellEditError(problem)
    names = [*cell["states"], *(n["id"] for n in cell["nodes"])]
    if old not in names:
        raise CellEditError(f"the cell has no node or state '{old}'")
    if new in names and new != old:
        raise CellEditError(f"the name '{new}' is taken")
    result = copy.deepcopy(cell)
    swap = lambda name: new if name == old else name  # noqa: E731
    result["states"] = [swap(s) for s in result["states"]]
    for node in result["nodes"]:
        node["id"], node["inputs"] = swap(node["id"]), [swap(ref) for ref in node["inputs"]]
    result["outputs"] = {swap(state): swap(source) for state, source in result["outputs"].items()}
    layout = result.get("layout", {})
    for suffix in ("", NEW_VALUE):
        if old + suffix in layout:
            layout[new + suffix] = layout.pop(old + suffix)
    return _checked(result)
