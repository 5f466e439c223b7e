"""Command-line commands. main.py parses arguments and calls one of these functions;
each returns the process exit code and reports errors as one clear message, not a traceback.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

from .errors import UserError
from .events import EventType, RunStatus
from .text import format_table, number

EXIT_OK, EXIT_INVALID, EXIT_ERROR = 0, 1, 2


def guarded(command: Callable[..., int]) -> Callable[..., int]:
    """Run `command`, turning user-facing errors into one line on stderr and exit code 2."""

    def run(*args: Any, **kwargs: Any) -> int:
        from .data.csv_table import reading_progress

        try:
            with reading_progress(ReadingBar()):
                return command(*args, **kwargs)
        except UserError as error:
            print(f"error: {error}", file=sys.stderr)
            return EXIT_ERROR
        except KeyboardInterrupt:
            print("\ninterrupted", file=sys.stderr)
            return EXIT_ERROR

    return run


class ReadingBar:
    """A big CSV file's reading progress on stderr (tqdm, in bytes): an engine.data.csv_table
    progress callback, its bar made at the first report and closed at the last."""

    def __init__(self, stream=None):
        self.stream, self.bar = stream, None  # None: sys.stderr when the bar is made

    def __call__(self, done: int, total: int) -> None:
        if self.bar is None:
            from tqdm import tqdm

            self.bar = tqdm(
                total=total,
                file=self.stream or sys.stderr,
                desc="reading CSV",
                unit="B",
                unit_scale=True,
                mininterval=0.1,
            )
        self.bar.update(done - self.bar.n)
        if done >= total:
            self.bar.close()
            self.bar = None


class ProgressBar:
    """A run's progress on stderr (tqdm): steps, speed, time left, the latest training and
    validation loss; it closes when the run ends."""

    def __init__(self, total: int, stream=sys.stderr):
        from tqdm import tqdm

        self.bar = tqdm(total=total, file=stream, unit="steps", dynamic_ncols=True, mininterval=0.1)
        self.val_loss: float | None = None

    def __call__(self, event: dict[str, Any]) -> None:
        kind = event["type"]
        if kind == EventType.EVAL:
            self.val_loss = event["val_loss"]
        elif kind == EventType.STEP:
            val = f", val {self.val_loss:.4g}" if self.val_loss is not None else ""
            self.bar.set_postfix_str(f"loss {event['loss']:.4g}{val}", refresh=False)
            self.bar.update(event["step"] - self.bar.n)
        elif kind == EventType.STATUS and RunStatus(event["status"]).ended:
            self.bar.close()


def announce_data_file(project) -> None:
    """Say which file the data comes from, as an absolute path: a project may point anywhere."""
    from .data.files import user_data_path

    path = user_data_path(project.data, project.base_dir)
    if path is not None:
        print(f"reading data from {path}", file=sys.stderr)


@guarded
def validate_command(project_path: Path) -> int:
    from .project import load_project
    from .resource_estimate import estimate_training
    from .validation import validate

    project = load_project(project_path, read_data=False)
    announce_data_file(project)
    problem = project.refresh_signature()
    if problem:
        print(f"data: {problem}")
    analysis = validate(project.graph, project.graph.data, project.training)
    for diagnostic in analysis.diagnostics:
        print(f"{diagnostic.severity}: {diagnostic.message}")
    if analysis.ok and not problem:
        memory = estimate_training(
            project.graph, analysis.shapes, analysis.total_params, project.graph.data, project.training
        )
        print(
            f"{project_path}: valid ({len(project.graph)} blocks, {analysis.total_params:,} parameters; "
            f"training needs {memory.describe()})"
        )
        return EXIT_OK
    return EXIT_INVALID


@guarded
def summary_command(project_path: Path) -> int:
    from .project import load_project
    from .shapes import signature_words
    from .validation import validate

    project = load_project(project_path, read_data=False)
    announce_data_file(project)
    problem = project.refresh_signature()
    analysis = validate(project.graph, project.graph.data, project.training)
    rows = [("block", "type", "output", "parameters")]
    for node_id in analysis.shapes.order or [n.id for n in project.graph.nodes()]:
        node = project.graph.node(node_id)
        shape = analysis.shapes.outputs.get(node_id)
        output = shape.describe() if shape else ("prediction" if node.spec.head else "?")
        count = analysis.param_counts.get(node_id)
        rows.append((node_id, node.type_name, output, f"{count:,}" if count is not None else "?"))
    print(format_table(rows))
    print(f"total parameters: {analysis.total_params:,}")
    data = f"data: {problem}" if problem else f"data: {signature_words(project.graph.data)}"
    for line in [data] + [str(d) for d in analysis.diagnostics]:
        print(line)
    return EXIT_OK if analysis.ok and not problem else EXIT_INVALID


@guarded
def train_command(
    project_path: Path,
    steps: int | None = None,
    probe_every: int | None = None,
    runs_dir: Path | None = None,
    seed: int | None = None,
    launch: dict[str, Any] | None = None,
    tensorboard: Path | None = None,
) -> int:
    from .project import load_project

    project = load_project(project_path)
    announce_data_file(project)
    overrides = {k: v for k, v in (("probe_every", probe_every), ("seed", seed)) if v is not None}
    total = steps or project.training["steps"]
    on_event = ProgressBar(total)
    if tensorboard is not None:
        from .tensorboard_export import TensorBoardSink

        on_event = fan_out(on_event, TensorBoardSink(tensorboard))
    result = _train(project, launch or {}, on_event, steps=steps, runs_dir=runs_dir, overrides=overrides)
    print(f"{result.status}: {result.message}")
    print(
        format_table(
            [
                ("train loss", "validation loss", result.summary.get("metric_name") or "metric"),
                (number(result.train_loss), number(result.val_loss), number(result.metric)),
            ]
        )
    )
    from .forecast_text import forecast_lines

    for line in forecast_lines(result.summary):
        print(line)
    from .classification_metrics import classification_lines

    for line in classification_lines(result.summary):
        print(line)
    print(f"run folder: {result.run_dir or 'none here (node 0 writes it)'}")
    return EXIT_OK if RunStatus(result.status).succeeded else EXIT_ERROR


@guarded
def new_command(project_path: Path, choices: Any) -> int:
    """Write a ready project for a data file (engine.new_project) and say what was chosen."""
    from .new_project import create_project

    _, notes = create_project(project_path, choices)
    print(f"wrote {project_path}:")
    for note in notes:
        print(f"  {note}")
    print(f"train it with: python main.py train {project_path}")
    return EXIT_OK


LAUNCH_OPTIONS = ("nproc", "nnodes", "node_rank", "rdzv_endpoint", "join_timeout", "backend")


def _train(project, launch: dict[str, Any], on_event, **options):
    """One process, or several through torchrun: --nproc, else the project's 'processes'."""
    from .distributed import Launch, run_training

    given = {name: value for name, value in launch.items() if value is not None}
    spread = Launch(**{"nproc": project.training.get("processes", 1), **given})
    return run_training(project, spread, on_event, warn=_warn, **options)


