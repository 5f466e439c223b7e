"""The gates plot for one recurrent block, layer and direction: a heatmap of one gate's
values (units × time) for the first probe sample, every gate's mean over time, and the
chosen gate's saturation (share of values below 0.05 / above 0.95) over training.

The heatmap's levels are fixed by the gate's kind — sigmoid gates (0, 1), tanh candidates
(-1, 1), an RNN's pre-activation (-3, 3) — so colours mean the same thing at every probe.
"""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtWidgets import QHBoxLayout

from engine.run_data import RunData

from .common import (
    BlockPicker,
    PlotPanel,
    Readout,
    colour_key,
    combo,
    number,
    panel_layout,
    series_color,
    set_items,
    style_plot,
)
from .run_view import RunView

LEVELS = {"sigmoid": (0.0, 1.0), "tanh": (-1.0, 1.0), "preactivation": (-3.0, 3.0)}
# The usual one-letter names (PyTorch's documentation), for keys that must be short.
SYMBOLS = {"input": "i", "forget": "f", "output": "o", "reset": "r", "update": "z", "preactivation": "a"}
CANDIDATE_SYMBOLS = {"LSTM": "g", "GRU": "n"}
COLOR_MAPS = {"sigmoid": "viridis", "tanh": "CET-D1", "preactivation": "CET-D1"}


def gate_symbol(cell: str, gate: str) -> str:
    return CANDIDATE_SYMBOLS.get(cell, "c") if gate == "candidate" else SYMBOLS.get(gate, gate)


