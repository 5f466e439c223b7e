"""MainWindow: the palette, canvas, inspector and problems panel put together.

It composes the parts and wires their signals; the work happens in the editor (edits),
ProjectFiles (files) and the canvas (drawing and gestures). Later features plug in with
`add_dock` (plots and other panels) and `add_run_action` (run controls in a Run menu and
toolbar); they read the open project from `editor.project`, follow `editor.project_replaced`,
`editor.analysis_changed` and `selection_changed`.
"""

from __future__ import annotations

from PySide6.QtCore import QPointF, Qt, Signal
from PySide6.QtGui import QAction, QCursor
from PySide6.QtWidgets import QDockWidget, QLabel, QMainWindow, QMessageBox, QWidget

from engine.blocks import CATALOGUE
from engine.project import Project

from . import theme
from .actions import create_actions, create_menus, create_toolbars
from .block_reference import BlockReferenceDialog
from .canvas.geometry import HEADER_HEIGHT, NODE_WIDTH
from .canvas.scene import DocumentScene
from .canvas.view import CanvasView
from .cell_editor.opening import add_cell_block, open_from_window
from .context_menus import ContextMenus
from .editor import DocumentEditor
from .files import ProjectFiles
from .fix_bar import FixBar
from .icons import app_icon
from .inspector import Inspector
from .palette import BlockPalette
from .problems import ProblemsPanel
from .recovery import AutosaveTrigger, RecoveryStore
from .settings import AppSettings

APP_NAME = "Recurrent Studio"
DEFAULT_SIZE = (1400, 900)


def plural(count: int, noun: str) -> str:
    return f"{count} {noun}{'' if count == 1 else 's'}"


