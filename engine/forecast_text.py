"""A forecasting run's judgement as text: the model beside the baselines, in the data's units.

Used by `main.py train` after a run and by `main.py inspect` on a run folder; both read the
"forecast" and "best_step" entries a run's summary holds (engine.forecast_metrics).
"""

from __future__ import annotations

from typing import Any

from .baselines import BASELINE_NAMES
from .text import format_table, number


def _row(name: str, figures: dict[str, Any]) -> tuple[str, str, str, str]:
    mape = figures.get("mape_all")
    return (name, number(figures["mae_all"]), number(figures["rmse_all"]), "-" if mape is None else f"{mape:.2f}%")


def forecast_lines(summary: dict[str, Any]) -> list[str]:
    """Lines describing the kept weights and the forecast errors; empty for other runs."""
    lines = []
    if summary.get("best_step") is not None:
        lines.append(
            f"kept weights: best validation loss {number(summary.get('best_val_loss'))} at step "
            f"{summary['best_step']} (weights.safetensors; the last step's in weights_last.safetensors)"
        )
    report = summary.get("forecast")
    if not report:
        return lines
    rows = [("forecast", "MAE", "RMSE", "MAPE"), _row("model", report["model"])]
    rows += [_row(BASELINE_NAMES.get(name, name), figures) for name, figures in report["baselines"].items()]
    lines += [
        f"errors in the data's own units ('{report['target']}', {report['samples']} validation samples, "
        f"{report['horizon']} step(s) ahead of a {report.get('step', 'row')} series, transform {report['transform']}):",
        format_table(rows),
    ]
    if report["horizon"] > 1:
        steps = [("RMSE per step ahead", *[str(j + 1) for j in range(report["horizon"])])]
        steps.append(("model", *[number(v) for v in report["model"]["rmse"]]))
        steps += [
            (BASELINE_NAMES.get(name, name), *[number(v) for v in figures["rmse"]])
            for name, figures in report["baselines"].items()
        ]
        lines.append(format_table(steps))
    lines.append(report["verdict"])
    return lines


def baseline_cell(report: dict[str, Any] | None) -> str:
    """'12.3 / 15.1 persistence' for a table cell: the model's RMSE and the best baseline's."""
    if not report:
        return "-"
    best = report["best_baseline"]
    figures = report["baselines"][best]["rmse_all"]
    return f"{number(report['model']['rmse_all'])} / {number(figures)} {BASELINE_NAMES.get(best, best)}"