class GatesPanel(PlotPanel):
    def __init__(self, view: RunView):
        super().__init__(view)
        self.picker = BlockPicker(view)
        self.gate = combo("The gate shown in the heatmap and the saturation plot")
        self.gate.activated.connect(self.invalidate)
        self.graphics = pg.GraphicsLayoutWidget()
        self.heatmap_plot = style_plot(
            self.graphics.addPlot(row=0, col=0, colspan=2), "Gate values", "time step t", "unit"
        )
        self.image = pg.ImageItem(axisOrder="row-major")
        self.heatmap_plot.addItem(self.image)
        self.color_bar = pg.ColorBarItem(values=(0, 1), colorMap="viridis", interactive=False, width=12)
        self.color_bar.setImageItem(self.image, insert_in=self.heatmap_plot)
        self.means_plot = style_plot(self.graphics.addPlot(row=1, col=0), "Mean over time", "time step t", "mean")
        self.mean_curves: dict[str, pg.PlotDataItem] = {}
        self.saturation_plot = style_plot(self.graphics.addPlot(row=1, col=1), "", "training step", "% saturated")
        self.saturation_plot.setTitle(
            colour_key("", [("&lt; .05", series_color(0)), ("&gt; .95", series_color(1))]), size="9pt"
        )
        self.low = self.saturation_plot.plot(
            pen=pg.mkPen(series_color(0), width=2),
            symbol="o",
            symbolSize=4,
            symbolBrush=series_color(0),
            symbolPen=None,
        )
        self.high = self.saturation_plot.plot(
            pen=pg.mkPen(series_color(1), width=2),
            symbol="o",
            symbolSize=4,
            symbolBrush=series_color(1),
            symbolPen=None,
        )
        self.current_step = pg.InfiniteLine(angle=90, pen=pg.mkPen("#8e96a3", width=1, dash=[3, 3]))
        self.saturation_plot.addItem(self.current_step)
        self.graphics.ci.layout.setRowStretchFactor(0, 3)
        self.graphics.ci.layout.setRowStretchFactor(1, 2)
        self.readout = Readout()
        self.readout.follow(self.heatmap_plot, self._describe_heatmap)
        self.readout.follow(self.means_plot, self._describe_means)
        self.readout.follow(self.saturation_plot, self._describe_saturation)
        self._kind = "sigmoid"
        self.record: dict | None = None
        self.block_id, self.layer_index, self.direction_index = None, 0, 0
        controls = QHBoxLayout()
        controls.addWidget(self.picker)
        controls.addWidget(self.gate)
        controls.addStretch(1)
        panel_layout(self, controls, self.graphics, self.empty_label, self.readout)
        self.show_empty(True)

    # -- drawing ------------------------------------------------------------------------
    def redraw(self, data: RunData) -> None:
        chosen = self.picker.sync(data)
        self.show_empty(chosen is None)
        if chosen is None:
            self._clear()
            return
        self.block_id, record, self.layer_index, self.direction_index = chosen
        self.record = record
        self.gate.show()
        gates = record["gates"]
        current = self.gate.currentData() if self.gate.currentData() in gates else gates[0]
        set_items(self.gate, [(name, name) for name in gates], current)
        self._draw_heatmap(record, current)
        self._draw_means(record)
        self._draw_saturation(data, current)

    def _clear(self) -> None:
        self.record = None
        self.gate.clear()
        self.gate.hide()
        self.image.clear()
        for curve in (self.low, self.high, *self.mean_curves.values()):
            curve.setData([], [])

    def _draw_heatmap(self, record: dict, gate: str) -> None:
        kind = record["gate_kinds"][gate]
        if kind != self._kind:
            self._kind = kind
            self.color_bar.setColorMap(pg.colormap.get(COLOR_MAPS[kind]))
            self.color_bar.setLevels(LEVELS[kind])
        values = record["gate_sample"][gate][self.layer_index, self.direction_index]  # (T, H)
        self.image.setImage(np.ascontiguousarray(values.T), autoLevels=False, levels=LEVELS[kind])
        self.heatmap_plot.setTitle(f"'{gate}' gate ({kind}), sample 0")

    def _draw_means(self, record: dict) -> None:
        if list(self.mean_curves) != record["gates"]:  # another cell type: other gates
            for curve in self.mean_curves.values():
                self.means_plot.removeItem(curve)
            self.mean_curves = {
                name: self.means_plot.plot(pen=pg.mkPen(series_color(index), width=2))
                for index, name in enumerate(record["gates"])
            }
            key = [
                (gate_symbol(record["cell"], name), series_color(index)) for index, name in enumerate(record["gates"])
            ]
            self.means_plot.setTitle(colour_key("mean", key), size="9pt")
        for name, curve in self.mean_curves.items():
            curve.setData(record["gate_mean"][name][self.layer_index, self.direction_index])

    def _draw_saturation(self, data: RunData, gate: str) -> None:
        steps, low, high = self._saturation_history(data, gate)
        self.low.setData(steps, low)
        self.high.setData(steps, high)

        self.current_step.setValue(steps[-1] if len(steps) else 0)

    def _saturation_history(self, data: RunData, gate: str) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        rows = []
        for probe in data.probes_until_current():
            record = probe["blocks"].get(self.block_id)
            if record is not None and gate in record["saturation_low"]:
                where = (self.layer_index, self.direction_index)
                rows.append(
                    (
                        probe["step"],
                        100 * record["saturation_low"][gate][where],
                        100 * record["saturation_high"][gate][where],
                    )
                )
        return tuple(np.array(column, np.float64) for column in zip(*rows)) if rows else (np.zeros(0),) * 3

    # -- read-outs ----------------------------------------------------------------------
    def _describe_heatmap(self, x: float, y: float) -> str:
        if self.record is None:
            return ""
        gate = self.gate.currentData()
        values = self.record["gate_sample"][gate][self.layer_index, self.direction_index]
        t, unit = int(np.floor(x)), int(np.floor(y))
        if not (0 <= t < values.shape[0] and 0 <= unit < values.shape[1]):
            return f"'{gate}' gate: point inside the heatmap to read a value"
        return f"'{gate}' gate · t = {t} · unit {unit} · value {values[t, unit]:.3f}"

    def _describe_means(self, x: float, y: float) -> str:
        if self.record is None:
            return ""
        t = int(round(x))
        where = (self.layer_index, self.direction_index)
        means = {name: self.record["gate_mean"][name][where] for name in self.record["gates"]}
        if not 0 <= t < len(next(iter(means.values()))):
            return "mean gate values: point inside the plot"
        return f"mean at t = {t} · " + " · ".join(f"{name} {number(float(m[t]))}" for name, m in means.items())

    def _describe_saturation(self, x: float, y: float) -> str:
        steps, low = self.low.getData()
        _, high = self.high.getData()
        if steps is None or not len(steps):
            return ""
        i = int(np.argmin(np.abs(steps - x)))
        return f"probe at step {int(steps[i])} · below 0.05: {low[i]:.1f} % · above 0.95: {high[i]:.1f} %"
