"""The graph document: edits, typed refusals, events, validation diagnostics."""

from __future__ import annotations

import pytest
from conftest import FakeSignature, make_chain

from engine.graph import (
    CycleError,
    Edge,
    GraphDocument,
    InvalidNameError,
    OccupiedInputError,
    ParamError,
    PortKindError,
    ShapeMismatchError,
    UnknownPortError,
)
from engine.validation import validate


@pytest.fixture
def doc(regression_data):
    document = GraphDocument()
    document.data = regression_data
    return document


def messages(analysis):
    return [d.message for d in analysis.diagnostics]


def test_a_complete_chain_validates_with_shapes_and_counts(doc, regression_data):
    ids = make_chain(doc, "SequenceInput", ("LSTM", {"hidden_size": 8, "output": "last"}), "Regression")
    analysis = validate(doc, regression_data)
    assert analysis.ok, messages(analysis)
    assert analysis.shapes.outputs[ids[1]].describe() == "vector [batch, 8]"
    assert analysis.param_counts[ids[1]] == 4 * 8 * (2 + 8 + 2)
    assert analysis.param_counts[ids[2]] == 9


def test_events_announce_every_edit(doc):
    seen = []
    for name in ("node_added", "node_removed", "node_changed", "node_moved", "edge_added", "edge_removed"):
        getattr(doc, name).connect(lambda *args, name=name: seen.append(name))
    a, b = make_chain(doc, "SequenceInput", "LSTM")
    doc.set_param(b, "hidden_size", 3)
    doc.move_node(b, (5, 6))
    doc.remove_node(a)
    assert seen == [
        "node_added",
        "node_added",
        "edge_added",
        "node_changed",
        "node_moved",
        "edge_removed",
        "node_removed",
    ]


def test_refusals_are_typed_and_leave_the_document_unchanged(doc):
    a, lstm, head = make_chain(doc, "SequenceInput", ("LSTM", {"output": "last"}), "Regression")
    before = doc.to_dict()
    other = doc.add_node("SequenceInput").id
    with pytest.raises(OccupiedInputError, match="already connected to 'lstm_1'"):
        doc.connect(other, "out", head, "in")
    first, second = doc.add_node("Linear").id, doc.add_node("Linear").id
    doc.connect(first, "out", second, "in")
    with pytest.raises(CycleError, match="cycle"):
        doc.connect(second, "out", first, "in")
    doc.remove_node(first), doc.remove_node(second)
    with pytest.raises(UnknownPortError):
        doc.connect(a, "nope", lstm, "in")
    pool = doc.add_node("LastStep").id
    with pytest.raises(PortKindError, match="takes a sequence"):
        doc.connect(lstm, "out", pool, "in")  # the LSTM emits its last state: a vector
    tokens = doc.add_node("Embedding").id
    with pytest.raises(PortKindError, match="takes tokens"):
        doc.connect(a, "out", tokens, "tokens")
    doc.remove_node(other), doc.remove_node(pool), doc.remove_node(tokens)
    assert doc.to_dict() == before


def test_add_refuses_branches_of_different_sizes(doc):
    a = doc.add_node("SequenceInput").id
    left = doc.add_node("Linear", {"features": 4}).id
    right = doc.add_node("Linear", {"features": 5}).id
    add = doc.add_node("Add").id
    for node in (left, right):
        doc.connect(a, "out", node, "in")
    doc.connect(left, "out", add, "a")
    with pytest.raises(ShapeMismatchError, match="same size"):
        doc.connect(right, "out", add, "b")


def test_parameters_and_names_are_checked(doc):
    lstm = doc.add_node("LSTM").id
    with pytest.raises(ParamError, match="hidden_size"):
        doc.set_param(lstm, "hidden_size", -3)
    with pytest.raises(ParamError, match="no parameter"):
        doc.set_param(lstm, "colour", 1)
    with pytest.raises(InvalidNameError):
        doc.add_node("LSTM", node_id="2fast")
    with pytest.raises(InvalidNameError):
        doc.add_node("LSTM", node_id="forward")
    with pytest.raises(InvalidNameError, match="already exists"):
        doc.add_node("LSTM", node_id=lstm)


def test_rename_keeps_edges(doc):
    a, b = make_chain(doc, "SequenceInput", "LSTM")
    doc.rename_node(b, "encoder")
    assert [(e.source, e.target) for e in doc.edges()] == [(a, "encoder")]


def test_diagnostics_name_the_node_and_port(doc, regression_data):
    lstm = doc.add_node("LSTM", node_id="encoder").id
    analysis = validate(doc, regression_data)
    text = "\n".join(messages(analysis))
    assert "LSTM 'encoder': input 'in' is not connected" in text
    assert "no input block" in text and "no head" in text
    assert {d.port for d in analysis.for_node(lstm)} == {"in"}


def test_parameter_change_that_breaks_downstream_is_reported(doc, regression_data):
    a = doc.add_node("SequenceInput").id
    lstm = doc.add_node("LSTM", {"hidden_size": 4}, node_id="encoder").id
    side = doc.add_node("Linear", {"features": 4}).id
    add = doc.add_node("Add").id
    doc.connect(a, "out", lstm, "in"), doc.connect(a, "out", side, "in")
    doc.connect(lstm, "out", add, "a"), doc.connect(side, "out", add, "b")
    assert validate(doc, regression_data).shapes.outputs[add].size == 4
    doc.set_param(lstm, "hidden_size", 6)
    analysis = validate(doc, regression_data)
    assert any("same size" in m and "'a' has 6" in m for m in messages(analysis))
    pool = doc.add_node("MeanOverTime").id
    doc.connect(add, "out", pool, "in")
    # The broken Add is reported once; blocks after it are not blamed.
    assert not analysis.for_node(pool) and not validate(doc, regression_data).for_node(pool)


