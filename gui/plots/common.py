"""What every plot dock shares: the redraw-on-tick base class, the block picker, the theme's
plot styling, series colours and the hover read-out.

A PlotPanel redraws only when it is visible and something it shows has changed (the parts
of the run it `watches`, the shared selection, or its own options); hidden or tabbed-away
docks cost nothing, and a plot of probes does not redraw while only steps stream in.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Qt
from PySide6.QtGui import QColor
from PySide6.QtWidgets import (
    QBoxLayout,
    QComboBox,
    QGraphicsItem,
    QHBoxLayout,
    QLabel,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

from engine.run_data import RunData

from .. import theme
from .run_view import RunView

SERIES_COLORS = ("#5aa2ff", "#f0a33a", "#56c28a", "#e06c9f", "#a58cf0", "#f2c14e", "#4cc3e6", "#ef5b5b")
LABEL_COLOR = "#aab2bf"
HOVER_RATE = 30
TICK_TEXT_LIMITS = [(0, 0.6), (2, 0.4), (4, 0.3), (6, 0.2)]  # read-out updates per second at most

pg.setConfigOptions(antialias=True, background=theme.COLORS["panel"], foreground=theme.COLORS["text_dim"])


def series_color(index: int, alpha: int = 255) -> QColor:
    colour = QColor(SERIES_COLORS[index % len(SERIES_COLORS)])
    colour.setAlpha(alpha)
    return colour


class SteadyRange:
    """Fits a plot's range to its data with room to spare, and keeps it while the data stays
    inside and fills at least half of it. pyqtgraph's own auto-range refits on every update,
    and a changed range redraws the axes, whose text is the costly part of a paint.
    Zooming or panning by hand stops the following; the plot's "A" button resumes it."""

    ROOM = 0.08

    def __init__(self, viewbox: pg.ViewBox):
        self.viewbox, self.following, self.fresh = viewbox, True, True
        viewbox.disableAutoRange()
        viewbox.sigRangeChangedManually.connect(self._moved_by_hand)

    def _moved_by_hand(self, *args) -> None:
        self.following = False

    def follow(self) -> None:
        if any(self.viewbox.autoRangeEnabled()):  # the "A" button was pressed
            self.viewbox.disableAutoRange()
            self.following = self.fresh = True
        if not self.following:
            return
        bounds, current = self.viewbox.childrenBounds(), self.viewbox.viewRange()
        ranges = [self._range(bound, shown) for bound, shown in zip(bounds, current)]
        if ranges != current:
            self.viewbox.setRange(xRange=ranges[0], yRange=ranges[1], padding=0)
        self.fresh = False

    def _range(self, bound, shown) -> list[float]:
        if bound is None or not np.all(np.isfinite(bound)):
            return list(shown)
        low, high = bound
        span = (high - low) or abs(high) or 1.0
        inside = shown[0] <= low and high <= shown[1]
        if not self.fresh and inside and (high - low) >= 0.5 * (shown[1] - shown[0]):
            return list(shown)
        return [low - self.ROOM * span, high + self.ROOM * span]


class LogFriendlyAxis(pg.AxisItem):
    """On a log scale, labels only 1, 2 and 5 times a power of ten: pyqtgraph labels every
    minor tick of a short decade range, and in a short plot the labels overlap."""

    def logTickStrings(self, values, scale, spacing):
        strings = super().logTickStrings(values, scale, spacing)
        mantissas = np.round(10 ** (np.asarray(values, float) % 1)).astype(int)
        return [text if mantissa in (1, 2, 5) else "" for text, mantissa in zip(strings, mantissas)]


def log_friendly_axes() -> dict[str, pg.AxisItem]:
    """axisItems for a plot whose y axis may be logarithmic."""
    return {"left": LogFriendlyAxis("left")}


def style_plot(plot: pg.PlotItem, title: str, x_label: str, y_label: str) -> pg.PlotItem:
    """Title, axis labels (units in the text, never auto-prefixed), a faint grid, and a
    SteadyRange (`plot.steady_range`) in place of pyqtgraph's auto-range."""
    if title:
        plot.setTitle(title, color=theme.COLORS["text"], size="9pt")
    for side, label in (("bottom", x_label), ("left", y_label)):
        axis = plot.getAxis(side)
        axis.setPen(theme.COLORS["border"])  # (setting a pen also recolours the label)
        axis.setTextPen(theme.COLORS["text_dim"])
        axis.enableAutoSIPrefix(False)
        axis.setLabel(label, color=LABEL_COLOR)
    plot.showGrid(x=True, y=True, alpha=0.12)
    plot.steady_range = SteadyRange(plot.vb)
    for side in ("left", "bottom", "right"):
        # Axes repaint with their plot; a cached axis is redrawn only when its ticks change.
        plot.getAxis(side).setCacheMode(QGraphicsItem.DeviceCoordinateCache)
        # Fewer tick labels than pyqtgraph's default, so a log axis in a short plot stays legible.
        plot.getAxis(side).setStyle(textFillLimits=TICK_TEXT_LIMITS)
    plot.setMenuEnabled(False)
    return plot


