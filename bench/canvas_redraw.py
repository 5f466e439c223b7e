"""Canvas redraw of a 200-node graph: full repaint, pan and zoom steps in the real canvas.

The graph (built with GraphDocument.load from a generated dictionary, on the adding
problem's signature): SequenceInput -> LSTM(16, sequence) -> repeated units of an Add
diamond (Linear | Activation -> Add), Linear, LayerNorm and, every fourth unit, an LSTM(16,
sequence) -> LSTM(16, last) -> Regression; 200 nodes laid out in bands of 20 columns. It is
opened in the main window (1400x900, offscreen) through the editor, so nodes carry their
shapes and parameter counts, and the canvas is fitted to the graph (at the minimum zoom,
0.15, nearly all of it is in view: the most to draw).

Baseline, in the same run: the app's CanvasView (same size, same zoom, same grid) on a
plain QGraphicsScene holding 200 QGraphicsRectItems of a node's size at the same places.
Steps, each the median of 30 samples with canvas and baseline alternating: full redraw
(viewport().repaint()), pan (scroll 300 px, alternately right and left, then repaint) and
zoom (set_zoom ×1.15 then ÷1.15, then repaint). Pending events are processed between
samples, untimed. Reference for smooth: under 16 ms per frame (60 Hz).
"""

from __future__ import annotations

import os
import tempfile
import time
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from .common import median, print_table  # noqa: E402

NODES = 200
FRAME_MS = 16.0
HIDDEN = 16
COLUMNS, COLUMN_W, ROW_H, BAND_H = 20, 240.0, 130.0, 300.0


def graph_dict(nodes: int = NODES) -> tuple[dict, dict]:
    """The graph as GraphDocument.load takes it, and its layout {id: (x, y)}."""
    entries, edges, layout = [], [], {}
    column = [0]

    def add(type_name: str, params: dict | None = None, row: int = 0) -> str:
        node_id = f"n{len(entries)}"
        entries.append({"id": node_id, "type": type_name, "params": params or {}})
        band, col = divmod(column[0], COLUMNS)
        layout[node_id] = (col * COLUMN_W, band * BAND_H + row * ROW_H)
        return node_id

    def link(source: str, target: str, port: str = "in") -> None:
        edges.append({"source": source, "source_port": "out", "target": target, "target_port": port})

    def step() -> None:
        column[0] += 1

    def room() -> int:
        return nodes - 2 - len(entries)  # the last LSTM and the head come last

    def chain(previous: str, type_name: str, params: dict) -> str:
        if room() <= 0:
            return previous
        current = add(type_name, params)
        step()
        link(previous, current)
        return current

    previous = add("SequenceInput")
    step()
    previous = chain(previous, "LSTM", {"hidden_size": HIDDEN, "output": "sequence"})
    unit = 0
    while room() > 0:
        if room() >= 3:
            left, right = add("Linear", {"features": HIDDEN}), add("Activation", {"function": "Tanh"}, row=1)
            step()
            join = add("Add")
            step()
            link(previous, left), link(previous, right), link(left, join, "a"), link(right, join, "b")
            previous = join
        previous = chain(previous, "Linear", {"features": HIDDEN})
        previous = chain(previous, "LayerNorm", {})
        if unit % 4 == 3:
            previous = chain(previous, "LSTM", {"hidden_size": HIDDEN, "output": "sequence"})
        unit += 1
    last = add("LSTM", {"hidden_size": HIDDEN, "output": "last"})
    step()
    head = add("Regression")
    link(previous, last), link(last, head)
    return {"nodes": entries, "edges": edges}, layout


def make_project():
    from engine.project import Project

    graph, layout = graph_dict()
    project = Project(data={"task": "adding", "params": {}}, name="200-node canvas bench")
    project.refresh_signature()
    project.graph.load(graph, layout)
    return project, layout


def baseline_view(layout: dict, size):
    from PySide6.QtCore import QRectF
    from PySide6.QtWidgets import QGraphicsRectItem, QGraphicsScene

    from gui.canvas.geometry import NODE_WIDTH
    from gui.canvas.view import CanvasView

    scene = QGraphicsScene()
    for x, y in layout.values():
        scene.addItem(QGraphicsRectItem(QRectF(x, y, NODE_WIDTH, 110)))  # a one-input node's height
    view = CanvasView(scene)
    view.resize(size)
    view.show()
    return view, scene


