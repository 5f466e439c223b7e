"""Auto-layout: columns left to right by topological depth (longest path from an input).

Within a column, nodes are ordered by the mean row of their predecessors (the barycentre
heuristic), which removes most crossings in the small graphs people build here.
"""

from __future__ import annotations

import networkx as nx

from engine.graph import GraphDocument

from .canvas.geometry import NODE_WIDTH, node_height

COLUMN_GAP = 90.0
ROW_GAP = 36.0


def auto_layout_positions(doc: GraphDocument) -> dict[str, tuple[float, float]]:
    """New top-left positions for every node, anchored where the graph currently starts."""
    if len(doc) == 0:
        return {}
    columns = _columns(doc)
    rows = _order_columns(doc, columns)
    left = min(n.position[0] for n in doc.nodes())
    top = min(n.position[1] for n in doc.nodes())
    heights = [_column_height(doc, column) for column in rows]
    tallest = max(heights)
    positions = {}
    for depth, column in enumerate(rows):
        y = top + (tallest - heights[depth]) / 2
        for node_id in column:
            positions[node_id] = (left + depth * (NODE_WIDTH + COLUMN_GAP), y)
            y += node_height(doc.node(node_id).spec) + ROW_GAP
    return positions


def _columns(doc: GraphDocument) -> dict[str, int]:
    graph = doc.graph
    # A cyclic graph (possible only when loaded from a file) has no depth; keep one column.
    if not nx.is_directed_acyclic_graph(graph):
        return {node.id: 0 for node in doc.nodes()}
    depth: dict[str, int] = {}
    for node_id in nx.topological_sort(graph):
        depth[node_id] = max((depth[p] + 1 for p in graph.predecessors(node_id)), default=0)
    return depth


def _order_columns(doc: GraphDocument, depth: dict[str, int]) -> list[list[str]]:
    rows: list[list[str]] = [[] for _ in range(max(depth.values()) + 1)]
    row_of: dict[str, float] = {}
    for column_index, column in enumerate(rows):
        members = [n.id for n in doc.nodes() if depth[n.id] == column_index]
        members.sort(key=lambda node_id: (_barycentre(doc, node_id, row_of), doc.node(node_id).position[1]))
        column.extend(members)
        row_of.update({node_id: index for index, node_id in enumerate(members)})
    return rows


def _barycentre(doc: GraphDocument, node_id: str, row_of: dict[str, float]) -> float:
    rows = [row_of[p] for p in doc.graph.predecessors(node_id) if p in row_of]
    return sum(rows) / len(rows) if rows else 0.0


def _column_height(doc: GraphDocument, column: list[str]) -> float:
    return sum(node_height(doc.node(n).spec) for n in column) + ROW_GAP * (len(column) - 1)
