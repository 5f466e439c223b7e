"""Cell comparison: train one project several times with its recurrent blocks' cell swapped.

Each variant changes only the type of every RNN/LSTM/GRU block (keeping hidden size, layers,
direction, dropout and output; an RNN gets the default tanh) and, with `match_params`, the
hidden sizes: all recurrent blocks are scaled by one factor, chosen so that the variant's
parameter count is the closest reachable to the original project's. Seed, data, training
settings and step budget are the project's, so the batches are the same for every variant.

`compare_cells` is what the command line and the GUI's compare dialog call. It reports
through `on_event` (training events tagged with the variant, plus "variant" and
"variant_done" events), honours a RunControl between steps and between variants, writes one
run folder per variant and a CSV beside them, and returns one VariantResult per variant.
"""

from __future__ import annotations

import csv
import io
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .blocks import CATALOGUE
from .cells.variants import CUSTOM_TYPE, make_drawn, own_cell, variant_names
from .errors import UserError
from .events import EventType, RunStatus, VariantDoneEvent, VariantEvent
from .file_names import safe_stem
from .forecast_text import baseline_cell
from .graph import GraphDocument
from .project import Project, project_from_dict, write_atomic
from .text import either, number

CELLS = tuple(name for name, spec in CATALOGUE.items() if spec.recurrent)  # in catalogue order
CSV_NAME = "comparison.csv"
MAX_HIDDEN = 4096
CSV_FIELDS = (
    "cell",
    "hidden_size",
    "parameters",
    "macs_per_step",
    "seconds_per_step",
    "kernel",
    "train_loss",
    "val_loss",
    "target_loss",
    "steps_to_target",
    "seconds_to_target",
    "memory_horizon",
    "status",
    "run_dir",
)


class CompareError(UserError, ValueError):
    """A comparison that cannot be run; the message is for the user."""


@dataclass
class VariantResult:
    cell: str
    hidden_sizes: dict[str, int]
    parameters: int
    status: RunStatus
    seconds_per_step: float | None = None
    train_loss: float | None = None
    val_loss: float | None = None
    target_loss: float | None = None
    steps_to_target: int | None = None
    macs_per_step: int | None = None  # multiply-adds per step and sequence (engine.cell_costs)
    kernel: str = ""  # which recurrent kernel ran
    seconds_to_target: float | None = None  # training-step time until steps_to_target
    memory_horizon: int | None = None  # at the last probe, of the recurrent block nearest the head
    last_probe: dict[str, Any] | None = None  # that block's top-layer "grad_norm" and its "attribution"
    forecast: dict[str, Any] | None = None  # a forecaster's errors beside its baselines (engine.forecast_metrics)
    run_dir: Path | None = None
    message: str = ""
    evals: list[dict[str, Any]] = field(default_factory=list)

    @property
    def hidden_size(self) -> str:
        return "/".join(str(size) for size in self.hidden_sizes.values())

    def row(self) -> dict[str, Any]:
        return {
            "cell": self.cell,
            "hidden_size": self.hidden_size,
            "parameters": self.parameters,
            "macs_per_step": self.macs_per_step,
            "seconds_per_step": self.seconds_per_step,
            "kernel": self.kernel,
            "train_loss": self.train_loss,
            "val_loss": self.val_loss,
            "target_loss": self.target_loss,
            "steps_to_target": self.steps_to_target,
            "seconds_to_target": self.seconds_to_target,
            "memory_horizon": self.memory_horizon,
            "status": self.status,
            "run_dir": str(self.run_dir) if self.run_dir else None,
        }


@dataclass
class Comparison:
    results: list[VariantResult]
    out_dir: Path | None
    csv_path: Path | None


def parse_cells(text: str) -> list[str]:
    """'rnn,lstm,gru' -> ['RNN', 'LSTM', 'GRU'] (any case); CompareError for anything else."""
    by_lower = {cell.lower(): cell for cell in (*CELLS, *variant_names())}  # drawn cells too (engine.cells.variants)
    names = [part.strip().lower() for part in text.split(",") if part.strip()]
    if not names or any(name not in by_lower for name in names):
        known = ", ".join(by_lower)
        raise CompareError(f"--cells takes a comma-separated list of recurrent cells ({known}); got {text!r}")
    cells = [by_lower[name] for name in names]
    if len(set(cells)) != len(cells):
        raise CompareError(f"--cells names a cell twice: {text!r}")
    return cells


