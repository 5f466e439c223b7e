"""RunView: the run the plot docks show, what they look at, and the clock they redraw by.

Shared by every plot dock: the RunData on display (live or opened from a folder), the
recurrent block, layer and direction chosen (on the canvas or in a dock), the runs overlaid
on the loss plot, and one timer that drives all redraws. Docks never redraw on events.
On each tick (25 a second) at most one registered panel that is out of date redraws, taking
turns, so the painting a probe triggers in four plots is spread over four ticks instead of
stalling the window once for all of them.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QObject, QTimer, Signal

from engine.run_data import RunData

REFRESH_MS = 40


class RunView(QObject):
    data_replaced = Signal(object)  # RunData
    tick = Signal()

    def __init__(self, parent: QObject | None = None, refresh_ms: int = REFRESH_MS):
        super().__init__(parent)
        self.data = RunData()
        self.overlays: list[RunData] = []
        self.block_id: str | None = None
        self.layer = self.direction = 0
        self.selection_version = 0
        self._panels: list = []
        self._turn = 0
        self._timer = QTimer(self, interval=refresh_ms)
        self._timer.timeout.connect(self._on_tick)
        self._timer.start()

    def register(self, panel) -> None:
        """`panel` has `stale()`, `due()` and `refresh()`; it redraws on the ticks it is given."""
        self._panels.append(panel)
        panel.destroyed.connect(lambda: self._panels.remove(panel))

    def pending(self) -> bool:
        """Whether a panel is waiting for its turn to redraw."""
        return any(panel.stale() for panel in self._panels)

    def _on_tick(self) -> None:
        count = len(self._panels)
        for offset in range(count):
            panel = self._panels[(self._turn + offset) % count]
            if panel.due():
                self._turn = (self._turn + offset + 1) % count
                panel.refresh()
                break
        self.tick.emit()

    def show(self, data: RunData) -> None:
        self.data = data
        self.selection_version += 1
        self.data_replaced.emit(data)

    def set_overlays(self, runs: list[RunData]) -> None:
        self.overlays = list(runs)
        self.selection_version += 1

    # -- what the docks look at ---------------------------------------------------------
    def select(self, block_id: str | None = None, layer: int | None = None, direction: int | None = None) -> None:
        if block_id is not None and block_id != self.block_id:
            self.block_id, self.layer, self.direction = block_id, 0, 0
        if layer is not None:
            self.layer = layer
        if direction is not None:
            self.direction = direction
        self.selection_version += 1

    def follow_canvas(self, node_ids: list[str]) -> None:
        """Show the recurrent block selected on the canvas, if the run probed it."""
        probed = [node_id for node_id in node_ids if node_id in self.data.block_ids()]
        if probed:
            self.select(probed[0])
        elif node_ids and not self.data.probes:
            self.block_id = node_ids[0]  # remembered for when the first probe arrives

    def block_record(self, probe: dict[str, Any] | None = None) -> tuple[str, dict[str, Any]] | None:
        """(id, record) of the chosen block in `probe` (default: the current probe); the
        first probed block when the chosen one is not in it."""
        probe = probe if probe is not None else self.data.current_probe()
        if not probe or not probe["blocks"]:
            return None
        block_id = self.block_id if self.block_id in probe["blocks"] else next(iter(probe["blocks"]))
        return block_id, probe["blocks"][block_id]

    def layer_direction(self, record: dict[str, Any]) -> tuple[int, int]:
        """The chosen layer and direction, clamped to what `record` has."""
        return min(self.layer, record["layers"] - 1), min(self.direction, record["directions"] - 1)