def steps(view) -> dict:
    from PySide6.QtWidgets import QApplication

    viewport, state = view.viewport(), {"pan": 1, "zoom": 1}
    bar = view.horizontalScrollBar()

    def redraw():
        viewport.repaint()

    def pan():
        bar.setValue(bar.value() + 300 * state["pan"])
        state["pan"] = -state["pan"]
        viewport.repaint()

    def zoom():
        view.set_zoom(view.zoom() * (1.15 if state["zoom"] > 0 else 1 / 1.15))
        state["zoom"] = -state["zoom"]
        viewport.repaint()

    return {"redraw": redraw, "pan": pan, "zoom": zoom, "_flush": QApplication.processEvents}


def measure(views: dict, repeats: int, warmup: int = 3) -> dict:
    """Milliseconds per step for each view, the views alternating in flipping order."""
    names = list(views)
    actions = {name: steps(view) for name, view in views.items()}
    times = {name: {step: [] for step in ("redraw", "pan", "zoom")} for name in names}
    for step in ("redraw", "pan", "zoom"):
        for name in names:
            for _ in range(warmup):
                actions[name][step]()
                actions[name]["_flush"]()
        for repeat in range(repeats):
            for name in names if repeat % 2 == 0 else reversed(names):
                started = time.perf_counter()
                actions[name][step]()
                times[name][step].append((time.perf_counter() - started) * 1000)
                actions[name]["_flush"]()
    return times


def run(quick: bool) -> dict:
    from PySide6.QtCore import QEventLoop, QTimer

    from gui.app import create_application

    from .gui_responsiveness import make_window

    create_application()
    repeats = 5 if quick else 30
    project, layout = make_project()
    with tempfile.TemporaryDirectory() as scratch:
        window = make_window(Path(scratch))
        window.editor.set_project(project)
        loop = QEventLoop()
        QTimer.singleShot(300, loop.quit)  # let the first layout and validation settle
        loop.exec()
        canvas = window.view
        canvas.fit_to_content()
        base, base_scene = baseline_view(layout, canvas.size())
        base.setTransform(canvas.transform())
        base.centerOn(canvas.mapToScene(canvas.viewport().rect().center()))
        analysis = window.editor.analysis
        from gui.canvas.node_item import NodeItem

        visible = [i for i in canvas.items(canvas.viewport().rect()) if isinstance(i, NodeItem)]
        info = {
            "nodes": len(project.graph),
            "edges": len(list(project.graph.edges())),
            "nodes_in_view": len(visible),
            "diagnostic_errors": len(analysis.errors),
            "zoom": canvas.zoom(),
            "viewport": [canvas.viewport().width(), canvas.viewport().height()],
        }
        times = measure({"canvas": canvas, "baseline": base}, repeats)
        window.editor.mark_saved()
        window.close()
        base.close()
    medians = {name: {step: median(values) for step, values in steps_.items()} for name, steps_ in times.items()}
    ratios = {step: medians["canvas"][step] / medians["baseline"][step] for step in medians["canvas"]}
    worst = max(medians["canvas"].values())
    result = {
        **info,
        "repeats": repeats,
        "median_ms": medians,
        "ratios": ratios,
        "samples_ms": times,
        "frame_budget_ms": FRAME_MS,
        "smooth": worst < FRAME_MS,
    }
    _print(result)
    return result


def _print(result: dict) -> None:
    rows = [("step", "200-node canvas", "baseline (200 rects)", "ratio", f"< {FRAME_MS:g} ms")]
    for step in ("redraw", "pan", "zoom"):
        canvas, base = result["median_ms"]["canvas"][step], result["median_ms"]["baseline"][step]
        rows.append(
            (
                step,
                f"{canvas:.2f} ms",
                f"{base:.2f} ms",
                f"{result['ratios'][step]:.1f}",
                "yes" if canvas < FRAME_MS else "NO",
            )
        )
    print_table(
        f"Canvas redraw, {result['nodes']} nodes / {result['edges']} edges ({result['nodes_in_view']} in view, "
        f"zoom {result['zoom']:.2f}, viewport {result['viewport'][0]}x{result['viewport'][1]}), "
        f"median of {result['repeats']} (smooth: {'yes' if result['smooth'] else 'NO'})",
        rows,
    )


if __name__ == "__main__":
    run(quick=False)
