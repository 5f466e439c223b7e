"""Graph scaling: validation (with shape inference) and compilation of generated graphs of
about 10, 100 and 1000 nodes, and the cost of building them edge by edge.

Two shapes of graph, both SequenceInput -> ... -> LastStep -> Regression on the adding
problem's signature (2 features, length 50):
- chain:     a line of Linear(16) / Activation / LayerNorm blocks;
- branching: diamonds that fan out and join again, alternately
             x -> Linear, x -> Activation, Add  and  x -> Linear, x -> LayerNorm, Concat -> Linear.
Stages, each the median of repeated calls with the sizes interleaved: `infer_shapes` alone,
`validate` (which includes shape inference), `compile_graph` given that analysis, and
validate + compile together (what training does). The growth exponent is the log-log slope
of time against nodes + edges (1 is linear). Targets: validate + compile under 50 ms at 100
nodes; growth roughly linear, taken as an exponent of at most 1.2.

Building: GraphDocument.connect checks every edge by running shape inference over the whole
graph twice, so building a graph edge by edge may grow quadratically; its total time is
measured per size too (the graphs timed above are wired directly, without those checks).
"""

from __future__ import annotations

import time

import torch

from engine.compiler import compile_graph
from engine.data import describe
from engine.graph import Edge, GraphDocument
from engine.validation import infer_shapes, validate

from .common import interleave, loglog_slope, median, print_table

TARGET_MS_AT_100 = 50.0
# Building with connect is quadratic today (~25 s for 1000 nodes), so only the chain is
# built at 1000 nodes; the branching graph stops at 300.
FULL = {
    "sizes": (10, 100, 1000),
    "repeats": 9,
    "build_sizes": {"chain": (10, 100, 300, 1000), "branching": (10, 100, 300)},
}
QUICK = {"sizes": (10, 30), "repeats": 3, "build_sizes": {"chain": (10, 30), "branching": (10, 30)}}
WIDTH = 16
_CYCLE = (("Linear", {"features": WIDTH}), ("Activation", {"function": "Tanh"}), ("LayerNorm", {}))


def signature():
    return describe({"task": "adding", "params": {}})


class Builder:
    """Adds nodes with fresh ids and records edges; `wire` adds them unchecked (fast) or via
    connect (checked, as the GUI does)."""

    def __init__(self):
        self.doc = GraphDocument()
        self.doc.data = signature()
        self.edges: list[Edge] = []

    def add(self, type_name: str, params: dict | None = None) -> str:
        return self.doc.add_node(type_name, params or {}, node_id=f"n{len(self.doc)}").id

    def link(self, source: str, target: str, port: str = "in") -> None:
        self.edges.append(Edge(source, "out", target, port))

    def wire(self, checked: bool) -> GraphDocument:
        for edge in self.edges:
            if checked:
                self.doc.connect(edge.source, edge.source_port, edge.target, edge.target_port)
            else:  # skip connect's per-edge checks: these graphs are valid by construction
                self.doc._add_edge(edge)
        return self.doc


def chain(nodes: int) -> Builder:
    b = Builder()
    previous = b.add("SequenceInput")
    for index in range(max(1, nodes - 3)):
        current = b.add(*_CYCLE[index % len(_CYCLE)])
        b.link(previous, current)
        previous = current
    _finish(b, previous)
    return b


def branching(nodes: int) -> Builder:
    b = Builder()
    previous = b.add("SequenceInput")
    first = b.add("Linear", {"features": WIDTH})
    b.link(previous, first)
    previous, index = first, 0
    while len(b.doc) < nodes - 2:
        previous = (_add_diamond if index % 2 == 0 else _concat_diamond)(b, previous)
        index += 1
    _finish(b, previous)
    return b


def _add_diamond(b: Builder, x: str) -> str:
    left, right, join = b.add("Linear", {"features": WIDTH}), b.add("Activation"), b.add("Add")
    b.link(x, left), b.link(x, right), b.link(left, join, "a"), b.link(right, join, "b")
    return join


def _concat_diamond(b: Builder, x: str) -> str:
    left, right = b.add("Linear", {"features": WIDTH}), b.add("LayerNorm")
    join, squeeze = b.add("Concat"), b.add("Linear", {"features": WIDTH})
    b.link(x, left), b.link(x, right), b.link(left, join, "a"), b.link(right, join, "b"), b.link(join, squeeze)
    return squeeze


def _finish(b: Builder, previous: str) -> None:
    last, head = b.add("LastStep"), b.add("Regression")
    b.link(previous, last), b.link(last, head)


GENERATORS = {"chain": chain, "branching": branching}


STAGES = ("infer_shapes", "validate", "compile", "validate_compile")


