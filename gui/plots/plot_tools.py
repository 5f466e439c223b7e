"""The one small button ("Plot ▾") every plot panel carries, with a menu: show or hide the
legend, enlarge the plot (its dock floats at most of the screen; again: back in place), and
export what it shows as a PNG image or as CSV (every curve's points: plot, curve, x, y).
One button, so a narrow dock keeps its width for its own controls.
"""

from __future__ import annotations

import csv
from pathlib import Path

import pyqtgraph as pg
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QDockWidget, QFileDialog, QMenu, QToolButton

ENLARGED_SHARE = 0.8  # of the screen's available width and height


class PlotTools(QToolButton):
    def __init__(self, panel):
        super().__init__(panel, text="Plot", toolTip="Legend, enlarge, save as PNG or CSV", autoRaise=True)
        self.panel = panel
        self.setPopupMode(QToolButton.InstantPopup)
        menu = QMenu(self)
        self.legend = menu.addAction("Show Legend")
        self.legend.setCheckable(True)
        self.legend.setChecked(True)
        self.legend.toggled.connect(self.set_legend_visible)
        self.enlarge = menu.addAction("Enlarge", self.toggle_enlarged)
        menu.addSeparator()
        menu.addAction("Save as PNG…", lambda: self.export_png())
        menu.addAction("Save Values as CSV…", lambda: self.export_csv())
        self.setMenu(menu)

    # -- legend -------------------------------------------------------------------------
    def legends(self) -> list[pg.LegendItem]:
        return [
            item
            for view in self.panel.findChildren(pg.GraphicsView)
            for item in view.scene().items()
            if isinstance(item, pg.LegendItem)
        ]

    def set_legend_visible(self, visible: bool) -> None:
        for legend in self.legends():
            legend.setVisible(visible)

    # -- enlarge ------------------------------------------------------------------------
    def dock(self) -> QDockWidget | None:
        parent = self.panel.parentWidget()
        while parent is not None and not isinstance(parent, QDockWidget):
            parent = parent.parentWidget()
        return parent

    def toggle_enlarged(self) -> None:
        dock = self.dock()
        if dock is None:
            return
        if dock.isFloating():
            dock.setFloating(False)
            self.enlarge.setText("Enlarge")
            return
        dock.setFloating(True)
        screen = (dock.screen() or QGuiApplication.primaryScreen()).availableGeometry()
        width, height = int(screen.width() * ENLARGED_SHARE), int(screen.height() * ENLARGED_SHARE)
        dock.setGeometry(
            screen.x() + (screen.width() - width) // 2, screen.y() + (screen.height() - height) // 2, width, height
        )
        dock.show()
        dock.raise_()
        self.enlarge.setText("Dock")

    # -- export -------------------------------------------------------------------------
    def _ask(self, title: str, suffix: str, file_filter: str) -> Path | None:
        name = (self.dock().windowTitle() if self.dock() else "plot").lower().replace(" ", "_")
        start = Path(self.panel.export_folder()) / f"{name}{suffix}"
        chosen, _ = QFileDialog.getSaveFileName(self, title, str(start), file_filter)
        return Path(chosen) if chosen else None

    def export_png(self, path: Path | None = None) -> Path | None:
        path = path or self._ask("Save plot as PNG", ".png", "PNG images (*.png)")
        if path is None:
            return None
        target = getattr(self.panel, "graphics", self.panel)
        return path if target.grab().save(str(path)) else None

    def export_csv(self, path: Path | None = None) -> Path | None:
        path = path or self._ask("Save plotted values as CSV", ".csv", "CSV files (*.csv)")
        if path is None:
            return None
        with open(path, "w", newline="", encoding="utf-8") as stream:
            writer = csv.writer(stream)
            writer.writerow(["plot", "curve", "x", "y"])
            for plot_name, curve_name, x, y in self.rows():
                writer.writerow([plot_name, curve_name, repr(float(x)), repr(float(y))])
        return path

    def rows(self):
        """(plot, curve, x, y) for every point of every curve the panel shows."""
        for plot_index, plot in enumerate(self.panel._plots()):
            plot_name = plot.titleLabel.text or plot.getAxis("left").labelText or f"plot {plot_index + 1}"
            for curve_index, item in enumerate(plot.listDataItems()):
                if not item.isVisible():
                    continue
                # The data as given, not as drawn (downsampled, clipped to view, log-transformed).
                x, y = item.getOriginalDataset() if hasattr(item, "getOriginalDataset") else item.getData()
                if x is None or y is None:
                    continue
                name = item.name() or f"curve {curve_index + 1}"
                for xv, yv in zip(x, y):
                    yield plot_name, name, xv, yv
