"""The hidden-state plot: the path of hₜ through time, projected on two principal components,
one path per probe sample, its points coloured by time step — or, for a character model, by
the input character or its class (vowel, consonant, digit, space, punctuation), one sequence
at a time if asked, so the states read as text instead of a hairball of all samples.

The projection comes from the probe record, whose PCA basis the engine keeps stable across
probes (engine.trajectory): the picture changes only when the states do.
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np
import pyqtgraph as pg
from PySide6.QtWidgets import QHBoxLayout, QLabel, QSpinBox

from engine.data.chars import CHARACTER_CLASSES, character_class
from engine.run_data import RunData

from .common import BlockPicker, PlotPanel, Readout, caption, combo, panel_layout, set_items, style_plot
from .run_view import RunView

TIME_COLORS = "plasma"
LINE_COLOR = (200, 205, 215, 60)
DEFAULT_SAMPLES = 3
CATEGORY_COLORS = ("#4c78a8", "#f58518", "#54a24b", "#e45756", "#72b7b2", "#eeca3b", "#b279a2", "#ff9da6",
                   "#9d755d", "#bab0ac", "#8cd17d", "#d37295")  # fmt: skip
COLOUR_MODES = (("time step", "time"), ("input character", "character"), ("character class", "class"))


def category_brushes(labels: list[str], order: tuple[str, ...] | None = None) -> list:
    """One brush per label, the same colour for the same label (in `order`, or first seen)."""
    known = list(order or dict.fromkeys(labels))
    return [pg.mkBrush(CATEGORY_COLORS[known.index(label) % len(CATEGORY_COLORS)]) for label in labels]


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
        self.sequence = combo("Draw the first samples, or one sequence alone", 90)
        self.colour_by = combo("Colour the states by time step, or (token inputs) by input character or its class")
        set_items(self.colour_by, list(COLOUR_MODES), "time")
        for box in (self.sequence, self.colour_by):
            box.activated.connect(self.invalidate)
        self.colour_by.setVisible(False)  # until a probe of token inputs arrives
        self._labels: list[str] = []
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
        controls.addWidget(self.sequence)
        controls.addWidget(self.colour_by)
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
        available = trajectory["pca2"].shape[0]
        self._update_sample_range(available)
        current = self.sequence.currentData()
        items = [(f"first {self.samples.value()}", -1)] + [(f"sequence {k} alone", k) for k in range(available)]
        set_items(self.sequence, items, current if current is not None and current < available else -1)
        self.samples.setEnabled(self.sequence.currentData() == -1)
        shown = (
            slice(None, self.samples.value())
            if self.sequence.currentData() == -1
            else slice(self.sequence.currentData(), self.sequence.currentData() + 1)
        )
        self._labels = self._input_labels(probe, shown)
        self.colour_by.setVisible(bool(self._labels))
        self._show_paths(trajectory["pca2"][shown])
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
        self.points.setData(flat[:, 0], flat[:, 1], brush=self._brushes(count, length))
        self.starts.setData(paths[:, 0, 0] if length else [], paths[:, 0, 1] if length else [])
        levels = (0, max(length - 1, 1))
        if tuple(self.time_bar.levels()) != levels:
            self.time_bar.setLevels(levels)

    def _input_labels(self, probe: dict, shown: slice) -> list[str]:
        """The shown states' input characters (flattened like the paths); [] for float inputs."""
        tokens = probe.get("input_tokens")
        if tokens is None:
            return []
        vocabulary = probe.get("vocabulary")
        chosen = tokens[shown].reshape(-1)
        return [vocabulary[t] if vocabulary and 0 <= t < len(vocabulary) else f"#{t}" for t in chosen]

    def _brushes(self, count: int, length: int) -> list:
        mode = self.colour_by.currentData() if self._labels else "time"
        if not length:
            return []
        if mode == "character":
            return category_brushes(self._labels)
        if mode == "class":
            return category_brushes([character_class(c) for c in self._labels], CHARACTER_CLASSES)
        return list(time_brushes(length)) * count

    def _describe(self, x: float, y: float) -> str:
        if not self._paths.size:
            return ""
        distances = np.hypot(self._paths[..., 0] - x, self._paths[..., 1] - y)
        sample, t = np.unravel_index(int(np.argmin(distances)), distances.shape)
        pc1, pc2 = self._paths[sample, t]
        read = f" · input {self._labels[sample * self._paths.shape[1] + t]!r}" if self._labels else ""
        return f"sample {sample} · t = {t}{read} · PC1 {pc1:.3f} · PC2 {pc2:.3f}"
