"""Copy and paste of graph fragments: selected nodes with the connections among them.

A fragment is plain JSON (the same vocabulary as the project file), so it survives the
system clipboard and can be pasted into another window or another document.
"""
from __future__ import annotations

import json
import re
from typing import Any

from PySide6.QtCore import QMimeData
from PySide6.QtWidgets import QApplication

from engine.blocks import CATALOGUE
from engine.graph import Edge, GraphDocument

MIME_TYPE = "application/x-recurrent-studio-fragment"


def make_fragment(doc: GraphDocument, node_ids: list[str]) -> dict[str, Any]:
    chosen = set(node_ids)
    nodes = [{"id": n.id, "type": n.type_name, "params": dict(n.params), "position": list(n.position)}
             for n in doc.nodes() if n.id in chosen]
    edges = [e.to_dict() for e in doc.edges() if e.source in chosen and e.target in chosen]
    return {"nodes": nodes, "edges": edges}


def plan_paste(doc: GraphDocument, fragment: dict[str, Any], offset: tuple[float, float]):
    """The nodes (id, type, params, position) and edges to add, with ids free in `doc`."""
    taken = {n.id for n in doc.nodes()}
    renamed: dict[str, str] = {}
    nodes = []
    for entry in fragment["nodes"]:
        new_id = _free_id(entry["id"], taken)
        taken.add(new_id)
        renamed[entry["id"]] = new_id
        x, y = entry["position"]
        nodes.append((new_id, entry["type"], entry["params"], (x + offset[0], y + offset[1])))
    edges = [Edge(renamed[e["source"]], e["source_port"], renamed[e["target"]], e["target_port"])
             for e in fragment["edges"]]
    return nodes, edges


def _free_id(wanted: str, taken: set[str]) -> str:
    if wanted not in taken:
        return wanted
    stem = re.sub(r"_\d+\Z", "", wanted)
    number = 2
    while f"{stem}_{number}" in taken:
        number += 1
    return f"{stem}_{number}"


def put_on_clipboard(fragment: dict[str, Any]) -> None:
    mime = QMimeData()
    mime.setData(MIME_TYPE, json.dumps(fragment).encode("utf-8"))
    QApplication.clipboard().setMimeData(mime)


def fragment_on_clipboard() -> dict[str, Any] | None:
    """The fragment on the clipboard, or None when there is none we can trust."""
    mime = QApplication.clipboard().mimeData()
    if mime is None or not mime.hasFormat(MIME_TYPE):
        return None
    try:
        fragment = json.loads(bytes(mime.data(MIME_TYPE)).decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError):
        return None
    return fragment if _looks_valid(fragment) else None


def _looks_valid(fragment: Any) -> bool:
    try:
        return all(n["type"] in CATALOGUE and isinstance(n["id"], str) and len(n["position"]) == 2
                   for n in fragment["nodes"]) and all(
            {"source", "source_port", "target", "target_port"} <= set(e) for e in fragment["edges"])
    except (KeyError, TypeError):
        return False
