"""Fix-its inside a cell: for a refused wire or a diagnostic, the edits that would mend it.

The cell's twin of engine.fixes. A `CellFix` is a title for the user and the whole cell it
leads to (cells are small plain data, so the editor applies a fix as one SetCellCommand and
the CLI saves the result). Every fix offered has been tried: a wire fix's wire is accepted,
and a diagnostic fix removes its diagnostic without bringing a new error.

The fixes, by what went wrong:
- a wire whose sizes cannot meet, or a new state of the wrong size: insert a Linear that
  gives the size needed (or set the units of the Linear already there);
- a state never written: write it from a node of the hidden size, latest first;
- a cell that is not recurrent: let its first Linear read the previous state too;
- unbounded growth: squash the new state with tanh;
- a name that is no name, too many inputs, a misplaced or doubled gate marker, an unused
  node: drop the reference, the extra inputs, the marker, the node.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from .analysis import HIDDEN, CellDiagnostic, analyse
from .document import INPUT, from_dict
from .edits import CellEditError, add_node, node_entry, remove_node, set_gate, set_inputs, set_output, set_setting
from .wiring import Wire, connect, connection_problem

MAX_STATE_CANDIDATES = 3


@dataclass(frozen=True)
class CellFix:
    title: str  # "Insert a Linear between 'x' and 'mix'"
    cell: dict[str, Any]  # the cell after the fix


def fixes_for_wire(cell: dict[str, Any], wire: Wire) -> list[CellFix]:
    """Fixes that make a refused `wire` work, best first; [] if it is accepted or none helps."""
    if connection_problem(cell, wire) is None:
        return []
    candidates = []
    for units in _units_wanted(cell, wire):
        title = f"Insert a Linear ({_units_words(units)}) between '{wire.source}' and '{wire.target}'"
        candidates.append((title, lambda units=units: _through_linear(cell, wire, units)))
    return _tried(candidates, lambda fixed: True)


def fixes_for_diagnostic(cell: dict[str, Any], diagnostic: CellDiagnostic) -> list[CellFix]:
    """Fixes for one of the cell's diagnostics, best first; [] where no edit of ours helps."""
    make = _BY_CODE.get(diagnostic.code)
    if make is None:
        return []
    before = {d.message for d in analyse(from_dict(cell)).errors}

    def mended(fixed: dict[str, Any]) -> bool:
        after = analyse(from_dict(fixed)).diagnostics
        new_errors = {d.message for d in after if d.severity == "error"} - before
        return diagnostic.message not in {d.message for d in after} and not new_errors

    return _tried(make(cell, diagnostic), mended)


# -- candidates, by diagnostic code ------------------------------------------------------
def _drop_reference(cell, diagnostic):
    node = node_entry(cell, diagnostic.node)
    kept = [ref for ref in node["inputs"] if ref != diagnostic.ref]
    return [(f"Stop '{diagnostic.node}' reading '{diagnostic.ref}'", lambda: set_inputs(cell, node["id"], kept))]


def _drop_extra_inputs(cell, diagnostic):
    doc = from_dict(cell)
    node = doc.node(diagnostic.node)
    limit = node.primitive.max_inputs
    if limit is None or len(node.inputs) <= limit:
        return []
    kept = node.inputs[:limit]
    title = f"Keep the first {limit} input{'s' if limit != 1 else ''} of '{node.id}' ({', '.join(kept)})"
    return [(title, lambda: set_inputs(cell, node.id, kept))]


def _drop_gate_marker(cell, diagnostic):
    return [(f"Remove the gate marker from '{diagnostic.node}'", lambda: set_gate(cell, diagnostic.node, None))]


def _rename_gate(cell, diagnostic):
    doc = from_dict(cell)
    taken = {node.gate for node in doc.gates()}
    name, number = doc.node(diagnostic.node).gate, 2
    while f"{name}_{number}" in taken:
        number += 1
    fresh = f"{name}_{number}"
    return [(f"Rename the gate of '{diagnostic.node}' to '{fresh}'", lambda: set_gate(cell, diagnostic.node, fresh))]


