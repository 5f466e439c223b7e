"""Validation and shape inference over a GraphDocument.

`infer_shapes` walks the graph in topological order and gives every port its shape, or a
problem in words when a block cannot work with what it receives; a node whose inputs are
unknown gets no shape and no problem, so one mistake is reported once, where it is.
`validate` adds the whole-graph checks and parameter counts, and returns diagnostics the
GUI and the command line show as they are.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import networkx as nx

from .blocks import BlockContext, Shape, ShapeError
from .graph import Edge, GraphDocument

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
class ShapeInference:
    outputs: dict[str, Shape] = field(default_factory=dict)  # node -> output shape
    inputs: dict[str, dict[str, Shape]] = field(default_factory=dict)  # node -> port -> shape
    problems: dict[str, str] = field(default_factory=dict)  # node -> message
    problem_ports: dict[str, str | None] = field(default_factory=dict)  # node -> port
    order: list[str] = field(default_factory=list)  # topological order


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


def infer_shapes(doc: GraphDocument, data) -> ShapeInference:
    result = ShapeInference()
    graph = doc.graph
    if not nx.is_directed_acyclic_graph(graph):
        return result
    result.order = list(nx.topological_sort(graph))
    for node_id in result.order:
        _infer_node(doc, node_id, data, result)
    return result


def _infer_node(doc: GraphDocument, node_id: str, data, result: ShapeInference) -> None:
    node = doc.node(node_id)
    spec = node.spec
    received: dict[str, Shape] = {}
    for edge in doc.incoming(node_id):
        shape = result.outputs.get(edge.source)
        if shape is None:
            return  # unknown upstream: say nothing here, the cause is reported upstream
        received.setdefault(edge.target_port, shape)
    if any(port.name not in received for port in spec.inputs):
        return
    result.inputs[node_id] = received
    try:
        _check_kinds(doc, node_id, received)
        shape = spec.infer(BlockContext(node.params, received, data))
    except ShapeError as error:
        result.problems[node_id] = str(error)
        result.problem_ports[node_id] = error.port
        return
    if shape is not None:
        result.outputs[node_id] = shape


def _check_kinds(doc: GraphDocument, node_id: str, received: dict[str, Shape]) -> None:
    spec = doc.node(node_id).spec
    for port in spec.inputs:
        shape = received[port.name]
        if shape.kind not in port.kinds:
            wanted = " or ".join(_KIND_WORDS[k] for k in port.kinds)
            source = next(e.source for e in doc.incoming(node_id) if e.target_port == port.name)
            raise ShapeError(
                f"input '{port.name}' takes {wanted}; it receives {shape.describe()} from '{source}'", port=port.name
            )


_KIND_WORDS = {
    "sequence": "a sequence [batch, time, features]",
    "vector": "a vector [batch, features]",
    "tokens": "tokens [batch, time]",
}


def validate(doc: GraphDocument, data=None) -> Analysis:
    """All diagnostics for `doc` against the data signature `data` (None: unknown data)."""
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
        found.append(Diagnostic(ERROR, None, "the model has no input block; add a SequenceInput or TokenInput"))
    if not heads:
        found.append(
            Diagnostic(
                ERROR,
                None,
                "the model has no head; add a Regression, Classification or TokenPrediction block at the end",
            )
        )
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
    return [
        Diagnostic(WARNING, n.id, f"{n.label()}: dropout between layers has no effect with one layer", None)
        for n in doc.nodes()
        if n.spec.recurrent and n.params["layers"] == 1 and n.params["dropout"] > 0
    ]


def _param_counts(doc: GraphDocument, shapes: ShapeInference, data) -> dict[str, int]:
    counts = {}
    for node_id, received in shapes.inputs.items():
        if node_id in shapes.problems:
            continue
        node = doc.node(node_id)
        counts[node_id] = node.spec.count_params(BlockContext(node.params, received, data))
    return counts
