"""The wires of a cell: the headless twin of dragging a wire on the cell editor's canvas.

A node's inputs are numbered slots, in the order the node reads them (a Linear's slots are
the pieces it concatenates; a Multiply's, its factors). A `Wire` runs from a name — `x`, a
state (its previous value) or a node — into one slot of a node, or into a state's new value.
Connecting to the slot just past a node's last input adds an input; to an existing slot,
replaces it. `connection_problem` refuses a wire the way the outer canvas refuses one: it
would read an unknown name, loop within a step, give a node too many inputs, or make sizes
that cannot meet (the analysis's own words); engine.cells.fixes offers the edits that help.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass
from typing import Any

import networkx as nx

from .analysis import analyse
from .document import INPUT, from_dict
from .edits import CellEditError, node_entry


@dataclass(frozen=True)
class Wire:
    source: str  # x, a state's name (its previous value) or a node id
    target: str  # a node id, or a state's name when `to_state`
    slot: int = 0  # which input of the target node; 0 for a state
    to_state: bool = False

    def describe(self) -> str:
        if self.to_state:
            return f"{self.source} → new {self.target}"
        return f"{self.source} → {self.target} (input {self.slot + 1})"


def wires(cell: dict[str, Any]) -> list[Wire]:
    """Every wire of the cell: node inputs in slot order, then the states' new values."""
    found = [Wire(ref, node["id"], slot) for node in cell["nodes"] for slot, ref in enumerate(node["inputs"])]
    found += [Wire(source, state, 0, True) for state, source in cell["outputs"].items()]
    return found


def connect(cell: dict[str, Any], wire: Wire) -> dict[str, Any]:
    """The cell with `wire` in place (raises CellEditError, in words, where it is refused)."""
    problem = connection_problem(cell, wire)
    if problem:
        raise CellEditError(problem)
    return _with_wire(cell, wire)


def disconnect(cell: dict[str, Any], wire: Wire) -> dict[str, Any]:
    """The cell without `wire`: a node's later inputs move up a slot; a state is left unwritten."""
    result = copy.deepcopy(cell)
    if wire.to_state:
        if result["outputs"].get(wire.target) != wire.source:
            raise CellEditError(f"'{wire.source}' does not write state '{wire.target}'")
        del result["outputs"][wire.target]
        return result
    node = node_entry(result, wire.target)
    if wire.slot >= len(node["inputs"]) or node["inputs"][wire.slot] != wire.source:
        raise CellEditError(f"'{wire.target}' does not read '{wire.source}' at input {wire.slot + 1}")
    del node["inputs"][wire.slot]
    return result


def reconnect(cell: dict[str, Any], old: Wire, new: Wire) -> dict[str, Any]:
    """Move a wire's end to another slot or state, as one edit."""
    return connect(disconnect(cell, old), _shifted(old, new))


def connection_problem(cell: dict[str, Any], wire: Wire) -> str | None:
    """Why `wire` cannot be made, in the user's words; None when it can."""
    doc = from_dict(cell)
    if wire.source not in {INPUT, *doc.states, *doc.node_ids()}:
        return f"'{wire.source}' is not x, a state or a node of this cell"
    if wire.to_state:
        if wire.target not in doc.states:
            return f"'{wire.target}' is not a state of this cell ({', '.join(doc.states)})"
        if wire.source not in doc.node_ids():
            return f"a state's new value must come from a node; put a node between '{wire.source}' and it"
    else:
        problem = _slot_problem(doc, wire)
        if problem:
            return problem
    return _new_errors(cell, _with_wire(cell, wire), wire)


def _slot_problem(doc, wire: Wire) -> str | None:
    if wire.target not in doc.node_ids():
        return f"the cell has no node '{wire.target}'"
    node = doc.node(wire.target)
    if wire.source == node.id:
        return f"{node.label()} cannot read its own output within the step"
    if wire.slot > len(node.inputs):
        return f"{node.label()} has {len(node.inputs)} inputs; connect to input {len(node.inputs) + 1} to add one"
    limit = node.primitive.max_inputs
    if wire.slot == len(node.inputs) and limit is not None and len(node.inputs) >= limit:
        return (
            f"{node.label()} takes {node.primitive.arity_words()} and has them; drop the wire on an input to replace it"
        )
    if wire.source in doc.node_ids():
        graph = nx.DiGraph((ref, n.id) for n in doc.nodes for ref in n.inputs if ref in doc.node_ids())
        if graph.has_node(node.id) and graph.has_node(wire.source) and nx.has_path(graph, node.id, wire.source):
            return (
                f"'{wire.source}' already depends on '{node.id}' within the step: this wire would make an algebraic "
                "loop; a value can only come back through a state's previous value"
            )
    return None


def _new_errors(before: dict[str, Any], after: dict[str, Any], wire: Wire) -> str | None:
    """The first error the wire brings to its target (sizes that cannot meet), if any."""
    old = {d.message for d in analyse(from_dict(before)).errors}
    for diagnostic in analyse(from_dict(after)).errors:
        if (
            diagnostic.message not in old
            and diagnostic.node == wire.target
            and diagnostic.code in ("size", "state_size")
        ):
            return diagnostic.message
    return None


def _with_wire(cell: dict[str, Any], wire: Wire) -> dict[str, Any]:
    result = copy.deepcopy(cell)
    if wire.to_state:
        result["outputs"][wire.target] = wire.source
        return result
    inputs = node_entry(result, wire.target)["inputs"]
    if wire.slot == len(inputs):
        inputs.append(wire.source)
    else:
        inputs[wire.slot] = wire.source
    return result


def _shifted(old: Wire, new: Wire) -> Wire:
    """`new` after `old` was taken away: a later slot of the same node moved up by one."""
    if not old.to_state and not new.to_state and new.target == old.target and new.slot > old.slot:
        return Wire(new.source, new.target, new.slot - 1)
    return new
