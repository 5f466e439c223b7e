"""Small projects, models and datasets for the probe, inspect and compare tests."""

from __future__ import annotations

import torch

from engine.compiler import compile_graph
from engine.data import load_dataset
from engine.graph import GraphDocument
from engine.project import Project

FAST = {"batch_size": 16, "eval_every": 5, "probe_every": 5, "probe_samples": 4, "learning_rate": 0.01}


def chain(doc: GraphDocument, blocks: list[tuple[str, str, dict]]) -> None:
    """Add (id, type, params) blocks and connect each to the next through its first input."""
    for index, (node_id, type_name, params) in enumerate(blocks):
        doc.add_node(type_name, params, (index * 200.0, 0.0), node_id)
    for (source, _, _), (target, _, _) in zip(blocks, blocks[1:]):
        doc.connect(source, "out", target, doc.node(target).spec.inputs[0].name)


def adding_project(
    cell: str = "LSTM",
    length: int = 12,
    hidden: int = 6,
    n_val: int = 16,
    n_train: int = 64,
    name: str = "probe test",
    **block,
) -> Project:
    """SequenceInput -> `cell` (output last) -> Regression, on the adding problem."""
    data = {"task": "adding", "params": {"length": length, "n_train": n_train, "n_val": n_val}}
    project = Project(data=data, name=name)
    project.refresh_signature()
    params = {"hidden_size": hidden, "output": "last", **block}
    chain(project.graph, [("sequence", "SequenceInput", {}), ("memory", cell, params), ("sum", "Regression", {})])
    project.training.update(FAST)
    return project


def stacked_project() -> Project:
    """Two recurrent blocks in a row: a 2-layer bidirectional LSTM feeding a GRU, with a Linear."""
    project = adding_project("GRU", hidden=5)
    doc = project.graph
    doc.clear()
    chain(
        doc,
        [
            ("sequence", "SequenceInput", {}),
            ("encoder", "LSTM", {"hidden_size": 4, "layers": 2, "bidirectional": True}),
            ("mix", "Linear", {"features": 6}),
            ("memory", "GRU", {"hidden_size": 5, "output": "last"}),
            ("sum", "Regression", {}),
        ],
    )
    return project


def token_project() -> Project:
    """TokenInput -> Embedding -> RNN (relu, sequence) -> TokenPrediction, on the copy task."""
    data = {"task": "copy", "params": {"digits": 2, "delay": 2, "symbols": 3, "n_train": 32, "n_val": 8}}
    project = Project(data=data, name="token probe test")
    project.refresh_signature()
    chain(
        project.graph,
        [
            ("chars", "TokenInput", {}),
            ("embed", "Embedding", {"dim": 3}),
            ("memory", "RNN", {"hidden_size": 5, "nonlinearity": "relu"}),
            ("next", "TokenPrediction", {}),
        ],
    )
    project.training.update(FAST)
    return project


def model_and_data(project: Project, seed: int = 0):
    dataset = load_dataset(project.data, project.base_dir, seed=0)
    torch.manual_seed(seed)
    return compile_graph(project.graph, dataset.signature), dataset