def stage_calls(doc: GraphDocument) -> dict:
    data = doc.data
    analysis = validate(doc, data)
    assert analysis.ok, [d.message for d in analysis.errors]
    return {
        "infer_shapes": lambda: infer_shapes(doc, data),
        "validate": lambda: validate(doc, data),
        "compile": lambda: compile_graph(doc, data, analysis),
        "validate_compile": lambda: compile_graph(doc, data),
    }


def stage_times(docs: list[GraphDocument], repeats: int) -> list[dict]:
    """Median seconds of every stage for every graph. The sizes are interleaved within each
    stage, so that a change in machine load cannot bend the growth curve; the collector is
    off while sampling (compiling 1000 modules otherwise triggers ~100 ms full collections
    that land in whichever sample comes next)."""
    calls = [stage_calls(doc) for doc in docs]
    rows = [{"nodes": len(doc), "edges": len(doc.edges())} for doc in docs]
    for stage in STAGES:
        times = interleave({str(i): call[stage] for i, call in enumerate(calls)}, repeats, no_gc=True)
        for i, row in enumerate(rows):
            row[stage] = median(times[str(i)])
    return rows


def build_times(generator, sizes: tuple[int, ...]) -> list[dict]:
    """Seconds to wire each graph edge by edge through GraphDocument.connect."""
    builds = []
    for nodes in sizes:
        builder = generator(nodes)
        started = time.perf_counter()
        builder.wire(checked=True)
        builds.append(
            {"nodes": len(builder.doc), "edges": len(builder.edges), "seconds": time.perf_counter() - started}
        )
    return builds


def measure(kind: str, config: dict) -> dict:
    generator = GENERATORS[kind]
    rows = stage_times([generator(nodes).wire(checked=False) for nodes in config["sizes"]], config["repeats"])
    builds = build_times(generator, config["build_sizes"][kind])
    sizes = [r["nodes"] + r["edges"] for r in rows]
    slopes = {stage: loglog_slope(sizes, [r[stage] for r in rows]) for stage in STAGES}
    slopes["build_with_connect"] = loglog_slope(
        [b["nodes"] + b["edges"] for b in builds], [b["seconds"] for b in builds]
    )
    return {"stages": rows, "builds": builds, "growth_exponent": slopes}


def run(quick: bool = False) -> dict:
    config = QUICK if quick else FULL
    results = {kind: measure(kind, config) for kind in GENERATORS}
    print_table(f"Validate and compile (median ms; torch threads {torch.get_num_threads()})", stage_rows(results))
    print_table("Building the graph with GraphDocument.connect (every edge checked)", build_rows(results))
    verdict = targets(results)
    for line in verdict["lines"]:
        print("  " + line)
    return {"config": config, "target_ms_at_100_nodes": TARGET_MS_AT_100, "results": results, "targets": verdict}


def stage_rows(results: dict) -> list[tuple]:
    rows = [("graph", "nodes", "edges", "infer_shapes", "validate", "compile", "validate+compile")]
    for kind, result in results.items():
        for r in result["stages"]:
            rows.append((kind, r["nodes"], r["edges"], *(f"{1000 * r[stage]:.2f}" for stage in STAGES)))
        rows.append((kind, "exponent", "", *(f"{result['growth_exponent'][stage]:.2f}" for stage in STAGES)))
    return rows


def build_rows(results: dict) -> list[tuple]:
    rows = [("graph", "nodes", "edges", "total ms", "ms per edge")]
    for kind, result in results.items():
        for b in result["builds"]:
            rows.append(
                (
                    kind,
                    b["nodes"],
                    b["edges"],
                    f"{1000 * b['seconds']:.1f}",
                    f"{1000 * b['seconds'] / max(1, b['edges']):.2f}",
                )
            )
        rows.append((kind, "exponent", "", f"{result['growth_exponent']['build_with_connect']:.2f}", ""))
    return rows


def targets(results: dict) -> dict:
    """Target verdicts: < 50 ms at ~100 nodes (validate + compile) and exponent <= 1.2."""
    lines, met = [], True
    for kind, result in results.items():
        near_100 = min(result["stages"], key=lambda r: abs(r["nodes"] - 100))
        total_ms = 1000 * near_100["validate_compile"]
        exponent = result["growth_exponent"]["validate_compile"]
        ok_time, ok_growth = total_ms < TARGET_MS_AT_100, exponent <= 1.2
        met = met and ok_time and ok_growth
        lines.append(
            f"{kind}: validate+compile at {near_100['nodes']} nodes {total_ms:.1f} ms "
            f"({'met' if ok_time else 'MISSED'} < {TARGET_MS_AT_100:g} ms); growth exponent "
            f"{exponent:.2f} ({'roughly linear' if ok_growth else 'NOT linear'}); building with connect "
            f"exponent {result['growth_exponent']['build_with_connect']:.2f}"
        )
    return {"met": met, "lines": lines}
