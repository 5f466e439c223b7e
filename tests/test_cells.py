"""Cell documents: reading and writing, the diagnostics in words, and the templates."""

from __future__ import annotations

import json
import re

import pytest

from engine.cells import TEMPLATES, CellFormatError, analyse, builtin_kind, from_dict, parameter_count
from engine.cells.analysis import ERROR, WARNING
from engine.cells.templates import lstm


def _cell(nodes, outputs, states=("h",)):
    return from_dict(
        {
            "format": "recurrent-studio-cell",
            "version": 1,
            "name": "test",
            "states": list(states),
            "nodes": nodes,
            "outputs": outputs,
        }
    )


def _messages(doc, severity=None):
    return [d.message for d in analyse(doc).diagnostics if severity is None or d.severity == severity]


def test_every_template_round_trips_through_json_and_is_clean():
    for template in TEMPLATES.values():
        doc = template.document()
        again = from_dict(json.loads(json.dumps(doc.to_dict())))
        assert again.to_dict() == doc.to_dict()
        assert analyse(doc).diagnostics == [], template.key
        assert template.description.endswith(".") and len(template.description) < 120


def test_only_unchanged_builtin_templates_are_recognised():
    assert [builtin_kind(t.document()) for t in TEMPLATES.values()] == [
        "LSTM",
        "GRU",
        "RNN",
        None,
        None,
        None,
        None,
    ]
    changed = lstm()
    changed["nodes"][0]["settings"] = {"units": 1, "bias": False}
    assert builtin_kind(from_dict(changed)) is None
    renamed = lstm()
    renamed["name"], renamed["layout"] = "my copy", {"h_new": [3.0, 4.0]}
    assert builtin_kind(from_dict(renamed)) == "LSTM"


@pytest.mark.parametrize(
    "change, words",
    [
        (lambda d: d.update(version=2), "format version 2"),
        (lambda d: d.update(format="other"), "field 'format'"),
        (lambda d: d.update(states=[]), "field 'states'"),
        (lambda d: d.update(states=["h", "h"]), "names a state twice"),
        (lambda d: d["nodes"].append({"id": "x", "op": "tanh", "inputs": ["h"]}), "is the cell's input"),
        (lambda d: d["nodes"].append({"id": "q", "op": "conv", "inputs": ["h"]}), "field 'nodes[13].op'"),
        (lambda d: d["nodes"][0].update(settings={"units": 0}), "must be at least 1"),
        (lambda d: d["nodes"][0].update(settings={"units": float("nan")}), "finite number"),
        (lambda d: d["nodes"][0].update(settings={"width": 3}), "has no setting 'width'"),
        (lambda d: d["nodes"][1].update(id="input_lin"), "used twice"),
        (lambda d: d["outputs"].update(z="h_new"), "not a declared state"),
        (lambda d: d.update(layout={"h_new": [1, float("inf")]}), "field 'layout.h_new'"),
    ],
)
def test_malformed_cells_are_refused_naming_the_field(change, words):
    data = lstm()
    change(data)
    with pytest.raises(CellFormatError, match=re.escape(words)):
        from_dict(data)


def test_a_cell_that_reads_no_previous_state_is_not_recurrent():
    doc = _cell(
        [{"id": "a", "op": "linear", "inputs": ["x"]}, {"id": "h_new", "op": "tanh", "inputs": ["a"]}], {"h": "h_new"}
    )
    (message,) = _messages(doc, ERROR)
    assert "not recurrent" in message and "remembers nothing" in message


def test_a_declared_state_never_written_is_an_error():
    doc = lstm()
    del doc["outputs"]["c"]
    messages = _messages(from_dict(doc), ERROR)
    assert any("state 'c' is never written" in m for m in messages)


def test_a_state_whose_size_changes_across_steps_is_an_error():
    doc = _cell(
        [
            {"id": "a", "op": "linear", "inputs": ["x", "h"], "settings": {"units": 2}},
            {"id": "h_new", "op": "tanh", "inputs": ["a"]},
        ],
        {"h": "h_new"},
    )
    (message,) = _messages(doc, ERROR)
    assert "would change size across steps" in message and "2H" in message


def test_an_algebraic_loop_inside_one_step_is_an_error():
    doc = _cell(
        [
            {"id": "a", "op": "add", "inputs": ["h", "b"]},
            {"id": "b", "op": "tanh", "inputs": ["a"]},
            {"id": "h_new", "op": "tanh", "inputs": ["b"]},
        ],
        {"h": "h_new"},
    )
    (message,) = _messages(doc, ERROR)
    assert "algebraic loop" in message and "a → b → a" in message


def test_unbounded_recurrence_is_a_warning_and_a_squash_clears_it():
    relu = _cell(
        [{"id": "a", "op": "linear", "inputs": ["x", "h"]}, {"id": "h_new", "op": "relu", "inputs": ["a"]}],
        {"h": "h_new"},
    )
    (message,) = _messages(relu, WARNING)
    assert "can grow without bound" in message and "Linear 'a'" in message
    assert not _messages(relu, ERROR)
    for template in TEMPLATES.values():  # gated or squashed: no warning, though c accumulates
        assert not _messages(template.document(), WARNING)


def test_sizes_that_cannot_meet_and_misplaced_gates_are_named():
    doc = _cell(
        [
            {"id": "a", "op": "add", "inputs": ["x", "h"]},
            {"id": "b", "op": "tanh", "inputs": ["h"], "gate": "oops"},
            {"id": "s", "op": "split", "inputs": ["h"], "settings": {"parts": 3, "index": 0}},
            {"id": "r", "op": "sigmoid", "inputs": ["q"]},
            {"id": "m", "op": "multiply", "inputs": ["h"]},
            {"id": "h_new", "op": "multiply", "inputs": ["b", "h"]},
        ],
        {"h": "h_new"},
    )
    messages = " | ".join(_messages(doc, ERROR))
    assert "inputs differ in size ('x' F, 'h' H" in messages
    assert "only a sigmoid output" in messages
    assert "cannot be cut into 3 equal parts" in messages
    assert "reads 'q', which is not x, a state or a node" in messages
    assert "takes 2 or more inputs; it has 1" in messages
    assert "leads to no new state" in " | ".join(_messages(doc, WARNING))


def test_a_previous_state_never_read_is_a_warning():
    doc = _cell(
        [
            {"id": "a", "op": "linear", "inputs": ["x", "h"]},
            {"id": "h_new", "op": "tanh", "inputs": ["a"]},
            {"id": "c_new", "op": "tanh", "inputs": ["a"]},
        ],
        {"h": "h_new", "c": "c_new"},
        states=("h", "c"),
    )
    assert _messages(doc, WARNING) == ["the previous value of state 'c' is never read; it carries nothing forward"]


def test_parameter_counts_match_the_builtins_formula():
    hidden, features = 16, 3
    for key, gates in (("lstm", 4), ("gru", 3), ("rnn", 1)):
        doc = TEMPLATES[key].document()
        expected = gates * hidden * (features + hidden + 1) + (hidden if key == "gru" else 0)
        assert parameter_count(doc, analyse(doc), hidden, features) == expected
    peephole = TEMPLATES["peephole_lstm"].document()
    assert (
        parameter_count(peephole, analyse(peephole), hidden, features)
        == 4 * hidden * (features + hidden + 1) + 3 * hidden
    )
