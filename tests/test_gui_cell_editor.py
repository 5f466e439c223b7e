"""The cell editor: double-click opens a block's cell; edits land on the project's undo stack,
so undo walks back through cell and graph edits alike; problems show as the engine words them."""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtCore import QPointF, Qt  # noqa: E402
from PySide6.QtTest import QTest  # noqa: E402

from engine.cells import edits  # noqa: E402
from engine.cells.templates import lstm_1997  # noqa: E402
from gui.cell_editor.opening import open_cell_editor  # noqa: E402
from gui.testing import dialogs, small_project, snapshot, window  # noqa: E402,F401


def _with_custom_cell(window):
    window.editor.set_project(small_project())
    doc = window.editor.document
    return doc


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
    editor_window.close()


def test_cell_edits_and_graph_edits_undo_in_order_on_one_stack(window, qtbot):
    _with_custom_cell(window)
    editor_window = open_cell_editor(window.editor, "memory", window, {})  # converts the LSTM
    qtbot.addWidget(editor_window)
    converted = snapshot(window.project)
    editor_window.apply(edits.remove_node(editor_window.cell(), "forget_gate"), "Delete 'forget_gate'")
    assert "forget_gate" not in editor_window.scene.boxes
    assert any(
        "Multiply 'kept' takes 2 or more inputs; it has 1" in editor_window.problems.item(i).text()
        for i in range(editor_window.problems.count())
    )
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
    moved = QPointF(123.0, 45.0)
    editor_window.scene.node_moved.emit("written", moved)
    assert doc.node("drawn").params["cell"]["layout"]["written"] == [123.0, 45.0]


def test_a_block_without_a_cell_says_so(window):
    window.editor.set_project(small_project())
    assert "has no cell to open" in open_cell_editor(window.editor, "head", window, {})


def test_the_palette_lists_templates_and_library_cells_and_adds_them_as_blocks(window, tmp_path):
    window.editor.set_project(small_project())
    cells = window.palette.cells
    titles = [cells.item(i).text() for i in range(cells.count())]
    assert "LSTM 1997 (no forget gate) (template)" in titles
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
