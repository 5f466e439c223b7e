"""The cell editor: double-click opens a block's cell; edits land on the project's undo stack,
so undo walks back through cell and graph edits alike; problems show as the engine words them."""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtCore import QPointF, Qt  # noqa: E402
from PySide6.QtTest import QTest  # noqa: E402

from engine.cells import edits  # noqa: E402
from engine.cells.templates import TEMPLATES, lstm_1997  # noqa: E402
from gui.cell_editor.opening import open_cell_editor  # noqa: E402
from gui.testing import dialogs, small_project, snapshot, window  # noqa: E402,F401


def _with_custom_cell(window):
    window.editor.set_project(small_project())
    doc = window.editor.document
    return doc


def _problem_texts(editor_window) -> list[str]:
    panel = editor_window.problems
    return [panel.topLevelItem(i).toolTip(1) for i in range(panel.topLevelItemCount())]


def _double_click_block(window, node_id):
    item = window.scene.node_item(node_id)
    where = window.view.mapFromScene(item.sceneBoundingRect().center())
    QTest.mouseDClick(window.view.viewport(), Qt.LeftButton, Qt.NoModifier, where)


def test_double_clicking_an_lstm_opens_its_cell_as_a_custom_cell_in_one_undo_step(window, qtbot):
    doc = _with_custom_cell(window)
    before = snapshot(window.project)
    assert doc.node("memory").type_name == "LSTM"
    _double_click_block(window, "memory")
    assert doc.node("memory").type_name == "CustomCell"
    assert doc.node("memory").params["cell"]["name"] == "LSTM"
    assert {e.source for e in doc.incoming("memory")} and doc.outgoing("memory")  # still wired
    editor_window = window._cell_editors["memory"]
    qtbot.waitUntil(editor_window.isVisible)
    assert "forget_gate" in editor_window.scene.boxes
    window.editor.undo_stack.undo()
    assert snapshot(window.project) == before
    assert not editor_window.isVisible()  # its block is an LSTM again: nothing to edit


def test_cell_edits_and_graph_edits_undo_in_order_on_one_stack(window, qtbot):
    _with_custom_cell(window)
    editor_window = open_cell_editor(window.editor, "memory", window, {})  # converts the LSTM
    qtbot.addWidget(editor_window)
    converted = snapshot(window.project)
    editor_window.apply(edits.remove_node(editor_window.cell(), "forget_gate"), "Delete 'forget_gate'")
    assert "forget_gate" not in editor_window.scene.boxes
    assert "Multiply 'kept' takes 2 or more inputs; it has 1" in _problem_texts(editor_window)
    after_cell_edit = snapshot(window.project)
    window.editor.move_nodes({"memory": (500.0, 40.0)})
    new_id = editor_window.add_node("tanh")
    assert new_id in editor_window.scene.boxes
    stack = window.editor.undo_stack
    stack.undo()  # the added node
    assert new_id not in editor_window.scene.boxes
    stack.undo()  # the move in the main window
    assert snapshot(window.project) == after_cell_edit
    stack.undo()  # the deleted gate, back in the editor's drawing
    assert snapshot(window.project) == converted and "forget_gate" in editor_window.scene.boxes


def test_a_refused_edit_is_shown_and_changes_nothing(window, qtbot):
    doc = _with_custom_cell(window)
    editor_window = open_cell_editor(window.editor, "memory", window, {})
    qtbot.addWidget(editor_window)
    before = snapshot(window.project)
    message = editor_window.attempt(lambda: edits.set_setting(editor_window.cell(), "input_lin", "units", 0), "Set")
    assert "must be at least 1" in message and "must be at least 1" in editor_window.status.text()
    assert snapshot(window.project) == before
    assert doc.node("memory").type_name == "CustomCell"