def recurrent_ids(project: Project) -> list[str]:
    return [node.id for node in project.graph.nodes() if node.type_name in (*CELLS, CUSTOM_TYPE)]


def variant_graph(project: Project, cell: str, hidden_sizes: dict[str, int] | None = None) -> dict[str, Any]:
    """The project's graph (as a dict) with every recurrent block turned into `cell`."""
    graph = project.graph.to_dict()
    own = own_cell(graph)
    known = {param.name for param in CATALOGUE[cell].params} if cell in CATALOGUE else set()
    for node in graph["nodes"]:
        if node["type"] not in (*CELLS, CUSTOM_TYPE):
            continue
        if cell in CATALOGUE:
            node["type"] = cell
            # Settings only the old cell has (an RNN's nonlinearity) go; the rest carry over.
            node["params"] = {name: value for name, value in node["params"].items() if name in known}
        else:
            make_drawn(node, cell, own)
        if hidden_sizes and node["id"] in hidden_sizes:
            node["params"]["hidden_size"] = hidden_sizes[node["id"]]
    return graph


def variant_project(project: Project, cell: str, hidden_sizes: dict[str, int] | None = None) -> Project:
    content = project.to_dict()
    content["graph"] = variant_graph(project, cell, hidden_sizes)
    content["name"] = f"{project.name}-{cell.lower()}"
    return project_from_dict(content, project.path)


def parameter_count(project: Project, graph: dict[str, Any] | None = None) -> int:
    """Parameters of the project's model (or of `graph` with the project's data); CompareError
    when the graph is not valid."""
    from .validation import validate

    doc = GraphDocument()
    doc.data = project.graph.data
    doc.load(graph or project.graph.to_dict(), project.graph.layout_dict())
    analysis = validate(doc, doc.data)
    if not analysis.ok:
        raise CompareError("the model is not valid: " + "; ".join(d.message for d in analysis.errors))
    return analysis.total_params


def matched_hidden_sizes(project: Project, cell: str) -> dict[str, int]:
    """Hidden sizes for `cell` giving the parameter count closest to the project's own:
    every recurrent block is scaled by the same factor (found by bisection; the count grows
    with the size)."""
    target = parameter_count(project)
    ids = recurrent_ids(project)
    original = {node_id: project.graph.node(node_id).params["hidden_size"] for node_id in ids}
    reference = original[ids[0]]

    def sizes(size: int) -> dict[str, int]:
        return {node_id: min(MAX_HIDDEN, max(1, round(h * size / reference))) for node_id, h in original.items()}

    def count(size: int) -> int:
        return parameter_count(project, variant_graph(project, cell, sizes(size)))

    low, high = 1, MAX_HIDDEN
    while low < high:  # the smallest size whose count reaches the target
        middle = (low + high) // 2
        if count(middle) >= target:
            high = middle
        else:
            low = middle + 1
    best = min({max(1, low - 1), low}, key=lambda size: (abs(count(size) - target), size))
    return sizes(best)


def steps_to_target(evals: list[dict[str, Any]], target: float | None) -> int | None:
    """The first evaluated step whose validation loss is at most `target`."""
    if target is None:
        return None
    for event in evals:
        if event.get("val_loss") is not None and event["val_loss"] <= target:
            return int(event["step"])
    return None


