"""The claims report: one self-contained HTML file judging the seeds' claims about the cells.

`seeded_comparisons` runs engine.compare once per seed (the project's seed, +1, +2, …);
`claims_report` turns those results into HTML with inline SVG plots (validation loss over
training, ‖∂L/∂hₜ‖ over t and the attribution ‖∂ŷ/∂x‖ over lag at the last probe, the median
over seeds per cell), a table of medians with the spread (min–max) over seeds, and a verdict
in plain words on each claim — GRU has fewer parameters, trains faster, matches the LSTM; a
plain RNN fails on long dependencies — computed from that table, never written in advance.
Nothing is fetched: no scripts, fonts or images outside the file.
"""

from __future__ import annotations

import html
import statistics
from collections.abc import Callable
from pathlib import Path
from typing import Any

from .compare import VariantResult, _out_dir, compare_cells
from .project import Project, write_atomic

PALETTE = ("#4c78a8", "#f58518", "#54a24b", "#e45756", "#72b7b2", "#b279a2")
MATCH_TOLERANCE = 0.10  # "matches": median final validation loss within 10 % (or both reach the target)


def seeded_comparisons(project: Project, seeds: int, on_seed: Callable[[int], None] | None = None, **compare):
    """One engine.compare.Comparison per seed (the seed sets data, weights and batch order);
    `compare` takes compare_cells' arguments."""
    base, root = project.training["seed"], compare.pop("out_dir", None)
    if root is None and compare.get("record", True):
        root = _out_dir(project, None)
    found = []
    for offset in range(seeds):
        seeded = _with_seed(project, base + offset)
        if on_seed:
            on_seed(base + offset)
        out_dir = None if root is None else Path(root) / f"seed-{base + offset}"  # one folder and CSV per seed
        found.append(compare_cells(seeded, out_dir=out_dir, **compare))
    return found


def _with_seed(project: Project, seed: int) -> Project:
    from .project import project_from_dict

    content = project.to_dict()
    content["training"] = {**content["training"], "seed": seed}
    return project_from_dict(content, project.path)


def summarise(runs: list[list[VariantResult]]) -> dict[str, dict[str, Any]]:
    """Per cell (in the order compared): the figures of every seed and their medians."""
    cells: dict[str, list[VariantResult]] = {}
    for results in runs:
        for result in results:
            cells.setdefault(result.cell, []).append(result)
    summary = {}
    for cell, results in cells.items():
        reached = [r.steps_to_target for r in results if r.steps_to_target is not None]
        summary[cell] = {
            "seeds": len(results),
            "parameters": results[0].parameters,
            "macs_per_step": results[0].macs_per_step,
            "kernel": results[0].kernel,
            "seconds_per_step": _spread([r.seconds_per_step for r in results]),
            "val_loss": _spread([r.val_loss for r in results]),
            "memory_horizon": _spread([r.memory_horizon for r in results]),
            "reached": len(reached),
            "steps_to_target": _spread(reached),
            "seconds_to_target": _spread([r.seconds_to_target for r in results if r.seconds_to_target is not None]),
            "length": len((results[0].last_probe or {}).get("attribution", [])),
        }
    return summary


def _spread(values: list[float | None]) -> dict[str, float] | None:
    known = [float(v) for v in values if v is not None]
    if not known:
        return None
    return {"median": statistics.median(known), "min": min(known), "max": max(known)}


def verdicts(summary: dict[str, dict[str, Any]], target: float | None) -> list[tuple[str, str]]:
    """(claim, verdict) pairs, each verdict computed from `summary`."""
    return [
        ("GRUs have fewer parameters than LSTMs", _fewer_parameters(summary)),
        ("GRUs train faster than LSTMs", _faster(summary, target)),
        ("GRUs match LSTMs", _matches(summary, target)),
        ("Plain RNNs fail on long dependencies", _rnn_fails(summary, target)),
    ]


def _missing(summary, *cells) -> str | None:
    absent = [cell for cell in cells if cell not in summary]
    return f"cannot be judged: {' and '.join(absent)} not compared" if absent else None


def _fewer_parameters(summary) -> str:
    missing = _missing(summary, "GRU", "LSTM")
    if missing:
        return missing
    gru, lstm = summary["GRU"]["parameters"], summary["LSTM"]["parameters"]
    holds = "holds" if gru < lstm else "does not hold"
    return f"{holds}: GRU {gru:,} against LSTM {lstm:,} parameters ({100 * gru / lstm:.0f} %)"