def test_the_cell_can_be_saved_to_the_library(window, qtbot, tmp_path):
    window.editor.set_project(small_project())
    doc = window.editor.document
    doc.add_node("CustomCell", {"cell": lstm_1997()}, (0.0, 300.0), "drawn")
    editor_window = open_cell_editor(window.editor, "drawn", window, {})
    qtbot.addWidget(editor_window)
    editor_window.library_folder = tmp_path
    path = editor_window.save_to_library()
    assert path.read_text().count('"recurrent-studio-cell"') == 1
    editor_window.scene.cards_moved.emit({"written": (123.0, 45.0)})
    assert doc.node("drawn").params["cell"]["layout"]["written"] == [123.0, 45.0]


def test_a_block_without_a_cell_says_so(window):
    window.editor.set_project(small_project())
    assert "has no cell to open" in open_cell_editor(window.editor, "head", window, {})


def test_the_palette_lists_templates_and_library_cells_and_adds_them_as_blocks(window, tmp_path):
    window.editor.set_project(small_project())
    cells = window.palette.cells
    titles = [cells.item(i).text() for i in range(cells.count())]
    assert "LSTM 1997 (no forget gate) (template)" in titles and titles[0] == "Blank cell (x and h only)"
    row = cells.item(titles.index("LSTM 1997 (no forget gate) (template)"))
    cells.itemActivated.emit(row)
    (added,) = [n for n in window.editor.document.nodes() if n.type_name == "CustomCell"]
    assert added.params["cell"] == lstm_1997()
    window.editor.undo_stack.undo()
    assert not [n for n in window.editor.document.nodes() if n.type_name == "CustomCell"]
    from engine.cells import from_dict
    from engine.cells.library import save_cell_file

    save_cell_file(from_dict(lstm_1997()), tmp_path, "mine")
    cells.library_folder = tmp_path
    cells.reload()
    assert "LSTM 1997 (no forget gate) (library)" in [cells.item(i).text() for i in range(cells.count())]


def test_compare_cells_offers_drawn_cells_and_races_one(qtbot, tmp_path):
    from gui_run_helpers import RUN_TIMEOUT_MS, tiny_project

    from gui.compare_dialog import CompareDialog

    project = tiny_project(tmp_path, cell="CustomCell", steps=4)
    dialog = CompareDialog(None, project, tmp_path / "runs")
    qtbot.addWidget(dialog)
    dialog.show()
    assert not dialog.cells["lstm_1997"].isChecked() and "forget gate" in dialog.cells["lstm_1997"].toolTip()
    for cell, box in dialog.cells.items():
        box.setChecked(cell in ("LSTM", "lstm_1997"))
    dialog.steps.setValue(4)
    dialog.run_button.click()
    qtbot.waitUntil(lambda: not dialog.process.running, timeout=RUN_TIMEOUT_MS)
    assert dialog.table.rowCount() == 2, dialog.status.text()
    assert [dialog.table.item(row, 5).text() for row in range(2)] == ["finished", "finished"]
    assert dialog.table.item(1, 0).text().startswith("lstm_1997")


def test_the_inspector_names_the_cell_instead_of_showing_its_text(window, qtbot):
    from PySide6.QtWidgets import QLabel, QLineEdit

    window.editor.set_project(small_project())
    window.editor.document.add_node("CustomCell", {"cell": lstm_1997()}, (0.0, 300.0), "drawn")
    window.scene.select_nodes(["drawn"])
    labels = [w.text() for w in window.inspector.findChildren(QLabel)]
    assert any(text == "LSTM 1997 (no forget gate) (double-click the block)" for text in labels)
    assert not any("recurrent-studio-cell" in w.text() for w in window.inspector.findChildren(QLineEdit))


# -- the canvas: wires dragged between ports, primitives dropped, keys and menus --------------
def _drawn_editor(window, qtbot, cell=None):
    """An editor on a Custom cell block holding `cell` (the LSTM template by default)."""
    window.editor.set_project(small_project())
    window.editor.document.add_node("CustomCell", {"cell": cell or TEMPLATES["lstm"].make()}, (0.0, 300.0), "drawn")
    editor_window = open_cell_editor(window.editor, "drawn", window, {})
    qtbot.addWidget(editor_window)
    editor_window.resize(1200, 800)
    return editor_window


