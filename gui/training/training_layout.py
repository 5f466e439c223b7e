"""View ▸ Training Layout: while a run is watched, the plots get the room; toggled again,
the window goes back as it was.

On: the palette and the problems panel are hidden, and the plots under the canvas take two
thirds of the window's height. Off: those panels come back and the plots their old height.
(Only these two changes are undone, not a whole saved dock state: restoring one resizes
tabbed docks from stale sizes.)
"""

from __future__ import annotations

from PySide6.QtCore import QObject, Qt
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QDockWidget

PLOT_SHARE = 0.66
HIDDEN = ("dock_blocks", "dock_problems")


class TrainingLayout(QObject):
    def __init__(self, window, plots: QDockWidget):
        super().__init__(window)
        self.window, self.plots = window, plots  # the dock whose row holds the plots under the canvas
        self._before: tuple[list[QDockWidget], int] | None = None
        self.action = QAction("&Training Layout", window, checkable=True)
        self.action.setShortcut(QKeySequence("Ctrl+Shift+L"))
        self.action.setStatusTip("Give the plots the room while a run trains; again to go back")
        self.action.toggled.connect(self.set_enabled)
        window.menus.view.addAction(self.action)

    @property
    def active(self) -> bool:
        return self._before is not None

    def set_enabled(self, on: bool) -> None:
        if on == self.active:
            return
        window = self.window
        if on:
            docks = [window.findChild(QDockWidget, name) for name in HIDDEN]
            hidden = [dock for dock in docks if dock is not None and not dock.isHidden()]
            self._before = (hidden, self.plots.height())
            for dock in hidden:
                dock.hide()
            self.plots.show()
            self.plots.raise_()
            window.resizeDocks([self.plots], [int(window.height() * PLOT_SHARE)], Qt.Vertical)
        else:
            hidden, height = self._before
            self._before = None
            for dock in hidden:
                dock.show()
            self.plots.raise_()
            window.resizeDocks([self.plots], [height], Qt.Vertical)
        self.action.setChecked(on)
