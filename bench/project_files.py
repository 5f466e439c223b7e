"""Project files: saving and loading a 500-node project against plain json on the same dict.

The project is graph_scaling's branching graph (about 500 nodes and 640 edges) on the adding
problem. Timed, interleaved with their baselines:
- save: engine.project.save_project (to_dict, json.dumps with indent 2, atomic write with
  fsync)  vs  json.dumps(the same dict, indent=2);
- load: engine.project.load_project (read, json.loads, check every field, rebuild the graph
  checking every edge, read the data signature)  vs  json.loads(the same text).
The breakdown (to_dict, write_atomic, project_from_dict) says where the time goes.
"""

from __future__ import annotations

import json
import tempfile
from pathlib import Path

import torch

from engine.project import Project, load_project, project_from_dict, save_project, write_atomic

from .common import interleave, median, print_table, ratio
from .graph_scaling import branching

FULL = {"nodes": 500, "repeats": 21}
QUICK = {"nodes": 30, "repeats": 3}


def large_project(nodes: int) -> Project:
    doc = branching(nodes).wire(checked=False)
    project = Project(doc, {"task": "adding", "params": {}}, name=f"{len(doc)}-node bench project")
    project.refresh_signature()
    return project


def run(quick: bool = False) -> dict:
    config = QUICK if quick else FULL
    project = large_project(config["nodes"])
    content = project.to_dict()
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "bench.rsproj"
        save_project(project, path)
        text = path.read_text(encoding="utf-8")
        repeats = config["repeats"]
        save = interleave(
            {"save_project": lambda: save_project(project, path), "json.dumps": lambda: json.dumps(content, indent=2)},
            repeats,
        )
        load = interleave({"load_project": lambda: load_project(path), "json.loads": lambda: json.loads(text)}, repeats)
        parts = interleave(
            {
                "to_dict": project.to_dict,
                "write_atomic": lambda: write_atomic(path, text),
                "project_from_dict": lambda: project_from_dict(json.loads(text), path),
            },
            repeats,
        )
    result = {
        "nodes": len(project.graph),
        "edges": len(project.graph.edges()),
        "file_bytes": len(text.encode()),
        "repeats": repeats,
        "save": save,
        "load": load,
        "breakdown": parts,
        "save_ratio": ratio(save["save_project"], save["json.dumps"]),
        "load_ratio": ratio(load["load_project"], load["json.loads"]),
    }
    print_table(
        f"Project file of {result['nodes']} nodes, {result['edges']} edges, {result['file_bytes']:,} bytes "
        f"(median of {repeats} interleaved; torch threads {torch.get_num_threads()})",
        table(result),
    )
    return result


def table(result: dict) -> list[tuple]:
    save, load, parts = result["save"], result["load"], result["breakdown"]
    return [
        ("operation", "engine", "json baseline", "ratio"),
        ("save", _ms(save["save_project"]), _ms(save["json.dumps"]), f"{result['save_ratio']:.1f}x"),
        ("load", _ms(load["load_project"]), _ms(load["json.loads"]), f"{result['load_ratio']:.1f}x"),
        ("  of save: to_dict", _ms(parts["to_dict"]), "", ""),
        ("  of save: write_atomic (fsync)", _ms(parts["write_atomic"]), "", ""),
        ("  of load: project_from_dict", _ms(parts["project_from_dict"]), "", ""),
    ]


def _ms(times: list[float]) -> str:
    return f"{1000 * median(times):.2f} ms"