def _port(editor_window, card: str, port: str = "out") -> QPointF:
    box = editor_window.scene.boxes[card]
    return (box.output if port == "out" else box.inputs[port]).scenePos()


def _node(editor_window, node_id):
    return next(n for n in editor_window.cell()["nodes"] if n["id"] == node_id)


def test_dragging_from_an_output_port_to_a_free_input_slot_wires_them_in_one_undo_step(window, qtbot):
    from gui.testing import mouse_drag

    editor_window = _drawn_editor(window, qtbot)
    before = snapshot(window.project)
    free_slot = f"in{len(_node(editor_window, 'c_new')['inputs'])}"  # the "+ input" slot
    editor_window.view.centerOn(editor_window.scene.boxes["c_new"])
    mouse_drag(editor_window, _port(editor_window, "kept"), _port(editor_window, "c_new", free_slot))
    assert _node(editor_window, "c_new")["inputs"] == ["kept", "written", "kept"]
    assert window.editor.undo_stack.undoText().startswith("Wire kept → c_new (input 3)")
    window.editor.undo_stack.undo()
    assert snapshot(window.project) == before


def test_a_wire_picked_up_from_its_input_and_dropped_on_empty_canvas_is_cut(window, qtbot):
    from gui.testing import mouse_drag

    editor_window = _drawn_editor(window, qtbot)
    editor_window.view.centerOn(editor_window.scene.boxes["kept"])
    start = _port(editor_window, "kept", "in1")  # reads c
    mouse_drag(editor_window, start, start + QPointF(-30, 400))
    assert _node(editor_window, "kept")["inputs"] == ["forget_gate"]
    assert "Multiply 'kept' takes 2 or more inputs; it has 1" in _problem_texts(editor_window)
    assert editor_window.scene.boxes["kept"].badge.isVisible()


def test_a_refused_wire_is_drawn_red_says_why_and_offers_a_fix_that_applies(window, qtbot):
    from gui.testing import mouse_drag

    editor_window = _drawn_editor(window, qtbot)
    before = snapshot(window.project)
    editor_window.view.centerOn(editor_window.scene.boxes["input_lin"])
    free_slot = f"in{len(_node(editor_window, 'kept')['inputs'])}"
    mouse_drag(editor_window, _port(editor_window, "x"), _port(editor_window, "kept", free_slot))
    assert snapshot(window.project) == before  # refused: nothing changed
    assert "its inputs differ in size" in editor_window.status.text()
    bar = editor_window.fix_bar
    assert bar.isVisible() and [b.text() for b in bar.buttons] == ["Insert a Linear (H) between 'x' and 'kept'"]
    bar.buttons[0].click()
    linear = _node(editor_window, "kept")["inputs"][2]
    assert _node(editor_window, linear) == {"id": linear, "op": "linear", "inputs": ["x"], "settings": {"units": 1}}
    assert not bar.isVisible() and "kept" not in [d.node for d in editor_window.analysis.errors]
    window.editor.undo_stack.undo()
    assert snapshot(window.project) == before


def test_a_wire_that_would_loop_within_a_step_is_refused(window, qtbot):
    from gui.testing import mouse_drag

    editor_window = _drawn_editor(window, qtbot)
    before = snapshot(window.project)
    free_slot = f"in{len(_node(editor_window, 'input_lin')['inputs'])}"
    mouse_drag(editor_window, _port(editor_window, "h_new"), _port(editor_window, "input_lin", free_slot))
    assert snapshot(window.project) == before and "algebraic loop" in editor_window.status.text()


