"""Wires and fix-its inside a cell: what dragging a wire on the cell canvas does, headless."""

from __future__ import annotations

import pytest

from engine.cells import analyse, from_dict
from engine.cells.edits import CellEditError, add_node, remove_node, set_gate, set_inputs, set_output
from engine.cells.fixes import fixes_for_diagnostic, fixes_for_wire
from engine.cells.templates import TEMPLATES
from engine.cells.wiring import Wire, connect, connection_problem, disconnect, reconnect, wires


def _lstm():
    return TEMPLATES["lstm"].make()


def _diagnostic(cell, code):
    (found,) = [d for d in analyse(from_dict(cell)).diagnostics if d.code == code]
    return found


def test_every_diagnostic_of_the_analysis_says_what_kind_it_is():
    cell = _lstm()
    cell, _ = add_node(cell, "tanh", ["nowhere"])
    cell = remove_node(cell, "written")
    codes = {d.code for d in analyse(from_dict(cell)).diagnostics}
    assert {"bad_ref", "arity"} <= codes and "" not in codes


def test_the_wires_of_a_cell_are_its_node_inputs_in_slot_order_and_its_state_writes():
    found = wires(_lstm())
    assert Wire("forget_gate", "kept", 0) in found and Wire("c", "kept", 1) in found
    assert Wire("h_new", "h", 0, True) in found and Wire("c_new", "c", 0, True) in found
    assert len(found) == sum(len(n["inputs"]) for n in _lstm()["nodes"]) + 2


def test_connecting_past_the_last_slot_adds_an_input_and_on_a_slot_replaces_it():
    cell = _lstm()
    added = connect(cell, Wire("written", "c_new", 2))
    assert next(n for n in added["nodes"] if n["id"] == "c_new")["inputs"] == ["kept", "written", "written"]
    replaced = connect(cell, Wire("written", "kept", 1))
    assert next(n for n in replaced["nodes"] if n["id"] == "kept")["inputs"] == ["forget_gate", "written"]
    assert cell == _lstm()  # edits are pure


def test_disconnecting_moves_later_inputs_up_and_reconnecting_is_one_edit():
    cell = _lstm()
    cut = disconnect(cell, Wire("x", "input_lin", 0))
    assert next(n for n in cut["nodes"] if n["id"] == "input_lin")["inputs"] == ["h"]
    unwritten = disconnect(cell, Wire("h_new", "h", 0, True))
    assert "h" not in unwritten["outputs"]
    moved = reconnect(cell, Wire("c", "kept", 1), Wire("c", "written", 2))
    assert next(n for n in moved["nodes"] if n["id"] == "kept")["inputs"] == ["forget_gate"]
    assert next(n for n in moved["nodes"] if n["id"] == "written")["inputs"] == ["input_gate", "candidate", "c"]
    with pytest.raises(CellEditError, match="does not read"):
        disconnect(cell, Wire("h", "kept", 0))


@pytest.mark.parametrize(
    "wire, words",
    [
        (Wire("nothing", "kept", 2), "is not x, a state or a node"),
        (Wire("kept", "kept", 2), "cannot read its own output"),
        (Wire("x", "kept", 5), "connect to input 3 to add one"),
        (Wire("x", "forget_gate", 1), "takes 1 input and has them"),
        (Wire("h_new", "input_lin", 2), "algebraic loop"),
        (Wire("x", "h", 0, True), "must come from a node"),
        (Wire("kept", "nope", 0, True), "is not a state"),
        (Wire("x", "kept", 2), "its inputs differ in size"),
    ],
)
def test_a_wire_that_cannot_work_is_refused_in_words(wire, words):
    cell = _lstm()
    assert words in connection_problem(cell, wire)
    with pytest.raises(CellEditError, match=words.split("(")[0]):
        connect(cell, wire)


def test_a_new_state_wider_than_the_hidden_size_is_refused():
    from engine.cells.edits import set_setting

    cell = set_setting(_lstm(), "input_lin", "units", 2)
    assert "would change size across steps" in connection_problem(cell, Wire("input_lin", "c", 0, True))
    (fix,) = fixes_for_wire(cell, Wire("input_lin", "c", 0, True))
    assert fix.title == "Insert a Linear (H) between 'input_lin' and 'c'"