def test_head_that_does_not_fit_the_data(doc):
    make_chain(doc, "SequenceInput", ("GRU", {"output": "last"}), "Classification")
    analysis = validate(doc, FakeSignature(target_kind="regression"))
    assert any(
        "Classification" in m and "1 value per sequence (regression)" in m and "Regression head" in m
        for m in messages(analysis)
    )
    classes = validate(doc, FakeSignature(target_kind="classification", n_outputs=3))
    assert classes.ok


def test_input_block_that_does_not_fit_the_data(doc):
    make_chain(doc, "SequenceInput", "LSTM")
    analysis = validate(doc, FakeSignature(input_kind="tokens", features=None, vocab_size=9))
    assert any("use a TokenInput" in m for m in messages(analysis))


def test_cycles_and_double_inputs_from_a_file_are_diagnosed(regression_data):
    doc = GraphDocument()
    edges = [("x", "a", "in"), ("a", "b", "a"), ("b", "a", "in"), ("x", "b", "b")]
    doc.load(
        {
            "nodes": [
                {"id": "x", "type": "SequenceInput"},
                {"id": "a", "type": "Linear"},
                {"id": "b", "type": "Concat"},
            ],
            "edges": [{"source": s, "source_port": "out", "target": t, "target_port": p} for s, t, p in edges],
        }
    )
    text = "\n".join(messages(validate(doc, regression_data)))
    assert "cycle" in text
    assert "input 'in' receives 2 connections" in text


def test_blocks_off_the_head_path_are_warned_about(doc, regression_data):
    make_chain(doc, "SequenceInput", ("LSTM", {"output": "last"}), "Regression")
    doc.add_node("Dropout", node_id="spare")
    analysis = validate(doc, regression_data)
    warning = [d for d in analysis.diagnostics if d.node == "spare" and d.severity == "warning"]
    assert warning and "will not be used" in warning[0].message


# -- undo puts things back where they were ------------------------------------------------
def branching(doc):
    """x feeds two branches (a: LSTM, b: GRU) joined by Concat: the order of the branches
    decides which module is built, and so seeded, first."""
    for type_name, params, node_id in [
        ("SequenceInput", {}, "x"),
        ("LSTM", {"hidden_size": 4}, "a"),
        ("GRU", {"hidden_size": 4}, "b"),
        ("Concat", {}, "both"),
        ("LastStep", {}, "last"),
        ("Regression", {}, "head"),
    ]:
        doc.add_node(type_name, params, node_id=node_id)
    for source, target, port in [
        ("x", "a", "in"),
        ("x", "b", "in"),
        ("a", "both", "a"),
        ("b", "both", "b"),
        ("both", "last", "in"),
        ("last", "head", "in"),
    ]:
        doc.connect(source, "out", target, port)


def initial_weights(doc, data):
    import torch

    from engine.compiler import compile_graph

    torch.manual_seed(0)
    return compile_graph(doc, data).state_dict()


def assert_same_weights(first, second):
    import torch

    assert list(first) == list(second)
    assert all(torch.equal(first[key], second[key]) for key in first)


@pytest.mark.parametrize("node_id", ["x", "a", "both"])
def test_delete_and_restore_give_back_the_document_and_its_initial_weights_exactly(doc, regression_data, node_id):
    branching(doc)
    before, weights = doc.to_dict(), initial_weights(doc, regression_data)
    doc.restore_node(doc.remove_node(node_id))
    assert doc.to_dict() == before  # unsorted: the order is part of the document
    assert_same_weights(initial_weights(doc, regression_data), weights)


def test_disconnect_and_restore_put_the_edge_back_in_its_place(doc, regression_data):
    branching(doc)
    before, weights = doc.to_dict(), initial_weights(doc, regression_data)
    doc.restore_edge(doc.disconnect(Edge("x", "out", "a", "in")))
    assert doc.to_dict() == before
    assert_same_weights(initial_weights(doc, regression_data), weights)


def test_renaming_keeps_the_blocks_place(doc, regression_data):
    branching(doc)
    order = [node.id for node in doc.nodes()]
    doc.rename_node("a", "memory")
    assert [node.id for node in doc.nodes()] == [("memory" if n == "a" else n) for n in order]
    doc.rename_node("memory", "a")
    assert [node.id for node in doc.nodes()] == order


@pytest.mark.parametrize("name", ["block_types", "recurrent_ids", "train", "state_dict", "forward_all", "class"])
def test_names_the_compiled_module_already_has_are_refused(doc, name):
    with pytest.raises(InvalidNameError, match="reserved"):
        doc.add_node("Linear", node_id=name)


def test_every_attribute_of_a_compiled_model_is_a_reserved_name(regression_data):
    from engine.reserved_names import reserved_ids

    doc = GraphDocument()
    make_chain(doc, "SequenceInput", ("LSTM", {"output": "last"}), "Regression")
    from engine.compiler import compile_graph

    model = compile_graph(doc, regression_data)
    public = {name for name in dir(model) if not name.startswith("_")} - {node.id for node in doc.nodes()}
    assert public <= reserved_ids()
