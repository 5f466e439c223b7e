"""engine.fixes: a refused connection gets the fixes that make it work, each tried on a
copy of the document; applying one makes the connection and leaves a valid graph."""

from __future__ import annotations

from conftest import make_chain

from engine.fixes import apply_fix, fixes_for_connection, fixes_for_diagnostic
from engine.graph import Edge, GraphDocument
from engine.validation import validate


def sequence_into_regression(regression_data):
    doc = GraphDocument()
    doc.data = regression_data
    doc.add_node("SequenceInput", node_id="x")
    doc.add_node("LSTM", {"hidden_size": 8, "output": "sequence"}, (200.0, 0.0), "memory")
    doc.connect("x", "out", "memory", "in")
    doc.add_node("Regression", position=(600.0, 0.0), node_id="head")
    return doc, Edge("memory", "out", "head", "in")


def test_a_sequence_into_a_vector_input_gets_three_fixes_that_each_work(regression_data):
    doc, edge = sequence_into_regression(regression_data)
    assert doc.connection_problem(edge) is not None
    fixes = fixes_for_connection(doc, edge)
    assert [fix.title for fix in fixes] == [
        "Set LSTM 'memory' output to 'last'",
        "Insert a LastStep between 'memory' and 'head'",
        "Insert a MeanOverTime between 'memory' and 'head'",
    ]
    before = doc.to_dict()
    for fix in fixes:
        trial = GraphDocument()
        trial.data = regression_data
        trial.load(before, doc.layout_dict())
        apply_fix(trial, fix)
        assert validate(trial, regression_data).ok, fix.title
    assert doc.to_dict() == before  # offering fixes changed nothing


def test_an_inserted_block_joins_both_ends(regression_data):
    doc, edge = sequence_into_regression(regression_data)
    insert = fixes_for_connection(doc, edge)[1]
    apply_fix(doc, insert)
    assert {(e.source, e.target) for e in doc.edges()} >= {("memory", "last_step_1"), ("last_step_1", "head")}


def test_a_size_mismatch_gets_a_linear_of_the_size_needed(regression_data):
    doc = GraphDocument()
    doc.data = regression_data
    doc.add_node("SequenceInput", node_id="x")
    doc.add_node("GRU", {"hidden_size": 16, "output": "last"}, node_id="wide")
    doc.add_node("GRU", {"hidden_size": 8, "output": "last"}, node_id="narrow")
    doc.add_node("Add", node_id="sum")
    for target in ("wide", "narrow"):
        doc.connect("x", "out", target, "in")
    doc.connect("wide", "out", "sum", "a")
    [fix] = fixes_for_connection(doc, Edge("narrow", "out", "sum", "b"))
    assert fix.title == "Insert a Linear giving 16 features between 'narrow' and 'sum'"
    apply_fix(doc, fix)
    assert doc.node("linear_1").params["features"] == 16


def test_no_fix_for_a_cycle_or_an_accepted_connection(regression_data):
    doc = GraphDocument()
    doc.data = regression_data
    ids = make_chain(doc, "SequenceInput", ("LSTM", {"output": "sequence"}), "Linear")
    assert fixes_for_connection(doc, Edge(ids[2], "out", ids[1], "in")) == []  # occupied / cycle
    doc.add_node("LastStep", node_id="pick")
    assert fixes_for_connection(doc, Edge(ids[2], "out", "pick", "in")) == []  # accepted as it is


def test_a_problem_on_an_existing_wire_is_fixed_by_rewiring_it(regression_data):
    doc, edge = sequence_into_regression(regression_data)
    doc.load(
        {**doc.to_dict(), "edges": doc.to_dict()["edges"] + [edge.to_dict()]}, doc.layout_dict()
    )  # a file may hold a wire that no longer fits
    [problem] = [d for d in validate(doc, regression_data).errors if d.node == "head"]
    fixes = fixes_for_diagnostic(doc, "head", problem.port)
    assert fixes and fixes[0].ops[0].kind == "disconnect"
    apply_fix(doc, fixes[0])
    assert validate(doc, regression_data).ok