def add_legend(plot: pg.PlotItem, offset=(-8, 8)) -> pg.LegendItem:
    legend = plot.addLegend(offset=offset, labelTextColor=theme.COLORS["text"], labelTextSize="8.5pt")
    legend.setBrush(pg.mkBrush(theme.COLORS["window"] + "cc"))
    return legend


def legend_below(graphics: pg.GraphicsLayoutWidget, plot: pg.PlotItem, row: int, columns: int = 4) -> pg.LegendItem:
    """A legend in its own row under `plot`, outside the data it would otherwise cover.
    Named curves added to `plot` afterwards join it, as with plot.addLegend."""
    legend = pg.LegendItem(colCount=columns, labelTextColor=theme.COLORS["text"], labelTextSize="8.5pt", frame=False)
    graphics.addItem(legend, row=row, col=0)
    for item in plot.listDataItems():
        if item.name():
            legend.addItem(item, item.name())
    plot.legend = legend
    return legend


def colour_key(title: str, entries: list[tuple[str, QColor]]) -> str:
    """A plot title that doubles as a legend: the title, then each name in its curve's colour
    (small plots have no room for a legend box over the data)."""
    names = " ".join(f"<span style='color:{colour.name()}'>■ {name}</span>" for name, colour in entries)
    return f"{title}&nbsp;&nbsp;{names}" if title else names


def finite_or_nan(values: np.ndarray) -> np.ndarray:
    """Zeros and non-finite values as NaN, so a log axis leaves a gap instead of failing."""
    values = np.asarray(values, np.float64).copy()
    values[~np.isfinite(values) | (values <= 0)] = np.nan
    return values


def number(value: float | None) -> str:
    if value is None or not np.isfinite(value):
        return "–"
    return f"{value:.4g}"


class Readout(QLabel):
    """One line under a plot: the values where the mouse points."""

    def __init__(self, hint: str = "Point at the plot to read values."):
        super().__init__(hint, objectName="dim")
        self.setTextFormat(Qt.PlainText)
        # A new text must not re-lay out the panel: that would resize and repaint its plots.
        self.setSizePolicy(QSizePolicy.Ignored, QSizePolicy.Fixed)
        self._proxies: list[pg.SignalProxy] = []

    def follow(self, plot: pg.PlotItem, describe: Callable[[float, float], str]) -> None:
        """Show `describe(x, y)` (data coordinates) while the mouse is over `plot`."""

        def moved(arguments) -> None:
            position = arguments[0]
            if plot.sceneBoundingRect().contains(position):
                point = plot.vb.mapSceneToView(position)
                self.setText(describe(point.x(), point.y()))

        scene = plot.scene()
        self._proxies.append(pg.SignalProxy(scene.sigMouseMoved, rateLimit=HOVER_RATE, slot=moved))


class PlotPanel(QWidget):
    """Base of the plot docks: `redraw(data)` runs on the view's tick when needed."""

    watches: tuple[str, ...] = ("probes",)  # the parts of RunData.versions this panel shows
    min_interval = 0.25  # seconds between redraws, however fast data comes
    empty_text = (
        "Probes of the recurrent blocks show here while a model trains (Run ▸ Train, F5) "
        "or when a run is opened from the Runs panel."
    )

    def __init__(self, view: RunView, parent: QWidget | None = None):
        super().__init__(parent)
        self.view = view
        self.empty_label = QLabel(self.empty_text, objectName="emptyHint", alignment=Qt.AlignCenter, wordWrap=True)
        self.empty_label.setStyleSheet(f"color: {theme.COLORS['text_dim']}; padding: 12px")
        self._options = 0
        self._drawn: tuple | None = None
        self._drawn_at = 0.0
        self._plot_items: list[pg.PlotItem] | None = None
        view.register(self)

    def invalidate(self) -> None:
        """The dock's own options changed: redraw on the next tick."""
        self._options += 1

    def _state(self) -> tuple:
        data = self.view.data
        return id(data), [data.versions[part] for part in self.watches], self.view.selection_version, self._options

    def stale(self) -> bool:
        """Visible and showing something that has changed."""
        return self.isVisible() and self._state() != self._drawn

    def due(self) -> bool:
        """Stale, and not redrawn in the last `min_interval` seconds."""
        return time.monotonic() - self._drawn_at >= self.min_interval and self.stale()

    def refresh(self) -> None:
        another_run = self._drawn is None or self._drawn[0] != id(self.view.data)
        self._drawn, self._drawn_at = self._state(), time.monotonic()
        self.redraw(self.view.data)
        for plot in self._plots():
            plot.steady_range.fresh |= another_run
            plot.steady_range.follow()

    def _plots(self) -> list[pg.PlotItem]:
        if self._plot_items is None:
            self._plot_items = [
                item
                for view in self.findChildren(pg.GraphicsView)
                for item in view.scene().items()
                if isinstance(item, pg.PlotItem) and hasattr(item, "steady_range")
            ]
        return self._plot_items

    def redraw(self, data: RunData) -> None:
        raise NotImplementedError

    def export_folder(self) -> Path:
        """Where exports are offered: the run's folder, else the home folder."""
        run_dir = self.view.data.run_dir if self.view.data is not None else None
        return run_dir or Path.home()

    def show_empty(self, empty: bool) -> None:
        """The plots, or while there is nothing to plot, a line saying what will appear."""
        self.graphics.setVisible(not empty)
        self.readout.setVisible(not empty)
        self.empty_label.setVisible(empty)


