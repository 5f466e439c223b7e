"""A ready project from a data file in one call: `main.py new PROJECT.rsproj --data FILE`.

A CSV file (or a built-in series, "builtin:NAME") becomes a forecaster: the time index is
detected, missing cells are interpolated, gaps are filled when small (at most
`FILL_GAPS_UP_TO` steps) or split at otherwise, the window is one season where the time
index shows one, and the project is checked by loading its data before it is written. A
text file becomes a character language model. Every choice is returned in words so the
CLI (and the GUI's dialog) can say what was chosen.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .data import DataError, describe
from .data.csv_missing import handle_missing
from .data.csv_series import read_series_rows
from .data.params import resolve_params
from .data.real_series import REAL_SERIES, is_builtin
from .data.registry import TASKS
from .data.series_layout import SeriesRows
from .data.spacing import check_spacing
from .project import Project, project_from_dict, save_project
from .settings import training_defaults

CELLS = ("lstm", "gru", "rnn")
FILL_GAPS_UP_TO = 3
DEFAULT_WINDOW = 24
TEXT_SUFFIXES = (".txt", ".text", ".md")


@dataclass(frozen=True)
class NewProjectChoices:
    data: str
    target: str | None = None
    cell: str = "lstm"
    window: int | None = None
    horizon: int = 1
    layout: str | None = None
    transform: str = "none"


def create_project(path: Path, choices: NewProjectChoices) -> tuple[Project, list[str]]:
    """Write a valid project for `choices.data` at `path`; (project, what was chosen in words)."""
    path = Path(path)
    if choices.cell not in CELLS:
        raise DataError(f"Unknown cell '{choices.cell}'. Choose one of: {', '.join(CELLS)}.")
    if not is_builtin(choices.data) and Path(choices.data).suffix.lower() in TEXT_SUFFIXES:
        data, notes = _text_settings(path, choices), ["a character language model of the text file"]
        graph, layout = _char_graph(choices.cell)
    else:
        data, notes = _forecast_settings(path, choices)
        graph, layout = _forecast_graph(choices.cell)
    signature = describe(data, path.parent)  # refuses what training would refuse, before writing
    content = {
        "format": "recurrent-studio-project",
        "version": 1,
        "name": path.stem,
        "description": f"Made by 'main.py new' from {choices.data}.",
        "graph": graph,
        "layout": layout,
        "data": data,
        "training": _training(),
    }
    project = project_from_dict(content, path)
    save_project(project, path)
    notes.append(f"model: {choices.cell.upper()} of 32 units -> {signature.n_outputs} output(s)")
    return project, notes


def _relative(data: str, project_path: Path) -> str:
    if is_builtin(data):
        return data.strip()
    file = Path(data).expanduser().resolve()
    try:
        return str(file.relative_to(project_path.parent.resolve()))
    except ValueError:
        return str(file)


def _text_settings(path: Path, choices: NewProjectChoices) -> dict[str, Any]:
    return {"task": "text", "params": {"path": _relative(choices.data, path)}}


def _forecast_settings(path: Path, choices: NewProjectChoices) -> tuple[dict[str, Any], list[str]]:
    relative = _relative(choices.data, path)
    builtin = REAL_SERIES.get(relative[len("builtin:") :]) if is_builtin(relative) else None
    layout = choices.layout or (builtin.layout if builtin else "long")
    params: dict[str, Any] = {
        "path": relative,
        "layout": layout,
        "horizon": choices.horizon,
        "transform": choices.transform,
        "missing": "interpolate",
        "gaps": "ignore",
    }
    if choices.target:
        params["target"] = choices.target
    notes = [f"data: {relative}" + (f" ({builtin.title}; {builtin.source}; {builtin.licence})" if builtin else "")]
    rows, time_words = _probe_rows(params, path)
    params["gaps"], gap_words = _gap_choice(rows)
    params["window"] = choices.window or _window(rows)
    notes += [
        f"layout: {layout}",
        time_words,
        gap_words,
        f"window: {params['window']} rows"
        + (f" (one season of {rows.season})" if not choices.window and rows.season else ""),
        f"horizon: {choices.horizon} step(s) ahead; transform: {choices.transform}",
    ]
    return {"task": "csv", "params": params}, notes


def _probe_rows(params: dict[str, Any], project_path: Path) -> tuple[SeriesRows, str]:
    """The series rows the settings give (missing cells filled), and what was found, in words."""
    p = resolve_params(TASKS["csv"], params)
    file, rows, time, inputs, target = read_series_rows(p, project_path.parent)
    rows = handle_missing(rows, "interpolate", file)
    words = f"time index: {time.describe()}, never an input" if time else "time index: none found (rows in file order)"
    return rows, f"{words}; target: '{target}'; inputs: {', '.join(inputs)}"


def _gap_choice(rows: SeriesRows) -> tuple[str, str]:
    spacing = check_spacing(rows)
    if spacing.regular:
        return "report", "spacing: even"
    if len(spacing.irregular_rows):
        return "ignore", f"spacing: irregular at {len(spacing.irregular_rows)} row(s), rows taken as evenly spaced"
    largest = int(spacing.gap_sizes.max())
    if largest <= FILL_GAPS_UP_TO:
        return "interpolate", f"spacing: {len(spacing.gap_rows)} gap(s) of at most {largest} step(s), filled"
    return "split", f"spacing: {len(spacing.gap_rows)} gap(s), the largest {largest} steps: split into segments"


def _window(rows: SeriesRows) -> int:
    room = max(2, len(rows.values) // 8)  # leave most of a short series for samples
    wanted = rows.season if rows.season and rows.season >= 2 else DEFAULT_WINDOW
    return int(min(wanted, room))


def _training() -> dict[str, Any]:
    return {
        **training_defaults(),
        "learning_rate": 0.003,
        "steps": 600,
        "eval_every": 25,
        "probe_every": 100,
        "patience": 8,
    }


def _edges(*chain: tuple[str, str, str]) -> list[dict[str, str]]:
    return [
        {"source": source, "source_port": "out", "target": target, "target_port": port}
        for source, target, port in chain
    ]


def _layout(*ids: str) -> dict[str, Any]:
    return {"positions": {node: [60.0 + 280.0 * i, 160.0] for i, node in enumerate(ids)}}


def _recurrent(cell: str, output: str, hidden: int) -> dict[str, Any]:
    return {"id": "encoder", "type": cell.upper(), "params": {"hidden_size": hidden, "output": output}}


def _forecast_graph(cell: str) -> tuple[dict[str, Any], dict[str, Any]]:
    nodes = [
        {"id": "series", "type": "SequenceInput", "params": {}},
        _recurrent(cell, "last", 32),
        {"id": "forecast", "type": "Regression", "params": {"loss": "mse"}},
    ]
    edges = _edges(("series", "encoder", "in"), ("encoder", "forecast", "in"))
    return {"nodes": nodes, "edges": edges}, _layout("series", "encoder", "forecast")


def _char_graph(cell: str) -> tuple[dict[str, Any], dict[str, Any]]:
    nodes = [
        {"id": "chars", "type": "TokenInput", "params": {}},
        {"id": "embed", "type": "Embedding", "params": {"dim": 24}},
        _recurrent(cell, "sequence", 64),
        {"id": "next_char", "type": "TokenPrediction", "params": {}},
    ]
    edges = _edges(("chars", "embed", "tokens"), ("embed", "encoder", "in"), ("encoder", "next_char", "in"))
    return {"nodes": nodes, "edges": edges}, _layout("chars", "embed", "encoder", "next_char")
