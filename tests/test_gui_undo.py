"""Every kind of edit undoes to exactly the document it started from, and redoes to exactly
the document it made (serialised project files compared)."""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import pytest  # noqa: E402
from PySide6.QtCore import QPointF  # noqa: E402

from engine.graph import Edge  # noqa: E402
from gui.testing import dialogs, drop_block, mouse_drag, port_position, small_project, snapshot, window  # noqa: E402,F401


def add_by_drop(window):
    drop_block(window, "Dropout", QPointF(300, 250))


def remove(window):
    window.scene.select_nodes(["memory"])
    window.actions.delete.trigger()


def connect(window):
    mouse_drag(window, port_position(window, "input"), port_position(window, "spare", "in"))


def disconnect_by_drag(window):
    start = port_position(window, "memory", "in")
    mouse_drag(window, start, start + QPointF(0, 250))


def move(window):
    window.editor.move_nodes({"head": (640.0, 120.0), "input": (-40.0, 10.0)})


def change_param(window):
    window.scene.select_nodes(["memory"])
    window.inspector.node_page.form.widget("hidden_size").setValue(48)


def paste(window):
    window.scene.select_nodes(["input", "memory"])
    window.actions.copy.trigger()
    window.actions.paste.trigger()


def duplicate(window):
    window.scene.select_nodes(["memory", "head"])
    window.actions.duplicate.trigger()


def auto_layout(window):
    window.actions.auto_layout.trigger()


def rename(window):
    window.scene.select_nodes(["memory"])
    page = window.inspector.node_page
    page.name.setText("encoder")
    page.name.editingFinished.emit()


def change_data(window):
    window.editor.set_data_settings({"task": "adding", "params": {"length": 30}})


def change_training(window):
    window.editor.set_training_setting("learning_rate", 0.01)


EDITS = [
    add_by_drop,
    remove,
    connect,
    disconnect_by_drag,
    move,
    change_param,
    paste,
    duplicate,
    auto_layout,
    rename,
    change_data,
    change_training,
]


@pytest.mark.parametrize("edit", EDITS, ids=[edit.__name__ for edit in EDITS])
def test_undo_and_redo_restore_the_document_exactly(window, edit):
    project = small_project()
    project.graph.add_node("Linear", position=(300.0, 300.0), node_id="spare")
    window.editor.set_project(project)
    window.view.fit_to_content()
    window.editor.move_nodes({"memory": (300.0, 40.0)})  # something to undo past: stays undone-to
    before = snapshot(window.project)
    depth = window.editor.undo_stack.index()
    edit(window)
    after = snapshot(window.project)
    assert after != before
    assert window.editor.undo_stack.index() == depth + 1  # one edit, one undo step
    window.editor.undo_stack.undo()
    assert snapshot(window.project) == before
    window.editor.undo_stack.redo()
    assert snapshot(window.project) == after


def test_undoing_everything_returns_to_the_opened_project_and_clears_the_dirty_marker(window):
    window.editor.set_project(small_project())
    opened = snapshot(window.project)
    for edit in (add_by_drop, move, change_param, paste, auto_layout, change_data):
        edit(window)
    assert window.isWindowModified()
    while window.editor.undo_stack.canUndo():
        window.editor.undo_stack.undo()
    assert snapshot(window.project) == opened
    assert not window.isWindowModified()


def test_undo_of_a_disconnected_wire_whose_shapes_now_clash_puts_it_back(window):
    window.editor.set_project(small_project())
    doc = window.editor.document
    window.editor.set_param("memory", "output", "sequence")  # memory → head now clashes
    window.editor.disconnect(Edge("memory", "out", "head", "in"))
    window.editor.undo_stack.undo()
    assert Edge("memory", "out", "head", "in") in doc.edges()


def test_deleting_a_branch_and_undoing_gives_the_same_initial_weights(window):
    """The order of the document decides which branch the compiler builds and seeds first;
    an undone delete must put the block back where it was, not at the end."""
    import torch

    from engine.compiler import compile_graph

    project = small_project()
    doc = project.graph
    doc.add_node("GRU", {"hidden_size": 16, "output": "last"}, node_id="other")
    doc.add_node("Add", node_id="join")
    doc.disconnect(Edge("memory", "out", "head", "in"))
    for source, target, port in [("input", "other", "in"), ("memory", "join", "a"), ("other", "join", "b")]:
        doc.connect(source, "out", target, port)
    doc.connect("join", "out", "head", "in")
    window.editor.set_project(project)

    def weights():
        torch.manual_seed(0)
        return compile_graph(window.editor.document, project.signature()).state_dict()

    before, first = snapshot(window.project), weights()
    window.editor.delete(["memory"])
    window.editor.undo_stack.undo()
    assert snapshot(window.project) == before
    again = weights()
    assert list(again) == list(first) and all(torch.equal(again[k], first[k]) for k in first)
