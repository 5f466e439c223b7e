"""The gradient-through-time plot: ‖∂L/∂hₜ‖ against t on a log axis for one block, layer
and direction, the current probe bright and earlier probes fading, so a gradient that
vanishes (or explodes) on its way back through time shows as it happens.
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
    add_legend,
    caption,
    finite_or_nan,
    log_friendly_axes,
    number,
    panel_layout,
    style_plot,
)
from .run_view import RunView

EARLIER_PROBES = 6
CURRENT_COLOR = "#5aa2ff"
EARLIER_COLOR = (142, 150, 163)


class GradientPanel(PlotPanel):
    def __init__(self, view: RunView):
        super().__init__(view)
        self.picker = BlockPicker(view)
        self.ratio = caption()
        self.ratio.setToolTip("The probe's step, and the gradient norm at the first processed step over the last")
        self.graphics = pg.GraphicsLayoutWidget()
        self.plot = style_plot(
            self.graphics.addPlot(axisItems=log_friendly_axes()), "", "time step t", "‖∂L/∂hₜ‖ (log scale)"
        )
        self.plot.setLogMode(y=True)
        legend = add_legend(self.plot)
        self.earlier = [
            self.plot.plot(pen=pg.mkPen((*EARLIER_COLOR, 40 + 25 * i), width=1)) for i in range(EARLIER_PROBES)
        ]
        self.current = self.plot.plot(
            pen=pg.mkPen(CURRENT_COLOR, width=2.5), symbol="o", symbolSize=4, symbolBrush=CURRENT_COLOR, symbolPen=None
        )
        legend.addItem(self.current, "current probe")
        legend.addItem(self.earlier[-1], "earlier probes (fading)")
        self.readout = Readout()
        self.readout.follow(self.plot, self._describe)
        self._norms = np.zeros(0)
        controls = QHBoxLayout()
        controls.addWidget(self.picker)
        controls.addWidget(self.ratio, 1)
        panel_layout(self, controls, self.graphics, self.empty_label, self.readout)
        self.show_empty(True)

    def redraw(self, data: RunData) -> None:
        chosen = self.picker.sync(data)
        self.show_empty(chosen is None)
        if chosen is None:
            self._norms = np.zeros(0)
            for curve in (self.current, *self.earlier):
                curve.setData([], [])
            self.ratio.setText("")
            return
        block_id, record, layer, direction = chosen
        self._norms = record["grad_norm"][layer, direction]
        self.current.setData(finite_or_nan(self._norms), connect="finite")
        self._draw_earlier(data, block_id, layer, direction)
        ratio = record["grad_ratio"][layer, direction]
        self.ratio.setText(f"step {data.current_probe()['step']} · first/last {number(float(ratio))}")

    def _draw_earlier(self, data: RunData, block_id: str, layer: int, direction: int) -> None:
        earlier = data.probes_until_current()[:-1][-EARLIER_PROBES:]
        curves = self.earlier[EARLIER_PROBES - len(earlier) :]  # the most recent gets the strongest colour
        for curve in self.earlier[: EARLIER_PROBES - len(earlier)]:
            curve.setData([], [])
        for curve, probe in zip(curves, earlier):
            record = probe["blocks"].get(block_id)
            norms = record["grad_norm"][layer, direction] if record is not None else np.zeros(0)
            curve.setData(finite_or_nan(norms), connect="finite")

    def _describe(self, x: float, y: float) -> str:
        t = int(round(x))
        if not 0 <= t < len(self._norms):
            return ""
        return f"t = {t} · ‖∂L/∂hₜ‖ = {self._norms[t]:.3g} (current probe)"
