"""Shape inference and diagnostics for a cell document, in the user's words, before training.

Sizes are symbolic: a `Size` is (a, b) meaning a·H + b·F, where H is the hidden size and F
the input size, so a cell is checked once for every H and F rather than for the numbers at
hand; a constant has no size (it broadcasts). The checks, each a diagnostic on the node it
concerns:

- a name read that is neither `x`, a state nor a node; a node with the wrong input count;
- an algebraic loop: nodes feeding each other within one step;
- sizes that cannot meet (adding H to F, splitting 3H in two);
- a new state whose size differs from the previous one (it would change across steps);
- a state never written; a cell whose new states depend on no previous state (not recurrent);
- a gate marker on something other than a sigmoid, a gate name used twice;
- warnings: a state that can grow without bound (the path from its previous value passes a
  Linear or Scale with no sigmoid or tanh after it), a previous state never read, a node
  that leads to no new state.

Nothing here imports torch.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import networkx as nx

from .document import INPUT, CellDocument, CellNode
from .ops import GATE_OPS

ERROR, WARNING = "error", "warning"
Size = tuple[int, int]  # (a, b): a·H + b·F
HIDDEN: Size = (1, 0)
FEATURES: Size = (0, 1)


@dataclass(frozen=True)
class CellDiagnostic:
    severity: str
    node: str | None  # the node or state it concerns; None for the whole cell
    message: str
    code: str = ""  # what kind of problem, for engine.cells.fixes: "unwritten", "unbounded", …
    ref: str | None = None  # the name a "bad_ref" reads

    def __str__(self) -> str:
        return self.message


@dataclass
class CellAnalysis:
    diagnostics: list[CellDiagnostic]
    sizes: dict[str, Size | None] = field(default_factory=dict)  # node id -> size (None: broadcast)
    order: list[str] = field(default_factory=list)  # node ids, each after its inputs

    @property
    def errors(self) -> list[CellDiagnostic]:
        return [d for d in self.diagnostics if d.severity == ERROR]

    @property
    def warnings(self) -> list[CellDiagnostic]:
        return [d for d in self.diagnostics if d.severity == WARNING]

    @property
    def ok(self) -> bool:
        return not self.errors


def size_words(size: Size | None, hidden: int | None = None, features: int | None = None) -> str:
    """'H', '4H', 'H+F', with the number when H and F are known: '2H (256)'."""
    if size is None:
        return "any size"
    a, b = size
    parts = [f"{count if count != 1 else ''}{letter}" for count, letter in ((a, "H"), (b, "F")) if count]
    words = "+".join(parts) or "0"
    if hidden is not None and features is not None:
        words += f" ({a * hidden + b * features})"
    return words


def analyse(doc: CellDocument) -> CellAnalysis:
    """All diagnostics for `doc`, its node sizes and an evaluation order."""
    found: list[CellDiagnostic] = []
    readable = {INPUT, *doc.states, *doc.node_ids()}
    found += _reference_problems(doc, readable)
    found += _arity_problems(doc)
    graph = _dependency_graph(doc)
    loops = _loop_problems(graph)
    found += loops
    position = {node_id: index for index, node_id in enumerate(doc.node_ids())}
    # In the document's order wherever the dependencies allow: code and traces read as drawn.
    order = list(nx.lexicographical_topological_sort(graph, key=position.__getitem__)) if not loops else []
    sizes = _infer_sizes(doc, order, found)
    found += _gate_problems(doc)
    found += _state_problems(doc, sizes)
    if order:
        found += _recurrence_problems(doc, order)
        found += _unused_warnings(doc, graph)
    return CellAnalysis(found, sizes, order)


def parameter_count(doc: CellDocument, analysis: CellAnalysis, hidden: int, features: int) -> int:
    """Learned numbers in the cell for hidden size `hidden` and input size `features`."""
    total = 0
    for node in doc.nodes:
        if node.op == "linear":
            rows = node.settings["units"] * hidden
            total += rows * sum(_number(_read_size(doc, analysis, ref), hidden, features) for ref in node.inputs)
            total += rows if node.settings["bias"] else 0
        elif node.op == "scale":
            total += _number(_read_size(doc, analysis, node.inputs[0]), hidden, features)
    return total


def _number(size: Size | None, hidden: int, features: int) -> int:
    return 0 if size is None else size[0] * hidden + size[1] * features


def _read_size(doc: CellDocument, analysis: CellAnalysis, ref: str) -> Size | None:
    if ref == INPUT:
        return FEATURES
    if ref in doc.states:
        return HIDDEN
    return analysis.sizes.get(ref)


# -- structure ----------------------------------------------------------------------------
def _reference_problems(doc: CellDocument, readable: set[str]) -> list[CellDiagnostic]:
    found = []
    for node in doc.nodes:
        for ref in node.inputs:
            if ref not in readable:
                found.append(
                    CellDiagnostic(
                        ERROR,
                        node.id,
                        f"{node.label()} reads '{ref}', which is not x, a state or a node of this cell",
                        "bad_ref",
                        ref,
                    )
                )
            elif ref == node.id:
                found.append(
                    CellDiagnostic(
                        ERROR, node.id, f"{node.label()} reads its own output within the step", "bad_ref", ref
                    )
                )
    return found


def _arity_problems(doc: CellDocument) -> list[CellDiagnostic]:
    found = []
    for node in doc.nodes:
        primitive, count = node.primitive, len(node.inputs)
        too_few = count < primitive.min_inputs
        too_many = primitive.max_inputs is not None and count > primitive.max_inputs
        if too_few or too_many:
            found.append(
                CellDiagnostic(
                    ERROR, node.id, f"{node.label()} takes {primitive.arity_words()}; it has {count}", "arity"
                )
            )
    return found


def _dependency_graph(doc: CellDocument) -> nx.DiGraph:
    """Node ids, with an edge from each node to every node that reads it within the step."""
    graph = nx.DiGraph()
    ids = set(doc.node_ids())
    graph.add_nodes_from(doc.node_ids())
    for node in doc.nodes:
        graph.add_edges_from((ref, node.id) for ref in node.inputs if ref in ids and ref != node.id)
    return graph


def _loop_problems(graph: nx.DiGraph) -> list[CellDiagnostic]:
    try:
        cycle = nx.find_cycle(graph)
    except nx.NetworkXNoCycle:
        return []
    path = " → ".join([edge[0] for edge in cycle] + [cycle[0][0]])
    return [
        CellDiagnostic(
            ERROR,
            cycle[0][0],
            f"nodes {path} feed each other within one step (an algebraic loop); a value can only come back "
            "through a state: read the state's previous value instead",
            "loop",
        )
    ]


# -- sizes --------------------------------------------------------------------------------
def _infer_sizes(doc: CellDocument, order: list[str], found: list[CellDiagnostic]) -> dict[str, Size | None]:
    sizes: dict[str, Size | None] = {}
    unknown = object()
    faulty = {d.node for d in found if d.severity == ERROR}
    for node_id in order:
        node = doc.node(node_id)
        received = [_ref_size(doc, sizes, ref, unknown) for ref in node.inputs]
        if node_id in faulty or any(size is unknown for size in received):
            continue  # said already, here or upstream
        size, problem = _node_size(node, received)
        if problem:
            found.append(CellDiagnostic(ERROR, node.id, f"{node.label()}: {problem}", "size"))
        else:
            sizes[node_id] = size
    return sizes


def _ref_size(doc: CellDocument, sizes, ref: str, unknown):
    if ref == INPUT:
        return FEATURES
    if ref in doc.states:
        return HIDDEN
    return sizes.get(ref, unknown)


def _node_size(node: CellNode, received: list[Size | None]) -> tuple[Size | None, str | None]:
    op = node.op
    if op == "constant":
        return None, None
    if op in ("linear", "scale", "concat") and any(size is None for size in received):
        return None, "a constant has no size of its own here; feed it through Add or Multiply instead"
    if op == "linear":
        return (node.settings["units"], 0), None
    if op == "concat":
        return (sum(s[0] for s in received), sum(s[1] for s in received)), None
    if op == "split":
        return _split_size(node, received[0])
    if op in ("add", "multiply"):
        sized = [s for s in received if s is not None]
        if any(s != sized[0] for s in sized):
            words = ", ".join(f"'{ref}' {size_words(s)}" for ref, s in zip(node.inputs, received) if s is not None)
            return None, f"its inputs differ in size ({words}; H is the hidden size, F the input's); make them equal"
        return (sized[0] if sized else None), None
    return received[0], None  # sigmoid, tanh, relu, one_minus, scale: same size as the input


def _split_size(node: CellNode, size: Size | None) -> tuple[Size | None, str | None]:
    parts, index = node.settings["parts"], node.settings["index"]
    if index >= parts:
        return None, f"index {index} is beyond its {parts} parts (they count from 0)"
    if size is None or size[0] % parts or size[1] % parts:
        return None, f"its input of size {size_words(size)} cannot be cut into {parts} equal parts for every H and F"
    return (size[0] // parts, size[1] // parts), None


# -- gates and states ---------------------------------------------------------------------
def _gate_problems(doc: CellDocument) -> list[CellDiagnostic]:
    found, seen = [], {}
    for node in doc.gates():
        if node.op not in GATE_OPS:
            found.append(
                CellDiagnostic(
                    ERROR,
                    node.id,
                    f"{node.label()} is marked as gate '{node.gate}', but only a sigmoid output (between 0 and 1) "
                    "can be a gate; remove the marker or mark the sigmoid",
                    "gate_op",
                )
            )
        elif node.gate in seen:
            found.append(
                CellDiagnostic(
                    ERROR, node.id, f"gate name '{node.gate}' is used by '{seen[node.gate]}' already", "gate_twice"
                )
            )
        seen.setdefault(node.gate, node.id)
    return found


def _state_problems(doc: CellDocument, sizes: dict[str, Size | None]) -> list[CellDiagnostic]:
    found = []
    ids = set(doc.node_ids())
    for state in doc.states:
        source = doc.outputs.get(state)
        if source is None:
            found.append(
                CellDiagnostic(
                    ERROR,
                    state,
                    f"state '{state}' is never written: connect a node to its new value {state}_t",
                    "unwritten",
                )
            )
        elif source not in ids:
            found.append(
                CellDiagnostic(
                    ERROR,
                    state,
                    f"the new value of state '{state}' comes from '{source}', which is no node",
                    "unwritten",
                )
            )
        elif source in sizes and sizes[source] != HIDDEN:
            words = size_words(sizes[source])
            found.append(
                CellDiagnostic(
                    ERROR,
                    state,
                    f"state '{state}' would change size across steps: {state}_(t-1) has the hidden size H, but its "
                    f"new value from '{source}' has {words}; make the new value H wide",
                    "state_size",
                )
            )
    return found


def _recurrence_problems(doc: CellDocument, order: list[str]) -> list[CellDiagnostic]:
    depends = _state_dependence(doc, order)
    written = {state: doc.outputs[state] for state in doc.states if doc.outputs.get(state) in depends}
    found = []
    if written and not any(depends[node] for node in written.values()):
        found.append(
            CellDiagnostic(
                ERROR,
                None,
                "the cell is not recurrent: no new state depends on a previous state, so it remembers nothing "
                f"between steps; read {doc.states[0]} (the previous {doc.states[0]}) somewhere",
                "not_recurrent",
            )
        )
    read = {ref for node in doc.nodes for ref in node.inputs}
    for state in doc.states:
        if state not in read and state in written:
            found.append(
                CellDiagnostic(
                    WARNING,
                    state,
                    f"the previous value of state '{state}' is never read; it carries nothing forward",
                    "unread",
                )
            )
    amplified = _unsquashed_amplifier(doc, order, depends)
    for state, source in written.items():
        culprit = amplified.get(source)
        if culprit is not None:
            found.append(
                CellDiagnostic(
                    WARNING,
                    state,
                    f"state '{state}' can grow without bound from step to step: the previous state passes "
                    f"{doc.node(culprit).label()} with no sigmoid or tanh after it; squash it with tanh or gate it",
                    "unbounded",
                )
            )
    return found


def _state_dependence(doc: CellDocument, order: list[str]) -> dict[str, bool]:
    """node id -> whether its value depends on any previous state within the step."""
    depends: dict[str, bool] = {}
    for node_id in order:
        node = doc.node(node_id)
        depends[node_id] = any(ref in doc.states or depends.get(ref, False) for ref in node.inputs)
    return depends


def _unsquashed_amplifier(doc: CellDocument, order: list[str], depends: dict[str, bool]) -> dict[str, str | None]:
    """node id -> a Linear or Scale node on a path from a previous state to it with no squashing
    node after it (None when every such path is squashed)."""
    culprit: dict[str, str | None] = {}
    for node_id in order:
        node = doc.node(node_id)
        if node.primitive.squashes:
            culprit[node_id] = None
        elif node.primitive.amplifies and depends[node_id]:
            culprit[node_id] = node_id
        else:
            culprit[node_id] = next((culprit[ref] for ref in node.inputs if culprit.get(ref)), None)
    return culprit


def _unused_warnings(doc: CellDocument, graph: nx.DiGraph) -> list[CellDiagnostic]:
    targets = {source for source in doc.outputs.values() if source in graph}
    used = set(targets).union(*(nx.ancestors(graph, t) for t in targets)) if targets else set()
    return [
        CellDiagnostic(WARNING, node.id, f"{node.label()} leads to no new state; it is not used", "unused")
        for node in doc.nodes
        if node.id not in used
    ]
