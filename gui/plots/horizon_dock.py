"""The memory-horizon plot: how strongly the prediction depends on the input k steps back
(‖∂ŷ/∂xₜ₋ₖ‖ on a log axis, the current probe bright and earlier probes fading), and below it
the memory horizon over training — the longest lag still above 1 % of the peak
(engine.memory_horizon), with the current probe marked.
"""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtWidgets import QHBoxLayout

from engine.memory_horizon import THRESHOLD, horizon_curve
from engine.run_data import RunData

from .common import (
    BlockPicker,
    PlotPanel,
    Readout,
    add_legend,
    caption,
    finite_or_nan,
    log_friendly_axes,
    panel_layout,
    style_plot,
)
from .gradient_dock import CURRENT_COLOR, EARLIER_COLOR, EARLIER_PROBES
from .run_view import RunView

HORIZON_COLOR = "#f0a04b"


class HorizonPanel(PlotPanel):
    def __init__(self, view: RunView):
        super().__init__(view)
        self.picker = BlockPicker(view, layers=False)  # the attribution is per block
        self.summary = caption()
        self.summary.setToolTip("The probe's step and its memory horizon")
        self.graphics = pg.GraphicsLayoutWidget()
        self.plot = style_plot(
            self.graphics.addPlot(row=0, col=0, axisItems=log_friendly_axes()),
            "",
            "lag k (steps back from the output)",
            "‖∂ŷ/∂x‖ (log scale)",
        )
        self.plot.setLogMode(y=True)
        legend = add_legend(self.plot)
        self.earlier = [
            self.plot.plot(pen=pg.mkPen((*EARLIER_COLOR, 40 + 25 * i), width=1)) for i in range(EARLIER_PROBES)
        ]
        self.current = self.plot.plot(pen=pg.mkPen(CURRENT_COLOR, width=2.5))
        self.horizon_line = pg.InfiniteLine(
            angle=90, pen=pg.mkPen(HORIZON_COLOR, width=1.5, style=pg.QtCore.Qt.DashLine)
        )
        self.plot.addItem(self.horizon_line)
        legend.addItem(self.current, "current probe")
        legend.addItem(self.earlier[-1], "earlier probes (fading)")
        self.history = style_plot(self.graphics.addPlot(row=1, col=0), "", "training step", "horizon (steps)")
        self.curve = self.history.plot(
            pen=pg.mkPen(HORIZON_COLOR, width=2), symbol="o", symbolSize=5, symbolBrush=HORIZON_COLOR, symbolPen=None
        )
        self.marker = pg.ScatterPlotItem(size=11, pen=pg.mkPen("w", width=1.5), brush=None)
        self.history.addItem(self.marker)
        self.graphics.ci.layout.setRowStretchFactor(0, 3)
        self.graphics.ci.layout.setRowStretchFactor(1, 2)
        self.readout = Readout(f"Dashed line: the horizon, the longest lag above {100 * THRESHOLD:g} % of the peak.")
        self.readout.follow(self.plot, self._describe)
        self._attribution = np.zeros(0)
        controls = QHBoxLayout()
        controls.addWidget(self.picker)
        controls.addWidget(self.summary, 1)
        panel_layout(self, controls, self.graphics, self.empty_label, self.readout)
        self.show_empty(True)

    def redraw(self, data: RunData) -> None:
        chosen = self.picker.sync(data)
        record = chosen[1] if chosen is not None else None
        if record is None or "attribution" not in record:  # runs recorded before the attribution existed
            self._clear(chosen is None)
            return
        self.show_empty(False)
        block_id = chosen[0]
        self._attribution = record["attribution"]
        self.current.setData(finite_or_nan(self._attribution), connect="finite")
        self.horizon_line.setValue(record["memory_horizon"])
        self.horizon_line.show()
        self._draw_earlier(data, block_id)
        probes = data.probes_until_current()
        steps, horizons = horizon_curve(probes, block_id)
        self.curve.setData(steps, horizons)
        self.marker.setData([probes[-1]["step"]], [record["memory_horizon"]])
        length = len(self._attribution)
        self.summary.setText(f"step {probes[-1]['step']} · horizon {record['memory_horizon']} of {length} steps")

    def _clear(self, empty: bool) -> None:
        self.show_empty(empty)
        self._attribution = np.zeros(0)
        for curve in (self.current, self.curve, *self.earlier):
            curve.setData([], [])
        self.marker.setData([], [])
        self.horizon_line.hide()
        self.summary.setText("" if empty else "this run's probes carry no attribution")

    def _draw_earlier(self, data: RunData, block_id: str) -> None:
        earlier = data.probes_until_current()[:-1][-EARLIER_PROBES:]
        curves = self.earlier[EARLIER_PROBES - len(earlier) :]  # the most recent gets the strongest colour
        for curve in self.earlier[: EARLIER_PROBES - len(earlier)]:
            curve.setData([], [])
        for curve, probe in zip(curves, earlier):
            record = probe["blocks"].get(block_id, {})
            curve.setData(finite_or_nan(record.get("attribution", np.zeros(0))), connect="finite")

    def _describe(self, x: float, y: float) -> str:
        lag = int(round(x))
        if not 0 <= lag < len(self._attribution):
            return ""
        peak = np.nanmax(self._attribution) if self._attribution.size else 0.0
        share = self._attribution[lag] / peak if peak > 0 else 0.0
        return f"lag {lag} · ‖∂ŷ/∂x‖ = {self._attribution[lag]:.3g} ({100 * share:.2g} % of the peak)"