def _write_state(cell, diagnostic):
    doc, state = from_dict(cell), diagnostic.node
    analysis = analyse(doc)
    written = set(doc.outputs.values())
    sized = [node_id for node_id in reversed(analysis.order) if analysis.sizes.get(node_id) == HIDDEN]
    chosen = [node_id for node_id in sized if node_id not in written][:MAX_STATE_CANDIDATES]
    return [
        (f"Write the new {state} from '{node_id}'", lambda node_id=node_id: set_output(cell, state, node_id))
        for node_id in chosen
    ]


def _resize_state(cell, diagnostic):
    doc, state = from_dict(cell), diagnostic.node
    source = doc.outputs[state]
    wire = Wire(source, state, 0, True)
    candidates = []
    if doc.node(source).op == "linear":
        candidates.append((f"Set the units of '{source}' to 1 (H wide)", lambda: set_setting(cell, source, "units", 1)))
    title = f"Insert a Linear (H) between '{source}' and the new {state}"
    candidates.append((title, lambda: _through_linear(cell, wire, 1)))
    return candidates


def _make_recurrent(cell, diagnostic):
    doc = from_dict(cell)
    state = doc.states[0]
    linears = [node for node in doc.nodes if node.op == "linear" and state not in node.inputs]
    linears.sort(key=lambda node: INPUT not in node.inputs)  # a Linear of x first: the usual place
    return [
        (
            f"Let '{node.id}' read {state} (the previous {state}) too",
            lambda n=node: set_inputs(cell, n.id, [*n.inputs, state]),
        )
        for node in linears[:2]
    ]


def _squash_state(cell, diagnostic):
    state = diagnostic.node
    source = from_dict(cell).outputs[state]

    def squashed():
        fixed, tanh_id = add_node(cell, "tanh", [source], _beside(cell, source))
        return set_output(fixed, state, tanh_id)

    return [(f"Squash the new {state} with a tanh after '{source}'", squashed)]


def _delete_unused(cell, diagnostic):
    return [(f"Delete the unused node '{diagnostic.node}'", lambda: remove_node(cell, diagnostic.node))]


_BY_CODE = {
    "bad_ref": _drop_reference,
    "arity": _drop_extra_inputs,
    "gate_op": _drop_gate_marker,
    "gate_twice": _rename_gate,
    "unwritten": _write_state,
    "state_size": _resize_state,
    "not_recurrent": _make_recurrent,
    "unbounded": _squash_state,
    "unused": _delete_unused,
}


# -- helpers ------------------------------------------------------------------------------
def _units_wanted(cell: dict[str, Any], wire: Wire) -> list[int]:
    """The Linear widths (multiples of H) that would fit the wire's target."""
    if wire.to_state:
        return [1]
    doc = from_dict(cell)
    node = doc.node(wire.target) if wire.target in doc.node_ids() else None
    if node is None or node.op not in ("add", "multiply"):
        return []
    sizes = analyse(doc).sizes
    others = [
        HIDDEN if ref in doc.states else sizes.get(ref)
        for slot, ref in enumerate(node.inputs)
        if slot != wire.slot and ref != INPUT
    ]
    widths = {size[0] for size in others if size is not None and size[0] > 0 and size[1] == 0}
    return sorted(widths)


def _units_words(units: int) -> str:
    return "H" if units == 1 else f"{units}H"


def _through_linear(cell: dict[str, Any], wire: Wire, units: int) -> dict[str, Any]:
    fixed, linear_id = add_node(cell, "linear", [wire.source], _beside(cell, wire.target))
    fixed = set_setting(fixed, linear_id, "units", units)
    return connect(fixed, Wire(linear_id, wire.target, wire.slot, wire.to_state))


def _beside(cell: dict[str, Any], node_id: str):
    """A place just left of `node_id` on the canvas, when it has one."""
    place = cell.get("layout", {}).get(node_id)
    return None if place is None else (place[0] - 60.0, place[1] + 70.0)


def _tried(candidates, accept) -> list[CellFix]:
    fixes = []
    for title, make in candidates:
        try:
            fixed = make()
        except (CellEditError, ValueError):
            continue
        if accept(fixed):
            fixes.append(CellFix(title, fixed))
    return fixes
