"""The window as a whole: menus and shortcuts, the palette, the problems panel, the hooks
later features plug into, start-up imports, and speed on a large graph."""

from __future__ import annotations

import os
import subprocess
import sys
import time

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtCore import QPointF, Qt  # noqa: E402
from PySide6.QtGui import QAction, QKeySequence  # noqa: E402
from PySide6.QtTest import QTest  # noqa: E402
from PySide6.QtWidgets import QLabel  # noqa: E402

from engine.blocks import CATALOGUE  # noqa: E402
from engine.project import Project  # noqa: E402
from gui.block_reference import reference_html  # noqa: E402
from gui.testing import dialogs, small_project, window  # noqa: E402,F401

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def _menu_texts(menu):
    return [a.text().replace("&", "") for a in menu.actions() if not a.isSeparator()]


def test_menus_hold_what_desktop_users_expect(window):
    assert _menu_texts(window.menus.file) == [
        "New…",
        "Open…",
        "Open Recent",
        "Open Example",
        "Save",
        "Save As…",
        "Quit",
    ]
    assert _menu_texts(window.menus.edit) == [
        "Undo",
        "Redo",
        "Cut",
        "Copy",
        "Paste",
        "Duplicate",
        "Delete",
        "Select All",
    ]
    assert {"Fit to View", "Reset Zoom", "Auto-Layout", "Panels"} <= set(_menu_texts(window.menus.view))
    assert _menu_texts(window.menus.help) == [
        "Getting Started",
        "Keyboard Shortcuts",
        "Block Reference",
        "About Recurrent Studio",
    ]
    assert {"Blocks", "Inspector", "Problems"} <= {a.text() for a in window.menus.panels.actions()}
    for action, key in [
        (window.actions.undo, QKeySequence.Undo),
        (window.actions.save, QKeySequence.Save),
        (window.actions.open, QKeySequence.Open),
        (window.actions.copy, QKeySequence.Copy),
        (window.actions.select_all, QKeySequence.SelectAll),
    ]:
        assert QKeySequence(key) in action.shortcuts()


def test_keyboard_shortcuts_reach_the_canvas(window, qtbot):
    window.editor.set_project(small_project())
    window.view.setFocus()
    window.scene.select_nodes(["head"])
    QTest.keyClick(window.view.viewport(), Qt.Key_Delete)
    assert not window.editor.document.has_node("head")
    QTest.keySequence(window.view.viewport(), QKeySequence.Undo)
    assert window.editor.document.has_node("head")


def test_palette_search_filters_by_name_and_description(window):
    window.palette.search.setText("gate")
    assert set(window.palette.visible_block_types()) >= {"LSTM", "GRU"}
    assert "Linear" not in window.palette.visible_block_types()
    window.palette.search.setText("no such block")
    assert window.palette.visible_block_types() == []
    window.palette.search.clear()
    assert len(window.palette.visible_block_types()) == len(CATALOGUE)


def test_activating_a_palette_block_adds_it_in_the_middle_of_the_view(window):
    window.editor.set_project(Project())
    window.palette.block_activated.emit("LSTM")
    window.palette.block_activated.emit("LSTM")
    nodes = window.editor.document.nodes()
    assert [n.type_name for n in nodes] == ["LSTM", "LSTM"] and nodes[0].position != nodes[1].position


def test_clicking_a_problem_selects_and_centres_its_node(window, qtbot):
    project = small_project()
    project.graph.add_node("GRU", position=(2400.0, 1600.0), node_id="stray")
    window.editor.set_project(project)
    window.view.reset_zoom()
    window.view.centerOn(0, 0)
    _ = window.editor.analysis
    panel = window.problems
    window.show_problems()  # other panels may share its tab
    qtbot.waitUntil(panel.isVisible)
    row = next(
        panel.topLevelItem(i) for i in range(panel.topLevelItemCount()) if panel.topLevelItem(i).text(0) == "stray"
    )
    assert row.text(1) == "input 'in' is not connected"  # the Block column names the block
    assert row.toolTip(1) == "GRU 'stray': input 'in' is not connected"
    QTest.mouseClick(panel.viewport(), Qt.LeftButton, Qt.NoModifier, panel.visualItemRect(row).center())
    assert window.scene.selected_node_ids() == ["stray"]
    centre = window.view.mapToScene(window.view.viewport().rect().center())
    assert window.scene.node_item("stray").sceneBoundingRect().adjusted(-20, -20, 20, 20).contains(centre)


