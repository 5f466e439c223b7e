"""Fix-its: for a connection the document refuses, the edits that would make it work.

A refused connection says why; a fix says how, and can be applied in one click. A `Fix` is
plain data: a title for the user and a list of primitive edits (`Op`s) on the document, so
the GUI applies the same edits as undoable commands and `apply_fix` applies them here.
Every fix offered has been tried on a copy of the document: its connection is accepted.

The fixes, for a wire from block S to block T that the document refuses:
- T takes a vector, S gives a sequence: set S's `output` to "last" (a recurrent block);
  insert a LastStep, or a MeanOverTime, between S and T.
- T takes a sequence, S gives a vector: set S's `output` to "sequence" (a recurrent block).
- the sizes differ (an Add of two branches, say): insert a Linear giving T the size it
  needs between S and T.
A problem the validation found on an existing wire (e.g. in a file) gets the same fixes,
after taking that wire away first (`fixes_for_diagnostic`). `insertion` puts a block into a
wire that works (the wire's context menu), checked the same way.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from .blocks import get_spec
from .graph import Edge, GraphDocument, GraphError, PortKindError, ShapeMismatchError
from .shape_inference import infer_shapes

INSERT_GAP = 40.0  # how far an inserted block sits from the blocks it joins, at the least


@dataclass(frozen=True)
class Op:
    """One primitive document edit: "add_node", "set_param", "connect" or "disconnect"."""

    kind: str
    args: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Fix:
    title: str  # "Insert a LastStep between 'memory' and 'head'"
    ops: tuple[Op, ...]


def fixes_for_connection(doc: GraphDocument, edge: Edge) -> list[Fix]:
    """The fixes that make `edge` acceptable, best first; [] when it is accepted already or
    no edit of this kind helps (a cycle, an occupied input, an unknown port)."""
    problem = doc.connection_problem(edge)
    if not isinstance(problem, (PortKindError, ShapeMismatchError)):
        return []
    return [fix for fix in _candidates(doc, edge) if _works(doc, fix)]


def fixes_for_diagnostic(doc: GraphDocument, node_id: str, port: str | None) -> list[Fix]:
    """Fixes for a problem validation reports at `node_id`'s input `port`, made by the wire
    already there: take it away, then fix it as a new connection."""
    wires = [edge for edge in doc.incoming(node_id) if port is None or edge.target_port == port]
    if len(wires) != 1:
        return []
    [wire] = wires
    trial = copy_document(doc)
    trial.disconnect(wire)
    first = Op("disconnect", {"edge": wire})
    return [Fix(fix.title, (first, *fix.ops)) for fix in fixes_for_connection(trial, wire) if _works(doc, fix, first)]


def insertion(doc: GraphDocument, edge: Edge, block: str) -> Fix | None:
    """Put a new `block` into the existing wire `edge` (source → block → target), if the
    result is accepted: what a wire's "Insert block here" offers."""
    spec = get_spec(block)
    if not spec.inputs or spec.output is None:
        return None  # an input or a head cannot sit inside a wire
    inserted = _insert(doc, edge, block, {})
    fix = Fix(inserted.title, (Op("disconnect", {"edge": edge}), *inserted.ops))
    return fix if _works(doc, fix) else None


def apply_fix(doc: GraphDocument, fix: Fix) -> None:
    """Make the fix's edits on `doc` (the GUI makes the same ones as undoable commands)."""
    for op in fix.ops:
        apply_op(doc, op)


def apply_op(doc: GraphDocument, op: Op) -> None:
    args = op.args
    if op.kind == "add_node":
        doc.add_node(args["type"], args["params"], args["position"], args["id"])
    elif op.kind == "set_param":
        doc.set_param(args["node"], args["name"], args["value"])
    elif op.kind == "connect":
        edge = args["edge"]
        doc.connect(edge.source, edge.source_port, edge.target, edge.target_port)
    elif op.kind == "disconnect":
        doc.disconnect(args["edge"])
    else:
        raise ValueError(f"unknown fix operation '{op.kind}'")


def copy_document(doc: GraphDocument) -> GraphDocument:
    copy = GraphDocument()
    copy.data = doc.data
    copy.load(doc.to_dict(), doc.layout_dict())
    return copy


# -- candidates ---------------------------------------------------------------------------
def _candidates(doc: GraphDocument, edge: Edge) -> list[Fix]:
    source, target = doc.node(edge.source), doc.node(edge.target)
    wants = set(target.spec.input_port(edge.target_port).kinds)
    candidates = []
    if "output" in source.params:  # a recurrent block chooses what it gives
        for value, kind in (("last", "vector"), ("sequence", "sequence")):
            if kind in wants and source.params["output"] != value:
                candidates.append(
                    Fix(
                        f"Set {source.label()} output to '{value}'",
                        (
                            Op("set_param", {"node": source.id, "name": "output", "value": value}),
                            Op("connect", {"edge": edge}),
                        ),
                    )
                )
    if "vector" in wants:
        candidates += [_insert(doc, edge, block, {}) for block in ("LastStep", "MeanOverTime")]
    size = _wanted_size(doc, edge)
    if size is not None:
        candidates.append(_insert(doc, edge, "Linear", {"features": size}, f" giving {size} features"))
    return candidates


def _insert(doc: GraphDocument, edge: Edge, block: str, params: dict[str, Any], detail: str = "") -> Fix:
    """Insert a `block` between the wire's ends: source → block → target."""
    node_id = doc.unique_id(block)
    (sx, sy), (tx, ty) = doc.node(edge.source).position, doc.node(edge.target).position
    position = ((sx + tx) / 2, (sy + ty) / 2 + INSERT_GAP)
    in_port = _first_input(block)
    ops = (
        Op("add_node", {"type": block, "params": params, "position": position, "id": node_id}),
        Op("connect", {"edge": Edge(edge.source, edge.source_port, node_id, in_port)}),
        Op("connect", {"edge": Edge(node_id, "out", edge.target, edge.target_port)}),
    )
    article = "an" if block[0] in "AEIOU" else "a"
    return Fix(f"Insert {article} {block}{detail} between '{edge.source}' and '{edge.target}'", ops)


def _first_input(block: str) -> str:
    return get_spec(block).inputs[0].name


def _wanted_size(doc: GraphDocument, edge: Edge) -> int | None:
    """The feature size the target needs at this port, when another input fixes it: the
    other branch of an Add, say. None when nothing says which size would do."""
    outputs = infer_shapes(doc, doc.data).outputs
    for other in doc.incoming(edge.target):
        shape = outputs.get(other.source)
        if other.target_port != edge.target_port and shape is not None:
            return shape.size
    return None


def _works(doc: GraphDocument, fix: Fix, *before: Op) -> bool:
    """Try the fix on a copy: every edit is accepted, and the wire's end has no problem."""
    trial = copy_document(doc)
    try:
        for op in (*before, *fix.ops):
            apply_op(trial, op)
    except GraphError:
        return False
    last = fix.ops[-1].args["edge"]
    return last.target not in infer_shapes(trial, trial.data).problems
