"""Shape inference: every port's shape, from the data through the graph in topological order.

A node whose inputs are unknown gets no shape and no problem, so one mistake is reported
once, where it is. This module sits below both the graph document (which checks a new
connection's shapes) and validation (which reports every problem), so neither imports the
other; it reads the document through `graph`, `node` and `incoming` only.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import networkx as nx

from .blocks import BlockContext
from .shapes import Shape, ShapeError, kinds_words

if TYPE_CHECKING:
    from .graph import GraphDocument


@dataclass
class ShapeInference:
    outputs: dict[str, Shape] = field(default_factory=dict)  # node -> output shape
    inputs: dict[str, dict[str, Shape]] = field(default_factory=dict)  # node -> port -> shape
    problems: dict[str, str] = field(default_factory=dict)  # node -> message
    problem_ports: dict[str, str | None] = field(default_factory=dict)  # node -> port
    order: list[str] = field(default_factory=list)  # topological order


def infer_shapes(doc: GraphDocument, data) -> ShapeInference:
    """Shapes of every port of `doc` for the DataSignature `data` (None: unknown data).
    A graph with a cycle has no order and so no shapes; validation reports the cycle."""
    result = ShapeInference()
    graph = doc.graph
    if not nx.is_directed_acyclic_graph(graph):
        return result
    # The order follows the document's insertion order among independent branches; the
    # compiler builds (and so seeds) modules in it, which is why undo restores that order.
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
            source = next(e.source for e in doc.incoming(node_id) if e.target_port == port.name)
            raise ShapeError(
                f"input '{port.name}' takes {kinds_words(port.kinds, dims=True)}; "
                f"it receives {shape.describe()} from '{source}'",
                port=port.name,
            )