def test_a_wire_from_x_into_a_multiply_of_hidden_sizes_is_fixed_by_a_linear():
    cell = _lstm()
    wire = Wire("x", "kept", 2)
    (fix,) = fixes_for_wire(cell, wire)
    assert fix.title == "Insert a Linear (H) between 'x' and 'kept'"
    analysis = analyse(from_dict(fix.cell))
    assert analysis.ok
    kept = next(n for n in fix.cell["nodes"] if n["id"] == "kept")
    assert kept["inputs"][:2] == ["forget_gate", "c"] and kept["inputs"][2].startswith("linear_")
    assert fixes_for_wire(cell, Wire("kept", "c_new", 2)) == []  # accepted as it is


def test_a_new_state_of_the_wrong_width_gets_both_fixes_and_each_works():
    from engine.cells.edits import set_setting

    cell = set_setting(set_output(_lstm(), "c", "input_lin"), "input_lin", "units", 4)  # c_t 4H wide
    fixes = fixes_for_diagnostic(cell, _diagnostic(cell, "state_size"))
    assert [f.title for f in fixes] == [
        "Set the units of 'input_lin' to 1 (H wide)",
        "Insert a Linear (H) between 'input_lin' and the new c",
    ]
    for fix in fixes:
        assert not [d for d in analyse(from_dict(fix.cell)).errors if d.code == "state_size"]


def test_an_unwritten_state_is_offered_the_nodes_of_the_hidden_size():
    cell = set_output(_lstm(), "c", None)
    fixes = fixes_for_diagnostic(cell, _diagnostic(cell, "unwritten"))
    assert fixes and all(f.title.startswith("Write the new c from '") for f in fixes)
    assert "'h_new'" not in " ".join(f.title for f in fixes)  # it writes h already
    assert analyse(from_dict(fixes[0].cell)).ok


def test_a_cell_that_reads_no_state_is_made_recurrent_by_its_first_linear():
    cell = TEMPLATES["rnn"].make()
    linear = next(n for n in cell["nodes"] if n["op"] == "linear")
    cell = set_inputs(cell, linear["id"], ["x"])
    fixes = fixes_for_diagnostic(cell, _diagnostic(cell, "not_recurrent"))
    assert fixes[0].title == f"Let '{linear['id']}' read h (the previous h) too"
    assert analyse(from_dict(fixes[0].cell)).ok


def test_unbounded_growth_is_squashed_and_markers_and_references_are_mended():
    cell = _lstm()
    cell, grow = add_node(cell, "linear", ["c"])
    cell = set_output(cell, "c", grow)  # c_t = W·c_(t-1): grows without bound
    (fix,) = fixes_for_diagnostic(cell, _diagnostic(cell, "unbounded"))
    assert fix.title == f"Squash the new c with a tanh after '{grow}'"
    assert not [d for d in analyse(from_dict(fix.cell)).diagnostics if d.code == "unbounded"]

    marked = set_gate(_lstm(), "candidate", "cand")
    (fix,) = fixes_for_diagnostic(marked, _diagnostic(marked, "gate_op"))
    assert analyse(from_dict(fix.cell)).ok and "gate" not in next(
        n for n in fix.cell["nodes"] if n["id"] == "candidate"
    )
    twice = set_gate(_lstm(), "output_gate", "forget")
    (fix,) = fixes_for_diagnostic(twice, _diagnostic(twice, "gate_twice"))
    assert fix.title == "Rename the gate of 'output_gate' to 'forget_2'" and analyse(from_dict(fix.cell)).ok

    stray = set_inputs(_lstm(), "cell_squashed", ["c_new", "ghost"])
    fixes = {f.title for d in analyse(from_dict(stray)).errors for f in fixes_for_diagnostic(stray, d)}
    assert "Stop 'cell_squashed' reading 'ghost'" in fixes


def test_a_problem_no_edit_of_ours_mends_gets_no_fix():
    cell = set_inputs(_lstm(), "input_lin", ["x", "h", "h_new"])  # a loop
    loop = _diagnostic(cell, "loop")
    assert fixes_for_diagnostic(cell, loop) == []