class MainWindow(QMainWindow):
    selection_changed = Signal(list)  # ids of the selected nodes

    def __init__(self, settings: AppSettings, recovery: RecoveryStore | None = None, defer_training: bool = False):
        """`defer_training`: leave the plots, runs and run controls (pyqtgraph and its imports)
        for `install_training()`, which the app calls once the window is shown."""
        super().__init__()
        self.settings = settings
        self.activity = ""
        self.setWindowIcon(app_icon())
        self.editor = DocumentEditor(self)
        self.scene = DocumentScene(self)
        self.scene.set_link_handler(self.editor)
        self.view = CanvasView(self.scene)
        self.setCentralWidget(self.view)
        self.fix_bar = FixBar(self.view, self.editor.apply_fix)
        self.context_menus = ContextMenus(self)
        # The side panels run full height; problems (and later plots) sit under the canvas.
        self.setCorner(Qt.BottomLeftCorner, Qt.LeftDockWidgetArea)
        self.setCorner(Qt.BottomRightCorner, Qt.RightDockWidgetArea)
        self.files = ProjectFiles(self, settings, recovery)
        self.palette = BlockPalette()
        self.inspector = Inspector(self.editor, self.show_message)
        self.problems = ProblemsPanel()
        self.actions = create_actions(self)
        self.menus = create_menus(self, self.actions)
        self.run_menu = self.menus.run
        self.toolbar, self.run_toolbar = create_toolbars(self, self.actions)
        self._docks = [
            self.add_dock(self.palette, "Blocks", Qt.LeftDockWidgetArea),
            self.add_dock(self.inspector, "Inspector", Qt.RightDockWidgetArea),
            self.add_dock(self.problems, "Problems", Qt.BottomDockWidgetArea),
        ]
        self._build_status_bar()
        self._connect_signals()
        self.close_guards: list = []  # callables asked on close; any False keeps the window open
        self.training = None
        if not defer_training:
            self.install_training()
        self._autosave = AutosaveTrigger(self, self.files.autosave)
        self.editor.undo_stack.indexChanged.connect(self._autosave.edited)
        self.editor.settings_changed.connect(self._autosave.edited)
        self._restore_layout()

    def install_training(self):
        """Add the training parts (once); a deferred install re-applies the saved layout,
        which names their docks, and hands them the project already open."""
        if self.training is None:
            from .training.install import install_training

            deferred = self.isVisible()
            self.training = install_training(self)
            if deferred:
                state = self.settings.window_state()
                if state is not None:
                    self.restoreState(state)
                self.training.project_runs.on_project(self.project)
        return self.training

    # -- hooks for later features -------------------------------------------------------
    def add_dock(self, widget: QWidget, title: str, area=Qt.BottomDockWidgetArea) -> QDockWidget:
        """Dock `widget` in `area`; it gets a toggle in View → Panels and its place is remembered."""
        dock = QDockWidget(title, self)
        dock.setObjectName(f"dock_{title.lower().replace(' ', '_')}")
        dock.setWidget(widget)
        self.addDockWidget(area, dock)
        self.menus.panels.addAction(dock.toggleViewAction())
        return dock

    def add_run_action(self, action: QAction, on_toolbar: bool = True) -> None:
        self.run_menu.addAction(action)
        self.run_menu.menuAction().setVisible(True)
        if on_toolbar:
            self.run_toolbar.addAction(action)
            self.run_toolbar.show()

    @property
    def project(self) -> Project:
        return self.editor.project

    def selected_node_ids(self) -> list[str]:
        return self.scene.selected_node_ids()

    # -- wiring -------------------------------------------------------------------------
    def _connect_signals(self) -> None:
        editor = self.editor
        editor.project_replaced.connect(self._on_project_replaced)
        editor.analysis_changed.connect(self._on_analysis)
        editor.settings_changed.connect(self._show_summary)
        editor.settings_changed.connect(self._update_title)  # the project's name may have changed
        editor.dirty_changed.connect(lambda dirty: self._update_title())
        editor.nodes_added.connect(self.scene.select_nodes)
        self.scene.nodes_dragged.connect(editor.move_nodes)
        self.scene.feedback.connect(self.show_message)
        self.scene.connection_refused.connect(self.offer_fixes)
        editor.undo_stack.indexChanged.connect(lambda index: self.fix_bar.hide())  # the offer is about the old state
        self.scene.selectionChanged.connect(self._on_selection)
        self.view.block_dropped.connect(self.add_block_at)
        self.view.node_double_clicked.connect(lambda node_id: open_from_window(self, node_id))
        self.palette.cells.cell_activated.connect(lambda cell: add_cell_block(self, cell))
        self.view.zoom_changed.connect(lambda zoom: self._zoom_label.setText(f"{zoom:.0%}"))
        self.view.zoom_changed.connect(self.scene.set_zoom)
        self.palette.block_activated.connect(self.add_block_in_view)
        self.view.context_menu_requested.connect(
            lambda scene_pos, screen_pos: self.context_menus.menu_at(scene_pos).popup(screen_pos)
        )
        self.palette.context_menu_requested.connect(
            lambda type_name, screen_pos: self.context_menus.palette_menu(type_name).popup(screen_pos)
        )
        self.problems.node_activated.connect(self.focus_node)
        self.problems.fix_chosen.connect(self.editor.apply_fix)

    def _on_project_replaced(self, project: Project) -> None:
        self.scene.set_document(project.graph)
        self._update_title()

    def _on_analysis(self, analysis) -> None:
        self.view.set_empty(len(self.editor.document) == 0)
        self.scene.apply_analysis(analysis, self.editor.document.data)
        self.problems.show_analysis(analysis, self.editor.data_problem, self.editor.fixes_for_diagnostic)
        self.inspector.show_nodes(self.scene.selected_node_ids())
        self._show_summary()

    def _on_selection(self) -> None:
        ids = self.scene.selected_node_ids()
        self.inspector.show_nodes(ids)
        if ids:
            self.inspector.parentWidget().raise_()  # it may sit behind the Runs tab
        has_selection = bool(ids or self.scene.selected_edges())
        for action in (self.actions.cut, self.actions.copy, self.actions.duplicate, self.actions.delete):
            action.setEnabled(has_selection)
        self.selection_changed.emit(ids)

    def offer_fixes(self, edge, message: str) -> None:
        """A wire was refused: say why over the canvas, with the engine's fixes as buttons."""
        self.fix_bar.offer(message, self.editor.fixes_for_connection(edge))

    # -- edits the menus trigger --------------------------------------------------------
    def add_block_at(self, type_name: str, scene_pos: QPointF) -> None:
        """Drop point = the middle of the new node's header, where the user aimed."""
        if type_name not in CATALOGUE:  # a drop from another program or version
            self.show_message(f"Unknown block type '{type_name}'")
            return
        position = (scene_pos.x() - NODE_WIDTH / 2, scene_pos.y() - HEADER_HEIGHT / 2)
        node_id = self.editor.add_block(type_name, position)
        self.scene.select_nodes([node_id])

    def add_block_in_view(self, type_name: str) -> None:
        centre = self.view.mapToScene(self.view.viewport().rect().center())
        taken = {n.position for n in self.editor.document.nodes()}
        while (centre.x() - NODE_WIDTH / 2, centre.y() - HEADER_HEIGHT / 2) in taken:
            centre += QPointF(30, 30)  # do not hide a block exactly under another
        self.add_block_at(type_name, centre)

    def cut_selection(self) -> None:
        self.editor.cut(self.scene.selected_node_ids())

    def copy_selection(self) -> None:
        self.editor.copy(self.scene.selected_node_ids())

    def paste(self) -> None:
        self.editor.paste(self.pointer_position())

    def duplicate_selection(self) -> None:
        self.editor.duplicate(self.scene.selected_node_ids(), self.pointer_position())

    def pointer_position(self) -> tuple[float, float] | None:
        """Where the mouse is on the canvas (scene coordinates), if it is over it: pasted and
        duplicated blocks land there instead of on top of the originals."""
        viewport = self.view.viewport()
        point = viewport.mapFromGlobal(QCursor.pos())
        if not viewport.rect().contains(point):
            return None
        scene = self.view.mapToScene(point)
        return (scene.x() - NODE_WIDTH / 2, scene.y() - HEADER_HEIGHT / 2)

    def delete_selection(self) -> None:
        self.editor.delete(self.scene.selected_node_ids(), self.scene.selected_edges())

    def select_all(self) -> None:
        self.scene.select_nodes([item.node_id for item in self.scene.node_items()])

    def show_problems(self) -> None:
        """Bring the problems panel to the front (it may share a tab with other panels)."""
        dock = self.problems.parentWidget()
        dock.show()
        dock.raise_()

    def focus_node(self, node_id: str) -> None:
        """Select `node_id` and centre the view on it."""
        self.scene.select_nodes([node_id])
        self.view.centerOn(self.scene.node_item(node_id))

    def show_block_reference(self) -> None:
        BlockReferenceDialog(self).open()

    def show_start_page(self) -> None:
        from .start_page import StartPage

        StartPage(self).open()

    def show_getting_started(self) -> None:
        from .help_pages import getting_started

        getting_started(self).open()

    def show_shortcuts(self) -> None:
        from .help_pages import keyboard_shortcuts

        keyboard_shortcuts(self).open()

    def show_about(self) -> None:
        QMessageBox.about(
            self,
            f"About {APP_NAME}",
            f"<h3>{APP_NAME}</h3><p>Build recurrent sequence models (RNN, LSTM, GRU) by "
            "wiring blocks, train them, and look inside while they learn.</p>",
        )

    # -- status and title ---------------------------------------------------------------
    def _build_status_bar(self) -> None:
        bar = self.statusBar()
        self._summary_label = QLabel(toolTip="Click the problem count to see the problems")
        self._summary_label.linkActivated.connect(lambda link: self.show_problems())
        legend = " ".join(
            f"<span style='color:{colour}'>●</span> {kind}" for kind, colour in theme.PORT_KIND_COLORS.items()
        )
        self._zoom_label = QLabel("100%")
        for widget in (self._summary_label, self._zoom_label):
            bar.addPermanentWidget(widget)
        # The port colours go on the canvas's corner, where the ports are: the status bar keeps
        # its width for messages.
        self.view.set_legend(legend)

    def show_message(self, message: str) -> None:
        self.statusBar().showMessage(message, 10_000)
        self.statusBar().setToolTip(message)  # the whole text, should the bar be too narrow

    def set_activity(self, activity: str) -> None:
        """What the app is doing ("training"), said in place of "ready to train"; "" when idle."""
        self.activity = activity
        self._show_summary()

    def _show_summary(self) -> None:
        analysis = self.editor.analysis
        errors = len(analysis.errors) + bool(self.editor.data_problem)
        warnings = len(analysis.diagnostics) - len(analysis.errors)
        if errors:
            colour, text = theme.COLORS["error"], plural(errors, "problem")
            if warnings:
                text += f", {plural(warnings, 'warning')}"
            state = f"<a href='problems' style='color:{colour}'>{text}</a>"
        elif warnings:
            state = f"<a href='problems' style='color:{theme.COLORS['warning']}'>{plural(warnings, 'warning')}</a>"
        else:
            state = ""
        ready = self.activity or "ready to train"
        if not errors:
            ready_text = f"<span style='color:{theme.COLORS['ok']}'>{ready}</span>"
            state = f"{ready_text} · {state}" if state else ready_text
        blocks = plural(len(self.editor.document), "block")
        self._summary_label.setText(f"{blocks} · {analysis.total_params:,} parameters · {state}")

    def document_title(self) -> str:
        project = self.editor.project
        return project.path.name if project.path else project.name

    def _update_title(self) -> None:
        self.setWindowTitle(f"{self.document_title()}[*] — {APP_NAME}")
        self.setWindowModified(self.editor.is_dirty())

    # -- window state -------------------------------------------------------------------
    def _restore_layout(self) -> None:
        geometry, state = self.settings.window_geometry(), self.settings.window_state()
        if geometry is None or not self.restoreGeometry(geometry):
            self.resize(*DEFAULT_SIZE)
            self.resizeDocks(self._docks[:2], [270, 340], Qt.Horizontal)
            self.resizeDocks(self._docks[2:], [150], Qt.Vertical)
        if state is not None:
            self.restoreState(state)
        self.clamp_to_screen()

    def clamp_to_screen(self) -> None:
        """A window saved on a larger screen (or another monitor) fits on this one."""
        screen = self.screen().availableGeometry()
        frame = self.frameGeometry().size() - self.size()
        width = min(self.width(), screen.width() - frame.width())
        height = min(self.height(), screen.height() - frame.height())
        if (width, height) != (self.width(), self.height()):
            self.resize(width, height)
        x = min(max(self.x(), screen.left()), screen.right() - width)
        y = min(max(self.y(), screen.top()), screen.bottom() - height)
        if (x, y) != (self.x(), self.y()):
            self.move(x, y)

    def closeEvent(self, event) -> None:
        if not self.files.maybe_save("quitting") or not all(guard() for guard in self.close_guards):
            event.ignore()
            return
        self.settings.save_window(self.saveGeometry(), self.saveState())
        self.settings.sync()
        self.files.discard_recovery()
        event.accept()