def _warn(text: str) -> None:
    print(f"warning: {text}", file=sys.stderr)


@guarded
def new_classifier_command(
    project_path: Path,
    data: Path,
    label_column: str,
    text_column: str | None = None,
    sequence_column: str | None = None,
    time_column: str = "",
    cell: str = "gru",
) -> int:
    """Write a ready classifier for a text CSV or a long-format CSV (engine.classification_project)."""
    from .classification_project import classification_project
    from .project import save_project

    project, warning = classification_project(
        project_path, data, label_column, text_column, sequence_column, time_column, cell.upper()
    )
    save_project(project, project_path)
    sig, kind = project.graph.data, "text" if text_column is not None else "sequence"
    print(f"wrote {project_path}: a {cell.upper()} {kind} classifier into {sig.n_outputs} classes")
    if warning:
        print(f"warning: {warning} (class_weights set to 'balanced')")
    print(f"train it with: python main.py train {project_path}")
    return EXIT_OK


def fan_out(*sinks):
    """One event sink that hands each event to every sink in `sinks`, in order."""

    def emit(event: dict[str, Any]) -> None:
        for sink in sinks:
            sink(event)

    return emit


@guarded
def export_tensorboard_command(run_dir: Path, out_dir: Path | None = None) -> int:
    from .tensorboard_export import export_run

    target = export_run(run_dir, out_dir)
    print(f"TensorBoard event files: {target}")
    print(f"view them with: tensorboard --logdir {target}")
    return EXIT_OK