def test_a_primitive_dropped_on_the_canvas_lands_where_it_was_dropped(window, qtbot):
    from gui.cell_editor.window import PRIMITIVE_MIME_TYPE
    from gui.testing import drop_mime

    editor_window = _drawn_editor(window, qtbot)
    items = editor_window.primitives.findItems("Tanh", Qt.MatchExactly)
    mime = editor_window.primitives.mimeData(items)
    assert bytes(mime.data(PRIMITIVE_MIME_TYPE)) == b"tanh"
    where = editor_window.view.mapToScene(editor_window.view.viewport().rect().center())
    drop_mime(editor_window.view, mime, where)
    (added,) = [n for n in editor_window.cell()["nodes"] if n["op"] == "tanh" and n["id"].startswith("tanh_")]
    assert editor_window.cell()["layout"][added["id"]] == [where.x(), where.y()]
    assert editor_window.scene.boxes[added["id"]].pos() == where
    assert f"'{added['id']}' leads to no new state" in " ".join(_problem_texts(editor_window))


def test_delete_removes_the_selected_node_and_wire_as_one_step_and_undo_brings_them_back(window, qtbot):
    editor_window = _drawn_editor(window, qtbot)
    before = snapshot(window.project)
    editor_window.scene.select("candidate")
    editor_window.scene.wire_item(_wire("c", "kept", 1)).setSelected(True)
    editor_window.activateWindow()
    qtbot.waitUntil(editor_window.isActiveWindow)
    editor_window.view.setFocus()
    QTest.keyClick(editor_window.view.viewport(), Qt.Key_Delete)
    assert "candidate" not in editor_window.scene.boxes
    assert _node(editor_window, "kept")["inputs"] == ["forget_gate"]
    assert _node(editor_window, "written")["inputs"] == ["input_gate"]
    window.editor.undo_stack.undo()
    assert snapshot(window.project) == before


def _wire(source, target, slot):
    from engine.cells.wiring import Wire

    return Wire(source, target, slot)


def test_moving_cards_is_saved_in_the_cells_layout(window, qtbot):
    from gui.testing import mouse_drag

    editor_window = _drawn_editor(window, qtbot)
    card = editor_window.scene.boxes["candidate"]
    card_x, card_y = card.x(), card.y()
    start = card.pos() + QPointF(80, 12)  # the header, not a port
    mouse_drag(editor_window, start, start + QPointF(40, 120))
    x, y = editor_window.cell()["layout"]["candidate"]
    assert (x, y) == (card_x + 40, card_y + 120)
    assert editor_window.scene.boxes["candidate"].pos() == QPointF(x, y)  # redrawn where it was left


def test_the_problems_list_offers_the_engines_fixes_and_a_click_applies_one(window, qtbot):
    cell = edits.set_output(TEMPLATES["lstm"].make(), "c", None)
    editor_window = _drawn_editor(window, qtbot, cell)
    fixes = editor_window.problems.fix_items()
    assert fixes and fixes[0].text(1).startswith("Fix: Write the new c from '")
    editor_window.problems.itemClicked.emit(fixes[0], 1)
    assert editor_window.analysis.ok and "c" in editor_window.cell()["outputs"]


def test_the_node_menu_marks_a_sigmoid_as_a_gate(window, qtbot, monkeypatch):
    from PySide6.QtWidgets import QInputDialog, QMenu

    editor_window = _drawn_editor(window, qtbot)
    editor_window.apply(edits.set_gate(editor_window.cell(), "forget_gate", None), "Unmark")
    menu = QMenu()
    editor_window._node_menu(menu, "forget_gate")
    titles = [action.text() for action in menu.actions()]
    assert titles[0] == "Mark as gate…" and "Delete" in titles
    monkeypatch.setattr(QInputDialog, "getText", lambda *a, **k: ("keep", True))
    menu.actions()[0].trigger()
    assert _node(editor_window, "forget_gate")["gate"] == "keep"
    assert "gate 'keep'" in editor_window.scene.boxes["forget_gate"].subtitle


