"""The model graph document: the single source of truth for what the user built.

Nodes (id, block type, parameters, position) and edges (node.port -> node.port) live in a
networkx MultiDiGraph. Every mutation goes through a method here, validates itself, raises
a typed error when it would break the document, and announces itself through an Event so
views can follow. Whole-graph checks (unconnected inputs, heads that do not fit the data)
are diagnostics from engine.validation, not errors, because a graph is unfinished while
someone builds it.

Insertion order is part of the document: it decides the topological order among
independent branches, and so the order in which the compiler builds (and seeds) modules.
Undoing a removal or a rename therefore puts nodes and edges back at their old places.
"""

from __future__ import annotations

import copy
import keyword
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

import networkx as nx

from .blocks import CATALOGUE, get_spec
from .errors import UserError
from .events import Event
from .params import ParamValueError
from .reserved_names import reserved_ids
from .shape_inference import infer_shapes
from .shapes import kinds_words

_ID_PATTERN = re.compile(r"[A-Za-z_][A-Za-z0-9_]*\Z")


class GraphError(UserError, ValueError):
    """A document edit that cannot be made; the message says why in the user's words."""


class UnknownNodeError(GraphError):
    pass


class InvalidNameError(GraphError):
    pass


class ParamError(GraphError):
    pass


class ConnectionRefused(GraphError):
    """Base of the reasons a connection is refused."""


class UnknownPortError(ConnectionRefused):
    pass


class PortKindError(ConnectionRefused):
    pass


class OccupiedInputError(ConnectionRefused):
    pass


class CycleError(ConnectionRefused):
    pass


class ShapeMismatchError(ConnectionRefused):
    pass


@dataclass
class Node:
    id: str
    type_name: str
    params: dict[str, Any]
    position: tuple[float, float] = (0.0, 0.0)

    @property
    def spec(self):
        return get_spec(self.type_name)

    def label(self) -> str:
        return f"{self.type_name} '{self.id}'"


@dataclass(frozen=True)
class Edge:
    source: str
    source_port: str
    target: str
    target_port: str

    def to_dict(self) -> dict[str, str]:
        return {
            "source": self.source,
            "source_port": self.source_port,
            "target": self.target,
            "target_port": self.target_port,
        }


@dataclass
class RemovedNode:
    """Everything `remove_node` took away, so `restore_node` can put it back exactly:
    the node, its edges, and the order of all nodes and edges before the removal."""

    node: Node
    edges: list[Edge] = field(default_factory=list)
    node_order: list[str] = field(default_factory=list)
    edge_order: list[Edge] = field(default_factory=list)


@dataclass(frozen=True)
class RemovedEdge:
    """What `disconnect` took away: the edge and the order of all edges before."""

    edge: Edge
    edge_order: tuple[Edge, ...] = ()


