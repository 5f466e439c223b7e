"""Right-click menus: block, wire, port, empty canvas and palette, each entry doing what it
says through the editor (so undo covers it)."""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtCore import QPointF  # noqa: E402
from PySide6.QtWidgets import QDialog, QInputDialog  # noqa: E402

from engine.graph import Edge  # noqa: E402
from gui.block_reference import BlockReferenceDialog  # noqa: E402
from gui.testing import dialogs, port_position, small_project, window  # noqa: E402,F401


def entries(menu) -> dict:
    """Menu text → action, submenus included as 'Menu/Entry'."""
    found = {}
    for action in menu.actions():
        if action.menu() is not None:
            found[action.text()] = action
            found.update({f"{action.text()}/{k}": v for k, v in entries(action.menu()).items()})
        elif action.text():
            found[action.text()] = action
    return found


def node_centre(window, node_id: str) -> QPointF:
    return window.scene.node_item(node_id).sceneBoundingRect().center()


def test_block_menu_renames_duplicates_disconnects_deletes_and_helps(window, monkeypatch, qtbot):
    window.editor.set_project(small_project())
    menu = entries(window.context_menus.menu_at(node_centre(window, "memory")))
    assert {"Rename…", "Duplicate", "Delete", "Disconnect All", "Help on LSTM"} <= set(menu)

    monkeypatch.setattr(QInputDialog, "getText", lambda *args, **kwargs: ("encoder", True))
    menu["Rename…"].trigger()
    assert window.editor.document.has_node("encoder")

    menu = entries(window.context_menus.menu_at(node_centre(window, "encoder")))
    menu["Disconnect All"].trigger()
    assert window.editor.document.edges() == []
    window.editor.undo_stack.undo()
    assert len(window.editor.document.edges()) == 2  # one undo step

    menu["Duplicate"].trigger()
    assert len(window.editor.document.nodes()) == 4
    menu["Help on LSTM"].trigger()
    help_dialog = window.findChild(BlockReferenceDialog, "blockHelp")
    assert help_dialog is not None and help_dialog.isVisible()
    help_dialog.done(QDialog.Rejected)
    menu["Delete"].trigger()
    assert not window.editor.document.has_node("encoder")


def test_wire_menu_deletes_or_inserts_a_block_that_fits(window):
    window.editor.set_project(small_project())
    project = window.project
    project.graph.set_param("memory", "output", "sequence")
    project.graph.disconnect(Edge("memory", "out", "head", "in"))
    project.graph.add_node("LastStep", position=(450.0, 0.0), node_id="pick")
    project.graph.connect("memory", "out", "pick", "in")
    project.graph.connect("pick", "out", "head", "in")
    wire = Edge("memory", "out", "pick", "in")
    menu = entries(window.context_menus.edge_menu(wire))
    inserts = {key.split("/", 1)[1] for key in menu if key.startswith("Insert Block Here/")}
    assert {"Linear", "Dropout", "LayerNorm", "LSTM"} <= inserts and "LastStep" not in inserts  # vector into LastStep
    menu["Insert Block Here/Dropout"].trigger()
    assert ("memory", "dropout_1") in {(e.source, e.target) for e in window.editor.document.edges()}
    assert window.editor.analysis.ok
    menu = entries(window.context_menus.edge_menu(Edge("dropout_1", "out", "pick", "in")))
    menu["Delete"].trigger()
    assert ("dropout_1", "pick") not in {(e.source, e.target) for e in window.editor.document.edges()}


def test_port_menu_connects_to_a_compatible_port(window):
    project = small_project()
    project.graph.disconnect(Edge("memory", "out", "head", "in"))
    window.editor.set_project(project)
    menu = entries(window.context_menus.menu_at(port_position(window, "memory")))
    assert list(k for k in menu if k.startswith("Connect To/")) == ["Connect To/'head' in"]
    menu["Connect To/'head' in"].trigger()
    assert Edge("memory", "out", "head", "in") in window.editor.document.edges()


def test_canvas_menu_adds_a_searched_block_at_the_point(window):
    window.editor.set_project(small_project())
    point = QPointF(900.0, 500.0)
    menu = window.context_menus.menu_at(point)
    add = menu.actions()[0].menu()
    search = add.actions()[0].defaultWidget()
    search.setText("mean time")
    visible = [a.text() for a in add.actions() if a.isVisible() and a.text() and not a.isSeparator()]
    assert visible == ["MeanOverTime"]
    entries(menu)["Add Block Here/MeanOverTime"].trigger()
    node = window.editor.document.node("mean_over_time_1")
    assert abs(node.position[0] - (900 - 110)) < 200 and abs(node.position[1] - 500) < 60


def test_palette_menu_offers_help_and_adding(window):
    window.editor.set_project(small_project())
    menu = entries(window.context_menus.palette_menu("GRU"))
    menu["Add to Canvas"].trigger()
    assert window.editor.document.has_node("gru_1")
    menu["Help on GRU"].trigger()
    assert window.findChild(BlockReferenceDialog, "blockHelp").isVisible()


def test_a_recurrent_blocks_menu_opens_its_cell(window, qtbot):
    window.editor.set_project(small_project())
    assert "Open Cell…" not in entries(window.context_menus.menu_at(node_centre(window, "head")))
    entries(window.context_menus.menu_at(node_centre(window, "memory")))["Open Cell…"].trigger()
    assert window.editor.document.node("memory").type_name == "CustomCell"
    editor_window = window._cell_editors["memory"]
    qtbot.addWidget(editor_window)
    assert editor_window.isVisible() and "forget_gate" in editor_window.scene.boxes