def compare_cells(
    project: Project,
    cells: list[str] | tuple[str, ...] = CELLS,
    match_params: bool = False,
    steps: int | None = None,
    target_loss: float | None = None,
    out_dir: Path | None = None,
    on_event: Callable[[dict[str, Any]], None] | None = None,
    control=None,
    record: bool = True,
) -> Comparison:
    """Train one variant per cell; see the module docstring. With `record`, run folders and
    the CSV go to `out_dir` (default: runs/compare-<time>-<project> beside the project)."""
    from .training import RunControl

    if steps is not None and steps < 1:
        raise CompareError(f"the number of training steps must be at least 1; got {steps}")
    if not recurrent_ids(project):
        raise CompareError(f"project '{project.name}' has no {either(CELLS)} block whose cell could be swapped")
    problem = project.refresh_signature()
    if problem:
        raise CompareError(f"the project's data cannot be read: {problem}")
    emit, control = on_event or (lambda event: None), control or RunControl()
    out_dir = _out_dir(project, out_dir) if record else None
    results: list[VariantResult] = []
    for index, cell in enumerate(cells):
        if control.stopped:
            break
        results.append(
            _run_variant(project, cell, index, len(cells), match_params, steps, target_loss, out_dir, emit, control)
        )
    csv_path = write_csv(results, out_dir / CSV_NAME) if out_dir is not None else None
    return Comparison(results, out_dir, csv_path)


def parse_hidden_sizes(text: str) -> list[int]:
    """'16,32,64' -> [16, 32, 64]; CompareError for anything else."""
    parts = [part.strip() for part in text.replace(";", ",").split(",") if part.strip()]
    if not parts or not all(part.isdigit() and 1 <= int(part) <= MAX_HIDDEN for part in parts):
        raise CompareError(
            f"hidden sizes must be whole numbers from 1 to {MAX_HIDDEN} separated by commas, like 16,32,64; got {text!r}"
        )
    return [int(part) for part in parts]


def resized(project: Project, hidden_size: int) -> Project:
    """The project with every recurrent block's hidden size set to `hidden_size`."""
    content = project.to_dict()
    for node in content["graph"]["nodes"]:
        if node["type"] in CELLS:
            node["params"]["hidden_size"] = hidden_size
    return project_from_dict(content, project.path)


def compare_hidden_sizes(
    project: Project,
    cells: list[str] | tuple[str, ...],
    hidden_sizes: list[int] | None,
    match_params: bool = False,
    steps: int | None = None,
    target_loss: float | None = None,
    out_dir: Path | None = None,
    on_event: Callable[[dict[str, Any]], None] | None = None,
    control=None,
) -> Comparison:
    """`compare_cells` once per hidden size (every recurrent block resized; None or []: once,
    as the project is), into one folder with one CSV. Events carry `group`, the index of
    their hidden size."""
    from .training import RunControl

    emit, control = on_event or (lambda event: None), control or RunControl()
    out_dir = _out_dir(project, out_dir)
    results: list[VariantResult] = []
    for group, size in enumerate(hidden_sizes or [None]):
        tagged = lambda event, group=group: emit({**event, "group": group})  # noqa: E731
        variant = project if size is None else resized(project, size)
        comparison = compare_cells(variant, cells, match_params, steps, target_loss, out_dir, tagged, control)
        results += comparison.results
        if control.stopped:
            break
    return Comparison(results, out_dir, write_csv(results, out_dir / CSV_NAME))


