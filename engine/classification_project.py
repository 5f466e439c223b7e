"""A ready classifier project for a user's file: texts (one per row) or long-format sequences.

`main.py new PROJECT --data FILE.csv --text-column C --label-column L` (or `--sequence-column S`
for one row per time step) calls `classification_project`: the data settings point at the file
relative to the project's folder, the graph is the usual starting point (tokens -> Embedding ->
GRU -> Classification, or sequence -> GRU -> Classification; another cell if asked), and when the file's classes are
strongly imbalanced the head weights them ("balanced") and the warning is returned to show.
"""

from __future__ import annotations

import os
from pathlib import Path

from .graph import GraphDocument
from .project import Project
from .settings import training_defaults

TRAINING = {"learning_rate": 0.003, "batch_size": 32, "steps": 1500, "eval_every": 100, "grad_clip": 1.0}


def classification_project(
    project_path: Path,
    data_path: Path,
    label_column: str,
    text_column: str | None = None,
    sequence_column: str | None = None,
    time_column: str = "",
    cell: str = "GRU",
) -> tuple[Project, str | None]:
    """(the project, an imbalance warning or None); DataError if the file does not fit."""
    if (text_column is None) == (sequence_column is None):
        raise ValueError("give exactly one of text_column and sequence_column")
    relative = os.path.relpath(Path(data_path).resolve(), Path(project_path).resolve().parent)
    if text_column is not None:
        params = {"path": relative, "text_column": text_column, "label_column": label_column}
        data = {"task": "text_classification", "params": params}
    else:
        params = {"path": relative, "sequence_column": sequence_column, "time_column": time_column}
        data = {"task": "sequence_classification", "params": {**params, "label_column": label_column}}
    project = Project(
        GraphDocument(), data, {**training_defaults(), **TRAINING}, Path(project_path).stem, path=Path(project_path)
    )
    warning = _imbalance(project)
    project.refresh_signature()  # the graph knows the data's sizes before it is wired
    _wire(project, cell, text=text_column is not None, balanced=warning is not None)
    return project, warning


def _imbalance(project: Project) -> str | None:
    from .classification_metrics import imbalance_warning
    from .data import load_dataset

    dataset = load_dataset(project.data, project.base_dir)  # DataError here: the file does not fit
    return imbalance_warning(dataset.y_train.numpy(), dataset.signature.n_outputs, dataset.class_names)


def _wire(project: Project, cell: str, text: bool, balanced: bool) -> None:
    doc = project.graph
    blocks = [("TokenInput", {}), ("Embedding", {"dim": 32})] if text else [("SequenceInput", {})]
    blocks += [(cell, {"hidden_size": 64, "output": "last"}), ("Classification", {})]
    if balanced:
        blocks[-1] = ("Classification", {"class_weights": "balanced"})
    names = ["text", "embed"] if text else ["steps"]
    names += ["encoder", "label"]
    for index, ((type_name, params), node_id) in enumerate(zip(blocks, names)):
        doc.add_node(type_name, params, (60.0 + 280.0 * index, 160.0), node_id=node_id)
    for source, target in zip(names, names[1:]):
        doc.connect(source, "out", target, doc.node(target).spec.inputs[0].name)
