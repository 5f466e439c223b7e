"""Copy and paste of graph fragments: selected nodes with the connections among them.

A fragment is plain JSON (the same vocabulary as the project file) put on the clipboard as
text, marked with FRAGMENT_FORMAT, so it can be pasted into another window or document.
Text rather than a custom QMimeData: PySide6 crashes at exit when the clipboard still owns
mime data created from Python.
"""

from __future__ import annotations

import json
import re
from typing import Any

from PySide6.QtWidgets import QApplication

from engine import strict_json
from engine.blocks import CATALOGUE
from engine.graph import Edge, GraphDocument
from engine.project import MAX_PROJECT_BYTES

FRAGMENT_FORMAT = "recurrent-studio-fragment"


def make_fragment(doc: GraphDocument, node_ids: list[str]) -> dict[str, Any]:
    chosen = set(node_ids)
    nodes = [
        {"id": n.id, "type": n.type_name, "params": dict(n.params), "position": list(n.position)}
        for n in doc.nodes()
        if n.id in chosen
    ]
    edges = [e.to_dict() for e in doc.edges() if e.source in chosen and e.target in chosen]
    return {"format": FRAGMENT_FORMAT, "nodes": nodes, "edges": edges}


def plan_paste(doc: GraphDocument, fragment: dict[str, Any], offset: tuple[float, float]):
    """The nodes (id, type, params, position) and edges to add, with ids free in `doc`."""
    taken: set[str] = set()
    renamed: dict[str, str] = {}
    nodes = []
    for entry in fragment["nodes"]:
        new_id = _free_id(doc, entry["id"], entry["type"], taken)
        taken.add(new_id)
        renamed[entry["id"]] = new_id
        x, y = entry["position"]
        nodes.append((new_id, entry["type"], entry["params"], (x + offset[0], y + offset[1])))
    edges = [
        Edge(renamed[e["source"]], e["source_port"], renamed[e["target"]], e["target_port"]) for e in fragment["edges"]
    ]
    return nodes, edges


def _free_id(doc: GraphDocument, wanted: str, type_name: str, taken: set[str]) -> str:
    """`wanted` if the document would take it, else the first free `stem_N` (the block
    type's stem when `wanted` cannot be a name at all, as in a hand-written fragment)."""
    type_stem = doc.unique_id(type_name).rsplit("_", 1)[0]
    for stem in (re.sub(r"_\d+\Z", "", wanted), type_stem):
        for candidate in [wanted] + [f"{stem}_{number}" for number in range(2, 10_000)]:
            if candidate not in taken and doc.id_problem(candidate) is None:
                return candidate
    raise ValueError(f"no free name for a pasted '{wanted}'")


def put_on_clipboard(fragment: dict[str, Any]) -> None:
    QApplication.clipboard().setText(json.dumps(fragment, indent=1))


def fragment_on_clipboard() -> dict[str, Any] | None:
    """The fragment on the clipboard, or None when there is none we can trust."""
    text = QApplication.clipboard().text()
    if FRAGMENT_FORMAT not in text or len(text) > MAX_PROJECT_BYTES:
        return None
    try:  # strict and bounded like a project file: another program may have put anything there
        fragment = strict_json.loads(text)
    except ValueError:
        return None
    return fragment if _looks_valid(fragment) else None


def _looks_valid(fragment: Any) -> bool:
    try:
        ids = {n["id"] for n in fragment["nodes"]}
        nodes_ok = all(_node_is_valid(n) for n in fragment["nodes"])
        edges_ok = all(
            e["source"] in ids
            and e["target"] in ids
            and isinstance(e["source_port"], str)
            and isinstance(e["target_port"], str)
            for e in fragment["edges"]
        )
        return fragment["format"] == FRAGMENT_FORMAT and nodes_ok and edges_ok
    except (KeyError, TypeError, ValueError):
        return False


def _node_is_valid(entry: dict[str, Any]) -> bool:
    """Raises KeyError/ValueError/TypeError for a node the document would refuse."""
    spec = CATALOGUE[entry["type"]]
    for name, value in entry["params"].items():
        spec.param(name).check(value)
    x, y = entry["position"]
    return isinstance(entry["id"], str) and all(isinstance(v, (int, float)) for v in (x, y))