class GraphDocument:
    """Nodes and edges of one model, with change events for views.

    `data` is the DataSignature of the project's data (or None); shape checks made while
    connecting use it. It is not part of the graph and is not saved with it.
    """

    def __init__(self) -> None:
        self._graph = nx.MultiDiGraph()
        self.data = None
        self.node_added = Event()  # (Node)
        self.node_removed = Event()  # (Node)
        self.node_changed = Event()  # (node_id) parameters changed
        self.node_moved = Event()  # (node_id, position)
        self.node_renamed = Event()  # (old_id, new_id)
        self.edge_added = Event()  # (Edge)
        self.edge_removed = Event()  # (Edge)
        self.changed = Event()  # () after every edit

    # -- reading -----------------------------------------------------------------------
    @property
    def graph(self) -> nx.MultiDiGraph:
        """The underlying graph; read it, never mutate it from outside."""
        return self._graph

    def node(self, node_id: str) -> Node:
        try:
            return self._graph.nodes[node_id]["node"]
        except KeyError:
            raise UnknownNodeError(f"there is no block named '{node_id}'") from None

    def nodes(self) -> list[Node]:
        return [data["node"] for _, data in self._graph.nodes(data=True)]

    def edges(self) -> list[Edge]:
        return [key for _, _, key in self._graph.edges(keys=True)]

    def has_node(self, node_id: str) -> bool:
        return node_id in self._graph

    def incoming(self, node_id: str) -> list[Edge]:
        return [key for _, _, key in self._graph.in_edges(node_id, keys=True)]

    def outgoing(self, node_id: str) -> list[Edge]:
        return [key for _, _, key in self._graph.out_edges(node_id, keys=True)]

    def __len__(self) -> int:
        return self._graph.number_of_nodes()

    def unique_id(self, base: str) -> str:
        """A free id like 'lstm_2' for a new block of type `base`."""
        stem = re.sub(r"(?<=[a-z])(?=[A-Z])", "_", base).lower()
        number = 1
        while f"{stem}_{number}" in self._graph:
            number += 1
        return f"{stem}_{number}"

    # -- editing nodes -----------------------------------------------------------------
    def add_node(
        self,
        type_name: str,
        params: dict[str, Any] | None = None,
        position: tuple[float, float] = (0.0, 0.0),
        node_id: str | None = None,
    ) -> Node:
        if type_name not in CATALOGUE:
            raise GraphError(f"unknown block type '{type_name}'; known types: {', '.join(sorted(CATALOGUE))}")
        spec = get_spec(type_name)
        node_id = node_id or self.unique_id(type_name)
        self._check_new_id(node_id)
        values = spec.defaults()
        for name, value in (params or {}).items():
            values[name] = self._checked_param(spec, name, value)
        node = Node(node_id, type_name, values, (float(position[0]), float(position[1])))
        self._graph.add_node(node_id, node=node)
        self.node_added.emit(node)
        self.changed.emit()
        return node

    def remove_node(self, node_id: str) -> RemovedNode:
        node = self.node(node_id)
        node_order, edge_order = list(self._graph.nodes), self.edges()
        edges = self.incoming(node_id) + self.outgoing(node_id)
        for edge in edges:
            self._remove_edge(edge)
        self._graph.remove_node(node_id)
        self.node_removed.emit(node)
        self.changed.emit()
        return RemovedNode(node, edges, node_order, edge_order)

    def restore_node(self, removed: RemovedNode) -> None:
        """Undo of `remove_node`: the node with its parameters, position and edges, at its
        old place in the document's order."""
        node = removed.node
        self.add_node(node.type_name, node.params, node.position, node.id)
        for edge in removed.edges:
            self._add_edge(edge)
        self._reorder(removed.node_order, removed.edge_order)
        self.changed.emit()

    def id_problem(self, node_id: str) -> str | None:
        """Why `node_id` cannot name a block (for feedback before renaming), or None."""
        try:
            self._check_new_id(node_id)
        except InvalidNameError as error:
            return str(error)
        return None

    def set_param(self, node_id: str, name: str, value: Any) -> Any:
        """Set one parameter; returns the previous value (for undo)."""
        node = self.node(node_id)
        checked = self._checked_param(node.spec, name, value)
        previous = node.params[name]
        node.params[name] = checked
        self.node_changed.emit(node_id)
        self.changed.emit()
        return previous

    def move_node(self, node_id: str, position: tuple[float, float]) -> tuple[float, float]:
        """Move a node; returns the previous position (for undo)."""
        node = self.node(node_id)
        previous = node.position
        node.position = (float(position[0]), float(position[1]))
        self.node_moved.emit(node_id, node.position)
        self.changed.emit()
        return previous

    def rename_node(self, node_id: str, new_id: str) -> None:
        node = self.node(node_id)
        if new_id == node_id:
            return
        self._check_new_id(new_id)
        node_order = [new_id if n == node_id else n for n in self._graph.nodes]
        edge_order = [_renamed(edge, node_id, new_id) for edge in self.edges()]
        for edge in self.incoming(node_id) + self.outgoing(node_id):
            self._graph.remove_edge(edge.source, edge.target, key=edge)
        nx.relabel_nodes(self._graph, {node_id: new_id}, copy=False)
        node.id = new_id
        for edge in edge_order:
            if new_id in (edge.source, edge.target):
                self._graph.add_edge(edge.source, edge.target, key=edge)
        self._reorder(node_order, edge_order)  # relabelling moved the node to the end
        self.node_renamed.emit(node_id, new_id)
        self.changed.emit()

    # -- editing edges -----------------------------------------------------------------
    def connect(self, source: str, source_port: str, target: str, target_port: str) -> Edge:
        edge = Edge(source, source_port, target, target_port)
        reason = self.connection_problem(edge)
        if reason is not None:
            raise reason
        self._add_edge(edge)
        self.changed.emit()
        return edge

    def disconnect(self, edge: Edge) -> RemovedEdge:
        """Remove `edge`; the returned record lets `restore_edge` put it back in place."""
        if not self._graph.has_edge(edge.source, edge.target, key=edge):
            raise GraphError(
                f"there is no connection from {edge.source}.{edge.source_port} to {edge.target}.{edge.target_port}"
            )
        edge_order = tuple(self.edges())
        self._remove_edge(edge)
        self.changed.emit()
        return RemovedEdge(edge, edge_order)

    def restore_edge(self, edge: Edge | RemovedEdge) -> None:
        """Undo of `disconnect`: put back an edge the document held, even if its shapes
        clash by now (as `load` keeps such edges); validation reports the clash. Given the
        record `disconnect` returned, the edge goes back to its old place."""
        removed = edge if isinstance(edge, RemovedEdge) else RemovedEdge(edge)
        self._check_loaded_edge(removed.edge)
        self._add_edge(removed.edge)
        if removed.edge_order:
            self._reorder(list(self._graph.nodes), list(removed.edge_order))
        self.changed.emit()

    def connection_problem(self, edge: Edge) -> ConnectionRefused | None:
        """Why `edge` cannot be made (an error to raise or show), or None if it can."""
        return (
            self._port_problem(edge)
            or self._wiring_problem(edge)
            or self._cycle_problem(edge)
            or self._shape_problem(edge)
        )

    def _port_problem(self, edge: Edge) -> ConnectionRefused | None:
        source, target = self.node(edge.source), self.node(edge.target)
        out_port = source.spec.output
        if out_port is None or out_port.name != edge.source_port:
            return UnknownPortError(f"{source.label()} has no output '{edge.source_port}'")
        if edge.target_port not in {port.name for port in target.spec.inputs}:
            return UnknownPortError(f"{target.label()} has no input '{edge.target_port}'")
        return None

    def _wiring_problem(self, edge: Edge) -> ConnectionRefused | None:
        source, target = self.node(edge.source), self.node(edge.target)
        out_port, in_port = source.spec.output, target.spec.input_port(edge.target_port)
        occupant = [e for e in self.incoming(edge.target) if e.target_port == edge.target_port]
        if occupant:
            return OccupiedInputError(
                f"{target.label()} input '{in_port.name}' is already connected to "
                f"'{occupant[0].source}'; disconnect it first"
            )
        if not set(out_port.kinds) & set(in_port.kinds):
            return PortKindError(
                f"{target.label()} input '{in_port.name}' takes {kinds_words(in_port.kinds)}; "
                f"{source.label()} gives {kinds_words(out_port.kinds)}"
            )
        return None

    def _cycle_problem(self, edge: Edge) -> ConnectionRefused | None:
        if edge.source == edge.target or nx.has_path(self._graph, edge.target, edge.source):
            return CycleError(
                f"connecting '{edge.source}' to '{edge.target}' would make a cycle; "
                "recurrence happens inside recurrent blocks, not between blocks"
            )
        return None

    def _shape_problem(self, edge: Edge) -> ConnectionRefused | None:
        """Refuse an edge whose inferred shapes clash at the target (kind or size). The
        target port is free (checked first), so without this edge the target has no shape
        and no problem yet: only the inference with the edge is needed."""
        self._graph.add_edge(edge.source, edge.target, key=edge)
        try:
            after = infer_shapes(self, self.data)
        finally:
            self._graph.remove_edge(edge.source, edge.target, key=edge)
        problem = after.problems.get(edge.target)
        # Only problems at a port are the connection's fault; a head that does not fit
        # the data, say, is the graph's problem and reported by validation.
        if problem and after.problem_ports.get(edge.target):
            cls = PortKindError if "takes" in problem else ShapeMismatchError
            return cls(f"{self.node(edge.target).label()}: {problem}")
        return None

    # -- serialisation -----------------------------------------------------------------
    def to_dict(self) -> dict[str, Any]:
        """The graph as plain JSON-able data; positions are returned by `layout_dict`."""
        return {
            "nodes": [{"id": n.id, "type": n.type_name, "params": copy.deepcopy(n.params)} for n in self.nodes()],
            "edges": [e.to_dict() for e in self.edges()],
        }

    def layout_dict(self) -> dict[str, list[float]]:
        return {n.id: [n.position[0], n.position[1]] for n in self.nodes()}

    def clear(self) -> None:
        for node in list(self.nodes()):
            self.remove_node(node.id)

    def load(self, graph: dict[str, Any], layout: dict[str, Iterable[float]] | None = None) -> None:
        """Replace the contents with `graph` (as from `to_dict`). Checks each node and edge
        as it goes; wiring problems that a file may legitimately hold (e.g. an edge whose
        shapes clash after a parameter change) are kept and reported by validation."""
        self.clear()
        layout = layout or {}
        for entry in graph.get("nodes", []):
            self.add_node(
                entry["type"], entry.get("params", {}), tuple(layout.get(entry["id"], (0.0, 0.0))), entry["id"]
            )
        for entry in graph.get("edges", []):
            edge = Edge(entry["source"], entry["source_port"], entry["target"], entry["target_port"])
            self._check_loaded_edge(edge)
            self._add_edge(edge)
        self.changed.emit()

    def _check_loaded_edge(self, edge: Edge) -> None:
        """A file may hold wiring that validation reports (cycles, clashing shapes), so the
        user can see and mend it; unknown ports it may not. No shape check per edge here:
        that would make loading quadratic in graph size."""
        problem = self._port_problem(edge)
        if problem is not None:
            raise problem

    # -- internals ---------------------------------------------------------------------
    def _reorder(self, node_order: list[str], edge_order: list[Edge]) -> None:
        """Rebuild the graph with nodes and edges in the given order (anything present but
        not listed goes last), without events: the contents do not change, only the order."""
        nodes = dict(self._graph.nodes(data="node"))
        edges = set(self.edges())
        nodes_first = [n for n in node_order if n in nodes] + [n for n in nodes if n not in set(node_order)]
        edges_first = [e for e in edge_order if e in edges] + [e for e in self.edges() if e not in set(edge_order)]
        self._graph.clear()
        for node_id in nodes_first:
            self._graph.add_node(node_id, node=nodes[node_id])
        for edge in edges_first:
            self._graph.add_edge(edge.source, edge.target, key=edge)

    def _add_edge(self, edge: Edge) -> None:
        self._graph.add_edge(edge.source, edge.target, key=edge)
        self.edge_added.emit(edge)

    def _remove_edge(self, edge: Edge) -> None:
        self._graph.remove_edge(edge.source, edge.target, key=edge)
        self.edge_removed.emit(edge)

    def _check_new_id(self, node_id: str) -> None:
        if not isinstance(node_id, str) or not _ID_PATTERN.match(node_id):
            raise InvalidNameError(
                f"'{node_id}' is not a valid block name: use letters, digits and underscores, not starting with a digit"
            )
        if keyword.iskeyword(node_id) or node_id in reserved_ids() or node_id.startswith("_"):
            raise InvalidNameError(f"'{node_id}' is reserved; choose another block name")
        if node_id in self._graph:
            raise InvalidNameError(f"a block named '{node_id}' already exists")

    @staticmethod
    def _checked_param(spec, name: str, value: Any) -> Any:
        try:
            return spec.param(name).check(value)
        except (KeyError, ParamValueError) as error:
            raise ParamError(f"{spec.type_name}: {error.args[0]}") from None


def _renamed(edge: Edge, old: str, new: str) -> Edge:
    swap = lambda node_id: new if node_id == old else node_id  # noqa: E731
    return Edge(swap(edge.source), edge.source_port, swap(edge.target), edge.target_port)