def caption() -> QLabel:
    """A line of text in a panel's control row that changes without re-laying out the panel
    (a plot title that changes does: the whole plot is laid out and repainted)."""
    label = QLabel(objectName="dim", alignment=Qt.AlignRight | Qt.AlignVCenter)
    label.setSizePolicy(QSizePolicy.Ignored, QSizePolicy.Preferred)
    return label


def panel_layout(panel: QWidget, *rows) -> QVBoxLayout:
    """Rows top to bottom; a plot panel's tool button (legend, enlarge, PNG, CSV) ends its
    first row of controls, or gets its own row."""
    layout = QVBoxLayout(panel)
    layout.setContentsMargins(6, 4, 6, 4)
    layout.setSpacing(4)
    if isinstance(panel, PlotPanel):
        from .plot_tools import PlotTools

        panel.tools = PlotTools(panel)
        first = rows[0] if rows and isinstance(rows[0], QHBoxLayout) else None
        if first is not None:
            first.addWidget(panel.tools)
        else:
            rows = (_row_with(panel.tools), *rows)
    for row in rows:
        if isinstance(row, QWidget):
            layout.addWidget(row, 1 if isinstance(row, pg.GraphicsView) or row.objectName() == "emptyHint" else 0)
        else:
            layout.addLayout(row)
    return layout


def _row_with(widget: QWidget) -> QHBoxLayout:
    row = QHBoxLayout()
    row.addStretch(1)
    row.addWidget(widget)
    return row


def combo(tip: str, minimum_width: int = 70) -> QComboBox:
    box = QComboBox(toolTip=tip)
    box.setMinimumWidth(minimum_width)
    box.setSizeAdjustPolicy(QComboBox.AdjustToContents)
    return box


def set_items(box: QComboBox, items: list[tuple[str, Any]], current: Any) -> None:
    """Replace `box`'s items (text, data) only when they differ, then select `current`."""
    if [(box.itemText(i), box.itemData(i)) for i in range(box.count())] != items:
        box.blockSignals(True)
        box.clear()
        for text, value in items:
            box.addItem(text, value)
        box.blockSignals(False)
    index = box.findData(current)
    if index >= 0 and index != box.currentIndex():
        box.blockSignals(True)
        box.setCurrentIndex(index)
        box.blockSignals(False)


class BlockPicker(QWidget):
    """Block, layer and direction combos bound to the view's shared selection."""

    def __init__(self, view: RunView, layers: bool = True):
        super().__init__()
        self.view = view
        self.block = combo("The recurrent block shown (or select it on the canvas)", 90)
        self.layer = combo("Layer of a stacked block", 60)
        self.direction = combo("Direction of a bidirectional block", 70)
        self._with_layers = layers
        self.hide()  # until there is a block to choose
        row = QHBoxLayout(self)
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(self.block)
        for box in (self.layer, self.direction):
            box.setVisible(False)  # shown for stacked or bidirectional blocks
            row.addWidget(box)
        self.block.activated.connect(lambda: view.select(block_id=self.block.currentData()))
        self.layer.activated.connect(lambda: view.select(layer=self.layer.currentData()))
        self.direction.activated.connect(lambda: view.select(direction=self.direction.currentData()))

    def sync(self, data: RunData) -> tuple[str, dict, int, int] | None:
        """Fill the combos from the current probe; returns (block id, record, layer, direction)."""
        chosen = self.view.block_record()
        set_items(self.block, [(block_id, block_id) for block_id in data.block_ids()], chosen and chosen[0])
        self.setVisible(chosen is not None)
        if chosen is None:
            return None
        block_id, record = chosen
        layer, direction = self.view.layer_direction(record)
        set_items(self.layer, [(f"layer {i}", i) for i in range(record["layers"])], layer)
        set_items(
            self.direction,
            [(name, i) for i, name in enumerate(("forward", "backward")[: record["directions"]])],
            direction,
        )
        self.layer.setVisible(self._with_layers and record["layers"] > 1)
        self.direction.setVisible(self._with_layers and record["directions"] > 1)
        return block_id, record, layer, direction


class SideBySide(QWidget):
    """Two widgets next to each other when there is width for it, else one above the other."""

    def __init__(self, first: QWidget, second: QWidget, ratio: float = 1.4):
        super().__init__()
        self.ratio = ratio
        self.box = QBoxLayout(QBoxLayout.LeftToRight, self)
        self.box.setContentsMargins(0, 0, 0, 0)
        self.box.addWidget(first)
        self.box.addWidget(second)

    def resizeEvent(self, event) -> None:
        wide = event.size().width() >= self.ratio * event.size().height()
        self.box.setDirection(QBoxLayout.LeftToRight if wide else QBoxLayout.TopToBottom)
        super().resizeEvent(event)