def _faster(summary, target) -> str:
    missing = _missing(summary, "GRU", "LSTM")
    if missing:
        return missing
    gru, lstm = summary["GRU"], summary["LSTM"]
    if not (gru["seconds_per_step"] and lstm["seconds_per_step"]):
        return "cannot be judged: a variant did not train"
    per_step = gru["seconds_per_step"]["median"] / lstm["seconds_per_step"]["median"]
    words = f"per step the GRU took {per_step:.2f}× the LSTM's time (GRU on {gru['kernel']}, LSTM on {lstm['kernel']})"
    to_target = ""
    if target is not None and gru["seconds_to_target"] and lstm["seconds_to_target"]:
        ratio = gru["seconds_to_target"]["median"] / max(lstm["seconds_to_target"]["median"], 1e-12)
        to_target = f"; to validation loss ≤ {target:g} it took {ratio:.2f}× the LSTM's seconds"
        faster = ratio < 1
    elif target is not None and gru["reached"] != lstm["reached"]:
        to_target = f"; the target was reached by GRU in {gru['reached']}, LSTM in {lstm['reached']} seeds"
        faster = gru["reached"] > lstm["reached"]
    else:
        faster = per_step < 1
    return f"{'holds' if faster else 'does not hold'} here: {words}{to_target}"


def _matches(summary, target) -> str:
    missing = _missing(summary, "GRU", "LSTM")
    if missing:
        return missing
    gru, lstm = summary["GRU"], summary["LSTM"]
    if not (gru["val_loss"] and lstm["val_loss"]):
        return "cannot be judged: a variant did not train"
    g, m = gru["val_loss"]["median"], lstm["val_loss"]["median"]
    both_reached = target is not None and gru["reached"] == gru["seeds"] and lstm["reached"] == lstm["seeds"]
    if both_reached or abs(g - m) <= MATCH_TOLERANCE * max(abs(m), 1e-12):
        verdict = "holds"
    else:
        verdict = "the GRU did better" if g < m else "does not hold"
    return f"{verdict}: median final validation loss GRU {g:.4g} against LSTM {m:.4g}" + _reached_words(
        summary, target, ("GRU", "LSTM")
    )


def _rnn_fails(summary, target) -> str:
    gated = [cell for cell in summary if cell != "RNN"]
    missing = _missing(summary, "RNN") or (None if gated else "cannot be judged: no gated cell compared")
    if missing:
        return missing
    rnn = summary["RNN"]
    best = min(gated, key=lambda cell: (summary[cell]["val_loss"] or {"median": float("inf")})["median"])
    if not (rnn["val_loss"] and summary[best]["val_loss"]):
        return "cannot be judged: a variant did not train"
    worse = rnn["val_loss"]["median"] > 2 * summary[best]["val_loss"]["median"]
    if target is not None:
        worse = worse or (rnn["reached"] == 0 and summary[best]["reached"] > 0)
    horizon = ""
    if rnn["memory_horizon"] and summary[best]["memory_horizon"]:
        horizon = (
            f"; memory horizon RNN {rnn['memory_horizon']['median']:.0f} against "
            f"{best} {summary[best]['memory_horizon']['median']:.0f} steps"
        )
    return (
        f"{'holds' if worse else 'does not hold'} on this task: median final validation loss RNN "
        f"{rnn['val_loss']['median']:.4g} against {best} {summary[best]['val_loss']['median']:.4g}"
        + _reached_words(summary, target, ("RNN", best))
        + horizon
    )


def _reached_words(summary, target, cells) -> str:
    if target is None:
        return ""
    parts = [f"{cell} {summary[cell]['reached']}/{summary[cell]['seeds']}" for cell in cells]
    return f"; seeds reaching validation loss ≤ {target:g}: " + ", ".join(parts)


# --- HTML ---------------------------------------------------------------------------------


def claims_report(project: Project, runs: list[list[VariantResult]], target: float | None) -> str:
    summary = summarise(runs)
    cells = list(summary)
    colours = {cell: PALETTE[i % len(PALETTE)] for i, cell in enumerate(cells)}
    parts = [
        f"<h1>Cell comparison: {_e(project.name)}</h1>",
        f"<p>{len(runs)} seed(s) per cell, starting at seed {project.training['seed']}; "
        "medians over seeds, the spread (min–max) in brackets.</p>",
        "<h2>Verdicts</h2><ul>"
        + "".join(f"<li><b>{_e(c)}</b>: {_e(v)}</li>" for c, v in verdicts(summary, target))
        + "</ul>",
        "<h2>Table</h2>",
        _table(summary, target),
        "<h2>Plots</h2><div class='plots'>",
        _svg_chart("Validation loss", "training step", "loss", _loss_series(runs, colours), log_y=True),
        _svg_chart("Gradient through time at the last probe", "time step t", "‖∂L/∂hₜ‖", _probe_series(runs, "grad_norm", colours), log_y=True),
        _svg_chart("Memory: attribution at the last probe", "lag k", "‖∂ŷ/∂x‖", _probe_series(runs, "attribution", colours), log_y=True),
        "</div>",
        "<p class='note'>Time per step depends on the kernel PyTorch ran: on CPU nn.LSTM uses a fused "
        "oneDNN kernel and nn.GRU / nn.RNN a generic one, so per-step speed compares kernels as much as cells.</p>",
    ]  # fmt: skip
    return _page(f"Cell comparison — {project.name}", "\n".join(parts))


