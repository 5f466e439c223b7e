"""Cell edits as pure functions: the headless twins of the cell editor's actions."""

from __future__ import annotations

import pytest

from engine.cells import analyse, edits, from_dict
from engine.cells.templates import elman_rnn, lstm


def test_building_an_elman_rnn_by_edits_gives_the_template():
    cell = {**elman_rnn(), "nodes": [], "outputs": {}}
    cell, pre = edits.add_node(cell, "linear", ["x", "h"], node_id="pre")
    cell, squash = edits.add_node(cell, "tanh", [pre], position=(10, 20), node_id="h_new")
    cell = edits.set_output(cell, "h", squash)
    assert from_dict(cell).structure() == from_dict(elman_rnn()).structure()
    assert cell["layout"]["h_new"] == [10.0, 20.0]


def test_edits_never_change_their_input_and_remove_cleans_up():
    original = lstm()
    cell = edits.remove_node(original, "c_new")
    assert original == lstm()
    assert "c" not in cell["outputs"] and all("c_new" not in n["inputs"] for n in cell["nodes"])
    assert any("never written" in d.message for d in analyse(from_dict(cell)).errors)


def test_gates_settings_and_states():
    cell = edits.set_gate(lstm(), "forget_gate", "keep")
    assert [n.gate for n in from_dict(cell).gates()] == ["input", "keep", "output"]
    cell = edits.set_gate(cell, "forget_gate", "")
    assert "gate" not in next(n for n in cell["nodes"] if n["id"] == "forget_gate")
    assert edits.set_setting(cell, "input_lin", "bias", False)["nodes"][0]["settings"]["bias"] is False
    assert edits.add_state(cell, "m")["states"] == ["h", "c", "m"]


@pytest.mark.parametrize(
    "edit, words",
    [
        (lambda c: edits.add_node(c, "conv"), "unknown primitive 'conv'"),
        (lambda c: edits.set_setting(c, "input_lin", "units", 0), "must be at least 1"),
        (lambda c: edits.set_output(c, "q", "h_new"), "'q' is not a state"),
        (lambda c: edits.remove_node(c, "nothing"), "no node 'nothing'"),
        (lambda c: edits.add_state(c, "h_new"), "is taken"),
        (lambda c: edits.add_state(c, "x"), "is the cell's input"),
    ],
)
def test_refused_edits_say_why(edit, words):
    with pytest.raises(edits.CellEditError, match=words):
        edit(lstm())


def test_renaming_a_node_or_state_follows_every_read_write_and_place():
    rename = edits.rename
    cell = lstm()
    cell["layout"] = {"kept": [1.0, 2.0], "c": [0.0, 5.0], "c:new": [9.0, 9.0]}
    renamed = rename(rename(cell, "kept", "remembered"), "c", "cell_state")
    assert renamed["states"] == ["h", "cell_state"]
    assert renamed["outputs"] == {"h": "h_new", "cell_state": "c_new"}
    assert next(n for n in renamed["nodes"] if n["id"] == "remembered")["inputs"] == ["forget_gate", "cell_state"]
    assert next(n for n in renamed["nodes"] if n["id"] == "c_new")["inputs"] == ["remembered", "written"]
    assert renamed["layout"] == {"remembered": [1.0, 2.0], "cell_state": [0.0, 5.0], "cell_state:new": [9.0, 9.0]}
    for bad, words in (("h", "is taken"), ("x", "is the cell's input"), ("2b", "not a valid name")):
        with pytest.raises(edits.CellEditError, match=words):
            rename(cell, "kept", bad)


def test_removing_a_state_unwires_it_and_a_cell_keeps_one():
    remove_state = edits.remove_state
    cell = remove_state(lstm(), "c")
    assert cell["states"] == ["h"] and "c" not in cell["outputs"]
    assert next(n for n in cell["nodes"] if n["id"] == "kept")["inputs"] == ["forget_gate"]
    assert "Multiply 'kept' takes 2 or more inputs; it has 1" in [d.message for d in analyse(from_dict(cell)).errors]
    with pytest.raises(edits.CellEditError, match="only state"):
        remove_state(cell, "h")
