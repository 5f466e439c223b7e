"""The hidden-state plot: the path of hₜ through time, projected on two principal components,
one path per probe sample, its points coloured by time step.

The projection comes from the probe record, whose PCA basis the engine keeps stable across
probes (engine.trajectory): the picture changes only when the states do.
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np
import pyqtgraph as pg
from PySide6.QtWidgets import QHBoxLayout, QLabel, QSpinBox

from engine.run_data import RunData

from .common import BlockPicker, PlotPanel, Readout, caption, panel_layout, style_plot
from .run_view import RunView

TIME_COLORS = "plasma"
LINE_COLOR = (200, 205, 215, 60)
DEFAULT_SAMPLES = 3


@lru_cache(maxsize=16)
def time_brushes(length: int) -> tuple:
    """One brush per time step 0 … length-1, from the time colour map."""
    colours = pg.colormap.get(TIME_COLORS).map(np.linspace(0.0, 1.0, length), mode="qcolor")
    return tuple(pg.mkBrush(colour) for colour in colours)


class HiddenStatePanel(PlotPanel):
    def __init__(self, view: RunView):
        super().__init__(view)
        self.picker = BlockPicker(view, layers=False)
        self.samples = QSpinBox(minimum=1, maximum=1, value=1, toolTip="Probe samples whose paths are drawn")
        self.samples.valueChanged.connect(self.invalidate)
        self.graphics = pg.GraphicsLayoutWidget()
        self.plot = style_plot(self.graphics.addPlot(row=0, col=0), "", "PC1", "PC2")
        self.step = caption()
        self.lines = pg.PlotCurveItem(pen=pg.mkPen(LINE_COLOR, width=1))
        self.points = pg.ScatterPlotItem(size=6, pen=None)
        self.starts = pg.ScatterPlotItem(size=10, symbol="o", pen=pg.mkPen("w", width=1.5), brush=None)
        for item in (self.lines, self.points, self.starts):
            self.plot.addItem(item)
        self.time_bar = pg.ColorBarItem(
            values=(0, 1), colorMap=TIME_COLORS, interactive=False, width=12, label="time step t"
        )
        self.graphics.addItem(self.time_bar, row=0, col=1)
        self.readout = Readout("White rings mark t = 0; point at a state to read it.")
        self.readout.follow(self.plot, self._describe)
        self._paths = np.zeros((0, 0, 2), np.float32)
        self._first_maximum = True
        controls = QHBoxLayout()
        controls.addWidget(self.picker)
        controls.addWidget(QLabel("samples"))
        controls.addWidget(self.samples)
        controls.addWidget(self.step, 1)
        panel_layout(self, controls, self.graphics, self.empty_label, self.readout)
        self.show_empty(True)

    def redraw(self, data: RunData) -> None:
        chosen = self.picker.sync(data)
        self.show_empty(chosen is None)
        if chosen is None:
            self._show_paths(np.zeros((0, 0, 2), np.float32))
            return
        probe = data.current_probe()
        trajectory = chosen[1]["trajectory"]
        self._update_sample_range(trajectory["pca2"].shape[0])
        self._show_paths(trajectory["pca2"][: self.samples.value()])
        explained = trajectory["explained2"]
        for side, index in (("bottom", 0), ("left", 1)):
            label = f"PC{index + 1} ({100 * explained[index]:.0f} % of variance)"
            if self.plot.getAxis(side).labelText != label:  # a new label redraws the axis
                self.plot.getAxis(side).setLabel(label)
        self.plot.setToolTip(
            f"Principal components fitted at step {trajectory['reference_step']} and kept "
            "aligned since, so the picture moves only when the states do"
        )
        self.step.setText(f"top layer, step {probe['step']}")

    def _update_sample_range(self, available: int) -> None:
        self.samples.blockSignals(True)
        self.samples.setMaximum(available)
        if self._first_maximum:
            self.samples.setValue(min(DEFAULT_SAMPLES, available))
            self._first_maximum = False
        self.samples.blockSignals(False)

    def _show_paths(self, paths: np.ndarray) -> None:
        """paths: (S, T, 2)."""
        self._paths = paths
        count, length = paths.shape[:2]
        flat = paths.reshape(-1, 2)
        connect = np.ones(len(flat), bool)
        if length:
            connect[length - 1 :: length] = False  # no line from one sample's end to the next start
        self.lines.setData(flat[:, 0], flat[:, 1], connect=connect)
        self.points.setData(flat[:, 0], flat[:, 1], brush=list(time_brushes(length)) * count if length else [])
        self.starts.setData(paths[:, 0, 0] if length else [], paths[:, 0, 1] if length else [])
        levels = (0, max(length - 1, 1))
        if tuple(self.time_bar.levels()) != levels:
            self.time_bar.setLevels(levels)

    def _describe(self, x: float, y: float) -> str:
        if not self._paths.size:
            return ""
        distances = np.hypot(self._paths[..., 0] - x, self._paths[..., 1] - y)
        sample, t = np.unravel_index(int(np.argmin(distances)), distances.shape)
        pc1, pc2 = self._paths[sample, t]
        return f"sample {sample} · t = {t} · PC1 {pc1:.3f} · PC2 {pc2:.3f}"
