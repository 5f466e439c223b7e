"""Puts training into the main window: the plot docks, the Runs dock, the run controls, and
the Compare and Code actions, wired to the window's editor and canvas selection.

The window calls `install_training(self)` once, before it restores its saved dock layout;
the layout below is the first-start default.
"""

from __future__ import annotations

from PySide6.QtCore import QObject, Qt, QTimer
from PySide6.QtWidgets import QDockWidget, QMessageBox

from engine.run_data import RunData

from ..plots.gates_dock import GatesPanel
from ..plots.gradient_dock import GradientPanel
from ..plots.hidden_dock import HiddenStatePanel
from ..plots.horizon_dock import HorizonPanel
from ..plots.loss_dock import LossPanel
from ..plots.predictions_dock import PredictionsPanel
from ..plots.run_view import RunView
from ..runs.project_runs import ProjectRuns
from ..runs.replay import predictions_from_run
from ..runs.run_list import RunsPanel
from .controls import RunControls, make_action
from .run_export import RunExport
from .session import TrainingSession
from .training_layout import TrainingLayout

RIGHT_COLUMN_WIDTH = 380  # inspector above, gradient and hidden state below


class TrainingWorkbench(QObject):
    def __init__(self, window):
        super().__init__(window)
        self.window = window
        self.view = RunView(self)
        self.session = TrainingSession(self)
        self.panels = {
            "loss": LossPanel(self.view),
            "gates": GatesPanel(self.view),
            "hidden": HiddenStatePanel(self.view),
            "gradient": GradientPanel(self.view),
            "horizon": HorizonPanel(self.view),
            "predictions": PredictionsPanel(self.view, predictions_from_run),
        }
        self.runs = RunsPanel(self.view, self.show_live_run)
        self.docks = self._add_docks()
        self.project_runs = ProjectRuns(window, self.session)  # before _on_run_ended: it moves runs first
        self.project_runs.root_changed.connect(self.runs.set_root)
        self.controls = RunControls(window, self.session, lambda: self.project_runs.root)
        self._add_tool_actions()
        self.export = RunExport(window, self.view, self.session)
        self.layout_mode = TrainingLayout(window, self.docks["loss"])
        window.close_guards.append(self.controls.confirm_close)
        window.close_guards.append(self._end_worker)
        window.selection_changed.connect(self.view.follow_canvas)
        window.editor.project_replaced.connect(self._on_project)
        self.session.run_started.connect(self._on_run_started)
        self.session.state_changed.connect(self._on_state)
        self.session.run_ended.connect(self._on_run_ended)

    def _add_docks(self) -> dict:
        add, bottom, right = self.window.add_dock, Qt.BottomDockWidgetArea, Qt.RightDockWidgetArea
        places = {
            "loss": ("Loss", bottom),
            "gates": ("Gates", bottom),
            "predictions": ("Predictions", bottom),
            "gradient": ("Gradient through time", right),
            "hidden": ("Hidden state", right),
            "horizon": ("Memory horizon", right),
        }
        docks = {key: add(self.panels[key], title, area) for key, (title, area) in places.items()}
        docks["runs"] = add(self.runs, "Runs", right)
        if self.window.settings.window_state() is None:
            # Tabbing docks before the window is shown leaves stray tab bars (Qt 6.11), so the
            # first-start layout is made once the window is up; until then the docks stay
            # hidden, or side by side they would make the window's minimum size too large.
            # Later starts restore the saved layout.
            for dock in docks.values():
                dock.hide()
            QTimer.singleShot(0, lambda: self._default_layout(docks))
        return docks

    def _default_layout(self, docks: dict) -> None:
        """Loss and gates under the canvas; gradient and hidden state under the inspector;
        problems and predictions tabbed with the loss, runs with the inspector."""
        window = self.window
        problems = window.findChild(QDockWidget, "dock_problems")
        inspector = window.findChild(QDockWidget, "dock_inspector")
        window.splitDockWidget(docks["loss"], docks["gates"], Qt.Horizontal)
        if problems is not None:
            window.tabifyDockWidget(problems, docks["loss"])
        window.tabifyDockWidget(docks["loss"], docks["predictions"])
        if inspector is not None:
            window.splitDockWidget(inspector, docks["gradient"], Qt.Vertical)
            window.tabifyDockWidget(inspector, docks["runs"])
            inspector.raise_()
        window.tabifyDockWidget(docks["gradient"], docks["hidden"])
        window.tabifyDockWidget(docks["gradient"], docks["horizon"])
        for dock in docks.values():
            dock.show()
        for dock in (problems or docks["loss"], docks["gradient"]):
            dock.raise_()  # the loss comes to the front when a run starts
        self._default_sizes(docks)

    def _default_sizes(self, docks: dict) -> None:
        window = self.window
        height = window.height()
        window.resizeDocks([docks["loss"]], [int(height * 0.45)], Qt.Vertical)
        window.resizeDocks([docks["loss"], docks["gates"]], [40, 60], Qt.Horizontal)
        window.resizeDocks([docks["gradient"]], [int(height * 0.5)], Qt.Vertical)
        window.resizeDocks([docks["gradient"]], [RIGHT_COLUMN_WIDTH], Qt.Horizontal)

    def _add_tool_actions(self) -> None:
        window = self.window
        window.run_menu.addSeparator()
        self.compare_action = make_action(
            window,
            "&Compare Cells…",
            self.open_compare,
            (),
            "compare",
            "Train the model once per cell type (RNN, LSTM, GRU) and compare",
        )
        self.code_action = make_action(
            window,
            "Show &Code…",
            self.open_code,
            ("Ctrl+Shift+E",),
            "code",
            "The model as standalone PyTorch code; export code, weights, ONNX",
        )
        for action in (self.compare_action, self.code_action):
            window.add_run_action(action, on_toolbar=False)

    # -- reactions ----------------------------------------------------------------------
    def _on_project(self, project) -> None:
        if not self.session.running:
            self.view.show(RunData())  # another project's run must not stay in the plots

    def _on_run_started(self, data) -> None:
        self.view.show(data)
        self.docks["loss"].raise_()

    def _on_state(self, state: str) -> None:
        if state == "running" and self.runs.root == self.session.runs_root:
            self.runs.live_run = self.session.live_run_dir()
            self.runs.refresh()  # the new run appears as soon as its folder exists

    def _on_run_ended(self, data, completed: bool, message: str) -> None:
        self.runs.live_run = None
        if not completed:
            self.runs.note_failure(data.run_dir, message)
        else:
            self.runs.refresh()
        if not completed or data.status in ("diverged", "failed"):
            self._report(f"The run {data.status}" if completed else "The run failed", message or data.message)
        else:
            self.window.show_message(f"Run {data.status}: {data.message}")

    def _report(self, title: str, message: str) -> None:
        """A message that does not block the window (and so never blocks a test)."""
        box = QMessageBox(QMessageBox.Warning, title, message, QMessageBox.Ok, self.window)
        box.setObjectName("runProblem")
        box.setAttribute(Qt.WA_DeleteOnClose)
        box.open()
        self.window.show_message(f"{title}: {message}")

    def _end_worker(self) -> bool:
        """The last close guard: the window closes, so the warm worker goes too."""
        self.session.shutdown()
        return True

    def show_live_run(self) -> None:
        self.view.show(self.session.data)

    def open_compare(self) -> None:
        from ..compare_dialog import CompareDialog

        CompareDialog(self.window, self.window.project, self.project_runs.root).open()

    def open_code(self) -> None:
        from ..code_view import CodeViewDialog

        CodeViewDialog(self.window, self.window.project, self.export.run_dir()).open()


def install_training(window) -> TrainingWorkbench:
    return TrainingWorkbench(window)
