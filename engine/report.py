"""The text report of `main.py inspect RUN_DIR`: what the probes of a finished run saw.

Per recurrent block, layer and gate: the gate's mean and its saturation at the first and
the last probe, the spectral radius of the gate's block of W_hh; per layer: the forget-gate
bias (LSTM) and the gradient ratio ‖∂L/∂h‖ at the first processed step over the last one;
per block: the memory horizon (engine.memory_horizon). Everything comes from the run folder; nothing is recomputed.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np

from .errors import UserError
from .forecast_text import forecast_lines
from .probe_store import ProbeStoreError, load_probes
from .runs import load_run
from .safe_io import quote
from .text import format_table


def inspect_report(run_dir: Path | str) -> str:
    """The report as text; raises RunFolderError (or its ProbeStoreError) with a clear message."""
    try:
        return _report(run_dir)
    except UserError:
        raise
    except (KeyError, IndexError, TypeError, ValueError, AttributeError) as error:
        # Files that parse but do not hold what a run writes (a crafted or damaged record).
        missing = quote(error.args[0]) if error.args else type(error).__name__
        raise ProbeStoreError(
            f"run {Path(run_dir).name}: its summary.json or probe records are damaged (at {missing})"
        ) from None


def _report(run_dir: Path | str) -> str:
    run = load_run(run_dir)
    heading = f"run {Path(run_dir).name}: {run.status}, {run.summary.get('steps', '?')} steps"
    judged = forecast_lines(run.summary)  # a forecaster's errors beside its baselines
    try:
        records = load_probes(run_dir)
        if not records:
            raise ProbeStoreError(f"{run_dir}: has no probe records; the run stopped before its first probe")
    except ProbeStoreError as error:
        if not run.summary.get("forecast"):
            raise
        return "\n".join([heading, *judged, f"probes: {error}"])
    first, last = records[0], records[-1]
    lines = [
        heading,
        *judged,
        f"{len(records)} probes (steps {first['step']} to {last['step']}) of " + _probed(first),
        "values: first probe -> last probe",
        "saturation: share of gate values below 0.05 / above 0.95 (tanh-valued gates: -0.9 / 0.9)",
        "gradient ratio: |dL/dh| at the first processed step over the last (reverse: t = T-1 first)",
        "memory horizon: the longest lag whose attribution |dy/dx| is at least 1% of its peak",
    ]
    for node_id, block in last["blocks"].items():
        before = first["blocks"].get(node_id)
        if before is None:
            continue
        lines += ["", *block_report(node_id, before, block)]
    return "\n".join(lines)


def _probed(record: dict) -> str:
    """Which sequences the probes read, and how many of their steps."""
    lengths = record.get("sequence_lengths")
    if not lengths:
        return f"the first {record['samples']} validation sequences, {record['length']} steps long"
    return (
        f"the {record['samples']} longest validation sequences ({min(lengths)} to {max(lengths)} steps), "
        f"their first {record['length']} steps: real steps only, no padding"
    )


def block_report(node_id: str, first: dict[str, Any], last: dict[str, Any]) -> list[str]:
    layers, directions = last["layers"], last["directions"]
    title = (
        f"{last['cell']} '{node_id}': {layers} layer{'s' if layers > 1 else ''} of "
        f"{last['hidden_size']} units{', bidirectional' if directions == 2 else ''}"
    )
    if last["cell"] == "RNN":
        title += f", {last['nonlinearity']}; saturation of the activation {last['nonlinearity']}(a)"
    rows = [("layer", "gate", "mean", "< 0.05", "> 0.95", "spectral radius")]
    notes = []
    for layer in range(layers):
        for direction in range(directions):
            where = _where(layer, direction, directions)
            for gate in last["gates"]:
                rows.append(
                    (
                        where,
                        gate,
                        _change(first, last, lambda r, g=gate, k=layer, d=direction: r["gate_mean"][g][k, d].mean()),
                        _change(first, last, lambda r, g=gate, k=layer, d=direction: r["saturation_low"][g][k, d], "%"),
                        _change(
                            first, last, lambda r, g=gate, k=layer, d=direction: r["saturation_high"][g][k, d], "%"
                        ),
                        _change(first, last, lambda r, g=gate, k=layer, d=direction: r["spectral_radius"][g][k, d]),
                    )
                )
            notes.append(_layer_note(where, first, last, layer, direction))
    if "memory_horizon" in last:
        before = first.get("memory_horizon", "-")
        notes.append(f"  memory horizon {before} -> {last['memory_horizon']} steps (of {len(last['attribution'])})")
    return [title, *("  " + line for line in format_table(rows).splitlines()), *notes]


def _where(layer: int, direction: int, directions: int) -> str:
    return f"{layer + 1}" + ((" rev" if direction else " fwd") if directions == 2 else "")


def _layer_note(where: str, first, last, layer: int, direction: int) -> str:
    parts = [
        f"  layer {where}: gradient ratio first/last step "
        f"{_change(first, last, lambda r: r['grad_ratio'][layer, direction], 'e')}"
    ]
    if "forget_bias" in last:
        parts.append(f"forget-gate bias {_change(first, last, lambda r: r['forget_bias'][layer, direction])}")
    return "; ".join(parts)


def _change(first, last, pick, style: str = "") -> str:
    return f"{_format(pick(first), style)} -> {_format(pick(last), style)}"


def _format(value: Any, style: str) -> str:
    value = float(value)
    if not np.isfinite(value):
        return "-"
    if style == "%":
        return f"{100 * value:.1f}%"
    if style == "e":
        return f"{value:.2e}"
    return f"{value:.3g}"
