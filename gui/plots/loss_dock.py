"""The loss plot: training loss (raw and smoothed) and validation loss against the step, the
task's metric on a second axis, other runs overlaid, and a log-scale toggle (on by default:
a loss falls over decades). The legend sits under the plot, never over the curves.

Curves are made once; `redraw` only calls setData. The raw curve can hold tens of thousands
of points, so curves downsample to the screen ('peak' keeps the spikes) and clip to view.
"""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QCheckBox, QHBoxLayout

from engine.baselines import BASELINE_NAMES
from engine.run_data import RunData

from .. import theme
from .common import (
    PlotPanel,
    Readout,
    finite_or_nan,
    legend_below,
    log_friendly_axes,
    number,
    panel_layout,
    series_color,
    style_plot,
)
from .run_view import RunView

METRIC_COLOR = "#56c28a"
BASELINE_COLORS = {"mean": "#9aa0a6", "persistence": "#e0a64b", "seasonal": "#c678dd"}
RAW_ALPHA = 110


class LossPanel(PlotPanel):
    watches = ("steps", "evals")
    min_interval = 0.1
    empty_text = "The loss shows here while a model trains (Run ▸ Train, F5) or when a run is opened."

    def __init__(self, view: RunView):
        super().__init__(view)
        self.graphics = pg.GraphicsLayoutWidget()
        self.plot = style_plot(self.graphics.addPlot(axisItems=log_friendly_axes()), "", "training step", "loss")
        self.legend = legend_below(self.graphics, self.plot, row=1)  # never over the curves
        accent = series_color(0)
        self.raw = self._curve(pg.mkPen(series_color(0, RAW_ALPHA), width=1), "training (raw)")
        self.smoothed = self._curve(pg.mkPen(accent, width=2), "training (smoothed)")
        self.validation = self.plot.plot(
            pen=pg.mkPen(series_color(1), width=2),
            symbol="o",
            symbolSize=5,
            symbolBrush=series_color(1),
            symbolPen=None,
            name="validation",
        )
        self.metric_box, self.metric_curve = self._metric_axis()
        self._metric_name: str | None = None
        self._loss_label = ""
        self.overlay_curves: list[pg.PlotDataItem] = []
        self.baseline_lines: dict[str, pg.InfiniteLine] = {}  # forecasters: name -> reference line
        self.log_scale = QCheckBox("Log scale", toolTip="Show the loss on a logarithmic axis")
        self.log_scale.toggled.connect(self._set_log)
        self.log_scale.setChecked(True)  # a falling loss spans decades: on a linear axis it lies flat
        self.readout = Readout()
        self.readout.follow(self.plot, self._describe)
        controls = QHBoxLayout()
        controls.addWidget(self.log_scale)
        controls.addStretch(1)
        panel_layout(self, controls, self.graphics, self.empty_label, self.readout)
        self.show_empty(True)

    def _curve(self, pen, name: str) -> pg.PlotDataItem:
        curve = self.plot.plot(pen=pen, name=name)
        curve.setDownsampling(auto=True, method="peak")
        curve.setClipToView(True)
        return curve

    def _metric_axis(self) -> tuple[pg.ViewBox, pg.PlotDataItem]:
        box = pg.ViewBox()
        self.plot.showAxis("right")
        self.plot.scene().addItem(box)
        axis = self.plot.getAxis("right")
        axis.linkToView(box)
        axis.setPen(theme.COLORS["border"])
        axis.setTextPen(METRIC_COLOR)
        box.setXLink(self.plot)
        box.setYRange(0, 100)
        box.setMouseEnabled(x=False, y=False)
        self.plot.vb.sigResized.connect(lambda: box.setGeometry(self.plot.vb.sceneBoundingRect()))
        curve = pg.PlotDataItem(
            pen=pg.mkPen(METRIC_COLOR, width=1.5, style=Qt.DashLine),
            symbol="t",
            symbolSize=6,
            symbolBrush=METRIC_COLOR,
            symbolPen=None,
        )
        box.addItem(curve)
        return box, curve

    def _set_log(self, on: bool) -> None:
        self.plot.setLogMode(y=on)
        self.plot.steady_range.fresh = True
        self.invalidate()

    # -- drawing ------------------------------------------------------------------------
    def redraw(self, data: RunData) -> None:
        self.show_empty(not data.loss.size and not data.evals.steps and not self.view.overlays)
        label = f"{data.loss_name}{' (log scale)' if self.log_scale.isChecked() else ''}"
        if label != self._loss_label:
            self._loss_label = label
            self.plot.getAxis("left").setLabel(label)
        clean = finite_or_nan if self.log_scale.isChecked() else np.asarray
        self.raw.setData(data.loss.steps, clean(data.loss.raw), connect="finite")
        self.smoothed.setData(data.loss.steps, clean(data.loss.smoothed), connect="finite")
        evals = data.evals
        self.validation.setData(np.asarray(evals.steps), clean(np.asarray(evals.val_loss)), connect="finite")
        self._draw_metric(data)
        self._draw_baselines(data)
        self._draw_overlays()

    def baseline_values(self, data: RunData) -> dict[str, float]:
        """A forecaster's baselines in the validation loss's units: from its eval events, or its summary."""
        return data.evals.baselines or dict(data.summary.get("baseline_losses") or {})

    def _draw_baselines(self, data: RunData) -> None:
        """A labelled horizontal line per baseline (mean, persistence, seasonal naive)."""
        values = self.baseline_values(data)
        for name in [n for n in self.baseline_lines if n not in values]:
            self.plot.removeItem(self.baseline_lines.pop(name))
        log = self.log_scale.isChecked()
        for name, value in values.items():
            line = self.baseline_lines.get(name)
            if line is None:
                color = BASELINE_COLORS.get(name, theme.COLORS["border"])
                line = pg.InfiniteLine(
                    angle=0,
                    movable=False,
                    pen=pg.mkPen(color, width=1, style=Qt.DashLine),
                    label="",
                    labelOpts={"position": 0.02, "color": color, "anchors": [(0, 1), (0, 1)]},
                )
                self.plot.addItem(line)
                self.baseline_lines[name] = line
            line.loss_value = value  # in loss units, whatever the axis
            line.label.setFormat(f"{BASELINE_NAMES.get(name, name)} {number(value)}")
            shown = value > 0 and np.isfinite(value) if log else np.isfinite(value)
            line.setVisible(bool(shown))
            if shown:
                line.setPos(float(np.log10(value)) if log else value)

    def _draw_metric(self, data: RunData) -> None:
        evals = data.evals
        has_metric = bool(evals.metric_name) and bool(np.isfinite(evals.metric).any())  # Qt takes no numpy bool
        self.plot.getAxis("right").setVisible(has_metric)
        self.metric_curve.setVisible(has_metric)
        name = f"validation {evals.metric_name}" if has_metric else None
        if name != self._metric_name:
            self._metric_name = name
            self.legend.removeItem(self.metric_curve)
            if name:
                self.legend.addItem(self.metric_curve, name)
                self.plot.getAxis("right").setLabel(f"{name} (%)", color=METRIC_COLOR)
        if has_metric:
            self.metric_curve.setData(np.asarray(evals.steps), 100 * np.asarray(evals.metric), connect="finite")

    def _draw_overlays(self) -> None:
        overlays = self.view.overlays
        while len(self.overlay_curves) > len(overlays):
            curve = self.overlay_curves.pop()
            self.legend.removeItem(curve)
            self.plot.removeItem(curve)
        clean = finite_or_nan if self.log_scale.isChecked() else np.asarray
        for index, run in enumerate(overlays):
            if index == len(self.overlay_curves):
                self.overlay_curves.append(self._curve(pg.mkPen(series_color(index + 2), width=1.5), run.title))
            curve = self.overlay_curves[index]
            self.legend.getLabel(curve).setText(run.title)
            curve.setData(run.loss.steps, clean(run.loss.smoothed), connect="finite")

    def _describe(self, x: float, y: float) -> str:
        data, step = self.view.data, int(round(x))
        parts = [f"step {step}"]
        if data.loss.size:
            i = int(np.clip(np.searchsorted(data.loss.steps, step), 0, data.loss.size - 1))
            parts.append(
                f"training {number(data.loss.raw[i])} (smoothed {number(data.loss.smoothed[i])}, "
                f"gradient norm {number(data.grad_norm.raw[i])})"
            )
        if data.evals.steps:
            i = int(np.argmin(np.abs(np.asarray(data.evals.steps) - step)))
            parts.append(f"validation at {data.evals.steps[i]}: {number(data.evals.val_loss[i])}")
            if data.evals.metric_name and np.isfinite(data.evals.metric[i]):
                parts.append(f"{data.evals.metric_name} {100 * data.evals.metric[i]:.1f} %")
        for name, value in self.baseline_values(data).items():
            parts.append(f"{BASELINE_NAMES.get(name, name)} {number(value)}")
        for run in self.view.overlays:
            if run.loss.size:
                i = int(np.clip(np.searchsorted(run.loss.steps, step), 0, run.loss.size - 1))
                parts.append(f"{run.title} {number(run.loss.smoothed[i])}")
        return " · ".join(parts)
