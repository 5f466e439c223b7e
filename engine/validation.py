"""Validation over a GraphDocument: every problem as a diagnostic in the user's words.

`validate` takes the shapes from engine.shape_inference (a problem where a block cannot
work with what it receives), adds the whole-graph checks (cycles, unconnected inputs, heads,
unused blocks) and parameter counts, and returns diagnostics the GUI and the command line
show as they are.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import networkx as nx

from .blocks import CATALOGUE, BlockContext
from .resource_estimate import training_memory_problem
from .shape_inference import ShapeInference, infer_shapes
from .text import either

if TYPE_CHECKING:  # the document is read, never imported: engine.graph sits beside this module
    from .graph import Edge, GraphDocument

__all__ = ["ERROR", "WARNING", "Analysis", "Diagnostic", "ShapeInference", "infer_shapes", "validate"]

ERROR, WARNING = "error", "warning"


@dataclass(frozen=True)
class Diagnostic:
    severity: str
    node: str | None
    message: str
    port: str | None = None

    def __str__(self) -> str:
        return self.message


@dataclass
class Analysis:
    """What validation knows about a graph: diagnostics, shapes and parameter counts."""

    diagnostics: list[Diagnostic]
    shapes: ShapeInference
    param_counts: dict[str, int]
    head: str | None

    @property
    def errors(self) -> list[Diagnostic]:
        return [d for d in self.diagnostics if d.severity == ERROR]

    @property
    def ok(self) -> bool:
        return not self.errors

    def for_node(self, node_id: str) -> list[Diagnostic]:
        return [d for d in self.diagnostics if d.node == node_id]

    @property
    def total_params(self) -> int:
        return sum(self.param_counts.values())


def validate(doc: GraphDocument, data=None, training=None) -> Analysis:
    """All diagnostics for `doc` against the data signature `data` (None: unknown data);
    with the training settings, the memory estimate covers activations at their batch size."""
    diagnostics: list[Diagnostic] = []
    diagnostics += _cycle_diagnostics(doc)
    diagnostics += _port_diagnostics(doc)
    heads = [n.id for n in doc.nodes() if n.spec.head is not None]
    diagnostics += _structure_diagnostics(doc, heads)
    shapes = infer_shapes(doc, data)
    for node_id, message in shapes.problems.items():
        diagnostics.append(
            Diagnostic(ERROR, node_id, f"{doc.node(node_id).label()}: {message}", shapes.problem_ports.get(node_id))
        )
    head = heads[0] if len(heads) == 1 else None
    diagnostics += _reach_diagnostics(doc, head)
    diagnostics += _parameter_warnings(doc)
    counts = _param_counts(doc, shapes, data)
    memory = training_memory_problem(doc, shapes, sum(counts.values()), data, training)
    if memory is not None:
        diagnostics.append(Diagnostic(memory[0], None, memory[1]))
    return Analysis(diagnostics, shapes, counts, head)


def _cycle_diagnostics(doc: GraphDocument) -> list[Diagnostic]:
    try:
        cycle = nx.find_cycle(doc.graph)
    except nx.NetworkXNoCycle:
        return []
    path = " → ".join([edge[0] for edge in cycle] + [cycle[0][0]])
    return [Diagnostic(ERROR, cycle[0][0], f"blocks form a cycle ({path}); remove one of these connections")]


def _port_diagnostics(doc: GraphDocument) -> list[Diagnostic]:
    found = []
    for node in doc.nodes():
        by_port: dict[str, list[Edge]] = {}
        for edge in doc.incoming(node.id):
            by_port.setdefault(edge.target_port, []).append(edge)
        for port in node.spec.inputs:
            edges = by_port.get(port.name, [])
            if not edges:
                found.append(
                    Diagnostic(ERROR, node.id, f"{node.label()}: input '{port.name}' is not connected", port.name)
                )
            elif len(edges) > 1:
                sources = " and ".join(f"'{e.source}'" for e in edges)
                found.append(
                    Diagnostic(
                        ERROR,
                        node.id,
                        f"{node.label()}: input '{port.name}' receives "
                        f"{len(edges)} connections (from {sources}); remove all but one",
                        port.name,
                    )
                )
    return found


def _structure_diagnostics(doc: GraphDocument, heads: list[str]) -> list[Diagnostic]:
    found = []
    if not any(not n.spec.inputs for n in doc.nodes()):
        inputs = either(spec.type_name for spec in CATALOGUE.values() if not spec.inputs)
        found.append(Diagnostic(ERROR, None, f"the model has no input block; add a {inputs}"))
    if not heads:
        kinds = either(spec.type_name for spec in CATALOGUE.values() if spec.head is not None)
        found.append(Diagnostic(ERROR, None, f"the model has no head; add a {kinds} block at the end"))
    elif len(heads) > 1:
        found.append(
            Diagnostic(ERROR, heads[1], f"the model has {len(heads)} heads ({', '.join(heads)}); keep exactly one")
        )
    return found


def _reach_diagnostics(doc: GraphDocument, head: str | None) -> list[Diagnostic]:
    if head is None or not nx.is_directed_acyclic_graph(doc.graph):
        return []
    feeding = nx.ancestors(doc.graph, head) | {head}
    return [
        Diagnostic(WARNING, n.id, f"{n.label()} does not lead to the head '{head}'; it will not be used")
        for n in doc.nodes()
        if n.id not in feeding
    ]


def _parameter_warnings(doc: GraphDocument) -> list[Diagnostic]:
    found = [
        Diagnostic(WARNING, n.id, f"{n.label()}: dropout between layers has no effect with one layer", None)
        for n in doc.nodes()
        if n.spec.recurrent and n.params["layers"] == 1 and n.params["dropout"] > 0
    ]
    return found + [
        Diagnostic(WARNING, n.id, f"{n.label()}: {message}")
        for n in doc.nodes()
        for message in n.spec.warnings(n.params)
    ]


def _param_counts(doc: GraphDocument, shapes: ShapeInference, data) -> dict[str, int]:
    counts = {}
    for node_id, received in shapes.inputs.items():
        if node_id in shapes.problems:
            continue
        node = doc.node(node_id)
        counts[node_id] = node.spec.count_params(BlockContext(node.params, received, data))
    return counts