def _run_variant(project, cell, index, total, match_params, steps, target_loss, out_dir, emit, control):
    from .training import TrainingError, train

    sizes = matched_hidden_sizes(project, cell) if match_params else None
    variant = variant_project(project, cell, sizes)
    hidden = {node_id: variant.graph.node(node_id).params["hidden_size"] for node_id in recurrent_ids(variant)}
    parameters = parameter_count(variant)
    emit(
        VariantEvent(
            type=EventType.VARIANT, cell=cell, index=index, variants=total, hidden_sizes=hidden, parameters=parameters
        )
    )
    evals: list[dict[str, Any]] = []
    seconds_at: dict[int, float] = {}  # step -> training-step seconds so far
    horizons: list[int] = []
    curves: list[dict[str, Any] | None] = []

    def forward(event: dict[str, Any]) -> None:
        if event["type"] == EventType.EVAL:
            evals.append(event)
        elif event["type"] == EventType.STEP:
            seconds_at[event["step"]] = event["seconds"]
        elif event["type"] == EventType.PROBE:
            horizons.append(_model_horizon(event["probe"]))
            curves.append(_probe_curves(event["probe"]))
        emit({**event, "variant": cell, "variant_index": index, "variants": total})

    result = VariantResult(cell, hidden, parameters, RunStatus.FAILED, target_loss=target_loss, evals=evals)
    try:
        run = train(variant, forward, control, steps=steps, runs_dir=out_dir, record=out_dir is not None)
    except TrainingError as error:
        result.message = str(error)
    else:
        result.status, result.message, result.run_dir = run.status, run.message, run.run_dir
        result.seconds_per_step = run.summary.get("seconds_per_step")
        result.train_loss, result.val_loss = run.train_loss, run.val_loss
        result.parameters = run.summary.get("parameters", parameters)
        result.macs_per_step, result.kernel = _costs(variant, run.summary.get("device", "cpu"))
        result.forecast = run.summary.get("forecast")
    result.steps_to_target = steps_to_target(evals, target_loss)
    result.seconds_to_target = seconds_at.get(result.steps_to_target, 0.0 if result.steps_to_target == 0 else None)
    result.memory_horizon = horizons[-1] if horizons else None
    result.last_probe = curves[-1] if curves else None
    emit(VariantDoneEvent(type=EventType.VARIANT_DONE, index=index, variants=total, result=result.row()))
    return result


def _probe_curves(record: dict[str, Any]) -> dict[str, Any] | None:
    blocks = [block for block in record["blocks"].values() if "attribution" in block]
    if not blocks:
        return None
    return {"grad_norm": blocks[-1]["grad_norm"][-1, 0].tolist(), "attribution": blocks[-1]["attribution"].tolist()}


def _model_horizon(record: dict[str, Any]) -> int | None:
    blocks = [block for block in record["blocks"].values() if "memory_horizon" in block]
    return int(blocks[-1]["memory_horizon"]) if blocks else None


def _costs(variant: Project, device: str) -> tuple[int, str]:
    """(multiply-adds per step, kernel) of the variant's model, built afresh (cheap, untrained)."""
    from .cell_costs import kernels, macs_per_step
    from .compiler import compile_graph

    model = compile_graph(variant.graph, variant.graph.data)
    return macs_per_step(model), kernels(model, device)


def _out_dir(project: Project, out_dir: Path | None) -> Path:
    if out_dir is None:
        stem = safe_stem(project.name, "project")
        out_dir = (project.base_dir or Path.cwd()) / "runs" / f"compare-{time.strftime('%Y%m%d-%H%M%S')}-{stem}"
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    return out_dir


def write_csv(results: list[VariantResult], path: Path) -> Path:
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=CSV_FIELDS, lineterminator="\n")
    writer.writeheader()
    for result in results:
        writer.writerow({k: ("" if v is None else v) for k, v in result.row().items()})
    write_atomic(Path(path), buffer.getvalue())
    return Path(path)


def results_table(results: list[VariantResult]) -> list[tuple[str, ...]]:
    """Rows (header first) for a text table."""
    target = next((r.target_loss for r in results if r.target_loss is not None), None)
    header = (
        "cell",
        "hidden size",
        "parameters",
        "s/step",
        "train loss",
        "val loss",
        f"steps to val loss <= {target:g}" if target is not None else "steps to target",
        "s to target",
        "MACs/step",
        "kernel",
        "memory horizon",
        "RMSE: model / best baseline",
        "status",
    )
    rows = [header]
    for r in results:
        reached = (
            "-" if target is None else (str(r.steps_to_target) if r.steps_to_target is not None else "not reached")
        )
        rows.append(
            (
                r.cell,
                r.hidden_size,
                f"{r.parameters:,}",
                "-" if r.seconds_per_step is None else f"{1000 * r.seconds_per_step:.1f} ms",
                number(r.train_loss),
                number(r.val_loss),
                reached,
                "-" if r.seconds_to_target is None else f"{r.seconds_to_target:.1f} s",
                "-" if r.macs_per_step is None else f"{r.macs_per_step:,}",
                r.kernel or "-",
                "-" if r.memory_horizon is None else str(r.memory_horizon),
                baseline_cell(r.forecast),
                r.status,
            )
        )
    return rows
