"""The inspector edits what is selected: parameters change shapes downstream; with nothing
selected it edits the project's data (with file previews) and training settings."""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import pytest  # noqa: E402

from engine.data import TASKS  # noqa: E402
from engine.project import Project  # noqa: E402
from gui.testing import dialogs, small_project, window  # noqa: E402,F401


def chain_project() -> Project:
    """input → memory (LSTM over the whole sequence) → norm → last → head."""
    project = Project(data={"task": "adding", "params": {"length": 20}})
    doc = project.graph
    for index, (node_id, type_name, params) in enumerate(
        [
            ("input", "SequenceInput", {}),
            ("memory", "LSTM", {"hidden_size": 16}),
            ("norm", "LayerNorm", {}),
            ("last", "LastStep", {}),
            ("head", "Regression", {}),
        ]
    ):
        doc.add_node(type_name, params, (index * 260.0, 0.0), node_id)
    for source, target in [("input", "memory"), ("memory", "norm"), ("norm", "last"), ("last", "head")]:
        doc.connect(source, "out", target, "in")
    return project


def _select(window, qtbot, node_id):
    window.scene.select_nodes([node_id])
    qtbot.waitUntil(lambda: window.inspector.node_page is not None and window.inspector.node_page.node_id == node_id)
    return window.inspector.node_page


def test_a_parameter_edit_changes_the_shapes_downstream(window, qtbot):
    window.editor.set_project(chain_project())
    norm, last = window.scene.node_item("norm"), window.scene.node_item("last")
    assert (norm.shape_text, last.shape_text) == ("[batch, 20, 16]", "[batch, 16]")
    page = _select(window, qtbot, "memory")
    page.form.widget("hidden_size").setValue(48)
    qtbot.waitUntil(lambda: last.shape_text == "[batch, 48]")
    assert norm.shape_text == "[batch, 20, 48]"
    assert norm.param_text == "96 parameters"
    page.form.widget("bidirectional").setChecked(True)
    qtbot.waitUntil(lambda: last.shape_text == "[batch, 96]")
    assert "sequence [batch, 20, 96]" in page.shapes.text()


def test_a_choice_edit_is_checked_and_its_problem_shown(window, qtbot):
    window.editor.set_project(chain_project())
    page = _select(window, qtbot, "memory")
    box = page.form.widget("output")
    box.activated.emit(box.findText("last"))  # a vector now reaches LayerNorm → LastStep: a clash
    qtbot.waitUntil(lambda: window.scene.node_item("last").badge.isVisible())
    assert window.editor.document.node("memory").params["output"] == "last"
    last_page = _select(window, qtbot, "last")
    assert "sequence" in last_page.problems.text()


def test_parameter_fields_use_the_spec_ranges_and_help(window, qtbot):
    window.editor.set_project(chain_project())
    box = _select(window, qtbot, "memory").form.widget("hidden_size")
    assert (box.minimum(), box.maximum()) == (1, 4096)
    assert "hidden state" in box.toolTip()


def test_renaming_checks_the_name_and_reports_a_refusal(window, qtbot):
    window.editor.set_project(chain_project())
    page = _select(window, qtbot, "memory")
    page.name.setText("head")
    page.name.editingFinished.emit()
    assert window.editor.document.has_node("memory")
    assert "already exists" in window.statusBar().currentMessage()
    page.name.setText("encoder")
    page.name.editingFinished.emit()
    assert window.editor.document.has_node("encoder")
    qtbot.waitUntil(lambda: window.inspector.node_page is not None and window.inspector.node_page.node_id == "encoder")