def test_the_state_menu_renames_and_removes_a_state(window, qtbot, monkeypatch):
    from PySide6.QtWidgets import QInputDialog, QMenu

    editor_window = _drawn_editor(window, qtbot)
    menu = QMenu()
    editor_window._state_menu(menu, "c")
    rename, remove = menu.actions()
    monkeypatch.setattr(QInputDialog, "getText", lambda *a, **k: ("memory_cell", True))
    rename.trigger()
    assert editor_window.cell()["states"] == ["h", "memory_cell"]
    assert {"memory_cell", "memory_cell:new"} <= set(editor_window.scene.boxes)
    remove.trigger()  # bound to 'c', which is no longer a state: refused in words
    assert "'c' is not a state" in editor_window.status.text()


def test_the_toolbar_sums_the_cell_up_with_its_parameter_count(window, qtbot):
    editor_window = _drawn_editor(window, qtbot)
    window.editor.document.connect("input", "out", "drawn", "in")  # its input size is known now
    count = window.editor.analysis.param_counts["drawn"]
    text = editor_window.summary.text()
    assert "<b>LSTM</b> · states h, c · gates input, forget, output" in text
    assert f"{count:,} parameters at hidden size" in text
    hidden = window.editor.document.node("drawn").params["hidden_size"]
    editor_window.refresh()  # with the input size known, card sizes show as numbers too
    assert editor_window.scene.boxes["kept"].size_text == f"size H ({hidden})"
    assert editor_window.scene.boxes["x"].size_text == "size F (2)"  # the adding task's two features
    editor_window.apply(edits.set_setting(editor_window.cell(), "output_lin", "bias", False), "No bias")
    smaller = window.editor.analysis.param_counts["drawn"]  # validates the pending edit
    assert smaller < count and f"{smaller:,} parameters" in editor_window.summary.text()


def test_the_editor_window_remembers_its_size(window, qtbot):
    window.editor.set_project(small_project())
    first = open_cell_editor(window.editor, "memory", window, {}, window.settings)
    qtbot.addWidget(first)
    first.resize(700, 480)  # within the offscreen screen, which restoreGeometry fits it to
    size = (first.width(), first.height())
    first.close()
    second = open_cell_editor(window.editor, "memory", window, {}, window.settings)
    qtbot.addWidget(second)
    assert (second.width(), second.height()) == size != (1180, 720)


def test_an_elman_rnn_drawn_from_the_blank_cell_by_drops_and_drags_compiles(window, qtbot):
    from engine.cells import analyse, from_dict
    from engine.cells.templates import blank
    from gui.testing import mouse_drag

    editor_window = _drawn_editor(window, qtbot, blank())
    window.editor.document.connect("input", "out", "drawn", "in")
    assert [d.code for d in editor_window.analysis.errors] == ["unwritten"]
    assert [d.node for d in window.editor.analysis.errors] == ["drawn"]  # the block cannot build yet
    linear = editor_window.add_node("linear", QPointF(230, 140))
    squash = editor_window.add_node("tanh", QPointF(460, 140))
    editor_window.view.fit_to_content()  # every card in view, to drag between
    wires = [
        ("x", "out", linear, "in0"),
        ("h", "out", linear, "in1"),
        (linear, "out", squash, "in0"),
        (squash, "out", "h:new", "in0"),
    ]
    for source, out, target, slot in wires:
        mouse_drag(editor_window, _port(editor_window, source, out), _port(editor_window, target, slot))
    cell = editor_window.cell()
    assert next(n for n in cell["nodes"] if n["id"] == linear)["inputs"] == ["x", "h"]
    assert cell["outputs"] == {"h": squash}
    assert analyse(from_dict(cell)).diagnostics == [] and editor_window.analysis.ok
    assert not window.editor.analysis.errors  # the block builds in the model now


def test_undo_and_redo_are_enabled_only_when_there_is_something_to_undo_or_redo(window, qtbot):
    editor_window = _drawn_editor(window, qtbot)
    window.editor.undo_stack.clear()
    undo, redo = editor_window.toolbar_actions["Undo"], editor_window.toolbar_actions["Redo"]
    assert not undo.isEnabled() and not redo.isEnabled()
    editor_window.add_node("tanh")
    assert undo.isEnabled() and not redo.isEnabled()
    undo.trigger()
    assert not undo.isEnabled() and redo.isEnabled()