def write_claims_report(path: Path | str, project: Project, runs, target: float | None) -> Path:
    path = Path(path)
    write_atomic(path, claims_report(project, runs, target))
    return path


def _table(summary, target) -> str:
    head = ["cell", "parameters", "MACs/step", "kernel", "ms/step", "final val loss", "memory horizon"]
    if target is not None:
        head += [f"seeds reaching ≤ {target:g}", "steps to target", "s to target"]
    rows = []
    for cell, s in summary.items():
        row = [
            cell,
            f"{s['parameters']:,}",
            "–" if s["macs_per_step"] is None else f"{s['macs_per_step']:,}",
            s["kernel"] or "–",
            _with_spread(s["seconds_per_step"], 1000, ".2f"),
            _with_spread(s["val_loss"], 1, ".4g"),
            _with_spread(s["memory_horizon"], 1, ".0f"),
        ]
        if target is not None:
            row += [
                f"{s['reached']}/{s['seeds']}",
                _with_spread(s["steps_to_target"], 1, ".0f"),
                _with_spread(s["seconds_to_target"], 1, ".2f"),
            ]
        rows.append(row)
    header = "".join(f"<th>{_e(h)}</th>" for h in head)
    body = "".join("<tr>" + "".join(f"<td>{_e(v)}</td>" for v in row) + "</tr>" for row in rows)
    return f"<table><tr>{header}</tr>{body}</table>"


def _with_spread(spread, scale: float, form: str) -> str:
    if spread is None:
        return "–"
    middle, low, high = (format(scale * spread[k], form) for k in ("median", "min", "max"))
    return middle if low == high else f"{middle} [{low}–{high}]"


def _loss_series(runs, colours):
    series = []
    for cell, colour in colours.items():
        curves = [
            [(e["step"], e["val_loss"]) for e in r.evals if e.get("val_loss") is not None]
            for rs in runs
            for r in rs
            if r.cell == cell
        ]
        series.append((cell, colour, _median_curve(curves)))
    return series  # fmt: skip


def _probe_series(runs, key, colours):
    series = []
    for cell, colour in colours.items():
        curves = [list(enumerate(r.last_probe[key])) for rs in runs for r in rs if r.cell == cell and r.last_probe]
        series.append((cell, colour, _median_curve(curves)))
    return series


def _median_curve(curves: list[list[tuple[float, float]]]) -> list[tuple[float, float]]:
    """The median over curves at the x values all of them share."""
    if not curves:
        return []
    shared = set.intersection(*(set(x for x, _ in curve) for curve in curves))
    by_x = [dict(curve) for curve in curves]
    return [(x, statistics.median(curve[x] for curve in by_x)) for x in sorted(shared)]