@guarded
def export_command(run_dir: Path, format: str, path: Path) -> int:
    from .export import export_run

    print(f"wrote {export_run(run_dir, format, path)}")
    return EXIT_OK


@guarded
def inspect_command(run_dir: Path) -> int:
    from .report import inspect_report

    print(inspect_report(run_dir))
    return EXIT_OK


@guarded
def compare_command(
    project_path: Path,
    cells: str = "rnn,lstm,gru",
    match_params: bool = False,
    steps: int | None = None,
    target_loss: float | None = None,
    out_dir: Path | None = None,
    hidden_sizes: str | None = None,
    seeds: int = 1,
    report: Path | None = None,
) -> int:
    """Compare cells; with `hidden_sizes` ('16,32,64') once per hidden size, as the compare
    dialog's sweep does; with `seeds` or `report`, once per seed, and write the claims report."""
    from .compare import compare_cells, compare_hidden_sizes, parse_cells, parse_hidden_sizes, results_table
    from .project import load_project

    chosen = parse_cells(cells)
    sizes = parse_hidden_sizes(hidden_sizes) if hidden_sizes is not None else None
    project = load_project(project_path)
    announce_data_file(project)
    total = steps or project.training["steps"]
    progress = _VariantProgress(total, len(sizes or [None]))
    if seeds != 1 or report is not None:
        return _seeded_compare(project, chosen, match_params, steps, target_loss, out_dir, seeds, report, sizes)
    if sizes:
        comparison = compare_hidden_sizes(project, chosen, sizes, match_params, steps, target_loss, out_dir, progress)
    else:
        comparison = compare_cells(project, chosen, match_params, steps, target_loss, out_dir, progress)
    print(format_table(results_table(comparison.results)))
    if comparison.csv_path:
        print(f"table: {comparison.csv_path}")
        print(f"run folders: {comparison.out_dir}")
    return EXIT_OK if all(RunStatus(r.status).succeeded for r in comparison.results) else EXIT_ERROR


def _seeded_compare(project, cells, match_params, steps, target_loss, out_dir, seeds, report, sizes) -> int:
    """`compare --seeds N [--report FILE]`: every variant once per seed, then the claims report."""
    from .claims_report import seeded_comparisons, write_claims_report
    from .compare import CompareError, results_table

    if sizes:
        raise CompareError("--hidden-sizes cannot be combined with --seeds or --report; run them separately")
    if seeds < 1:
        raise CompareError(f"--seeds must be at least 1; got {seeds}")
    progress = _VariantProgress(steps or project.training["steps"], seeds)

    def announce(seed: int) -> None:
        print(f"seed {seed}", file=sys.stderr)

    comparisons = seeded_comparisons(
        project, seeds, announce, cells=cells, match_params=match_params, steps=steps,
        target_loss=target_loss, out_dir=out_dir, on_event=progress,
    )  # fmt: skip
    for comparison in comparisons:
        print(format_table(results_table(comparison.results)))
    if report is not None:
        print(f"claims report: {write_claims_report(report, project, [c.results for c in comparisons], target_loss)}")
    results = [r for c in comparisons for r in c.results]
    return EXIT_OK if all(RunStatus(r.status).succeeded for r in results) else EXIT_ERROR


class _VariantProgress:
    """Announces each variant and draws its training progress bar."""

    def __init__(self, total: int, groups: int = 1):
        self.total, self.groups, self.bar = total, groups, None

    def __call__(self, event: dict[str, Any]) -> None:
        if event["type"] == EventType.VARIANT:
            sizes = "/".join(str(s) for s in event["hidden_sizes"].values())
            number = event.get("group", 0) * event["variants"] + event["index"] + 1
            print(
                f"[{number}/{event['variants'] * self.groups}] {event['cell']}: hidden size {sizes}, "
                f"{event['parameters']:,} parameters",
                file=sys.stderr,
            )
            self.bar = ProgressBar(self.total)
        elif self.bar is not None and "variant" in event:
            self.bar(event)