def test_with_nothing_selected_the_data_settings_are_edited(window, qtbot):
    window.editor.set_project(chain_project())
    window.scene.clearSelection()
    form = window.inspector.project_form
    assert window.inspector.currentIndex() == 0
    form.data_form.widget("length").setValue(35)
    assert window.project.data == {"task": "adding", "params": {"length": 35}}
    qtbot.waitUntil(lambda: window.scene.node_item("norm").shape_text == "[batch, 35, 16]")
    assert "[batch, 35, 2]" in form.signature.text()
    form.task.activated.emit(form.task.findData("sine"))
    assert window.project.data == {"task": "sine", "params": {}}
    assert form.data_form.widget("components").value() == TASKS["sine"].param("components").default
    with pytest.raises(KeyError):
        form.data_form.widget("length")  # the form was rebuilt for the sine task's settings


def test_a_csv_task_previews_the_file_and_offers_its_columns(window, qtbot):
    window.editor.set_project(chain_project())
    form = window.inspector.project_form
    form.task.activated.emit(form.task.findData("csv"))
    assert not form.preview_table.isHidden()
    header = [form.preview_table.horizontalHeaderItem(i).text() for i in range(form.preview_table.columnCount())]
    assert header[:2] == ["date", "pressure"] and form.preview_table.rowCount() > 0
    target = form.data_form.widget("target")
    assert target.findData("temperature") >= 0
    target.activated.emit(target.findData("temperature"))
    assert window.project.data["params"]["target"] == "temperature"
    columns = form.data_form.widget("inputs")
    columns.item(header.index("pressure")).setCheckState(columns.item(0).checkState().Checked)
    assert window.project.data["params"]["inputs"] == ["pressure"]


def test_a_bad_csv_path_leaves_no_columns_of_the_previous_file(window, qtbot):
    window.editor.set_project(chain_project())
    form = window.inspector.project_form
    form.task.activated.emit(form.task.findData("csv"))
    assert form.data_form.widget("target").findData("temperature") >= 0
    path = form.data_form.widget("path")
    path.line.setText("no/such/file.csv")
    path.line.editingFinished.emit()
    target = form.data_form.widget("target")
    offered = [target.itemData(i) for i in range(target.count())]
    assert "pressure" not in offered and "temperature" not in offered


def test_a_text_task_previews_lines_and_a_missing_file_says_so(window, qtbot):
    window.editor.set_project(chain_project())
    form = window.inspector.project_form
    form.task.activated.emit(form.task.findData("text"))
    assert not form.preview_text.isHidden() and form.preview_text.toPlainText().strip()
    path = form.data_form.widget("path")
    path.line.setText("no/such/file.txt")
    path.line.editingFinished.emit()
    assert "Cannot find" in form.preview_text.toPlainText()
    assert "Cannot find" in form.signature.text()
    assert any(
        "data settings" == window.problems.topLevelItem(i).text(0) for i in range(window.problems.topLevelItemCount())
    )


def test_training_settings_are_edited_with_the_schema_widgets(window, qtbot):
    window.editor.set_project(chain_project())
    form = window.inspector.project_form.training_form
    form.widget("learning_rate").setValue(0.02)
    form.widget("optimizer").activated.emit(form.widget("optimizer").findText("sgd"))
    assert window.project.training["learning_rate"] == 0.02
    assert window.project.training["optimizer"] == "sgd"
    assert form.widget("learning_rate").text() == "0.02"
    window.editor.undo_stack.undo()
    assert window.project.training["optimizer"] == "adam"
    assert form.widget("optimizer").currentText() == "adam"


def test_several_selected_blocks_show_a_summary(window, qtbot):
    window.editor.set_project(small_project())
    window.scene.select_nodes(["memory", "head"])
    assert "2 blocks selected" in window.inspector.currentWidget().text.text()


def test_a_batch_size_too_big_for_memory_is_a_problem_in_the_window(window, qtbot, monkeypatch):
    # The window validates with the training settings, so activations at the batch size count.
    monkeypatch.setattr("engine.resource_estimate.available_memory", lambda: 64 * 1024**2)
    window.editor.set_project(small_project())
    assert not any("memory" in str(d) for d in window.editor.analysis.diagnostics)
    window.editor.set_training_setting("batch_size", 65536)
    assert any("memory" in str(d) and "batch" in str(d) for d in window.editor.analysis.diagnostics)