def _svg_chart(title, x_label, y_label, series, log_y=False, width=520, height=300) -> str:
    """A line chart as inline SVG: axes with min/max ticks, one polyline and legend entry per series."""
    import math

    def y_of(v):
        return math.log10(v) if log_y else v

    points = [(x, y_of(v)) for _, _, curve in series for x, v in curve if v is not None and (v > 0 or not log_y)]
    points = [(x, y) for x, y in points if math.isfinite(y)]
    left, right, top, bottom = 64, 16, 28, 44
    body = [f"<text x='{width / 2}' y='18' text-anchor='middle' class='title'>{_e(title)}</text>"]
    if points:
        x0, x1 = min(p[0] for p in points), max(p[0] for p in points)
        y0, y1 = min(p[1] for p in points), max(p[1] for p in points)
        x1, y1 = (x1 if x1 > x0 else x0 + 1), (y1 if y1 > y0 else y0 + 1)

        def sx(x):
            return left + (x - x0) / (x1 - x0) * (width - left - right)

        def sy(y):
            return height - bottom - (y - y0) / (y1 - y0) * (height - top - bottom)

        for index, (name, colour, curve) in enumerate(series):
            drawn = [(sx(x), sy(y_of(v))) for x, v in curve if v is not None and (v > 0 or not log_y)]
            drawn = [(a, b) for a, b in drawn if math.isfinite(b)]
            if drawn:
                path = " ".join(f"{a:.1f},{b:.1f}" for a, b in drawn)
                body.append(f"<polyline fill='none' stroke='{colour}' stroke-width='2' points='{path}'/>")
            body.append(
                f"<rect x='{width - right - 90}' y='{top + 4 + 16 * index}' width='10' height='10' fill='{colour}'/>"
                f"<text x='{width - right - 76}' y='{top + 13 + 16 * index}' class='legend'>{_e(name)}</text>"
            )
        tick = (
            (lambda y: f"1e{y:.0f}" if abs(y - round(y)) < 1e-9 else f"{10**y:.2g}")
            if log_y
            else (lambda y: f"{y:.3g}")
        )
        body += [
            f"<text x='{left - 6}' y='{sy(y1) + 4}' text-anchor='end' class='tick'>{tick(y1)}</text>",
            f"<text x='{left - 6}' y='{sy(y0) + 4}' text-anchor='end' class='tick'>{tick(y0)}</text>",
            f"<text x='{left}' y='{height - bottom + 16}' class='tick'>{x0:g}</text>",
            f"<text x='{width - right}' y='{height - bottom + 16}' text-anchor='end' class='tick'>{x1:g}</text>",
        ]  # fmt: skip
    else:
        body.append(f"<text x='{width / 2}' y='{height / 2}' text-anchor='middle'>no data</text>")
    scale = " (log scale)" if log_y else ""
    body += [
        f"<line x1='{left}' y1='{height - bottom}' x2='{width - right}' y2='{height - bottom}' class='axis'/>",
        f"<line x1='{left}' y1='{top}' x2='{left}' y2='{height - bottom}' class='axis'/>",
        f"<text x='{(left + width - right) / 2}' y='{height - 8}' text-anchor='middle' class='label'>{_e(x_label)}</text>",
        f"<text x='14' y='{(top + height - bottom) / 2}' text-anchor='middle' class='label' "
        f"transform='rotate(-90 14 {(top + height - bottom) / 2})'>{_e(y_label + scale)}</text>",
    ]  # fmt: skip
    return f"<svg xmlns='http://www.w3.org/2000/svg' width='{width}' height='{height}' role='img'>{''.join(body)}</svg>"


def _page(title: str, body: str) -> str:
    style = (
        "body{font-family:sans-serif;margin:24px;color:#222;max-width:1100px}"
        "table{border-collapse:collapse;margin:8px 0}td,th{border:1px solid #ccc;padding:4px 8px;text-align:right}"
        "td:first-child,th:first-child{text-align:left}th{background:#f2f2f2}"
        ".plots{display:flex;flex-wrap:wrap;gap:12px}svg{border:1px solid #ddd;background:#fff}"
        ".title{font-weight:bold;font-size:13px}.tick,.legend{font-size:11px}.label{font-size:12px}"
        ".axis{stroke:#555}.note{color:#555;font-size:13px}"
    )
    return (
        f"<!DOCTYPE html>\n<html lang='en'><head><meta charset='utf-8'><title>{_e(title)}</title>"
        f"<style>{style}</style></head><body>\n{body}\n</body></html>\n"
    )


def _e(text: Any) -> str:
    return html.escape(str(text), quote=True)


def results_from_rows(rows: list[dict[str, Any]]) -> list[VariantResult]:
    """VariantResults rebuilt from compare-table rows (VariantResult.row(), as the GUI's compare
    dialog receives them) and their run folders: evaluations and the last probe's curves."""
    from .compare import _probe_curves
    from .probe_store import ProbeStoreError, load_probes
    from .runs import RunFolderError, load_run

    found = []
    for row in rows:
        sizes = [int(size) for size in str(row.get("hidden_size") or "0").split("/")]
        result = VariantResult(row["cell"], dict(enumerate(sizes)), int(row["parameters"]), row["status"])
        for name in ("seconds_per_step", "train_loss", "val_loss", "target_loss", "steps_to_target"):
            setattr(result, name, row.get(name))
        for name in ("macs_per_step", "kernel", "seconds_to_target", "memory_horizon"):
            setattr(result, name, row.get(name, getattr(result, name)))
        if row.get("run_dir"):
            try:
                result.evals = load_run(row["run_dir"]).evals
                records = load_probes(row["run_dir"])
                result.last_probe = _probe_curves(records[-1]) if records else None
            except (RunFolderError, ProbeStoreError):
                pass  # a missing or damaged folder: the table still has the row's figures
        found.append(result)
    return found