def test_later_features_can_add_docks_and_run_controls(window):
    plots = QLabel("plots")
    dock = window.add_dock(plots, "Loss plot", Qt.BottomDockWidgetArea)
    assert dock.widget() is plots and dock.toggleViewAction() in window.menus.panels.actions()
    start = QAction("Start", window)
    window.add_run_action(start)
    assert window.run_menu.menuAction().isVisible() and start in window.run_menu.actions()
    assert start in window.run_toolbar.actions() and window.run_toolbar.isVisible()


def test_the_block_reference_lists_every_block():
    html = reference_html()
    assert all(type_name in html for type_name in CATALOGUE)


def test_a_burst_of_edits_is_validated_once(window, qtbot):
    window.editor.set_project(small_project())
    _ = window.editor.analysis
    validations = []
    window.editor.analysis_changed.connect(validations.append)
    for index in range(10):
        window.editor.add_block("Linear", (index * 30.0, 400.0))
    assert validations == []
    qtbot.waitUntil(lambda: len(validations) == 1)
    assert len(window.scene.node_items()) == 13


def test_the_gui_starts_without_importing_torch():
    # The training docks are installed after the window shows, in the window's own thread:
    # they must not pull torch in either (only the worker process imports it).
    code = "import sys, gui.app, gui.main_window, gui.training.install; sys.exit('torch' in sys.modules)"
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env={**os.environ, "QT_QPA_PLATFORM": "offscreen"})
    assert result.returncode == 0


def big_project(chains: int = 40, length: int = 5) -> Project:
    """`chains` parallel input → LSTM → Linear → LastStep → Linear chains: 200 nodes."""
    project = Project(data={"task": "adding", "params": {"length": 20}})
    doc = project.graph
    for chain in range(chains):
        ids = [
            doc.add_node(type_name, params, (index * 260.0, chain * 180.0)).id
            for index, (type_name, params) in enumerate(
                [("SequenceInput", {}), ("LSTM", {}), ("Linear", {}), ("LastStep", {}), ("Linear", {})][:length]
            )
        ]
        for source, target in zip(ids, ids[1:]):
            doc.connect(source, "out", target, "in")
    return project


def test_a_200_node_graph_stays_quick_to_edit_and_draw(window, qtbot):
    window.editor.set_project(big_project())
    assert len(window.scene.node_items()) == 200
    window.view.fit_to_content()
    window.view.grab()
    started = time.perf_counter()
    window.editor.set_param("lstm_1", "hidden_size", 32)
    _ = window.editor.analysis
    edit_seconds = time.perf_counter() - started
    started = time.perf_counter()
    for factor in (1.0, 0.6, 0.3):
        window.view.set_zoom(factor)
        window.view.viewport().grab()
    frame_seconds = (time.perf_counter() - started) / 3
    assert window.scene.node_item("linear_1").shape_text == "[batch, 20, 64]"
    assert edit_seconds < 0.5 and frame_seconds < 0.5, (edit_seconds, frame_seconds)
    window.view.set_zoom(1.0)
    window.scene.select_nodes(["lstm_1"])
    window.editor.move_nodes({"lstm_1": (300.0, 60.0)})
    assert window.scene.node_item("lstm_1").pos() == QPointF(300.0, 60.0)


def test_the_screenshot_command_writes_a_png(qapp, tmp_path):
    from PySide6.QtGui import QImage

    from gui import paths, screenshot

    out = tmp_path / "shot.png"
    assert screenshot.main([str(paths.first_start_example()), str(out), "--size", "900x600"]) == 0
    assert QImage(str(out)).size().width() == 900
    assert screenshot.main([str(tmp_path / "missing.rsproj"), str(out)]) == 1
